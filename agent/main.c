/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-keys.h"
#include "agent-help.h"
#include "agent-log.h"
#include "agent.h"
#include "config.h"
#include "git-version.h"
#include "macro.h"

static int print_version(void) {
        printf("agent %s (git %s)\n", PACKAGE_VERSION, GIT_REVISION);
        printf("libnl %s, zlib %s, liblzma %s, %s\n",
               DEP_VERSION_LIBNL, DEP_VERSION_ZLIB, DEP_VERSION_LZMA,
#if STATIC_BUILD
               "musl " LIBC_VERSION " (static)"
#else
               "glibc (dynamic, development build)"
#endif
        );
        return 0;
}

enum {
        ARG_VERSION = 0x100,
        ARG_COUNTDOWN,
        ARG_DRY_RUN,
        ARG_NO_REBOOT,
        ARG_KERNEL,
        ARG_INITRD,
        ARG_APPEND,
        ARG_AUTHORIZED_KEYS,
        ARG_FALLBACK,
        ARG_MANIFEST,
        ARG_MODULES_ALIAS,
        ARG_JSON,
        ARG_SCRIPT,
        ARG_ROOT,
        ARG_FORCE,
        ARG_PAYLOAD,
        ARG_KEYS_FROM,
        ARG_PASSWORD,
        ARG_GRACEFUL,
        ARG_BARE,
        ARG_STATE,
        ARG_PLAN,
        ARG_NOW,
        ARG_REUSE_CMDLINE,
};

static const struct option options[] = {
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, ARG_VERSION },
        { "yes", no_argument, NULL, 'y' },
        { "quiet", no_argument, NULL, 'q' },
        { "countdown", required_argument, NULL, ARG_COUNTDOWN },
        { "dry-run", no_argument, NULL, ARG_DRY_RUN },
        { "no-reboot", no_argument, NULL, ARG_NO_REBOOT },
        { "kernel", required_argument, NULL, ARG_KERNEL },
        { "initrd", required_argument, NULL, ARG_INITRD },
        { "append", required_argument, NULL, ARG_APPEND },
        { "authorized-keys", required_argument, NULL, ARG_AUTHORIZED_KEYS },
        { "fallback-after", required_argument, NULL, ARG_FALLBACK },
        { "output", required_argument, NULL, 'o' },
        { "manifest", required_argument, NULL, ARG_MANIFEST },
        { "modules-alias", required_argument, NULL, ARG_MODULES_ALIAS },
        { "json", no_argument, NULL, ARG_JSON },
        { "script", no_argument, NULL, ARG_SCRIPT },
        { "root", required_argument, NULL, ARG_ROOT },
        { "force", no_argument, NULL, ARG_FORCE },
        { "payload", no_argument, NULL, ARG_PAYLOAD },
        { "keys-from", required_argument, NULL, ARG_KEYS_FROM },
        { "password", no_argument, NULL, ARG_PASSWORD },
        { "graceful", no_argument, NULL, ARG_GRACEFUL },
        { "bare", no_argument, NULL, ARG_BARE },
        { "state", required_argument, NULL, ARG_STATE },
        { "plan", no_argument, NULL, ARG_PLAN },
        { "now", no_argument, NULL, ARG_NOW },
        { "reuse-cmdline", no_argument, NULL, ARG_REUSE_CMDLINE },
        {}
};

static int parse_seconds(const char *s, unsigned max, unsigned *ret) {
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno != 0 || end == s || *s == '-' || v > max)
                return -EINVAL;
        if (*end == 'm' && end[1] == '\0' && v <= max / 60)
                v *= 60;
        else if (*end == 's' && end[1] == '\0')
                ;
        else if (*end != '\0')
                return -EINVAL;
        *ret = (unsigned) v;
        return 0;
}

int main(int argc, char *argv[]) {
        AgentOptions o = {
                .countdown = 5,
                .fallback_seconds = 900,
        };
        const char *verb;
        int c;

        /* getopt_long permutes: options may come before or after the verb. */

        while ((c = getopt_long(argc, argv, "hyqo:", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        help_usage(stdout);
                        return 0;
                case ARG_VERSION:
                        return print_version();
                case 'y':
                        o.yes = true;
                        break;
                case 'q':
                        log_quiet = true;
                        break;
                case ARG_COUNTDOWN:
                        if (parse_seconds(optarg, 3600, &o.countdown) < 0) {
                                log_error(-EINVAL, "--countdown wants seconds (0-3600), not '%s'", optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case ARG_FALLBACK:
                        if (parse_seconds(optarg, 7 * 24 * 3600, &o.fallback_seconds) < 0) {
                                log_error(-EINVAL, "--fallback-after wants seconds or minutes (e.g. 900 or 15m), not '%s'", optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case ARG_DRY_RUN:
                        o.dry_run = true;
                        break;
                case ARG_NO_REBOOT:
                        o.no_reboot = true;
                        break;
                case ARG_KERNEL:
                        o.kernel = optarg;
                        break;
                case ARG_INITRD:
                        o.initrd = optarg;
                        break;
                case ARG_APPEND:
                        o.append = optarg;
                        break;
                case ARG_AUTHORIZED_KEYS:
                        o.authorized_keys = optarg;
                        break;
                case 'o':
                        o.output = optarg;
                        break;
                case ARG_MANIFEST:
                        o.manifest = optarg;
                        break;
                case ARG_MODULES_ALIAS:
                        o.modules_alias = optarg;
                        break;
                case ARG_JSON:
                        o.json = true;
                        break;
                case ARG_SCRIPT:
                        o.script = true;
                        break;
                case ARG_ROOT:
                        o.root = optarg;
                        break;
                case ARG_FORCE:
                        o.force = true;
                        break;
                case ARG_PAYLOAD:
                        o.payload = true;
                        break;
                case ARG_KEYS_FROM: {
                        size_t n = 0;
                        char **v;

                        while (o.keys_from && o.keys_from[n])
                                n++;
                        v = realloc(o.keys_from, (n + 2) * sizeof(char *));
                        if (!v)
                                return log_error(-ENOMEM, "out of memory"), 1;
                        v[n] = optarg;
                        v[n + 1] = NULL;
                        o.keys_from = v;
                        break;
                }
                case ARG_PASSWORD:
                        o.password = true;
                        break;
                case ARG_GRACEFUL:
                        o.graceful = true;
                        break;
                case ARG_STATE:
                        o.state = optarg;
                        break;
                case ARG_PLAN:
                        o.plan = true;
                        break;
                case ARG_NOW:
                        o.now = true;
                        break;
                case ARG_REUSE_CMDLINE:
                        o.reuse_cmdline = true;
                        break;
                case ARG_BARE:
                        o.bare = true;
                        break;
                default:
                        fputs("Try 'agent --help'.\n", stderr);
                        return EXIT_USAGE;
                }
        }

        if (optind >= argc) {
                help_usage(stderr);
                return EXIT_USAGE;
        }
        verb = argv[optind++];

        /* The text of every command and option lives in agent-help.c. */
        if (streq(verb, "help")) {
                if (optind >= argc) {
                        help_usage(stdout);
                        return 0;
                }
                if (help_command(stdout, argv[optind]) < 0) {
                        log_error(-EINVAL, "no command '%s'; 'agent help' lists them", argv[optind]);
                        return EXIT_USAGE;
                }
                return 0;
        }
        /* Read before any capture, so that a prompt comes first. */
        if (o.password && (streq(verb, "go") || streq(verb, "overlay") || streq(verb, "plan") || streq(verb, "check")) &&
            keys_read_password(&o.password_hash) < 0)
                return 1;
        if (streq(verb, "go"))
                return verb_go(&o);
        if (streq(verb, "check"))
                return verb_check(&o);
        if (streq(verb, "plan"))
                return verb_plan(&o);
        if (streq(verb, "snapshot"))
                return verb_snapshot(&o);
        if (streq(verb, "overlay"))
                return verb_overlay(&o);
        if (streq(verb, "bundle"))
                return verb_bundle(&o);
        if (streq(verb, "restore"))
                return verb_restore(&o);
        if (streq(verb, "reboot"))
                return verb_reboot(&o);
        if (streq(verb, "paste"))
                return verb_paste(&o, optind < argc ? argv[optind] : NULL);
        if (streq(verb, "inspect"))
                return verb_inspect(&o, o.payload || optind >= argc ? NULL : argv[optind]);

        log_error(-EINVAL, "unknown command '%s'; try 'agent --help'", verb);
        return EXIT_USAGE;
}
