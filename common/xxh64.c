/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Written from the specification (xxh64.h says which), nothing else. */
#include <string.h>

#include "xxh64.h"

#define PRIME1 UINT64_C(0x9E3779B185EBCA87)
#define PRIME2 UINT64_C(0xC2B2AE3D27D4EB4F)
#define PRIME3 UINT64_C(0x165667B19E3779F9)
#define PRIME4 UINT64_C(0x85EBCA77C2B2AE63)
#define PRIME5 UINT64_C(0x27D4EB2F165667C5)

static inline uint64_t rotl64(uint64_t x, unsigned r) {
        return x << r | x >> (64 - r);
}

/* Lanes are little-endian; memcpy because the data need not be aligned
 * (x86_64 only: the payload is never read on a big-endian machine). */
static inline uint64_t read64(const uint8_t *p) {
        uint64_t v;

        memcpy(&v, p, sizeof(v));
        return v;
}

static inline uint32_t read32(const uint8_t *p) {
        uint32_t v;

        memcpy(&v, p, sizeof(v));
        return v;
}

static inline uint64_t round64(uint64_t acc, uint64_t lane) {
        return rotl64(acc + lane * PRIME2, 31) * PRIME1;
}

static inline uint64_t merge64(uint64_t acc, uint64_t v) {
        return (acc ^ round64(0, v)) * PRIME1 + PRIME4;
}

uint64_t xxh64(const void *data, size_t size, uint64_t seed) {
        const uint8_t *p = data, *end = p + size;
        uint64_t h;

        if (size >= 32) {
                /* Four accumulators over 32-byte stripes. */
                uint64_t v1 = seed + PRIME1 + PRIME2, v2 = seed + PRIME2, v3 = seed, v4 = seed - PRIME1;

                for (; end - p >= 32; p += 32) {
                        v1 = round64(v1, read64(p));
                        v2 = round64(v2, read64(p + 8));
                        v3 = round64(v3, read64(p + 16));
                        v4 = round64(v4, read64(p + 24));
                }
                h = rotl64(v1, 1) + rotl64(v2, 7) + rotl64(v3, 12) + rotl64(v4, 18);
                h = merge64(h, v1);
                h = merge64(h, v2);
                h = merge64(h, v3);
                h = merge64(h, v4);
        } else
                h = seed + PRIME5;
        h += (uint64_t) size;

        /* The last 0-31 bytes: 8, then 4, then 1 at a time. */
        for (; end - p >= 8; p += 8)
                h = rotl64(h ^ round64(0, read64(p)), 27) * PRIME1 + PRIME4;
        if (end - p >= 4) {
                h = rotl64(h ^ (uint64_t) read32(p) * PRIME1, 23) * PRIME2 + PRIME3;
                p += 4;
        }
        for (; p < end; p++)
                h = rotl64(h ^ *p * PRIME5, 11) * PRIME1;

        /* Avalanche. */
        h ^= h >> 33;
        h *= PRIME2;
        h ^= h >> 29;
        h *= PRIME3;
        h ^= h >> 32;
        return h;
}
