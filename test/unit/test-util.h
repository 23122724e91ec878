/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers for the unit test executables: assertions, temporary
 * directories, running reference tools, reading and writing files. */
#pragma once

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

/* meson's convention for "this test could not run here". */
#define EXIT_TEST_SKIP 77

#define TU_FAIL(...)                                                    \
        do {                                                            \
                fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);         \
                fprintf(stderr, __VA_ARGS__);                           \
                fputc('\n', stderr);                                    \
                exit(EXIT_FAILURE);                                     \
        } while (0)

#define ASSERT_TRUE(expr)                                               \
        do {                                                            \
                if (!(expr))                                            \
                        TU_FAIL("assertion failed: %s", #expr);         \
        } while (0)

/* expr returns >= 0 / -errno; evaluates to its value. */
#define ASSERT_OK(expr)                                                 \
        ({                                                              \
                __typeof__(expr) _r = (expr);                           \
                if (_r < 0)                                             \
                        TU_FAIL("%s failed: %s", #expr, strerror((int) -_r)); \
                _r;                                                     \
        })

#define ASSERT_ERROR(expr, err)                                         \
        do {                                                            \
                int _r = (expr);                                        \
                if (_r != -(err))                                       \
                        TU_FAIL("%s returned %d (%s), expected -%s",    \
                                #expr, _r, _r < 0 ? strerror(-_r) : "success", #err); \
        } while (0)

#define ASSERT_EQ(a, b)                                                 \
        do {                                                            \
                intmax_t _a = (intmax_t) (a), _b = (intmax_t) (b);      \
                if (_a != _b)                                           \
                        TU_FAIL("%s == %s: %jd != %jd", #a, #b, _a, _b); \
        } while (0)

#define ASSERT_STREQ(a, b)                                              \
        do {                                                            \
                const char *_a = (a), *_b = (b);                        \
                if (!_a || !_b || strcmp(_a, _b) != 0)                  \
                        TU_FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b,   \
                                _a ?: "(null)", _b ?: "(null)");        \
        } while (0)

#define ASSERT_MEMEQ(a, an, b, bn)                                      \
        do {                                                            \
                size_t _an = (an), _bn = (bn);                          \
                if (_an != _bn || (_an > 0 && memcmp((a), (b), _an) != 0)) \
                        TU_FAIL("%s (%zu bytes) differs from %s (%zu bytes)", \
                                #a, _an, #b, _bn);                      \
        } while (0)

/* Skips the test (exit 77) with a reason on stderr. */
_Noreturn void tu_skip(const char *fmt, ...) _printf_(1, 2);

/* The path of a reference tool that meson found, from the environment
 * variable env (e.g. "CPIO"); NULL if unset or empty. */
const char *tu_tool(const char *env);
/* Same, but skips the test when the tool is missing. */
const char *tu_tool_or_skip(const char *env);

/* A fresh directory under $TMPDIR (default /tmp). Free with free(). */
int tu_mkdtemp(const char *prefix, char **ret);
/* rm -rf; accepts NULL. */
void tu_rm_rf(const char *path);

/* Runs argv[0] (a path) in dir (NULL: here) with stdin from stdin_path
 * (NULL: /dev/null). stdout is captured into *ret_stdout (NUL-terminated,
 * free()), if not NULL; stderr goes to ours. Returns the exit status, or
 * 128+signal, or -errno if it could not run. */
int tu_run(const char *dir, const char *const *argv, const char *stdin_path,
           char **ret_stdout, size_t *ret_stdout_size);

int tu_read_file(const char *path, void **ret, size_t *ret_size);
int tu_write_file(const char *path, const void *data, size_t size);
/* Joins two path parts with '/'. Aborts the test when out of memory. */
char *tu_path_join(const char *a, const char *b);

/* Deterministic pseudo-random bytes (xorshift), the same on every run. */
void tu_fill_random(void *buf, size_t n, uint64_t seed);
/* A malloc()ed buffer of n such bytes; aborts the test when out of memory. */
void *tu_random_data(size_t n, uint64_t seed);
