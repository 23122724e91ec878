/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kexec_file_load, unload, the load guard (with the kexec_load fallback
 * where kexec_file_load is missing), and the reboot into the loaded kernel.
 * The syscalls themselves are behind kexec-syscall.h. */
#include <errno.h>
#include <string.h>

#include <linux/kexec.h>
#include <linux/reboot.h>

#include "kexec-internal.h"
#include "kexec-syscall.h"

int kexec_file_load_fds(int kernel_fd, int initrd_fd, const char *cmdline, unsigned long flags) {
        size_t len;

        if (kernel_fd < 0)
                return -EBADF;
        /* Unloading is kexec_unload(); NO_INITRAMFS follows initrd_fd. */
        if (flags & ~(unsigned long) KEXEC_FILE_ON_CRASH)
                return -EINVAL;
        if (!cmdline)
                cmdline = "";

        /* The kernel wants cmdline_len to count the NUL and checks that the
         * last byte is one (kimage_file_prepare_segments()). */
        len = strnlen(cmdline, KEXEC_CMDLINE_MAX) + 1;
        if (len > KEXEC_CMDLINE_MAX)
                return -E2BIG;

        if (initrd_fd < 0) {
                initrd_fd = -1;
                flags |= KEXEC_FILE_NO_INITRAMFS;
        }

        return kexec_sys_file_load(kernel_fd, initrd_fd, len, cmdline, flags);
}

/* kexec_load with no segments unloads (do_kexec_load()); both syscalls
 * share the one loaded image, so either unloads what either loaded. */
static int unload_segments(unsigned long flags) {
        return kexec_sys_load(0, 0, NULL, flags & KEXEC_FILE_ON_CRASH ? KEXEC_ON_CRASH : 0);
}

int kexec_unload_flags(unsigned long flags) {
        int r;

        /* The kernel ignores fds and cmdline when unloading, and succeeds
         * when nothing was loaded. */
        r = kexec_sys_file_load(-1, -1, 0, NULL,
                                KEXEC_FILE_UNLOAD | (flags & KEXEC_FILE_ON_CRASH));
        if (r == -ENOSYS)
                r = unload_segments(flags);
        return r;
}

int kexec_unload(void) {
        return kexec_unload_flags(0);
}

int kexec_reboot(void) {
        return kexec_sys_reboot(LINUX_REBOOT_CMD_KEXEC);
}

int kexec_load_guarded(struct kexec_load_guard *guard, int kernel_fd, int initrd_fd,
                       const char *cmdline, unsigned long flags) {
        int r;

        if (!guard || guard->loaded)
                return -EINVAL;

        r = guard->force_kexec_load ? -ENOSYS : kexec_file_load_fds(kernel_fd, initrd_fd, cmdline, flags);
        /* Only a missing syscall falls back: a refusal (EPERM under
         * lockdown, a signature error) is the answer, not an obstacle. */
        if (r == -ENOSYS && flags == 0) {
                r = kexec_x86_load_fds(NULL, kernel_fd, initrd_fd, cmdline);
                if (r >= 0)
                        guard->used_kexec_load = true;
        }
        if (r < 0)
                return r;

        guard->loaded = true;
        guard->flags = flags;
        return 0;
}

void kexec_load_guard_keep(struct kexec_load_guard *guard) {
        if (guard)
                guard->loaded = false;
}

int kexec_load_guard_release(struct kexec_load_guard *guard) {
        int r;

        if (!guard || !guard->loaded)
                return 0;

        /* Stays armed on failure: a later release may still succeed. */
        r = guard->used_kexec_load ? unload_segments(guard->flags) : kexec_unload_flags(guard->flags);
        if (r < 0)
                return r;

        guard->loaded = false;
        return 0;
}
