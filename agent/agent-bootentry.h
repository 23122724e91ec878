/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which installed kernel, initramfs and command line a boot loader would
 * start on this host, found the way the distributions lay them out: Boot
 * Loader Specification entries, the Debian/Ubuntu /vmlinuz links, Arch's
 * names, the NixOS system profile, else the newest kernel with modules.
 * Every path is read below a root prefix (tests use fake trees). Nothing
 * here prints; each choice carries a sentence saying why it was made. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Limits: entries read from one directory, bytes of one config file. */
#define BOOTENTRY_MAX_ENTRIES 256
#define BOOTENTRY_MAX_INITRDS 8
#define BOOTENTRY_FILE_MAX (64u * 1024)

typedef struct BootEntryRequest {
        const char *root;       /* NULL or "": the real root */
        const char *kernel;     /* --kernel: a path as given (not below root) */
        const char *initrd;     /* --initrd */
        const char *append;     /* --append: added to the chosen command line */
        bool reuse_cmdline;     /* --reuse-cmdline: the running kernel's, not the entry's */
} BootEntryRequest;

typedef struct BootEntry {
        /* Paths to open: root + the path found below it (symlinks resolved
         * there), or --kernel/--initrd as given. */
        char *kernel;
        char *initrds[BOOTENTRY_MAX_INITRDS];   /* loaded one after another */
        size_t n_initrds;
        char *cmdline;
        const char *layout;     /* "bls", "debian", "arch", "nixos", "newest", "--kernel" */
        char *why_kernel;       /* one line each */
        char *why_initrd;
        char *why_cmdline;
} BootEntry;

/* Finds what to boot. -ENOENT (with *ret_why saying where it looked, when
 * ret_why is not NULL) when no kernel is found; -ENOMEM. The caller frees
 * *ret with bootentry_done() and *ret_why with free(). */
int bootentry_find(const BootEntryRequest *req, BootEntry *ret, char **ret_why);
void bootentry_done(BootEntry *e);

/* Resolves path below root as the host would (absolute symlink targets
 * start at root; ".." stops there) into *ret (root not included). */
int bootentry_resolve(const char *root, const char *path, char **ret);

/* cmdline without the BOOT_IMAGE= and initrd= words a boot loader adds
 * (quotes kept, whitespace squeezed); a new string. */
int bootentry_strip_loader_args(const char *cmdline, char **ret);
