/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test helper: captures the current network namespace (or parses a saved
 * text) and prints it as text, JSON or restore script.
 *   netstate-dump [--root DIR] [--parse FILE] [--json|--script|--roundtrip] */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netstate.h"

static int read_file(const char *path, char **ret, size_t *ret_len) {
        FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        char *buf = NULL;
        size_t len = 0, alloc = 0;
        for (;;) {
                if (alloc - len < 65536) {
                        alloc = alloc * 2 + 65536;
                        char *p = realloc(buf, alloc);
                        if (!p) {
                                free(buf);
                                fclose(f);
                                return -ENOMEM;
                        }
                        buf = p;
                }
                size_t n = fread(buf + len, 1, alloc - len, f);
                len += n;
                if (n == 0)
                        break;
        }
        fclose(f);
        *ret = buf;
        *ret_len = len;
        return 0;
}

int main(int argc, char **argv) {
        enum { FORMAT, JSON, SCRIPT, ROUNDTRIP } mode = FORMAT;
        const char *root = NULL, *parse = NULL;
        static const struct option options[] = {
                { "root", required_argument, NULL, 'r' },
                { "parse", required_argument, NULL, 'p' },
                { "json", no_argument, NULL, 'j' },
                { "script", no_argument, NULL, 's' },
                { "roundtrip", no_argument, NULL, 't' },
                {}
        };
        int c, r;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'r': root = optarg; break;
                case 'p': parse = optarg; break;
                case 'j': mode = JSON; break;
                case 's': mode = SCRIPT; break;
                case 't': mode = ROUNDTRIP; break;
                default: return 2;
                }

        _cleanup_netstate NetState *s = NULL;
        if (parse) {
                char *text = NULL;
                size_t len = 0;
                unsigned line = 0;
                r = read_file(parse, &text, &len);
                if (r < 0) {
                        fprintf(stderr, "read %s: %s\n", parse, strerror(-r));
                        return 1;
                }
                r = netstate_parse(text, len, &s, &line);
                free(text);
                if (r < 0) {
                        fprintf(stderr, "%s:%u: %s\n", parse, line, strerror(-r));
                        return 1;
                }
        } else {
                r = netstate_capture_at(root, &s);
                if (r < 0) {
                        fprintf(stderr, "capture: %s\n", strerror(-r));
                        return 1;
                }
        }

        char *out = NULL;
        if (mode == JSON)
                r = netstate_render_json(s, &out);
        else if (mode == SCRIPT)
                r = netstate_render_script(s, &out);
        else
                r = netstate_format(s, &out);
        if (r < 0) {
                fprintf(stderr, "render: %s\n", strerror(-r));
                return 1;
        }
        if (mode == ROUNDTRIP) {
                /* text -> parse -> text must be the identity. */
                NetState *again = NULL;
                unsigned line = 0;
                char *out2 = NULL;
                r = netstate_parse(out, strlen(out), &again, &line);
                if (r < 0) {
                        fprintf(stderr, "parse of our own text, line %u: %s\n%s", line, strerror(-r), out);
                        return 1;
                }
                r = netstate_format(again, &out2);
                netstate_free(again);
                if (r < 0 || strcmp(out, out2) != 0) {
                        fprintf(stderr, "round trip differs:\n--- first\n%s--- second\n%s", out, out2 ?: "");
                        return 1;
                }
                free(out2);
        }
        fputs(out, stdout);
        free(out);
        return 0;
}
