/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-512 (FIPS 180-4) and the SHA-512 crypt scheme ("$6$", Drepper's
 * "Unix crypt using SHA-256 and SHA-512" specification), for --password:
 * Debian's static musl has no crypt(3), and the rescue's sshd checks the
 * hash with glibc's crypt. The constants below were computed from their
 * definitions (cube and square roots of the first primes). */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "agent-password.h"
#include "macro.h"

static const uint64_t sha512_k[80] = {
        0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL, 0xb5c0fbcfec4d3b2fULL,
        0xe9b5dba58189dbbcULL, 0x3956c25bf348b538ULL, 0x59f111f1b605d019ULL,
        0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL, 0xd807aa98a3030242ULL,
        0x12835b0145706fbeULL, 0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL,
        0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL, 0x9bdc06a725c71235ULL,
        0xc19bf174cf692694ULL, 0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL,
        0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL, 0x2de92c6f592b0275ULL,
        0x4a7484aa6ea6e483ULL, 0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL,
        0x983e5152ee66dfabULL, 0xa831c66d2db43210ULL, 0xb00327c898fb213fULL,
        0xbf597fc7beef0ee4ULL, 0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL,
        0x06ca6351e003826fULL, 0x142929670a0e6e70ULL, 0x27b70a8546d22ffcULL,
        0x2e1b21385c26c926ULL, 0x4d2c6dfc5ac42aedULL, 0x53380d139d95b3dfULL,
        0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL, 0x81c2c92e47edaee6ULL,
        0x92722c851482353bULL, 0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL,
        0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL, 0xd192e819d6ef5218ULL,
        0xd69906245565a910ULL, 0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL,
        0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL, 0x2748774cdf8eeb99ULL,
        0x34b0bcb5e19b48a8ULL, 0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL,
        0x5b9cca4f7763e373ULL, 0x682e6ff3d6b2b8a3ULL, 0x748f82ee5defb2fcULL,
        0x78a5636f43172f60ULL, 0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
        0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL, 0xbef9a3f7b2c67915ULL,
        0xc67178f2e372532bULL, 0xca273eceea26619cULL, 0xd186b8c721c0c207ULL,
        0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL, 0x06f067aa72176fbaULL,
        0x0a637dc5a2c898a6ULL, 0x113f9804bef90daeULL, 0x1b710b35131c471bULL,
        0x28db77f523047d84ULL, 0x32caab7b40c72493ULL, 0x3c9ebe0a15c9bebcULL,
        0x431d67c49c100d4cULL, 0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL,
        0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL,
};
static const uint64_t sha512_h0[8] = {
        0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL,
        0xa54ff53a5f1d36f1ULL, 0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
        0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

typedef struct Sha512 {
        uint64_t h[8];
        uint8_t block[128];
        size_t used;            /* bytes in block */
        uint64_t total;         /* bytes hashed; messages here are far below 2^61 */
} Sha512;

static uint64_t ror(uint64_t x, unsigned n) {
        return x >> n | x << (64 - n);
}

static void sha512_compress(Sha512 *s, const uint8_t *p) {
        uint64_t w[80], v[8];

        for (unsigned i = 0; i < 16; i++) {
                w[i] = 0;
                for (unsigned k = 0; k < 8; k++)
                        w[i] = w[i] << 8 | p[8 * i + k];
        }
        for (unsigned i = 16; i < 80; i++) {
                uint64_t s0 = ror(w[i - 15], 1) ^ ror(w[i - 15], 8) ^ (w[i - 15] >> 7);
                uint64_t s1 = ror(w[i - 2], 19) ^ ror(w[i - 2], 61) ^ (w[i - 2] >> 6);
                w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        memcpy(v, s->h, sizeof(v));
        for (unsigned i = 0; i < 80; i++) {
                uint64_t t1 = v[7] + (ror(v[4], 14) ^ ror(v[4], 18) ^ ror(v[4], 41)) +
                              ((v[4] & v[5]) ^ (~v[4] & v[6])) + sha512_k[i] + w[i];
                uint64_t t2 = (ror(v[0], 28) ^ ror(v[0], 34) ^ ror(v[0], 39)) +
                              ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
                memmove(v + 1, v, 7 * sizeof(uint64_t));
                v[4] += t1;
                v[0] = t1 + t2;
        }
        for (unsigned i = 0; i < 8; i++)
                s->h[i] += v[i];
}

static void sha512_init(Sha512 *s) {
        *s = (Sha512) {};
        memcpy(s->h, sha512_h0, sizeof(s->h));
}

static void sha512_update(Sha512 *s, const void *data, size_t len) {
        const uint8_t *p = data;

        s->total += len;
        while (len > 0) {
                size_t n = MIN(len, sizeof(s->block) - s->used);

                memcpy(s->block + s->used, p, n);
                s->used += n;
                p += n;
                len -= n;
                if (s->used == sizeof(s->block)) {
                        sha512_compress(s, s->block);
                        s->used = 0;
                }
        }
}

static void sha512_final(Sha512 *s, uint8_t out[static SHA512_DIGEST_SIZE]) {
        uint64_t bits = s->total * 8;
        uint8_t pad = 0x80;

        sha512_update(s, &pad, 1);
        pad = 0;
        while (s->used != 112)
                sha512_update(s, &pad, 1);
        /* 128-bit big-endian length; the upper 64 bits are 0 here */
        for (unsigned i = 0; i < 8; i++)
                sha512_update(s, &pad, 1);
        for (int i = 7; i >= 0; i--) {
                uint8_t b = (uint8_t) (bits >> (8 * i));
                sha512_update(s, &b, 1);
        }
        for (unsigned i = 0; i < 8; i++)
                for (unsigned k = 0; k < 8; k++)
                        out[8 * i + k] = (uint8_t) (s->h[i] >> (56 - 8 * k));
        explicit_bzero(s, sizeof(*s));
}

void sha512(const void *data, size_t len, uint8_t out[static SHA512_DIGEST_SIZE]) {
        Sha512 s;

        sha512_init(&s);
        sha512_update(&s, data, len);
        sha512_final(&s, out);
}

/* Adds len bytes made of digest repeated (the spec's "P" and "S" sequences
 * are built this way). */
static void update_repeated(Sha512 *s, const uint8_t *digest, size_t len) {
        for (; len > SHA512_DIGEST_SIZE; len -= SHA512_DIGEST_SIZE)
                sha512_update(s, digest, SHA512_DIGEST_SIZE);
        sha512_update(s, digest, len);
}

static const char crypt_alphabet[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static char *put_b64(char *out, uint8_t b2, uint8_t b1, uint8_t b0, unsigned n) {
        uint32_t w = (uint32_t) b2 << 16 | (uint32_t) b1 << 8 | b0;

        while (n-- > 0) {
                *out++ = crypt_alphabet[w & 0x3f];
                w >>= 6;
        }
        return out;
}

int sha512_crypt(const char *password, const char *salt, char ret[static SHA512_CRYPT_SIZE]) {
        uint8_t a[SHA512_DIGEST_SIZE], b[SHA512_DIGEST_SIZE], dp[SHA512_DIGEST_SIZE], ds[SHA512_DIGEST_SIZE];
        size_t pl = strlen(password), sl = strcspn(salt, "$");
        Sha512 s;
        char *o;

        if (sl == 0 || sl > 16 || pl > 4096)
                return -EINVAL;
        for (size_t i = 0; i < sl; i++)
                if (!strchr(crypt_alphabet, salt[i]) || salt[i] == '\0')
                        return -EINVAL;

        /* B = H(P S P) */
        sha512_init(&s);
        sha512_update(&s, password, pl);
        sha512_update(&s, salt, sl);
        sha512_update(&s, password, pl);
        sha512_final(&s, b);

        /* A = H(P S, B repeated to |P|, then per bit of |P|: B or P) */
        sha512_init(&s);
        sha512_update(&s, password, pl);
        sha512_update(&s, salt, sl);
        update_repeated(&s, b, pl);
        for (size_t n = pl; n > 0; n >>= 1)
                if (n & 1)
                        sha512_update(&s, b, sizeof(b));
                else
                        sha512_update(&s, password, pl);
        sha512_final(&s, a);

        /* DP = H(P repeated |P| times); DS = H(S repeated 16 + A[0] times) */
        sha512_init(&s);
        for (size_t i = 0; i < pl; i++)
                sha512_update(&s, password, pl);
        sha512_final(&s, dp);
        sha512_init(&s);
        for (size_t i = 0; i < 16u + a[0]; i++)
                sha512_update(&s, salt, sl);
        sha512_final(&s, ds);

        /* 5000 rounds (the default: no "rounds=" in the setting). The P and
         * S sequences are DP and DS repeated to |P| and |S| bytes. */
        for (unsigned r = 0; r < 5000; r++) {
                sha512_init(&s);
                if (r & 1)
                        update_repeated(&s, dp, pl);
                else
                        sha512_update(&s, a, sizeof(a));
                if (r % 3 != 0)
                        update_repeated(&s, ds, sl);
                if (r % 7 != 0)
                        update_repeated(&s, dp, pl);
                if (r & 1)
                        sha512_update(&s, a, sizeof(a));
                else
                        update_repeated(&s, dp, pl);
                sha512_final(&s, a);
        }

        o = ret;
        memcpy(o, "$6$", 3);
        o += 3;
        memcpy(o, salt, sl);
        o += sl;
        *o++ = '$';
        /* The spec's byte order: groups of three bytes 21 apart. */
        for (unsigned i = 0; i < 21; i++)
                o = put_b64(o, a[(i * 22) % 63], a[(i * 22 + 21) % 63], a[(i * 22 + 42) % 63], 4);
        o = put_b64(o, 0, 0, a[63], 2);
        *o = '\0';
        explicit_bzero(a, sizeof(a));
        explicit_bzero(b, sizeof(b));
        explicit_bzero(dp, sizeof(dp));
        explicit_bzero(ds, sizeof(ds));
        return 0;
}
