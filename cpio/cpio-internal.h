/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The newc header layout, shared by the writer and the reader. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cpio.h"
#include "macro.h"

/*
 * A newc header is the 6-byte magic and 13 fields of 8 hex digits, 110 bytes
 * with no terminator; the name (namesize bytes, NUL included) follows and is
 * padded so the data starts 4-aligned; the data is padded the same way.
 */
#define CPIO_MAGIC_NEWC "070701"
#define CPIO_MAGIC_CRC "070702"     /* newc plus a byte-sum of the data */
#define CPIO_MAGIC_LEN 6u
#define CPIO_FIELD_LEN 8u
#define CPIO_HEADER_SIZE 110u
#define CPIO_ALIGN 4u
#define CPIO_TRAILER_NAME "TRAILER!!!"

typedef enum CpioField {
        CPIO_FIELD_INO,
        CPIO_FIELD_MODE,
        CPIO_FIELD_UID,
        CPIO_FIELD_GID,
        CPIO_FIELD_NLINK,
        CPIO_FIELD_MTIME,
        CPIO_FIELD_FILESIZE,
        CPIO_FIELD_DEVMAJOR,
        CPIO_FIELD_DEVMINOR,
        CPIO_FIELD_RDEVMAJOR,
        CPIO_FIELD_RDEVMINOR,
        CPIO_FIELD_NAMESIZE,
        CPIO_FIELD_CHECK,
        _CPIO_FIELD_MAX,
} CpioField;

typedef struct CpioHeader {
        uint32_t field[_CPIO_FIELD_MAX];
        bool crc;                       /* "070702": check is the data's byte sum */
} CpioHeader;

_Static_assert(CPIO_MAGIC_LEN + _CPIO_FIELD_MAX * CPIO_FIELD_LEN == CPIO_HEADER_SIZE,
               "newc header layout");

/* Bytes a header plus name take once padded: where the data starts. */
static inline uint64_t cpio_header_name_size(uint64_t namesize) {
        return (CPIO_HEADER_SIZE + namesize + CPIO_ALIGN - 1) / CPIO_ALIGN * CPIO_ALIGN;
}

static inline uint64_t cpio_pad4(uint64_t n) {
        return (n + CPIO_ALIGN - 1) / CPIO_ALIGN * CPIO_ALIGN;
}

/* Writes exactly CPIO_HEADER_SIZE bytes, no NUL. Upper-case hex like the
 * kernel's gen_init_cpio; readers accept either case. */
static inline void cpio_header_format(const CpioHeader *h, uint8_t *buf) {
        static const char hex[] = "0123456789ABCDEF";

        memcpy(buf, h->crc ? CPIO_MAGIC_CRC : CPIO_MAGIC_NEWC, CPIO_MAGIC_LEN);
        buf += CPIO_MAGIC_LEN;
        for (size_t i = 0; i < _CPIO_FIELD_MAX; i++)
                for (size_t d = 0; d < CPIO_FIELD_LEN; d++)
                        *buf++ = hex[(h->field[i] >> (4 * (CPIO_FIELD_LEN - 1 - d))) & 0xf];
}


static inline bool cpio_has_magic(const uint8_t *p, size_t n) {
        return n >= CPIO_MAGIC_LEN &&
                (memcmp(p, CPIO_MAGIC_NEWC, CPIO_MAGIC_LEN) == 0 ||
                 memcmp(p, CPIO_MAGIC_CRC, CPIO_MAGIC_LEN) == 0);
}

/* Parses the fixed part of a header at p (n bytes available). Stricter than
 * the kernel's simple_strtoul(): every digit must be hex. -EBADMSG. */
static inline int cpio_header_parse(const uint8_t *p, size_t n, CpioHeader *ret) {
        CpioHeader h = {};

        if (n < CPIO_HEADER_SIZE || !cpio_has_magic(p, n))
                return -EBADMSG;
        h.crc = p[CPIO_MAGIC_LEN - 1] == '2';
        p += CPIO_MAGIC_LEN;
        for (size_t i = 0; i < _CPIO_FIELD_MAX; i++) {
                uint32_t v = 0;

                for (size_t d = 0; d < CPIO_FIELD_LEN; d++) {
                        int x = unhexchar((char) *p++);
                        if (x < 0)
                                return -EBADMSG;
                        v = v << 4 | (uint32_t) x;
                }
                h.field[i] = v;
        }
        *ret = h;
        return 0;
}
