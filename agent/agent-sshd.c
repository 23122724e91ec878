/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agent-sshd.h"
#include "fileio.h"
#include "macro.h"

#define SSHD_CONFIG_MAX (1024 * 1024)
#define INCLUDE_DEPTH_MAX 8     /* sshd's own limit is 16; real configs nest once */

typedef struct Ports {
        uint16_t *ports;
        size_t n;
        bool done;              /* a Match block was reached */
} Ports;

/* path is the real path (root already prefixed); root resolves Includes. */
static int parse_file(const char *root, const char *path, unsigned depth, Ports *p);

static int add_port(Ports *p, const char *value) {
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(value, &end, 10);
        if (errno != 0 || end == value || *end != '\0' || v == 0 || v > 65535)
                return -EBADMSG;
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
        int r;

        r = read_full_file(path, SSHD_CONFIG_MAX, &text, NULL);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;

        for (char *line = text, *next; line && !p->done; line = next) {
                char *key, *value, *save = NULL;

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
                if (strcasecmp(key, "Port") == 0) {
                        value = strtok_r(NULL, " \t\r=", &save);
                        if (!value)
                                return -EBADMSG;
                        r = add_port(p, value);
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
