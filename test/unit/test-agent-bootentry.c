/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Boot entry discovery against fake trees laid out as each distribution
 * does it: BLS entries (Fedora: separate /boot, $kernelopts; sd-boot's
 * loader.conf default), Debian's relative and absolute /vmlinuz links,
 * Arch's names, a NixOS profile chain into /nix/store, the newest kernel
 * that has modules; then the overrides and the command line cleaning. */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-bootentry.h"
#include "test-util.h"

static char *root;

/* mkdir -p of the parents of path below root, then the file. */
static void put(const char *path, const char *content) {
        _cleanup_free_ char *full = tu_path_join(root, path);

        for (char *p = full + strlen(root) + 1; (p = strchr(p, '/')); p++) {
                *p = '\0';
                (void) mkdir(full, 0755);
                *p = '/';
        }
        ASSERT_OK(tu_write_file(full, content, strlen(content)));
}

static void link_(const char *path, const char *target) {
        _cleanup_free_ char *full = tu_path_join(root, path);

        for (char *p = full + strlen(root) + 1; (p = strchr(p, '/')); p++) {
                *p = '\0';
                (void) mkdir(full, 0755);
                *p = '/';
        }
        ASSERT_EQ(symlink(target, full), 0);
}

static void fresh_root(void) {
        if (root)
                tu_rm_rf(root);
        free(root);
        root = NULL;
        ASSERT_OK(tu_mkdtemp("test-bootentry", &root));
        put("/proc/cmdline", "BOOT_IMAGE=/boot/vmlinuz-6.1.0-56-amd64 root=UUID=1234 ro quiet console=ttyS0,115200\n");
}

/* root + path */
static char *in_root(const char *path) {
        char *p;

        ASSERT_TRUE(asprintf(&p, "%s%s", root, path) > 0);
        return p;
}

static void find(const BootEntryRequest *req_in, BootEntry *e) {
        BootEntryRequest req = *req_in;
        _cleanup_free_ char *why = NULL;
        int r;

        req.root = root;
        r = bootentry_find(&req, e, &why);
        if (r < 0)
                TU_FAIL("bootentry_find: %s (%s)", strerror(-r), why ?: "no reason");
}

static void remove_(const char *path) {
        _cleanup_free_ char *full = in_root(path);
        ASSERT_EQ(unlink(full), 0);
}

#define ASSERT_IN_ROOT(got, path)                                       \
        do {                                                            \
                _cleanup_free_ char *_want = in_root(path);             \
                ASSERT_STREQ(got, _want);                               \
        } while (0)

static void test_nothing(void) {
        BootEntry e = {};
        BootEntryRequest req = { .root = NULL };
        _cleanup_free_ char *why = NULL;

        fresh_root();
        req.root = root;
        ASSERT_ERROR(bootentry_find(&req, &e, &why), ENOENT);
        ASSERT_TRUE(why && strstr(why, "no installed kernel found"));
        ASSERT_TRUE(strstr(why, "--kernel"));

        /* A vmlinuz without its modules is not a kernel to boot. */
        put("/boot/vmlinuz-6.1.0-10-amd64", "k");
        free(why), why = NULL;
        ASSERT_ERROR(bootentry_find(&req, &e, &why), ENOENT);
}

static void test_debian(void) {
        BootEntry e = {};

        fresh_root();
        put("/boot/vmlinuz-6.1.0-56-amd64", "new");
        put("/boot/initrd.img-6.1.0-56-amd64", "new-initrd");
        put("/boot/vmlinuz-6.1.0-55-amd64", "old");
        put("/boot/vmlinuz-7.0.0-1-amd64", "newer but not the default");
        put("/lib/modules/6.1.0-56-amd64/modules.dep", "");
        put("/lib/modules/7.0.0-1-amd64/modules.dep", "");
        /* Debian makes relative links; absolute ones must stay in root. */
        link_("/vmlinuz", "boot/vmlinuz-6.1.0-56-amd64");
        link_("/initrd.img", "/boot/initrd.img-6.1.0-56-amd64");
        link_("/vmlinuz.old", "boot/vmlinuz-6.1.0-55-amd64");
        find(&(BootEntryRequest) {}, &e);
        ASSERT_STREQ(e.layout, "debian");
        ASSERT_IN_ROOT(e.kernel, "/boot/vmlinuz-6.1.0-56-amd64");
        ASSERT_EQ(e.n_initrds, 1);
        ASSERT_IN_ROOT(e.initrds[0], "/boot/initrd.img-6.1.0-56-amd64");
        ASSERT_STREQ(e.cmdline, "root=UUID=1234 ro quiet console=ttyS0,115200");
        ASSERT_TRUE(strstr(e.why_kernel, "/vmlinuz links to it"));
        ASSERT_TRUE(strstr(e.why_cmdline, "/proc/cmdline"));
        bootentry_done(&e);

        /* Ubuntu with link_in_boot, no initramfs. */
        fresh_root();
        put("/boot/vmlinuz-6.8.0-31-generic", "k");
        link_("/boot/vmlinuz", "vmlinuz-6.8.0-31-generic");
        find(&(BootEntryRequest) {}, &e);
        ASSERT_STREQ(e.layout, "debian");
        ASSERT_IN_ROOT(e.kernel, "/boot/vmlinuz-6.8.0-31-generic");
        ASSERT_EQ(e.n_initrds, 0);
        ASSERT_TRUE(strstr(e.why_initrd, "no /boot/initrd.img"));
        bootentry_done(&e);

        /* A dangling /vmlinuz is no kernel: the next layout is tried. */
        fresh_root();
        link_("/vmlinuz", "boot/vmlinuz-gone");
        put("/boot/vmlinuz-linux", "arch");
        find(&(BootEntryRequest) {}, &e);
        ASSERT_STREQ(e.layout, "arch");
        bootentry_done(&e);
}

static void test_bls(void) {
        BootEntry e = {};
        BootEntryRequest req = {};
        _cleanup_free_ char *why = NULL;

        /* Fedora with a separate /boot: paths in entries are relative to it.
         * 6.10 sorts above 6.9 (a version sort, not strcmp). */
        fresh_root();
        put("/boot/vmlinuz-6.9.4-200.fc40.x86_64", "k69");
        put("/boot/initramfs-6.9.4-200.fc40.x86_64.img", "i69");
        put("/boot/vmlinuz-6.10.3-200.fc40.x86_64", "k610");
        put("/boot/initramfs-6.10.3-200.fc40.x86_64.img", "i610");
        put("/boot/vmlinuz-0-rescue-abc", "rescue");
        put("/boot/intel-ucode.img", "ucode");
        put("/boot/loader/entries/abc-6.9.4-200.fc40.x86_64.conf",
            "title Fedora Linux (6.9.4-200.fc40.x86_64) 40\n"
            "version 6.9.4-200.fc40.x86_64\n"
            "linux /vmlinuz-6.9.4-200.fc40.x86_64\n"
            "initrd /initramfs-6.9.4-200.fc40.x86_64.img\n"
            "options root=UUID=aaaa ro rhgb quiet\n");
        put("/boot/loader/entries/abc-6.10.3-200.fc40.x86_64.conf",
            "# written by kernel-install\n"
            "title   Fedora Linux (6.10.3-200.fc40.x86_64) 40\n"
            "version\t6.10.3-200.fc40.x86_64\n"
            "linux   /vmlinuz-6.10.3-200.fc40.x86_64\n"
            "initrd  /intel-ucode.img\n"
            "initrd  /initramfs-6.10.3-200.fc40.x86_64.img\n"
            "options $kernelopts\n"
            "options systemd.unit=multi-user.target\n");
        put("/boot/loader/entries/abc-0-rescue.conf",
            "title Fedora Linux (0-rescue-abc) 40\n"
            "version 0-rescue-abc\n"
            "linux /vmlinuz-0-rescue-abc\n"
            "options root=UUID=aaaa ro\n");
        put("/boot/loader/entries/notes.txt", "not an entry\n");
        put("/boot/grub2/grubenv", "# GRUB Environment Block\nkernelopts=root=UUID=bbbb ro resume=/dev/vda3\n");
        find(&req, &e);
        ASSERT_STREQ(e.layout, "bls");
        ASSERT_IN_ROOT(e.kernel, "/boot/vmlinuz-6.10.3-200.fc40.x86_64");
        ASSERT_EQ(e.n_initrds, 2);
        ASSERT_IN_ROOT(e.initrds[0], "/boot/intel-ucode.img");
        ASSERT_IN_ROOT(e.initrds[1], "/boot/initramfs-6.10.3-200.fc40.x86_64.img");
        ASSERT_STREQ(e.cmdline, "root=UUID=bbbb ro resume=/dev/vda3 systemd.unit=multi-user.target");
        ASSERT_TRUE(strstr(e.why_kernel, "abc-6.10.3-200.fc40.x86_64.conf"));
        ASSERT_TRUE(strstr(e.why_kernel, "highest version"));
        ASSERT_TRUE(strstr(e.why_cmdline, "options"));
        bootentry_done(&e);

        /* GRUB's saved_entry picks the older one. */
        put("/boot/grub2/grubenv", "saved_entry=abc-6.9.4-200.fc40.x86_64\nkernelopts=x\n");
        find(&req, &e);
        ASSERT_IN_ROOT(e.kernel, "/boot/vmlinuz-6.9.4-200.fc40.x86_64");
        ASSERT_STREQ(e.cmdline, "root=UUID=aaaa ro rhgb quiet");
        ASSERT_TRUE(strstr(e.why_kernel, "saved_entry"));
        bootentry_done(&e);

        /* systemd-boot's loader.conf default glob wins over both. */
        put("/boot/loader/loader.conf", "timeout 3\ndefault abc-0-*\n");
        find(&req, &e);
        ASSERT_IN_ROOT(e.kernel, "/boot/vmlinuz-0-rescue-abc");
        ASSERT_EQ(e.n_initrds, 0);
        ASSERT_TRUE(strstr(e.why_kernel, "loader.conf's default 'abc-0-*'"));
        bootentry_done(&e);

        /* --reuse-cmdline and --append. */
        req.reuse_cmdline = true;
        req.append = "e2e.marker=1";
        find(&req, &e);
        ASSERT_STREQ(e.cmdline, "root=UUID=1234 ro quiet console=ttyS0,115200 e2e.marker=1");
        ASSERT_TRUE(strstr(e.why_cmdline, "--reuse-cmdline"));
        ASSERT_TRUE(strstr(e.why_cmdline, "--append"));
        bootentry_done(&e);

        /* An entry naming a missing initrd: refused with the reason, not
         * silently replaced by another layout. */
        put("/boot/loader/loader.conf", "default abc-6.9*\n");
        remove_("/boot/initramfs-6.9.4-200.fc40.x86_64.img");
        req = (BootEntryRequest) { .root = root };
        ASSERT_ERROR(bootentry_find(&req, &e, &why), ENOENT);
        ASSERT_TRUE(why && strstr(why, "/initramfs-6.9.4-200.fc40.x86_64.img"));

        /* Entries of another architecture are skipped; paths under /boot on
         * a root without a separate /boot partition work too. */
        fresh_root();
        put("/boot/vmlinuz-6.6.1", "k");
        put("/boot/loader/entries/arm.conf", "version 9.9\narchitecture aa64\nlinux /boot/Image\n");
        put("/boot/loader/entries/x.conf", "version 6.6.1\narchitecture x64\nlinux /boot/vmlinuz-6.6.1\n");
        find(&(BootEntryRequest) {}, &e);
        ASSERT_IN_ROOT(e.kernel, "/boot/vmlinuz-6.6.1");
        ASSERT_STREQ(e.cmdline, "root=UUID=1234 ro quiet console=ttyS0,115200");
        ASSERT_TRUE(strstr(e.why_cmdline, "no options line"));
        bootentry_done(&e);
}

/* systemd-boot with the ESP at /efi as $BOOT: entries, kernels (in a
 * machine-id directory) and loader.conf all there. */
static void test_bls_esp(void) {
        BootEntry e = {};

        fresh_root();
        put("/efi/abc/6.8.1/linux", "k681");
        put("/efi/abc/6.8.1/initrd", "i681");
        put("/efi/abc/6.9.0/linux", "k690");
        put("/efi/loader/entries/abc-6.8.1.conf",
            "title Debian\nversion 6.8.1\nlinux /abc/6.8.1/linux\ninitrd /abc/6.8.1/initrd\noptions root=/dev/vda2 quiet\n");
        put("/efi/loader/entries/abc-6.9.0.conf",
            "title Debian\nversion 6.9.0\nlinux /abc/6.9.0/linux\noptions root=/dev/vda2\n");
        put("/efi/loader/loader.conf", "default abc-6.8.1.conf\n");
        find(&(BootEntryRequest) {}, &e);
        ASSERT_STREQ(e.layout, "bls");
        ASSERT_IN_ROOT(e.kernel, "/efi/abc/6.8.1/linux");
        ASSERT_IN_ROOT(e.initrds[0], "/efi/abc/6.8.1/initrd");
        ASSERT_STREQ(e.cmdline, "root=/dev/vda2 quiet");
        ASSERT_TRUE(strstr(e.why_kernel, "/efi/loader/entries/abc-6.8.1.conf"));
        bootentry_done(&e);
}

static void test_arch(void) {
        BootEntry e = {};

        fresh_root();
        put("/boot/vmlinuz-linux", "k");
        put("/boot/initramfs-linux.img", "i");
        put("/boot/initramfs-linux-fallback.img", "f");
        find(&(BootEntryRequest) {}, &e);
        ASSERT_STREQ(e.layout, "arch");
        ASSERT_IN_ROOT(e.kernel, "/boot/vmlinuz-linux");
        ASSERT_IN_ROOT(e.initrds[0], "/boot/initramfs-linux.img");
        ASSERT_TRUE(strstr(e.why_kernel, "Arch"));
        bootentry_done(&e);
}

static void test_nixos(void) {
        const char *sys = "/nix/store/3x0l-nixos-system-host-24.05";
        _cleanup_free_ char *p = NULL, *want = NULL;
        BootEntry e = {};

        fresh_root();
        put("/nix/store/8k2a-linux-6.6.30/bzImage", "k");
        put("/nix/store/q9zz-initrd-linux-6.6.30/initrd", "i");
        ASSERT_TRUE(asprintf(&p, "%s/kernel-params", sys) > 0);
        put(p, "loglevel=4 console=ttyS0\n");
        free(p), p = NULL;
        ASSERT_TRUE(asprintf(&p, "%s/init", sys) > 0);
        put(p, "#!/bin/sh\n");
        free(p), p = NULL;
        ASSERT_TRUE(asprintf(&p, "%s/kernel", sys) > 0);
        link_(p, "/nix/store/8k2a-linux-6.6.30/bzImage");
        free(p), p = NULL;
        ASSERT_TRUE(asprintf(&p, "%s/initrd", sys) > 0);
        link_(p, "/nix/store/q9zz-initrd-linux-6.6.30/initrd");
        link_("/nix/var/nix/profiles/system-42-link", sys);
        link_("/nix/var/nix/profiles/system", "system-42-link");
        find(&(BootEntryRequest) {}, &e);
        ASSERT_STREQ(e.layout, "nixos");
        ASSERT_IN_ROOT(e.kernel, "/nix/store/8k2a-linux-6.6.30/bzImage");
        ASSERT_IN_ROOT(e.initrds[0], "/nix/store/q9zz-initrd-linux-6.6.30/initrd");
        ASSERT_TRUE(asprintf(&want, "init=%s/init loglevel=4 console=ttyS0", sys) > 0);
        ASSERT_STREQ(e.cmdline, want);
        ASSERT_TRUE(strstr(e.why_kernel, sys));
        bootentry_done(&e);
}

static void test_newest(void) {
        BootEntry e = {};

        /* 6.1.0-10 has no modules (removed half-way); 6.1.0-9 beats 5.10. */
        fresh_root();
        put("/boot/vmlinuz-5.10.0-20-amd64", "a");
        put("/boot/vmlinuz-6.1.0-9-amd64", "b");
        put("/boot/vmlinuz-6.1.0-10-amd64", "c");
        put("/boot/initramfs-6.1.0-9-amd64.img", "dracut");
        put("/boot/config-6.1.0-9-amd64", "");
        put("/usr/lib/modules/5.10.0-20-amd64/modules.dep", "");
        put("/usr/lib/modules/6.1.0-9-amd64/modules.dep", "");
        link_("/lib", "usr/lib");       /* merged /usr */
        find(&(BootEntryRequest) {}, &e);
        ASSERT_STREQ(e.layout, "newest");
        ASSERT_IN_ROOT(e.kernel, "/boot/vmlinuz-6.1.0-9-amd64");
        ASSERT_IN_ROOT(e.initrds[0], "/boot/initramfs-6.1.0-9-amd64.img");
        ASSERT_TRUE(strstr(e.why_kernel, "newest of 2"));
        ASSERT_TRUE(strstr(e.why_kernel, "without modules"));
        bootentry_done(&e);
}

static void test_overrides(void) {
        BootEntry e = {};

        fresh_root();
        put("/boot/vmlinuz-linux", "k");
        put("/boot/initramfs-linux.img", "i");
        /* --initrd replaces the found one; the kernel stays. */
        find(&(BootEntryRequest) { .initrd = "/tmp/my.img" }, &e);
        ASSERT_IN_ROOT(e.kernel, "/boot/vmlinuz-linux");
        ASSERT_EQ(e.n_initrds, 1);
        ASSERT_STREQ(e.initrds[0], "/tmp/my.img");
        ASSERT_STREQ(e.why_initrd, "--initrd");
        bootentry_done(&e);
        /* --kernel alone: no initrd, and paths as given (not below root). */
        find(&(BootEntryRequest) { .kernel = "k.bin", .append = "quiet=0" }, &e);
        ASSERT_STREQ(e.kernel, "k.bin");
        ASSERT_STREQ(e.layout, "--kernel");
        ASSERT_EQ(e.n_initrds, 0);
        ASSERT_STREQ(e.cmdline, "root=UUID=1234 ro quiet console=ttyS0,115200 quiet=0");
        bootentry_done(&e);

        /* Without /proc/cmdline only --append can give a command line. */
        remove_("/proc/cmdline");
        {
                _cleanup_free_ char *why = NULL;
                ASSERT_ERROR(bootentry_find(&(BootEntryRequest) { .root = root }, &e, &why), ENOENT);
                ASSERT_TRUE(why && strstr(why, "/proc/cmdline"));
        }
        find(&(BootEntryRequest) { .append = "root=/dev/vda1" }, &e);
        ASSERT_STREQ(e.cmdline, "root=/dev/vda1");
        bootentry_done(&e);
}

static void test_strip(void) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro", "root=/dev/sda1 ro" },
                { "  initrd=\\EFI\\debian\\initrd.img\troot=x\n", "root=x" },
                /* Quotes are one word, as the kernel splits them. */
                { "\"BOOT_IMAGE=/a b\" foo=\"a b\" initrd=/i bar", "foo=\"a b\" bar" },
                /* Only those names with "=": initrdmem= and a bare word stay. */
                { "initrdmem=0x1000,0x10 BOOT_IMAGE initrd= x", "initrdmem=0x1000,0x10 BOOT_IMAGE x" },
                { "", "" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *out = NULL;
                ASSERT_OK(bootentry_strip_loader_args(cases[i].in, &out));
                ASSERT_STREQ(out, cases[i].out);
        }
}

static void test_resolve(void) {
        _cleanup_free_ char *r = NULL;

        fresh_root();
        put("/boot/vmlinuz-1", "k");
        link_("/a", "../../../../boot/vmlinuz-1");       /* ".." stops at root */
        link_("/loop1", "loop2");
        link_("/loop2", "/loop1");
        link_("/d", "boot/");
        ASSERT_OK(bootentry_resolve(root, "/a", &r));
        ASSERT_STREQ(r, "/boot/vmlinuz-1");
        free(r), r = NULL;
        ASSERT_OK(bootentry_resolve(root, "/d/./vmlinuz-1", &r));
        ASSERT_STREQ(r, "/boot/vmlinuz-1");
        free(r), r = NULL;
        ASSERT_OK(bootentry_resolve(root, "/", &r));
        ASSERT_STREQ(r, "/");
        ASSERT_ERROR(bootentry_resolve(root, "/loop1", &r), ELOOP);
        ASSERT_ERROR(bootentry_resolve(root, "/boot/vmlinuz-1/x", &r), ENOTDIR);
        ASSERT_ERROR(bootentry_resolve(root, "/nope/x", &r), ENOENT);
}

int main(void) {
        test_nothing();
        test_debian();
        test_bls();
        test_bls_esp();
        test_arch();
        test_nixos();
        test_newest();
        test_overrides();
        test_strip();
        test_resolve();
        tu_rm_rf(root);
        free(root);
        return 0;
}
