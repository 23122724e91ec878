/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The writer against references nobody here wrote: GNU cpio and bsdtar
 * extract and list our archives, and what they produce must be exactly what
 * was added. Then the reader round trip, the exact bytes of a tiny archive,
 * determinism, parents first, limits and invalid paths.
 */

#include <ftw.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cpio.h"
#include "test-util.h"

typedef struct Spec {
        char *path;
        char type;              /* 'f', 'd' or 'l' */
        uint32_t mode, uid, gid;
        int64_t mtime;
        void *data;
        size_t size;
        char *target;
        bool implicit;          /* created by the writer as a parent */
} Spec;

typedef struct Specs {
        Spec *v;
        size_t n;
} Specs;

static Spec *spec_add(Specs *s, char type, const char *path, uint32_t mode,
                      uint32_t uid, uint32_t gid, int64_t mtime) {
        Spec *p = reallocarray(s->v, s->n + 1, sizeof(Spec));
        if (!p)
                TU_FAIL("out of memory");
        s->v = p;
        p = &s->v[s->n++];
        *p = (Spec) {
                .path = strdup(path),
                .type = type,
                .mode = mode,
                .uid = uid,
                .gid = gid,
                .mtime = mtime,
        };
        ASSERT_TRUE(p->path);
        return p;
}

static void specs_free(Specs *s) {
        for (size_t i = 0; i < s->n; i++) {
                free(s->v[i].path);
                free(s->v[i].data);
                free(s->v[i].target);
        }
        free(s->v);
        *s = (Specs) {};
}

static int spec_compare(const void *a, const void *b) {
        return strcmp(((const Spec *) a)->path, ((const Spec *) b)->path);
}

static const Spec *spec_find(const Specs *s, const char *path) {
        for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->v[i].path, path) == 0)
                        return &s->v[i];
        return NULL;
}

static uint32_t spec_st_mode(const Spec *s) {
        switch (s->type) {
        case 'd':
                return S_IFDIR | s->mode;
        case 'l':
                return S_IFLNK | 0777;
        default:
                return S_IFREG | s->mode;
        }
}

/* Old enough that cpio and bsdtar print the year, not the time. */
static int64_t test_mtime(size_t i) {
        return 1000000000 + (int64_t) i * (7 * 86400 + 3661);
}

static const size_t file_sizes[] = { 0, 1, 2, 3, 4, 5, 4097, 1u << 20 };
static const uint32_t file_modes[] = { 0644, 0600, 0755, 0444, 04755, 02711, 0640 };
static const uint32_t owners[][2] = { { 0, 0 }, { 1000, 1000 }, { 65534, 100 } };

/* Every (strlen(name) + 1) % 4 residue with every file size, a few
 * directory modes, symlinks, odd names and implicit parents. */
static void make_specs(Specs *s) {
        size_t k = 0;

        spec_add(s, 'd', "files", 0755, 0, 0, test_mtime(k++));
        spec_add(s, 'd', "dirs", 0755, 0, 0, test_mtime(k++));
        spec_add(s, 'd', "dirs/private", 0700, 1000, 1000, test_mtime(k++));
        spec_add(s, 'd', "dirs/sticky", 01777, 0, 0, test_mtime(k++));
        spec_add(s, 'd', "dirs/setgid", 02775, 0, 100, test_mtime(k++));
        spec_add(s, 'd', "dirs/empty", 0555, 0, 0, test_mtime(k++));

        for (unsigned residue = 0; residue < 4; residue++)
                for (size_t i = 0; i < ELEMENTSOF(file_sizes); i++) {
                        char name[64];
                        int n = snprintf(name, sizeof(name), "files/r%u-s%zu-", residue, file_sizes[i]);
                        while ((size_t) (n + 1) % 4 != residue)
                                name[n++] = 'x';
                        name[n] = '\0';

                        size_t j = residue * ELEMENTSOF(file_sizes) + i;
                        Spec *p = spec_add(s, 'f', name, file_modes[j % ELEMENTSOF(file_modes)],
                                           owners[j % ELEMENTSOF(owners)][0],
                                           owners[j % ELEMENTSOF(owners)][1], test_mtime(k++));
                        p->size = file_sizes[i];
                        p->data = tu_random_data(p->size, j);
                }

        Spec *p = spec_add(s, 'f', "names/with space", 0644, 0, 0, test_mtime(k++));
        p->data = strdup("space\n");
        p->size = 6;
        p = spec_add(s, 'f', "names/\xc3\xbcnic\xc3\xb8" "de", 0644, 0, 0, test_mtime(k++));
        p->data = strdup("utf-8\n");
        p->size = 6;

        /* Parents of these are left to the writer. */
        p = spec_add(s, 'f', "implicit/a/b/file", 0600, 0, 0, test_mtime(k++));
        p->data = strdup("deep\n");
        p->size = 5;
        spec_add(s, 'd', "implicit/x/y", 0750, 0, 0, test_mtime(k++));

        p = spec_add(s, 'l', "links/relative", 0, 0, 0, test_mtime(k++));
        p->target = strdup("../files/r1-s4097-xx");
        p = spec_add(s, 'l', "links/absolute", 0, 0, 0, test_mtime(k++));
        p->target = strdup("/etc/passwd");
        p = spec_add(s, 'l', "links/dangling", 0, 1000, 1000, test_mtime(k++));
        p->target = strdup("nowhere/at/all");
        p = spec_add(s, 'l', "links/long", 0, 0, 0, test_mtime(k++));
        p->target = malloc(301);
        ASSERT_TRUE(p->target);
        for (size_t i = 0; i < 300; i++)
                p->target[i] = "abc/"[i % 4];
        p->target[300] = '\0';
}

/* The implicit parents the writer must have made for the specs. */
static void add_implicit(Specs *s) {
        const char *dirs[] = { "implicit", "implicit/a", "implicit/a/b", "implicit/x", "links", "names" };

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
                spec_add(s, 'd', dirs[i], 0755, 0, 0, 0)->implicit = true;
}

static int add_spec(CpioWriter *w, const Spec *p) {
        switch (p->type) {
        case 'd':
                return cpio_writer_add_dir(w, p->path, p->mode, p->uid, p->gid, p->mtime);
        case 'l':
                return cpio_writer_add_symlink(w, p->path, p->target, p->uid, p->gid, p->mtime);
        default:
                return cpio_writer_add_file(w, p->path, p->mode, p->uid, p->gid, p->mtime,
                                            p->data, p->size);
        }
}

static CpioWriter *build(const Specs *s, bool reverse) {
        CpioWriter *w;

        ASSERT_OK(cpio_writer_new(&w));
        for (size_t i = 0; i < s->n; i++) {
                const Spec *p = &s->v[reverse ? s->n - 1 - i : i];
                if (!p->implicit)
                        ASSERT_OK(add_spec(w, p));
        }
        return w;
}

/* ls -l style: what cpio -tv and bsdtar -tv print. */
static void mode_string(uint32_t mode, char buf[11]) {
        buf[0] = S_ISDIR(mode) ? 'd' : S_ISLNK(mode) ? 'l' : '-';
        for (int i = 0; i < 3; i++) {
                uint32_t bits = mode >> (6 - 3 * i);
                buf[1 + 3 * i] = bits & 4 ? 'r' : '-';
                buf[2 + 3 * i] = bits & 2 ? 'w' : '-';
                buf[3 + 3 * i] = bits & 1 ? 'x' : '-';
        }
        if (mode & S_ISUID)
                buf[3] = buf[3] == 'x' ? 's' : 'S';
        if (mode & S_ISGID)
                buf[6] = buf[6] == 'x' ? 's' : 'S';
        if (mode & S_ISVTX)
                buf[9] = buf[9] == 'x' ? 't' : 'T';
        buf[10] = '\0';
}

/* In the C locale both tools print bytes outside ASCII as \ooo. */
static void unescape(char *s) {
        char *out = s;

        while (*s) {
                if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
                    s[3] >= '0' && s[3] <= '7') {
                        *out++ = (char) ((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
                        s += 4;
                } else if (s[0] == '\\' && s[1] == '\\') {
                        *out++ = '\\';
                        s += 2;
                } else
                        *out++ = *s++;
        }
        *out = '\0';
}

/* Checks a `-t -v` listing line by line against the sorted specs:
 * mode uid gid size date name [-> target]. */
static void check_listing(const char *tool, char *out, const Specs *sorted) {
        size_t i = 0;

        for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"), i++) {
                char perms[16], month[8], name[4096];
                unsigned long nlink, uid, gid, size, day, year;
                char expected_perms[11], expected_month[8];
                int n;

                ASSERT_TRUE(i < sorted->n);
                const Spec *p = &sorted->v[i];
                if (sscanf(line, "%15s %lu %lu %lu %lu %7s %lu %lu %n",
                           perms, &nlink, &uid, &gid, &size, month, &day, &year, &n) != 8)
                        TU_FAIL("%s: cannot parse \"%s\"", tool, line);

                snprintf(name, sizeof(name), "%s", line + n);
                if (p->type == 'l') {
                        char *arrow = strstr(name, " -> ");
                        ASSERT_TRUE(arrow);
                        *arrow = '\0';
                        ASSERT_STREQ(arrow + 4, p->target);
                }
                unescape(name);
                ASSERT_STREQ(name, p->path);
                mode_string(spec_st_mode(p), expected_perms);
                ASSERT_STREQ(perms, expected_perms);
                ASSERT_EQ(nlink, p->type == 'd' ? 2 : 1);
                ASSERT_EQ(uid, p->uid);
                ASSERT_EQ(gid, p->gid);
                ASSERT_EQ(size, p->type == 'l' ? strlen(p->target) : p->type == 'd' ? 0 : p->size);

                time_t t = (time_t) p->mtime;
                struct tm tm;
                ASSERT_TRUE(gmtime_r(&t, &tm));
                strftime(expected_month, sizeof(expected_month), "%b", &tm);
                ASSERT_STREQ(month, expected_month);
                ASSERT_EQ(day, tm.tm_mday);
                ASSERT_EQ(year, tm.tm_year + 1900);
        }
        ASSERT_EQ(i, sorted->n);
}

static size_t n_found;

static int count_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        n_found++;
        return 0;
}

/* What a tool extracted into dir must be what was written, nothing more. */
static void check_tree(const char *tool, const char *dir, const Specs *s, bool dir_mtimes) {
        bool root = geteuid() == 0;

        for (size_t i = 0; i < s->n; i++) {
                const Spec *p = &s->v[i];
                _cleanup_free_ char *path = tu_path_join(dir, p->path);
                struct stat st;

                if (lstat(path, &st) < 0)
                        TU_FAIL("%s: %s missing: %m", tool, p->path);
                uint32_t want = spec_st_mode(p);
                ASSERT_EQ(st.st_mode & S_IFMT, want & S_IFMT);
                /* Without root, cpio and bsdtar cannot give files away and
                 * drop set-id bits; compare what an ordinary user keeps. */
                if (!S_ISLNK(want))
                        ASSERT_EQ(st.st_mode & (root ? 07777 : 0777), want & (root ? 07777 : 0777));
                if (root) {
                        ASSERT_EQ(st.st_uid, p->uid);
                        ASSERT_EQ(st.st_gid, p->gid);
                }

                if (p->type == 'f') {
                        _cleanup_free_ void *data = NULL;
                        size_t size;
                        ASSERT_OK(tu_read_file(path, &data, &size));
                        ASSERT_MEMEQ(data, size, p->data, p->size);
                        ASSERT_EQ(st.st_mtime, p->mtime);
                } else if (p->type == 'l') {
                        char target[CPIO_PATH_MAX];
                        ssize_t k = readlink(path, target, sizeof(target));
                        ASSERT_TRUE(k > 0);
                        ASSERT_MEMEQ(target, (size_t) k, p->target, strlen(p->target));
                } else if (dir_mtimes)
                        ASSERT_EQ(st.st_mtime, p->mtime);
        }

        n_found = 0;
        ASSERT_EQ(nftw(dir, count_one, 16, FTW_PHYS), 0);
        ASSERT_EQ(n_found, s->n + 1);   /* + dir itself */
}

static void test_reference_tools(const void *archive, size_t size, const Specs *s,
                                 const Specs *sorted) {
        const char *cpio = tu_tool_or_skip("TEST_CPIO"), *bsdtar = tu_tool_or_skip("TEST_BSDTAR");
        _cleanup_free_ char *tmp = NULL, *file = NULL, *x1 = NULL, *x2 = NULL;
        _cleanup_free_ char *out = NULL, *out2 = NULL;

        ASSERT_OK(tu_mkdtemp("test-cpio-writer", &tmp));
        file = tu_path_join(tmp, "archive.cpio");
        x1 = tu_path_join(tmp, "cpio");
        x2 = tu_path_join(tmp, "bsdtar");
        ASSERT_OK(tu_write_file(file, archive, size));
        ASSERT_TRUE(mkdir(x1, 0700) == 0 && mkdir(x2, 0700) == 0);

        /* The tests run with LC_ALL=C TZ=UTC (see meson.build). */
        const char *const list1[] = { cpio, "-t", "-v", "-n", "--quiet", "-H", "newc", NULL };
        ASSERT_EQ(tu_run(NULL, list1, file, &out, NULL), 0);
        check_listing("cpio -tv", out, sorted);

        const char *const list2[] = { bsdtar, "-t", "-v", "--numeric-owner", "-f", file, NULL };
        ASSERT_EQ(tu_run(NULL, list2, NULL, &out2, NULL), 0);
        check_listing("bsdtar -tv", out2, sorted);

        const char *const extract1[] = { cpio, "-i", "-d", "-m", "--quiet", "--no-absolute-filenames",
                                         "-H", "newc", NULL };
        ASSERT_EQ(tu_run(x1, extract1, file, NULL, NULL), 0);
        /* GNU cpio sets the mtime of files but not of directories. */
        check_tree("cpio", x1, s, false);

        const char *const extract2[] = { bsdtar, "-x", "-p", "--numeric-owner", "-f", file, "-C", x2, NULL };
        ASSERT_EQ(tu_run(NULL, extract2, NULL, NULL, NULL), 0);
        check_tree("bsdtar", x2, s, true);

        tu_rm_rf(tmp);
}

static void test_round_trip(const void *archive, size_t size, const Specs *sorted) {
        CpioArchive *a;

        ASSERT_OK(cpio_reader_parse(archive, size, &a));
        ASSERT_EQ(cpio_archive_count(a), sorted->n);
        ASSERT_EQ(cpio_archive_members(a), 1);
        for (size_t i = 0; i < sorted->n; i++) {
                const CpioEntry *e = cpio_archive_entry(a, i);
                const Spec *p = &sorted->v[i];

                ASSERT_STREQ(e->name, p->path);
                ASSERT_EQ(e->mode, spec_st_mode(p));
                ASSERT_EQ(e->uid, p->uid);
                ASSERT_EQ(e->gid, p->gid);
                ASSERT_EQ(e->mtime, p->mtime);
                ASSERT_EQ(e->ino, i + 1);
                ASSERT_EQ(e->nlink, p->type == 'd' ? 2 : 1);
                ASSERT_EQ(e->dev_major | e->dev_minor | e->rdev_major | e->rdev_minor, 0);
                if (p->type == 'f')
                        ASSERT_MEMEQ(e->data, e->size, p->data, p->size);
                else if (p->type == 'l')
                        ASSERT_STREQ(e->link_target, p->target);
                else
                        ASSERT_EQ(e->size, 0);
                ASSERT_TRUE(cpio_archive_find(a, p->path) == e);
        }
        ASSERT_TRUE(!cpio_archive_entry(a, sorted->n));
        ASSERT_TRUE(!cpio_archive_find(a, "nonexistent"));
        cpio_archive_free(a);
}

/* Each parent appears before its children. */
static void test_parents_first(const Specs *sorted) {
        for (size_t i = 0; i < sorted->n; i++) {
                _cleanup_free_ char *parent = strdup(sorted->v[i].path);
                char *slash = strrchr(parent, '/');

                if (!slash)
                        continue;
                *slash = '\0';
                const Spec *p = spec_find(sorted, parent);
                ASSERT_TRUE(p && p->type == 'd' && p < &sorted->v[i]);
        }
}

/* The exact bytes, spelled out from the format description. */
static void test_golden(void) {
        static const char expected[] =
                "070701" "00000001" "000081A4" "000003E8" "00000064" "00000001" "5F5E1000"
                "00000003" "00000000" "00000000" "00000000" "00000000" "00000002" "00000000"
                "a\0" "hi\n\0"       /* 110 + 2 is aligned; 3 + 1 */
                "070701" "00000000" "00000000" "00000000" "00000000" "00000001" "00000000"
                "00000000" "00000000" "00000000" "00000000" "00000000" "0000000B" "00000000"
                "TRAILER!!!\0" "\0\0\0"; /* 110 + 11 + 3 */
        const void *data;
        size_t size;
        CpioWriter *w;

        ASSERT_OK(cpio_writer_new(&w));
        ASSERT_OK(cpio_writer_add_file(w, "/a", 0644, 1000, 100, 0x5F5E1000, "hi\n", 3));
        ASSERT_OK(cpio_writer_finish(w, &data, &size));
        ASSERT_EQ(size, 240);
        ASSERT_MEMEQ(data, size, expected, sizeof(expected) - 1);
        cpio_writer_free(w);

        /* No entries: the trailer alone, still a valid archive. */
        CpioArchive *a;
        ASSERT_OK(cpio_writer_new(&w));
        ASSERT_OK(cpio_writer_finish(w, &data, &size));
        ASSERT_MEMEQ(data, size, expected + 116, 124);
        ASSERT_OK(cpio_reader_parse(data, size, &a));
        ASSERT_EQ(cpio_archive_count(a), 0);
        cpio_archive_free(a);
        cpio_writer_free(w);
}

static void test_determinism(const Specs *s) {
        const void *d1, *d2, *d3;
        size_t n1, n2, n3;
        CpioWriter *w1 = build(s, false), *w2 = build(s, true), *w3 = build(s, false);

        ASSERT_OK(cpio_writer_finish(w1, &d1, &n1));
        ASSERT_OK(cpio_writer_finish(w2, &d2, &n2));
        ASSERT_OK(cpio_writer_finish(w3, &d3, &n3));
        ASSERT_MEMEQ(d1, n1, d2, n2);
        ASSERT_MEMEQ(d1, n1, d3, n3);
        ASSERT_EQ(n1 % 4, 0);

        /* finish twice: the same buffer */
        ASSERT_OK(cpio_writer_finish(w1, &d2, &n2));
        ASSERT_TRUE(d1 == d2 && n1 == n2);

        cpio_writer_free(w1);
        cpio_writer_free(w2);
        cpio_writer_free(w3);
}

static void test_implicit_then_explicit(void) {
        const void *data;
        size_t size;
        CpioWriter *w;
        CpioArchive *a;

        ASSERT_OK(cpio_writer_new(&w));
        ASSERT_OK(cpio_writer_add_file(w, "etc/ssh/key", 0600, 0, 0, 5, "k", 1));
        ASSERT_EQ(cpio_writer_count(w), 3);
        /* Explicit attributes replace the implicit ones, once. */
        ASSERT_OK(cpio_writer_add_dir(w, "etc", 0700, 7, 8, 9));
        ASSERT_ERROR(cpio_writer_add_dir(w, "etc", 0700, 7, 8, 9), EEXIST);
        ASSERT_ERROR(cpio_writer_add_file(w, "etc/ssh", 0644, 0, 0, 0, "", 0), EEXIST);
        ASSERT_ERROR(cpio_writer_add_symlink(w, "/etc/ssh/key", "x", 0, 0, 0), EEXIST);
        ASSERT_ERROR(cpio_writer_add_file(w, "etc/ssh/key/sub", 0644, 0, 0, 0, "", 0), ENOTDIR);
        ASSERT_OK(cpio_writer_add_symlink(w, "etc/link", "ssh", 0, 0, 0));
        ASSERT_ERROR(cpio_writer_add_dir(w, "etc/link/x", 0755, 0, 0, 0), ENOTDIR);
        ASSERT_EQ(cpio_writer_count(w), 4);
        ASSERT_OK(cpio_writer_finish(w, &data, &size));
        ASSERT_ERROR(cpio_writer_add_dir(w, "late", 0755, 0, 0, 0), EBUSY);

        ASSERT_OK(cpio_reader_parse(data, size, &a));
        ASSERT_EQ(cpio_archive_count(a), 4);
        const CpioEntry *e = cpio_archive_entry(a, 0);
        ASSERT_STREQ(e->name, "etc");
        ASSERT_EQ(e->mode, S_IFDIR | 0700);
        ASSERT_EQ(e->uid, 7);
        ASSERT_EQ(e->gid, 8);
        ASSERT_EQ(e->mtime, 9);
        ASSERT_STREQ(cpio_archive_entry(a, 1)->name, "etc/link");
        e = cpio_archive_entry(a, 2);
        ASSERT_STREQ(e->name, "etc/ssh");
        ASSERT_EQ(e->mode, S_IFDIR | 0755);
        ASSERT_EQ(e->uid | e->gid | e->mtime, 0);
        ASSERT_STREQ(cpio_archive_entry(a, 3)->name, "etc/ssh/key");
        cpio_archive_free(a);
        cpio_writer_free(w);
}

static void test_invalid(void) {
        static const char *const bad[] = {
                "", "/", "//", "a//b", "a/", "..", "../a", "a/..", "a/../b", ".", "./a", "a/./b",
                "a/.", "TRAILER!!!", "/TRAILER!!!", "TRAILER!!!/x", "TRAILER!!!/x/y",
        };
        char long_path[CPIO_PATH_MAX + 1];
        CpioWriter *w;

        ASSERT_OK(cpio_writer_new(&w));
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                ASSERT_ERROR(cpio_writer_add_dir(w, bad[i], 0755, 0, 0, 0), EINVAL);
                ASSERT_ERROR(cpio_writer_add_file(w, bad[i], 0644, 0, 0, 0, "x", 1), EINVAL);
                ASSERT_ERROR(cpio_writer_add_symlink(w, bad[i], "x", 0, 0, 0), EINVAL);
        }
        ASSERT_EQ(cpio_writer_count(w), 0);

        /* "TRAILER!!!" is fine below a directory, ".a" and "..." are names. */
        ASSERT_OK(cpio_writer_add_file(w, "d/TRAILER!!!", 0644, 0, 0, 0, "x", 1));
        ASSERT_OK(cpio_writer_add_file(w, "d/.a", 0644, 0, 0, 0, "x", 1));
        ASSERT_OK(cpio_writer_add_file(w, "d/...", 0644, 0, 0, 0, "x", 1));

        ASSERT_ERROR(cpio_writer_add_file(w, "m1", S_IFREG | 0644, 0, 0, 0, "", 0), EINVAL);
        ASSERT_ERROR(cpio_writer_add_dir(w, "m2", 010000, 0, 0, 0), EINVAL);
        ASSERT_ERROR(cpio_writer_add_file(w, "t1", 0644, 0, 0, -1, "", 0), ERANGE);
        ASSERT_ERROR(cpio_writer_add_file(w, "t2", 0644, 0, 0, INT64_C(1) << 32, "", 0), ERANGE);
        ASSERT_OK(cpio_writer_add_file(w, "t3", 0644, 0, 0, UINT32_MAX, "", 0));
        ASSERT_ERROR(cpio_writer_add_file(w, "nodata", 0644, 0, 0, 0, NULL, 1), EINVAL);
        ASSERT_ERROR(cpio_writer_add_symlink(w, "l1", "", 0, 0, 0), EINVAL);
        ASSERT_ERROR(cpio_writer_add_symlink(w, "l2", NULL, 0, 0, 0), EINVAL);

        /* newc's filesize is 32-bit: refused before the data is read. */
        ASSERT_ERROR(cpio_writer_add_file(w, "big", 0644, 0, 0, 0, "x", (size_t) UINT32_MAX + 1), EFBIG);

        /* CPIO_PATH_MAX includes the NUL. */
        memset(long_path, 'a', sizeof(long_path));
        for (size_t i = 100; i < CPIO_PATH_MAX; i += 100)
                long_path[i] = '/';
        long_path[CPIO_PATH_MAX] = '\0';
        ASSERT_ERROR(cpio_writer_add_file(w, long_path, 0644, 0, 0, 0, "", 0), ENAMETOOLONG);
        ASSERT_ERROR(cpio_writer_add_symlink(w, "lt", long_path, 0, 0, 0), ENAMETOOLONG);
        long_path[CPIO_PATH_MAX - 1] = '\0';   /* 4095 + NUL */
        ASSERT_OK(cpio_writer_add_file(w, long_path, 0644, 0, 0, 0, "", 0));
        ASSERT_OK(cpio_writer_add_symlink(w, "lt", long_path, 0, 0, 0));

        const void *data;
        size_t size;
        CpioArchive *a;
        ASSERT_OK(cpio_writer_finish(w, &data, &size));
        ASSERT_OK(cpio_reader_parse(data, size, &a));
        ASSERT_TRUE(cpio_archive_find(a, "d/TRAILER!!!"));
        ASSERT_TRUE(cpio_archive_find(a, long_path));
        ASSERT_STREQ(cpio_archive_find(a, "lt")->link_target, long_path);
        cpio_archive_free(a);
        cpio_writer_free(w);
        ASSERT_TRUE(cpio_writer_free(NULL) == NULL);
}

static void test_limits(void) {
        const void *data;
        size_t size, before;
        CpioWriter *w;
        _cleanup_free_ void *blob = tu_random_data(2000, 1);

        ASSERT_OK(cpio_writer_new(&w));
        ASSERT_OK(cpio_writer_set_max_entries(w, 3));
        /* Three new entries at once fit, then nothing more. */
        ASSERT_OK(cpio_writer_add_file(w, "a/b/c", 0644, 0, 0, 0, "", 0));
        ASSERT_ERROR(cpio_writer_add_file(w, "a/d", 0644, 0, 0, 0, "", 0), E2BIG);
        /* Making an implicit directory explicit adds nothing. */
        ASSERT_OK(cpio_writer_add_dir(w, "a/b", 0700, 0, 0, 0));
        ASSERT_ERROR(cpio_writer_set_max_entries(w, 2), EINVAL);
        cpio_writer_free(w);

        /* A failed add leaves no implicit parents behind. */
        ASSERT_OK(cpio_writer_new(&w));
        ASSERT_OK(cpio_writer_set_max_entries(w, 2));
        ASSERT_ERROR(cpio_writer_add_file(w, "x/y/z", 0644, 0, 0, 0, "", 0), E2BIG);
        ASSERT_EQ(cpio_writer_count(w), 0);
        cpio_writer_free(w);

        ASSERT_OK(cpio_writer_new(&w));
        ASSERT_ERROR(cpio_writer_set_max_size(w, 100), EINVAL);  /* below the trailer */
        ASSERT_OK(cpio_writer_set_max_size(w, 1500));
        ASSERT_OK(cpio_writer_add_file(w, "small", 0644, 0, 0, 0, blob, 1000));
        ASSERT_OK(cpio_writer_finish(w, &data, &before));
        cpio_writer_free(w);

        ASSERT_OK(cpio_writer_new(&w));
        ASSERT_OK(cpio_writer_set_max_size(w, before));
        ASSERT_OK(cpio_writer_add_file(w, "small", 0644, 0, 0, 0, blob, 1000));
        ASSERT_ERROR(cpio_writer_add_file(w, "more/x", 0644, 0, 0, 0, "", 0), EFBIG);
        ASSERT_ERROR(cpio_writer_add_file(w, "big", 0644, 0, 0, 0, blob, 2000), EFBIG);
        ASSERT_EQ(cpio_writer_count(w), 1);
        ASSERT_OK(cpio_writer_finish(w, &data, &size));
        ASSERT_EQ(size, before);        /* exactly at the cap */
        cpio_writer_free(w);
}

int main(void) {
        Specs s = {}, sorted = {};
        const void *archive;
        size_t size;

        test_golden();
        test_implicit_then_explicit();
        test_invalid();
        test_limits();

        make_specs(&s);
        CpioWriter *w = build(&s, false);
        add_implicit(&s);
        ASSERT_EQ(cpio_writer_count(w), s.n);
        ASSERT_OK(cpio_writer_finish(w, &archive, &size));

        sorted.v = reallocarray(NULL, s.n, sizeof(Spec));
        ASSERT_TRUE(sorted.v);
        memcpy(sorted.v, s.v, s.n * sizeof(Spec));
        sorted.n = s.n;
        qsort(sorted.v, sorted.n, sizeof(Spec), spec_compare);

        test_parents_first(&sorted);
        test_round_trip(archive, size, &sorted);
        test_determinism(&s);
        test_reference_tools(archive, size, &s, &sorted);

        cpio_writer_free(w);
        free(sorted.v);
        specs_free(&s);
        return EXIT_SUCCESS;
}
