/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Routes from our own RTM_GETROUTE dumps (see netstate-netlink.c for why not
 * libnl's cache). Every table but local; routes the kernel makes itself
 * (proto kernel) are kept but marked implied, so the restore skips them. */
#include <net/if.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <string.h>
#include <sys/socket.h>

#include "netstate-internal.h"

/* Nexthop flags that describe configuration; the rest (dead, linkdown,
 * offload...) are state. */
#define NEXTHOP_FLAGS_KEPT RTNH_F_ONLINK

static int parse_gateway(struct nlattr *gateway, struct nlattr *via, int family, NetIP *ret) {
        if (gateway) {
                if (netstate_attr_ip(gateway, family, ret->bytes) < 0)
                        return -EBADMSG;
                ret->family = family;
                return 0;
        }
        if (via) {
                /* RTA_VIA: struct rtvia, an IPv4 route through an IPv6 gateway. */
                if (nla_len(via) < (int) sizeof(struct rtvia))
                        return -EBADMSG;
                const struct rtvia *v = nla_data(via);
                size_t n = netstate_family_len(v->rtvia_family);
                if (n == 0 || (size_t) nla_len(via) < sizeof(struct rtvia) + n)
                        return -EBADMSG;
                ret->family = v->rtvia_family;
                memset(ret->bytes, 0, sizeof(ret->bytes));
                memcpy(ret->bytes, v->rtvia_addr, n);
        }
        return 0;
}

static int parse_multipath(NetRoute *r, struct nlattr *mp) {
        const struct rtnexthop *nh = nla_data(mp);
        int rem = nla_len(mp);

        while (rem >= (int) sizeof(struct rtnexthop)) {
                if (nh->rtnh_len < sizeof(struct rtnexthop) || nh->rtnh_len > rem)
                        return -EBADMSG;
                NetNexthop *n = netstate_route_add_nexthop(r);
                if (!n)
                        return r->n_nexthops >= NETSTATE_NEXTHOPS_MAX ? -E2BIG : -ENOMEM;
                n->ifindex = nh->rtnh_ifindex;
                n->weight = (uint16_t) (nh->rtnh_hops + 1);
                n->flags = nh->rtnh_flags & NEXTHOP_FLAGS_KEPT;

                struct nlattr *tb[RTA_MAX + 1] = {};
                int attrlen = nh->rtnh_len - (int) RTNH_ALIGN(sizeof(struct rtnexthop));
                if (attrlen > 0) {
                        if (nla_parse(tb, RTA_MAX, (struct nlattr *) RTNH_DATA(nh), attrlen, NULL) < 0)
                                return -EBADMSG;
                        if (parse_gateway(tb[RTA_GATEWAY], tb[RTA_VIA], r->family, &n->gateway) < 0)
                                return -EBADMSG;
                        if (tb[RTA_ENCAP] || tb[RTA_NEWDST])
                                r->incomplete = true;
                }
                int step = (int) RTNH_ALIGN(nh->rtnh_len);
                if (step >= rem)
                        break;
                rem -= step;
                nh = (const struct rtnexthop *) ((const char *) nh + step);
        }
        r->multipath = true;
        return 0;
}

static void parse_metrics(NetRoute *r, struct nlattr *metrics) {
        struct nlattr *tb[RTAX_MAX + 1] = {};

        if (!metrics || nla_parse_nested(tb, RTAX_MAX, metrics, NULL) < 0)
                return;
        (void) netstate_attr_u32(tb[RTAX_MTU], &r->mtu);
        (void) netstate_attr_u32(tb[RTAX_ADVMSS], &r->advmss);
}

int netstate_route_from_msg(NetState *s, struct nlmsghdr *nlh) {
        struct nlattr *tb[RTA_MAX + 1] = {};
        int k;

        if (nlh->nlmsg_type != RTM_NEWROUTE)
                return 0;
        if (nlmsg_parse(nlh, sizeof(struct rtmsg), tb, RTA_MAX, NULL) < 0)
                return -EBADMSG;
        const struct rtmsg *rtm = nlmsg_data(nlh);
        if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
                return 0;
        if (rtm->rtm_flags & RTM_F_CLONED)
                return 0;
        uint32_t table = rtm->rtm_table;
        (void) netstate_attr_u32(tb[RTA_TABLE], &table);
        if (table == RT_TABLE_LOCAL)
                return 0;
        size_t bits = netstate_family_len(rtm->rtm_family) * 8;
        if (rtm->rtm_dst_len > bits || rtm->rtm_src_len > bits)
                return -EBADMSG;

        NetRoute *r = netstate_add_route(s);
        if (!r)
                return s->n_routes >= NETSTATE_OBJECTS_MAX ? -E2BIG : -ENOMEM;
        r->family = rtm->rtm_family;
        r->table = table;
        r->type = rtm->rtm_type;
        r->protocol = rtm->rtm_protocol;
        r->scope = rtm->rtm_scope;
        r->tos = rtm->rtm_tos;
        r->dst_len = rtm->rtm_dst_len;
        r->src_len = rtm->rtm_src_len;
        r->implied = rtm->rtm_protocol == RTPROT_KERNEL;

        if (tb[RTA_DST] && netstate_attr_ip(tb[RTA_DST], r->family, r->dst) < 0)
                return -EBADMSG;
        if (tb[RTA_SRC] && netstate_attr_ip(tb[RTA_SRC], r->family, r->src) < 0)
                return -EBADMSG;
        if (tb[RTA_PREFSRC]) {
                if (netstate_attr_ip(tb[RTA_PREFSRC], r->family, r->prefsrc) < 0)
                        return -EBADMSG;
                r->has_prefsrc = true;
        }
        (void) netstate_attr_u32(tb[RTA_PRIORITY], &r->metric);
        parse_metrics(r, tb[RTA_METRICS]);
        /* Nexthop objects, lightweight tunnels: we cannot say them again. */
        if (tb[RTA_NH_ID] || tb[RTA_ENCAP] || tb[RTA_NEWDST])
                r->incomplete = true;

        if (tb[RTA_MULTIPATH])
                return parse_multipath(r, tb[RTA_MULTIPATH]);

        NetIP gw = {};
        if (parse_gateway(tb[RTA_GATEWAY], tb[RTA_VIA], r->family, &gw) < 0)
                return -EBADMSG;
        uint32_t oif = 0;
        (void) netstate_attr_u32(tb[RTA_OIF], &oif);
        /* Blackhole & co. point at lo in IPv6; that dev is not part of them. */
        k = r->type;
        if (k == RTN_BLACKHOLE || k == RTN_UNREACHABLE || k == RTN_PROHIBIT || k == RTN_THROW)
                oif = 0;
        if (oif == 0 && gw.family == 0)
                return 0;
        NetNexthop *n = netstate_route_add_nexthop(r);
        if (!n)
                return -ENOMEM;
        n->ifindex = (int) oif;
        n->gateway = gw;
        n->flags = rtm->rtm_flags & NEXTHOP_FLAGS_KEPT;
        return 0;
}

int netstate_routes_resolve(NetState *s) {
        for (size_t i = 0; i < s->n_routes; i++) {
                NetRoute *r = &s->routes[i];
                for (size_t j = 0; j < r->n_nexthops; j++) {
                        NetNexthop *n = &r->nexthops[j];
                        if (n->ifindex <= 0)
                                continue;
                        const NetLink *l = NULL;
                        for (size_t k = 0; k < s->n_links && !l; k++)
                                if (s->links[k].ifindex == n->ifindex)
                                        l = &s->links[k];
                        if (!l)
                                return -EAGAIN;
                        memcpy(n->dev, l->name, IFNAMSIZ);
                }
        }
        return 0;
}
