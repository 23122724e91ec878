/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rescue payload appended to the agent's ELF image:
 *
 *     ELF | blob... | directory (count × 80 bytes) | footer (64 bytes)
 *
 * A directory entry (80 bytes) is name[16] (NUL padded), le64 offset,
 * le64 size, sha256[32], le64 xxh64 (XXH64, seed 0), 8 reserved zero
 * bytes. The footer is magic[8] "RAGPAYLD", le32 version (3), le32 count,
 * le64 directory offset, le64 total file size, sha256[32] of the directory.
 * Offsets count from the start of the file. The total size in the footer
 * and the ELF's own extent let a truncated copy be told apart from an agent
 * that simply carries no payload.
 *
 * Two checks of the blobs, against the same threat: a copy damaged on its
 * way (scp cut short, a flipped bit on a bad disk or link). Nothing here is
 * signed, so neither stops someone who can rewrite the file: they would
 * rewrite the directory too. A truncation is caught by the footer's total
 * size before any checksum runs. For damage inside a blob, XXH64 lets a
 * random change through once in 2^64 and costs a fortieth of SHA-256
 * without the SHA extensions (the TCG guests, older CPUs) and a fifth of
 * zlib's CRC-32 (format 2 used that): go and plan use it. inspect and
 * check compute SHA-256 as well, the digest operators compare with the
 * build's published one.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define PAYLOAD_MAX_BLOBS 16
#define PAYLOAD_NAME_MAX 15
#define PAYLOAD_MAX_SIZE (UINT64_C(1) << 31)    /* 2 GiB: far beyond any rescue image */

typedef struct Payload Payload;

typedef struct PayloadBlob {
        const char *name;
        const void *data;
        size_t size;
} PayloadBlob;

/* Maps path (NULL: the running program) and validates footer, directory
 * and bounds, not yet the blob checksums. -ENOMSG: a valid program without a
 * payload; -EBADMSG: truncated or corrupted, *ret_reason says how. */
int payload_open(const char *path, Payload **ret, const char **ret_reason);
Payload *payload_free(Payload *p);
typedef enum PayloadVerify {
        PAYLOAD_VERIFY_QUICK,   /* XXH64 of every blob */
        PAYLOAD_VERIFY_FULL,    /* SHA-256 and XXH64 of every blob */
} PayloadVerify;

/* Checks every blob; on -EBADMSG *ret_name names the bad one. */
int payload_verify(const Payload *p, PayloadVerify how, const char **ret_name);
/* Borrowed pointer into the mapping; -ENOENT when absent. */
int payload_get(const Payload *p, const char *name, const void **ret_data, size_t *ret_size);
/* The same, the blob checked as how says first: -EBADMSG when it does not match. */
int payload_get_checked(const Payload *p, const char *name, PayloadVerify how, const void **ret_data, size_t *ret_size);
size_t payload_count(const Payload *p);
int payload_entry(const Payload *p, size_t i, const char **ret_name, size_t *ret_size, const uint8_t **ret_sha256);
/* The XXH64 recorded for blob i; -ERANGE past the end. */
int payload_entry_xxh64(const Payload *p, size_t i, uint64_t *ret_xxh64);
/* The program image without any payload. */
void payload_program(const Payload *p, const void **ret_data, size_t *ret_size);

/* Size of the ELF image proper (end of the section header table or of the
 * furthest program segment); -EBADMSG when data is no x86_64 ELF. */
int payload_elf_extent(const void *data, size_t size, size_t *ret_extent);
/* Writes program + blobs + directory + footer to fd. */
int payload_write(int fd, const void *program, size_t program_size, const PayloadBlob *blobs, size_t n_blobs);

static inline void payload_freep(Payload **p) {
        payload_free(*p);
}
