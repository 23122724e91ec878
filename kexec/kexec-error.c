/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kexec_file_load errors in words an operator on a broken box understands:
 * what happened, what to do, and the probed facts that chose the verdict.
 * One errno often has several causes (EPERM: capability, sysctl, lockdown;
 * EINVAL: cmdline or memory); the host state picks the one that applies,
 * and without it we list them rather than guess. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "kexec-internal.h"

#define SIGNED_KERNEL_ADVICE \
        "use a kernel signed by a key this host trusts, e.g. the distribution's signed kernel " \
        "(Debian: the vmlinuz of linux-image-amd64); a self-built rescue kernel must be signed " \
        "with a key enrolled in the host's firmware db or MOK"

static void set(struct kexec_explanation *e, const char *summary, const char *advice) {
        e->summary = summary;
        e->advice = advice;
}

static _printf_(2, 3) void detail(struct kexec_explanation *e, const char *fmt, ...) {
        size_t used = strlen(e->detail);
        va_list ap;

        if (used >= sizeof(e->detail) - 1)
                return;
        if (used > 0) {
                snprintf(e->detail + used, sizeof(e->detail) - used, "; ");
                used = strlen(e->detail);
        }
        va_start(ap, fmt);
        vsnprintf(e->detail + used, sizeof(e->detail) - used, fmt, ap);
        va_end(ap);
}

static double mib(uint64_t bytes) {
        return (double) bytes / (1024.0 * 1024.0);
}

static const char *yes_no(int v) {
        return v > 0 ? "yes" : v == 0 ? "no" : "unknown";
}

static bool lockdown_active(const struct kexec_host_state *h) {
        return h && (h->lockdown == KEXEC_LOCKDOWN_INTEGRITY ||
                     h->lockdown == KEXEC_LOCKDOWN_CONFIDENTIALITY);
}

static void detail_policy(struct kexec_explanation *e, const struct kexec_host_state *h) {
        if (!h)
                return;
        detail(e, "lockdown: %s; Secure Boot: %s",
               kexec_lockdown_to_string(h->lockdown), kexec_secure_boot_to_string(h->secure_boot));
}

static void explain_eperm(struct kexec_explanation *e, const struct kexec_host_state *h) {
        if (!h) {
                set(e, "not permitted: no CAP_SYS_BOOT, kexec disabled by kernel.kexec_load_disabled, "
                       "or kernel lockdown refused an unsigned or untrusted kernel",
                    "run as root on the host itself; check 'sysctl kernel.kexec_load_disabled' and "
                    "/sys/kernel/security/lockdown");
                return;
        }

        detail(e, "CAP_SYS_BOOT: %s; user namespace: %s; kernel.kexec_load_disabled: %s",
               yes_no(h->cap_sys_boot), yes_no(h->user_namespace), yes_no(h->load_disabled));
        if (h->load_limit_reboot_r >= 0)
                detail(e, "kernel.kexec_load_limit_reboot: %d", h->load_limit_reboot);
        detail_policy(e, h);

        if (h->cap_sys_boot == 0)
                set(e, "not permitted: this process lacks CAP_SYS_BOOT",
                    "run the agent as root (sudo), outside any service sandbox that drops capabilities");
        else if (h->user_namespace == 1)
                set(e, "not permitted: running inside a container (a user namespace); kexec needs "
                       "CAP_SYS_BOOT in the host's own namespace",
                    "run the agent on the host itself, not in a container");
        else if (h->load_disabled == 1)
                set(e, "kexec is disabled on this host: kernel.kexec_load_disabled=1",
                    "this setting cannot be undone before the next boot; remove it from "
                    "/etc/sysctl.conf or /etc/sysctl.d and reboot through the firmware");
        else if (h->load_limit_reboot_r >= 0 && h->load_limit_reboot == 0)
                set(e, "kexec loads are used up: kernel.kexec_load_limit_reboot=0",
                    "the limit can only be lowered; reboot through the firmware to reset it");
        else if (lockdown_active(h))
                set(e, "refused by kernel lockdown: the running kernel only loads kernels whose "
                       "signature it can verify, and this one's was not accepted",
                    SIGNED_KERNEL_ADVICE);
        else if (h->cap_sys_boot == 1 && h->user_namespace == 0 && h->load_disabled == 0 &&
                 h->lockdown == KEXEC_LOCKDOWN_NONE)
                set(e, "not permitted, but none of the usual causes applies: a security module "
                       "(SELinux, AppArmor), a seccomp filter or an IMA policy refused it",
                    "look for the denial in 'dmesg' and the audit log");
        else
                set(e, "not permitted: no CAP_SYS_BOOT, kexec disabled, or lockdown "
                       "(some of the host's state could not be read)",
                    "run as root on the host itself; check 'sysctl kernel.kexec_load_disabled' and "
                    "/sys/kernel/security/lockdown");
}

static void explain_signature(struct kexec_explanation *e, int err, const struct kexec_host_state *h) {
        const char *s;

        switch (err) {
        case ENOKEY:
                s = "signature refused: the kernel image is signed, but by a key the running kernel does not trust";
                break;
        case EKEYREJECTED:
                s = "signature refused: it does not verify (the image was changed after signing) "
                    "or the signing key is rejected";
                break;
        case EBADMSG:
                s = "signature refused: the kernel image's signature is malformed";
                break;
        case ENODATA:
                s = "signature required: the kernel image is not signed, and the running kernel only loads signed kernels";
                break;
        case ELIBBAD:
                s = "signature refused: the kernel image's PE/EFI structure is malformed, so its signature cannot be checked";
                break;
        case ENOPKG:
                s = "signature refused: it uses a hash or key algorithm the running kernel lacks";
                break;
        case EKEYREVOKED:
                s = "signature refused: the signing key or the image's hash has been revoked (firmware dbx?)";
                break;
        case EKEYEXPIRED:
                s = "signature refused: the signing key has expired";
                break;
        default:
                s = "signature refused";
                break;
        }
        set(e, s, SIGNED_KERNEL_ADVICE);
        /* These errnos reach us only when the kernel enforces signatures
         * (KEXEC_SIG_FORCE or a signature-enforcing boot); under lockdown
         * alone the same refusal reads EPERM. */
        detail_policy(e, h);
}

static void detail_memory(struct kexec_explanation *e, const struct kexec_host_state *h,
                          const struct kexec_load_facts *f, uint64_t need) {
        if (need > 0)
                detail(e, "needs %.1f MiB (kernel init_size %.1f MiB + initrd %.1f MiB + overhead)",
                       mib(need), mib(f->kernel_init_size), mib(f->initrd_size));
        if (h && h->mem_total > 0)
                detail(e, "MemTotal %.1f MiB (half: %.1f MiB), MemAvailable %.1f MiB",
                       mib(h->mem_total), mib(h->mem_total / 2), mib(h->mem_available));
}

/* What the load needed by the kernel's count; 0 when the facts do not say. */
static uint64_t facts_memory_need(const struct kexec_load_facts *f) {
        return f && f->kernel_init_size > 0 ? kexec_memory_need(f->kernel_init_size, f->initrd_size) : 0;
}

static void explain_einval(struct kexec_explanation *e, const struct kexec_host_state *h,
                           const struct kexec_load_facts *f) {
        uint64_t need = facts_memory_need(f);

        if (f && f->cmdline_max > 0 && f->cmdline_len > f->cmdline_max) {
                set(e, "command line too long for this kernel (its kexec loader keeps 30 bytes of "
                       "the boot protocol's cmdline_size for itself)",
                    "shorten the kernel command line");
                detail(e, "cmdline is %zu bytes with its NUL, the kernel accepts at most %zu",
                       f->cmdline_len, f->cmdline_max);
                return;
        }
        if (need > 0 && h && h->mem_total > 0 && !kexec_memory_fits(need, h->mem_total)) {
                set(e, "not enough memory: the kernel refuses a load needing more than half of RAM, "
                       "counting the rescue kernel's init_size (not its file size) and the initramfs",
                    "use a smaller rescue initramfs (the small flavour) or a host with more RAM");
                detail_memory(e, h, f, need);
                return;
        }
        /* kexec-tools calls this "syscall not available": it is not. */
        set(e, "the kernel rejected the load as invalid: a command line it does not accept, an image "
               "layout it cannot place, or too little memory (more than half of RAM needed)",
            "check 'dmesg' for a kexec line; compare the memory need with MemTotal");
        detail_memory(e, h, f, need);
}

static void explain_enoexec(struct kexec_explanation *e, const struct kexec_host_state *h) {
        if (h && h->efi_platform_size == 32) {
                set(e, "the running kernel cannot load a 64-bit kernel: the firmware is 32-bit EFI",
                    "boot the rescue through the firmware (the provider's rescue mode or a boot medium): the agent "
                    "does not work around a refusal with kexec_load");
                detail(e, "fw_platform_size: 32");
                return;
        }
        set(e, "the running kernel does not recognise the image as a kernel it can load: not an "
               "x86_64 bzImage of Linux 3.8 or later (or one without 5-level paging on a host using it)",
            "use the x86_64 vmlinuz (bzImage) of a current kernel; the agent's image check says what the file is");
}

static void explain_enosys(struct kexec_explanation *e, const struct kexec_host_state *h) {
        if (h && h->loaded == -ENOENT) {
                set(e, "this kernel has no kexec support at all (built without CONFIG_KEXEC)",
                    "kexec cannot work on this host; a rescue needs a reboot through the firmware");
                detail(e, "/sys/kernel/kexec_loaded is missing");
                return;
        }
        /* The load guard tries kexec_load after an ENOSYS of kexec_file_load:
         * ENOSYS here means both are missing or hidden. */
        set(e, "this kernel has neither kexec_file_load nor kexec_load (built without them, or a "
               "seccomp filter hides them)",
            "kexec cannot work here; look for a seccomp filter (a container or a systemd service "
            "sandbox) or reboot through the firmware");
}

void kexec_explain_load_error(int err, const struct kexec_host_state *host,
                              const struct kexec_load_facts *facts,
                              struct kexec_explanation *ret) {
        struct kexec_explanation e = {};

        if (!ret)
                return;
        err = abs(err);

        switch (err) {
        case EPERM:
                explain_eperm(&e, host);
                break;
        case ENOKEY:
        case EKEYREJECTED:
        case EBADMSG:
        case ENODATA:
        case ELIBBAD:
        case ENOPKG:
        case EKEYREVOKED:
        case EKEYEXPIRED:
                explain_signature(&e, err, host);
                break;
        case EBUSY:
                set(&e, "another kexec load or unload is in progress (the kernel allows one at a time)",
                    "wait a few seconds and retry; a kdump or kexec service may be loading right now");
                if (host)
                        detail(&e, "crash kernel loaded: %s", yes_no(host->crash_loaded));
                break;
        case EADDRNOTAVAIL:
                set(&e, "the kernel found no free physical memory range large enough for the rescue "
                        "kernel or initramfs",
                    "free memory (stop large services), use a smaller initramfs, or a host with more RAM");
                detail_memory(&e, host, facts, facts_memory_need(facts));
                break;
        case ENOMEM:
                set(&e, "out of memory while the kernel read and placed the images (it holds the files "
                        "and their final copies at the same time)",
                    "free memory (stop large services, drop caches) or use a smaller initramfs");
                detail_memory(&e, host, facts, facts_memory_need(facts));
                break;
        case EINVAL:
                explain_einval(&e, host, facts);
                break;
        case E2BIG:
                set(&e, "command line longer than 2048 bytes, the x86_64 kernel's limit",
                    "shorten the kernel command line");
                if (facts && facts->cmdline_len > 0)
                        detail(&e, "cmdline is %zu bytes with its NUL", facts->cmdline_len);
                break;
        case ENOEXEC:
                explain_enoexec(&e, host);
                break;
        case ENOSYS:
                explain_enosys(&e, host);
                break;
        case ETXTBSY:
                set(&e, "bug: an image file is still open for writing somewhere, and the kernel "
                        "refuses to read such a file",
                    "seal the memfd and close every writable fd before loading; please report this");
                break;
        case EBADF:
                set(&e, "bug: a file descriptor passed to kexec_file_load is invalid or not open for reading",
                    "please report this");
                break;
        case EFBIG:
                set(&e, "an image is larger than 2 GiB, the most the kernel reads",
                    "use a smaller initramfs");
                break;
        case EACCES:
                set(&e, "a security policy (IMA appraisal, LoadPin, an LSM) refused to let the kernel read the image",
                    "look for the denial in 'dmesg' and the audit log; an IMA policy may demand "
                    "signed files, which a memfd cannot be");
                detail_policy(&e, host);
                break;
        case EINTR:
                set(&e, "interrupted by a signal", "retry");
                break;
        case ENOENT:
                /* Only the kexec_load fallback reads files of its own. */
                set(&e, "the kexec_load fallback found no memory map to hand to the rescue kernel "
                        "(neither /sys/firmware/memmap nor /sys/kernel/boot_params/data)",
                    "mount sysfs on /sys; the running kernel needs CONFIG_FIRMWARE_MEMMAP or x86 boot_params in sysfs");
                break;
        case EFAULT:
                set(&e, "bug: a bad address was passed to kexec_file_load", "please report this");
                break;
        default:
                set(&e, "kexec_file_load failed with an unexpected error",
                    "look in 'dmesg' for a kexec line");
                detail(&e, "errno %d", err);
                break;
        }

        *ret = e;
}

void kexec_explain_reboot_error(int err, const struct kexec_host_state *host,
                                struct kexec_explanation *ret) {
        struct kexec_explanation e = {};

        if (!ret)
                return;
        err = abs(err);

        switch (err) {
        case EINVAL:
                set(&e, "no kernel is loaded for kexec: it was unloaded, or the load never happened",
                    "load the rescue kernel again, then reboot");
                if (host)
                        detail(&e, "/sys/kernel/kexec_loaded: %s", yes_no(host->loaded));
                break;
        case EPERM:
                set(&e, "not permitted to reboot: no CAP_SYS_BOOT, or running in a container",
                    "run the agent as root on the host itself");
                if (host)
                        detail(&e, "CAP_SYS_BOOT: %s; user namespace: %s",
                               yes_no(host->cap_sys_boot), yes_no(host->user_namespace));
                break;
        default:
                set(&e, "the kexec reboot failed with an unexpected error",
                    "look in 'dmesg'; the host keeps running its current system");
                detail(&e, "errno %d", err);
                break;
        }

        *ret = e;
}

const char *kexec_strerror_load(int err) {
        struct kexec_explanation e;

        kexec_explain_load_error(err, NULL, NULL, &e);
        return e.summary;
}
