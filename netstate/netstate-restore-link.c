/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Restore of links once the NICs are found and named: MAC and MTU, then
 * bonds and their slaves, bridges, dummies, VLANs and macvlans on their
 * lower devices (QinQ: in rounds), bridge ports, and up in the order NICs,
 * bonds, the rest. */
#include <net/if.h>
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "netstate-internal.h"
#include "netstate-order.h"

static struct nl_msg *link_msg(int flags, int ifindex, unsigned ifi_flags, unsigned ifi_change) {
        struct ifinfomsg ifi = {
                .ifi_family = AF_UNSPEC,
                .ifi_index = ifindex,
                .ifi_flags = ifi_flags,
                .ifi_change = ifi_change,
        };
        struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_REQUEST | flags);
        if (m && nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0) {
                nlmsg_free(m);
                return NULL;
        }
        return m;
}

/* Sends m unless building it failed (put < 0). */
static int send_built(Restore *x, struct nl_msg *m, int put) {
        if (put < 0) {
                nlmsg_free(m);
                return -EMSGSIZE;
        }
        return restore_send(x, m);
}

int restore_link_set_up(Restore *x, int ifindex, bool up) {
        return restore_send(x, link_msg(0, ifindex, up ? IFF_UP : 0, IFF_UP));
}

int restore_link_rename(Restore *x, int ifindex, const char *name) {
        struct nl_msg *m = link_msg(0, ifindex, 0, 0);
        if (!m)
                return -ENOMEM;
        return send_built(x, m, nla_put_string(m, IFLA_IFNAME, name));
}

static int set_u32(Restore *x, int ifindex, int attr, uint32_t v) {
        struct nl_msg *m = link_msg(0, ifindex, 0, 0);
        if (!m)
                return -ENOMEM;
        return send_built(x, m, nla_put_u32(m, attr, v));
}

static void hw_string(const uint8_t *a, size_t n, char buf[static 3 * NETSTATE_HWADDR_MAX + 1]) {
        NetBuf b = {};
        netbuf_put_hwaddr(&b, a, n);
        snprintf(buf, 3 * NETSTATE_HWADDR_MAX + 1, "%s", b.data ?: "?");
        netbuf_done(&b);
}

static bool has_mac(const NetLink *l) {
        for (size_t i = 0; i < l->mac_len; i++)
                if (l->mac[i])
                        return true;
        return false;
}

static bool kind_is(const NetLink *l, const char *kind) {
        return strcmp(l->kind, kind) == 0;
}

/* Only what differs: setting a NIC's MTU to its own value resets some
 * drivers. A bond sets its slaves' MACs itself. */
void restore_link_mac_mtu(Restore *x, size_t i, bool with_mac) {
        const NetLink *l = &x->s->links[i], *live = x->found[i];
        const NetLink *m = restore_master_of(x, l);
        int idx = restore_link_index(x, l->name), r;

        if (with_mac && has_mac(l) && !(m && kind_is(m, "bond")) &&
            !(live && live->mac_len == l->mac_len && memcmp(live->mac, l->mac, l->mac_len) == 0)) {
                char mac[3 * NETSTATE_HWADDR_MAX + 1];
                hw_string(l->mac, l->mac_len, mac);
                r = idx;
                if (r >= 0) {
                        struct nl_msg *msg = link_msg(0, idx, 0, 0);
                        r = msg ? send_built(x, msg, nla_put(msg, IFLA_ADDRESS, l->mac_len, l->mac)) : -ENOMEM;
                }
                restore_report(x, r, "set MAC of link %s to %s", l->name, mac);
        }
        /* A created link: what it got on its own (a bridge follows its
         * ports unless its MTU is set). */
        NetLink now = {};
        if (!live && !x->o->dry_run && restore_live_link(x, l->name, &now) >= 0)
                live = &now;
        if (l->mtu && !(live && live->mtu == l->mtu)) {
                r = idx < 0 ? idx : set_u32(x, idx, IFLA_MTU, l->mtu);
                restore_report(x, r, "set MTU of link %s to %u", l->name, l->mtu);
        }
}

/* IFLA_LINKINFO: the kind and what we know of its settings. */
static int put_linkinfo(Restore *x, struct nl_msg *m, const NetLink *l) {
        struct nlattr *info = nla_nest_start(m, IFLA_LINKINFO);
        if (!info || nla_put_string(m, IFLA_INFO_KIND, l->kind) < 0)
                return -EMSGSIZE;
        if (kind_is(l, "bond") || kind_is(l, "vlan") || kind_is(l, "macvlan")) {
                struct nlattr *data = nla_nest_start(m, IFLA_INFO_DATA);
                if (!data)
                        return -EMSGSIZE;
                if (kind_is(l, "bond")) {
                        if (l->bond_mode >= 0 && nla_put_u8(m, IFLA_BOND_MODE, (uint8_t) l->bond_mode) < 0)
                                return -EMSGSIZE;
                        if (nla_put_u32(m, IFLA_BOND_MIIMON, l->bond_miimon) < 0)
                                return -EMSGSIZE;
                        for (unsigned o = 0; o < NETSTATE_BOND_OPTS; o++) {
                                const NetBondOpt *opt = &netstate_bond_opts[o];
                                if (!netstate_bond_opt_wanted(l, o))
                                        continue;
                                if (opt->size == 1 ? nla_put_u8(m, opt->attr, (uint8_t) l->bond_opt[o]) < 0 :
                                                     nla_put_u32(m, opt->attr, (uint32_t) l->bond_opt[o]) < 0)
                                        return -EMSGSIZE;
                        }
                } else if (kind_is(l, "vlan")) {
                        if (nla_put_u16(m, IFLA_VLAN_ID, l->vlan_id) < 0)
                                return -EMSGSIZE;
                        if (l->vlan_protocol && nla_put_u16(m, IFLA_VLAN_PROTOCOL, htons(l->vlan_protocol)) < 0)
                                return -EMSGSIZE;
                } else if (l->macvlan_mode && nla_put_u32(m, IFLA_MACVLAN_MODE, l->macvlan_mode) < 0)
                        return -EMSGSIZE;
                nla_nest_end(m, data);
        }
        nla_nest_end(m, info);
        return 0;
}

/* Creates l, or, for kinds whose module makes a first device on loading
 * (bonding's bond0, dummy0, ifb0), takes over the one of that name. */
static int create_link(Restore *x, size_t i, int lower) {
        const NetLink *l = &x->s->links[i];
        struct nl_msg *m = link_msg(NLM_F_CREATE | NLM_F_EXCL, 0, 0, 0);
        int r;

        if (!m)
                return -ENOMEM;
        r = nla_put_string(m, IFLA_IFNAME, l->name);
        if (r >= 0 && has_mac(l))
                r = nla_put(m, IFLA_ADDRESS, l->mac_len, l->mac);
        if (r >= 0 && lower > 0)
                r = nla_put_u32(m, IFLA_LINK, (uint32_t) lower);
        if (r >= 0)
                r = put_linkinfo(x, m, l);
        r = send_built(x, m, r);
        if (r == -EEXIST && !kind_is(l, "vlan") && !kind_is(l, "macvlan")) {
                NetLink existing = {};
                if (restore_live_link(x, l->name, &existing) < 0 || !kind_is(&existing, l->kind))
                        return -EEXIST;
                m = link_msg(0, existing.ifindex, 0, 0);
                if (!m)
                        return -ENOMEM;
                r = has_mac(l) ? nla_put(m, IFLA_ADDRESS, l->mac_len, l->mac) : 0;
                if (r >= 0)
                        r = put_linkinfo(x, m, l);
                r = send_built(x, m, r);
        }
        if (r == 0) {
                unsigned idx = if_nametoindex(l->name);
                x->ifindex[i] = idx > 0 ? (int) idx : 0;
        }
        return r;
}

static void enslave(Restore *x, const char *master_kind) {
        const NetState *s = x->s;

        for (size_t i = 0; i < s->n_links; i++) {
                const NetLink *l = &s->links[i];
                const NetLink *m = restore_master_of(x, l);
                if (!m || !kind_is(m, master_kind))
                        continue;
                const NetLink *cause = netstate_link_skipped_cause(x->s, l);
                if (cause) {
                        restore_report(x, NETSTATE_RESTORE_SKIPPED, "enslave link %s to %s %s: %s is not restored",
                                       l->name, master_kind, m->name, cause->name);
                        continue;
                }
                int idx = restore_link_index(x, l->name);
                int midx = restore_link_index(x, m->name);
                int r = idx < 0 ? idx : midx;
                /* A bond takes only slaves that are down. */
                if (r >= 0)
                        r = restore_link_set_up(x, idx, false);
                if (r >= 0)
                        r = set_u32(x, idx, IFLA_MASTER, (uint32_t) midx);
                restore_report(x, r, "enslave link %s to %s %s", l->name, master_kind, m->name);
        }
}

static void bond_primaries(Restore *x) {
        for (size_t i = 0; i < x->s->n_links; i++) {
                const NetLink *l = &x->s->links[i];
                if (!kind_is(l, "bond") || !l->bond_primary[0])
                        continue;
                int idx = restore_link_index(x, l->name), pidx = restore_link_index(x, l->bond_primary);
                int r = idx < 0 ? idx : pidx;
                if (r >= 0) {
                        struct nl_msg *m = link_msg(0, idx, 0, 0);
                        struct nlattr *info, *data;
                        if (!m)
                                r = -ENOMEM;
                        else if (!(info = nla_nest_start(m, IFLA_LINKINFO)) ||
                                 nla_put_string(m, IFLA_INFO_KIND, "bond") < 0 ||
                                 !(data = nla_nest_start(m, IFLA_INFO_DATA)) ||
                                 nla_put_u32(m, IFLA_BOND_PRIMARY, (uint32_t) pidx) < 0)
                                r = send_built(x, m, -EMSGSIZE);
                        else {
                                nla_nest_end(m, data);
                                nla_nest_end(m, info);
                                r = restore_send(x, m);
                        }
                }
                restore_report(x, r, "set primary of bond %s to %s", l->name, l->bond_primary);
        }
}

static void create_kind(Restore *x, const char *kind) {
        for (size_t i = 0; i < x->s->n_links; i++)
                if (kind_is(&x->s->links[i], kind))
                        restore_report(x, create_link(x, i, 0), "create %s %s", kind, x->s->links[i].name);
}

/* VLANs and macvlans after their lower device, which may be one too. */
static void create_stacked(Restore *x) {
        const NetState *s = x->s;
        _cleanup_free_ size_t *order = NULL;
        size_t n_ordered, n;

        if (netstate_stacked_order(s, &order, &n_ordered, &n) < 0) {
                restore_report(x, -ENOMEM, "create VLANs and macvlans");
                return;
        }
        for (size_t k = 0; k < n_ordered; k++) {
                const NetLink *l = &s->links[order[k]];
                const NetLink *p = netstate_find_link(s, l->parent);
                int lower = l->parent[0] ? restore_link_index(x, l->parent) : -ENODEV;
                /* In a dry run a created lower device has no index yet. */
                if (lower < 0 && x->o->dry_run && p)
                        lower = 0;
                int r = lower < 0 ? lower : create_link(x, order[k], lower);
                restore_report(x, r, "create %s %s on %s", l->kind, l->name, l->parent[0] ? l->parent : "(none)");
        }
        /* A cycle (a broken state file): say which were left. */
        for (size_t k = n_ordered; k < n; k++) {
                const NetLink *l = &s->links[order[k]];
                restore_report(x, -ELOOP, "create %s %s on %s", l->kind, l->name, l->parent);
        }
}

void restore_create_links(Restore *x) {
        create_kind(x, "bond");
        enslave(x, "bond");
        bond_primaries(x);
        create_kind(x, "bridge");
        create_kind(x, "dummy");
        create_kind(x, "ifb");
        create_stacked(x);
        enslave(x, "bridge");
        /* MTU last: a bridge's and a VLAN's depend on their lower devices. */
        for (size_t i = 0; i < x->s->n_links; i++)
                if (restore_link_is_created(&x->s->links[i]) && !netstate_link_skipped_cause(x->s, &x->s->links[i]))
                        restore_link_mac_mtu(x, i, false);
}

static void up_where(Restore *x, int which) {
        for (size_t i = 0; i < x->s->n_links; i++) {
                const NetLink *l = &x->s->links[i];
                int w = restore_link_is_matched(l) ? 0 : kind_is(l, "bond") ? 1 : restore_link_is_created(l) ? 2 : -1;
                if (!l->up || w != which || netstate_link_skipped_cause(x->s, l))
                        continue;
                int idx = restore_link_index(x, l->name);
                restore_report(x, idx < 0 ? idx : restore_link_set_up(x, idx, true), "bring up link %s", l->name);
        }
}

void restore_links_up(Restore *x) {
        for (int which = 0; which < 3; which++)
                up_where(x, which);
}
