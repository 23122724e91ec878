/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 against coreutils' sha256sum, at every length around the block
 * and padding boundaries, fed whole and in odd pieces. */
#include <unistd.h>

#include "sha256.h"
#include "test-util.h"

static void check_len(const char *dir, const char *sha256sum, size_t len) {
        _cleanup_free_ void *data = tu_random_data(len, len + 1);
        _cleanup_free_ char *path = tu_path_join(dir, "in"), *out = NULL;
        uint8_t d1[SHA256_DIGEST_SIZE], d2[SHA256_DIGEST_SIZE];
        char hex[65];
        const char *argv[] = { sha256sum, path, NULL };
        Sha256 s;

        ASSERT_OK(tu_write_file(path, data, len));
        ASSERT_EQ(tu_run(NULL, argv, NULL, &out, NULL), 0);

        sha256(data, len, d1);
        sha256_to_hex(d1, hex);
        if (strncmp(out, hex, 64) != 0)
                TU_FAIL("length %zu: sha256sum says %.64s, we say %s", len, out, hex);

        /* The same in pieces of 1, 7, 64, 13... bytes. */
        sha256_init(&s);
        for (size_t off = 0, step = 1; off < len; off += step, step = step * 7 % 67 + 1)
                sha256_update(&s, (const uint8_t *) data + off, MIN(step, len - off));
        sha256_final(&s, d2);
        ASSERT_MEMEQ(d1, sizeof(d1), d2, sizeof(d2));
}

int main(void) {
        const char *sha256sum = "/usr/bin/sha256sum";
        _cleanup_free_ char *dir = NULL;

        if (access(sha256sum, X_OK) < 0)
                tu_skip("no %s to compare with", sha256sum);
        ASSERT_OK(tu_mkdtemp("test-sha256", &dir));
        for (size_t len = 0; len <= 130; len++)
                check_len(dir, sha256sum, len);
        check_len(dir, sha256sum, 1000000);
        tu_rm_rf(dir);
        return 0;
}
