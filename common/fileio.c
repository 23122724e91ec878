/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"

int read_full_fd(int fd, size_t max_size, char **ret_data, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, allocated = 0;

        for (;;) {
                if (allocated - size < 2) {
                        size_t n = allocated ? allocated * 2 : 4096;
                        char *p;

                        if (n > max_size + 2)
                                n = max_size + 2;
                        if (n <= allocated)
                                return -EFBIG;
                        p = realloc(buf, n);
                        if (!p)
                                return -ENOMEM;
                        buf = p;
                        allocated = n;
                }
                ssize_t k = read(fd, buf + size, allocated - size - 1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                size += (size_t) k;
                if (size > max_size)
                        return -EFBIG;
        }
        if (!buf && !(buf = malloc(1)))
                return -ENOMEM;
        buf[size] = '\0';
        *ret_data = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = size;
        return 0;
}

int read_full_file_at(int dir_fd, const char *path, size_t max_size, char **ret_data, size_t *ret_size) {
        _cleanup_close_ int fd = openat(dir_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        return read_full_fd(fd, max_size, ret_data, ret_size);
}

int read_full_file(const char *path, size_t max_size, char **ret_data, size_t *ret_size) {
        return read_full_file_at(AT_FDCWD, path, max_size, ret_data, ret_size);
}

int read_full_file_below(const char *root, const char *path, size_t max_size, char **ret_data, size_t *ret_size) {
        _cleanup_free_ char *full = NULL;

        if (asprintf(&full, "%s%s", root ?: "", path) < 0)
                return -ENOMEM;
        return read_full_file(full, max_size, ret_data, ret_size);
}

int write_all(int fd, const void *data, size_t size) {
        const char *p = data;

        while (size > 0) {
                ssize_t k = write(fd, p, MIN(size, (size_t) SSIZE_MAX));
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        return -EIO;
                p += k;
                size -= (size_t) k;
        }
        return 0;
}

int pread_exact(int fd, void *buf, size_t size, off_t offset) {
        char *p = buf;

        while (size > 0) {
                ssize_t k = pread(fd, p, size, offset);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        return -ENODATA;
                p += k, size -= (size_t) k, offset += k;
        }
        return 0;
}
