/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Boot entry discovery for agent reboot: what the boot loader would start.
 * Looked for in this order, the first layout present wins:
 *   1. Boot Loader Specification entries (Fedora, RHEL, systemd-boot)
 *   2. /vmlinuz and /initrd.img, or /boot/vmlinuz... (Debian, Ubuntu)
 *   3. /boot/vmlinuz-linux and /boot/initramfs-linux.img (Arch)
 *   4. /nix/var/nix/profiles/system (NixOS)
 *   5. the newest /boot/vmlinuz-VERSION with a /lib/modules/VERSION */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-bootentry.h"
#include "fileio.h"
#include "macro.h"

#define RESOLVE_MAX_LINKS 40
#define WHITESPACE " \t\n\r"

static const char *root_or_empty(const char *root) {
        return root ?: "";
}

static int below(const char *root, const char *path, char **ret) {
        return asprintf(ret, "%s%s", root_or_empty(root), path) < 0 ? -ENOMEM : 0;
}

/* Appends "/name" or, for "..", drops the last component; never above "". */
static int path_push(char **done, const char *name, size_t len) {
        char *p;

        if (len == 2 && name[0] == '.' && name[1] == '.') {
                char *slash = strrchr(*done, '/');
                if (slash)
                        *slash = '\0';
                return 0;
        }
        if (asprintf(&p, "%s/%.*s", *done, (int) len, name) < 0)
                return -ENOMEM;
        free(*done);
        *done = p;
        return 0;
}

int bootentry_resolve(const char *root, const char *path, char **ret) {
        _cleanup_free_ char *done = strdup(""), *todo = strdup(path);
        unsigned links = 0;
        int r;

        if (!done || !todo)
                return -ENOMEM;
        for (;;) {
                _cleanup_free_ char *full = NULL;
                char *name = todo + strspn(todo, "/");
                size_t len = strcspn(name, "/");
                struct stat st;

                if (len == 0)
                        break;
                if (len == 1 && name[0] == '.') {
                        memmove(todo, name + len, strlen(name + len) + 1);
                        continue;
                }
                r = path_push(&done, name, len);
                if (r < 0)
                        return r;
                memmove(todo, name + len, strlen(name + len) + 1);
                if (len == 2 && name[0] == '.' && name[1] == '.')
                        continue;

                r = below(root, done, &full);
                if (r < 0)
                        return r;
                if (lstat(full, &st) < 0)
                        return -errno;
                if (S_ISLNK(st.st_mode)) {
                        char target[4096];
                        ssize_t n;
                        char *next;

                        if (++links > RESOLVE_MAX_LINKS)
                                return -ELOOP;
                        n = readlink(full, target, sizeof(target) - 1);
                        if (n < 0)
                                return -errno;
                        target[n] = '\0';
                        /* The link itself goes; its target is resolved from
                         * its directory, or from root when absolute. */
                        *strrchr(done, '/') = '\0';
                        if (target[0] == '/')
                                done[0] = '\0';
                        if (asprintf(&next, "%s/%s", target, todo) < 0)
                                return -ENOMEM;
                        free(todo);
                        todo = next;
                        continue;
                }
                if (!S_ISDIR(st.st_mode) && todo[strspn(todo, "/")] != '\0')
                        return -ENOTDIR;
        }
        if (done[0] == '\0') {
                free(done);
                done = strdup("/");
                if (!done)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(done);
        return 0;
}

/* path below root, resolved, when it is a regular file. */
static int find_regular(const char *root, const char *path, char **ret_resolved) {
        _cleanup_free_ char *resolved = NULL, *full = NULL;
        struct stat st;
        int r;

        r = bootentry_resolve(root, path, &resolved);
        if (r < 0)
                return r;
        r = below(root, resolved, &full);
        if (r < 0)
                return r;
        if (stat(full, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -ENOENT;
        *ret_resolved = TAKE_PTR(resolved);
        return 0;
}

static bool is_regular(const char *root, const char *path) {
        _cleanup_free_ char *resolved = NULL;
        return find_regular(root, path, &resolved) >= 0;
}

static bool is_dir(const char *root, const char *path) {
        _cleanup_free_ char *resolved = NULL, *full = NULL;
        struct stat st;

        if (bootentry_resolve(root, path, &resolved) < 0 || below(root, resolved, &full) < 0)
                return false;
        return stat(full, &st) >= 0 && S_ISDIR(st.st_mode);
}

static int read_below(const char *root, const char *path, char **ret) {
        _cleanup_free_ char *resolved = NULL;
        int r;

        r = bootentry_resolve(root, path, &resolved);
        if (r < 0)
                return r;
        return read_full_file_below(root, resolved, BOOTENTRY_FILE_MAX, ret, NULL);
}

static int setf(char **field, const char *fmt, ...) _printf_(2, 3);
static int setf(char **field, const char *fmt, ...) {
        va_list ap;
        char *s;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        free(*field);
        *field = s;
        return 0;
}

/* Sets the kernel (and adds an initrd) from a path resolved below root. */
static int set_kernel(BootEntry *e, const char *root, const char *resolved) {
        return below(root, resolved, &e->kernel);
}

static int add_initrd(BootEntry *e, const char *root, const char *resolved) {
        if (e->n_initrds >= BOOTENTRY_MAX_INITRDS)
                return -E2BIG;
        if (below(root, resolved, &e->initrds[e->n_initrds]) < 0)
                return -ENOMEM;
        e->n_initrds++;
        return 0;
}

static void strip_trailing(char *s) {
        size_t n = strlen(s);
        while (n > 0 && strchr(WHITESPACE, s[n - 1]))
                s[--n] = '\0';
}

/* ---- the command line ------------------------------------------------------ */

/* The length of the word at p: up to whitespace outside double quotes, as
 * the kernel's next_arg() splits it. */
static size_t word_len(const char *p) {
        bool quoted = false;
        size_t n;

        for (n = 0; p[n] && (quoted || !strchr(WHITESPACE, p[n])); n++)
                if (p[n] == '"')
                        quoted = !quoted;
        return n;
}

static bool word_is_param(const char *w, size_t n, const char *name) {
        size_t k = strlen(name);

        if (n > 0 && w[0] == '"')
                w++, n--;
        return n > k && strncmp(w, name, k) == 0 && w[k] == '=';
}

/* Appends the words of src to *dst (space-separated), skipping the boot
 * loader's own words when strip is set. */
static int append_words(char **dst, const char *src, bool strip) {
        size_t len = *dst ? strlen(*dst) : 0;
        char *out = realloc(*dst, len + strlen(src) + 2);

        if (!out)
                return -ENOMEM;
        *dst = out;
        out[len] = '\0';
        for (const char *p = src;;) {
                size_t n;

                p += strspn(p, WHITESPACE);
                if (!*p)
                        break;
                n = word_len(p);
                if (!(strip && (word_is_param(p, n, "BOOT_IMAGE") || word_is_param(p, n, "initrd")))) {
                        if (len > 0)
                                out[len++] = ' ';
                        memcpy(out + len, p, n);
                        len += n;
                        out[len] = '\0';
                }
                p += n;
        }
        return 0;
}

int bootentry_strip_loader_args(const char *cmdline, char **ret) {
        _cleanup_free_ char *out = strdup("");
        int r;

        if (!out)
                return -ENOMEM;
        r = append_words(&out, cmdline, true);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(out);
        return 0;
}

static int running_cmdline(const char *root, BootEntry *e, const char *because) {
        _cleanup_free_ char *raw = NULL;
        int r;

        r = read_full_file_below(root, "/proc/cmdline", BOOTENTRY_FILE_MAX, &raw, NULL);
        if (r < 0)
                return r;
        free(e->cmdline);
        e->cmdline = NULL;
        r = bootentry_strip_loader_args(raw, &e->cmdline);
        if (r < 0)
                return r;
        return setf(&e->why_cmdline, "the running kernel's (/proc/cmdline) without BOOT_IMAGE= and initrd=%s",
                    because);
}

/* ---- key/value files: BLS entries, loader.conf, grubenv -------------------- */

/* Each call yields one "key value" (BLS: whitespace) or "key=value" (grubenv)
 * line of *state, '#' comments and blank lines skipped; modifies the text. */
static bool next_pair(char **state, char sep, char **ret_key, char **ret_value) {
        while (*state && **state) {
                char *line = *state, *nl = strchr(line, '\n'), *v;

                *state = nl ? nl + 1 : NULL;
                if (nl)
                        *nl = '\0';
                line += strspn(line, WHITESPACE);
                strip_trailing(line);
                if (!*line || *line == '#')
                        continue;
                if (sep == '=') {
                        v = strchr(line, '=');
                        if (!v)
                                continue;
                        *v++ = '\0';
                } else {
                        v = line + strcspn(line, WHITESPACE);
                        if (*v)
                                *v++ = '\0';
                        v += strspn(v, WHITESPACE);
                }
                *ret_key = line;
                *ret_value = v;
                return true;
        }
        return false;
}

/* The value of key in a key=value file below root (NULL when absent). */
static int read_assignment(const char *root, const char *path, char sep, const char *key, char **ret) {
        _cleanup_free_ char *text = NULL;
        char *state, *k, *v;
        int r;

        *ret = NULL;
        r = read_below(root, path, &text);
        if (r == -ENOENT || r == -ENOTDIR)
                return 0;
        if (r < 0)
                return r;
        state = text;
        while (next_pair(&state, sep, &k, &v))
                if (streq(k, key)) {
                        *ret = strdup(v);
                        return *ret ? 1 : -ENOMEM;
                }
        return 0;
}

/* ---- 1. Boot Loader Specification entries ---------------------------------- */

typedef struct BlsEntry {
        char *id;               /* file name without ".conf" */
        char *version;
        char *sort_key;
        char *linux_path;
        char *initrds[BOOTENTRY_MAX_INITRDS];
        size_t n_initrds;
        char *options;
        bool bad_arch;
} BlsEntry;

static void bls_entry_done(BlsEntry *b) {
        free(b->id);
        free(b->version);
        free(b->sort_key);
        free(b->linux_path);
        for (size_t i = 0; i < b->n_initrds; i++)
                free(b->initrds[i]);
        free(b->options);
        *b = (BlsEntry) {};
}

static int bls_entry_parse(const char *id, char *text, BlsEntry *ret) {
        BlsEntry b = { .id = strdup(id) };
        char *state = text, *k, *v;
        int r = 0;

        if (!b.id)
                return -ENOMEM;
        while (r >= 0 && next_pair(&state, ' ', &k, &v)) {
                if (streq(k, "version"))
                        r = setf(&b.version, "%s", v);
                else if (streq(k, "sort-key"))
                        r = setf(&b.sort_key, "%s", v);
                else if (streq(k, "linux"))
                        r = setf(&b.linux_path, "%s", v);
                else if (streq(k, "initrd")) {
                        /* One or more per line, and as many lines as wanted. */
                        for (char *p = v; *(p += strspn(p, WHITESPACE));) {
                                size_t n = strcspn(p, WHITESPACE);
                                if (b.n_initrds >= BOOTENTRY_MAX_INITRDS) {
                                        r = -E2BIG;
                                        break;
                                }
                                b.initrds[b.n_initrds] = strndup(p, n);
                                if (!b.initrds[b.n_initrds++])
                                        r = -ENOMEM;
                                p += n;
                        }
                } else if (streq(k, "options"))
                        /* Several options lines are joined with spaces. */
                        r = append_words(&b.options, v, false);
                else if (streq(k, "architecture"))
                        b.bad_arch = strcasecmp(v, "x64") != 0;
        }
        if (r < 0) {
                bls_entry_done(&b);
                return r;
        }
        *ret = b;
        return 0;
}

/* systemd-boot's order: entries with a sort-key first, by sort-key, then
 * by version (newest first), then by id. Returns < 0 when a goes first. */
static int bls_compare(const BlsEntry *a, const BlsEntry *b) {
        int c;

        if (!!a->sort_key != !!b->sort_key)
                return a->sort_key ? -1 : 1;
        if (a->sort_key && (c = strcmp(a->sort_key, b->sort_key)) != 0)
                return c;
        if (!!a->version != !!b->version)
                return a->version ? -1 : 1;
        if (a->version && (c = strverscmp(a->version, b->version)) != 0)
                return -c;
        return -strverscmp(a->id, b->id);
}

static bool bls_matches(const BlsEntry *b, const char *pattern) {
        _cleanup_free_ char *file = NULL;

        if (asprintf(&file, "%s.conf", b->id) < 0)
                return false;
        return fnmatch(pattern, b->id, 0) == 0 || fnmatch(pattern, file, 0) == 0;
}

/* "$kernelopts" and other GRUB variables in options (Fedora 30-33, RHEL 8)
 * come from grubenv; unknown ones are dropped, as GRUB expands them to "". */
static int bls_expand_options(const char *root, const char *options, char **ret) {
        _cleanup_free_ char *out = strdup("");
        int r;

        if (!out)
                return -ENOMEM;
        for (const char *p = options;;) {
                _cleanup_free_ char *word = NULL, *value = NULL;
                size_t n;

                p += strspn(p, WHITESPACE);
                if (!*p)
                        break;
                n = word_len(p);
                word = strndup(p, n);
                if (!word)
                        return -ENOMEM;
                p += n;
                if (word[0] != '$') {
                        r = append_words(&out, word, false);
                        if (r < 0)
                                return r;
                        continue;
                }
                r = read_assignment(root, "/boot/grub2/grubenv", '=', word + 1, &value);
                if (r < 0)
                        return r;
                if (value) {
                        r = append_words(&out, value, false);
                        if (r < 0)
                                return r;
                }
        }
        *ret = TAKE_PTR(out);
        return 0;
}

/* A path in an entry is relative to the partition holding the entries
 * (a separate /boot or the ESP); on a root holding /boot it is /boot/... */
static int bls_find_file(const char *root, const char *boot_dir, const char *path, char **ret) {
        _cleanup_free_ char *in_boot = NULL;

        if (asprintf(&in_boot, "%s%s%s", boot_dir, path[0] == '/' ? "" : "/", path) < 0)
                return -ENOMEM;
        if (find_regular(root, in_boot, ret) >= 0)
                return 0;
        if (path[0] == '/' && find_regular(root, path, ret) >= 0)
                return 0;
        return -ENOENT;
}

static int bls_load_dir(const char *root, const char *dir, BlsEntry *entries, size_t *n) {
        _cleanup_free_ char *resolved = NULL, *full = NULL;
        DIR *d;
        struct dirent *de;
        int r = 0;

        if (bootentry_resolve(root, dir, &resolved) < 0 || below(root, resolved, &full) < 0)
                return 0;
        d = opendir(full);
        if (!d)
                return 0;
        while (r >= 0 && (de = readdir(d))) {
                _cleanup_free_ char *path = NULL, *text = NULL, *id = NULL;
                size_t len = strlen(de->d_name);

                if (de->d_name[0] == '.' || len <= 5 || !streq(de->d_name + len - 5, ".conf"))
                        continue;
                if (*n >= BOOTENTRY_MAX_ENTRIES)
                        break;
                if (asprintf(&path, "%s/%s", dir, de->d_name) < 0 ||
                    !(id = strndup(de->d_name, len - 5))) {
                        r = -ENOMEM;
                        break;
                }
                if (read_below(root, path, &text) < 0)
                        continue;       /* unreadable or too big: a boot loader skips it too */
                r = bls_entry_parse(id, text, &entries[*n]);
                if (r >= 0)
                        (*n)++;
        }
        closedir(d);
        return r;
}

/* Where systemd-boot and GRUB-BLS keep entries: $BOOT, then the ESP. */
static const char *const bls_boot_dirs[] = { "/boot", "/efi", "/boot/efi" };

static int find_bls(const char *root, BootEntry *e, char **ret_why) {
        _cleanup_free_ BlsEntry *entries = NULL;
        _cleanup_free_ char *pattern = NULL, *saved = NULL, *kernel = NULL, *how = NULL;
        const char *boot_dir = NULL;
        size_t n = 0;
        ssize_t pick = -1;
        int r;

        entries = calloc(BOOTENTRY_MAX_ENTRIES, sizeof(BlsEntry));
        if (!entries)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(bls_boot_dirs) && n == 0; i++) {
                _cleanup_free_ char *dir = NULL;

                if (asprintf(&dir, "%s/loader/entries", bls_boot_dirs[i]) < 0)
                        return -ENOMEM;
                r = bls_load_dir(root, dir, entries, &n);
                if (r < 0)
                        goto out;
                boot_dir = bls_boot_dirs[i];
        }
        if (n == 0) {
                r = 0;
                goto out;
        }

        /* Entries the boot loader would not offer here. */
        for (size_t i = 0; i < n; i++)
                if (entries[i].bad_arch || !entries[i].linux_path ||
                    bls_find_file(root, boot_dir, entries[i].linux_path, &kernel) < 0)
                        entries[i].bad_arch = true;
                else {
                        free(kernel);
                        kernel = NULL;
                }

        /* loader.conf is on the ESP, which may or may not be $BOOT. */
        for (size_t i = 0; i < ELEMENTSOF(bls_boot_dirs) && !pattern; i++) {
                _cleanup_free_ char *conf = NULL;

                if (asprintf(&conf, "%s/loader/loader.conf", bls_boot_dirs[i]) < 0) {
                        r = -ENOMEM;
                        goto out;
                }
                r = read_assignment(root, conf, ' ', "default", &pattern);
                if (r < 0)
                        goto out;
        }
        r = -ENOMEM;
        if (pattern && pattern[0] != '@') {
                for (size_t i = 0; i < n; i++)
                        if (!entries[i].bad_arch && bls_matches(&entries[i], pattern) &&
                            (pick < 0 || bls_compare(&entries[i], &entries[pick]) < 0))
                                pick = (ssize_t) i;
                if (pick >= 0 && asprintf(&how, "loader.conf's default '%s'", pattern) < 0)
                        goto out;
        }
        if (pick < 0 && read_assignment(root, "/boot/grub2/grubenv", '=', "saved_entry", &saved) < 0)
                goto out;
        if (pick < 0 && saved && saved[0]) {
                for (size_t i = 0; i < n; i++)
                        if (!entries[i].bad_arch && streq(entries[i].id, saved))
                                pick = (ssize_t) i;
                if (pick >= 0 && !(how = strdup("GRUB's saved_entry in /boot/grub2/grubenv")))
                        goto out;
        }
        if (pick < 0) {
                size_t usable = 0;

                for (size_t i = 0; i < n; i++)
                        if (!entries[i].bad_arch) {
                                usable++;
                                if (pick < 0 || bls_compare(&entries[i], &entries[pick]) < 0)
                                        pick = (ssize_t) i;
                        }
                if (pick >= 0 && asprintf(&how, "the first of %zu entries in the boot loader's order (highest version)%s%s%s",
                                          usable, pattern ? "; loader.conf's default '" : "",
                                          pattern ?: "", pattern ? "' matches none" : "") < 0)
                        goto out;
        }
        if (pick < 0) {
                r = 0;
                goto out;
        }

        {
                BlsEntry *b = &entries[pick];

                r = bls_find_file(root, boot_dir, b->linux_path, &kernel);
                if (r < 0)
                        goto out;
                r = set_kernel(e, root, kernel);
                if (r < 0)
                        goto out;
                r = setf(&e->why_kernel, "boot loader entry %s/loader/entries/%s.conf (%s)", boot_dir, b->id, how);
                if (r < 0)
                        goto out;
                for (size_t i = 0; i < b->n_initrds; i++) {
                        _cleanup_free_ char *initrd = NULL;

                        r = bls_find_file(root, boot_dir, b->initrds[i], &initrd);
                        if (r < 0) {
                                if (asprintf(ret_why, "boot loader entry %s/loader/entries/%s.conf names initrd %s, "
                                             "which does not exist", boot_dir, b->id, b->initrds[i]) < 0)
                                        *ret_why = NULL;
                                r = -ENOENT;
                                goto out;
                        }
                        r = add_initrd(e, root, initrd);
                        if (r < 0)
                                goto out;
                }
                r = setf(&e->why_initrd, b->n_initrds > 0 ? "the entry's initrd line(s)" : "the entry has no initrd");
                if (r < 0)
                        goto out;
                if (b->options) {
                        r = bls_expand_options(root, b->options, &e->cmdline);
                        if (r < 0)
                                goto out;
                        r = setf(&e->why_cmdline, "the entry's options line(s)");
                        if (r < 0)
                                goto out;
                }
                e->layout = "bls";
                r = 1;
        }
out:
        for (size_t i = 0; i < n; i++)
                bls_entry_done(&entries[i]);
        return r;
}

/* ---- 2., 3. fixed names: Debian/Ubuntu links, Arch ------------------------- */

static int use_fixed(const char *root, BootEntry *e, const char *layout, const char *kernel_path,
                     const char *initrd_path, const char *what) {
        _cleanup_free_ char *kernel = NULL, *initrd = NULL;
        int r;

        if (find_regular(root, kernel_path, &kernel) < 0)
                return 0;
        r = set_kernel(e, root, kernel);
        if (r < 0)
                return r;
        if (streq(kernel, kernel_path))
                r = setf(&e->why_kernel, "%s (%s)", kernel_path, what);
        else
                r = setf(&e->why_kernel, "%s links to it (%s)", kernel_path, what);
        if (r < 0)
                return r;
        if (find_regular(root, initrd_path, &initrd) >= 0) {
                r = add_initrd(e, root, initrd);
                if (r >= 0)
                        r = setf(&e->why_initrd, streq(initrd, initrd_path) ? "%s" : "%s links to it", initrd_path);
        } else
                r = setf(&e->why_initrd, "none: there is no %s", initrd_path);
        if (r < 0)
                return r;
        e->layout = layout;
        return 1;
}

static int find_debian(const char *root, BootEntry *e) {
        int r;

        /* The links sit in / by default and in /boot with link_in_boot. */
        r = use_fixed(root, e, "debian", "/vmlinuz", "/initrd.img", "Debian/Ubuntu's link to the default kernel");
        if (r != 0)
                return r;
        return use_fixed(root, e, "debian", "/boot/vmlinuz", "/boot/initrd.img",
                         "Debian/Ubuntu's link to the default kernel");
}

static int find_arch(const char *root, BootEntry *e) {
        return use_fixed(root, e, "arch", "/boot/vmlinuz-linux", "/boot/initramfs-linux.img",
                         "Arch Linux's kernel package");
}

/* ---- 4. NixOS -------------------------------------------------------------- */

static int find_nixos(const char *root, BootEntry *e) {
        _cleanup_free_ char *system = NULL, *path = NULL, *kernel = NULL, *initrd = NULL, *params = NULL, *init = NULL;
        int r;

        if (bootentry_resolve(root, "/nix/var/nix/profiles/system", &system) < 0 || !is_dir(root, system))
                return 0;
        if (asprintf(&path, "%s/kernel", system) < 0)
                return -ENOMEM;
        if (find_regular(root, path, &kernel) < 0)
                return 0;
        r = set_kernel(e, root, kernel);
        if (r < 0)
                return r;
        r = setf(&e->why_kernel, "the NixOS system profile /nix/var/nix/profiles/system (%s)", system);
        if (r < 0)
                return r;
        free(path);
        if (asprintf(&path, "%s/initrd", system) < 0)
                return -ENOMEM;
        if (find_regular(root, path, &initrd) >= 0) {
                r = add_initrd(e, root, initrd);
                if (r >= 0)
                        r = setf(&e->why_initrd, "the system profile's initrd");
        } else
                r = setf(&e->why_initrd, "none: the system profile has no initrd");
        if (r < 0)
                return r;

        /* Stage 1 hands over to the system's init; the boot loader entries
         * NixOS writes put its store path first. */
        free(path);
        if (asprintf(&path, "%s/kernel-params", system) < 0)
                return -ENOMEM;
        r = read_below(root, path, &params);
        if (r < 0 && r != -ENOENT)
                return r;
        if (asprintf(&init, "init=%s/init", system) < 0)
                return -ENOMEM;
        e->cmdline = strdup("");
        if (!e->cmdline)
                return -ENOMEM;
        r = append_words(&e->cmdline, init, false);
        if (r >= 0 && params)
                r = append_words(&e->cmdline, params, false);
        if (r >= 0)
                r = setf(&e->why_cmdline, "init= of the system profile and its kernel-params%s",
                         params ? "" : " (missing: only init=)");
        if (r < 0)
                return r;
        e->layout = "nixos";
        return 1;
}

/* ---- 5. the newest kernel that has modules ---------------------------------- */

static int find_initrd_for(const char *root, const char *version, char **ret) {
        /* Debian/Ubuntu, dracut (Fedora, RHEL), SUSE, others */
        static const char *const forms[][2] = {
                { "/boot/initrd.img-", "" },
                { "/boot/initramfs-", ".img" },
                { "/boot/initrd-", "" },
                { "/boot/initramfs-", "" },
        };

        for (size_t i = 0; i < ELEMENTSOF(forms); i++) {
                _cleanup_free_ char *path = NULL;

                if (asprintf(&path, "%s%s%s", forms[i][0], version, forms[i][1]) < 0)
                        return -ENOMEM;
                if (find_regular(root, path, ret) >= 0)
                        return 0;
        }
        return -ENOENT;
}

static int find_newest(const char *root, BootEntry *e) {
        _cleanup_free_ char *full = NULL, *best = NULL, *kernel = NULL, *initrd = NULL;
        size_t with_modules = 0, without = 0;
        struct dirent *de;
        DIR *d;
        int r;

        if (below(root, "/boot", &full) < 0)
                return -ENOMEM;
        d = opendir(full);
        if (!d)
                return 0;
        while ((de = readdir(d))) {
                _cleanup_free_ char *path = NULL, *modules = NULL;
                const char *version;

                if (strncmp(de->d_name, "vmlinuz-", 8) != 0 || !de->d_name[8])
                        continue;
                version = de->d_name + 8;
                if (asprintf(&path, "/boot/%s", de->d_name) < 0 ||
                    asprintf(&modules, "/lib/modules/%s", version) < 0) {
                        closedir(d);
                        return -ENOMEM;
                }
                if (!is_regular(root, path))
                        continue;
                /* A vmlinuz whose modules are gone was removed half-way. */
                if (!is_dir(root, modules)) {
                        without++;
                        continue;
                }
                with_modules++;
                if (!best || strverscmp(version, best) > 0) {
                        free(best);
                        best = strdup(version);
                        if (!best) {
                                closedir(d);
                                return -ENOMEM;
                        }
                }
        }
        closedir(d);
        if (!best)
                return 0;

        free(full);
        if (asprintf(&full, "/boot/vmlinuz-%s", best) < 0)
                return -ENOMEM;
        r = find_regular(root, full, &kernel);
        if (r < 0)
                return r;
        r = set_kernel(e, root, kernel);
        if (r < 0)
                return r;
        r = setf(&e->why_kernel, "the newest of %zu kernel(s) in /boot with modules in /lib/modules (%s)%s",
                 with_modules, best, without ? "; skipped kernels without modules" : "");
        if (r < 0)
                return r;
        if (find_initrd_for(root, best, &initrd) >= 0) {
                r = add_initrd(e, root, initrd);
                if (r >= 0)
                        r = setf(&e->why_initrd, "the initramfs named after version %s", best);
        } else
                r = setf(&e->why_initrd, "none: no initrd.img-%s or initramfs-%s.img in /boot", best, best);
        if (r < 0)
                return r;
        e->layout = "newest";
        return 1;
}

/* ---- putting it together ----------------------------------------------------- */

void bootentry_done(BootEntry *e) {
        free(e->kernel);
        for (size_t i = 0; i < e->n_initrds; i++)
                free(e->initrds[i]);
        free(e->cmdline);
        free(e->why_kernel);
        free(e->why_initrd);
        free(e->why_cmdline);
        *e = (BootEntry) {};
}

static void clear_initrds(BootEntry *e) {
        for (size_t i = 0; i < e->n_initrds; i++)
        {
                free(e->initrds[i]);
                e->initrds[i] = NULL;
        }
        e->n_initrds = 0;
}

int bootentry_find(const BootEntryRequest *req, BootEntry *ret, char **ret_why) {
        const char *root = req->root && req->root[0] ? req->root : NULL;
        BootEntry e = {};
        char *why = NULL;
        int r = 0;

        if (req->kernel) {
                e.kernel = strdup(req->kernel);
                if (!e.kernel || setf(&e.why_kernel, "--kernel") < 0 ||
                    setf(&e.why_initrd, "none: --kernel without --initrd") < 0) {
                        r = -ENOMEM;
                        goto fail;
                }
                e.layout = "--kernel";
        } else {
                r = find_bls(root, &e, &why);
                if (r == 0)
                        r = find_debian(root, &e);
                if (r == 0)
                        r = find_arch(root, &e);
                if (r == 0)
                        r = find_nixos(root, &e);
                if (r == 0)
                        r = find_newest(root, &e);
                if (r == 0) {
                        r = -ENOENT;
                        if (!why && asprintf(&why, "no installed kernel found: no boot loader entries in "
                                             "/boot/loader/entries, no /vmlinuz or /boot/vmlinuz link, no "
                                             "/boot/vmlinuz-linux, no NixOS system profile, and no /boot/vmlinuz-VERSION "
                                             "with a /lib/modules/VERSION; pass --kernel and --initrd") < 0)
                                why = NULL;
                }
                if (r < 0)
                        goto fail;
        }

        if (req->initrd) {
                clear_initrds(&e);
                e.initrds[0] = strdup(req->initrd);
                if (!e.initrds[0]) {
                        r = -ENOMEM;
                        goto fail;
                }
                e.n_initrds = 1;
                r = setf(&e.why_initrd, "--initrd");
                if (r < 0)
                        goto fail;
        }

        if (req->reuse_cmdline || !e.cmdline) {
                r = running_cmdline(root, &e, req->reuse_cmdline ? " (--reuse-cmdline)" :
                                    streq(e.layout, "bls") ? " (the boot entry has no options line)" : "");
                if (r < 0) {
                        if (asprintf(&why, "cannot read the running kernel's command line from /proc/cmdline (%s); "
                                     "pass --append with the whole command line", strerror(-r)) < 0)
                                why = NULL;
                        if (!req->append)
                                goto fail;
                        free(why);
                        why = NULL;
                        e.cmdline = strdup("");
                        if (!e.cmdline || setf(&e.why_cmdline, "only --append: /proc/cmdline is unreadable") < 0) {
                                r = -ENOMEM;
                                goto fail;
                        }
                }
        }
        if (req->append && req->append[0]) {
                r = append_words(&e.cmdline, req->append, false);
                if (r >= 0)
                        r = setf(&e.why_cmdline, "%s, then --append", e.why_cmdline);
                if (r < 0)
                        goto fail;
        }
        *ret = e;
        return 0;
fail:
        bootentry_done(&e);
        if (ret_why)
                *ret_why = why;
        else
                free(why);
        return r;
}
