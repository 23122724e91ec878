/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agent-log.h"
#include "agent-sshd.h"
#include "fileio.h"
#include "macro.h"

#define SSHD_CONFIG_MAX (1024 * 1024)
#define INCLUDE_DEPTH_MAX 8     /* sshd's own limit is 16; real configs nest once */

typedef struct Ports {
        uint16_t *ports;        /* NULL: Port lines are not looked at */
        size_t n;
        bool done;              /* a Match block was reached */
        /* AuthorizedKeysFile: sshd takes the first line that sets it. */
        char **akf;             /* NULL: not collecting */
        size_t n_akf;
        bool akf_set;
} Ports;

/* path is the real path (root already prefixed); root resolves Includes. */
static int parse_file(const char *root, const char *path, unsigned depth, Ports *p);

/* path as the host sees it: without the root it was read below. */
static const char *host_path(const char *root, const char *path) {
        size_t n = root ? strlen(root) : 0;
        return n > 0 && strncmp(path, root, n) == 0 && path[n] == '/' ? path + n : path;
}

/* Refused, as sshd refuses it; the operator must see which line to fix. */
static int add_port(Ports *p, const char *value, const char *root, const char *path, unsigned line) {
        char *end;
        unsigned long v;

        if (!value)
                return log_error(-EBADMSG, "%s:%u: Port has no value, and sshd would not start with it either; "
                                 "give it a port number from 1 to 65535", host_path(root, path), line);
        errno = 0;
        v = strtoul(value, &end, 10);
        if (errno != 0 || end == value || *end != '\0' || v == 0 || v > 65535)
                return log_error(-EBADMSG, "%s:%u: Port %.40s%s is not a port number from 1 to 65535, and sshd "
                                 "would not start with it either; correct that line", host_path(root, path), line,
                                 value, strlen(value) > 40 ? "..." : "");
        for (size_t i = 0; i < p->n; i++)
                if (p->ports[i] == v)
                        return 0;
        if (p->n < SSHD_MAX_PORTS)
                p->ports[p->n++] = (uint16_t) v;
        return 0;
}

/* Include takes glob patterns, relative ones below /etc/ssh. */
static int include(const char *root, const char *pattern, unsigned depth, Ports *p) {
        _cleanup_free_ char *full = NULL;
        glob_t g = {};
        int r = 0;

        if (depth >= INCLUDE_DEPTH_MAX)
                return -ELOOP;
        if (asprintf(&full, "%s%s%s", root ?: "", pattern[0] == '/' ? "" : "/etc/ssh/", pattern) < 0)
                return -ENOMEM;
        if (glob(full, 0, NULL, &g) != 0)
                return 0;       /* sshd ignores a pattern that matches nothing */
        for (size_t i = 0; i < g.gl_pathc && r >= 0 && !p->done; i++)
                r = parse_file(root, g.gl_pathv[i], depth + 1, p);
        globfree(&g);
        return r;
}

static int parse_file(const char *root, const char *path, unsigned depth, Ports *p) {
        _cleanup_free_ char *text = NULL;
        unsigned line_no = 0;
        int r;

        r = read_full_file(path, SSHD_CONFIG_MAX, &text, NULL);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;

        for (char *line = text, *next; line && !p->done; line = next) {
                char *key, *value, *save = NULL;

                line_no++;
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                key = strtok_r(line, " \t\r=", &save);
                if (!key || key[0] == '#')
                        continue;
                if (strcasecmp(key, "Match") == 0) {
                        p->done = true;
                        break;
                }
                if (strcasecmp(key, "Port") == 0 && p->ports) {
                        value = strtok_r(NULL, " \t\r=", &save);
                        r = add_port(p, value, root, path, line_no);
                } else if (strcasecmp(key, "AuthorizedKeysFile") == 0 && p->akf && !p->akf_set) {
                        p->akf_set = true;
                        r = 0;
                        while (r >= 0 && (value = strtok_r(NULL, " \t\r", &save)) && p->n_akf < SSHD_MAX_AUTHORIZED_KEYS_FILES) {
                                if (strcasecmp(value, "none") == 0)
                                        continue;
                                p->akf[p->n_akf] = strdup(value);
                                if (!p->akf[p->n_akf])
                                        r = -ENOMEM;
                                else
                                        p->n_akf++;
                        }
                } else if (strcasecmp(key, "Include") == 0) {
                        r = 0;
                        while (r >= 0 && (value = strtok_r(NULL, " \t\r", &save)))
                                r = include(root, value, depth, p);
                } else
                        r = 0;
                if (r < 0)
                        return r;
        }
        return 0;
}

int sshd_config_ports(const char *root, uint16_t ports[static SSHD_MAX_PORTS]) {
        _cleanup_free_ char *path = NULL;
        Ports p = { .ports = ports };
        int r;

        if (asprintf(&path, "%s/etc/ssh/sshd_config", root ?: "") < 0)
                return -ENOMEM;
        r = parse_file(root, path, 0, &p);
        if (r < 0)
                return r;
        if (p.n == 0)
                ports[p.n++] = SSHD_DEFAULT_PORT;
        return (int) p.n;
}

void sshd_authorized_keys_files_free(char **files) {
        for (size_t i = 0; files && files[i]; i++)
                free(files[i]);
        free(files);
}

int sshd_config_authorized_keys_files(const char *root, char ***ret) {
        _cleanup_free_ char *path = NULL;
        char **files;
        Ports p = {};
        int r;

        files = calloc(SSHD_MAX_AUTHORIZED_KEYS_FILES + 1, sizeof(char *));
        if (!files)
                return -ENOMEM;
        p.akf = files;
        if (asprintf(&path, "%s/etc/ssh/sshd_config", root ?: "") < 0) {
                free(files);
                return -ENOMEM;
        }
        r = parse_file(root, path, 0, &p);
        if (r >= 0 && !p.akf_set) {
                /* sshd's compiled-in default */
                files[0] = strdup(".ssh/authorized_keys");
                files[1] = strdup(".ssh/authorized_keys2");
                p.n_akf = 2;
                if (!files[0] || !files[1])
                        r = -ENOMEM;
        }
        if (r < 0) {
                sshd_authorized_keys_files_free(files);
                return r;
        }
        *ret = files;
        return (int) p.n_akf;
}

int sshd_expand_authorized_keys_file(const char *pattern, const char *user, const char *home, unsigned uid, char **ret) {
        _cleanup_free_ char *out = NULL;
        size_t len = 0, cap;

        cap = strlen(pattern) + 1;
        for (const char *c = pattern; *c; c++)
                if (*c == '%')
                        cap += strlen(home) + strlen(user) + 16;
        out = malloc(cap);
        if (!out)
                return -ENOMEM;
        for (const char *c = pattern; *c; c++) {
                if (*c != '%') {
                        out[len++] = *c;
                        continue;
                }
                c++;
                switch (*c) {
                case '%':
                        out[len++] = '%';
                        break;
                case 'h':
                        len += (size_t) sprintf(out + len, "%s", home);
                        break;
                case 'u':
                        len += (size_t) sprintf(out + len, "%s", user);
                        break;
                case 'U':
                        len += (size_t) sprintf(out + len, "%u", uid);
                        break;
                default:
                        return -EBADMSG;        /* sshd refuses unknown tokens too */
                }
        }
        out[len] = '\0';
        /* sshd: a path that is not absolute after expansion is below home. */
        if (out[0] != '/') {
                char *abs;

                if (asprintf(&abs, "%s/%s", streq(home, "/") ? "" : home, out) < 0)
                        return -ENOMEM;
                free(out);
                out = abs;
        }
        *ret = TAKE_PTR(out);
        return 0;
}
