/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kexec_file_load_fds(), unload, reboot and the load guard, against the
 * fake syscall layer: what reaches the kernel (cmdline_len with its NUL,
 * flags, sealed read-only fds) and that no kernel stays loaded after a
 * failure that follows a successful load. */
#include <linux/kexec.h>
#include <linux/reboot.h>

#include "macro.h"
#include "fake-kexec-syscall.h"
#include "kexec.h"
#include "test-kexec.h"

#define ALL_SEALS (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL)

/* A sealed read-only memfd holding data, the way the agent makes them. */
static int sealed_memfd(const char *name, const char *data) {
        _cleanup_close_ int fd = -EBADF;
        int rofd;

        if (kexec_memfd_new(name, &fd) < 0 ||
            kexec_memfd_write_all(fd, data, strlen(data)) < 0 ||
            kexec_memfd_seal_readonly(TAKE_FD(fd), &rofd) < 0) {
                fprintf(stderr, "cannot make a sealed memfd\n");
                exit(EXIT_FAILURE);
        }
        return rofd;
}

static void test_cmdline_len_counts_nul(void) {
        _cleanup_close_ int k = sealed_memfd("kernel", "K"), i = sealed_memfd("initrd", "I");
        const struct fake_kexec_file_load_call *c;
        const char *cmdline = "console=ttyS0,115200 panic=-1";

        fake_kexec_reset();
        CHECK_INT(kexec_file_load_fds(k, i, cmdline, 0), 0);
        c = fake_kexec_last_call();
        CHECK(c);
        CHECK_INT(c->cmdline_len, strlen(cmdline) + 1);
        CHECK_INT(c->cmdline[c->cmdline_len - 1], '\0');
        CHECK(memcmp(c->cmdline, cmdline, strlen(cmdline)) == 0);
        CHECK_INT(c->kernel_fd, k);
        CHECK_INT(c->initrd_fd, i);
        CHECK_INT(c->flags, 0);
        CHECK(fake_kexec.loaded);

        /* No cmdline: an empty string, still with its NUL. */
        CHECK_INT(kexec_file_load_fds(k, i, NULL, 0), 0);
        c = fake_kexec_last_call();
        CHECK_INT(c->cmdline_len, 1);
        CHECK(!c->cmdline_null);
        CHECK_INT(c->cmdline[0], '\0');
}

static void test_cmdline_limit(void) {
        _cleanup_close_ int k = sealed_memfd("kernel", "K");
        char cmdline[KEXEC_CMDLINE_MAX + 2];

        fake_kexec_reset();
        memset(cmdline, 'a', sizeof(cmdline));
        cmdline[KEXEC_CMDLINE_MAX - 1] = '\0';          /* 2047 chars + NUL: the most */
        CHECK_INT(kexec_file_load_fds(k, -1, cmdline, 0), 0);
        CHECK_INT(fake_kexec_last_call()->cmdline_len, KEXEC_CMDLINE_MAX);

        cmdline[KEXEC_CMDLINE_MAX - 1] = 'a';
        cmdline[KEXEC_CMDLINE_MAX] = '\0';              /* 2048 chars: one too many */
        CHECK_INT(kexec_file_load_fds(k, -1, cmdline, 0), -E2BIG);
        cmdline[KEXEC_CMDLINE_MAX + 1] = '\0';
        cmdline[KEXEC_CMDLINE_MAX] = 'a';
        CHECK_INT(kexec_file_load_fds(k, -1, cmdline, 0), -E2BIG);
        CHECK_INT(fake_kexec.n_file_load, 1);           /* refused before the kernel */
}

static void test_flags(void) {
        _cleanup_close_ int k = sealed_memfd("kernel", "K"), i = sealed_memfd("initrd", "I");

        fake_kexec_reset();
        CHECK_INT(kexec_file_load_fds(k, -1, "x", 0), 0);
        CHECK_INT(fake_kexec_last_call()->flags, KEXEC_FILE_NO_INITRAMFS);
        CHECK_INT(fake_kexec_last_call()->initrd_fd, -1);

        CHECK_INT(kexec_file_load_fds(k, -5, "x", 0), 0);
        CHECK_INT(fake_kexec_last_call()->initrd_fd, -1);

        CHECK_INT(kexec_file_load_fds(k, i, "x", KEXEC_FILE_ON_CRASH), 0);
        CHECK_INT(fake_kexec_last_call()->flags, KEXEC_FILE_ON_CRASH);

        /* Unloading has its own function; other bits are not ours to pass. */
        CHECK_INT(kexec_file_load_fds(k, i, "x", KEXEC_FILE_UNLOAD), -EINVAL);
        CHECK_INT(kexec_file_load_fds(k, i, "x", KEXEC_FILE_NO_INITRAMFS), -EINVAL);
        CHECK_INT(kexec_file_load_fds(k, i, "x", 0x100), -EINVAL);
        CHECK_INT(kexec_file_load_fds(-1, i, "x", 0), -EBADF);
        CHECK_INT(fake_kexec.n_file_load, 3);
}

static void test_sealed_readonly_fds_pass(void) {
        _cleanup_close_ int k = sealed_memfd("kernel", "K"), i = sealed_memfd("initrd", "I");
        const struct fake_kexec_file_load_call *c;

        fake_kexec_reset();
        CHECK_INT(kexec_file_load_fds(k, i, "x", 0), 0);
        c = fake_kexec_last_call();
        CHECK_INT(c->kernel_accmode, O_RDONLY);
        CHECK_INT(c->initrd_accmode, O_RDONLY);
        CHECK_INT(c->kernel_seals & ALL_SEALS, ALL_SEALS);
        CHECK_INT(c->initrd_seals & ALL_SEALS, ALL_SEALS);
        CHECK_INT(c->result, 0);
}

/* Why the writable fd must be closed: deny_write_access() in the kernel
 * (emulated by the fake) refuses a file that is open for writing anywhere,
 * even through another fd. */
static void test_writable_fd_is_etxtbsy(void) {
        _cleanup_close_ int w = -EBADF, ro = -EBADF, k = sealed_memfd("kernel", "K");
        char path[64];

        fake_kexec_reset();
        CHECK_INT(kexec_memfd_new("initrd", &w), 0);
        CHECK_INT(kexec_memfd_write_all(w, "I", 1), 0);
        CHECK_INT(kexec_file_load_fds(k, w, "x", 0), -ETXTBSY);

        snprintf(path, sizeof(path), "/proc/self/fd/%d", w);
        ro = open(path, O_RDONLY | O_CLOEXEC);
        CHECK(ro >= 0);
        CHECK_INT(kexec_file_load_fds(k, ro, "x", 0), -ETXTBSY);
        w = safe_close(w);
        CHECK_INT(kexec_file_load_fds(k, ro, "x", 0), 0);
        CHECK_CONTAINS(kexec_strerror_load(-ETXTBSY), "open for writing");
}

static void test_unload_and_reboot(void) {
        _cleanup_close_ int k = sealed_memfd("kernel", "K");

        fake_kexec_reset();
        CHECK_INT(kexec_reboot(), -EINVAL);     /* nothing loaded */
        CHECK_INT(fake_kexec.last_reboot_cmd, LINUX_REBOOT_CMD_KEXEC);

        CHECK_INT(kexec_file_load_fds(k, -1, "x", 0), 0);
        CHECK(fake_kexec.loaded);
        CHECK_INT(kexec_unload(), 0);
        CHECK(!fake_kexec.loaded);
        CHECK_INT(fake_kexec_last_call()->flags, KEXEC_FILE_UNLOAD);
        CHECK_INT(kexec_unload(), 0);           /* nothing loaded: still fine */

        CHECK_INT(kexec_file_load_fds(k, -1, "x", 0), 0);
        CHECK_INT(kexec_reboot(), 0);           /* the fake returns; the kernel would not */
        CHECK_INT(fake_kexec.n_reboot, 2);
}

/* The agent's shape: load, then steps that may fail, then reboot. */
static int load_then(int kfd, int fail_with) {
        _cleanup_kexec_load_guard_ struct kexec_load_guard g = {};
        int r;

        r = kexec_load_guarded(&g, kfd, -1, "console=ttyS0", 0);
        if (r < 0)
                return r;
        if (fail_with)          /* e.g. printing the login details failed */
                return -fail_with;
        return kexec_reboot();  /* returns only on failure */
}

static void test_guard_unloads_after_failure(void) {
        _cleanup_close_ int k = sealed_memfd("kernel", "K");

        /* A step after the load fails: unloaded on scope exit. */
        fake_kexec_reset();
        CHECK_INT(load_then(k, EIO), -EIO);
        CHECK_INT(fake_kexec.n_unload, 1);
        CHECK(!fake_kexec.loaded);

        /* The reboot itself fails: unloaded too. */
        fake_kexec_reset();
        fake_kexec.reboot_errno = EPERM;
        CHECK_INT(load_then(k, 0), -EPERM);
        CHECK_INT(fake_kexec.n_reboot, 1);
        CHECK_INT(fake_kexec.n_unload, 1);
        CHECK(!fake_kexec.loaded);

        /* The load fails: nothing to unload, and nothing is. */
        fake_kexec_reset();
        fake_kexec.file_load_errno = EPERM;
        CHECK_INT(load_then(k, 0), -EPERM);
        CHECK_INT(fake_kexec.n_unload, 0);
        CHECK_INT(fake_kexec.n_reboot, 0);
}

static void test_guard_api(void) {
        _cleanup_close_ int k = sealed_memfd("kernel", "K");
        struct kexec_load_guard g = {};

        fake_kexec_reset();
        CHECK_INT(kexec_load_guarded(&g, k, -1, "x", 0), 0);
        CHECK(g.loaded);
        CHECK_INT(kexec_load_guarded(&g, k, -1, "x", 0), -EINVAL);     /* one load per guard */

        /* A failed unload keeps the guard armed, so a retry can still unload. */
        fake_kexec.unload_errno = EBUSY;
        CHECK_INT(kexec_load_guard_release(&g), -EBUSY);
        CHECK(g.loaded);
        CHECK(fake_kexec.loaded);
        fake_kexec.unload_errno = 0;
        CHECK_INT(kexec_load_guard_release(&g), 0);
        CHECK(!g.loaded);
        CHECK(!fake_kexec.loaded);
        CHECK_INT(kexec_load_guard_release(&g), 0);
        CHECK_INT(fake_kexec.n_unload, 2);

        /* keep(): the kernel stays loaded on purpose (reboot via systemd). */
        {
                _cleanup_kexec_load_guard_ struct kexec_load_guard g2 = {};
                CHECK_INT(kexec_load_guarded(&g2, k, -1, "x", 0), 0);
                kexec_load_guard_keep(&g2);
        }
        CHECK(fake_kexec.loaded);
        CHECK_INT(fake_kexec.n_unload, 2);

        /* A crash-kernel load is unloaded as one. */
        fake_kexec_reset();
        {
                _cleanup_kexec_load_guard_ struct kexec_load_guard g3 = {};
                CHECK_INT(kexec_load_guarded(&g3, k, -1, "x", KEXEC_FILE_ON_CRASH), 0);
        }
        CHECK_INT(fake_kexec_last_call()->flags, KEXEC_FILE_UNLOAD | KEXEC_FILE_ON_CRASH);
        CHECK_INT(kexec_load_guard_release(NULL), 0);
}

static void test_syscall_probe(void) {
        fake_kexec_reset();
        /* Unknown flag: the kernel says EINVAL, so the syscall exists. */
        CHECK_INT(kexec_probe_file_load_syscall(), 1);
        CHECK(fake_kexec_last_call()->flags & ~0xfUL);
        CHECK(!fake_kexec.loaded);
        CHECK_INT(fake_kexec.n_unload, 0);

        fake_kexec.no_syscall = true;
        CHECK_INT(kexec_probe_file_load_syscall(), 0);

        fake_kexec_reset();
        fake_kexec.file_load_errno = EPERM;     /* the permission check comes first */
        CHECK_INT(kexec_probe_file_load_syscall(), -EPERM);
}

int main(void) {
        test_cmdline_len_counts_nul();
        test_cmdline_limit();
        test_flags();
        test_sealed_readonly_fds_pass();
        test_writable_fd_is_etxtbsy();
        test_unload_and_reboot();
        test_guard_unloads_after_failure();
        test_guard_api();
        test_syscall_probe();
        return test_exit_code();
}
