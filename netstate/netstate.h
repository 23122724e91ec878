/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The host's network state: captured through rtnetlink, written as a
 * versioned text format, read back, and rendered as a restore script or
 * JSON. Every function returns >= 0 on success or -errno; nothing prints. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct NetState NetState;

/* The text format's major version; netstate_parse() refuses any other. */
#define NETSTATE_FORMAT_VERSION 1

/* Frees s and everything it owns; accepts NULL, returns NULL. */
NetState *netstate_free(NetState *s);
static inline void netstate_freep(NetState **s) {
        netstate_free(*s);
}
#define _cleanup_netstate __attribute__((cleanup(netstate_freep)))

/* Captures links, addresses, routes (all tables but local), policy rules,
 * hostname and DNS of the calling network namespace. Files (resolv.conf,
 * hostname) are read below root ("/" when NULL), so tests can supply their
 * own. -EAGAIN when the kernel kept changing the state during every retry. */
int netstate_capture_at(const char *root, NetState **ret);
int netstate_capture(NetState **ret);

/* Deterministic text, first line "netstate 1". *ret_text is the caller's
 * to free. */
int netstate_format(const NetState *s, char **ret_text);

/* Reads the text format. On -EBADMSG (malformed), -E2BIG (a limit) or
 * -EPROTONOSUPPORT (another major version), *ret_line (may be NULL) is set to
 * the 1-based line at fault; on success it is left alone. Unknown records and
 * keys are skipped: newer minor versions stay readable. */
int netstate_parse(const char *text, size_t len, NetState **ret, unsigned *ret_line);

/* A self-contained POSIX sh script that restores s with busybox (or iproute2)
 * `ip`: matches NICs by MAC, renames, creates bonds/VLANs/bridges, adds
 * addresses, routes and rules. It prints "network: <what> failed" for each
 * failure, carries on, and exits 1 if anything failed. */
int netstate_render_script(const NetState *s, char **ret);

/* The same state as one JSON object, for `agent snapshot --json`. */
int netstate_render_json(const NetState *s, char **ret);

/* resolv.conf for the rescue system: the captured nameservers (the real
 * upstreams when the host used systemd-resolved's stub), search, options. */
int netstate_render_resolv_conf(const NetState *s, char **ret);

/* Read-only views for the agent. The hostname may be NULL. */
const char *netstate_hostname(const NetState *s);
/* The i-th captured address that reaches beyond the host (scope global,
 * not loopback) as text without prefix length, e.g. "192.0.2.7" or
 * "2001:db8::7", and its device. -ERANGE past the last one (walk i from 0);
 * -ENOENT for an address of another scope (skip it). */
int netstate_global_address(const NetState *s, size_t i, char ret_text[static 46], const char **ret_dev);

/* What netstate_restore() says about each object it handles: what (e.g.
 * "add address 10.0.0.1/24 to link eth0") and result: 0 done, 1 would be
 * done (dry run), NETSTATE_RESTORE_SKIPPED not attempted (a warning: a link
 * of a kind restore cannot make or find, such as tun or wireguard, and what
 * sits on it), -errno failed. what is valid during the call only. */
#define NETSTATE_RESTORE_SKIPPED 2
typedef void (*netstate_report_fn)(const char *what, int result, void *userdata);

typedef struct NetStateRestoreOptions {
        unsigned wait_seconds;          /* how long to wait for NICs to appear */
        bool dry_run;                   /* find NICs, change nothing */
        netstate_report_fn report;      /* may be NULL */
        void *userdata;
} NetStateRestoreOptions;

/* Restores s into the calling network namespace through rtnetlink: finds
 * NICs by permanent, then current MAC (waiting up to wait_seconds for plain
 * ones), gives them their old names, MACs and MTUs, creates bonds (and
 * enslaves), bridges, VLANs, macvlans in dependency order, brings links up,
 * adds addresses (IPv6 without DAD), routes (device routes and on-link
 * gateways first) and rules. One failure does not stop the rest. Returns the
 * number of objects that failed (0: all restored; skipped ones do not
 * count), or -errno when nothing could be tried (no netlink socket). */
int netstate_restore(const NetState *s, const NetStateRestoreOptions *o);

/* Number of links, addresses, routes and rules captured. */
void netstate_counts(const NetState *s, size_t *ret_links, size_t *ret_addrs, size_t *ret_routes, size_t *ret_rules);
