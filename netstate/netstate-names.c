/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Words for the numbers rtnetlink uses, as iproute2 prints them, so the text
 * reads like `ip` output. Unknown numbers stay numbers. */
#include <net/if.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "netstate-internal.h"

typedef struct NameNum {
        const char *name;
        uint32_t num;
} NameNum;

static const char *lookup_name(const NameNum *t, size_t n, uint32_t num) {
        for (size_t i = 0; i < n; i++)
                if (t[i].num == num)
                        return t[i].name;
        return NULL;
}

static int lookup_num(const NameNum *t, size_t n, const char *name, uint32_t *ret) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(t[i].name, name) == 0) {
                        *ret = t[i].num;
                        return 0;
                }
        return -EINVAL;
}

/* Decimal or 0x hex, no sign, no trailing garbage, <= max. */
static int parse_uint(const char *s, uint32_t max, uint32_t *ret) {
        if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
                return -EINVAL;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 0);
        if (errno != 0 || *end != '\0' || v > max)
                return -EINVAL;
        *ret = (uint32_t) v;
        return 0;
}

/* Called for every route: no snprintf(), which costs far more in musl. */
static int to_string(const NameNum *t, size_t n, uint32_t num, char buf[static 16]) {
        const char *name = lookup_name(t, n, num);
        char digits[11];
        size_t i = sizeof(digits);

        if (name) {
                size_t len = strnlen(name, 15);

                memcpy(buf, name, len);
                buf[len] = '\0';
                return 0;
        }
        do {
                digits[--i] = (char) ('0' + num % 10);
                num /= 10;
        } while (num > 0);
        memcpy(buf, digits + i, sizeof(digits) - i);
        buf[sizeof(digits) - i] = '\0';
        return 0;
}

static int from_string(const NameNum *t, size_t n, const char *s, uint32_t max, uint32_t *ret) {
        if (lookup_num(t, n, s, ret) == 0)
                return 0;
        return parse_uint(s, max, ret);
}

const char *netstate_family_to_string(int family) {
        return family == AF_INET ? "inet" : family == AF_INET6 ? "inet6" : "unspec";
}

int netstate_family_from_string(const char *s) {
        if (strcmp(s, "inet") == 0)
                return AF_INET;
        if (strcmp(s, "inet6") == 0)
                return AF_INET6;
        return -EINVAL;
}

static const NameNum tables[] = {
        { "default", RT_TABLE_DEFAULT },
        { "main", RT_TABLE_MAIN },
        { "local", RT_TABLE_LOCAL },
};

int netstate_table_to_string(uint32_t table, char buf[static 16]) {
        return to_string(tables, ELEMENTSOF(tables), table, buf);
}

int netstate_table_from_string(const char *s, uint32_t *ret) {
        return from_string(tables, ELEMENTSOF(tables), s, UINT32_MAX, ret);
}

static const NameNum protos[] = {
        { "redirect", RTPROT_REDIRECT },
        { "kernel", RTPROT_KERNEL },
        { "boot", RTPROT_BOOT },
        { "static", RTPROT_STATIC },
        { "ra", RTPROT_RA },
        { "dhcp", RTPROT_DHCP },
};

int netstate_proto_to_string(uint8_t proto, char buf[static 16]) {
        return to_string(protos, ELEMENTSOF(protos), proto, buf);
}

int netstate_proto_from_string(const char *s, uint8_t *ret) {
        uint32_t v;
        int r = from_string(protos, ELEMENTSOF(protos), s, UINT8_MAX, &v);
        if (r < 0)
                return r;
        *ret = (uint8_t) v;
        return 0;
}

static const NameNum scopes[] = {
        { "global", RT_SCOPE_UNIVERSE },
        { "site", RT_SCOPE_SITE },
        { "link", RT_SCOPE_LINK },
        { "host", RT_SCOPE_HOST },
        { "nowhere", RT_SCOPE_NOWHERE },
};

int netstate_scope_to_string(uint8_t scope, char buf[static 16]) {
        return to_string(scopes, ELEMENTSOF(scopes), scope, buf);
}

int netstate_scope_from_string(const char *s, uint8_t *ret) {
        uint32_t v;
        int r = from_string(scopes, ELEMENTSOF(scopes), s, UINT8_MAX, &v);
        if (r < 0)
                return r;
        *ret = (uint8_t) v;
        return 0;
}

static const char *const rtntypes[] = {
        [RTN_UNSPEC] = "none",
        [RTN_UNICAST] = "unicast",
        [RTN_LOCAL] = "local",
        [RTN_BROADCAST] = "broadcast",
        [RTN_ANYCAST] = "anycast",
        [RTN_MULTICAST] = "multicast",
        [RTN_BLACKHOLE] = "blackhole",
        [RTN_UNREACHABLE] = "unreachable",
        [RTN_PROHIBIT] = "prohibit",
        [RTN_THROW] = "throw",
        [RTN_NAT] = "nat",
        [RTN_XRESOLVE] = "xresolve",
};

const char *netstate_rtntype_to_string(uint8_t type) {
        return type < ELEMENTSOF(rtntypes) ? rtntypes[type] : NULL;
}

int netstate_rtntype_from_string(const char *s, uint8_t *ret) {
        for (size_t i = 0; i < ELEMENTSOF(rtntypes); i++)
                if (strcmp(rtntypes[i], s) == 0) {
                        *ret = (uint8_t) i;
                        return 0;
                }
        uint32_t v;
        if (parse_uint(s, UINT8_MAX, &v) < 0)
                return -EINVAL;
        *ret = (uint8_t) v;
        return 0;
}

static const char *const actions[] = {
        [FR_ACT_UNSPEC] = "none",
        [FR_ACT_TO_TBL] = "lookup",
        [FR_ACT_GOTO] = "goto",
        [FR_ACT_NOP] = "nop",
        [FR_ACT_BLACKHOLE] = "blackhole",
        [FR_ACT_UNREACHABLE] = "unreachable",
        [FR_ACT_PROHIBIT] = "prohibit",
};

const char *netstate_action_to_string(uint8_t action) {
        return action < ELEMENTSOF(actions) && actions[action] ? actions[action] : NULL;
}

int netstate_action_from_string(const char *s, uint8_t *ret) {
        for (size_t i = 0; i < ELEMENTSOF(actions); i++)
                if (actions[i] && strcmp(actions[i], s) == 0) {
                        *ret = (uint8_t) i;
                        return 0;
                }
        uint32_t v;
        if (parse_uint(s, UINT8_MAX, &v) < 0)
                return -EINVAL;
        *ret = (uint8_t) v;
        return 0;
}

/* The names the bonding driver's sysfs "mode" file takes. */
static const char *const bond_modes[] = {
        "balance-rr", "active-backup", "balance-xor", "broadcast",
        "802.3ad", "balance-tlb", "balance-alb",
};

const char *netstate_bond_mode_to_string(int mode) {
        return mode >= 0 && (size_t) mode < ELEMENTSOF(bond_modes) ? bond_modes[mode] : NULL;
}

int netstate_bond_mode_from_string(const char *s, int *ret) {
        for (size_t i = 0; i < ELEMENTSOF(bond_modes); i++)
                if (strcmp(bond_modes[i], s) == 0) {
                        *ret = (int) i;
                        return 0;
                }
        uint32_t v;
        if (parse_uint(s, UINT8_MAX, &v) < 0)
                return -EINVAL;
        *ret = (int) v;
        return 0;
}

static const char *const lacp_rates[] = { "slow", "fast" };
static const char *const xmit_hash_policies[] = {
        "layer2", "layer3+4", "layer2+3", "encap2+3", "encap3+4", "vlan+srcmac",
};
static const char *const ad_selects[] = { "stable", "bandwidth", "count" };

const NetBondOpt netstate_bond_opts[NETSTATE_BOND_OPTS] = {
        [NETSTATE_BOND_LACP_RATE] = { "bond-lacp-rate", "bond_lacp_rate", "lacp_rate", IFLA_BOND_AD_LACP_RATE, 1,
                                      lacp_rates, ELEMENTSOF(lacp_rates) },
        [NETSTATE_BOND_XMIT_HASH_POLICY] = { "bond-xmit-hash-policy", "bond_xmit_hash_policy", "xmit_hash_policy",
                                             IFLA_BOND_XMIT_HASH_POLICY, 1, xmit_hash_policies,
                                             ELEMENTSOF(xmit_hash_policies) },
        [NETSTATE_BOND_AD_SELECT] = { "bond-ad-select", "bond_ad_select", "ad_select", IFLA_BOND_AD_SELECT, 1,
                                      ad_selects, ELEMENTSOF(ad_selects) },
        [NETSTATE_BOND_MIN_LINKS] = { "bond-min-links", "bond_min_links", "min_links", IFLA_BOND_MIN_LINKS, 4,
                                      NULL, 0 },
};

const char *netstate_bond_opt_to_string(unsigned opt, int64_t value) {
        const NetBondOpt *o = &netstate_bond_opts[opt];
        return value >= 0 && (uint64_t) value < o->n_names ? o->names[value] : NULL;
}

int netstate_bond_opt_from_string(unsigned opt, const char *s, int64_t *ret) {
        const NetBondOpt *o = &netstate_bond_opts[opt];
        for (size_t i = 0; i < o->n_names; i++)
                if (strcmp(o->names[i], s) == 0) {
                        *ret = (int64_t) i;
                        return 0;
                }
        uint32_t v;
        if (parse_uint(s, o->size == 1 ? UINT8_MAX : UINT32_MAX, &v) < 0)
                return -EINVAL;
        *ret = v;
        return 0;
}

/* BOND_MODE_8023AD of linux/if_bonding.h, whose linux/if.h clashes with
 * musl's net/if.h. */
#define BOND_MODE_8023AD 4

bool netstate_bond_opt_wanted(const NetLink *l, unsigned opt) {
        return l->bond_opt[opt] > 0 || (l->bond_opt[opt] == 0 && l->bond_mode == BOND_MODE_8023AD);
}

static const NameNum macvlan_modes[] = {
        { "private", MACVLAN_MODE_PRIVATE },
        { "vepa", MACVLAN_MODE_VEPA },
        { "bridge", MACVLAN_MODE_BRIDGE },
        { "passthru", MACVLAN_MODE_PASSTHRU },
        { "source", MACVLAN_MODE_SOURCE },
};

const char *netstate_macvlan_mode_to_string(uint32_t mode) {
        return lookup_name(macvlan_modes, ELEMENTSOF(macvlan_modes), mode);
}

int netstate_macvlan_mode_from_string(const char *s, uint32_t *ret) {
        return from_string(macvlan_modes, ELEMENTSOF(macvlan_modes), s, UINT32_MAX, ret);
}

static const NameNum addr_flags[] = {
        { "secondary", IFA_F_SECONDARY },
        { "nodad", IFA_F_NODAD },
        { "optimistic", IFA_F_OPTIMISTIC },
        { "homeaddress", IFA_F_HOMEADDRESS },
        { "managetempaddr", IFA_F_MANAGETEMPADDR },
        { "noprefixroute", IFA_F_NOPREFIXROUTE },
        { "mcautojoin", IFA_F_MCAUTOJOIN },
};

const char *netstate_addr_flag_name(int family, uint32_t bit) {
        if (family == AF_INET6 && bit == IFA_F_SECONDARY)
                return "temporary";
        return lookup_name(addr_flags, ELEMENTSOF(addr_flags), bit);
}

int netstate_addr_flag_from_string(int family, const char *s, uint32_t *ret) {
        if (family == AF_INET6 && strcmp(s, "temporary") == 0) {
                *ret = IFA_F_SECONDARY;
                return 0;
        }
        return from_string(addr_flags, ELEMENTSOF(addr_flags), s, UINT32_MAX, ret);
}
