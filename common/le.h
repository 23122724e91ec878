/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Little-endian integers of 1-8 bytes at any alignment, byte by byte: the
 * payload's directory and footer (agent-payload.h) and whoever builds or
 * breaks them in tests. */
#pragma once

#include <stdint.h>

static inline uint64_t get_le(const uint8_t *p, unsigned bytes) {
        uint64_t v = 0;

        for (unsigned i = bytes; i > 0; i--)
                v = v << 8 | p[i - 1];
        return v;
}

static inline void put_le(uint8_t *p, uint64_t v, unsigned bytes) {
        for (unsigned i = 0; i < bytes; i++, v >>= 8)
                p[i] = (uint8_t) v;
}
