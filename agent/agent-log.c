/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "agent-log.h"

bool log_quiet;

_printf_(2, 0) static void log_vline(const char *prefix, const char *fmt, va_list ap, int err) {
        fputs("agent: ", stderr);
        if (prefix)
                fputs(prefix, stderr);
        vfprintf(stderr, fmt, ap);
        if (err != 0)
                fprintf(stderr, ": %s", strerror(err < 0 ? -err : err));
        fputc('\n', stderr);
}

void log_info(const char *fmt, ...) {
        va_list ap;

        if (log_quiet)
                return;
        va_start(ap, fmt);
        log_vline(NULL, fmt, ap, 0);
        va_end(ap);
}

void log_warning(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        log_vline("warning: ", fmt, ap, 0);
        va_end(ap);
}

int log_error_errno(int err, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        log_vline("error: ", fmt, ap, err);
        va_end(ap);
        return err < 0 ? err : -err;
}

int log_error(int err, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        log_vline("error: ", fmt, ap, 0);
        va_end(ap);
        return err < 0 ? err : -err;
}
