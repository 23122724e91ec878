/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The parts of agent reboot that read the host (tests feed fake trees):
 * whether systemd runs as PID 1, and which local filesystems to remount
 * read-only before an immediate kexec reboot. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define REBOOT_MAX_MOUNTS 256

/* systemd's "kexec" request signal, SIGRTMIN+6 as systemd (glibc) counts:
 * glibc's SIGRTMIN is 34, musl's is 35, so musl's SIGRTMIN+6 would be
 * systemd's SIGRTMIN+7 (soft-reboot on v254+). The kernel's number. */
#define REBOOT_SYSTEMD_SIGNAL_KEXEC (34 + 6)

/* 1 when systemd is PID 1 (sd_booted(): /run/systemd/system is a
 * directory below root), else 0. */
int reboot_systemd_running(const char *root);

typedef struct RebootMount {
        char *path;             /* the mount point, unescaped */
        char *fstype;
        char *source;
        unsigned long flags;    /* per-mount MS_NOSUID, MS_NODEV, MS_NOEXEC, atime flags */
        bool remounted;         /* set by the reboot once it is read-only */
} RebootMount;

/* The writable local filesystems of root's /proc/self/mountinfo: backed by
 * a /dev/ block device, not FUSE, not already read-only, one mount per
 * superblock, deepest (last mounted) first. *ret is an array of *ret_n
 * mounts; free with reboot_mounts_free(). */
int reboot_local_mounts(const char *root, RebootMount **ret, size_t *ret_n);
void reboot_mounts_free(RebootMount *m, size_t n);
