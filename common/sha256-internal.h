/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test hooks of sha256.c: not for the program. */
#pragma once

#include <stdbool.h>

/* Whether this CPU has the SHA extensions (with SSSE3 and SSE4.1) that
 * sha256.c uses when it can; always false off x86_64. */
bool sha256_have_accel(void);
/* true: every following sha256_update() uses the plain C code, even on a
 * CPU with the SHA extensions; false (the default): the fastest there is.
 * Not thread-safe: for tests and benchmarks. */
void sha256_force_generic(bool force);
