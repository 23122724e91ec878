/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Whole-file reads with a size limit, and writes that survive short writes. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* Reads all of fd (from its current offset) into a NUL-terminated buffer the
 * caller frees. -EFBIG past max_size. */
int read_full_fd(int fd, size_t max_size, char **ret_data, size_t *ret_size);
/* Same for a path; dir_fd as for openat() (AT_FDCWD for plain paths). */
int read_full_file_at(int dir_fd, const char *path, size_t max_size, char **ret_data, size_t *ret_size);
int read_full_file(const char *path, size_t max_size, char **ret_data, size_t *ret_size);
/* Same for path below root (NULL or "" is the real root): how the agent
 * reads a host's files and tests feed it a fake tree. */
int read_full_file_below(const char *root, const char *path, size_t max_size, char **ret_data, size_t *ret_size);
/* Writes all bytes, retrying on EINTR and short writes. */
int write_all(int fd, const void *data, size_t size);
/* pread()s exactly size bytes at offset; -ENODATA when the file ends first. */
int pread_exact(int fd, void *buf, size_t size, off_t offset);
