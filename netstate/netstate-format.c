/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The text format, version 1: a "netstate 1" line, then one object per line,
 * `<record> key=value ... flag ...`, in the order netstate_sort() gives.
 * Values outside [A-Za-z0-9._:/@+,%-] are "quoted" with \\ \" \xHH escapes.
 *
 *   hostname name=
 *   dns      nameserver= | search= | option=        (one per line, in order)
 *   link     name= index= mac= perm= mtu= [up] [loopback] kind= parent= master=
 *            vlan-id= vlan-protocol= bond-mode= bond-miimon= bond-primary=
 *            bond-lacp-rate= bond-xmit-hash-policy= bond-ad-select=
 *            bond-min-links= macvlan-mode=
 *   addr     dev= family= local=ADDR/LEN peer= brd= label= scope= flags=a,b
 *            [dynamic]
 *   route    family= table= type= dst= from= tos= via= dev= weight= [onlink]
 *            src= metric= proto= scope= mtu= advmss= [implied] [incomplete]
 *            {nexthop via= dev= weight= [onlink]}...
 *   rule     family= prio= [not] from= to= tos= fwmark=M/MASK iif= oif=
 *            action= table= goto= suppress-prefixlen= [incomplete]
 *
 * A reader skips records and keys it does not know (later minor versions),
 * and refuses another major version. */
#include <net/if.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "netstate-internal.h"

/* " key=": printf costs most of the time of a capture with 10,000 routes
 * (musl formats each call twice), so the hot paths append by hand. */
static void put_key(NetBuf *b, const char *key) {
        netbuf_putc(b, ' ');
        netbuf_puts(b, key);
        netbuf_putc(b, '=');
}

static void put_kv(NetBuf *b, const char *key, const char *value) {
        put_key(b, key);
        netbuf_put_value(b, value);
}

static void put_ku(NetBuf *b, const char *key, unsigned long value) {
        put_key(b, key);
        netbuf_put_u(b, value);
}

static void put_ip(NetBuf *b, const char *key, int family, const uint8_t *bytes) {
        put_key(b, key);
        netbuf_put_ip(b, family, bytes);
}

static void put_prefix(NetBuf *b, const char *key, int family, const uint8_t *bytes, uint8_t len) {
        put_key(b, key);
        netbuf_put_prefix(b, family, bytes, len);
}

static void put_link(NetBuf *b, const NetLink *l) {
        netbuf_puts(b, "link");
        put_kv(b, "name", l->name);
        if (l->ifindex > 0)
                put_ku(b, "index", (unsigned long) l->ifindex);
        if (l->mac_len > 0) {
                netbuf_puts(b, " mac=");
                netbuf_put_hwaddr(b, l->mac, l->mac_len);
        }
        if (l->perm_len > 0) {
                netbuf_puts(b, " perm=");
                netbuf_put_hwaddr(b, l->perm, l->perm_len);
        }
        put_ku(b, "mtu", l->mtu);
        if (l->up)
                netbuf_puts(b, " up");
        if (l->loopback)
                netbuf_puts(b, " loopback");
        if (l->kind[0])
                put_kv(b, "kind", l->kind);
        if (l->parent[0])
                put_kv(b, "parent", l->parent);
        if (l->master[0])
                put_kv(b, "master", l->master);
        if (strcmp(l->kind, "vlan") == 0) {
                put_ku(b, "vlan-id", l->vlan_id);
                if (l->vlan_protocol == 0x8100)
                        netbuf_puts(b, " vlan-protocol=802.1Q");
                else if (l->vlan_protocol == 0x88a8)
                        netbuf_puts(b, " vlan-protocol=802.1ad");
                else if (l->vlan_protocol != 0)
                        netbuf_printf(b, " vlan-protocol=0x%04x", l->vlan_protocol);
        }
        if (l->bond_mode >= 0) {
                const char *m = netstate_bond_mode_to_string(l->bond_mode);
                if (m)
                        put_kv(b, "bond-mode", m);
                else
                        put_ku(b, "bond-mode", (unsigned long) l->bond_mode);
        }
        if (strcmp(l->kind, "bond") == 0)
                put_ku(b, "bond-miimon", l->bond_miimon);
        if (l->bond_primary[0])
                put_kv(b, "bond-primary", l->bond_primary);
        for (unsigned o = 0; o < NETSTATE_BOND_OPTS; o++) {
                if (l->bond_opt[o] < 0)
                        continue;
                const char *name = netstate_bond_opt_to_string(o, l->bond_opt[o]);
                if (name)
                        put_kv(b, netstate_bond_opts[o].key, name);
                else
                        put_ku(b, netstate_bond_opts[o].key, (unsigned long) l->bond_opt[o]);
        }
        if (l->macvlan_mode) {
                const char *m = netstate_macvlan_mode_to_string(l->macvlan_mode);
                if (m)
                        put_kv(b, "macvlan-mode", m);
                else
                        put_ku(b, "macvlan-mode", l->macvlan_mode);
        }
        netbuf_putc(b, '\n');
}

static void put_addr(NetBuf *b, const NetAddr *a) {
        char buf[16];

        netbuf_puts(b, "addr");
        put_kv(b, "dev", a->dev);
        put_kv(b, "family", netstate_family_to_string(a->family));
        put_prefix(b, "local", a->family, a->local, a->prefixlen);
        if (a->has_peer)
                put_ip(b, "peer", a->family, a->peer);
        if (a->has_brd)
                put_ip(b, "brd", a->family, a->brd);
        if (a->label[0])
                put_kv(b, "label", a->label);
        netstate_scope_to_string(a->scope, buf);
        put_kv(b, "scope", buf);
        if (a->flags) {
                netbuf_puts(b, " flags=");
                bool first = true;
                for (uint32_t bit = 1; bit; bit <<= 1) {
                        if (!(a->flags & bit))
                                continue;
                        const char *name = netstate_addr_flag_name(a->family, bit);
                        if (!first)
                                netbuf_putc(b, ',');
                        if (name)
                                netbuf_puts(b, name);
                        else
                                netbuf_printf(b, "0x%x", bit);
                        first = false;
                }
        }
        if (a->dynamic)
                netbuf_puts(b, " dynamic");
        netbuf_putc(b, '\n');
}

static void put_nexthop(NetBuf *b, const NetNexthop *n) {
        if (n->gateway.family)
                put_ip(b, "via", n->gateway.family, n->gateway.bytes);
        if (n->dev[0])
                put_kv(b, "dev", n->dev);
        if (n->weight)
                put_ku(b, "weight", n->weight);
        if (n->flags & RTNH_F_ONLINK)
                netbuf_puts(b, " onlink");
}

static void put_route(NetBuf *b, const NetRoute *r) {
        char buf[16];
        const char *type = netstate_rtntype_to_string(r->type);

        netbuf_puts(b, "route");
        put_kv(b, "family", netstate_family_to_string(r->family));
        netstate_table_to_string(r->table, buf);
        put_kv(b, "table", buf);
        if (type)
                put_kv(b, "type", type);
        else
                put_ku(b, "type", r->type);
        put_prefix(b, "dst", r->family, r->dst, r->dst_len);
        if (r->src_len)
                put_prefix(b, "from", r->family, r->src, r->src_len);
        if (r->tos)
                put_ku(b, "tos", r->tos);
        if (!r->multipath && r->n_nexthops == 1)
                put_nexthop(b, &r->nexthops[0]);
        if (r->has_prefsrc)
                put_ip(b, "src", r->family, r->prefsrc);
        put_ku(b, "metric", r->metric);
        netstate_proto_to_string(r->protocol, buf);
        put_kv(b, "proto", buf);
        netstate_scope_to_string(r->scope, buf);
        put_kv(b, "scope", buf);
        if (r->mtu)
                put_ku(b, "mtu", r->mtu);
        if (r->advmss)
                put_ku(b, "advmss", r->advmss);
        if (r->implied)
                netbuf_puts(b, " implied");
        if (r->incomplete)
                netbuf_puts(b, " incomplete");
        if (r->multipath)
                for (size_t i = 0; i < r->n_nexthops; i++) {
                        netbuf_puts(b, " nexthop");
                        put_nexthop(b, &r->nexthops[i]);
                }
        netbuf_putc(b, '\n');
}

static void put_rule(NetBuf *b, const NetRule *r) {
        char buf[16];
        const char *action = netstate_action_to_string(r->action);

        netbuf_puts(b, "rule");
        put_kv(b, "family", netstate_family_to_string(r->family));
        put_ku(b, "prio", r->priority);
        if (r->invert)
                netbuf_puts(b, " not");
        if (r->src_len)
                put_prefix(b, "from", r->family, r->src, r->src_len);
        if (r->dst_len)
                put_prefix(b, "to", r->family, r->dst, r->dst_len);
        if (r->tos)
                put_ku(b, "tos", r->tos);
        if (r->has_fwmark)
                netbuf_printf(b, " fwmark=0x%x/0x%x", r->fwmark, r->fwmask);
        if (r->iif[0])
                put_kv(b, "iif", r->iif);
        if (r->oif[0])
                put_kv(b, "oif", r->oif);
        if (action)
                put_kv(b, "action", action);
        else
                put_ku(b, "action", r->action);
        if (r->action == FR_ACT_TO_TBL) {
                netstate_table_to_string(r->table, buf);
                put_kv(b, "table", buf);
        }
        if (r->action == FR_ACT_GOTO)
                put_ku(b, "goto", r->goto_target);
        if (r->suppress_prefixlen >= 0)
                put_ku(b, "suppress-prefixlen", (unsigned long) r->suppress_prefixlen);
        if (r->incomplete)
                netbuf_puts(b, " incomplete");
        netbuf_putc(b, '\n');
}

static void put_strv(NetBuf *b, const char *key, const NetStrv *v) {
        for (size_t i = 0; i < v->n; i++) {
                netbuf_puts(b, "dns");
                put_kv(b, key, v->items[i]);
                netbuf_putc(b, '\n');
        }
}

int netstate_format(const NetState *s, char **ret_text) {
        NetBuf b = {};

        netbuf_printf(&b, "netstate %d\n", NETSTATE_FORMAT_VERSION);
        if (s->hostname) {
                netbuf_puts(&b, "hostname");
                put_kv(&b, "name", s->hostname);
                netbuf_putc(&b, '\n');
        }
        /* Resolver order matters: kept as found, not sorted. */
        put_strv(&b, "nameserver", &s->nameservers);
        put_strv(&b, "search", &s->search);
        put_strv(&b, "option", &s->dns_options);
        for (size_t i = 0; i < s->n_links; i++)
                put_link(&b, &s->links[i]);
        for (size_t i = 0; i < s->n_addrs; i++)
                put_addr(&b, &s->addrs[i]);
        for (size_t i = 0; i < s->n_routes; i++)
                put_route(&b, &s->routes[i]);
        for (size_t i = 0; i < s->n_rules; i++)
                put_rule(&b, &s->rules[i]);
        return netbuf_finish(&b, ret_text);
}
