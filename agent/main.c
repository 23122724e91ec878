/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-log.h"
#include "agent.h"
#include "config.h"
#include "git-version.h"
#include "macro.h"

static const char usage_text[] =
        "Usage: agent [OPTIONS] COMMAND\n"
        "\n"
        "Boot this host into a rescue system in RAM that comes up on the same\n"
        "addresses with the same SSH host keys, through kexec, without touching disks.\n"
        "\n"
        "Commands:\n"
        "  go                  capture network, keys and DNS; load the bundled rescue\n"
        "                      kernel; count down; reboot into it\n"
        "  snapshot            print the captured network state (--json, --script)\n"
        "  overlay -o FILE     write the overlay initramfs go would append (mode 0600)\n"
        "  inspect FILE|--payload\n"
        "                      list a cpio/initramfs FILE, or the bundled payload\n"
        "  bundle --kernel K --initrd I -o OUT\n"
        "                      make a copy of this agent carrying another rescue image\n"
        "  help                show this text\n"
        "\n"
        "Options:\n"
        "  -y, --yes           no countdown before the reboot\n"
        "      --countdown=SEC seconds to wait before rebooting (default 10)\n"
        "      --dry-run       go: do every step up to the kexec load, change nothing\n"
        "      --no-reboot     go: load the rescue kernel, then unload it and stop\n"
        "      --kernel=FILE   rescue kernel instead of the bundled one\n"
        "      --initrd=FILE   rescue initramfs instead of the bundled one\n"
        "      --append=ARGS   extra kernel command line arguments\n"
        "      --authorized-keys=FILE\n"
        "                      also let these keys log in as root\n"
        "      --fallback-after=SEC\n"
        "                      reboot the rescue through the firmware unless someone\n"
        "                      logs in within SEC seconds (default 900, 0 = never)\n"
        "  -o, --output=FILE   output file (overlay, bundle)\n"
        "      --manifest=FILE, --modules-alias=FILE\n"
        "                      bundle: metadata to carry with the image\n"
        "      --json          machine-readable output\n"
        "      --script        snapshot: the restore script\n"
        "  -q, --quiet         only errors\n"
        "      --version       versions of the agent and its libraries\n"
        "\n"
        "Exit status: 0 success, 1 failure (nothing changed), 2 usage error.\n";

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
                .countdown = 10,
                .fallback_seconds = 900,
        };
        const char *verb;
        int c;

        /* getopt_long permutes: options may come before or after the verb. */

        while ((c = getopt_long(argc, argv, "hyqo:", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        fputs(usage_text, stdout);
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
                default:
                        fputs("Try 'agent --help'.\n", stderr);
                        return EXIT_USAGE;
                }
        }

        if (optind >= argc) {
                fputs(usage_text, stderr);
                return EXIT_USAGE;
        }
        verb = argv[optind++];

        if (streq(verb, "help")) {
                fputs(usage_text, stdout);
                return 0;
        }
        if (streq(verb, "go"))
                return verb_go(&o);
        if (streq(verb, "snapshot"))
                return verb_snapshot(&o);
        if (streq(verb, "overlay"))
                return verb_overlay(&o);
        if (streq(verb, "bundle"))
                return verb_bundle(&o);
        if (streq(verb, "inspect"))
                return verb_inspect(&o, o.payload || optind >= argc ? NULL : argv[optind]);

        log_error(-EINVAL, "unknown command '%s'; try 'agent --help'", verb);
        return EXIT_USAGE;
}
