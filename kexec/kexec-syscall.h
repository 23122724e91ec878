/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The seam between kexec/ and the kernel: the only raw syscalls of the
 * project, in kexec-syscall.c. Unit tests link test/unit/fake-kexec-syscall.c
 * instead (LD_PRELOAD cannot reach a static binary).
 *
 * Each returns >= 0 on success or -errno, converted on the syscall line. */
#pragma once

#include <linux/kexec.h>

/* kexec_file_load(2). cmdline_len counts the terminating NUL. */
int kexec_sys_file_load(int kernel_fd, int initrd_fd, unsigned long cmdline_len,
                        const char *cmdline, unsigned long flags);

/* kexec_load(2): segments are copied into the kernel now; nr_segments 0
 * unloads. flags carries the KEXEC_ARCH_* of the image. */
int kexec_sys_load(unsigned long entry, unsigned long nr_segments,
                   const struct kexec_segment *segments, unsigned long flags);

/* reboot(2) with both magic numbers; cmd is a LINUX_REBOOT_CMD_* value.
 * Returns only on failure when cmd reboots. */
int kexec_sys_reboot(unsigned int cmd);

/* memfd_create(2): a new fd, or -errno. */
int kexec_sys_memfd_create(const char *name, unsigned int flags);
