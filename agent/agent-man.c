/* SPDX-License-Identifier: GPL-2.0-or-later */
/* agent-man: writes the manual page agent(1) from agent-help.c to stdout.
 * Built for the build machine (meson native: true) and run at build time. */
#include <stdio.h>

#include "agent-help.h"

int main(void) {
        help_man(stdout);
        return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
