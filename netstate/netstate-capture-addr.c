/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Addresses from RTM_NEWADDR messages, minus those the kernel makes again by
 * itself (IPv6 link-locals, the loopback's own). */
#include <net/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <string.h>
#include <sys/socket.h>

#include "netstate-internal.h"

#define LIFETIME_INFINITY 0xFFFFFFFFu

int netstate_addr_from_msg(NetState *s, struct nlmsghdr *nlh) {
        struct nlattr *tb[IFA_MAX + 1] = {};

        if (nlh->nlmsg_type != RTM_NEWADDR)
                return 0;
        if (nlmsg_parse(nlh, sizeof(struct ifaddrmsg), tb, IFA_MAX, NULL) < 0)
                return -EBADMSG;
        const struct ifaddrmsg *ifa = nlmsg_data(nlh);
        if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
                return 0;
        if (ifa->ifa_prefixlen > netstate_family_len(ifa->ifa_family) * 8)
                return -EBADMSG;

        uint8_t address[16], local[16];
        bool has_address = netstate_attr_ip(tb[IFA_ADDRESS], ifa->ifa_family, address) == 0;
        bool has_local = netstate_attr_ip(tb[IFA_LOCAL], ifa->ifa_family, local) == 0;
        if (!has_address && !has_local)
                return 0;

        NetAddr *a = netstate_add_addr(s);
        if (!a)
                return s->n_addrs >= NETSTATE_OBJECTS_MAX ? -E2BIG : -ENOMEM;
        a->family = ifa->ifa_family;
        a->ifindex = (int) ifa->ifa_index;
        a->prefixlen = ifa->ifa_prefixlen;
        a->scope = ifa->ifa_scope;
        a->proto = -1;
        /* IFA_LOCAL is our end; IFA_ADDRESS differs only on point-to-point
         * links, where it is the peer. */
        memcpy(a->local, has_local ? local : address, 16);
        if (has_local && has_address && memcmp(local, address, 16) != 0) {
                memcpy(a->peer, address, 16);
                a->has_peer = true;
        }
        if (netstate_attr_ip(tb[IFA_BROADCAST], ifa->ifa_family, a->brd) == 0)
                a->has_brd = true;
        (void) netstate_attr_str(tb[IFA_LABEL], a->label, sizeof(a->label));

        uint32_t flags = ifa->ifa_flags;
        (void) netstate_attr_u32(tb[IFA_FLAGS], &flags);
        a->flags = flags & NETSTATE_ADDR_FLAGS_KEPT;
        if (tb[IFA_CACHEINFO] && nla_len(tb[IFA_CACHEINFO]) >= (int) sizeof(struct ifa_cacheinfo)) {
                const struct ifa_cacheinfo *ci = nla_data(tb[IFA_CACHEINFO]);
                a->dynamic = ci->ifa_valid != LIFETIME_INFINITY;
        } else
                a->dynamic = !(flags & IFA_F_PERMANENT);
        uint8_t proto;
        if (netstate_attr_u8(tb[IFA_PROTO], &proto) == 0)
                a->proto = proto;
        return 0;
}

/* The EUI-64 interface identifier the kernel derives from a 48-bit MAC. */
static bool is_eui64_of(const uint8_t *addr, const NetLink *l) {
        if (l->mac_len != 6)
                return false;
        const uint8_t *m = l->mac;
        const uint8_t id[8] = { m[0] ^ 0x02, m[1], m[2], 0xff, 0xfe, m[3], m[4], m[5] };
        return memcmp(addr + 8, id, 8) == 0;
}

static bool kernel_made(const NetAddr *a, const NetLink *l) {
        static const uint8_t v6_loopback[16] = { [15] = 1 };
        static const uint8_t v4_loopback[4] = { 127, 0, 0, 1 };

        if (a->proto == IFAPROT_KERNEL_LL || a->proto == IFAPROT_KERNEL_LO)
                return true;
        if (a->proto > 0)
                return false;
        /* Kernels without IFA_PROTO (< 5.18): recognise them by shape. */
        if (l->loopback)
                return (a->family == AF_INET6 && a->prefixlen == 128 && memcmp(a->local, v6_loopback, 16) == 0) ||
                        (a->family == AF_INET && a->prefixlen == 8 && memcmp(a->local, v4_loopback, 4) == 0);
        return a->family == AF_INET6 && a->prefixlen == 64 && !a->has_peer &&
                a->local[0] == 0xfe && (a->local[1] & 0xc0) == 0x80 && is_eui64_of(a->local, l);
}

int netstate_addrs_resolve(NetState *s) {
        size_t kept = 0;

        for (size_t i = 0; i < s->n_addrs; i++) {
                NetAddr *a = &s->addrs[i];
                const NetLink *l = NULL;

                for (size_t j = 0; j < s->n_links && !l; j++)
                        if (s->links[j].ifindex == a->ifindex)
                                l = &s->links[j];
                if (!l)
                        return -EAGAIN;
                if (kernel_made(a, l))
                        continue;
                memcpy(a->dev, l->name, IFNAMSIZ);
                /* A label equal to the device name says nothing. */
                if (strcmp(a->label, a->dev) == 0)
                        a->label[0] = '\0';
                s->addrs[kept++] = *a;
        }
        s->n_addrs = kept;
        return 0;
}
