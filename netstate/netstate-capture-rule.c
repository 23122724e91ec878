/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Policy rules from RTM_NEWRULE messages, minus the defaults every namespace
 * starts with. */
#include <net/if.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <string.h>
#include <sys/socket.h>

#include "netstate-internal.h"

static bool is_default_rule(const NetRule *r) {
        if (r->src_len || r->dst_len || r->tos || r->has_fwmark || r->invert || r->iif[0] || r->oif[0] ||
            r->suppress_prefixlen != -1 || r->incomplete || r->action != FR_ACT_TO_TBL)
                return false;
        if (r->priority == 0 && r->table == RT_TABLE_LOCAL)
                return true;
        if (r->priority == 32766 && r->table == RT_TABLE_MAIN)
                return true;
        return r->family == AF_INET && r->priority == 32767 && r->table == RT_TABLE_DEFAULT;
}

int netstate_rule_from_msg(NetState *s, struct nlmsghdr *nlh) {
        struct nlattr *tb[FRA_MAX + 1] = {};

        if (nlh->nlmsg_type != RTM_NEWRULE)
                return 0;
        if (nlmsg_parse(nlh, sizeof(struct fib_rule_hdr), tb, FRA_MAX, NULL) < 0)
                return -EBADMSG;
        const struct fib_rule_hdr *h = nlmsg_data(nlh);
        if (h->family != AF_INET && h->family != AF_INET6)
                return 0;
        size_t bits = netstate_family_len(h->family) * 8;
        if (h->src_len > bits || h->dst_len > bits)
                return -EBADMSG;

        NetRule r = {
                .family = h->family,
                .action = h->action,
                .table = h->table,
                .src_len = h->src_len,
                .dst_len = h->dst_len,
                .tos = h->tos,
                .invert = h->flags & FIB_RULE_INVERT,
                .suppress_prefixlen = -1,
        };
        if (tb[FRA_SRC] && netstate_attr_ip(tb[FRA_SRC], r.family, r.src) < 0)
                return -EBADMSG;
        if (tb[FRA_DST] && netstate_attr_ip(tb[FRA_DST], r.family, r.dst) < 0)
                return -EBADMSG;
        (void) netstate_attr_u32(tb[FRA_PRIORITY], &r.priority);
        (void) netstate_attr_u32(tb[FRA_TABLE], &r.table);
        (void) netstate_attr_u32(tb[FRA_GOTO], &r.goto_target);
        if (tb[FRA_FWMARK] || tb[FRA_FWMASK]) {
                r.has_fwmark = true;
                r.fwmask = UINT32_MAX;
                (void) netstate_attr_u32(tb[FRA_FWMARK], &r.fwmark);
                (void) netstate_attr_u32(tb[FRA_FWMASK], &r.fwmask);
        }
        uint32_t v;
        if (netstate_attr_u32(tb[FRA_SUPPRESS_PREFIXLEN], &v) == 0)
                r.suppress_prefixlen = (int32_t) v;
        if (tb[FRA_IIFNAME] && netstate_attr_str(tb[FRA_IIFNAME], r.iif, sizeof(r.iif)) < 0)
                return -EBADMSG;
        if (tb[FRA_OIFNAME] && netstate_attr_str(tb[FRA_OIFNAME], r.oif, sizeof(r.oif)) < 0)
                return -EBADMSG;
        /* Selectors we do not carry: restoring the rule without them would
         * make it match more than it did. */
        if (tb[FRA_UID_RANGE] || tb[FRA_IP_PROTO] || tb[FRA_SPORT_RANGE] || tb[FRA_DPORT_RANGE] ||
            tb[FRA_L3MDEV] || tb[FRA_TUN_ID] || tb[FRA_FLOW])
                r.incomplete = true;
        if (netstate_attr_u32(tb[FRA_SUPPRESS_IFGROUP], &v) == 0 && v != UINT32_MAX)
                r.incomplete = true;

        if (is_default_rule(&r))
                return 0;
        NetRule *slot = netstate_add_rule(s);
        if (!slot)
                return s->n_rules >= NETSTATE_OBJECTS_MAX ? -E2BIG : -ENOMEM;
        r.seq = slot->seq;
        *slot = r;
        return 0;
}
