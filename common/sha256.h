/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 (FIPS 180-4), for the payload's integrity checks. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32

typedef struct Sha256 {
        uint32_t state[8];
        uint64_t length;        /* bytes fed so far */
        uint8_t buffer[64];
        size_t buffered;
} Sha256;

void sha256_init(Sha256 *s);
void sha256_update(Sha256 *s, const void *data, size_t size);
void sha256_final(Sha256 *s, uint8_t ret_digest[static SHA256_DIGEST_SIZE]);
void sha256(const void *data, size_t size, uint8_t ret_digest[static SHA256_DIGEST_SIZE]);
/* Writes 64 lowercase hex digits and a NUL. */
void sha256_to_hex(const uint8_t digest[static SHA256_DIGEST_SIZE], char ret_hex[static 65]);
