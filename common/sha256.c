/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdbool.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_SHA_NI 1
#else
#define HAVE_SHA_NI 0
#endif

#include "sha256-internal.h"
#include "sha256.h"

static const uint32_t K[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t rotr(uint32_t x, unsigned n) {
        return (x >> n) | (x << (32 - n));
}

/* Plain C: one block of 64 bytes. */
static void sha256_block_generic(uint32_t h[8], const uint8_t p[64]) {
        uint32_t w[64], a, b, c, d, e, f, g, k;

        for (unsigned i = 0; i < 16; i++)
                w[i] = (uint32_t) p[4 * i] << 24 | (uint32_t) p[4 * i + 1] << 16 |
                       (uint32_t) p[4 * i + 2] << 8 | p[4 * i + 3];
        for (unsigned i = 16; i < 64; i++) {
                uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
                uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
                w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }

        a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
        for (unsigned i = 0; i < 64; i++) {
                uint32_t t1 = k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
                uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
                k = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
        }
        h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

static void sha256_blocks_generic(uint32_t h[8], const uint8_t *p, size_t n) {
        for (; n > 0; n--, p += 64)
                sha256_block_generic(h, p);
}

#if HAVE_SHA_NI
/* The SHA extensions (Intel SDM vol. 2, SHA256RNDS2/SHA256MSG1/SHA256MSG2).
 * SHA256RNDS2 does two rounds on the state split as ABEF and CDGH (A in the
 * highest dword) with W+K for those rounds in the low two dwords of its third
 * operand; it returns the new ABEF, and the old ABEF is the new CDGH. */
__attribute__((target("sha,sse4.1,ssse3")))
static void sha256_blocks_shani(uint32_t h[8], const uint8_t *p, size_t n) {
        /* Each dword of the message is big-endian. */
        const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
        __m128i abef, cdgh, t;

        /* h[0..3] = A B C D, h[4..7] = E F G H (dword 0 first). */
        t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *) &h[0]), 0xb1);  /* B A D C */
        cdgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *) &h[4]), 0x1b); /* H G F E */
        abef = _mm_alignr_epi8(t, cdgh, 8);             /* F E B A */
        cdgh = _mm_blend_epi16(cdgh, t, 0xf0);          /* H G D C */

        for (; n > 0; n--, p += 64) {
                __m128i abef_in = abef, cdgh_in = cdgh, m[4];

                for (unsigned i = 0; i < 4; i++)
                        m[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (p + 16 * i)), bswap);

                /* Four rounds per step on W[4i..4i+3] = m[0], while the schedule
                 * makes W[4i+16..4i+19] from the four groups before it:
                 * W[j] = W[j-16] + s0(W[j-15]) + W[j-7] + s1(W[j-2]).
                 * Unrolled: ~7% faster at -Os, for ~1 KiB of code. */
#pragma GCC unroll 16
                for (unsigned i = 0; i < 16; i++) {
                        __m128i wk = _mm_add_epi32(m[0], _mm_loadu_si128((const __m128i *) &K[4 * i]));

                        cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
                        abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0e));

                        if (i < 12) {
                                __m128i next = _mm_sha256msg1_epu32(m[0], m[1]);

                                next = _mm_add_epi32(next, _mm_alignr_epi8(m[3], m[2], 4));
                                next = _mm_sha256msg2_epu32(next, m[3]);
                                m[0] = m[1], m[1] = m[2], m[2] = m[3], m[3] = next;
                        } else
                                m[0] = m[1], m[1] = m[2], m[2] = m[3];
                }

                abef = _mm_add_epi32(abef, abef_in);
                cdgh = _mm_add_epi32(cdgh, cdgh_in);
        }

        t = _mm_shuffle_epi32(abef, 0x1b);              /* A B E F */
        cdgh = _mm_shuffle_epi32(cdgh, 0xb1);           /* G H C D */
        _mm_storeu_si128((__m128i *) &h[0], _mm_blend_epi16(t, cdgh, 0xf0));
        _mm_storeu_si128((__m128i *) &h[4], _mm_alignr_epi8(cdgh, t, 8));
}

static bool cpu_has_sha_ni(void) {
        unsigned a, b, c, d;

        if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1))
                return false;
        if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
                return false;
        return b & bit_SHA;
}
#else
static bool cpu_has_sha_ni(void) {
        return false;
}
#endif

typedef void (*sha256_blocks_fn)(uint32_t h[8], const uint8_t *p, size_t n);

static bool force_generic = false;

bool sha256_have_accel(void) {
        static int cached = -1;         /* a race only stores the same value twice */
        int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);

        if (v < 0) {
                v = cpu_has_sha_ni();
                __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
        }
        return v;
}

void sha256_force_generic(bool force) {
        force_generic = force;
}

/* Picked per call rather than once for good: a test switches with
 * sha256_force_generic(); the CPUID answer itself is cached. */
static sha256_blocks_fn sha256_blocks_impl(void) {
#if HAVE_SHA_NI
        if (!force_generic && sha256_have_accel())
                return sha256_blocks_shani;
#endif
        return sha256_blocks_generic;
}

void sha256_init(Sha256 *s) {
        static const uint32_t iv[8] = {
                0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
        };

        memcpy(s->state, iv, sizeof(iv));
        s->length = 0;
        s->buffered = 0;
}

void sha256_update(Sha256 *s, const void *data, size_t size) {
        sha256_blocks_fn blocks = sha256_blocks_impl();
        const uint8_t *p = data;

        s->length += size;
        if (s->buffered > 0) {
                size_t n = 64 - s->buffered < size ? 64 - s->buffered : size;
                memcpy(s->buffer + s->buffered, p, n);
                s->buffered += n, p += n, size -= n;
                if (s->buffered < 64)
                        return;
                blocks(s->state, s->buffer, 1);
                s->buffered = 0;
        }
        /* All whole blocks in one call: the SHA-NI loop keeps the state in
         * registers across them. */
        if (size >= 64) {
                blocks(s->state, p, size / 64);
                p += size / 64 * 64;
                size %= 64;
        }
        memcpy(s->buffer, p, size);
        s->buffered = size;
}

void sha256_final(Sha256 *s, uint8_t ret_digest[static SHA256_DIGEST_SIZE]) {
        uint64_t bits = s->length * 8;
        uint8_t pad[72] = { 0x80 };
        size_t padlen = (s->buffered < 56 ? 56 : 120) - s->buffered;

        for (unsigned i = 0; i < 8; i++)
                pad[padlen + i] = (uint8_t) (bits >> (56 - 8 * i));
        sha256_update(s, pad, padlen + 8);
        for (unsigned i = 0; i < 8; i++) {
                ret_digest[4 * i] = (uint8_t) (s->state[i] >> 24);
                ret_digest[4 * i + 1] = (uint8_t) (s->state[i] >> 16);
                ret_digest[4 * i + 2] = (uint8_t) (s->state[i] >> 8);
                ret_digest[4 * i + 3] = (uint8_t) s->state[i];
        }
}

void sha256(const void *data, size_t size, uint8_t ret_digest[static SHA256_DIGEST_SIZE]) {
        Sha256 s;

        sha256_init(&s);
        sha256_update(&s, data, size);
        sha256_final(&s, ret_digest);
}

void sha256_to_hex(const uint8_t digest[static SHA256_DIGEST_SIZE], char ret_hex[static 65]) {
        static const char hex[] = "0123456789abcdef";

        for (unsigned i = 0; i < SHA256_DIGEST_SIZE; i++) {
                ret_hex[2 * i] = hex[digest[i] >> 4];
                ret_hex[2 * i + 1] = hex[digest[i] & 15];
        }
        ret_hex[64] = '\0';
}
