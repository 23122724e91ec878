/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Restore of routes and policy rules. Routes go in three rounds: device
 * routes, routes through gateways marked onlink, then the rest, because the
 * kernel checks that a gateway is reachable when a route through it is
 * added. Routes the kernel makes itself (proto kernel) came back with the
 * addresses and are skipped. NLM_F_APPEND like `ip route append`: routes
 * that differ only by device coexist (IPv4), and appending never replaces. */
#include <net/if.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "netstate-internal.h"
#include "netstate-order.h"

static int put_addr(struct nl_msg *m, int type, int family, const uint8_t *bytes) {
        return nla_put(m, type, (int) netstate_family_len(family), bytes);
}

/* RTA_GATEWAY, or RTA_VIA when the family differs (IPv4 via IPv6, RFC 5549). */
static int put_gateway(struct nl_msg *m, int route_family, const NetIP *gw) {
        if (!gw->family)
                return 0;
        if (gw->family == route_family)
                return put_addr(m, RTA_GATEWAY, gw->family, gw->bytes);
        uint8_t via[sizeof(struct rtvia) + 16] = {};
        struct rtvia *v = (struct rtvia *) via;
        size_t n = netstate_family_len(gw->family);
        v->rtvia_family = (unsigned short) gw->family;
        memcpy(v->rtvia_addr, gw->bytes, n);
        return nla_put(m, RTA_VIA, (int) (sizeof(struct rtvia) + n), via);
}

/* RTA_MULTIPATH: rtnexthop headers, each followed by its own attributes. */
static int put_multipath(Restore *x, struct nl_msg *m, const NetRoute *r) {
        struct nlattr *mp = nla_nest_start(m, RTA_MULTIPATH);
        if (!mp)
                return -EMSGSIZE;
        for (size_t i = 0; i < r->n_nexthops; i++) {
                const NetNexthop *n = &r->nexthops[i];
                int idx = 0;
                if (n->dev[0]) {
                        idx = restore_link_index(x, n->dev);
                        if (idx < 0)
                                return idx;
                }
                struct rtnexthop *nh = nlmsg_reserve(m, sizeof(*nh), NLMSG_ALIGNTO);
                if (!nh)
                        return -EMSGSIZE;
                size_t start = (size_t) ((char *) nh - (char *) nlmsg_hdr(m));
                *nh = (struct rtnexthop) {
                        .rtnh_flags = (unsigned char) n->flags,
                        .rtnh_hops = (unsigned char) ((n->weight ?: 1) - 1),
                        .rtnh_ifindex = idx,
                };
                if (put_gateway(m, r->family, &n->gateway) < 0)
                        return -EMSGSIZE;
                /* libnl's buffer has a fixed size and never moves. */
                nh->rtnh_len = (unsigned short) (nlmsg_hdr(m)->nlmsg_len - start);
        }
        nla_nest_end(m, mp);
        return 0;
}

static int put_metrics(struct nl_msg *m, const NetRoute *r) {
        if (!r->mtu && !r->advmss)
                return 0;
        struct nlattr *mx = nla_nest_start(m, RTA_METRICS);
        if (!mx)
                return -EMSGSIZE;
        if (r->mtu && nla_put_u32(m, RTAX_MTU, r->mtu) < 0)
                return -EMSGSIZE;
        if (r->advmss && nla_put_u32(m, RTAX_ADVMSS, r->advmss) < 0)
                return -EMSGSIZE;
        nla_nest_end(m, mx);
        return 0;
}

static int build_route(Restore *x, struct nl_msg *m, const NetRoute *r) {
        bool single = !r->multipath && r->n_nexthops == 1;
        struct rtmsg rtm = {
                .rtm_family = (unsigned char) r->family,
                .rtm_dst_len = r->dst_len,
                .rtm_src_len = r->src_len,
                .rtm_tos = r->tos,
                .rtm_table = r->table < 256 ? (unsigned char) r->table : RT_TABLE_UNSPEC,
                .rtm_protocol = r->protocol,
                .rtm_scope = r->scope,
                .rtm_type = r->type,
                .rtm_flags = single ? r->nexthops[0].flags : 0,
        };
        int k;

        if (nlmsg_append(m, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0)
                return -EMSGSIZE;
        if (nla_put_u32(m, RTA_TABLE, r->table) < 0 || nla_put_u32(m, RTA_PRIORITY, r->metric) < 0)
                return -EMSGSIZE;
        if (r->dst_len && put_addr(m, RTA_DST, r->family, r->dst) < 0)
                return -EMSGSIZE;
        if (r->src_len && put_addr(m, RTA_SRC, r->family, r->src) < 0)
                return -EMSGSIZE;
        if (r->has_prefsrc && put_addr(m, RTA_PREFSRC, r->family, r->prefsrc) < 0)
                return -EMSGSIZE;
        if (put_metrics(m, r) < 0)
                return -EMSGSIZE;
        if (r->multipath)
                return put_multipath(x, m, r);
        if (!single)
                return 0;
        const NetNexthop *n = &r->nexthops[0];
        if (n->dev[0]) {
                k = restore_link_index(x, n->dev);
                if (k < 0)
                        return k;
                if (nla_put_u32(m, RTA_OIF, (uint32_t) k) < 0)
                        return -EMSGSIZE;
        }
        return put_gateway(m, r->family, &n->gateway) < 0 ? -EMSGSIZE : 0;
}

static int add_route(Restore *x, const NetRoute *r) {
        if (r->incomplete)
                return -EOPNOTSUPP;
        /* Room for the largest multipath route we accept. */
        struct nl_msg *m = nlmsg_alloc_size(4096 + NETSTATE_NEXTHOPS_MAX * 64);
        if (!m)
                return -ENOMEM;
        if (!nlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, RTM_NEWROUTE, 0, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_APPEND)) {
                nlmsg_free(m);
                return -ENOMEM;
        }
        int k = build_route(x, m, r);
        if (k < 0) {
                nlmsg_free(m);
                return k;
        }
        return restore_send(x, m);
}

static void describe_route(const NetRoute *r, NetBuf *b) {
        char table[16];
        const char *type = netstate_rtntype_to_string(r->type);

        netbuf_puts(b, "add route ");
        if (r->type != RTN_UNICAST)
                netbuf_printf(b, "%s ", type ?: "?");
        netbuf_put_prefix(b, r->family, r->dst, r->dst_len);
        netstate_table_to_string(r->table, table);
        netbuf_printf(b, " table %s", table);
        for (size_t i = 0; i < r->n_nexthops; i++) {
                const NetNexthop *n = &r->nexthops[i];
                if (r->multipath)
                        netbuf_puts(b, " nexthop");
                if (n->gateway.family) {
                        netbuf_puts(b, " via ");
                        netbuf_put_ip(b, n->gateway.family, n->gateway.bytes);
                }
                if (n->dev[0])
                        netbuf_printf(b, " dev %s", n->dev);
        }
        netbuf_printf(b, " metric %u", r->metric);
}

void restore_routes(Restore *x) {
        for (int rank = 0; rank < 3; rank++)
                for (size_t i = 0; i < x->s->n_routes; i++) {
                        const NetRoute *r = &x->s->routes[i];
                        if (r->implied || netstate_route_rank(r) != rank)
                                continue;
                        NetBuf what = {};
                        describe_route(r, &what);
                        const NetLink *cause = netstate_route_skipped_cause(x->s, r);
                        if (cause)
                                restore_report(x, NETSTATE_RESTORE_SKIPPED, "%s: %s is not restored",
                                               what.data ?: "add route", cause->name);
                        else
                                restore_report(x, add_route(x, r), "%s%s", what.data ?: "add route",
                                               r->incomplete ? " (uses attributes netstate does not carry)" : "");
                        netbuf_done(&what);
                }
}

static int build_rule(struct nl_msg *m, const NetRule *r) {
        struct fib_rule_hdr h = {
                .family = (unsigned char) r->family,
                .dst_len = r->dst_len,
                .src_len = r->src_len,
                .tos = r->tos,
                .table = r->action == FR_ACT_TO_TBL && r->table < 256 ? (unsigned char) r->table : 0,
                .action = r->action,
                .flags = r->invert ? FIB_RULE_INVERT : 0,
        };

        if (nlmsg_append(m, &h, sizeof(h), NLMSG_ALIGNTO) < 0 ||
            nla_put_u32(m, FRA_PRIORITY, r->priority) < 0)
                return -EMSGSIZE;
        if (r->src_len && put_addr(m, FRA_SRC, r->family, r->src) < 0)
                return -EMSGSIZE;
        if (r->dst_len && put_addr(m, FRA_DST, r->family, r->dst) < 0)
                return -EMSGSIZE;
        if (r->has_fwmark && (nla_put_u32(m, FRA_FWMARK, r->fwmark) < 0 || nla_put_u32(m, FRA_FWMASK, r->fwmask) < 0))
                return -EMSGSIZE;
        if (r->iif[0] && nla_put_string(m, FRA_IIFNAME, r->iif) < 0)
                return -EMSGSIZE;
        if (r->oif[0] && nla_put_string(m, FRA_OIFNAME, r->oif) < 0)
                return -EMSGSIZE;
        if (r->action == FR_ACT_TO_TBL && nla_put_u32(m, FRA_TABLE, r->table) < 0)
                return -EMSGSIZE;
        if (r->action == FR_ACT_GOTO && nla_put_u32(m, FRA_GOTO, r->goto_target) < 0)
                return -EMSGSIZE;
        if (r->suppress_prefixlen >= 0 && nla_put_u32(m, FRA_SUPPRESS_PREFIXLEN, (uint32_t) r->suppress_prefixlen) < 0)
                return -EMSGSIZE;
        return 0;
}

static int add_rule(Restore *x, const NetRule *r) {
        if (r->incomplete)
                return -EOPNOTSUPP;
        struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWRULE, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL);
        if (!m)
                return -ENOMEM;
        int k = build_rule(m, r);
        if (k < 0) {
                nlmsg_free(m);
                return k;
        }
        return restore_send(x, m);
}

void restore_rules(Restore *x) {
        for (size_t i = 0; i < x->s->n_rules; i++) {
                const NetRule *r = &x->s->rules[i];
                char table[16];
                const char *action = r->action == FR_ACT_TO_TBL ? "lookup" : netstate_action_to_string(r->action);

                netstate_table_to_string(r->table, table);
                restore_report(x, add_rule(x, r), "add rule %s prio %u %s%s%s", netstate_family_to_string(r->family),
                               r->priority, action ?: "?", r->action == FR_ACT_TO_TBL ? " " : "",
                               r->action == FR_ACT_TO_TBL ? table : "");
        }
}
