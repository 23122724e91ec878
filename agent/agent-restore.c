/* SPDX-License-Identifier: GPL-2.0-or-later */
/* agent restore: the rescue side of the network. Reads the state file the
 * overlay carries and restores it through rtnetlink, one line per object on
 * stdout (the rescue's init keeps it in /run/rescue/network.log). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-log.h"
#include "agent.h"
#include "fileio.h"
#include "macro.h"
#include "netstate.h"

/* Where the overlay puts the captured state (rescue/README). */
#define RESTORE_STATE_DEFAULT "/etc/rescue/netstate"
#define RESTORE_STATE_MAX (64u << 20)
#define RESTORE_WAIT_DEFAULT 30u
#define RESTORE_WAIT_MAX 3600u

typedef struct Tally {
        unsigned done, failed, skipped;
} Tally;

static void report(const char *what, int result, void *userdata) {
        Tally *t = userdata;

        if (result < 0) {
                t->failed++;
                printf("network: FAILED %s: %s\n", what, strerror(-result));
        } else if (result == NETSTATE_RESTORE_SKIPPED) {
                t->skipped++;
                printf("network: SKIPPED %s\n", what);
        } else {
                t->done++;
                printf("network: %s %s\n", result > 0 ? "would" : "ok", what);
        }
        fflush(stdout);
}

/* NETWORK_WAIT_SECONDS, as for the restore script. */
static unsigned wait_seconds(void) {
        const char *e = getenv("NETWORK_WAIT_SECONDS");
        char *end;

        if (!e || !*e)
                return RESTORE_WAIT_DEFAULT;
        errno = 0;
        unsigned long v = strtoul(e, &end, 10);
        if (errno != 0 || *end != '\0' || *e == '-' || v > RESTORE_WAIT_MAX) {
                log_warning("NETWORK_WAIT_SECONDS='%s' is not 0-%u seconds: waiting %u s", e, RESTORE_WAIT_MAX,
                            RESTORE_WAIT_DEFAULT);
                return RESTORE_WAIT_DEFAULT;
        }
        return (unsigned) v;
}

static int load_state(const char *path, NetState **ret) {
        _cleanup_free_ char *text = NULL;
        size_t size;
        unsigned line = 0;
        int r;

        r = read_full_file(path, RESTORE_STATE_MAX, &text, &size);
        if (r == -EFBIG)
                return log_error(r, "%s is larger than %u MiB: not a network state file", path, RESTORE_STATE_MAX >> 20);
        if (r < 0)
                return log_error_errno(r, "cannot read the network state %s", path);
        r = netstate_parse(text, size, ret, &line);
        switch (r) {
        case 0:
                return 0;
        case -EPROTONOSUPPORT:
                return log_error(r, "%s:%u: written in another netstate format version; this agent reads version %d: "
                                 "restore with the agent that captured it", path, line, NETSTATE_FORMAT_VERSION);
        case -EBADMSG:
                return log_error(r, "%s:%u: malformed: this is not a network state file, or it is damaged", path, line);
        case -E2BIG:
                return log_error(r, "%s:%u: beyond the limits of a network state file", path, line);
        default:
                return log_error_errno(r, "cannot read the network state %s", path);
        }
}

int verb_restore(const AgentOptions *o) {
        _cleanup_netstate NetState *s = NULL;
        const char *path = o->state ?: RESTORE_STATE_DEFAULT;
        Tally t = {};
        int r;

        r = load_state(path, &s);
        if (r < 0)
                return 1;

        NetStateRestoreOptions ro = {
                .wait_seconds = o->dry_run ? 0 : wait_seconds(),
                .dry_run = o->dry_run,
                .report = report,
                .userdata = &t,
        };
        r = netstate_restore(s, &ro);
        if (r < 0)
                return log_error_errno(r, "cannot restore the network (netlink)"), 1;
        if (t.failed > 0) {
                printf("network: %u of %u steps FAILED (see above); the rest is restored\n", t.failed, t.done + t.failed);
                return 1;
        }
        /* Skipped objects (links of kinds the rescue cannot have) are a
         * warning, not a failure: what could be restored was. */
        if (t.skipped > 0)
                printf("network: %s, %u steps, %u SKIPPED (see above)\n",
                       o->dry_run ? "dry run, nothing changed" : "restored", t.done, t.skipped);
        else
                printf("network: %s, %u steps\n", o->dry_run ? "dry run, nothing changed" : "restored", t.done);
        return 0;
}
