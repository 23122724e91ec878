/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-512 and SHA-512 crypt for --password (no crypt(3) in Debian's musl). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SHA512_DIGEST_SIZE 64
/* "$6$" + 16 salt + "$" + 86 hash characters + NUL */
#define SHA512_CRYPT_SIZE (3 + 16 + 1 + 86 + 1)

void sha512(const void *data, size_t len, uint8_t out[static SHA512_DIGEST_SIZE]);
/* The "$6$salt$hash" string crypt(3) gives for password and salt (1-16
 * characters of [./0-9A-Za-z], up to an optional '$'; 5000 rounds).
 * -EINVAL for another salt or a password over 4096 bytes. */
int sha512_crypt(const char *password, const char *salt, char ret[static SHA512_CRYPT_SIZE]);
