/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The program's only voice: short lines on stderr, quiet enough for a serial console. */
#pragma once

#include <stdbool.h>

#include "macro.h"

extern bool log_quiet;

void log_info(const char *fmt, ...) _printf_(1, 2);
void log_warning(const char *fmt, ...) _printf_(1, 2);
/* Logs "agent: <message>: <strerror(-err)>" and returns err (negative). */
int log_error_errno(int err, const char *fmt, ...) _printf_(2, 3);
/* Logs "agent: <message>" and returns -EINVAL-like err given. */
int log_error(int err, const char *fmt, ...) _printf_(2, 3);
