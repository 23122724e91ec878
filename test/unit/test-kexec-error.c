/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Errors in words: every errno kexec_file_load can return maps to its own
 * non-empty explanation, and the host state picks the cause where one errno
 * has several (EPERM, EINVAL, ENOSYS, ENOEXEC). */
#include "macro.h"
#include "kexec.h"
#include "test-kexec.h"

#define MiB (1024ull * 1024ull)

/* Everything in order: what a healthy, unlocked host reports. */
static struct kexec_host_state healthy(void) {
        return (struct kexec_host_state) {
                .loaded = 0, .crash_loaded = 0, .load_disabled = 0,
                .load_limit_reboot_r = -ENOENT, .cap_sys_boot = 1, .user_namespace = 0,
                .efi_platform_size = 64, .lockdown = KEXEC_LOCKDOWN_NONE,
                .secure_boot = KEXEC_SECURE_BOOT_DISABLED,
                .mem_total = 4096 * MiB, .mem_available = 3000 * MiB,
        };
}

static struct kexec_explanation explain(int err, const struct kexec_host_state *h,
                                        const struct kexec_load_facts *f) {
        struct kexec_explanation e;

        memset(&e, 0x5a, sizeof(e));
        kexec_explain_load_error(err, h, f, &e);
        CHECK(e.summary && *e.summary);
        CHECK(e.advice && *e.advice);
        CHECK(memchr(e.detail, '\0', sizeof(e.detail)));
        return e;
}

static void test_every_errno_specific(void) {
        static const int errs[] = {
                EPERM, ENOKEY, EKEYREJECTED, EBADMSG, ENODATA, ELIBBAD, ENOPKG, EKEYREVOKED,
                EKEYEXPIRED, EBUSY, EADDRNOTAVAIL, ENOMEM, EINVAL, E2BIG, ENOEXEC, ENOSYS,
                ETXTBSY, EBADF, EFBIG, EACCES, EINTR, EFAULT,
        };
        const char *generic = kexec_strerror_load(-EXDEV);
        struct kexec_host_state h = healthy();

        for (size_t i = 0; i < ELEMENTSOF(errs); i++) {
                const char *s = kexec_strerror_load(-errs[i]);
                struct kexec_explanation with_host = explain(-errs[i], &h, NULL);

                CHECK(s && strlen(s) > 15);
                if (!s)
                        continue;       /* counted as a failure; nothing to compare */
                if (strcmp(s, generic) == 0)
                        fprintf(stderr, "errno %d has no message of its own\n", errs[i]);
                CHECK(strcmp(s, generic) != 0);
                CHECK(strcmp(with_host.summary, generic) != 0);
                /* Positive and negative errnos mean the same. */
                CHECK(strcmp(s, kexec_strerror_load(errs[i])) == 0);
                for (size_t j = 0; j < i; j++)
                        if (strcmp(s, kexec_strerror_load(-errs[j])) == 0) {
                                fprintf(stderr, "errno %d and %d share \"%s\"\n", errs[i], errs[j], s);
                                CHECK(false);
                        }
        }

        struct kexec_explanation e = explain(-EXDEV, NULL, NULL);
        CHECK_CONTAINS(e.detail, "errno 18");
        CHECK(kexec_strerror_load(0) != NULL);
}

static void test_eperm_causes(void) {
        struct kexec_host_state h;
        struct kexec_explanation e;

        e = explain(-EPERM, NULL, NULL);
        CHECK_CONTAINS(e.summary, "CAP_SYS_BOOT");
        CHECK_CONTAINS(e.summary, "kexec_load_disabled");
        CHECK_CONTAINS(e.summary, "lockdown");
        CHECK_INT(e.detail[0], '\0');

        h = healthy();
        h.cap_sys_boot = 0;
        e = explain(-EPERM, &h, NULL);
        CHECK_CONTAINS(e.summary, "lacks CAP_SYS_BOOT");
        CHECK_CONTAINS(e.advice, "root");
        CHECK_CONTAINS(e.detail, "CAP_SYS_BOOT: no");

        h = healthy();
        h.user_namespace = 1;
        e = explain(-EPERM, &h, NULL);
        CHECK_CONTAINS(e.summary, "container");

        h = healthy();
        h.load_disabled = 1;
        h.lockdown = KEXEC_LOCKDOWN_INTEGRITY;  /* the sysctl is the surer cause */
        e = explain(-EPERM, &h, NULL);
        CHECK_CONTAINS(e.summary, "kexec_load_disabled=1");
        CHECK_CONTAINS(e.advice, "next boot");

        h = healthy();
        h.load_limit_reboot_r = 0;
        h.load_limit_reboot = 0;
        e = explain(-EPERM, &h, NULL);
        CHECK_CONTAINS(e.summary, "kexec_load_limit_reboot=0");
        h.load_limit_reboot = -1;
        e = explain(-EPERM, &h, NULL);
        CHECK(!strstr(e.summary, "kexec_load_limit_reboot"));
        CHECK_CONTAINS(e.detail, "kexec_load_limit_reboot: -1");

        h = healthy();
        h.lockdown = KEXEC_LOCKDOWN_INTEGRITY;
        h.secure_boot = KEXEC_SECURE_BOOT_ENABLED;
        e = explain(-EPERM, &h, NULL);
        CHECK_CONTAINS(e.summary, "lockdown");
        CHECK_CONTAINS(e.advice, "signed");
        CHECK_CONTAINS(e.detail, "lockdown: integrity");
        CHECK_CONTAINS(e.detail, "Secure Boot: enabled");

        h.lockdown = KEXEC_LOCKDOWN_CONFIDENTIALITY;
        CHECK_CONTAINS(explain(-EPERM, &h, NULL).detail, "lockdown: confidentiality");

        /* Everything known and fine: someone else said no. */
        h = healthy();
        e = explain(-EPERM, &h, NULL);
        CHECK_CONTAINS(e.summary, "security module");
        CHECK_CONTAINS(e.advice, "dmesg");

        /* Some of it unknown: no guessing. */
        h = healthy();
        h.lockdown = KEXEC_LOCKDOWN_UNKNOWN;
        e = explain(-EPERM, &h, NULL);
        CHECK_CONTAINS(e.summary, "could not be read");
}

static void test_signature(void) {
        struct kexec_host_state h = healthy();
        struct kexec_explanation e;

        h.lockdown = KEXEC_LOCKDOWN_INTEGRITY;
        h.secure_boot = KEXEC_SECURE_BOOT_ENABLED;
        e = explain(-ENOKEY, &h, NULL);
        CHECK_CONTAINS(e.summary, "does not trust");
        CHECK_CONTAINS(e.advice, "signed by a key this host trusts");
        CHECK_CONTAINS(e.detail, "Secure Boot: enabled");
        CHECK_CONTAINS(explain(-ENODATA, &h, NULL).summary, "not signed");
        CHECK_CONTAINS(explain(-EKEYREJECTED, &h, NULL).summary, "does not verify");
        CHECK_CONTAINS(explain(-EBADMSG, &h, NULL).summary, "malformed");
}

static void test_einval_causes(void) {
        struct kexec_host_state h = healthy();
        struct kexec_load_facts f = {
                .kernel_init_size = 66682880, .kernel_file_size = 8247232,
                .initrd_size = 20 * MiB, .cmdline_len = 100, .cmdline_max = 2017,
        };
        struct kexec_explanation e;

        /* Never the kexec-tools confusion. */
        e = explain(-EINVAL, NULL, NULL);
        CHECK(!strstr(e.summary, "not available"));
        CHECK_CONTAINS(e.summary, "memory");
        CHECK_CONTAINS(e.summary, "command line");

        f.cmdline_len = 2030;
        e = explain(-EINVAL, &h, &f);
        CHECK_CONTAINS(e.summary, "command line too long");
        CHECK_CONTAINS(e.detail, "2030");
        CHECK_CONTAINS(e.detail, "2017");

        f.cmdline_len = 100;
        h.mem_total = 128 * MiB;
        h.mem_available = 90 * MiB;
        e = explain(-EINVAL, &h, &f);
        CHECK_CONTAINS(e.summary, "not enough memory");
        CHECK_CONTAINS(e.summary, "half of RAM");
        CHECK_CONTAINS(e.detail, "MemTotal 128.0 MiB");
        CHECK_CONTAINS(e.detail, "half: 64.0 MiB");
        CHECK_CONTAINS(e.detail, "init_size 63.6 MiB");
        CHECK_CONTAINS(e.detail, "initrd 20.0 MiB");
        CHECK(!strstr(e.summary, "not available"));

        /* Plenty of memory, short cmdline: the generic EINVAL, with facts. */
        h.mem_total = 4096 * MiB;
        e = explain(-EINVAL, &h, &f);
        CHECK_CONTAINS(e.summary, "rejected the load as invalid");
        CHECK_CONTAINS(e.detail, "MemTotal 4096.0 MiB");
}

static void test_memory_errors(void) {
        struct kexec_host_state h = healthy();
        struct kexec_load_facts f = { .kernel_init_size = 64 * MiB, .initrd_size = 10 * MiB };
        struct kexec_explanation e;

        h.mem_total = 512 * MiB;
        h.mem_available = 100 * MiB;
        e = explain(-ENOMEM, &h, &f);
        CHECK_CONTAINS(e.summary, "out of memory");
        CHECK_CONTAINS(e.detail, "needs 75.0 MiB");
        CHECK_CONTAINS(e.detail, "MemAvailable 100.0 MiB");

        e = explain(-EADDRNOTAVAIL, &h, &f);
        CHECK_CONTAINS(e.summary, "physical memory");
        CHECK_CONTAINS(e.detail, "MemTotal 512.0 MiB");
}

static void test_other_causes(void) {
        struct kexec_host_state h = healthy();
        struct kexec_explanation e;

        h.loaded = -ENOENT;
        e = explain(-ENOSYS, &h, NULL);
        CHECK_CONTAINS(e.summary, "no kexec support at all");
        h.loaded = 0;
        e = explain(-ENOSYS, &h, NULL);
        CHECK_CONTAINS(e.summary, "neither kexec_file_load nor kexec_load");

        e = explain(-ENOEXEC, &h, NULL);
        CHECK_CONTAINS(e.summary, "x86_64 bzImage");
        h.efi_platform_size = 32;
        e = explain(-ENOEXEC, &h, NULL);
        CHECK_CONTAINS(e.summary, "32-bit EFI");

        h = healthy();
        h.crash_loaded = 1;
        e = explain(-EBUSY, &h, NULL);
        CHECK_CONTAINS(e.summary, "in progress");
        CHECK_CONTAINS(e.detail, "crash kernel loaded: yes");

        e = explain(-ETXTBSY, NULL, NULL);
        CHECK_CONTAINS(e.summary, "bug");

        struct kexec_load_facts f = { .cmdline_len = 3000 };
        e = explain(-E2BIG, NULL, &f);
        CHECK_CONTAINS(e.summary, "2048");
        CHECK_CONTAINS(e.detail, "3000");
}

static void test_reboot_errors(void) {
        struct kexec_host_state h = healthy();
        struct kexec_explanation e;

        kexec_explain_reboot_error(-EINVAL, &h, &e);
        CHECK_CONTAINS(e.summary, "no kernel is loaded");
        CHECK_CONTAINS(e.detail, "kexec_loaded: no");
        h.cap_sys_boot = 0;
        kexec_explain_reboot_error(-EPERM, &h, &e);
        CHECK_CONTAINS(e.summary, "CAP_SYS_BOOT");
        CHECK_CONTAINS(e.detail, "CAP_SYS_BOOT: no");
        kexec_explain_reboot_error(-EIO, NULL, &e);
        CHECK_CONTAINS(e.detail, "errno 5");
        CHECK(e.advice && *e.advice);
}

static void test_memfd_messages(void) {
        static const int errs[] = {
                KEXEC_ERR_NO_PROC, ENOSYS, EINVAL, EBUSY, EPERM, ENOMEM, EFBIG, EMFILE,
                ENODATA, ENAMETOOLONG, EBADF,
        };
        const char *generic = kexec_memfd_strerror(-EXDEV);

        for (size_t i = 0; i < ELEMENTSOF(errs); i++) {
                const char *s = kexec_memfd_strerror(-errs[i]);
                CHECK(s && *s && strcmp(s, generic) != 0);
        }
}

int main(void) {
        test_every_errno_specific();
        test_eperm_causes();
        test_signature();
        test_einval_causes();
        test_memory_errors();
        test_other_causes();
        test_reboot_errors();
        test_memfd_messages();
        return test_exit_code();
}
