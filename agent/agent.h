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
        bool bare;              /* paste: the program without its payload */
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
        const char *state;      /* restore: the network state file */
        char **keys_from;       /* --keys-from USER..., NULL-terminated */
        bool password;          /* --password: ask for a rescue root password */
        char *password_hash;    /* its SHA-512 crypt hash, set before the verb runs */
        bool graceful;          /* go: hand the kexec reboot to systemd */
        bool plan;              /* reboot: print the choice and why, change nothing */
        bool now;               /* reboot: sync and reboot at once, not through systemd */
        bool reuse_cmdline;     /* reboot: the running kernel's command line, not the entry's */
} AgentOptions;

/* Exit codes: 0 done; 1 refused or failed, nothing changed; 2 usage;
 * 3 check found a FAIL. */
#define EXIT_USAGE 2
#define EXIT_CHECK_FAILED 3

int verb_go(const AgentOptions *o);
int verb_check(const AgentOptions *o);
int verb_plan(const AgentOptions *o);
int verb_snapshot(const AgentOptions *o);
int verb_overlay(const AgentOptions *o);
int verb_bundle(const AgentOptions *o);
int verb_inspect(const AgentOptions *o, const char *path);
int verb_inspect_payload(const AgentOptions *o);
int verb_paste(const AgentOptions *o, const char *dest);
int verb_restore(const AgentOptions *o);
int verb_reboot(const AgentOptions *o);
