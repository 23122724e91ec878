/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netstate's text format (parse, format, limits, errors with line numbers),
 * the netlink message parsers fed messages this machine's kernel cannot make
 * (VLAN, bond, permanent MAC, RTA_VIA), the restore script's quoting, and
 * resolv.conf handling. No privileges, no netlink socket. */
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "netstate-internal.h"
#include "test-util.h"

static const char sample[] =
        "netstate 1\n"
        "hostname name=web1.example.test\n"
        "dns nameserver=192.0.2.53\n"
        "dns nameserver=2001:db8::53\n"
        "dns search=example.test\n"
        "dns option=edns0\n"
        "link name=eth0 index=2 mac=52:54:00:12:34:56 perm=52:54:00:12:34:56 mtu=1500 up\n"
        "link name=eth0.10 index=4 mac=52:54:00:12:34:56 mtu=1500 up kind=vlan parent=eth0 vlan-id=10 vlan-protocol=802.1Q\n"
        "link name=lo index=1 mac=00:00:00:00:00:00 mtu=65536 up loopback\n"
        "link name=\"we\\\"ird$\\x01\" index=3 mac=52:54:00:aa:bb:cc mtu=9000\n"
        "addr dev=eth0 family=inet local=192.168.77.15/24 brd=192.168.77.255 label=eth0:dhcp scope=global dynamic\n"
        "addr dev=eth0 family=inet local=192.168.77.16/24 scope=global flags=secondary\n"
        "addr dev=eth0 family=inet local=10.0.0.1/32 peer=10.0.0.2 scope=global\n"
        "addr dev=eth0 family=inet6 local=2001:db8::15/64 scope=global flags=nodad,noprefixroute\n"
        "route family=inet table=100 type=unicast dst=10.9.0.0/16 metric=0 proto=boot scope=global nexthop via=192.168.77.2 dev=eth0 weight=1 nexthop via=fe80::1 dev=eth0 weight=3 onlink\n"
        "route family=inet table=main type=unicast dst=default via=192.168.77.2 dev=eth0 onlink metric=100 proto=static scope=global\n"
        "route family=inet table=main type=blackhole dst=10.66.0.0/16 metric=0 proto=boot scope=global mtu=1400 advmss=1360\n"
        "route family=inet table=main type=unicast dst=192.168.77.0/24 dev=eth0 src=192.168.77.15 metric=0 proto=kernel scope=link implied\n"
        "route family=inet6 table=main type=unicast dst=default via=fe80::1 dev=eth0 metric=1024 proto=ra scope=global\n"
        "rule family=inet prio=100 from=10.0.0.0/8 action=lookup table=100\n"
        "rule family=inet prio=101 not to=10.1.0.0/16 tos=16 fwmark=0x10/0xff iif=eth0 oif=lo action=goto goto=200\n"
        "rule family=inet6 prio=100 from=2001:db8::/32 action=lookup table=main suppress-prefixlen=0\n";

static NetState *parse_ok(const char *text) {
        NetState *s = NULL;
        unsigned line = 0;
        int r = netstate_parse(text, strlen(text), &s, &line);
        if (r < 0)
                TU_FAIL("parse failed at line %u: %s\n%s", line, strerror(-r), text);
        return s;
}

static char *format_ok(const NetState *s) {
        char *text = NULL;
        ASSERT_OK(netstate_format(s, &text));
        return text;
}

static void expect_error(const char *text, int err, unsigned want_line) {
        NetState *s = NULL;
        unsigned line = 12345;
        int r = netstate_parse(text, strlen(text), &s, &line);
        if (r != -err || line != want_line)
                TU_FAIL("parse of %s: got %d at line %u, expected -%d at line %u", text, r, line, err, want_line);
        ASSERT_TRUE(!s);
}

static void test_sample_is_canonical(void) {
        _cleanup_netstate NetState *s = parse_ok(sample);
        _cleanup_free_ char *text = format_ok(s);
        /* The sample is written in canonical order and form: identity. */
        ASSERT_STREQ(text, sample);
        ASSERT_STREQ(netstate_hostname(s), "web1.example.test");
        size_t links, addrs, routes, rules;
        netstate_counts(s, &links, &addrs, &routes, &rules);
        ASSERT_EQ(links, 4);
        ASSERT_EQ(addrs, 4);
        ASSERT_EQ(routes, 5);
        ASSERT_EQ(rules, 3);
        ASSERT_STREQ(s->links[3].name, "we\"ird$\x01");
        ASSERT_EQ(s->routes[0].n_nexthops, 2);
        ASSERT_EQ(s->routes[0].nexthops[1].gateway.family, AF_INET6);   /* RTA_VIA */
        ASSERT_EQ(s->routes[0].nexthops[1].weight, 3);
}

static void test_sorting(void) {
        /* Scrambled input comes out ordered; equal keys keep their order
         * (IPv4 primary before secondary, rules of equal priority). */
        static const char in[] =
                "netstate 1\n"
                "rule family=inet prio=5 action=lookup table=2\n"
                "route family=inet table=main dst=10.2.0.0/16 dev=b metric=0\n"
                "addr dev=b family=inet local=10.0.0.9/8\n"
                "rule family=inet prio=5 action=lookup table=1\n"
                "link name=b mtu=1500\n"
                "route family=inet table=main dst=10.1.0.0/16 dev=b metric=0\n"
                "addr dev=a family=inet local=10.0.0.1/8\n"
                "link name=a mtu=1500\n"
                "addr dev=b family=inet local=10.0.0.3/8 flags=secondary\n";
        _cleanup_netstate NetState *s = parse_ok(in);
        _cleanup_free_ char *text = format_ok(s);
        ASSERT_STREQ(text,
                "netstate 1\n"
                "link name=a mtu=1500\n"
                "link name=b mtu=1500\n"
                "addr dev=a family=inet local=10.0.0.1/8 scope=global\n"
                "addr dev=b family=inet local=10.0.0.9/8 scope=global\n"
                "addr dev=b family=inet local=10.0.0.3/8 scope=global flags=secondary\n"
                "route family=inet table=main type=unicast dst=10.1.0.0/16 dev=b metric=0 proto=boot scope=global\n"
                "route family=inet table=main type=unicast dst=10.2.0.0/16 dev=b metric=0 proto=boot scope=global\n"
                "rule family=inet prio=5 action=lookup table=2\n"
                "rule family=inet prio=5 action=lookup table=1\n");
        /* Sorting what is sorted changes nothing. */
        _cleanup_netstate NetState *again = parse_ok(text);
        _cleanup_free_ char *text2 = format_ok(again);
        ASSERT_STREQ(text, text2);
}

static void test_forward_compat(void) {
        _cleanup_netstate NetState *s = parse_ok(
                "# comment\n"
                "\n"
                "netstate 1.7\n"
                "   # indented comment with \"quotes\n"
                "link name=eth0 mtu=1500 colour=\"blue sky\" shiny up\r\n"
                "tunnel name=gre1 remote=192.0.2.1\n"
                "addr dev=eth0 family=inet local=192.0.2.5/24 future-key=1 future-flag\n");
        ASSERT_EQ(s->n_links, 1);
        ASSERT_TRUE(s->links[0].up);
        ASSERT_EQ(s->n_addrs, 1);
}

static void test_errors(void) {
        expect_error("", EBADMSG, 1);
        expect_error("link name=eth0\n", EBADMSG, 1);
        expect_error("netstate 2\nlink name=eth0\n", EPROTONOSUPPORT, 1);
        expect_error("netstate 0.9\n", EPROTONOSUPPORT, 1);
        expect_error("netstate one\n", EBADMSG, 1);
        expect_error("netstate 1\nlink name=eth0\naddr dev=eth0 family=inet local=300.1.1.1/24\n", EBADMSG, 3);
        expect_error("netstate 1\naddr dev=eth0 family=inet local=10.0.0.1/33\n", EBADMSG, 2);
        expect_error("netstate 1\naddr dev=eth0 family=inet6 local=10.0.0.1/24\n", EBADMSG, 2);
        expect_error("netstate 1\naddr dev=eth0 local=10.0.0.1/24\n", EBADMSG, 2);
        expect_error("netstate 1\nlink name=\"eth0\n", EBADMSG, 2);
        expect_error("netstate 1\nlink name=\"a\\x00b\"\n", EBADMSG, 2);
        expect_error("netstate 1\nlink name=\"a\\qb\"\n", EBADMSG, 2);
        expect_error("netstate 1\nlink name=a\"b\n", EBADMSG, 2);
        expect_error("netstate 1\nlink name=../etc\n", EBADMSG, 2);
        expect_error("netstate 1\nlink name=a/b\n", EBADMSG, 2);
        expect_error("netstate 1\nlink name=0123456789abcdef\n", EBADMSG, 2);
        expect_error("netstate 1\nlink name=\"a b\"\n", EBADMSG, 2);
        expect_error("netstate 1\nlink name=a mac=zz:00\n", EBADMSG, 2);
        expect_error("netstate 1\nlink name=a mtu=-1\n", EBADMSG, 2);
        expect_error("netstate 1\nlink name=a mtu=4294967296\n", EBADMSG, 2);
        expect_error("netstate 1\nlink name=a\nlink name=a\n", EBADMSG, 0);
        expect_error("netstate 1\nroute family=inet dst=10.0.0.0/8 via=10.0.0.1 nexthop via=10.0.0.2\n", EBADMSG, 2);
        expect_error("netstate 1\nroute family=inet dst=10.0.0.0/8 nexthop weight=0\n", EBADMSG, 2);
        expect_error("netstate 1\nrule family=inet action=lookup\n", EBADMSG, 2);
        expect_error("netstate 1\nhostname name=\"a\\x0ab\"\n", EBADMSG, 2);
        expect_error("netstate 1\ndns nameserver=\"1.1.1.1\\x0anameserver 6.6.6.6\"\n", EBADMSG, 2);
        expect_error("netstate 1\n=value\n", EBADMSG, 2);

        /* NUL bytes inside the text. */
        static const char with_nul[] = "netstate 1\nlink name=a\0b\n";
        NetState *s = NULL;
        unsigned line = 0;
        ASSERT_ERROR(netstate_parse(with_nul, sizeof(with_nul) - 1, &s, &line), EBADMSG);
        ASSERT_EQ(line, 2);
}

static void test_limits(void) {
        /* A line one byte over the limit; the same at the limit parses. */
        _cleanup_free_ char *text = malloc(NETSTATE_LINE_MAX + 64);
        ASSERT_TRUE(text);
        const char *head = "netstate 1\n";
        const char *line2 = "link name=a x=";
        size_t h = strlen(head), l2 = strlen(line2);
        memcpy(text, head, h);
        memcpy(text + h, line2, l2);
        memset(text + h + l2, 'x', NETSTATE_LINE_MAX + 1 - l2);
        text[h + NETSTATE_LINE_MAX + 1] = '\n';
        text[h + NETSTATE_LINE_MAX + 2] = '\0';
        NetState *s = NULL;
        unsigned line = 0;
        ASSERT_ERROR(netstate_parse(text, strlen(text), &s, &line), E2BIG);
        ASSERT_EQ(line, 2);
        text[h + NETSTATE_LINE_MAX] = '\n';
        text[h + NETSTATE_LINE_MAX + 1] = '\0';
        _cleanup_netstate NetState *ok = parse_ok(text);
        ASSERT_EQ(ok->n_links, 1);

        /* 10,000 addresses must parse, and quickly. */
        NetBuf b = {};
        netbuf_puts(&b, "netstate 1\nlink name=eth0 mtu=1500\n");
        for (unsigned i = 0; i < 10000; i++)
                netbuf_printf(&b, "addr dev=eth0 family=inet6 local=2001:db8::%x/128 scope=global\n", i + 1);
        _cleanup_free_ char *many = NULL;
        ASSERT_OK(netbuf_finish(&b, &many));
        _cleanup_netstate NetState *big = parse_ok(many);
        ASSERT_EQ(big->n_addrs, 10000);
        _cleanup_free_ char *again = format_ok(big);
        ASSERT_STREQ(again, many);

        /* One object too many. */
        b = (NetBuf) {};
        netbuf_puts(&b, "netstate 1\n");
        for (unsigned i = 0; i <= NETSTATE_OBJECTS_MAX; i++)
                netbuf_printf(&b, "rule family=inet prio=%u\n", i);
        _cleanup_free_ char *too_many = NULL;
        ASSERT_OK(netbuf_finish(&b, &too_many));
        ASSERT_ERROR(netstate_parse(too_many, strlen(too_many), &s, &line), E2BIG);
        ASSERT_EQ(line, NETSTATE_OBJECTS_MAX + 2);

        /* Whole text over the limit: refused before it is read. */
        _cleanup_free_ char *huge = malloc(NETSTATE_TEXT_MAX + 1);
        ASSERT_TRUE(huge);
        ASSERT_ERROR(netstate_parse(huge, NETSTATE_TEXT_MAX + 1, &s, &line), E2BIG);
}

/* ---- netlink messages the build machine's kernel cannot produce ---- */

static struct nl_msg *link_msg(int ifindex, const char *name, const uint8_t mac[6]) {
        struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWLINK, 0);
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex, .ifi_flags = IFF_UP };
        ASSERT_TRUE(m);
        ASSERT_TRUE(nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO) >= 0);
        ASSERT_TRUE(nla_put_string(m, IFLA_IFNAME, name) >= 0);
        ASSERT_TRUE(nla_put(m, IFLA_ADDRESS, 6, mac) >= 0);
        ASSERT_TRUE(nla_put_u32(m, IFLA_MTU, 1500) >= 0);
        return m;
}

static void feed_link(NetState *s, struct nl_msg *m) {
        ASSERT_OK(netstate_link_from_msg(s, nlmsg_hdr(m)));
        nlmsg_free(m);
}

static void test_link_messages(void) {
        _cleanup_netstate NetState *s = NULL;
        ASSERT_OK(netstate_new(&s));
        static const uint8_t mac1[6] = { 0x52, 0x54, 0, 0, 0, 1 }, mac2[6] = { 0x52, 0x54, 0, 0, 0, 2 },
                             perm2[6] = { 0x52, 0x54, 0, 0, 0, 0x22 }, bondmac[6] = { 0x52, 0x54, 0, 0, 0, 1 };

        struct nl_msg *m = link_msg(2, "eth0", mac1);
        nla_put_u32(m, IFLA_MASTER, 5);
        feed_link(s, m);

        m = link_msg(3, "eth1", bondmac);
        nla_put(m, IFLA_PERM_ADDRESS, 6, perm2);
        nla_put_u32(m, IFLA_MASTER, 5);
        feed_link(s, m);

        m = link_msg(5, "bond0", mac1);
        struct nlattr *info = nla_nest_start(m, IFLA_LINKINFO);
        nla_put_string(m, IFLA_INFO_KIND, "bond");
        struct nlattr *data = nla_nest_start(m, IFLA_INFO_DATA);
        nla_put_u8(m, IFLA_BOND_MODE, 1);
        nla_put_u32(m, IFLA_BOND_MIIMON, 100);
        nla_put_u32(m, IFLA_BOND_PRIMARY, 3);
        nla_put_u8(m, IFLA_BOND_AD_LACP_RATE, 0);
        nla_put_u8(m, IFLA_BOND_XMIT_HASH_POLICY, 1);
        nla_put_u8(m, IFLA_BOND_AD_SELECT, 7);
        nla_put_u32(m, IFLA_BOND_MIN_LINKS, 2);
        nla_nest_end(m, data);
        nla_nest_end(m, info);
        feed_link(s, m);

        m = link_msg(6, "bond0.10", mac1);
        nla_put_u32(m, IFLA_LINK, 5);
        info = nla_nest_start(m, IFLA_LINKINFO);
        nla_put_string(m, IFLA_INFO_KIND, "vlan");
        data = nla_nest_start(m, IFLA_INFO_DATA);
        nla_put_u16(m, IFLA_VLAN_ID, 10);
        nla_put_u16(m, IFLA_VLAN_PROTOCOL, htons(0x88a8));
        nla_nest_end(m, data);
        nla_nest_end(m, info);
        feed_link(s, m);

        m = link_msg(7, "mv0", mac2);
        nla_put_u32(m, IFLA_LINK, 2);
        info = nla_nest_start(m, IFLA_LINKINFO);
        nla_put_string(m, IFLA_INFO_KIND, "macvlan");
        data = nla_nest_start(m, IFLA_INFO_DATA);
        nla_put_u32(m, IFLA_MACVLAN_MODE, MACVLAN_MODE_BRIDGE);
        nla_nest_end(m, data);
        nla_nest_end(m, info);
        feed_link(s, m);

        ASSERT_OK(netstate_links_resolve(s));
        netstate_sort(s);
        _cleanup_free_ char *text = format_ok(s);
        ASSERT_STREQ(text,
                "netstate 1\n"
                "link name=bond0 index=5 mac=52:54:00:00:00:01 mtu=1500 up kind=bond bond-mode=active-backup bond-miimon=100 bond-primary=eth1 "
                "bond-lacp-rate=slow bond-xmit-hash-policy=layer3+4 bond-ad-select=7 bond-min-links=2\n"
                "link name=bond0.10 index=6 mac=52:54:00:00:00:01 mtu=1500 up kind=vlan parent=bond0 vlan-id=10 vlan-protocol=802.1ad\n"
                "link name=eth0 index=2 mac=52:54:00:00:00:01 mtu=1500 up master=bond0\n"
                "link name=eth1 index=3 mac=52:54:00:00:00:01 perm=52:54:00:00:00:22 mtu=1500 up master=bond0\n"
                "link name=mv0 index=7 mac=52:54:00:00:00:02 mtu=1500 up kind=macvlan parent=eth0 macvlan-mode=bridge\n");

        /* The script: bond first, slaves, VLAN on the bond, slave MACs left
         * to bonding, the permanent MAC tried before the current one. */
        _cleanup_free_ char *script = NULL;
        ASSERT_OK(netstate_render_script(s, &script));
        const char *bond = strstr(script, "ip_ link add name 'bond0' type bond");
        const char *enslave = strstr(script, "ip_ link set dev 'eth1' master 'bond0'");
        const char *vlan = strstr(script, "ip_ link add link 'bond0' name 'bond0.10' type vlan id 10 protocol 802.1ad");
        ASSERT_TRUE(bond && enslave && vlan && bond < enslave && enslave < vlan);
        ASSERT_TRUE(strstr(script, "echo active-backup > \"$sysnet\"/'bond0'/bonding/mode"));
        ASSERT_TRUE(strstr(script, "echo 'eth1' > \"$sysnet\"/'bond0'/bonding/primary"));
        /* Non-default bond settings; lacp_rate is 802.3ad's only (the
         * kernel refuses it in active-backup). */
        ASSERT_TRUE(strstr(script, "echo 'layer3+4' > \"$sysnet\"/'bond0'/bonding/xmit_hash_policy"));
        ASSERT_TRUE(strstr(script, "echo 7 > \"$sysnet\"/'bond0'/bonding/ad_select"));
        ASSERT_TRUE(strstr(script, "echo 2 > \"$sysnet\"/'bond0'/bonding/min_links"));
        ASSERT_TRUE(!strstr(script, "lacp_rate"));
        ASSERT_TRUE(strstr(script, "find_mac '52:54:00:00:00:22' '52:54:00:00:00:01'"));
        ASSERT_TRUE(strstr(script, "type macvlan mode bridge"));
        ASSERT_TRUE(!strstr(script, "ip_ link set dev 'eth1' address"));

        /* A link pointing at an ifindex that vanished mid-capture: retry. */
        m = link_msg(9, "eth9", mac2);
        nla_put_u32(m, IFLA_MASTER, 42);
        feed_link(s, m);
        ASSERT_ERROR(netstate_links_resolve(s), EAGAIN);
}

static void test_route_message(void) {
        _cleanup_netstate NetState *s = NULL;
        ASSERT_OK(netstate_new(&s));
        static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
        feed_link(s, link_msg(2, "eth0", mac));

        struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWROUTE, 0);
        struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = 16, .rtm_table = RT_TABLE_MAIN,
                             .rtm_protocol = RTPROT_STATIC, .rtm_type = RTN_UNICAST };
        ASSERT_TRUE(nlmsg_append(m, &rtm, sizeof(rtm), NLMSG_ALIGNTO) >= 0);
        uint8_t dst[4] = { 10, 9, 0, 0 };
        nla_put(m, RTA_DST, 4, dst);
        nla_put_u32(m, RTA_PRIORITY, 7);
        /* Two nexthops: an IPv4 gateway and an IPv6 one through RTA_VIA. */
        struct {
                struct rtnexthop nh1;
                struct nlattr gw1_hdr;
                uint8_t gw1[4];
                struct rtnexthop nh2;
                struct nlattr via_hdr;
                uint16_t via_family;
                uint8_t via[16];
                uint8_t pad[2];
        } __attribute__((packed)) mp = {};
        mp.nh1 = (struct rtnexthop) { .rtnh_len = sizeof(mp.nh1) + 8, .rtnh_hops = 0, .rtnh_ifindex = 2 };
        mp.gw1_hdr = (struct nlattr) { .nla_len = 8, .nla_type = RTA_GATEWAY };
        memcpy(mp.gw1, (uint8_t[]) { 10, 0, 0, 1 }, 4);
        mp.nh2 = (struct rtnexthop) { .rtnh_len = sizeof(mp.nh2) + 4 + 2 + 16 + 2, .rtnh_flags = RTNH_F_ONLINK,
                                      .rtnh_hops = 2, .rtnh_ifindex = 2 };
        mp.via_hdr = (struct nlattr) { .nla_len = 4 + 2 + 16, .nla_type = RTA_VIA };
        mp.via_family = AF_INET6;
        inet_pton(AF_INET6, "fe80::1", mp.via);
        nla_put(m, RTA_MULTIPATH, sizeof(mp), &mp);
        ASSERT_OK(netstate_route_from_msg(s, nlmsg_hdr(m)));
        nlmsg_free(m);

        ASSERT_OK(netstate_routes_resolve(s));
        _cleanup_free_ char *text = format_ok(s);
        ASSERT_TRUE(strstr(text, "route family=inet table=main type=unicast dst=10.9.0.0/16 metric=7 proto=static "
                                 "scope=global nexthop via=10.0.0.1 dev=eth0 weight=1 nexthop via=fe80::1 dev=eth0 weight=3 onlink\n"));

        /* A truncated multipath attribute is refused, not read past. */
        m = nlmsg_alloc_simple(RTM_NEWROUTE, 0);
        ASSERT_TRUE(nlmsg_append(m, &rtm, sizeof(rtm), NLMSG_ALIGNTO) >= 0);
        struct rtnexthop bad = { .rtnh_len = 200, .rtnh_ifindex = 2 };
        nla_put(m, RTA_MULTIPATH, sizeof(bad), &bad);
        ASSERT_ERROR(netstate_route_from_msg(s, nlmsg_hdr(m)), EBADMSG);
        nlmsg_free(m);
}

static void test_script_quoting(void) {
        _cleanup_netstate NetState *s = parse_ok(
                "netstate 1\n"
                "link name=\"a'$(id)`\" mac=02:00:00:00:00:01 mtu=1500 up\n"
                "addr dev=\"a'$(id)`\" family=inet local=192.0.2.1/24 label=\"a'$(id)`:x\" scope=global\n"
                "route family=inet table=main dst=default via=192.0.2.254 dev=\"a'$(id)`\" metric=0 proto=boot scope=global\n");
        _cleanup_free_ char *script = NULL;
        ASSERT_OK(netstate_render_script(s, &script));
        /* Every occurrence of the name is single-quoted. */
        for (const char *p = script; (p = strstr(p, "$(id)")); p++) {
                ASSERT_TRUE(p - script >= 4);
                ASSERT_TRUE(strncmp(p - 4, "'\\''$(id)`", 10) == 0);
        }
        ASSERT_TRUE(strstr(script, "ip_ -4 route append 'default' via '192.0.2.254' dev 'a'\\''$(id)`'"));

        /* The shell must accept it. */
        _cleanup_free_ char *dir = NULL;
        ASSERT_OK(tu_mkdtemp("netstate-script", &dir));
        _cleanup_free_ char *path = tu_path_join(dir, "restore.sh");
        ASSERT_OK(tu_write_file(path, script, strlen(script)));
        const char *argv[] = { "/bin/sh", "-n", path, NULL };
        ASSERT_EQ(tu_run(NULL, argv, NULL, NULL, NULL), 0);
        tu_rm_rf(dir);
}

static void test_json(void) {
        _cleanup_netstate NetState *s = parse_ok(sample);
        _cleanup_free_ char *json = NULL;
        ASSERT_OK(netstate_render_json(s, &json));
        ASSERT_TRUE(strstr(json, "\"name\":\"we\\\"ird$\\u0001\""));
        ASSERT_TRUE(strstr(json, "\"hostname\":\"web1.example.test\""));
        ASSERT_TRUE(strstr(json, "{\"gateway\":\"fe80::1\",\"dev\":\"eth0\",\"weight\":3,\"onlink\":true}"));
        /* Balanced, and nothing unescaped below 0x20. */
        int depth = 0;
        bool in_string = false;
        for (const char *p = json; *p; p++) {
                if (in_string) {
                        ASSERT_TRUE((unsigned char) *p >= 0x20);
                        if (*p == '\\')
                                p++;
                        else if (*p == '"')
                                in_string = false;
                        continue;
                }
                if (*p == '"')
                        in_string = true;
                else if (*p == '{' || *p == '[')
                        depth++;
                else if (*p == '}' || *p == ']')
                        ASSERT_TRUE(--depth >= 0);
        }
        ASSERT_EQ(depth, 0);
        ASSERT_TRUE(!in_string);
}

static void test_resolv_conf(void) {
        _cleanup_netstate NetState *s = NULL;
        ASSERT_OK(netstate_new(&s));
        ASSERT_OK(netstate_parse_resolv_conf(s,
                "# generated\r\n"
                "nameserver 192.0.2.1\r\n"
                "search old.test\n"
                "; comment\n"
                "nameserver\t2001:db8::1 # trailing\n"
                "domain new.test\n"
                "options edns0 rotate\n"
                "options ndots:2\n"));
        ASSERT_EQ(s->nameservers.n, 2);
        ASSERT_STREQ(s->nameservers.items[0], "192.0.2.1");
        ASSERT_STREQ(s->nameservers.items[1], "2001:db8::1");
        ASSERT_EQ(s->search.n, 1);
        ASSERT_STREQ(s->search.items[0], "new.test");
        ASSERT_EQ(s->dns_options.n, 3);

        _cleanup_free_ char *resolv = NULL;
        ASSERT_OK(netstate_render_resolv_conf(s, &resolv));
        ASSERT_TRUE(strstr(resolv, "\nnameserver 192.0.2.1\nnameserver 2001:db8::1\nsearch new.test\n"
                                   "options edns0 rotate ndots:2\n"));

        /* systemd-resolved's stub: the upstreams come from its own file. */
        _cleanup_free_ char *root = NULL;
        ASSERT_OK(tu_mkdtemp("netstate-dns", &root));
        _cleanup_free_ char *etc = tu_path_join(root, "etc"), *run = tu_path_join(root, "run"),
                            *sd = tu_path_join(run, "systemd"), *rs = tu_path_join(sd, "resolve");
        ASSERT_TRUE(mkdir(etc, 0755) == 0 && mkdir(run, 0755) == 0 && mkdir(sd, 0755) == 0 && mkdir(rs, 0755) == 0);
        _cleanup_free_ char *stub = tu_path_join(etc, "resolv.conf"), *real = tu_path_join(rs, "resolv.conf");
        static const char stub_text[] = "nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n";
        static const char real_text[] = "nameserver 198.51.100.7\nsearch corp.test\n";
        ASSERT_OK(tu_write_file(stub, stub_text, strlen(stub_text)));

        _cleanup_netstate NetState *d = NULL;
        ASSERT_OK(netstate_new(&d));
        ASSERT_OK(netstate_capture_dns(d, root));       /* no upstream file: keep the stub */
        ASSERT_STREQ(d->nameservers.items[0], "127.0.0.53");

        ASSERT_OK(tu_write_file(real, real_text, strlen(real_text)));
        ASSERT_OK(netstate_capture_dns(d, root));
        ASSERT_EQ(d->nameservers.n, 1);
        ASSERT_STREQ(d->nameservers.items[0], "198.51.100.7");
        ASSERT_STREQ(d->search.items[0], "corp.test");

        _cleanup_netstate NetState *none = NULL;
        ASSERT_OK(netstate_new(&none));
        ASSERT_OK(netstate_capture_dns(none, "/nonexistent-netstate-root"));
        ASSERT_EQ(none->nameservers.n, 0);
        tu_rm_rf(root);
}

int main(void) {
        test_sample_is_canonical();
        test_sorting();
        test_forward_compat();
        test_errors();
        test_limits();
        test_link_messages();
        test_route_message();
        test_script_quoting();
        test_json();
        test_resolv_conf();
        return 0;
}
