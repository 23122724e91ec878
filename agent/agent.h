/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The verbs of the agent; each returns an exit code. */
#pragma once

#include <stdbool.h>

typedef struct AgentOptions {
        bool yes;               /* no countdown, no confirmation */
        bool json;
        bool script;
        bool dry_run;           /* go: do everything but load and reboot */
        bool no_reboot;         /* go: load the kernel, then stop (for tests: unloads again) */
        bool force;
        bool payload;           /* inspect: the bundled payload */
        unsigned countdown;     /* seconds before the reboot unless --yes */
        unsigned fallback_seconds;
        const char *kernel;
        const char *initrd;
        const char *append;
        const char *output;
        const char *manifest;
        const char *modules_alias;
        const char *authorized_keys;
        const char *root;       /* where the host's files are read from (tests) */
} AgentOptions;

#define EXIT_USAGE 2

int verb_go(const AgentOptions *o);
int verb_snapshot(const AgentOptions *o);
int verb_overlay(const AgentOptions *o);
int verb_bundle(const AgentOptions *o);
int verb_inspect(const AgentOptions *o, const char *path);
int verb_inspect_payload(const AgentOptions *o);
