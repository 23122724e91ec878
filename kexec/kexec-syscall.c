/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Raw syscalls, nowhere else in the project (see kexec-syscall.h).
 * musl has no kexec_file_load or kexec_load wrapper and glibc's reboot()
 * hides the magic numbers, so all go through syscall(2), each in one place. */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/reboot.h>

#include "kexec-syscall.h"

int kexec_sys_file_load(int kernel_fd, int initrd_fd, unsigned long cmdline_len,
                        const char *cmdline, unsigned long flags) {
        long r = syscall(SYS_kexec_file_load, kernel_fd, initrd_fd, cmdline_len, cmdline, flags);
        return r < 0 ? -errno : 0;
}

int kexec_sys_load(unsigned long entry, unsigned long nr_segments,
                   const struct kexec_segment *segments, unsigned long flags) {
        long r = syscall(SYS_kexec_load, entry, nr_segments, segments, flags);
        return r < 0 ? -errno : 0;
}

int kexec_sys_reboot(unsigned int cmd) {
        long r = syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, cmd, NULL);
        return r < 0 ? -errno : 0;
}

int kexec_sys_memfd_create(const char *name, unsigned int flags) {
        long r = syscall(SYS_memfd_create, name, flags);
        return r < 0 ? -errno : (int) r;
}
