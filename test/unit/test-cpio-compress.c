/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Our gzip and xz members checked by the gzip and xz tools (integrity, the
 * content they decompress to, xz's check type and filter chain), then
 * decompression of theirs and ours, caps and corrupt input.
 */

#include <unistd.h>

#include "cpio.h"
#include "test-util.h"

typedef struct Input {
        const char *what;
        uint8_t *data;
        size_t size;
        bool incompressible;
} Input;

static char *tmp;

/* A random block over and over: past 8 MiB, yet quick to compress. */
static uint8_t *repeated_data(size_t n, uint64_t seed) {
        uint8_t *p = malloc(MAX(n, (size_t) 1));

        ASSERT_TRUE(p);
        tu_fill_random(p, MIN(n, (size_t) 65536), seed);
        for (size_t i = 65536; i < n; i++)
                p[i] = p[i - 65536];
        return p;
}

/* Text-like data: compressible. */
static uint8_t *text_data(size_t n, uint64_t seed) {
        static const char *const words[] = { "initramfs ", "kexec ", "rescue ", "agent ",
                                             "newc ", "070701 ", "\n", "sshd " };
        uint8_t *p = malloc(MAX(n, (size_t) 1)), r[1];

        ASSERT_TRUE(p);
        for (size_t i = 0; i < n;) {
                tu_fill_random(r, 1, seed + i);
                const char *w = words[r[0] % ELEMENTSOF(words)];
                for (size_t k = 0; w[k] && i < n; k++)
                        p[i++] = (uint8_t) w[k];
        }
        return p;
}

static void run_tool(const char *tool, const char *arg1, const char *arg2, const char *file,
                     char **ret_out, size_t *ret_size) {
        const char *const argv[] = { tool, arg1, arg2, file, NULL };
        char *out;
        size_t size;

        ASSERT_EQ(tu_run(NULL, argv, NULL, &out, &size), 0);
        if (ret_out) {
                *ret_out = out;
                *ret_size = size;
        } else
                free(out);
}

/* The line of `xz -lvv --robot` starting with "block": its check and
 * filter chain. Returns the number of blocks (0 for empty input). */
static size_t xz_block_info(const char *xz, const char *file, char *check, size_t check_size,
                          char *filters, size_t filters_size) {
        _cleanup_free_ char *out = NULL;
        size_t size, blocks = 0;

        run_tool(xz, "-lvv", "--robot", file, &out, &size);
        for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
                char *cols[32];
                size_t n = 0;

                if (strncmp(line, "block\t", 6) != 0)
                        continue;
                blocks++;
                for (char *c = strtok_r(line, "\t", &line); c && n < ELEMENTSOF(cols);
                     c = strtok_r(NULL, "\t", &line))
                        cols[n++] = c;
                ASSERT_TRUE(n >= 16);
                snprintf(check, check_size, "%s", cols[9]);
                snprintf(filters, filters_size, "%s", cols[n - 1]);
        }
        return blocks;
}

static void check_with_tools(CpioCompression kind, const Input *in, const void *z, size_t zn) {
        const char *gzip = tu_tool("TEST_GZIP"), *xz = tu_tool("TEST_XZ");
        const char *tool = kind == CPIO_COMPRESSION_GZIP ? gzip : xz;
        _cleanup_free_ char *file = tu_path_join(tmp, "member"), *out = NULL;
        size_t size;

        if (!tool)
                return;
        ASSERT_OK(tu_write_file(file, z, zn));
        run_tool(tool, "-t", "--", file, NULL, NULL);
        run_tool(tool, "-d", "-c", file, &out, &size);
        ASSERT_MEMEQ(out, size, in->data, in->size);

        if (kind == CPIO_COMPRESSION_GZIP) {
                /* mtime 0 in the header: no timestamp leaks, same bytes twice */
                ASSERT_EQ(((const uint8_t *) z)[4] | ((const uint8_t *) z)[5] |
                          ((const uint8_t *) z)[6] | ((const uint8_t *) z)[7], 0);
                return;
        }

        _cleanup_free_ char *robot = NULL;
        run_tool(xz, "-l", "--robot", file, &robot, &size);
        ASSERT_TRUE(strstr(robot, "\tCRC32\t"));
        ASSERT_TRUE(!strstr(robot, "CRC64"));

        char check[32], filters[128], expected[128];
        if (xz_block_info(xz, file, check, sizeof(check), filters, sizeof(filters)) == 0) {
                ASSERT_EQ(in->size, 0);
                return;
        }
        ASSERT_STREQ(check, "CRC32");
        /* The dictionary follows the input size, 4 KiB to 8 MiB. Data that
         * does not compress is stored by liblzma in a plain LZMA2 block
         * with the smallest dictionary, without BCJ. */
        bool stored = in->incompressible;
        size_t dict = 4096;
        while (!stored && dict < (8u << 20) && dict < in->size)
                dict <<= 1;
        snprintf(expected, sizeof(expected), "%s--lzma2=dict=%zu%s",
                 kind == CPIO_COMPRESSION_XZ_X86 && !stored ? "--x86 " : "",
                 dict >= (1u << 20) ? dict >> 20 : dict >> 10, dict >= (1u << 20) ? "MiB" : "KiB");
        ASSERT_STREQ(filters, expected);
        fprintf(stderr, "%s, %zu bytes: %s %zu bytes, %s, %s\n", in->what, in->size,
                cpio_compression_to_string(kind), zn, check, filters);
}

static void test_round_trips(const Input *inputs, size_t n_inputs) {
        for (size_t i = 0; i < n_inputs; i++)
                for (CpioCompression kind = 0; kind < _CPIO_COMPRESSION_MAX; kind++) {
                        const Input *in = &inputs[i];
                        void *z, *z2, *out;
                        size_t zn, zn2, out_size, consumed;

                        ASSERT_OK(cpio_compress(kind, in->data, in->size, &z, &zn));
                        ASSERT_OK(cpio_compress(kind, in->data, in->size, &z2, &zn2));
                        ASSERT_MEMEQ(z, zn, z2, zn2);   /* deterministic */
                        free(z2);

                        if (kind == CPIO_COMPRESSION_NONE) {
                                ASSERT_MEMEQ(z, zn, in->data, in->size);
                                free(z);
                                continue;
                        }
                        ASSERT_EQ(cpio_compression_detect(z, zn),
                                  kind == CPIO_COMPRESSION_GZIP ? CPIO_COMPRESSION_GZIP : CPIO_COMPRESSION_XZ);
                        check_with_tools(kind, in, z, zn);

                        /* Trailing bytes are not part of the member. */
                        uint8_t *padded = malloc(zn + 7);
                        ASSERT_TRUE(padded);
                        memcpy(padded, z, zn);
                        memcpy(padded + zn, "\0\0\0\0070701", 7);
                        ASSERT_OK(cpio_decompress(padded, zn + 7, in->size, &out, &out_size, &consumed));
                        ASSERT_MEMEQ(out, out_size, in->data, in->size);
                        ASSERT_EQ(consumed, zn);
                        free(out);
                        free(padded);

                        /* One byte over the cap. */
                        if (in->size > 0)
                                ASSERT_ERROR(cpio_decompress(z, zn, in->size - 1, &out, &out_size, NULL),
                                             EFBIG);
                        /* Truncated anywhere (a few places for big members). */
                        for (size_t cut = 0; cut < zn; cut += zn < 512 ? 1 : zn / 97 + 1)
                                ASSERT_ERROR(cpio_decompress(z, cut, SIZE_MAX, &out, &out_size, NULL),
                                             EBADMSG);
                        /* A flipped bit in the middle: the CRC or the decoder notices. */
                        ((uint8_t *) z)[zn / 2] ^= 0x10;
                        ASSERT_ERROR(cpio_decompress(z, zn, SIZE_MAX, &out, &out_size, NULL), EBADMSG);
                        free(z);
                }
}

/* Members made by the tools, with settings the kernel would refuse (CRC64)
 * too: our reader is not the kernel and reads them. */
static void test_tool_members(const Input *in) {
        const char *gzip = tu_tool("TEST_GZIP"), *xz = tu_tool("TEST_XZ");
        const char *const *cmds[] = {
                (const char *const[]) { gzip, "-9", "-n", "-c", NULL },
                (const char *const[]) { gzip, "-1", "-c", NULL },
                (const char *const[]) { xz, "--check=crc32", "-c", NULL },
                (const char *const[]) { xz, "--check=crc64", "-c", NULL },
                (const char *const[]) { xz, "--check=sha256", "-0", "-c", NULL },
                (const char *const[]) { xz, "--check=none", "--x86", "--lzma2=preset=1", "-c", NULL },
        };
        _cleanup_free_ char *file = tu_path_join(tmp, "input");

        ASSERT_OK(tu_write_file(file, in->data, in->size));
        for (size_t i = 0; i < ELEMENTSOF(cmds); i++) {
                _cleanup_free_ char *z = NULL;
                void *out;
                size_t zn, out_size, consumed;

                if (!cmds[i][0])
                        continue;
                ASSERT_EQ(tu_run(NULL, cmds[i], file, &z, &zn), 0);
                ASSERT_OK(cpio_decompress(z, zn, in->size, &out, &out_size, &consumed));
                ASSERT_MEMEQ(out, out_size, in->data, in->size);
                ASSERT_EQ(consumed, zn);
                free(out);
        }
}

static void test_errors(void) {
        void *out;
        size_t n;

        ASSERT_ERROR(cpio_compress(_CPIO_COMPRESSION_MAX, "x", 1, &out, &n), EINVAL);
        ASSERT_ERROR(cpio_compress((CpioCompression) -1, "x", 1, &out, &n), EINVAL);
        ASSERT_ERROR(cpio_compress(CPIO_COMPRESSION_GZIP, NULL, 1, &out, &n), EINVAL);
        ASSERT_ERROR(cpio_compress(CPIO_COMPRESSION_XZ, "x", CPIO_COMPRESS_MAX_INPUT + 1, &out, &n), EFBIG);
        ASSERT_ERROR(cpio_decompress("", 0, 100, &out, &n, NULL), EBADMSG);
        ASSERT_ERROR(cpio_decompress("\x1f\x8b", 2, 100, &out, &n, NULL), EBADMSG);
        ASSERT_ERROR(cpio_decompress("\xfd" "7zXZ\0garbage", 12, 100, &out, &n, NULL), EBADMSG);
        ASSERT_ERROR(cpio_decompress("\x28\xb5\x2f\xfd", 4, 100, &out, &n, NULL), EPROTONOSUPPORT);
        ASSERT_ERROR(cpio_compression_detect("hello", 5), EBADMSG);
        ASSERT_EQ(cpio_compression_detect("070701", 6), CPIO_COMPRESSION_NONE);
        ASSERT_STREQ(cpio_compression_to_string(CPIO_COMPRESSION_XZ_X86), "xz-x86");
        ASSERT_TRUE(!cpio_compression_to_string(_CPIO_COMPRESSION_MAX));

        /* A small bomb: 64 MiB of zeros packs into a few KiB. */
        size_t big = 64u << 20;
        uint8_t *zeros = calloc(1, big);
        void *z;
        size_t zn;
        ASSERT_TRUE(zeros);
        ASSERT_OK(cpio_compress(CPIO_COMPRESSION_GZIP, zeros, big, &z, &zn));
        ASSERT_TRUE(zn < 100000);
        ASSERT_ERROR(cpio_decompress(z, zn, 1u << 20, &out, &n, NULL), EFBIG);
        free(z);
        free(zeros);
}

int main(void) {
        Input inputs[] = {
                { "empty" },
                { "one byte" },
                { "text", NULL, 100000 },
                { "random", NULL, 1u << 20, true },
                { "repeated", NULL, (9u << 20) + 3 },
        };
        bool have_tools = tu_tool("TEST_GZIP") && tu_tool("TEST_XZ");

        inputs[0].data = malloc(1);
        inputs[1].data = (uint8_t *) strdup("x");
        inputs[1].size = 1;
        inputs[2].data = text_data(inputs[2].size, 1);
        inputs[3].data = tu_random_data(inputs[3].size, 2);
        inputs[4].data = repeated_data(inputs[4].size, 3);

        ASSERT_OK(tu_mkdtemp("test-cpio-compress", &tmp));
        test_errors();
        test_round_trips(inputs, ELEMENTSOF(inputs));
        if (have_tools)
                test_tool_members(&inputs[2]);
        tu_rm_rf(tmp);
        free(tmp);
        for (size_t i = 0; i < ELEMENTSOF(inputs); i++)
                free(inputs[i].data);

        if (!have_tools)
                tu_skip("gzip or xz missing: our output was not checked by them");
        return EXIT_SUCCESS;
}
