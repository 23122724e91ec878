/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "agent-keys.h"
#include "agent-log.h"
#include "agent-password.h"
#include "agent-sshd.h"
#include "fileio.h"
#include "macro.h"
#include "sha256.h"

#define KEY_FILE_MAX (64 * 1024)
#define AUTHORIZED_KEYS_MAX (1024 * 1024)

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_value(char c) {
        const char *p = c ? strchr(b64, c) : NULL;
        return p ? (int) (p - b64) : -1;
}

/* Decodes standard base64 up to the first '=' or the end; -EINVAL otherwise. */
static int b64_decode(const char *s, size_t len, uint8_t *out, size_t out_size, size_t *ret_len) {
        uint32_t acc = 0;
        size_t n = 0;
        unsigned bits = 0;

        for (size_t i = 0; i < len && s[i] != '='; i++) {
                int v = b64_value(s[i]);
                if (v < 0)
                        return -EINVAL;
                acc = acc << 6 | (uint32_t) v;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        if (n >= out_size)
                                return -ENOBUFS;
                        out[n++] = (uint8_t) (acc >> bits);
                }
        }
        *ret_len = n;
        return 0;
}

static void b64_encode_nopad(const uint8_t *in, size_t len, char *out) {
        size_t o = 0;
        uint32_t acc = 0;
        unsigned bits = 0;

        for (size_t i = 0; i < len; i++) {
                acc = acc << 8 | in[i];
                bits += 8;
                while (bits >= 6) {
                        bits -= 6;
                        out[o++] = b64[(acc >> bits) & 63];
                }
        }
        if (bits > 0)
                out[o++] = b64[(acc << (6 - bits)) & 63];
        out[o] = '\0';
}

int keys_fingerprint(const char *line, char *ret_type, size_t type_size, char ret_fp[static 64]) {
        uint8_t blob[16384], digest[SHA256_DIGEST_SIZE];
        size_t type_len, blob_len, data_len;
        const char *data;
        int r;

        line += strspn(line, " \t");
        type_len = strcspn(line, " \t\r\n");
        data = line + type_len;
        data += strspn(data, " \t");
        data_len = strcspn(data, " \t\r\n");
        if (type_len == 0 || type_len >= type_size || data_len == 0)
                return -EINVAL;

        r = b64_decode(data, data_len, blob, sizeof(blob), &blob_len);
        if (r < 0)
                return r;
        /* The blob starts with its own type name: a cheap sanity check. */
        if (blob_len < 4 + type_len || memcmp(blob + 4, line, MIN(type_len, blob_len - 4)) != 0)
                if (strncmp(line, "sk-", 3) != 0 && strstr(line, "-cert-") == NULL)
                        return -EINVAL;

        sha256(blob, blob_len, digest);
        memcpy(ret_type, line, type_len);
        ret_type[type_len] = '\0';
        strcpy(ret_fp, "SHA256:");
        b64_encode_nopad(digest, sizeof(digest), ret_fp + 7);
        return 0;
}

static int add_file_from(CpioWriter *w, const char *root, const char *path, uint32_t mode, bool required) {
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r;

        r = read_full_file_below(root, path, KEY_FILE_MAX, &data, &size);
        if (r == -ENOENT && !required)
                return 0;
        if (r < 0)
                return log_error_errno(r, "cannot read %s", path);
        r = cpio_writer_add_file(w, path + 1, mode, 0, 0, 0, data, size);
        if (r < 0)
                return log_error_errno(r, "cannot add %s to the overlay", path);
        return 1;
}

static int name_is_host_key(const char *name) {
        size_t n = strlen(name);
        return strncmp(name, "ssh_host_", 9) == 0 && n > 13 && streq(name + n - 4, "_key");
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char * const *) a, *(char * const *) b);
}

int keys_add_host_keys(CpioWriter *w, const char *root, KeysReport *report) {
        _cleanup_free_ char *dir_path = NULL;
        char *names[KEYS_MAX_HOST_KEYS];
        size_t n = 0;
        DIR *d;
        struct dirent *de;
        int r = 0;

        if (asprintf(&dir_path, "%s/etc/ssh", root ?: "") < 0)
                return -ENOMEM;
        d = opendir(dir_path);
        if (!d) {
                if (errno == ENOENT)
                        return 0;
                return log_error_errno(-errno, "cannot list %s", dir_path);
        }
        while ((de = readdir(d))) {
                if (!name_is_host_key(de->d_name) || strlen(de->d_name) >= sizeof(report->host_keys[0].name))
                        continue;
                if (n >= ELEMENTSOF(names)) {
                        log_warning("more than %zu host keys in /etc/ssh; ignoring %s", ELEMENTSOF(names), de->d_name);
                        continue;
                }
                names[n] = strdup(de->d_name);
                if (!names[n]) {
                        r = -ENOMEM;
                        break;
                }
                n++;
        }
        closedir(d);
        qsort(names, n, sizeof(char *), cmp_str);

        for (size_t i = 0; i < n && r >= 0; i++) {
                HostKey *k = &report->host_keys[report->n_host_keys];
                _cleanup_free_ char *path = NULL, *pub = NULL, *pub_data = NULL, *cert = NULL;

                if (asprintf(&path, "/etc/ssh/%s", names[i]) < 0 ||
                    asprintf(&pub, "%s.pub", path) < 0 || asprintf(&cert, "%s-cert.pub", path) < 0) {
                        r = -ENOMEM;
                        break;
                }
                r = add_file_from(w, root, path, 0600, true);
                if (r < 0)
                        break;
                *k = (HostKey) {};
                snprintf(k->name, sizeof(k->name), "%s", names[i]);
                r = add_file_from(w, root, pub, 0644, false);
                if (r < 0)
                        break;
                if (r > 0 && read_full_file_below(root, pub, KEY_FILE_MAX, &pub_data, NULL) >= 0 &&
                    keys_fingerprint(pub_data, k->type, sizeof(k->type), k->fingerprint) < 0)
                        log_warning("%s does not hold a public key; no fingerprint shown", pub);
                r = add_file_from(w, root, cert, 0644, false);
                if (r < 0)
                        break;
                k->has_certificate = r > 0;
                report->n_host_keys++;
        }
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        return r < 0 ? r : 0;
}

/* Home and uid of user from root/etc/passwd, without NSS (the static
 * binary has none). */
static int passwd_lookup(const char *root, const char *user, char **ret_home, unsigned *ret_uid) {
        _cleanup_free_ char *passwd = NULL;
        size_t ulen = strlen(user);
        int r;

        r = read_full_file_below(root, "/etc/passwd", AUTHORIZED_KEYS_MAX, &passwd, NULL);
        if (r < 0)
                return r;
        for (char *line = passwd, *next; line; line = next) {    /* blank lines too: they match no one */
                char *field = line;
                unsigned uid = 0;

                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                if (strncmp(line, user, ulen) != 0 || line[ulen] != ':')
                        continue;
                /* name:password:uid:gid:gecos:home:shell */
                for (int i = 0; i < 5 && field; i++) {
                        field = strchr(field, ':');
                        if (field)
                                field++;
                        if (i == 1 && field)
                                uid = (unsigned) strtoul(field, NULL, 10);
                }
                if (!field || *field != '/')
                        return -EBADMSG;
                field[strcspn(field, ":")] = '\0';
                *ret_home = strdup(field);
                *ret_uid = uid;
                return *ret_home ? 0 : -ENOMEM;
        }
        return -ESRCH;
}

/* The authorized_keys being collected, and the set of its lines: a line is
 * looked up by its hash, so n distinct keys cost O(n), not O(n²). */
typedef struct KeySlot {
        size_t offset;          /* into buf */
        size_t len;             /* without the newline; 0: a free slot */
} KeySlot;

typedef struct KeyLines {
        char *buf;
        size_t len, alloc;
        KeySlot *slots;         /* open addressing, a power of two of them */
        size_t n_slots, n_lines;
} KeyLines;

static void key_lines_done(KeyLines *k) {
        free(k->buf);
        free(k->slots);
        *k = (KeyLines) {};
}

/* FNV-1a: the lines are the host's own files, not chosen to collide. */
static uint64_t line_hash(const char *line, size_t n) {
        uint64_t h = 0xcbf29ce484222325ull;

        for (size_t i = 0; i < n; i++)
                h = (h ^ (uint8_t) line[i]) * 0x100000001b3ull;
        return h;
}

/* The slot that holds line, or the free one where it belongs. */
static KeySlot *key_lines_slot(const KeyLines *k, const char *line, size_t n) {
        size_t mask = k->n_slots - 1;

        for (size_t i = line_hash(line, n) & mask;; i = (i + 1) & mask) {
                KeySlot *slot = &k->slots[i];
                if (slot->len == 0 || (slot->len == n && memcmp(k->buf + slot->offset, line, n) == 0))
                        return slot;
        }
}

/* Keeps the table at most half full, so lookups stay short and end. */
static int key_lines_grow_set(KeyLines *k) {
        KeyLines bigger = *k;

        if (k->n_lines < k->n_slots / 2)
                return 0;
        bigger.n_slots = k->n_slots ? k->n_slots * 2 : 64;
        bigger.slots = calloc(bigger.n_slots, sizeof(KeySlot));
        if (!bigger.slots)
                return -ENOMEM;
        for (size_t i = 0; i < k->n_slots; i++)
                if (k->slots[i].len > 0)
                        *key_lines_slot(&bigger, k->buf + k->slots[i].offset, k->slots[i].len) = k->slots[i];
        free(k->slots);
        k->slots = bigger.slots;
        k->n_slots = bigger.n_slots;
        return 0;
}

/* Adds line (n > 0 bytes, no newline) with a newline unless it is there
 * already; returns 1 if added, 0 if not. */
static int key_lines_add(KeyLines *k, const char *line, size_t n) {
        KeySlot *slot;
        int r;

        r = key_lines_grow_set(k);
        if (r < 0)
                return r;
        slot = key_lines_slot(k, line, n);
        if (slot->len > 0)
                return 0;
        if (k->len + n + 1 > k->alloc) {
                size_t alloc = MAX(k->alloc * 2, k->len + n + 1);
                char *nb = realloc(k->buf, alloc);
                if (!nb)
                        return -ENOMEM;
                k->buf = nb;
                k->alloc = alloc;
        }
        memcpy(k->buf + k->len, line, n);
        k->buf[k->len + n] = '\n';
        *slot = (KeySlot) { .offset = k->len, .len = n };
        k->len += n + 1;
        k->n_lines++;
        return 1;
}

static bool has_prefix(const char *p, const char *end, const char *prefix) {
        size_t n = strlen(prefix);
        return (size_t) (end - p) >= n && memcmp(p, prefix, n) == 0;
}

/* Whether an authorized_keys line starts with options that include
 * command="..." (sshd matches option names without regard to case). A line
 * that starts with the key type has no options. */
static bool key_line_forces_command(const char *line, size_t n) {
        const char *p = line, *end = line + n;

        while (p < end && (*p == ' ' || *p == '\t'))
                p++;
        if (has_prefix(p, end, "ssh-") || has_prefix(p, end, "ecdsa-") || has_prefix(p, end, "sk-"))
                return false;
        while (p < end && *p != ' ' && *p != '\t') {
                const char *name = p;

                while (p < end && *p != '=' && *p != ',' && *p != ' ' && *p != '\t')
                        p++;
                if (p - name == 7 && strncasecmp(name, "command", 7) == 0 && p < end && *p == '=')
                        return true;
                if (p < end && *p == '=') {
                        p++;
                        if (p < end && *p == '"')
                                for (p++; p < end && *p != '"'; p++)
                                        if (*p == '\\' && p + 1 < end)
                                                p++;
                        while (p < end && *p != ',' && *p != ' ' && *p != '\t')
                                p++;
                }
                if (p < end && *p == ',')
                        p++;
        }
        return false;
}

/* sshd uses the first line that holds the client's key. When a key is in
 * root's file behind a forced command (cloud-init's disable_root writes
 * command="echo Please login as the user ..." there) and also, without
 * one, in the file of an admin who may become root anyway, the rescue,
 * where everyone logs in as root, must find the unrestricted line first:
 * lines without command= go first, each group in its original order. */
static int key_lines_unforced_first(KeyLines *k) {
        _cleanup_free_ char *out = malloc(k->len);
        size_t used = 0;

        if (!out)
                return -ENOMEM;
        for (int forced = 0; forced <= 1; forced++)
                for (size_t i = 0; i < k->len;) {
                        const char *nl = memchr(k->buf + i, '\n', k->len - i);
                        size_t n = (size_t) (nl - (k->buf + i));   /* every line ends in one */
                        if (key_line_forces_command(k->buf + i, n) == (bool) forced) {
                                memcpy(out + used, k->buf + i, n + 1);
                                used += n + 1;
                        }
                        i += n + 1;
                }
        memcpy(k->buf, out, k->len);
        return 0;
}

/* Appends the key lines of text, skipping blanks, comments and lines
 * already present; counts the keys added. */
static int append_key_lines(KeyLines *k, const char *text, size_t *ret_count) {
        size_t count = 0;

        for (const char *line = text; *line;) {
                size_t n = strcspn(line, "\n");
                const char *p = line + strspn(line, " \t");

                if (*p != '#' && *p != '\n' && *p != '\0' && *p != '\r') {
                        int r = key_lines_add(k, line, n);
                        if (r < 0)
                                return r;
                        count += (size_t) r;
                }
                line += n;
                if (*line == '\n')
                        line++;
        }
        *ret_count = count;
        return 0;
}

static void note_source(KeysReport *report, const char *user, const char *path, size_t count) {
        size_t used = strlen(report->sources);

        snprintf(report->sources + used, sizeof(report->sources) - used, "%s%s%s%s (%zu)",
                 used ? ", " : "", user ?: "", user ? ": " : "", path, count);
        if (report->n_sources < KEYS_MAX_SOURCES) {
                KeySource *k = &report->key_sources[report->n_sources++];
                snprintf(k->user, sizeof(k->user), "%s", user ?: "");
                snprintf(k->path, sizeof(k->path), "%s", path);
                k->count = count;
        }
}

#define KEYS_MAX_USERS 64

static bool user_name_ok(const char *u) {
        return u && *u && strlen(u) < 64 && !strchr(u, '/') && !streq(u, ".") && !streq(u, "..");
}

static int add_user(char **users, size_t *n, const char *name, size_t len) {
        char *u;

        if (len == 0 || *n >= KEYS_MAX_USERS)
                return 0;
        for (size_t i = 0; i < *n; i++)
                if (strlen(users[i]) == len && strncmp(users[i], name, len) == 0)
                        return 0;
        u = strndup(name, len);
        if (!u)
                return -ENOMEM;
        if (!user_name_ok(u)) {
                free(u);
                return 0;
        }
        users[(*n)++] = u;
        return 0;
}

/* Who may become root in the rescue: root, the admin who ran us through
 * sudo or doas, and the members of the groups that grant root on the host
 * (sudo, wheel, admin). Not every user: a plain user must not become root. */
static int admin_users(const char *root, char **users, size_t *n) {
        static const char *const groups[] = { "sudo", "wheel", "admin" };
        _cleanup_free_ char *text = NULL;
        const char *env;
        int r;

        r = add_user(users, n, "root", 4);
        if (r >= 0 && user_name_ok(env = getenv("SUDO_USER")))
                r = add_user(users, n, env, strlen(env));
        if (r >= 0 && user_name_ok(env = getenv("DOAS_USER")))
                r = add_user(users, n, env, strlen(env));
        if (r < 0)
                return r;

        r = read_full_file_below(root, "/etc/group", AUTHORIZED_KEYS_MAX, &text, NULL);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return log_error_errno(r, "cannot read /etc/group");
        for (char *line = text, *next; line; line = next) {      /* blank lines too: they match no group */
                char *members;
                size_t name_len = strcspn(line, ":\n");

                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                for (size_t g = 0; g < ELEMENTSOF(groups); g++) {
                        if (strlen(groups[g]) != name_len || strncmp(line, groups[g], name_len) != 0)
                                continue;
                        /* name:password:gid:member,member */
                        members = line;
                        for (int field = 0; field < 3 && members; field++) {
                                members = strchr(members, ':');
                                if (members)
                                        members++;
                        }
                        for (const char *m = members; m && *m;) {
                                size_t k = strcspn(m, ",\r");
                                r = add_user(users, n, m, k);
                                if (r < 0)
                                        return r;
                                m += k;
                                m += strspn(m, ",\r");
                        }
                }
        }
        return 0;
}

/* The files sshd would read for user (AuthorizedKeysFile patterns). A file
 * two users share (/etc/ssh/authorized_keys) is read once. */
static int add_user_keys(const char *root, const char *user, char *const *patterns,
                         KeyLines *lines, KeysReport *report) {
        _cleanup_free_ char *home = NULL;
        unsigned uid = 0;
        int r;

        r = passwd_lookup(root, user, &home, &uid);
        if (r < 0 && streq(user, "root"))
                home = strdup("/root");
        else if (r < 0)
                return 0;       /* listed in a group but not a user here */
        if (!home)
                return -ENOMEM;

        for (size_t i = 0; patterns[i]; i++) {
                _cleanup_free_ char *path = NULL, *text = NULL;
                bool seen = false;
                size_t count;

                r = sshd_expand_authorized_keys_file(patterns[i], user, home, uid, &path);
                if (r == -EBADMSG) {
                        log_warning("AuthorizedKeysFile %s in sshd_config has a token sshd does not know; skipped", patterns[i]);
                        continue;
                }
                if (r < 0)
                        return r;
                for (size_t k = 0; k < report->n_sources; k++)
                        if (streq(report->key_sources[k].path, path))
                                seen = true;
                if (seen)
                        continue;
                r = read_full_file_below(root, path, AUTHORIZED_KEYS_MAX, &text, NULL);
                if (r == -ENOENT || r == -ENOTDIR)
                        continue;
                if (r < 0)
                        return log_error_errno(r, "cannot read %s", path);
                r = append_key_lines(lines, text, &count);
                if (r < 0)
                        return r;
                report->n_authorized += count;
                note_source(report, user, path, count);
        }
        return 0;
}

/* The rescue /init puts this hash into /etc/shadow for root and only then
 * lets sshd accept passwords. Only the hash travels: never the password. */
static int add_root_password(CpioWriter *w, const char *hash) {
        _cleanup_free_ char *line = NULL;
        int r;

        if (strncmp(hash, "$6$", 3) != 0 || strpbrk(hash, ":\n"))
                return -EINVAL;
        if (asprintf(&line, "%s\n", hash) < 0)
                return -ENOMEM;
        r = cpio_writer_add_file(w, KEYS_ROOT_PASSWORD_FILE, 0600, 0, 0, 0, line, strlen(line));
        if (r < 0)
                return log_error_errno(r, "cannot add the root password hash to the overlay");
        return 0;
}

int keys_hash_password(const char *password, char **ret_hash) {
        static const char alphabet[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        uint8_t random_bytes[16];
        char salt[16 + 1], hash[SHA512_CRYPT_SIZE];
        char *copy;
        size_t got = 0;
        int r;

        if (!password || !*password)
                return -EINVAL;
        while (got < sizeof(random_bytes)) {
                ssize_t n = getrandom(random_bytes + got, sizeof(random_bytes) - got, 0);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                got += (size_t) n;
        }
        for (size_t i = 0; i < sizeof(random_bytes); i++)
                salt[i] = alphabet[random_bytes[i] & 63];
        salt[16] = '\0';
        r = sha512_crypt(password, salt, hash);
        if (r < 0)
                return r;
        copy = strdup(hash);
        explicit_bzero(hash, sizeof(hash));
        if (!copy)
                return -ENOMEM;
        *ret_hash = copy;
        return 0;
}

/* One line from fd, without its newline; at most size-1 bytes. */
static int read_line_fd(int fd, char *buf, size_t size) {
        size_t n = 0;

        for (;;) {
                char c;
                ssize_t k = read(fd, &c, 1);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0 || c == '\n')
                        break;
                if (n + 1 >= size)
                        return -E2BIG;
                buf[n++] = c;
        }
        if (n > 0 && buf[n - 1] == '\r')
                n--;
        buf[n] = '\0';
        return (int) n;
}

static int ask_no_echo(const char *prompt, char *buf, size_t size) {
        struct termios old, quiet;
        int r;

        fputs(prompt, stderr);
        fflush(stderr);
        if (tcgetattr(STDIN_FILENO, &old) < 0)
                return -errno;
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t) ECHO;
        quiet.c_lflag |= ECHONL;
        if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) < 0)
                return -errno;
        r = read_line_fd(STDIN_FILENO, buf, size);
        (void) tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        return r;
}

int keys_read_password(char **ret_hash) {
        char first[KEYS_PASSWORD_MAX], second[KEYS_PASSWORD_MAX];
        int r;

        if (isatty(STDIN_FILENO)) {
                r = ask_no_echo("rescue root password: ", first, sizeof(first));
                if (r >= 0)
                        r = ask_no_echo("again: ", second, sizeof(second));
                if (r >= 0 && !streq(first, second))
                        r = log_error(-EINVAL, "the two passwords differ; nothing was changed");
        } else
                r = read_line_fd(STDIN_FILENO, first, sizeof(first));
        if (r == -E2BIG)
                r = log_error(-E2BIG, "the password is longer than %d bytes", KEYS_PASSWORD_MAX - 1);
        else if (r == 0)
                r = log_error(-EINVAL, "an empty password lets nobody in; give one or leave out --password");
        else if (r < 0 && r != -EINVAL)
                r = log_error_errno(r, "cannot read the password");
        if (r >= 0) {
                r = keys_hash_password(first, ret_hash);
                if (r < 0)
                        log_error_errno(r, "cannot hash the password with SHA-512 crypt");
        }
        explicit_bzero(first, sizeof(first));
        explicit_bzero(second, sizeof(second));
        return r < 0 ? r : 0;
}

int keys_add_authorized_keys(CpioWriter *w, const char *root, const KeysRequest *req, KeysReport *report) {
        _cleanup_(key_lines_done) KeyLines lines = {};
        const char *extra_file = req ? req->extra_file : NULL;
        char *users[KEYS_MAX_USERS];
        char **patterns = NULL;
        size_t n_users = 0;
        int r;

        r = sshd_config_authorized_keys_files(root, &patterns);
        if (r < 0)
                return log_error_errno(r, "cannot read AuthorizedKeysFile from /etc/ssh/sshd_config");
        r = admin_users(root, users, &n_users);
        for (size_t i = 0; r >= 0 && req && req->users && req->users[i]; i++) {
                size_t before = n_users;

                _cleanup_free_ char *home = NULL;
                unsigned uid;

                r = add_user(users, &n_users, req->users[i], strlen(req->users[i]));
                if (r >= 0 && n_users == before && !user_name_ok(req->users[i]))
                        r = log_error(-EINVAL, "--keys-from %s is not a user name", req->users[i]);
                else if (r >= 0 && passwd_lookup(root, req->users[i], &home, &uid) < 0 && !streq(req->users[i], "root"))
                        r = log_error(-ESRCH, "--keys-from %s: no such user in /etc/passwd", req->users[i]);
        }
        for (size_t i = 0; i < n_users && r >= 0; i++)
                r = add_user_keys(root, users[i], patterns, &lines, report);
        for (size_t i = 0; i < n_users; i++)
                free(users[i]);
        sshd_authorized_keys_files_free(patterns);
        if (r < 0)
                return r;

        if (extra_file) {
                _cleanup_free_ char *text = NULL;
                size_t count;

                r = read_full_file(extra_file, AUTHORIZED_KEYS_MAX, &text, NULL);
                if (r < 0)
                        return log_error_errno(r, "cannot read --authorized-keys %s", extra_file);
                r = append_key_lines(&lines, text, &count);
                if (r < 0)
                        return r;
                if (count == 0)
                        log_warning("--authorized-keys %s holds no key", extra_file);
                report->n_authorized += count;
                note_source(report, NULL, extra_file, count);
        }

        if (req && req->password_hash) {
                r = add_root_password(w, req->password_hash);
                if (r < 0)
                        return r;
                report->password = true;
        }
        if (lines.len == 0)
                return 0;
        r = key_lines_unforced_first(&lines);
        if (r < 0)
                return r;
        r = cpio_writer_add_dir(w, "root", 0700, 0, 0, 0);
        if (r >= 0)
                r = cpio_writer_add_dir(w, "root/.ssh", 0700, 0, 0, 0);
        if (r >= 0)
                r = cpio_writer_add_file(w, "root/.ssh/authorized_keys", 0600, 0, 0, 0, lines.buf, lines.len);
        if (r < 0)
                return log_error_errno(r, "cannot add authorized keys to the overlay");
        return 0;
}
