/* SPDX-License-Identifier: GPL-2.0-or-later */
/* XXH64 against xxhsum -H1 (Debian's xxhash, the reference implementation)
 * at every length up to 300 (each tail path: 8-, 4- and 1-byte steps after
 * 0..n 32-byte stripes), from every alignment, and for a few MB. */
#include <inttypes.h>
#include <stdio.h>

#include "test-util.h"
#include "xxh64.h"

#define MAX_SMALL 300
#define BIG (3 * 1024 * 1024 + 37)

int main(void) {
        const char *xxhsum = tu_tool_or_skip("TEST_XXHSUM");
        _cleanup_free_ uint8_t *data = malloc(BIG), *moved = malloc(MAX_SMALL + 8);
        _cleanup_free_ char *dir = NULL, *out = NULL;
        const char **argv = calloc(MAX_SMALL + 5, sizeof(char *));
        size_t n = 0, lines = 0;

        ASSERT_TRUE(data && moved && argv);
        tu_fill_random(data, BIG, 64);
        ASSERT_OK(tu_mkdtemp("test-xxh64", &dir));

        /* One file per length, all handed to one xxhsum run. */
        argv[n++] = xxhsum;
        argv[n++] = "-H1";
        for (size_t len = 0; len <= MAX_SMALL; len++) {
                char name[32];

                snprintf(name, sizeof(name), "%zu", len);
                argv[n] = tu_path_join(dir, name);
                ASSERT_OK(tu_write_file(argv[n++], data, len));
        }
        argv[n] = tu_path_join(dir, "big");
        ASSERT_OK(tu_write_file(argv[n++], data, BIG));
        ASSERT_EQ(tu_run(NULL, argv, NULL, &out, NULL), 0);

        for (char *line = out, *nl; *line; line = nl + 1, lines++) {
                size_t len = lines <= MAX_SMALL ? lines : BIG;
                char want[17], got[17];

                nl = strchr(line, '\n');
                ASSERT_TRUE(nl && nl - line > 16 && line[16] == ' ');
                memcpy(want, line, 16);
                want[16] = '\0';
                snprintf(got, sizeof(got), "%016" PRIx64, xxh64(data, len, 0));
                if (!streq(want, got))
                        TU_FAIL("length %zu: xxhsum says %s, we say %s", len, want, got);
                /* The same bytes from every alignment (the payload's blobs
                 * start wherever the one before ended). */
                for (size_t shift = 1; shift < 8 && len <= MAX_SMALL; shift++) {
                        memcpy(moved + shift, data, len);
                        snprintf(got, sizeof(got), "%016" PRIx64, xxh64(moved + shift, len, 0));
                        if (!streq(want, got))
                                TU_FAIL("length %zu at offset %zu: xxhsum says %s, we say %s", len, shift, want, got);
                }
        }
        ASSERT_EQ(lines, (size_t) MAX_SMALL + 2);

        for (size_t i = 2; i < n; i++)
                free((char *) argv[i]);
        free(argv);
        tu_rm_rf(dir);
        return 0;
}
