/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Kernel and initramfs live in memfds: nothing touches the host's disk, and
 * a read-only or full root filesystem does not matter. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "kexec-internal.h"
#include "macro.h"
#include "kexec-syscall.h"

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 0x0002U
#endif

/* memfd_create(2): the name is at most 249 bytes (NAME_MAX - "memfd:"). */
#define MEMFD_NAME_MAX 249

#define SEALS_READONLY (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL)

/* Copy chunk for kexec_memfd_copy_range(): large enough that syscalls do
 * not dominate, small enough for a host short on memory. */
#define COPY_CHUNK (256u * 1024u)

int kexec_memfd_new(const char *name, int *ret_fd) {
        int fd;

        if (!name || !ret_fd)
                return -EINVAL;
        if (strlen(name) > MEMFD_NAME_MAX)
                return -ENAMETOOLONG;

        fd = kexec_sys_memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
                return fd;

        *ret_fd = fd;
        return 0;
}

int kexec_memfd_write_all(int fd, const void *buf, size_t len) {
        const uint8_t *p = buf;
        off_t pos;

        if (fd < 0 || (!buf && len > 0))
                return -EINVAL;

        /* Refuse before writing what the kernel would refuse to read. A
         * pipe has no position: no limit to check. */
        pos = lseek(fd, 0, SEEK_CUR);
        if (pos < 0 && errno != ESPIPE)
                return -errno;
        if (pos >= 0 && ((uint64_t) pos > KEXEC_FILE_SIZE_MAX || len > KEXEC_FILE_SIZE_MAX - (uint64_t) pos))
                return -EFBIG;

        return write_all(fd, p, len);
}

int kexec_memfd_copy_range(int fd, int src_fd, uint64_t offset, uint64_t len) {
        _cleanup_free_ uint8_t *buf = NULL;

        if (fd < 0 || src_fd < 0)
                return -EINVAL;
        if (len > KEXEC_FILE_SIZE_MAX)
                return -EFBIG;
        if (offset > (uint64_t) INT64_MAX - len)
                return -EOVERFLOW;

        buf = malloc(COPY_CHUNK);
        if (!buf)
                return -ENOMEM;

        while (len > 0) {
                size_t want = (size_t) MIN((uint64_t) COPY_CHUNK, len);
                ssize_t n = pread(src_fd, buf, want, (off_t) offset);
                int r;

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        return -ENODATA;

                r = kexec_memfd_write_all(fd, buf, (size_t) n);
                if (r < 0)
                        return r;
                offset += (uint64_t) n;
                len -= (uint64_t) n;
        }
        return 0;
}

/* Reopens fd read-only by its /proc/self/fd link, and makes sure the link led
 * back to the same file (a /proc that is not procfs would not). */
static int reopen_readonly(int fd, int *ret_fd) {
        _cleanup_close_ int rofd = -EBADF;
        char path[sizeof("/proc/self/fd/") + 12];
        struct stat a, b;

        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        rofd = open(path, O_RDONLY | O_CLOEXEC);
        if (rofd < 0) {
                int r = -errno;
                if (r == -ENOENT && access("/proc/self/fd", F_OK) < 0)
                        return -KEXEC_ERR_NO_PROC;
                return r;
        }

        if (fstat(fd, &a) < 0 || fstat(rofd, &b) < 0)
                return -errno;
        if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
                return -KEXEC_ERR_NO_PROC;

        *ret_fd = TAKE_FD(rofd);
        return 0;
}

int kexec_memfd_seal_readonly(int fd, int *ret_rofd) {
        _cleanup_close_ int wfd = fd;   /* consumed, success or not */
        int seals, rofd, r;

        if (wfd < 0 || !ret_rofd)
                return -EINVAL;

        /* Idempotent: a memfd that already carries every seal is fine, and
         * adding seals after F_SEAL_SEAL would fail with EPERM. */
        seals = fcntl(wfd, F_GET_SEALS);
        if (seals < 0)
                return -errno;
        if ((seals & SEALS_READONLY) != SEALS_READONLY &&
            fcntl(wfd, F_ADD_SEALS, SEALS_READONLY) < 0)
                return -errno;

        r = reopen_readonly(wfd, &rofd);
        if (r < 0)
                return r;

        /* wfd closes here: from now on no fd of this file is open for
         * writing, which deny_write_access() in kexec_file_load checks. */
        *ret_rofd = rofd;
        return 0;
}

const char *kexec_memfd_strerror(int err) {
        switch (abs(err)) {
        case KEXEC_ERR_NO_PROC:
                return "/proc is not mounted (or is not procfs): the sealed memfd cannot be reopened "
                       "read-only through /proc/self/fd; mount it with 'mount -t proc proc /proc'";
        case ENOSYS:
                return "memfd_create() is not available: the kernel is older than 3.17";
        case EINVAL:
                return "invalid memfd: not created with sealing allowed, or a bad name";
        case EBUSY:
                return "the memfd is still mapped writable, so it cannot be sealed (a bug)";
        case EPERM:
                return "the memfd was sealed in a way that forbids this operation (a bug)";
        case ENOMEM:
        case ENOSPC:
                return "out of memory: memfds live in RAM (or a memory cgroup limit was hit)";
        case EFBIG:
                return "larger than 2 GiB, the most kexec_file_load reads (or RLIMIT_FSIZE is too low)";
        case EMFILE:
        case ENFILE:
                return "too many open files";
        case ENODATA:
                return "the source file ended before the expected length: it is truncated";
        case ENAMETOOLONG:
                return "memfd name longer than 249 bytes";
        case EBADF:
                return "bad file descriptor (a bug)";
        default:
                return "unexpected error while preparing a memfd";
        }
}
