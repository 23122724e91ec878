/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the kexec/ sources; not part of the public interface. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kexec.h"

/* Probe files are a few bytes; /proc/self/status and /proc/meminfo a few
 * KiB. Anything larger is not what we expect: -EFBIG. */
#define KEXEC_PROBE_FILE_MAX (64u * 1024u)

/* "root" + "path" into buf; NULL or "" root is the real one. */
int kexec_path_join(const char *root, const char *path, char *buf, size_t size);

/* Reads all of root/path into buf (NUL-terminated); returns its length.
 * -EFBIG if it does not fit in size - 1 bytes. */
int kexec_read_file_at(const char *root, const char *path, char *buf, size_t size);

/* A decimal int, surrounding whitespace allowed; -EBADMSG otherwise. */
int kexec_parse_int(const char *s, int *ret);

/* The unload both kexec_unload() and the load guard use. */
int kexec_unload_flags(unsigned long flags);
