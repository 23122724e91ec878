/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 against coreutils' sha256sum, at every length around the block
 * and padding boundaries, fed whole and in odd pieces, with the plain C
 * code and, where the CPU has them, the SHA extensions.
 *
 *   test-sha256                      the test
 *   test-sha256 --bench FILE [N]     time both paths on FILE (best of N) */
#include <time.h>
#include <unistd.h>

#include "sha256-internal.h"
#include "sha256.h"
#include "test-util.h"

static const char *impl_name(bool generic) {
        return generic ? "plain C" : "SHA-NI";
}

static void digest_whole(bool generic, const void *data, size_t len, uint8_t ret[static SHA256_DIGEST_SIZE]) {
        sha256_force_generic(generic);
        sha256(data, len, ret);
        sha256_force_generic(false);
}

/* Pieces of 1, 8, 57, 65, 54, 44... bytes, so that updates start and end
 * everywhere in a block. mix: switch implementation at every piece, which
 * only works if both keep the state in the same layout. */
static void digest_pieces(bool generic, bool mix, const void *data, size_t len,
                          uint8_t ret[static SHA256_DIGEST_SIZE]) {
        Sha256 s;
        unsigned n = 0;

        sha256_force_generic(generic);         /* sha256_final() hashes too */
        sha256_init(&s);
        for (size_t off = 0, step = 1; off < len; off += step, step = step * 7 % 67 + 1) {
                sha256_force_generic(mix ? n++ % 2 == 0 : generic);
                sha256_update(&s, (const uint8_t *) data + off, MIN(step, len - off));
        }
        sha256_final(&s, ret);
        sha256_force_generic(false);
}

static void check_len(const char *dir, const char *sha256sum, size_t len, bool accel) {
        _cleanup_free_ void *data = tu_random_data(len, len + 1);
        _cleanup_free_ char *path = tu_path_join(dir, "in"), *out = NULL;
        const char *argv[] = { sha256sum, path, NULL };
        uint8_t d[SHA256_DIGEST_SIZE];
        char hex[65];

        ASSERT_OK(tu_write_file(path, data, len));
        ASSERT_EQ(tu_run(NULL, argv, NULL, &out, NULL), 0);
        ASSERT_TRUE(strlen(out) >= 64);

        for (int generic = 1; generic >= (accel ? 0 : 1); generic--) {
                digest_whole(generic, data, len, d);
                sha256_to_hex(d, hex);
                if (strncmp(out, hex, 64) != 0)
                        TU_FAIL("length %zu, %s, whole: sha256sum says %.64s, we say %s",
                                len, impl_name(generic), out, hex);

                digest_pieces(generic, false, data, len, d);
                sha256_to_hex(d, hex);
                if (strncmp(out, hex, 64) != 0)
                        TU_FAIL("length %zu, %s, in pieces: sha256sum says %.64s, we say %s",
                                len, impl_name(generic), out, hex);
        }

        if (accel) {
                digest_pieces(false, true, data, len, d);
                sha256_to_hex(d, hex);
                if (strncmp(out, hex, 64) != 0)
                        TU_FAIL("length %zu, both in turn: sha256sum says %.64s, we say %s", len, out, hex);
        }
}

static double now_ms(void) {
        struct timespec ts;

        ASSERT_OK(clock_gettime(CLOCK_MONOTONIC, &ts));
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int bench(const char *path, unsigned rounds) {
        _cleanup_free_ void *data = NULL;
        uint8_t ref[SHA256_DIGEST_SIZE] = {};
        size_t size;
        char hex[65];

        ASSERT_OK(tu_read_file(path, &data, &size));
        printf("%s: %zu bytes, best of %u\n", path, size, rounds);
        for (int generic = 1; generic >= (sha256_have_accel() ? 0 : 1); generic--) {
                uint8_t d[SHA256_DIGEST_SIZE];
                double best = 0;

                for (unsigned i = 0; i < rounds; i++) {
                        double t = now_ms();

                        digest_whole(generic, data, size, d);
                        t = now_ms() - t;
                        if (i == 0 || t < best)
                                best = t;
                }
                if (generic)
                        memcpy(ref, d, sizeof(d));
                ASSERT_MEMEQ(ref, sizeof(ref), d, sizeof(d));
                sha256_to_hex(d, hex);
                printf("%-8s %8.2f ms  %7.1f MB/s  %s\n", impl_name(generic), best,
                       best > 0 ? size / 1e3 / best : 0.0, hex);
        }
        if (!sha256_have_accel())
                printf("SHA-NI   not available on this CPU\n");
        return 0;
}

int main(int argc, char *argv[]) {
        const char *sha256sum = "/usr/bin/sha256sum";
        _cleanup_free_ char *dir = NULL;
        bool accel = sha256_have_accel();

        if (argc >= 3 && streq(argv[1], "--bench"))
                return bench(argv[2], argc >= 4 ? (unsigned) atoi(argv[3]) ?: 1 : 10);

        if (access(sha256sum, X_OK) < 0)
                tu_skip("no %s to compare with", sha256sum);
        if (!accel)
                fprintf(stderr, "This CPU has no SHA extensions: only the plain C code is checked.\n");
        ASSERT_OK(tu_mkdtemp("test-sha256", &dir));
        for (size_t len = 0; len <= 300; len++)
                check_len(dir, sha256sum, len, accel);
        check_len(dir, sha256sum, 1000000, accel);
        check_len(dir, sha256sum, 3 * 1024 * 1024 + 37, accel);
        tu_rm_rf(dir);
        return 0;
}
