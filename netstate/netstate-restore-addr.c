/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Restore of addresses, in the captured order (for IPv4 it decides which
 * address of a subnet is primary). Permanent, whatever their lifetime was:
 * a DHCP lease is kept as it was. IPv6 ones with IFA_F_NODAD: the host
 * that had them is gone, and waiting for DAD would delay every route
 * through them. */
#include <net/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <sys/socket.h>

#include "netstate-internal.h"

static int put_addr(struct nl_msg *m, int type, int family, const uint8_t *bytes) {
        return nla_put(m, type, (int) netstate_family_len(family), bytes);
}

static int add_address(Restore *x, const NetAddr *a) {
        int idx = restore_link_index(x, a->dev);
        if (idx < 0)
                return idx;

        /* The kernel decides secondary itself; IPv6's "temporary" (the
         * same bit) is the kernel's own privacy address. */
        uint32_t flags = a->flags & ~(uint32_t) IFA_F_SECONDARY;
        if (a->family == AF_INET6)
                flags |= IFA_F_NODAD;
        struct ifaddrmsg ifa = {
                .ifa_family = (unsigned char) a->family,
                .ifa_prefixlen = a->prefixlen,
                .ifa_flags = (unsigned char) (flags & 0xff),
                .ifa_scope = a->scope,
                .ifa_index = (unsigned) idx,
        };
        struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL);
        if (!m)
                return -ENOMEM;
        int r = nlmsg_append(m, &ifa, sizeof(ifa), NLMSG_ALIGNTO);
        if (r >= 0)
                r = put_addr(m, IFA_LOCAL, a->family, a->local);
        if (r >= 0)
                r = put_addr(m, IFA_ADDRESS, a->family, a->has_peer ? a->peer : a->local);
        if (r >= 0 && a->has_brd && a->family == AF_INET)
                r = put_addr(m, IFA_BROADCAST, a->family, a->brd);
        if (r >= 0 && a->label[0] && a->family == AF_INET)
                r = nla_put_string(m, IFA_LABEL, a->label);
        if (r >= 0)
                r = nla_put_u32(m, IFA_FLAGS, flags);
        if (r < 0) {
                nlmsg_free(m);
                return -EMSGSIZE;
        }
        return restore_send(x, m);
}

void restore_addresses(Restore *x) {
        for (size_t i = 0; i < x->s->n_addrs; i++) {
                const NetAddr *a = &x->s->addrs[i];
                NetBuf what = {};

                netbuf_put_ip(&what, a->family, a->local);
                if (a->has_peer) {
                        netbuf_puts(&what, " peer ");
                        netbuf_put_ip(&what, a->family, a->peer);
                }
                netbuf_printf(&what, "/%u", a->prefixlen);
                const NetLink *cause = netstate_dev_skipped_cause(x->s, a->dev);
                if (cause)
                        restore_report(x, NETSTATE_RESTORE_SKIPPED, "add address %s to link %s: %s is not restored",
                                       what.data ?: "?", a->dev, cause->name);
                else
                        restore_report(x, add_address(x, a), "add address %s to link %s", what.data ?: "?", a->dev);
                netbuf_done(&what);
        }
}
