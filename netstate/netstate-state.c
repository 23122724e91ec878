/* SPDX-License-Identifier: GPL-2.0-or-later */
/* NetState's life cycle: allocation, growth, ordering. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "netstate-internal.h"

int netstate_new(NetState **ret) {
        NetState *s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

void netstate_strv_free(NetStrv *v) {
        for (size_t i = 0; i < v->n; i++)
                free(v->items[i]);
        free(v->items);
        *v = (NetStrv) {};
}

int netstate_strv_push(NetStrv *v, const char *value, size_t max_items) {
        if (v->n >= max_items)
                return -E2BIG;
        char **items = reallocarray(v->items, v->n + 1, sizeof(char *));
        if (!items)
                return -ENOMEM;
        v->items = items;
        items[v->n] = strdup(value);
        if (!items[v->n])
                return -ENOMEM;
        v->n++;
        return 0;
}

/* Drops links, addresses, routes and rules; a retried dump starts over. */
void netstate_clear_network(NetState *s) {
        for (size_t i = 0; i < s->n_routes; i++)
                free(s->routes[i].nexthops);
        free(s->links);
        free(s->addrs);
        free(s->routes);
        free(s->rules);
        s->links = NULL;
        s->addrs = NULL;
        s->routes = NULL;
        s->rules = NULL;
        s->n_links = s->n_addrs = s->n_routes = s->n_rules = 0;
        s->alloc_links = s->alloc_addrs = s->alloc_routes = s->alloc_rules = 0;
}

NetState *netstate_free(NetState *s) {
        if (!s)
                return NULL;
        netstate_clear_network(s);
        netstate_strv_free(&s->nameservers);
        netstate_strv_free(&s->search);
        netstate_strv_free(&s->dns_options);
        free(s->hostname);
        free(s);
        return NULL;
}

int netstate_grow(void **array, size_t *alloc, size_t need, size_t item_size) {
        if (need <= *alloc)
                return 0;
        size_t n = MAX(need, *alloc * 2);
        n = MAX(n, (size_t) 8);
        void *p = reallocarray(*array, n, item_size);
        if (!p)
                return -ENOMEM;
        memset((char *) p + *alloc * item_size, 0, (n - *alloc) * item_size);
        *array = p;
        *alloc = n;
        return 0;
}

/* Each add returns a zeroed slot, or NULL at the object limit or without
 * memory (callers report -E2BIG or -ENOMEM as they see fit). */
#define DEFINE_ADD(name, type, field)                                                   \
        type *netstate_add_##name(NetState *s) {                                        \
                if (s->n_##field >= NETSTATE_OBJECTS_MAX)                               \
                        return NULL;                                                    \
                if (netstate_grow((void **) &s->field, &s->alloc_##field, s->n_##field + 1, \
                                  sizeof(type)) < 0)                                    \
                        return NULL;                                                    \
                type *o = &s->field[s->n_##field];                                      \
                *o = (type) {};                                                         \
                o->seq = s->n_##field++;                                                \
                return o;                                                               \
        }

DEFINE_ADD(link, NetLink, links)
DEFINE_ADD(addr, NetAddr, addrs)
DEFINE_ADD(route, NetRoute, routes)
DEFINE_ADD(rule, NetRule, rules)

NetNexthop *netstate_route_add_nexthop(NetRoute *r) {
        if (r->n_nexthops >= NETSTATE_NEXTHOPS_MAX)
                return NULL;
        NetNexthop *nh = reallocarray(r->nexthops, r->n_nexthops + 1, sizeof(NetNexthop));
        if (!nh)
                return NULL;
        r->nexthops = nh;
        nh = &nh[r->n_nexthops++];
        *nh = (NetNexthop) {};
        return nh;
}

const NetLink *netstate_find_link(const NetState *s, const char *name) {
        for (size_t i = 0; i < s->n_links; i++)
                if (strcmp(s->links[i].name, name) == 0)
                        return &s->links[i];
        return NULL;
}

static bool kind_is(const NetLink *l, const char *kind) {
        return strcmp(l->kind, kind) == 0;
}

bool netstate_link_is_created(const NetLink *l) {
        return kind_is(l, "bond") || kind_is(l, "bridge") || kind_is(l, "vlan") || kind_is(l, "macvlan") ||
                kind_is(l, "dummy") || kind_is(l, "ifb");
}

static bool is_zero(const uint8_t *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (p[i])
                        return false;
        return true;
}

/* A NIC (no kind) or a veth, the netns tests' stand-in for one. A tap or a
 * vxlan has a MAC too, but nothing in the rescue carries it. */
bool netstate_link_is_matched(const NetLink *l) {
        return !l->loopback && (l->kind[0] == '\0' || kind_is(l, "veth")) && l->mac_len > 0 &&
                !is_zero(l->mac, l->mac_len);
}

const NetLink *netstate_link_skipped_cause(const NetState *s, const NetLink *l) {
        /* Bounded: a broken state file may stack links in a cycle. */
        for (unsigned depth = 0; l && depth < 8; depth++) {
                if (l->loopback)
                        return NULL;
                if (!netstate_link_is_created(l) && !netstate_link_is_matched(l))
                        return l;
                l = l->parent[0] ? netstate_find_link(s, l->parent) : NULL;
        }
        return NULL;
}

const NetLink *netstate_dev_skipped_cause(const NetState *s, const char *dev) {
        const NetLink *l = dev[0] ? netstate_find_link(s, dev) : NULL;
        return l ? netstate_link_skipped_cause(s, l) : NULL;
}

const NetLink *netstate_route_skipped_cause(const NetState *s, const NetRoute *r) {
        for (size_t i = 0; i < r->n_nexthops; i++) {
                const NetLink *c = netstate_dev_skipped_cause(s, r->nexthops[i].dev);
                if (c)
                        return c;
        }
        if (!r->has_prefsrc)
                return NULL;
        /* The kernel refuses a preferred source that is no local address. */
        const NetLink *cause = NULL;
        size_t n = netstate_family_len(r->family);
        for (size_t i = 0; i < s->n_addrs; i++) {
                const NetAddr *a = &s->addrs[i];
                if (a->family != r->family || memcmp(a->local, r->prefsrc, n) != 0)
                        continue;
                cause = netstate_dev_skipped_cause(s, a->dev);
                if (!cause)
                        return NULL;
        }
        return cause;
}

size_t netstate_family_len(int family) {
        return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* What the kernel's dev_valid_name() accepts: 1..15 bytes, not "." or "..",
 * no '/', ':' or whitespace. */
bool netstate_name_valid(const char *name) {
        size_t n = strlen(name);
        if (n == 0 || n >= IFNAMSIZ || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
                return false;
        for (const char *p = name; *p; p++)
                if (*p == '/' || *p == ':' || *p == ' ' || (*p >= '\t' && *p <= '\r'))
                        return false;
        return true;
}

#define CMP(a, b) do { if ((a) != (b)) return (a) < (b) ? -1 : 1; } while (0)

static int link_cmp(const void *a, const void *b) {
        return strcmp(((const NetLink *) a)->name, ((const NetLink *) b)->name);
}

/* Within one device and family the kernel's order decides which IPv4 address
 * is primary, so only group and keep the arrival order. */
static int addr_cmp(const void *a, const void *b) {
        const NetAddr *x = a, *y = b;
        int r = strcmp(x->dev, y->dev);
        if (r != 0)
                return r;
        CMP(x->family, y->family);
        CMP(x->seq, y->seq);
        return 0;
}

/* Routes sharing a key are tried in insertion order (IPv4 fib aliases), so
 * keep their arrival order. */
static int route_cmp(const void *a, const void *b) {
        const NetRoute *x = a, *y = b;
        CMP(x->family, y->family);
        CMP(x->table, y->table);
        int r = memcmp(x->dst, y->dst, sizeof(x->dst));
        if (r != 0)
                return r;
        CMP(x->dst_len, y->dst_len);
        r = memcmp(x->src, y->src, sizeof(x->src));
        if (r != 0)
                return r;
        CMP(x->src_len, y->src_len);
        CMP(x->tos, y->tos);
        CMP(x->metric, y->metric);
        CMP(x->seq, y->seq);
        return 0;
}

/* Rules of equal priority are evaluated in insertion order. */
static int rule_cmp(const void *a, const void *b) {
        const NetRule *x = a, *y = b;
        CMP(x->family, y->family);
        CMP(x->priority, y->priority);
        CMP(x->seq, y->seq);
        return 0;
}

static void renumber(NetState *s) {
        for (size_t i = 0; i < s->n_links; i++)
                s->links[i].seq = i;
        for (size_t i = 0; i < s->n_addrs; i++)
                s->addrs[i].seq = i;
        for (size_t i = 0; i < s->n_routes; i++)
                s->routes[i].seq = i;
        for (size_t i = 0; i < s->n_rules; i++)
                s->rules[i].seq = i;
}

/* Puts every list in the canonical order that format and the renderers
 * assume; sorting twice changes nothing. */
void netstate_sort(NetState *s) {
        if (s->n_links > 1)
                qsort(s->links, s->n_links, sizeof(NetLink), link_cmp);
        if (s->n_addrs > 1)
                qsort(s->addrs, s->n_addrs, sizeof(NetAddr), addr_cmp);
        if (s->n_routes > 1)
                qsort(s->routes, s->n_routes, sizeof(NetRoute), route_cmp);
        if (s->n_rules > 1)
                qsort(s->rules, s->n_rules, sizeof(NetRule), rule_cmp);
        renumber(s);
}

const char *netstate_hostname(const NetState *s) {
        return s ? s->hostname : NULL;
}

int netstate_global_address(const NetState *s, size_t i, char ret_text[static 46], const char **ret_dev) {
        const NetAddr *a;

        if (i >= s->n_addrs)
                return -ERANGE;
        a = &s->addrs[i];
        if (a->scope != RT_SCOPE_UNIVERSE || streq(a->dev, "lo"))
                return -ENOENT;
        if (!inet_ntop(a->family, a->local, ret_text, 46))
                return -errno;
        if (ret_dev)
                *ret_dev = a->dev;
        return 0;
}

void netstate_counts(const NetState *s, size_t *ret_links, size_t *ret_addrs, size_t *ret_routes, size_t *ret_rules) {
        if (ret_links)
                *ret_links = s->n_links;
        if (ret_addrs)
                *ret_addrs = s->n_addrs;
        if (ret_routes)
                *ret_routes = s->n_routes;
        if (ret_rules)
                *ret_rules = s->n_rules;
}
