/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Host state probes against fake sysfs/procfs/efivarfs trees in a temp
 * dir: the formats the kernel writes, missing files, and garbage. */
#include "macro.h"
#include "fake-kexec-syscall.h"
#include "kexec.h"
#include "test-kexec.h"

#define SECURE_BOOT_VAR "sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define SECURE_BOOT_OLD "sys/firmware/efi/vars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c/data"

static char *root;

static void test_bool_files(void) {
        static const struct {
                const char *content;
                int expect;
        } cases[] = {
                { "0\n", 0 }, { "1\n", 1 }, { "1", 1 }, { " 0 \n", 0 },
                { "2\n", -EBADMSG }, { "-1\n", -EBADMSG }, { "", -EBADMSG },
                { "yes\n", -EBADMSG }, { "1 2\n", -EBADMSG }, { "99999999999999999999", -EBADMSG },
        };

        CHECK_INT(kexec_probe_loaded(root), -ENOENT);
        CHECK_INT(kexec_probe_crash_loaded(root), -ENOENT);
        CHECK_INT(kexec_probe_load_disabled(root), -ENOENT);

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                test_write_str(root, "sys/kernel/kexec_loaded", cases[i].content);
                test_write_str(root, "sys/kernel/kexec_crash_loaded", cases[i].content);
                test_write_str(root, "proc/sys/kernel/kexec_load_disabled", cases[i].content);
                CHECK_INT(kexec_probe_loaded(root), cases[i].expect);
                CHECK_INT(kexec_probe_crash_loaded(root), cases[i].expect);
                CHECK_INT(kexec_probe_load_disabled(root), cases[i].expect);
        }
}

static void test_load_limit(void) {
        int v = 1234;

        test_unlink(root, "proc/sys/kernel/kexec_load_limit_reboot");
        CHECK_INT(kexec_probe_load_limit_reboot(root, &v), -ENOENT);   /* Linux < 6.6 */
        CHECK_INT(v, 1234);
        test_write_str(root, "proc/sys/kernel/kexec_load_limit_reboot", "-1\n");
        CHECK_INT(kexec_probe_load_limit_reboot(root, &v), 0);
        CHECK_INT(v, -1);
        test_write_str(root, "proc/sys/kernel/kexec_load_limit_reboot", "3\n");
        CHECK_INT(kexec_probe_load_limit_reboot(root, &v), 0);
        CHECK_INT(v, 3);
        test_write_str(root, "proc/sys/kernel/kexec_load_limit_reboot", "-2\n");
        CHECK_INT(kexec_probe_load_limit_reboot(root, &v), -EBADMSG);
        CHECK_INT(v, 3);
}

static void test_lockdown(void) {
        static const struct {
                const char *content;
                enum kexec_lockdown expect;
        } cases[] = {
                { "[none] integrity confidentiality\n", KEXEC_LOCKDOWN_NONE },
                { "none [integrity] confidentiality\n", KEXEC_LOCKDOWN_INTEGRITY },
                { "none integrity [confidentiality]\n", KEXEC_LOCKDOWN_CONFIDENTIALITY },
                { "none integrity [confidentiality]", KEXEC_LOCKDOWN_CONFIDENTIALITY },
                { "none integrity confidentiality\n", KEXEC_LOCKDOWN_UNKNOWN },
                { "none [paranoid] integrity\n", KEXEC_LOCKDOWN_UNKNOWN },
                { "[integrityx]\n", KEXEC_LOCKDOWN_UNKNOWN },
                { "[integrity\n", KEXEC_LOCKDOWN_UNKNOWN },
                { "[]\n", KEXEC_LOCKDOWN_UNKNOWN },
                { "", KEXEC_LOCKDOWN_UNKNOWN },
        };
        enum kexec_lockdown l = 99;

        CHECK_INT(kexec_probe_lockdown(root, &l), -ENOENT);
        CHECK_INT(l, 99);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                test_write_str(root, "sys/kernel/security/lockdown", cases[i].content);
                l = 99;
                CHECK_INT(kexec_probe_lockdown(root, &l), 0);
                CHECK_INT(l, cases[i].expect);
        }
        CHECK_INT(kexec_probe_lockdown(root, NULL), -EINVAL);
}

static void test_secure_boot(void) {
        enum kexec_secure_boot s = 99;

        CHECK_INT(kexec_probe_secure_boot(root, &s), 0);
        CHECK_INT(s, KEXEC_SECURE_BOOT_NOT_EFI);
        CHECK_INT(kexec_probe_efi_platform_size(root), 0);

        /* EFI, efivarfs not mounted: cannot tell. */
        test_write_str(root, "sys/firmware/efi/fw_platform_size", "64\n");
        CHECK_INT(kexec_probe_secure_boot(root, &s), 0);
        CHECK_INT(s, KEXEC_SECURE_BOOT_UNKNOWN);
        CHECK_INT(kexec_probe_efi_platform_size(root), 64);

        /* 4 attribute bytes (NV|BS|RT = 6), then the value. */
        test_write_file(root, SECURE_BOOT_VAR, "\x06\x00\x00\x00\x01", 5);
        CHECK_INT(kexec_probe_secure_boot(root, &s), 0);
        CHECK_INT(s, KEXEC_SECURE_BOOT_ENABLED);
        test_write_file(root, SECURE_BOOT_VAR, "\x06\x00\x00\x00\x00", 5);
        CHECK_INT(kexec_probe_secure_boot(root, &s), 0);
        CHECK_INT(s, KEXEC_SECURE_BOOT_DISABLED);
        test_write_file(root, SECURE_BOOT_VAR, "\x06\x00\x00\x00", 4);        /* no value byte */
        CHECK_INT(kexec_probe_secure_boot(root, &s), 0);
        CHECK_INT(s, KEXEC_SECURE_BOOT_UNKNOWN);
        test_write_file(root, SECURE_BOOT_VAR, "\x06\x00\x00\x00\x02", 5);    /* not a boolean */
        CHECK_INT(kexec_probe_secure_boot(root, &s), 0);
        CHECK_INT(s, KEXEC_SECURE_BOOT_UNKNOWN);

        /* The old sysfs efivars interface: the value alone. */
        test_unlink(root, SECURE_BOOT_VAR);
        test_write_file(root, SECURE_BOOT_OLD, "\x01", 1);
        CHECK_INT(kexec_probe_secure_boot(root, &s), 0);
        CHECK_INT(s, KEXEC_SECURE_BOOT_ENABLED);

        test_write_str(root, "sys/firmware/efi/fw_platform_size", "32\n");
        CHECK_INT(kexec_probe_efi_platform_size(root), 32);
        test_write_str(root, "sys/firmware/efi/fw_platform_size", "16\n");
        CHECK_INT(kexec_probe_efi_platform_size(root), -EBADMSG);
        test_unlink(root, "sys/firmware/efi/fw_platform_size");
        CHECK_INT(kexec_probe_efi_platform_size(root), -ENOENT);
}

static void test_cap_sys_boot(void) {
        static const struct {
                const char *content;
                int expect;
        } cases[] = {
                { "Name:\tagent\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\n"
                  "CapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n", 1 },
                { "Name:\tagent\nCapEff:\t0000000000000000\n", 0 },
                { "CapEff:\t0000000000400000\n", 1 },           /* bit 22 alone */
                { "CapEff:\t000001ffffbfffff\n", 0 },           /* all but bit 22 */
                { "CapPrm:\t0000000000400000\n", -EBADMSG },    /* no CapEff */
                { "CapEff:\tzz\n", -EBADMSG },
                { "CapEff:\t00000000004000001\n", 0 },          /* long, but still hex */
                { "XCapEff:\t0000000000400000\n", -EBADMSG },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                test_write_str(root, "proc/self/status", cases[i].content);
                CHECK_INT(kexec_probe_cap_sys_boot(root), cases[i].expect);
        }
}

static void test_user_namespace(void) {
        static const struct {
                const char *content;
                int expect;
        } cases[] = {
                { "         0          0 4294967295\n", 0 },
                { "0 0 4294967295", 0 },
                { "         0       1000          1\n", 1 },
                { "         0     100000      65536\n", 1 },
                { "         0          0 4294967295\n         1          1 1\n", 1 },
                { "", 1 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                test_write_str(root, "proc/self/uid_map", cases[i].content);
                CHECK_INT(kexec_probe_user_namespace(root), cases[i].expect);
        }
}

static void test_meminfo(void) {
        uint64_t total = 1, avail = 1;
        _cleanup_free_ char *huge = NULL;

        test_write_str(root, "proc/meminfo",
                       "MemTotal:         131072 kB\nMemFree:           60000 kB\n"
                       "MemAvailable:      90000 kB\nBuffers:            1000 kB\n");
        CHECK_INT(kexec_probe_meminfo(root, &total, &avail), 0);
        CHECK_INT(total, 131072ULL * 1024);
        CHECK_INT(avail, 90000ULL * 1024);

        /* Before Linux 3.14: no MemAvailable, reported as 0 (unknown). */
        test_write_str(root, "proc/meminfo", "MemTotal:         131072 kB\nMemFree:           60000 kB\n");
        CHECK_INT(kexec_probe_meminfo(root, &total, &avail), 0);
        CHECK_INT(avail, 0);

        total = avail = 7;
        test_write_str(root, "proc/meminfo", "MemFree:           60000 kB\n");
        CHECK_INT(kexec_probe_meminfo(root, &total, &avail), -EBADMSG);
        test_write_str(root, "proc/meminfo", "MemTotal:  lots\n");
        CHECK_INT(kexec_probe_meminfo(root, &total, &avail), -EBADMSG);
        test_write_str(root, "proc/meminfo", "MemTotal:  12 MB\n");
        CHECK_INT(kexec_probe_meminfo(root, &total, &avail), -EBADMSG);
        CHECK_INT(total, 7);

        /* Larger than any real meminfo: refused, not truncated. */
        huge = malloc(100000);
        memset(huge, 'x', 100000);
        memcpy(huge, "MemTotal: 1 kB\n", 15);
        test_write_file(root, "proc/meminfo", huge, 100000);
        CHECK_INT(kexec_probe_meminfo(root, &total, &avail), -EFBIG);
}

static void test_root_path(void) {
        char longroot[5000];

        memset(longroot, 'r', sizeof(longroot) - 1);
        longroot[sizeof(longroot) - 1] = '\0';
        CHECK_INT(kexec_probe_loaded(longroot), -ENAMETOOLONG);
        CHECK_INT(kexec_probe_loaded("/nonexistent-root-for-kexec-test"), -ENOENT);
}

static void test_probe_host(void) {
        struct kexec_host_state h;

        test_write_str(root, "sys/kernel/kexec_loaded", "1\n");
        test_write_str(root, "sys/kernel/kexec_crash_loaded", "0\n");
        test_write_str(root, "proc/sys/kernel/kexec_load_disabled", "0\n");
        test_unlink(root, "proc/sys/kernel/kexec_load_limit_reboot");
        test_write_str(root, "proc/self/status", "CapEff:\t000001ffffffffff\n");
        test_write_str(root, "proc/self/uid_map", "0 0 4294967295\n");
        test_write_str(root, "sys/kernel/security/lockdown", "none [integrity] confidentiality\n");
        test_write_str(root, "proc/meminfo", "MemTotal: 1048576 kB\nMemAvailable: 524288 kB\n");

        kexec_probe_host(root, &h);
        CHECK_INT(h.loaded, 1);
        CHECK_INT(h.crash_loaded, 0);
        CHECK_INT(h.load_disabled, 0);
        CHECK_INT(h.load_limit_reboot_r, -ENOENT);
        CHECK_INT(h.cap_sys_boot, 1);
        CHECK_INT(h.user_namespace, 0);
        CHECK_INT(h.lockdown, KEXEC_LOCKDOWN_INTEGRITY);
        CHECK_INT(h.secure_boot, KEXEC_SECURE_BOOT_ENABLED);   /* the old-style var is still there */
        CHECK_INT(h.mem_total, 1ULL << 30);
        CHECK_INT(h.mem_available, 1ULL << 29);

        /* An empty tree: everything unknown, nothing invented. */
        kexec_probe_host("/nonexistent-root-for-kexec-test", &h);
        CHECK_INT(h.loaded, -ENOENT);
        CHECK_INT(h.cap_sys_boot, -ENOENT);
        CHECK_INT(h.lockdown, KEXEC_LOCKDOWN_UNKNOWN);
        CHECK_INT(h.secure_boot, KEXEC_SECURE_BOOT_NOT_EFI);
        CHECK_INT(h.mem_total, 0);

        /* The real host: whatever it says, it says it without crashing, and
         * /proc answers for the process itself. */
        kexec_probe_host(NULL, &h);
        fprintf(stderr, "this host: kexec_loaded=%d load_disabled=%d cap_sys_boot=%d userns=%d "
                "lockdown=%s secure_boot=%s MemTotal=%" PRIu64 "\n",
                h.loaded, h.load_disabled, h.cap_sys_boot, h.user_namespace,
                kexec_lockdown_to_string(h.lockdown), kexec_secure_boot_to_string(h.secure_boot),
                h.mem_total);
        CHECK(h.cap_sys_boot == 0 || h.cap_sys_boot == 1);
        CHECK(h.user_namespace == 0 || h.user_namespace == 1);
        CHECK(h.mem_total > 0);
        CHECK(h.loaded == 0 || h.loaded == 1 || h.loaded == -ENOENT);
}

static void test_strings(void) {
        CHECK_CONTAINS(kexec_lockdown_to_string(KEXEC_LOCKDOWN_CONFIDENTIALITY), "confidentiality");
        CHECK_CONTAINS(kexec_lockdown_to_string(42), "unknown");
        CHECK_CONTAINS(kexec_secure_boot_to_string(KEXEC_SECURE_BOOT_NOT_EFI), "EFI");
        CHECK_CONTAINS(kexec_secure_boot_to_string(42), "unknown");
}

int main(void) {
        root = test_mkdtemp();
        test_bool_files();
        test_load_limit();
        test_lockdown();
        test_secure_boot();
        test_cap_sys_boot();
        test_user_namespace();
        test_meminfo();
        test_root_path();
        test_probe_host();
        test_strings();
        tu_rm_rf(root);
        free(root);
        return test_exit_code();
}
