/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One JSON object for `agent snapshot --json`. Keys mirror the text format;
 * every route has a "nexthops" array, single path or not. */
#include <net/if.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "netstate-internal.h"

/* Writes ",\"key\":" (the comma only when not first). */
static void key(NetBuf *b, bool *first, const char *k) {
        if (!*first)
                netbuf_putc(b, ',');
        *first = false;
        netbuf_put_json(b, k);
        netbuf_putc(b, ':');
}

static void kv_str(NetBuf *b, bool *first, const char *k, const char *v) {
        key(b, first, k);
        netbuf_put_json(b, v);
}

static void kv_u(NetBuf *b, bool *first, const char *k, unsigned long v) {
        key(b, first, k);
        netbuf_printf(b, "%lu", v);
}

static void kv_bool(NetBuf *b, bool *first, const char *k, bool v) {
        key(b, first, k);
        netbuf_puts(b, v ? "true" : "false");
}

static void kv_ip(NetBuf *b, bool *first, const char *k, int family, const uint8_t *bytes) {
        key(b, first, k);
        netbuf_putc(b, '"');
        netbuf_put_ip(b, family, bytes);
        netbuf_putc(b, '"');
}

static void kv_prefix(NetBuf *b, bool *first, const char *k, int family, const uint8_t *bytes, uint8_t len) {
        key(b, first, k);
        netbuf_putc(b, '"');
        netbuf_put_prefix(b, family, bytes, len);
        netbuf_putc(b, '"');
}

static void kv_hw(NetBuf *b, bool *first, const char *k, const uint8_t *a, size_t n) {
        key(b, first, k);
        netbuf_putc(b, '"');
        netbuf_put_hwaddr(b, a, n);
        netbuf_putc(b, '"');
}

static void strv(NetBuf *b, bool *first, const char *k, const NetStrv *v) {
        key(b, first, k);
        netbuf_putc(b, '[');
        for (size_t i = 0; i < v->n; i++) {
                if (i)
                        netbuf_putc(b, ',');
                netbuf_put_json(b, v->items[i]);
        }
        netbuf_putc(b, ']');
}

static void link_json(NetBuf *b, const NetLink *l) {
        bool f = true;
        netbuf_putc(b, '{');
        kv_str(b, &f, "name", l->name);
        if (l->ifindex > 0)
                kv_u(b, &f, "index", (unsigned long) l->ifindex);
        if (l->mac_len)
                kv_hw(b, &f, "mac", l->mac, l->mac_len);
        if (l->perm_len)
                kv_hw(b, &f, "perm", l->perm, l->perm_len);
        kv_u(b, &f, "mtu", l->mtu);
        kv_bool(b, &f, "up", l->up);
        kv_bool(b, &f, "loopback", l->loopback);
        if (l->kind[0])
                kv_str(b, &f, "kind", l->kind);
        if (l->parent[0])
                kv_str(b, &f, "parent", l->parent);
        if (l->master[0])
                kv_str(b, &f, "master", l->master);
        if (strcmp(l->kind, "vlan") == 0) {
                kv_u(b, &f, "vlan_id", l->vlan_id);
                kv_u(b, &f, "vlan_protocol", l->vlan_protocol);
        }
        if (l->bond_mode >= 0) {
                const char *m = netstate_bond_mode_to_string(l->bond_mode);
                if (m)
                        kv_str(b, &f, "bond_mode", m);
                else
                        kv_u(b, &f, "bond_mode", (unsigned long) l->bond_mode);
        }
        if (strcmp(l->kind, "bond") == 0)
                kv_u(b, &f, "bond_miimon", l->bond_miimon);
        if (l->bond_primary[0])
                kv_str(b, &f, "bond_primary", l->bond_primary);
        for (unsigned o = 0; o < NETSTATE_BOND_OPTS; o++) {
                if (l->bond_opt[o] < 0)
                        continue;
                const char *name = netstate_bond_opt_to_string(o, l->bond_opt[o]);
                if (name)
                        kv_str(b, &f, netstate_bond_opts[o].json, name);
                else
                        kv_u(b, &f, netstate_bond_opts[o].json, (unsigned long) l->bond_opt[o]);
        }
        if (l->macvlan_mode) {
                const char *m = netstate_macvlan_mode_to_string(l->macvlan_mode);
                if (m)
                        kv_str(b, &f, "macvlan_mode", m);
                else
                        kv_u(b, &f, "macvlan_mode", l->macvlan_mode);
        }
        netbuf_putc(b, '}');
}

static void addr_json(NetBuf *b, const NetAddr *a) {
        char buf[16];
        bool f = true;
        netbuf_putc(b, '{');
        kv_str(b, &f, "dev", a->dev);
        kv_str(b, &f, "family", netstate_family_to_string(a->family));
        kv_ip(b, &f, "local", a->family, a->local);
        kv_u(b, &f, "prefixlen", a->prefixlen);
        if (a->has_peer)
                kv_ip(b, &f, "peer", a->family, a->peer);
        if (a->has_brd)
                kv_ip(b, &f, "broadcast", a->family, a->brd);
        if (a->label[0])
                kv_str(b, &f, "label", a->label);
        netstate_scope_to_string(a->scope, buf);
        kv_str(b, &f, "scope", buf);
        key(b, &f, "flags");
        netbuf_putc(b, '[');
        bool first_flag = true;
        for (uint32_t bit = 1; bit; bit <<= 1) {
                if (!(a->flags & bit))
                        continue;
                const char *name = netstate_addr_flag_name(a->family, bit);
                if (!first_flag)
                        netbuf_putc(b, ',');
                first_flag = false;
                if (name)
                        netbuf_put_json(b, name);
                else
                        netbuf_printf(b, "\"0x%x\"", bit);
        }
        netbuf_putc(b, ']');
        kv_bool(b, &f, "dynamic", a->dynamic);
        netbuf_putc(b, '}');
}

static void route_json(NetBuf *b, const NetRoute *r) {
        char buf[16];
        bool f = true;
        const char *type = netstate_rtntype_to_string(r->type);

        netbuf_putc(b, '{');
        kv_str(b, &f, "family", netstate_family_to_string(r->family));
        netstate_table_to_string(r->table, buf);
        kv_str(b, &f, "table", buf);
        if (type)
                kv_str(b, &f, "type", type);
        else
                kv_u(b, &f, "type", r->type);
        kv_prefix(b, &f, "dst", r->family, r->dst, r->dst_len);
        if (r->src_len)
                kv_prefix(b, &f, "from", r->family, r->src, r->src_len);
        if (r->tos)
                kv_u(b, &f, "tos", r->tos);
        if (r->has_prefsrc)
                kv_ip(b, &f, "src", r->family, r->prefsrc);
        kv_u(b, &f, "metric", r->metric);
        netstate_proto_to_string(r->protocol, buf);
        kv_str(b, &f, "protocol", buf);
        netstate_scope_to_string(r->scope, buf);
        kv_str(b, &f, "scope", buf);
        if (r->mtu)
                kv_u(b, &f, "mtu", r->mtu);
        if (r->advmss)
                kv_u(b, &f, "advmss", r->advmss);
        kv_bool(b, &f, "implied", r->implied);
        kv_bool(b, &f, "incomplete", r->incomplete);
        kv_bool(b, &f, "multipath", r->multipath);
        key(b, &f, "nexthops");
        netbuf_putc(b, '[');
        for (size_t i = 0; i < r->n_nexthops; i++) {
                const NetNexthop *n = &r->nexthops[i];
                bool g = true;
                netbuf_puts(b, i ? ",{" : "{");
                if (n->gateway.family)
                        kv_ip(b, &g, "gateway", n->gateway.family, n->gateway.bytes);
                if (n->dev[0])
                        kv_str(b, &g, "dev", n->dev);
                if (n->weight)
                        kv_u(b, &g, "weight", n->weight);
                kv_bool(b, &g, "onlink", n->flags & RTNH_F_ONLINK);
                netbuf_putc(b, '}');
        }
        netbuf_puts(b, "]}");
}

static void rule_json(NetBuf *b, const NetRule *r) {
        char buf[16];
        bool f = true;
        const char *action = netstate_action_to_string(r->action);

        netbuf_putc(b, '{');
        kv_str(b, &f, "family", netstate_family_to_string(r->family));
        kv_u(b, &f, "priority", r->priority);
        kv_bool(b, &f, "not", r->invert);
        if (r->src_len)
                kv_prefix(b, &f, "from", r->family, r->src, r->src_len);
        if (r->dst_len)
                kv_prefix(b, &f, "to", r->family, r->dst, r->dst_len);
        if (r->tos)
                kv_u(b, &f, "tos", r->tos);
        if (r->has_fwmark) {
                kv_u(b, &f, "fwmark", r->fwmark);
                kv_u(b, &f, "fwmask", r->fwmask);
        }
        if (r->iif[0])
                kv_str(b, &f, "iif", r->iif);
        if (r->oif[0])
                kv_str(b, &f, "oif", r->oif);
        if (action)
                kv_str(b, &f, "action", action);
        else
                kv_u(b, &f, "action", r->action);
        if (r->action == FR_ACT_TO_TBL) {
                netstate_table_to_string(r->table, buf);
                kv_str(b, &f, "table", buf);
        }
        if (r->action == FR_ACT_GOTO)
                kv_u(b, &f, "goto", r->goto_target);
        if (r->suppress_prefixlen >= 0)
                kv_u(b, &f, "suppress_prefixlen", (unsigned long) r->suppress_prefixlen);
        kv_bool(b, &f, "incomplete", r->incomplete);
        netbuf_putc(b, '}');
}

#define ARRAY(b, f, name, items, n, fn)                         \
        do {                                                    \
                key(b, f, name);                                \
                netbuf_putc(b, '[');                            \
                for (size_t _i = 0; _i < (n); _i++) {           \
                        if (_i)                                 \
                                netbuf_putc(b, ',');            \
                        fn(b, &(items)[_i]);                    \
                }                                               \
                netbuf_putc(b, ']');                            \
        } while (0)

int netstate_render_json(const NetState *s, char **ret) {
        NetBuf b = {};
        bool f = true;

        netbuf_putc(&b, '{');
        kv_u(&b, &f, "version", NETSTATE_FORMAT_VERSION);
        key(&b, &f, "hostname");
        if (s->hostname)
                netbuf_put_json(&b, s->hostname);
        else
                netbuf_puts(&b, "null");
        key(&b, &f, "dns");
        bool g = true;
        netbuf_putc(&b, '{');
        strv(&b, &g, "nameservers", &s->nameservers);
        strv(&b, &g, "search", &s->search);
        strv(&b, &g, "options", &s->dns_options);
        netbuf_putc(&b, '}');
        ARRAY(&b, &f, "links", s->links, s->n_links, link_json);
        ARRAY(&b, &f, "addresses", s->addrs, s->n_addrs, addr_json);
        ARRAY(&b, &f, "routes", s->routes, s->n_routes, route_json);
        ARRAY(&b, &f, "rules", s->rules, s->n_rules, rule_json);
        netbuf_puts(&b, "}\n");
        return netbuf_finish(&b, ret);
}
