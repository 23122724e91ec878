/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The in-memory model behind NetState, shared by capture, format, parse and
 * the renderers. */
#pragma once

#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"
#include "netstate.h"

struct nl_sock;
struct nlmsghdr;
struct nlattr;

/* Limits on what we capture and what we accept from text. */
#define NETSTATE_TEXT_MAX         (64u << 20)   /* whole text */
#define NETSTATE_LINE_MAX         4096u         /* one record */
#define NETSTATE_OBJECTS_MAX      100000u       /* of each kind: links, addrs, routes, rules */
#define NETSTATE_NEXTHOPS_MAX     256u          /* per multipath route */
#define NETSTATE_DNS_MAX          64u           /* nameservers, search domains, options each */
#define NETSTATE_DNS_VALUE_MAX    256u
#define NETSTATE_HOSTNAME_MAX     253u
#define NETSTATE_HWADDR_MAX       32u           /* MAX_ADDR_LEN */
#define NETSTATE_KIND_MAX         32u
#define NETSTATE_RESOLV_CONF_MAX  (1u << 20)
#define NETSTATE_DUMP_RETRIES     8u

/* Bond settings beyond mode, miimon and primary, in a table so capture,
 * text, JSON, script and restore handle them alike (netstate-names.c). */
enum {
        NETSTATE_BOND_LACP_RATE,
        NETSTATE_BOND_XMIT_HASH_POLICY,
        NETSTATE_BOND_AD_SELECT,
        NETSTATE_BOND_MIN_LINKS,
        NETSTATE_BOND_OPTS,
};

typedef struct NetBondOpt {
        const char *key;                     /* text format, e.g. "bond-lacp-rate" */
        const char *json;                    /* JSON, e.g. "bond_lacp_rate" */
        const char *sysfs;                   /* /sys/class/net/<bond>/bonding/<sysfs> */
        int attr;                            /* IFLA_BOND_* */
        unsigned size;                       /* of the attribute: 1 or 4 */
        const char *const *names;            /* by value, as sysfs and `ip -d` say them; NULL: a number */
        size_t n_names;
} NetBondOpt;

extern const NetBondOpt netstate_bond_opts[NETSTATE_BOND_OPTS];
/* A value's name, or NULL for a number without one. */
const char *netstate_bond_opt_to_string(unsigned opt, int64_t value);
int netstate_bond_opt_from_string(unsigned opt, const char *s, int64_t *ret);
/* Whether a restore sets it: the kernel refuses 802.3ad settings in other
 * modes, and a default value need not be set. */
struct NetLink;
bool netstate_bond_opt_wanted(const struct NetLink *l, unsigned opt);

typedef struct NetIP {
        int family;             /* AF_INET, AF_INET6, or 0 for none */
        uint8_t bytes[16];
} NetIP;

typedef struct NetLink {
        int ifindex;
        char name[IFNAMSIZ];
        uint8_t mac[NETSTATE_HWADDR_MAX];
        uint8_t mac_len;
        uint8_t perm[NETSTATE_HWADDR_MAX];    /* IFLA_PERM_ADDRESS; burnt-in MAC */
        uint8_t perm_len;
        uint32_t mtu;
        bool up;
        bool loopback;
        char kind[NETSTATE_KIND_MAX];        /* IFLA_INFO_KIND; "" for a plain device */
        char master[IFNAMSIZ];
        char parent[IFNAMSIZ];               /* lower device of a vlan/macvlan */
        uint16_t vlan_id;
        uint16_t vlan_protocol;              /* ETH_P_8021Q/ETH_P_8021AD, host order; 0 unknown */
        int bond_mode;                       /* BOND_MODE_*; -1 unknown */
        uint32_t bond_miimon;
        char bond_primary[IFNAMSIZ];
        int64_t bond_opt[NETSTATE_BOND_OPTS]; /* NETSTATE_BOND_*; -1 unknown */
        uint32_t macvlan_mode;               /* MACVLAN_MODE_*; 0 unknown */

        /* Only while capturing: resolved to names at the end. */
        int master_ifindex, parent_ifindex, primary_ifindex;
        size_t seq;
} NetLink;

typedef struct NetAddr {
        char dev[IFNAMSIZ];
        int family;
        uint8_t local[16];
        uint8_t peer[16];                    /* valid when has_peer */
        uint8_t brd[16];                     /* valid when has_brd */
        bool has_peer, has_brd;
        uint8_t prefixlen;
        uint8_t scope;
        uint32_t flags;                      /* IFA_F_* that describe configuration */
        bool dynamic;                        /* had a finite lifetime (DHCP, SLAAC) */
        char label[IFNAMSIZ];
        int ifindex;                         /* capture only */
        int proto;                           /* capture only: IFA_PROTO, -1 absent */
        size_t seq;                          /* arrival order: the kernel's order is meaningful */
} NetAddr;

typedef struct NetNexthop {
        char dev[IFNAMSIZ];
        NetIP gateway;                       /* may differ from the route's family (RTA_VIA) */
        uint16_t weight;                     /* 1..256 as `ip` shows it; 0 when single-path */
        uint32_t flags;                      /* RTNH_F_* */
        int ifindex;                         /* capture only */
} NetNexthop;

typedef struct NetRoute {
        int family;
        uint32_t table;
        uint8_t type, protocol, scope, tos;
        uint8_t dst[16], src[16], prefsrc[16];
        uint8_t dst_len, src_len;
        bool has_prefsrc;
        uint32_t metric;
        uint32_t mtu, advmss;                /* RTAX_*; 0 unset */
        bool implied;                        /* the kernel makes it again by itself */
        bool incomplete;                     /* uses attributes we do not capture */
        bool multipath;
        NetNexthop *nexthops;
        size_t n_nexthops;
        size_t seq;
} NetRoute;

typedef struct NetRule {
        int family;
        uint32_t priority;
        uint8_t action;                      /* FR_ACT_* */
        uint32_t table;
        uint8_t src[16], dst[16];
        uint8_t src_len, dst_len;
        uint8_t tos;
        uint32_t fwmark, fwmask;
        bool has_fwmark;
        bool invert;
        char iif[IFNAMSIZ], oif[IFNAMSIZ];
        uint32_t goto_target;
        int32_t suppress_prefixlen;          /* -1 unset */
        bool incomplete;
        size_t seq;
} NetRule;

typedef struct NetStrv {
        char **items;
        size_t n;
} NetStrv;

struct NetState {
        char *hostname;
        NetStrv nameservers, search, dns_options;
        NetLink *links;
        size_t n_links, alloc_links;
        NetAddr *addrs;
        size_t n_addrs, alloc_addrs;
        NetRoute *routes;
        size_t n_routes, alloc_routes;
        NetRule *rules;
        size_t n_rules, alloc_rules;
};

/* netstate-state.c */
int netstate_new(NetState **ret);
void netstate_clear_network(NetState *s);
int netstate_grow(void **array, size_t *alloc, size_t need, size_t item_size);
NetLink *netstate_add_link(NetState *s);
NetAddr *netstate_add_addr(NetState *s);
NetRoute *netstate_add_route(NetState *s);
NetRule *netstate_add_rule(NetState *s);
NetNexthop *netstate_route_add_nexthop(NetRoute *r);
int netstate_strv_push(NetStrv *v, const char *value, size_t max_items);
void netstate_strv_free(NetStrv *v);
const NetLink *netstate_find_link(const NetState *s, const char *name);
void netstate_sort(NetState *s);
/* What a restore (netlink or script) does with a link: creates it (bond,
 * bridge, vlan, macvlan, dummy, ifb), finds it by MAC (a NIC; a veth), or
 * skips it with a warning: a kind it can neither make nor find (tun,
 * wireguard, vxlan...), a NIC without a MAC, or a link stacked on such a one.
 * The *_skipped_cause() functions return the skipped link that an object
 * depends on (itself for a link), NULL when it can be restored. */
bool netstate_link_is_created(const NetLink *l);
bool netstate_link_is_matched(const NetLink *l);
const NetLink *netstate_link_skipped_cause(const NetState *s, const NetLink *l);
const NetLink *netstate_dev_skipped_cause(const NetState *s, const char *dev);
const NetLink *netstate_route_skipped_cause(const NetState *s, const NetRoute *r);

size_t netstate_family_len(int family);
bool netstate_name_valid(const char *name);

/* netstate-names.c: number <-> word tables shared by text, JSON and script. */
const char *netstate_family_to_string(int family);
int netstate_family_from_string(const char *s);
int netstate_table_to_string(uint32_t table, char buf[static 16]);
int netstate_table_from_string(const char *s, uint32_t *ret);
int netstate_proto_to_string(uint8_t proto, char buf[static 16]);
int netstate_proto_from_string(const char *s, uint8_t *ret);
int netstate_scope_to_string(uint8_t scope, char buf[static 16]);
int netstate_scope_from_string(const char *s, uint8_t *ret);
const char *netstate_rtntype_to_string(uint8_t type);
int netstate_rtntype_from_string(const char *s, uint8_t *ret);
const char *netstate_action_to_string(uint8_t action);
int netstate_action_from_string(const char *s, uint8_t *ret);
const char *netstate_bond_mode_to_string(int mode);
int netstate_bond_mode_from_string(const char *s, int *ret);
const char *netstate_macvlan_mode_to_string(uint32_t mode);
int netstate_macvlan_mode_from_string(const char *s, uint32_t *ret);
/* IFA_F_* names; "secondary" reads as "temporary" for IPv6. */
const char *netstate_addr_flag_name(int family, uint32_t bit);
int netstate_addr_flag_from_string(int family, const char *s, uint32_t *ret);
/* IFA_F_ bits that describe configuration (secondary/temporary, nodad,
 * optimistic, homeaddress, managetempaddr, noprefixroute, mcautojoin), not
 * state (tentative, deprecated, permanent...). */
#define NETSTATE_ADDR_FLAGS_KEPT 0x717u

/* netstate-buf.c: a growing string with a sticky error. */
typedef struct NetBuf {
        char *data;
        size_t len, alloc;
        int error;
} NetBuf;
void netbuf_putc(NetBuf *b, char c);
void netbuf_puts(NetBuf *b, const char *s);
/* Decimal, without printf. */
void netbuf_put_u(NetBuf *b, unsigned long v);
void netbuf_put(NetBuf *b, const void *p, size_t n);
void netbuf_printf(NetBuf *b, const char *fmt, ...) _printf_(2, 3);
/* Hands the NUL-terminated text to *ret, or returns the sticky error. */
int netbuf_finish(NetBuf *b, char **ret);
void netbuf_done(NetBuf *b);
/* Text format value: bare when every byte is in the safe set, else "..."
 * with \\, \" and \xHH escapes. */
void netbuf_put_value(NetBuf *b, const char *s);
/* sh: '...' with ' written as '\'' */
void netbuf_put_shell(NetBuf *b, const char *s);
/* JSON string with quotes. */
void netbuf_put_json(NetBuf *b, const char *s);
/* Formatting of addresses. */
void netbuf_put_ip(NetBuf *b, int family, const uint8_t *bytes);
void netbuf_put_prefix(NetBuf *b, int family, const uint8_t *bytes, uint8_t len);
void netbuf_put_hwaddr(NetBuf *b, const uint8_t *a, size_t n);
int netstate_parse_ip(const char *s, NetIP *ret);
int netstate_parse_prefix(const char *s, int family, uint8_t ret_bytes[static 16], uint8_t *ret_len);
int netstate_parse_hwaddr(const char *s, uint8_t ret[static NETSTATE_HWADDR_MAX], uint8_t *ret_len);

/* netstate-netlink.c */
int netstate_errno_from_nl(int nl_error);
typedef int (*netstate_msg_fn)(NetState *s, struct nlmsghdr *nlh);
/* One RTM_GET* dump of `family`, each message handed to fn. */
int netstate_netlink_dump(struct nl_sock *sk, int type, int family, netstate_msg_fn fn, NetState *s);
int netstate_netlink_open(struct nl_sock **ret);
void netstate_netlink_close(struct nl_sock *sk);
struct nl_msg;
/* Sends msg (always freed) and waits for the kernel's answer: 0 for its ACK,
 * or the kernel's own -errno. */
int netstate_netlink_request(struct nl_sock *sk, struct nl_msg *msg);
/* Attribute readers that check the payload length (-ENODATA when absent or
 * short; strings and hardware addresses -EINVAL when empty or too long). */
int netstate_attr_u32(const struct nlattr *a, uint32_t *ret);
int netstate_attr_u16(const struct nlattr *a, uint16_t *ret);
int netstate_attr_u8(const struct nlattr *a, uint8_t *ret);
int netstate_attr_str(const struct nlattr *a, char *buf, size_t size);
int netstate_attr_hwaddr(const struct nlattr *a, uint8_t *buf, uint8_t *ret_len);
int netstate_attr_ip(const struct nlattr *a, int family, uint8_t buf[static 16]);

/* The per-message parsers (capture-link/-addr/-route/-rule.c); exposed so
 * the unit tests can feed them messages this machine's kernel cannot make. */
int netstate_link_from_msg(NetState *s, struct nlmsghdr *nlh);
int netstate_addr_from_msg(NetState *s, struct nlmsghdr *nlh);
int netstate_route_from_msg(NetState *s, struct nlmsghdr *nlh);
int netstate_rule_from_msg(NetState *s, struct nlmsghdr *nlh);
/* After the dumps: ifindex -> name, drop kernel-made objects. -EAGAIN when an
 * index points nowhere (a link came or went mid-capture). */
int netstate_links_resolve(NetState *s);
/* Kernels before 5.6 send no IFLA_PERM_ADDRESS: ask SIOCETHTOOL for plain
 * devices that lack one. */
void netstate_links_perm_from_ethtool(NetState *s);
int netstate_addrs_resolve(NetState *s);
int netstate_routes_resolve(NetState *s);

/* netstate-dns.c */
int netstate_capture_dns(NetState *s, const char *root);
int netstate_capture_hostname(NetState *s, const char *root);
int netstate_parse_resolv_conf(NetState *s, const char *text);

/* netstate-restore*.c: the state of one netstate_restore() run. */
typedef struct Restore {
        const NetState *s;
        const NetStateRestoreOptions *o;
        struct nl_sock *sk;
        NetState *live;                      /* the links found at the start */
        int *ifindex;                        /* per captured link: its live index, 0 unknown */
        const NetLink **found;               /* per captured link: the live link it matched */
        unsigned failed;
} Restore;

/* Reports one object: result 0 done, 1 would be done, -errno failed. */
void restore_report(Restore *x, int result, const char *fmt, ...) _printf_(3, 4);
/* Sends a request (msg always freed); 1 without sending in a dry run. */
int restore_send(Restore *x, struct nl_msg *msg);
/* The live ifindex of the link that carries the captured name; -ENODEV
 * when it was not found or not created. */
int restore_link_index(const Restore *x, const char *name);
/* The live link of that name now (a fresh dump); -ENODEV when none. */
int restore_live_link(Restore *x, const char *name, NetLink *ret);
const NetLink *restore_master_of(const Restore *x, const NetLink *l);
bool restore_link_is_created(const NetLink *l);
bool restore_link_is_matched(const NetLink *l);

/* netstate-restore-link.c: everything after the NICs were found and named. */
void restore_link_mac_mtu(Restore *x, size_t i, bool with_mac);
void restore_create_links(Restore *x);
void restore_links_up(Restore *x);
/* Brings one link down or up by index. */
int restore_link_set_up(Restore *x, int ifindex, bool up);
int restore_link_rename(Restore *x, int ifindex, const char *name);

/* netstate-restore-addr.c */
void restore_addresses(Restore *x);
/* netstate-restore-route.c */
void restore_routes(Restore *x);
void restore_rules(Restore *x);
