/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The capture as a whole: four dumps on one socket, retried from the start
 * when the kernel says a dump was interrupted by a change. */
#include <net/if.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "netstate-internal.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct nl_sock *, netstate_netlink_close);

static int capture_network(struct nl_sock *sk, NetState *s) {
        static const struct {
                int type, family;
                netstate_msg_fn fn;
        } dumps[] = {
                { RTM_GETLINK, AF_UNSPEC, netstate_link_from_msg },
                { RTM_GETADDR, AF_INET, netstate_addr_from_msg },
                { RTM_GETADDR, AF_INET6, netstate_addr_from_msg },
                { RTM_GETROUTE, AF_INET, netstate_route_from_msg },
                { RTM_GETROUTE, AF_INET6, netstate_route_from_msg },
                { RTM_GETRULE, AF_INET, netstate_rule_from_msg },
                { RTM_GETRULE, AF_INET6, netstate_rule_from_msg },
        };
        int r;

        for (size_t i = 0; i < ELEMENTSOF(dumps); i++) {
                r = netstate_netlink_dump(sk, dumps[i].type, dumps[i].family, dumps[i].fn, s);
                /* A kernel without IPv6 refuses its dumps: nothing to capture. */
                if (r == -EAFNOSUPPORT && dumps[i].family == AF_INET6)
                        continue;
                if (r < 0)
                        return r;
        }
        r = netstate_links_resolve(s);
        if (r < 0)
                return r;
        netstate_links_perm_from_ethtool(s);
        r = netstate_addrs_resolve(s);
        if (r < 0)
                return r;
        return netstate_routes_resolve(s);
}

int netstate_capture_at(const char *root, NetState **ret) {
        _cleanup_(netstate_freep) NetState *s = NULL;
        _cleanup_(netstate_netlink_closep) struct nl_sock *sk = NULL;
        int r;

        r = netstate_new(&s);
        if (r < 0)
                return r;
        r = netstate_netlink_open(&sk);
        if (r < 0)
                return r;
        for (unsigned attempt = 0;; attempt++) {
                r = capture_network(sk, s);
                if (r != -EAGAIN || attempt + 1 >= NETSTATE_DUMP_RETRIES)
                        break;
                netstate_clear_network(s);
        }
        if (r < 0)
                return r;

        r = netstate_capture_hostname(s, root ?: "/");
        if (r < 0)
                return r;
        r = netstate_capture_dns(s, root ?: "/");
        if (r < 0)
                return r;
        netstate_sort(s);
        *ret = TAKE_PTR(s);
        return 0;
}

int netstate_capture(NetState **ret) {
        return netstate_capture_at(NULL, ret);
}
