/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Links from RTM_NEWLINK messages. IFLA_LINKINFO is parsed here by hand:
 * libnl's per-kind parsers register from constructors that a static link
 * drops, and we need only a few attributes of four kinds. */
#include <net/if.h>
#include <net/if_arp.h>
#include <arpa/inet.h>
#include <linux/ethtool.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "netstate-internal.h"

static void parse_info_data(NetLink *l, struct nlattr *data) {
        struct nlattr *tb[64] = {};

        if (!data)
                return;
        if (strcmp(l->kind, "vlan") == 0) {
                if (nla_parse_nested(tb, IFLA_VLAN_MAX, data, NULL) < 0)
                        return;
                (void) netstate_attr_u16(tb[IFLA_VLAN_ID], &l->vlan_id);
                uint16_t proto;
                if (netstate_attr_u16(tb[IFLA_VLAN_PROTOCOL], &proto) == 0)
                        l->vlan_protocol = ntohs(proto);
        } else if (strcmp(l->kind, "bond") == 0) {
                if (nla_parse_nested(tb, MIN(IFLA_BOND_MAX, 63), data, NULL) < 0)
                        return;
                uint8_t mode;
                if (netstate_attr_u8(tb[IFLA_BOND_MODE], &mode) == 0)
                        l->bond_mode = mode;
                (void) netstate_attr_u32(tb[IFLA_BOND_MIIMON], &l->bond_miimon);
                uint32_t primary;
                if (netstate_attr_u32(tb[IFLA_BOND_PRIMARY], &primary) == 0)
                        l->primary_ifindex = (int) primary;
                for (unsigned o = 0; o < NETSTATE_BOND_OPTS; o++) {
                        const NetBondOpt *opt = &netstate_bond_opts[o];
                        uint32_t v32;
                        uint8_t v8;
                        if (opt->attr > 63)
                                continue;
                        if (opt->size == 1 && netstate_attr_u8(tb[opt->attr], &v8) == 0)
                                l->bond_opt[o] = v8;
                        else if (opt->size == 4 && netstate_attr_u32(tb[opt->attr], &v32) == 0)
                                l->bond_opt[o] = v32;
                }
        } else if (strcmp(l->kind, "macvlan") == 0) {
                if (nla_parse_nested(tb, IFLA_MACVLAN_MAX, data, NULL) < 0)
                        return;
                (void) netstate_attr_u32(tb[IFLA_MACVLAN_MODE], &l->macvlan_mode);
        }
}

static void parse_linkinfo(NetLink *l, struct nlattr *info) {
        struct nlattr *tb[IFLA_INFO_MAX + 1] = {};

        if (!info || nla_parse_nested(tb, IFLA_INFO_MAX, info, NULL) < 0)
                return;
        if (netstate_attr_str(tb[IFLA_INFO_KIND], l->kind, sizeof(l->kind)) < 0)
                return;
        parse_info_data(l, tb[IFLA_INFO_DATA]);
}

int netstate_link_from_msg(NetState *s, struct nlmsghdr *nlh) {
        struct nlattr *tb[IFLA_MAX + 1] = {};

        if (nlh->nlmsg_type != RTM_NEWLINK)
                return 0;
        if (nlmsg_parse(nlh, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) < 0)
                return -EBADMSG;
        const struct ifinfomsg *ifi = nlmsg_data(nlh);

        NetLink *l = netstate_add_link(s);
        if (!l)
                return s->n_links >= NETSTATE_OBJECTS_MAX ? -E2BIG : -ENOMEM;
        l->ifindex = ifi->ifi_index;
        l->bond_mode = -1;
        for (unsigned o = 0; o < NETSTATE_BOND_OPTS; o++)
                l->bond_opt[o] = -1;
        if (netstate_attr_str(tb[IFLA_IFNAME], l->name, sizeof(l->name)) < 0)
                return -EBADMSG;
        (void) netstate_attr_hwaddr(tb[IFLA_ADDRESS], l->mac, &l->mac_len);
        (void) netstate_attr_hwaddr(tb[IFLA_PERM_ADDRESS], l->perm, &l->perm_len);
        (void) netstate_attr_u32(tb[IFLA_MTU], &l->mtu);
        l->up = ifi->ifi_flags & IFF_UP;
        l->loopback = (ifi->ifi_flags & IFF_LOOPBACK) || ifi->ifi_type == ARPHRD_LOOPBACK;

        uint32_t v;
        if (netstate_attr_u32(tb[IFLA_MASTER], &v) == 0)
                l->master_ifindex = (int) v;
        parse_linkinfo(l, tb[IFLA_LINKINFO]);
        /* IFLA_LINK names the lower device of a vlan/macvlan; for a veth it
         * is the peer, maybe in another namespace (IFLA_LINK_NETNSID). */
        if (netstate_attr_u32(tb[IFLA_LINK], &v) == 0 && !tb[IFLA_LINK_NETNSID] &&
            (strcmp(l->kind, "vlan") == 0 || strcmp(l->kind, "macvlan") == 0))
                l->parent_ifindex = (int) v;
        return 0;
}

/* Kernels before 5.6 lack IFLA_PERM_ADDRESS; ask ethtool instead. */
static void perm_addr_from_ethtool(int fd, NetLink *l) {
        union {
                struct ethtool_perm_addr epa;
                uint8_t raw[sizeof(struct ethtool_perm_addr) + NETSTATE_HWADDR_MAX];
        } req = {};
        struct ifreq ifr = {};
        static const uint8_t zero[NETSTATE_HWADDR_MAX];

        req.epa.cmd = ETHTOOL_GPERMADDR;
        req.epa.size = NETSTATE_HWADDR_MAX;
        memcpy(ifr.ifr_name, l->name, strlen(l->name) + 1);
        ifr.ifr_data = (void *) &req;
        if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
                return;
        if (req.epa.size == 0 || req.epa.size > NETSTATE_HWADDR_MAX ||
            memcmp(req.epa.data, zero, req.epa.size) == 0)
                return;
        memcpy(l->perm, req.epa.data, req.epa.size);
        l->perm_len = (uint8_t) req.epa.size;
}

static const NetLink *link_by_index(const NetState *s, int ifindex) {
        for (size_t i = 0; i < s->n_links; i++)
                if (s->links[i].ifindex == ifindex)
                        return &s->links[i];
        return NULL;
}

static int index_to_name(const NetState *s, int ifindex, char name[static IFNAMSIZ]) {
        if (ifindex <= 0)
                return 0;
        const NetLink *l = link_by_index(s, ifindex);
        if (!l)
                return -EAGAIN;
        memcpy(name, l->name, IFNAMSIZ);
        return 0;
}

int netstate_links_resolve(NetState *s) {
        for (size_t i = 0; i < s->n_links; i++) {
                NetLink *l = &s->links[i];
                int r;

                r = index_to_name(s, l->master_ifindex, l->master);
                if (r < 0)
                        return r;
                r = index_to_name(s, l->parent_ifindex, l->parent);
                if (r < 0)
                        return r;
                r = index_to_name(s, l->primary_ifindex, l->bond_primary);
                if (r < 0)
                        return r;
        }
        return 0;
}

void netstate_links_perm_from_ethtool(NetState *s) {
        _cleanup_close_ int fd = -EBADF;

        for (size_t i = 0; i < s->n_links; i++) {
                NetLink *l = &s->links[i];
                if (l->perm_len == 0 && l->kind[0] == '\0' && !l->loopback && l->mac_len == ETH_ALEN) {
                        if (fd < 0)
                                fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                        if (fd >= 0)
                                perm_addr_from_ethtool(fd, l);
                }
        }
}
