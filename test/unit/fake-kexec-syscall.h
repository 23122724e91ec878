/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A fake of kexec/kexec-syscall.h for unit tests, linked instead of
 * kexec-syscall.c: it records every call, returns injected errnos, and
 * otherwise emulates the kernel's checks that matter to us (unknown flags,
 * the NUL at the end of the cmdline, fds open for writing), so nothing here
 * ever loads a kernel or reboots. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAKE_KEXEC_MAX_CALLS 16
#define FAKE_KEXEC_CMDLINE_MAX 4096

struct fake_kexec_file_load_call {
        int kernel_fd;
        int initrd_fd;
        unsigned long cmdline_len;
        bool cmdline_null;
        char cmdline[FAKE_KEXEC_CMDLINE_MAX];  /* cmdline_len bytes copied */
        unsigned long flags;
        /* What the fds looked like at call time (-1: not an fd). */
        int kernel_accmode;                     /* fcntl(F_GETFL) & O_ACCMODE */
        int kernel_seals;                       /* fcntl(F_GET_SEALS) */
        int initrd_accmode;
        int initrd_seals;
        int result;
};

/* kexec_load: what each segment looked like at call time. */
#define FAKE_KEXEC_MAX_LOAD_CALLS 4
#define FAKE_KEXEC_LOAD_SEGMENTS 16             /* KEXEC_SEGMENT_MAX */
#define FAKE_KEXEC_SEGMENT_HEAD 8192

struct fake_kexec_segment {
        uint64_t mem;
        uint64_t memsz;
        size_t bufsz;
        bool buf_null;
        uint64_t fnv1a;                         /* FNV-1a 64 of all bufsz bytes */
        uint8_t head[FAKE_KEXEC_SEGMENT_HEAD];  /* the first bytes, zero-padded */
};

struct fake_kexec_load_call {
        unsigned long entry;
        unsigned long nr_segments;
        unsigned long flags;
        struct fake_kexec_segment segments[FAKE_KEXEC_LOAD_SEGMENTS];
        int result;
};

struct fake_kexec {
        /* injected errnos (positive; 0 = emulate) */
        int file_load_errno;    /* loads only */
        int unload_errno;       /* KEXEC_FILE_UNLOAD only */
        int reboot_errno;
        int memfd_errno;
        bool no_syscall;        /* every kexec_file_load call: ENOSYS */
        int load_errno;         /* kexec_load with segments only */
        bool no_load_syscall;   /* every kexec_load call: ENOSYS */
        uint64_t ram_bytes;     /* kexec_load: refuse more than half (0: no check) */

        /* emulated kernel state */
        bool loaded;

        /* records */
        unsigned n_file_load;   /* all calls, loads and unloads */
        unsigned n_unload;
        unsigned n_reboot;
        unsigned last_reboot_cmd;
        unsigned n_memfd;
        struct fake_kexec_file_load_call calls[FAKE_KEXEC_MAX_CALLS];
        unsigned n_load;        /* kexec_load calls, loads and unloads */
        unsigned n_load_unload;
        struct fake_kexec_load_call load_calls[FAKE_KEXEC_MAX_LOAD_CALLS];
};

extern struct fake_kexec fake_kexec;

void fake_kexec_reset(void);
/* The last recorded kexec_file_load call, or NULL. */
const struct fake_kexec_file_load_call *fake_kexec_last_call(void);
/* The last recorded kexec_load call, or NULL. */
const struct fake_kexec_load_call *fake_kexec_last_load_call(void);
