/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The agent's documentation, kept once in agent-help.c and rendered three
 * ways: `agent --help` (help_usage), `agent help COMMAND` (help_command)
 * and the manual page agent(1) (help_man, written at build time by the
 * native program agent-man). A new command or option is documented by one
 * entry in the tables of agent-help.c.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

void help_usage(FILE *f);
/* -ENOENT for a command the tables do not know. */
int help_command(FILE *f, const char *name);
void help_man(FILE *f);
bool help_knows_command(const char *name);
