/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the fuzz targets share: the libFuzzer entry point they define, a
 * CHECK that aborts (libFuzzer and the corpus replay both report the input
 * that got there), and memfds for the code under test that opens files by
 * name. Header only: every target is built twice (replay, libFuzzer). */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(expr)                                                     \
        do {                                                            \
                if (!(expr)) {                                          \
                        fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #expr); \
                        abort();                                        \
                }                                                       \
        } while (0)

/* "/proc/self/fd/" and a decimal int. */
#define FUZZ_FD_PATH_MAX 32

/* A memfd named name holding size bytes of data; the caller closes it. */
static inline int fuzz_memfd(const char *name, const void *data, size_t size) {
        int fd = memfd_create(name, MFD_CLOEXEC);

        CHECK(fd >= 0);
        CHECK(write(fd, data, size) == (ssize_t) size);
        return fd;
}

/* A path that opens fd again, for functions that take a file name. */
static inline const char *fuzz_fd_path(int fd, char path[static FUZZ_FD_PATH_MAX]) {
        snprintf(path, FUZZ_FD_PATH_MAX, "/proc/self/fd/%d", fd);
        return path;
}
