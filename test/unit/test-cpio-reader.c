/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The reader on broken input (every truncation, every byte changed, hand-made
 * bad headers, garbage) and on what others produce: GNU cpio and bsdtar
 * archives, gzip and xz members made by the gzip and xz tools, concatenations
 * with the zero padding the kernel skips.
 */

#include <sys/stat.h>
#include <unistd.h>

#include "cpio.h"
#include "test-util.h"

static bool skipped;

typedef struct Buf {
        uint8_t *data;
        size_t size;
} Buf;

static void buf_append(Buf *b, const void *p, size_t n) {
        uint8_t *q = realloc(b->data, b->size + n + 1);
        if (!q)
                TU_FAIL("out of memory");
        b->data = q;
        if (n > 0)
                memcpy(b->data + b->size, p, n);
        b->size += n;
}

static void buf_zeros(Buf *b, size_t n) {
        for (size_t i = 0; i < n; i++)
                buf_append(b, "", 1);
}

static void buf_free(Buf *b) {
        free(b->data);
        *b = (Buf) {};
}

/* A small archive from our writer: prefix/dir, prefix/dir/file with the
 * given content, prefix/dir/link. */
static Buf small_archive(const char *prefix, const char *content) {
        char path[256];
        const void *data;
        size_t size;
        CpioWriter *w;
        Buf b = {};

        ASSERT_OK(cpio_writer_new(&w));
        snprintf(path, sizeof(path), "%s/dir/file", prefix);
        ASSERT_OK(cpio_writer_add_file(w, path, 0644, 1, 2, 3, content, strlen(content)));
        snprintf(path, sizeof(path), "%s/dir/link", prefix);
        ASSERT_OK(cpio_writer_add_symlink(w, path, "file", 0, 0, 0));
        ASSERT_OK(cpio_writer_finish(w, &data, &size));
        buf_append(&b, data, size);
        cpio_writer_free(w);
        return b;
}

static int parse(const Buf *b, CpioArchive **ret) {
        return cpio_reader_parse(b->data, b->size, ret);
}

/* Parses b, expecting success, and checks the file's content. */
static CpioArchive *parse_ok(const Buf *b, size_t members, size_t entries) {
        CpioArchive *a;

        ASSERT_OK(parse(b, &a));
        ASSERT_EQ(cpio_archive_members(a), members);
        ASSERT_EQ(cpio_archive_count(a), entries);
        return a;
}

static void expect_file(CpioArchive *a, const char *path, const char *content) {
        const CpioEntry *e = cpio_archive_find(a, path);

        if (!e)
                TU_FAIL("%s not found", path);
        ASSERT_TRUE(S_ISREG(e->mode));
        ASSERT_MEMEQ(e->data, e->size, content, strlen(content));
}

static void expect_error(const Buf *b, int err) {
        CpioArchive *a = NULL;

        ASSERT_ERROR(parse(b, &a), err);
        ASSERT_TRUE(!a);
}

static void test_truncated(void) {
        Buf b = small_archive("t", "truncate me\n");
        CpioArchive *a;

        a = parse_ok(&b, 1, 4);
        ASSERT_STREQ(cpio_archive_find(a, "t/dir/link")->link_target, "file");
        expect_file(a, "/t/dir/file", "truncate me\n");
        cpio_archive_free(a);

        /* Every prefix is refused, to the last padding byte after the trailer. */
        for (size_t n = 0; n < b.size; n++) {
                uint8_t *copy = malloc(MAX(n, (size_t) 1));     /* ASan sees any over-read */
                ASSERT_TRUE(copy);
                memcpy(copy, b.data, n);
                a = NULL;
                if (cpio_reader_parse(copy, n, &a) != -EBADMSG)
                        TU_FAIL("truncated at %zu of %zu: not -EBADMSG", n, b.size);
                free(copy);
        }
        buf_free(&b);
}

/* Each byte replaced by a few values: never a crash (ASan and UBSan
 * watch), and a non-hex digit in a header is always refused. */
static void test_mutations(void) {
        static const uint8_t values[] = { 0x00, '0', '7', 'f', 'F', 'g', ' ', 0xff, 0x80 };
        Buf b = small_archive("m", "mutate me\n");
        size_t ok = 0, failed = 0;

        for (size_t i = 0; i < b.size; i++)
                for (size_t v = 0; v < ELEMENTSOF(values) + 1; v++) {
                        uint8_t *copy = malloc(b.size);
                        CpioArchive *a = NULL;

                        ASSERT_TRUE(copy);
                        memcpy(copy, b.data, b.size);
                        copy[i] = v < ELEMENTSOF(values) ? values[v] : copy[i] ^ 1;
                        int r = cpio_reader_parse(copy, b.size, &a);
                        if (r >= 0) {
                                for (size_t k = 0; k < cpio_archive_count(a); k++) {
                                        const CpioEntry *e = cpio_archive_entry(a, k);
                                        ASSERT_TRUE(strlen(e->name) > 0);
                                        ASSERT_TRUE((const uint8_t *) e->data + e->size <= copy + b.size);
                                }
                                ok++;
                        } else
                                failed++;
                        cpio_archive_free(a);
                        free(copy);
                }
        ASSERT_TRUE(ok > 0 && failed > 0);

        /* The mode field of the first header: 'g' and ' ' are not hex. */
        for (size_t i = 6 + 8; i < 6 + 16; i++) {
                b.data[i] = 'g';
                expect_error(&b, EBADMSG);
                b.data[i] = ' ';
                expect_error(&b, EBADMSG);
                b.data[i] = '0';
        }
        buf_free(&b);
}

/* A header from the format description, independent of our writer. */
static void put_entry(Buf *b, const char *magic, uint32_t mode, uint32_t filesize,
                      uint32_t namesize, const void *name, size_t name_bytes,
                      const void *data, size_t data_bytes, uint32_t check) {
        char h[111];

        snprintf(h, sizeof(h), "%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
                 magic, 1u, mode, 0u, 0u, 1u, 0u, filesize, 0u, 0u, 0u, 0u, namesize, check);
        buf_append(b, h, 110);
        buf_append(b, name, name_bytes);
        buf_zeros(b, (4 - b->size % 4) % 4);
        buf_append(b, data, data_bytes);
        buf_zeros(b, (4 - b->size % 4) % 4);
}

static void put_trailer(Buf *b) {
        put_entry(b, "070701", 0, 0, 11, "TRAILER!!!", 11, NULL, 0, 0);
}

static void test_handmade(void) {
        Buf b = {};
        CpioArchive *a;
        char name[4097];

        /* Sanity: the hand-made format parses. Lower-case hex too. */
        put_entry(&b, "070701", S_IFREG | 0644, 2, 2, "a", 2, "hi", 2, 0);
        put_trailer(&b);
        a = parse_ok(&b, 1, 1);
        expect_file(a, "a", "hi");
        cpio_archive_free(a);
        for (size_t i = 6; i < 110; i++)
                if (b.data[i] >= 'A' && b.data[i] <= 'F')
                        b.data[i] += 'a' - 'A';
        cpio_archive_free(parse_ok(&b, 1, 1));
        buf_free(&b);

        put_entry(&b, "070707", S_IFREG | 0644, 0, 2, "a", 2, NULL, 0, 0);    /* odc magic */
        put_trailer(&b);
        expect_error(&b, EBADMSG);
        buf_free(&b);

        put_entry(&b, "070701", S_IFREG | 0644, 0, 0, "", 0, NULL, 0, 0);     /* namesize 0 */
        put_trailer(&b);
        expect_error(&b, EBADMSG);
        buf_free(&b);

        put_entry(&b, "070701", S_IFREG | 0644, 0, 1, "", 1, NULL, 0, 0);     /* empty name */
        put_trailer(&b);
        expect_error(&b, EBADMSG);
        buf_free(&b);

        put_entry(&b, "070701", S_IFREG | 0644, 0, 3, "abc", 3, NULL, 0, 0);  /* no NUL */
        put_trailer(&b);
        expect_error(&b, EBADMSG);
        buf_free(&b);

        put_entry(&b, "070701", S_IFREG | 0644, 0, 4, "a\0b", 4, NULL, 0, 0); /* embedded NUL */
        put_trailer(&b);
        expect_error(&b, EBADMSG);
        buf_free(&b);

        /* Names up to PATH_MAX with the NUL, not beyond. */
        memset(name, 'n', sizeof(name));
        name[4095] = '\0';
        put_entry(&b, "070701", S_IFREG | 0644, 0, 4096, name, 4096, NULL, 0, 0);
        put_trailer(&b);
        cpio_archive_free(parse_ok(&b, 1, 1));
        buf_free(&b);
        name[4095] = 'n';
        name[4096] = '\0';
        put_entry(&b, "070701", S_IFREG | 0644, 0, 4097, name, 4097, NULL, 0, 0);
        put_trailer(&b);
        expect_error(&b, EBADMSG);
        buf_free(&b);

        /* Sizes past the end. */
        put_entry(&b, "070701", S_IFREG | 0644, 0xffffffff, 2, "a", 2, "x", 1, 0);
        put_trailer(&b);
        expect_error(&b, EBADMSG);
        buf_free(&b);
        put_entry(&b, "070701", S_IFREG | 0644, 0, 0xffffffff, "a", 2, NULL, 0, 0);
        put_trailer(&b);
        expect_error(&b, EBADMSG);
        buf_free(&b);

        /* No trailer. */
        put_entry(&b, "070701", S_IFREG | 0644, 2, 2, "a", 2, "hi", 2, 0);
        expect_error(&b, EBADMSG);
        buf_free(&b);

        /* Symlinks need a target without NUL. */
        put_entry(&b, "070701", S_IFLNK | 0777, 0, 2, "l", 2, NULL, 0, 0);
        put_trailer(&b);
        expect_error(&b, EBADMSG);
        buf_free(&b);
        put_entry(&b, "070701", S_IFLNK | 0777, 3, 2, "l", 2, "a\0b", 3, 0);
        put_trailer(&b);
        expect_error(&b, EBADMSG);
        buf_free(&b);

        /* "070702": the check field is the byte sum of the data. */
        put_entry(&b, "070702", S_IFREG | 0644, 3, 2, "c", 2, "\x01\x02\xff", 3, 0x102);
        put_trailer(&b);
        cpio_archive_free(parse_ok(&b, 1, 1));
        buf_free(&b);
        put_entry(&b, "070702", S_IFREG | 0644, 3, 2, "c", 2, "\x01\x02\xff", 3, 0x103);
        put_trailer(&b);
        expect_error(&b, EBADMSG);
        buf_free(&b);

        /* Nothing, only padding, unknown bytes, unsupported compression. */
        expect_error(&b, EBADMSG);
        buf_zeros(&b, 512);
        expect_error(&b, EBADMSG);
        buf_free(&b);
        buf_append(&b, "hello world, not an archive", 27);
        expect_error(&b, EBADMSG);
        buf_free(&b);
        buf_append(&b, "\x28\xb5\x2f\xfd" "zstd frame", 14);
        expect_error(&b, EPROTONOSUPPORT);
        buf_free(&b);
        buf_append(&b, "BZh91AY&SY", 10);
        expect_error(&b, EPROTONOSUPPORT);
        buf_free(&b);
}

static void test_garbage(void) {
        for (uint64_t seed = 0; seed < 2000; seed++) {
                size_t n = 1 + seed % 700;
                _cleanup_free_ uint8_t *p = tu_random_data(n, seed);
                CpioArchive *a = NULL;

                if (seed % 3 == 0 && n >= 6)
                        memcpy(p, "070701", 6);         /* get past the magic */
                else if (seed % 3 == 1 && n >= 2)
                        memcpy(p, "\x1f\x8b", 2);       /* into zlib */
                ASSERT_TRUE(cpio_reader_parse(p, n, &a) < 0);
                ASSERT_TRUE(!a);
        }
}

static void test_concatenation(void) {
        Buf a1 = small_archive("one", "first\n"), a2 = small_archive("two", "second\n");
        CpioArchive *a;

        ASSERT_EQ(a1.size % 4, 0);
        for (size_t pad = 0; pad <= 16; pad++) {
                Buf b = {};

                buf_append(&b, a1.data, a1.size);
                buf_zeros(&b, pad);
                buf_append(&b, a2.data, a2.size);
                buf_zeros(&b, pad);             /* trailing padding is fine */
                if (pad % 4 == 0) {
                        a = parse_ok(&b, 2, 8);
                        expect_file(a, "one/dir/file", "first\n");
                        expect_file(a, "two/dir/file", "second\n");
                        ASSERT_EQ(cpio_archive_find(a, "two/dir/file")->member, 1);
                        cpio_archive_free(a);
                } else
                        /* The kernel looks for "070701" only at aligned offsets. */
                        expect_error(&b, EBADMSG);
                buf_free(&b);
        }

        /* A later member overrides an earlier one, as when the kernel unpacks. */
        Buf b = {}, over = small_archive("one", "override\n");
        buf_append(&b, a1.data, a1.size);
        buf_append(&b, over.data, over.size);
        a = parse_ok(&b, 2, 8);
        expect_file(a, "one/dir/file", "override\n");
        cpio_archive_free(a);

        /* Junk after a complete archive. */
        buf_append(&b, "junk", 4);
        expect_error(&b, EBADMSG);

        buf_free(&b);
        buf_free(&over);
        buf_free(&a1);
        buf_free(&a2);
}

/* Compresses with a reference tool: argv without the input, which comes
 * on stdin. */
static bool tool_compress(const char *env, const char *const *args, const Buf *in, Buf *ret) {
        const char *tool = tu_tool(env);
        _cleanup_free_ char *tmp = NULL, *file = NULL, *out = NULL;
        const char *argv[8] = { tool };
        size_t size;

        if (!tool) {
                fprintf(stderr, "$%s unset: skipping what needs it\n", env);
                skipped = true;
                return false;
        }
        for (size_t i = 0; args[i]; i++)
                argv[i + 1] = args[i];

        ASSERT_OK(tu_mkdtemp("test-cpio-reader", &tmp));
        file = tu_path_join(tmp, "in");
        ASSERT_OK(tu_write_file(file, in->data, in->size));
        ASSERT_EQ(tu_run(NULL, argv, file, &out, &size), 0);
        *ret = (Buf) {};
        buf_append(ret, out, size);
        tu_rm_rf(tmp);
        return true;
}

static void test_compressed_members(void) {
        static const char *const gzip_args[] = { "-9", "-c", "-n", NULL };
        static const char *const xz_args[] = { "--check=crc32", "-c", NULL };
        static const char *const xz64_args[] = { "--check=crc64", "-c", NULL };
        Buf early = small_archive("kernel/x86/microcode", "ucode\n");
        Buf main1 = small_archive("etc", "from gzip\n"), main2 = small_archive("etc", "from xz\n");
        Buf tail = small_archive("tail", "tail\n");
        Buf gz, xz;
        CpioArchive *a;

        /* Our own compressor always; the reference tools when present,
         * xz with CRC32 (what the kernel wants) and CRC64 (its default). */
        for (int tools = 0; tools < 3; tools++) {
                if (tools) {
                        if (!tool_compress("TEST_GZIP", gzip_args, &main1, &gz))
                                continue;
                        if (!tool_compress("TEST_XZ", tools == 1 ? xz_args : xz64_args, &main2, &xz)) {
                                buf_free(&gz);
                                continue;
                        }
                } else {
                        gz = xz = (Buf) {};
                        ASSERT_OK(cpio_compress(CPIO_COMPRESSION_GZIP, main1.data, main1.size,
                                                (void **) &gz.data, &gz.size));
                        ASSERT_OK(cpio_compress(CPIO_COMPRESSION_XZ, main2.data, main2.size,
                                                (void **) &xz.data, &xz.size));
                }

                /* Like Debian's initrd: an uncompressed early archive, then
                 * compressed ones; compressed members need no alignment. */
                Buf b = {};
                buf_append(&b, early.data, early.size);
                buf_append(&b, gz.data, gz.size);
                buf_append(&b, xz.data, xz.size);
                buf_zeros(&b, cpio_append_padding(b.size) + 8);
                buf_append(&b, tail.data, tail.size);
                a = parse_ok(&b, 4, 18);
                expect_file(a, "kernel/x86/microcode/dir/file", "ucode\n");
                expect_file(a, "etc/dir/file", "from xz\n");
                expect_file(a, "tail/dir/file", "tail\n");
                ASSERT_EQ(cpio_archive_find(a, "etc/dir/file")->member, 2);
                cpio_archive_free(a);

                /* The unpacked-size cap covers every member together. */
                CpioReaderLimits limits = { .max_entries = 100, .max_unpacked = main1.size + main2.size };
                ASSERT_OK(cpio_reader_parse_limited(b.data, b.size, &limits, &a));
                cpio_archive_free(a);
                limits.max_unpacked--;
                a = NULL;
                ASSERT_ERROR(cpio_reader_parse_limited(b.data, b.size, &limits, &a), EFBIG);
                limits = (CpioReaderLimits) { .max_entries = 17, .max_unpacked = UINT64_MAX };
                ASSERT_ERROR(cpio_reader_parse_limited(b.data, b.size, &limits, &a), E2BIG);
                ASSERT_TRUE(!a);

                /* A truncated compressed member. */
                Buf t = {};
                buf_append(&t, early.data, early.size);
                buf_append(&t, gz.data, gz.size - 5);
                expect_error(&t, EBADMSG);
                buf_free(&t);
                buf_append(&t, xz.data, xz.size - 1);
                expect_error(&t, EBADMSG);
                buf_free(&t);

                buf_free(&b);
                buf_free(&gz);
                buf_free(&xz);
        }

        buf_free(&early);
        buf_free(&main1);
        buf_free(&main2);
        buf_free(&tail);
}

/* What a compressed member may hold: whole archives and NUL padding. */
static void test_compressed_content(void) {
        Buf one = small_archive("in", "inside\n"), two = small_archive("in2", "inside2\n");
        struct {
                const char *what;
                int error;
                size_t entries;
        } cases[] = {
                { "two archives, padding",   0,       8 },
                { "archive without trailer", EBADMSG, 0 },
                { "junk after the archive",  EBADMSG, 0 },
                { "nested gzip",             EBADMSG, 0 },
                { "nothing",                 EBADMSG, 0 },
                { "misaligned second",       EBADMSG, 0 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Buf in = {}, b = {};
                void *z;
                size_t zn;
                CpioArchive *a;

                switch (i) {
                case 0:
                        buf_append(&in, one.data, one.size);
                        buf_zeros(&in, 12);
                        buf_append(&in, two.data, two.size);
                        buf_zeros(&in, 3);
                        break;
                case 1:
                        buf_append(&in, one.data, one.size - 124);
                        break;
                case 2:
                        buf_append(&in, one.data, one.size);
                        buf_append(&in, "junk", 4);
                        break;
                case 3:
                        ASSERT_OK(cpio_compress(CPIO_COMPRESSION_GZIP, one.data, one.size, &z, &zn));
                        buf_append(&in, z, zn);
                        free(z);
                        break;
                case 4:
                        buf_zeros(&in, 4);
                        break;
                case 5:
                        buf_append(&in, one.data, one.size);
                        buf_zeros(&in, 2);
                        buf_append(&in, two.data, two.size);
                        break;
                }

                ASSERT_OK(cpio_compress(i % 2 ? CPIO_COMPRESSION_XZ : CPIO_COMPRESSION_GZIP,
                                        in.data, in.size, &z, &zn));
                buf_append(&b, z, zn);
                free(z);
                if (cases[i].error) {
                        fprintf(stderr, "compressed member with %s: refused\n", cases[i].what);
                        expect_error(&b, cases[i].error);
                } else {
                        a = parse_ok(&b, 2, cases[i].entries);
                        expect_file(a, "in2/dir/file", "inside2\n");
                        cpio_archive_free(a);
                }
                buf_free(&in);
                buf_free(&b);
        }
        buf_free(&one);
        buf_free(&two);
}

/* Archives GNU cpio and bsdtar make from a directory tree. */
static void test_foreign_archives(void) {
        const char *cpio = tu_tool("TEST_CPIO"), *bsdtar = tu_tool("TEST_BSDTAR");
        _cleanup_free_ char *tmp = NULL, *tree = NULL, *list = NULL, *out = NULL;
        _cleanup_free_ void *big = tu_random_data(70001, 7);
        size_t size;

        if (!cpio || !bsdtar) {
                fprintf(stderr, "cpio or bsdtar missing: skipping foreign archives\n");
                skipped = true;
                return;
        }

        ASSERT_OK(tu_mkdtemp("test-cpio-reader", &tmp));
        tree = tu_path_join(tmp, "tree");
        ASSERT_TRUE(mkdir(tree, 0755) == 0);
        _cleanup_free_ char *sub = tu_path_join(tree, "sub");
        ASSERT_TRUE(mkdir(sub, 0700) == 0);
        _cleanup_free_ char *f1 = tu_path_join(tree, "sub/big");
        ASSERT_OK(tu_write_file(f1, big, 70001));
        _cleanup_free_ char *f2 = tu_path_join(tree, "small");
        ASSERT_OK(tu_write_file(f2, "abc", 3));
        _cleanup_free_ char *l = tu_path_join(tree, "sub/link");
        ASSERT_TRUE(symlink("../small", l) == 0);
        list = tu_path_join(tmp, "list");
        ASSERT_OK(tu_write_file(list, "sub\nsub/big\nsmall\nsub/link\n", 26));

        /* newc and crc (checksums verified) from GNU cpio, newc from bsdtar. */
        for (int k = 0; k < 3; k++) {
                const char *const newc[] = { cpio, "-o", "--quiet", "-H", "newc", NULL };
                const char *const crc[] = { cpio, "-o", "--quiet", "-H", "crc", NULL };
                const char *const tar[] = { bsdtar, "-c", "-n", "--format", "newc", "-f", "-",
                                            "-T", list, NULL };
                CpioArchive *a;

                free(out);
                out = NULL;
                ASSERT_EQ(tu_run(tree, k == 0 ? newc : k == 1 ? crc : tar, list, &out, &size), 0);
                ASSERT_OK(cpio_reader_parse(out, size, &a));
                ASSERT_EQ(cpio_archive_count(a), 4);
                const CpioEntry *e = cpio_archive_find(a, "sub/big");
                ASSERT_TRUE(e);
                ASSERT_MEMEQ(e->data, e->size, big, 70001);
                ASSERT_EQ(cpio_archive_find(a, "sub")->mode, S_IFDIR | 0700);
                ASSERT_STREQ(cpio_archive_find(a, "sub/link")->link_target, "../small");
                ASSERT_MEMEQ(cpio_archive_find(a, "small")->data, 3, "abc", 3);
                cpio_archive_free(a);

                if (k == 1) {   /* a changed data byte breaks the checksum */
                        uint8_t *p = memmem(out, size, "abc", 3);
                        ASSERT_TRUE(p);
                        p[1] = 'B';
                        a = NULL;
                        ASSERT_ERROR(cpio_reader_parse(out, size, &a), EBADMSG);
                }
        }
        tu_rm_rf(tmp);
}

int main(void) {
        test_truncated();
        test_mutations();
        test_handmade();
        test_garbage();
        test_concatenation();
        test_compressed_content();
        test_compressed_members();
        test_foreign_archives();

        if (skipped)
                tu_skip("some reference tools are missing (see above)");
        return EXIT_SUCCESS;
}
