/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Restore through rtnetlink, the C twin of netstate-script.c: the rescue
 * runs this, the script is for images that cannot run the agent.
 *
 * Messages are built with libnl's nlmsg/nla API and sent one by one, each
 * waiting for its ACK, so every object gets its own result with the
 * kernel's errno. Not libnl-route's object layer: its link kinds register
 * from constructors a static link drops, its route cache merges routes that
 * differ only by device (upstream #224), and its errors lose the errno.
 *
 * This file: finding NICs by MAC (bounded wait), their old names, the order
 * of everything. */
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "netstate-internal.h"

#define POLL_INTERVAL_MS 200

DEFINE_TRIVIAL_CLEANUP_FUNC(struct nl_sock *, netstate_netlink_close);

void restore_report(Restore *x, int result, const char *fmt, ...) {
        char what[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        if (result < 0)
                x->failed++;
        if (x->o->report)
                x->o->report(what, result, x->o->userdata);
}

int restore_send(Restore *x, struct nl_msg *msg) {
        if (!msg)
                return -ENOMEM;
        if (x->o->dry_run) {
                nlmsg_free(msg);
                return 1;
        }
        return netstate_netlink_request(x->sk, msg);
}

int restore_link_index(const Restore *x, const char *name) {
        const NetLink *l = netstate_find_link(x->s, name);
        if (l) {
                if (x->ifindex[l - x->s->links] > 0)
                        return x->ifindex[l - x->s->links];
                /* Never whatever else carries the name: a NIC that was not
                 * found must not get another one's addresses. A dry run
                 * created nothing, and sends nothing. */
                return x->o->dry_run && restore_link_is_created(l) ? 0 : -ENODEV;
        }
        unsigned idx = if_nametoindex(name);
        return idx > 0 ? (int) idx : -ENODEV;
}

int restore_live_link(Restore *x, const char *name, NetLink *ret) {
        _cleanup_(netstate_freep) NetState *live = NULL;
        int r;

        r = netstate_new(&live);
        if (r < 0)
                return r;
        r = netstate_netlink_dump(x->sk, RTM_GETLINK, AF_UNSPEC, netstate_link_from_msg, live);
        if (r < 0)
                return r;
        const NetLink *l = netstate_find_link(live, name);
        if (!l)
                return -ENODEV;
        *ret = *l;
        return 0;
}

const NetLink *restore_master_of(const Restore *x, const NetLink *l) {
        return l->master[0] ? netstate_find_link(x->s, l->master) : NULL;
}

bool restore_link_is_created(const NetLink *l) {
        return netstate_link_is_created(l);
}

bool restore_link_is_matched(const NetLink *l) {
        return netstate_link_is_matched(l);
}

static void hw_string(const uint8_t *a, size_t n, char buf[static 3 * NETSTATE_HWADDR_MAX + 1]) {
        NetBuf b = {};
        netbuf_put_hwaddr(&b, a, n);
        snprintf(buf, 3 * NETSTATE_HWADDR_MAX + 1, "%s", b.data ?: "?");
        netbuf_done(&b);
}

static int load_live_links(Restore *x) {
        _cleanup_(netstate_freep) NetState *live = NULL;
        int r;

        r = netstate_new(&live);
        if (r < 0)
                return r;
        for (unsigned attempt = 0;; attempt++) {
                r = netstate_netlink_dump(x->sk, RTM_GETLINK, AF_UNSPEC, netstate_link_from_msg, live);
                if (r != -EAGAIN || attempt + 1 >= NETSTATE_DUMP_RETRIES)
                        break;
                netstate_clear_network(live);
        }
        if (r < 0)
                return r;
        netstate_links_perm_from_ethtool(live);
        netstate_free(x->live);
        x->live = TAKE_PTR(live);
        return 0;
}

static bool is_zero(const uint8_t *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (p[i])
                        return false;
        return true;
}

static bool hw_equal(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len) {
        return a_len > 0 && a_len == b_len && memcmp(a, b, a_len) == 0 && !is_zero(a, a_len);
}

static bool live_taken(const Restore *x, const NetLink *live) {
        for (size_t i = 0; i < x->s->n_links; i++)
                if (x->found[i] == live)
                        return true;
        return false;
}

/* Levels of trust, tried for every link before the next: the live link's
 * burnt-in MAC is the captured burnt-in one; shows it as its current MAC
 * (a driver without IFLA_PERM_ADDRESS); the captured current MAC is its
 * burnt-in or current one. A bond slave's current MAC is the bond's, so no
 * link may take another's NIC by a weaker match first. */
#define MATCH_LEVELS 4

static const NetLink *match_live(const Restore *x, const NetLink *want, int level) {
        for (size_t i = 0; i < x->live->n_links; i++) {
                const NetLink *l = &x->live->links[i];
                if (l->loopback || restore_link_is_created(l) || live_taken(x, l))
                        continue;
                bool hit = level == 0 ? hw_equal(want->perm, want->perm_len, l->perm, l->perm_len) :
                           level == 1 ? hw_equal(want->perm, want->perm_len, l->mac, l->mac_len) :
                           level == 2 ? hw_equal(want->mac, want->mac_len, l->perm, l->perm_len) :
                                        hw_equal(want->mac, want->mac_len, l->mac, l->mac_len);
                if (hit)
                        return l;
        }
        return NULL;
}

/* Claims what matches now; true when every plain NIC (kind "", the ones
 * a driver may still be bringing up) is found. */
static bool match_round(Restore *x, bool final) {
        static const char *const how[MATCH_LEVELS] = { "permanent MAC", "permanent MAC", "MAC", "MAC" };
        bool complete = true;

        for (int level = 0; level < MATCH_LEVELS; level++)
                for (size_t i = 0; i < x->s->n_links; i++) {
                        const NetLink *l = &x->s->links[i];
                        if (!restore_link_is_matched(l) || x->found[i] || (!final && l->kind[0]))
                                continue;
                        const NetLink *live = match_live(x, l, level);
                        if (!live)
                                continue;
                        x->found[i] = live;
                        x->ifindex[i] = live->ifindex;
                        restore_report(x, 0, "find link %s: found %s by its %s", l->name, live->name, how[level]);
                }
        for (size_t i = 0; i < x->s->n_links; i++)
                if (restore_link_is_matched(&x->s->links[i]) && !x->s->links[i].kind[0] && !x->found[i])
                        complete = false;
        return complete;
}

static void sleep_ms(unsigned ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long) (ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static uint64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

/* Polls until every plain NIC is found or the time is up; then the other
 * kinds (veth...) once. Found links are kept by ifindex across re-reads. */
static int find_links(Restore *x) {
        uint64_t deadline = now_ms() + (uint64_t) x->o->wait_seconds * 1000;
        int r;

        for (;;) {
                r = load_live_links(x);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < x->s->n_links; i++) {
                        x->found[i] = NULL;
                        for (size_t j = 0; x->ifindex[i] > 0 && j < x->live->n_links; j++)
                                if (x->live->links[j].ifindex == x->ifindex[i])
                                        x->found[i] = &x->live->links[j];
                }
                if (match_round(x, false) || now_ms() >= deadline)
                        break;
                sleep_ms(POLL_INTERVAL_MS);
        }
        (void) match_round(x, true);

        for (size_t i = 0; i < x->s->n_links; i++) {
                const NetLink *l = &x->s->links[i];
                const NetLink *cause = netstate_link_skipped_cause(x->s, l);
                char mac[3 * NETSTATE_HWADDR_MAX + 1];

                if (cause == l)
                        restore_report(x, NETSTATE_RESTORE_SKIPPED,
                                       "restore link %s of kind %s: the rescue can neither create nor find it",
                                       l->name, l->kind[0] ? l->kind : "none");
                else if (cause)
                        restore_report(x, NETSTATE_RESTORE_SKIPPED, "create %s %s on %s: %s is not restored",
                                       l->kind, l->name, l->parent, cause->name);
                else if (l->loopback) {
                        for (size_t j = 0; j < x->live->n_links && !x->ifindex[i]; j++)
                                if (x->live->links[j].loopback)
                                        x->ifindex[i] = x->live->links[j].ifindex;
                } else if (restore_link_is_matched(l) && !x->found[i]) {
                        hw_string(l->mac, l->mac_len, mac);
                        restore_report(x, -ENODEV, "find link %s (MAC %s) within %u s", l->name, mac,
                                       x->o->wait_seconds);
                }
        }
        return 0;
}

/* A temporary name prefix no captured link starts with. */
static const char *tmp_prefix(const NetState *s) {
        static const char *const candidates[] = { "nstmp", "nsrtmp", "nsxtmp", "nsqtmp" };
        for (size_t c = 0; c < ELEMENTSOF(candidates); c++) {
                bool clash = false;
                for (size_t i = 0; i < s->n_links && !clash; i++)
                        clash = strncmp(s->links[i].name, candidates[c], strlen(candidates[c])) == 0;
                if (!clash)
                        return candidates[c];
        }
        return candidates[ELEMENTSOF(candidates) - 1];
}

/* Two rounds, so that swapped names (eth0 <-> eth1) work: every found link
 * that must change moves to a temporary name first, then to its own; a
 * stranger holding the name (a NIC we do not restore) moves aside. */
static void rename_links(Restore *x) {
        const NetState *s = x->s;
        const char *prefix = tmp_prefix(s);
        char tmp[IFNAMSIZ];
        int r;

        if (x->o->dry_run) {
                for (size_t i = 0; i < s->n_links; i++)
                        if (x->found[i] && strcmp(x->found[i]->name, s->links[i].name) != 0)
                                restore_report(x, 1, "rename link %s to %s", x->found[i]->name, s->links[i].name);
                return;
        }
        for (size_t i = 0; i < s->n_links; i++) {
                if (!x->found[i] || strcmp(x->found[i]->name, s->links[i].name) == 0)
                        continue;
                snprintf(tmp, sizeof(tmp), "%s%u", prefix, (unsigned) (i % 100000));
                r = restore_link_set_up(x, x->ifindex[i], false);
                if (r >= 0)
                        r = restore_link_rename(x, x->ifindex[i], tmp);
                if (r < 0)
                        restore_report(x, r, "rename link %s to %s", x->found[i]->name, s->links[i].name);
        }
        for (size_t i = 0; i < s->n_links; i++) {
                const NetLink *l = &s->links[i];
                if (!x->found[i] || strcmp(x->found[i]->name, l->name) == 0)
                        continue;
                unsigned stranger = if_nametoindex(l->name);
                if (stranger > 0) {
                        snprintf(tmp, sizeof(tmp), "%sold%u", prefix, (unsigned) (i % 100000));
                        r = restore_link_set_up(x, (int) stranger, false);
                        if (r >= 0)
                                r = restore_link_rename(x, (int) stranger, tmp);
                        restore_report(x, r, "move the device named %s aside to %s", l->name, tmp);
                }
                r = restore_link_rename(x, x->ifindex[i], l->name);
                restore_report(x, r, "rename link %s to %s", x->found[i]->name, l->name);
        }
}

int netstate_restore(const NetState *s, const NetStateRestoreOptions *o) {
        _cleanup_(netstate_netlink_closep) struct nl_sock *sk = NULL;
        _cleanup_free_ int *ifindex = NULL;
        _cleanup_free_ const NetLink **found = NULL;
        int r;

        ifindex = calloc(s->n_links ?: 1, sizeof(int));
        found = calloc(s->n_links ?: 1, sizeof(NetLink *));
        if (!ifindex || !found)
                return -ENOMEM;
        r = netstate_netlink_open(&sk);
        if (r < 0)
                return r;

        Restore x = { .s = s, .o = o, .sk = sk, .ifindex = ifindex, .found = found };
        r = find_links(&x);
        if (r < 0) {
                netstate_free(x.live);
                return r;
        }
        for (size_t i = 0; i < s->n_links; i++)
                if (s->links[i].loopback && s->links[i].up) {
                        r = x.ifindex[i] > 0 ? restore_link_set_up(&x, x.ifindex[i], true) : -ENODEV;
                        restore_report(&x, r, "bring up link %s", s->links[i].name);
                }
        rename_links(&x);
        for (size_t i = 0; i < s->n_links; i++)
                if (x.found[i])
                        restore_link_mac_mtu(&x, i, true);
        restore_create_links(&x);
        restore_addresses(&x);
        restore_links_up(&x);
        restore_routes(&x);
        restore_rules(&x);
        netstate_free(x.live);
        return (int) MIN(x.failed, (unsigned) INT32_MAX);
}
