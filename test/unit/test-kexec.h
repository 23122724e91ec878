/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers for the kexec unit tests on top of test-util.h: checks that keep
 * going and count failures (one run reports every broken case), and files
 * in a fake sysfs/procfs tree. Exit codes: 0 pass, 1 fail, 77 skip. */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test-util.h"

static int test_failures;

#define CHECK(expr)                                                             \
        do {                                                                    \
                if (!(expr)) {                                                  \
                        fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n",        \
                                __FILE__, __LINE__, __func__, #expr);           \
                        test_failures++;                                        \
                }                                                               \
        } while (0)

#define CHECK_INT(a, b)                                                         \
        do {                                                                    \
                long long _a = (long long) (a), _b = (long long) (b);           \
                if (_a != _b) {                                                 \
                        fprintf(stderr, "%s:%d: %s: %s == %lld, expected %s == %lld\n", \
                                __FILE__, __LINE__, __func__, #a, _a, #b, _b);  \
                        test_failures++;                                        \
                }                                                               \
        } while (0)

#define CHECK_CONTAINS(haystack, needle)                                        \
        do {                                                                    \
                const char *_h = (haystack);                                    \
                if (!_h || !strstr(_h, (needle))) {                             \
                        fprintf(stderr, "%s:%d: %s: \"%s\" does not contain \"%s\"\n", \
                                __FILE__, __LINE__, __func__, _h ? _h : "(null)", (needle)); \
                        test_failures++;                                        \
                }                                                               \
        } while (0)

static inline int test_exit_code(void) {
        if (test_failures > 0) {
                fprintf(stderr, "%d check(s) failed\n", test_failures);
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}

/* A fresh directory; aborts the test when it cannot be made. */
static inline char *test_mkdtemp(void) {
        char *p = NULL;

        ASSERT_OK(tu_mkdtemp("test-kexec", &p));
        return p;
}

/* Writes len bytes to root/rel, making parent directories; aborts on error. */
static inline void test_write_file(const char *root, const char *rel, const void *data, size_t len) {
        _cleanup_free_ char *path = tu_path_join(root, rel);

        for (char *s = path + strlen(root) + 1; (s = strchr(s, '/')); s++) {
                *s = '\0';
                if (mkdir(path, 0755) < 0 && errno != EEXIST)
                        TU_FAIL("mkdir %s: %m", path);
                *s = '/';
        }
        ASSERT_OK(tu_write_file(path, data, len));
}

static inline void test_write_str(const char *root, const char *rel, const char *s) {
        test_write_file(root, rel, s, strlen(s));
}

static inline void test_unlink(const char *root, const char *rel) {
        _cleanup_free_ char *path = tu_path_join(root, rel);

        (void) unlink(path);
}
