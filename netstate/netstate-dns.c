/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Hostname and DNS resolvers. A resolv.conf that points at systemd-resolved's
 * local stub says nothing useful for a system without it: take the real
 * upstreams from the file resolved writes for that purpose. */
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "fileio.h"
#include "netstate-internal.h"

static int read_file_below(const char *root, const char *path, size_t max, char **ret) {
        char full[PATH_MAX];
        int n = snprintf(full, sizeof(full), "%s%s", strcmp(root, "/") == 0 ? "" : root, path);
        if (n < 0 || (size_t) n >= sizeof(full))
                return -ENAMETOOLONG;

        _cleanup_close_ int fd = open(full, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        return read_full_fd(fd, max, ret, NULL);
}

/* Splits off the next whitespace-separated word of *p; NULL at the end. */
static char *next_word(char **p) {
        char *s = *p;
        while (*s && isspace((unsigned char) *s))
                s++;
        if (*s == '\0')
                return NULL;
        char *w = s;
        while (*s && !isspace((unsigned char) *s))
                s++;
        if (*s)
                *s++ = '\0';
        *p = s;
        return w;
}

static bool resolv_word_ok(const char *w);

static int push_word(NetStrv *v, const char *w) {
        if (strlen(w) >= NETSTATE_DNS_VALUE_MAX || !resolv_word_ok(w))
                return 0;       /* resolvers ignore such words too */
        int r = netstate_strv_push(v, w, NETSTATE_DNS_MAX);
        return r == -E2BIG ? 0 : r;
}

/* The subset of resolv(5) that describes where to ask: nameserver, search
 * (the last search or domain line wins), options. */
int netstate_parse_resolv_conf(NetState *s, const char *text) {
        _cleanup_free_ char *copy = strdup(text);
        if (!copy)
                return -ENOMEM;
        char *save = NULL;
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *p = line, *key = next_word(&p), *w;
                int r = 0;

                if (!key || key[0] == '#' || key[0] == ';')
                        continue;
                if (strcmp(key, "nameserver") == 0) {
                        w = next_word(&p);
                        if (w)
                                r = push_word(&s->nameservers, w);
                } else if (strcmp(key, "search") == 0 || strcmp(key, "domain") == 0) {
                        netstate_strv_free(&s->search);
                        while (r >= 0 && (w = next_word(&p)) && w[0] != '#' && w[0] != ';')
                                r = push_word(&s->search, w);
                } else if (strcmp(key, "options") == 0) {
                        while (r >= 0 && (w = next_word(&p)) && w[0] != '#' && w[0] != ';')
                                r = push_word(&s->dns_options, w);
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool only_local_stub(const NetStrv *v) {
        if (v->n == 0)
                return false;
        for (size_t i = 0; i < v->n; i++)
                if (strcmp(v->items[i], "127.0.0.53") != 0 && strcmp(v->items[i], "127.0.0.54") != 0)
                        return false;
        return true;
}

static void dns_reset(NetState *s) {
        netstate_strv_free(&s->nameservers);
        netstate_strv_free(&s->search);
        netstate_strv_free(&s->dns_options);
}

static int load_resolv_conf(NetState *s, const char *root, const char *path) {
        _cleanup_free_ char *text = NULL;
        int r = read_file_below(root, path, NETSTATE_RESOLV_CONF_MAX, &text);
        if (r < 0)
                return r;
        dns_reset(s);
        return netstate_parse_resolv_conf(s, text);
}

int netstate_capture_dns(NetState *s, const char *root) {
        int r = load_resolv_conf(s, root, "/etc/resolv.conf");
        if (r == -ENOENT)
                return 0;       /* no resolver configured is a state too */
        if (r < 0)
                return r;
        if (!only_local_stub(&s->nameservers))
                return 0;

        NetState upstream = {};
        r = load_resolv_conf(&upstream, root, "/run/systemd/resolve/resolv.conf");
        if (r >= 0 && upstream.nameservers.n > 0) {
                dns_reset(s);
                s->nameservers = upstream.nameservers;
                s->search = upstream.search;
                s->dns_options = upstream.dns_options;
                return 0;
        }
        dns_reset(&upstream);
        return r == -ENOMEM ? r : 0;   /* keep the stub: better than nothing */
}

static int set_hostname(NetState *s, const char *name, size_t n) {
        while (n > 0 && isspace((unsigned char) name[n - 1]))
                n--;
        while (n > 0 && isspace((unsigned char) *name)) {
                name++;
                n--;
        }
        if (n == 0 || n > NETSTATE_HOSTNAME_MAX)
                return 0;
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) name[i] <= ' ' || name[i] == 0x7f)
                        return 0;       /* not a name any resolver would use */
        char *copy = strndup(name, n);
        if (!copy)
                return -ENOMEM;
        free(s->hostname);
        s->hostname = copy;
        return 0;
}

int netstate_capture_hostname(NetState *s, const char *root) {
        struct utsname u;
        if (uname(&u) >= 0 && strcmp(u.nodename, "(none)") != 0 && u.nodename[0] != '\0')
                return set_hostname(s, u.nodename, strlen(u.nodename));

        _cleanup_free_ char *text = NULL;
        int r = read_file_below(root, "/etc/hostname", 4096, &text);
        if (r == -ENOENT || r == -EFBIG)
                return 0;
        if (r < 0)
                return r;
        return set_hostname(s, text, strcspn(text, "\n"));
}

/* A word resolv.conf can carry: no blanks, no control bytes. */
static bool resolv_word_ok(const char *w) {
        for (const unsigned char *p = (const unsigned char *) w; *p; p++)
                if (*p <= ' ' || *p == 0x7f)
                        return false;
        return *w != '\0';
}

static void put_words(NetBuf *b, const char *key, const NetStrv *v, bool one_per_line) {
        bool open = false;
        for (size_t i = 0; i < v->n; i++) {
                if (!resolv_word_ok(v->items[i]))
                        continue;
                if (one_per_line || !open)
                        netbuf_printf(b, "%s%s", open ? "\n" : "", key);
                netbuf_printf(b, " %s", v->items[i]);
                open = true;
        }
        if (open)
                netbuf_putc(b, '\n');
}

int netstate_render_resolv_conf(const NetState *s, char **ret) {
        NetBuf b = {};

        netbuf_puts(&b, "# Captured by the rescue agent from the original system.\n");
        put_words(&b, "nameserver", &s->nameservers, true);
        put_words(&b, "search", &s->search, false);
        put_words(&b, "options", &s->dns_options, false);
        return netbuf_finish(&b, ret);
}
