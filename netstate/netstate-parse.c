/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reads the text format back (see netstate-format.c). Input is untrusted:
 * every length and count is bounded, values are checked as strictly as the
 * kernel would, and unknown records or keys are skipped so that a newer
 * minor version stays readable. */
#include <net/if.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "netstate-internal.h"

#define TOKENS_MAX (NETSTATE_LINE_MAX / 2 + 1)

typedef struct Token {
        const char *key;
        const char *value;      /* NULL for a bare flag */
} Token;

typedef struct Line {
        Token tokens[TOKENS_MAX];
        size_t n;
        char text[NETSTATE_LINE_MAX + 1];     /* keys, split in place */
        char values[NETSTATE_LINE_MAX + 1];   /* decoded values */
} Line;


/* Splits l->text into tokens; the record name is tokens[0].key. */
static int tokenize(Line *l) {
        char *p = l->text, *out = l->values;

        l->n = 0;
        for (;;) {
                while (*p == ' ' || *p == '\t')
                        p++;
                if (*p == '\0')
                        return 0;
                if (l->n >= TOKENS_MAX)
                        return -E2BIG;
                Token *t = &l->tokens[l->n++];
                t->key = p;
                t->value = NULL;
                while (*p && *p != '=' && *p != ' ' && *p != '\t' && *p != '"' && *p != '\\')
                        p++;
                if (p == t->key || *p == '"' || *p == '\\')
                        return -EBADMSG;
                if (*p != '=') {
                        if (*p)
                                *p++ = '\0';
                        continue;
                }
                *p++ = '\0';
                t->value = out;
                if (*p == '"') {
                        for (p++;; p++) {
                                if (*p == '\0')
                                        return -EBADMSG;
                                if (*p == '"')
                                        break;
                                if (*p != '\\') {
                                        *out++ = *p;
                                        continue;
                                }
                                p++;
                                if (*p == '\\' || *p == '"')
                                        *out++ = *p;
                                else if (*p == 'x') {
                                        int hi = unhexchar(p[1]), lo = hi < 0 ? -1 : unhexchar(p[2]);
                                        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                                                return -EBADMSG;
                                        *out++ = (char) (hi << 4 | lo);
                                        p += 2;
                                } else
                                        return -EBADMSG;
                        }
                        p++;
                        if (*p && *p != ' ' && *p != '\t')
                                return -EBADMSG;
                } else
                        while (*p && *p != ' ' && *p != '\t') {
                                if (*p == '"' || *p == '\\')
                                        return -EBADMSG;
                                *out++ = *p++;
                        }
                *out++ = '\0';
        }
}

static const char *get(const Line *l, const char *key) {
        for (size_t i = 1; i < l->n; i++)
                if (l->tokens[i].value && strcmp(l->tokens[i].key, key) == 0)
                        return l->tokens[i].value;
        return NULL;
}

static bool has_flag(const Line *l, const char *flag) {
        for (size_t i = 1; i < l->n; i++)
                if (!l->tokens[i].value && strcmp(l->tokens[i].key, flag) == 0)
                        return true;
        return false;
}

static int parse_u32(const char *s, uint32_t max, uint32_t *ret) {
        if (!s || *s < '0' || *s > '9')
                return -EBADMSG;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 0);
        if (errno != 0 || *end != '\0' || v > max)
                return -EBADMSG;
        *ret = (uint32_t) v;
        return 0;
}

/* Optional numeric key: absent leaves *ret alone. */
static int opt_u32(const Line *l, const char *key, uint32_t max, uint32_t *ret) {
        const char *v = get(l, key);
        return v ? parse_u32(v, max, ret) : 0;
}

static int copy_name(const char *value, char name[static IFNAMSIZ]) {
        if (!netstate_name_valid(value))
                return -EBADMSG;
        memcpy(name, value, strlen(value) + 1);
        return 0;
}

static int opt_name(const Line *l, const char *key, char name[static IFNAMSIZ]) {
        const char *v = get(l, key);
        return v ? copy_name(v, name) : 0;
}

static int get_family(const Line *l, int *ret) {
        const char *v = get(l, "family");
        int f = v ? netstate_family_from_string(v) : -EINVAL;
        if (f < 0)
                return -EBADMSG;
        *ret = f;
        return 0;
}

static int opt_ip(const Line *l, const char *key, int family, uint8_t bytes[static 16], bool *ret_has) {
        const char *v = get(l, key);
        if (!v)
                return 0;
        NetIP ip;
        if (netstate_parse_ip(v, &ip) < 0 || ip.family != family)
                return -EBADMSG;
        memcpy(bytes, ip.bytes, 16);
        if (ret_has)
                *ret_has = true;
        return 0;
}

static int opt_prefix(const Line *l, const char *key, int family, uint8_t bytes[static 16], uint8_t *len) {
        const char *v = get(l, key);
        if (!v)
                return 0;
        return netstate_parse_prefix(v, family, bytes, len) < 0 ? -EBADMSG : 0;
}

static int parse_link(NetState *s, const Line *l) {
        NetLink *k = netstate_add_link(s);
        if (!k)
                return s->n_links >= NETSTATE_OBJECTS_MAX ? -E2BIG : -ENOMEM;
        k->bond_mode = -1;
        for (unsigned o = 0; o < NETSTATE_BOND_OPTS; o++)
                k->bond_opt[o] = -1;

        const char *v = get(l, "name");
        if (!v || copy_name(v, k->name) < 0)
                return -EBADMSG;
        uint32_t u = 0;
        if (opt_u32(l, "index", INT32_MAX, &u) < 0)
                return -EBADMSG;
        k->ifindex = (int) u;
        if ((v = get(l, "mac")) && netstate_parse_hwaddr(v, k->mac, &k->mac_len) < 0)
                return -EBADMSG;
        if ((v = get(l, "perm")) && netstate_parse_hwaddr(v, k->perm, &k->perm_len) < 0)
                return -EBADMSG;
        if (opt_u32(l, "mtu", UINT32_MAX, &k->mtu) < 0)
                return -EBADMSG;
        k->up = has_flag(l, "up");
        k->loopback = has_flag(l, "loopback");
        if ((v = get(l, "kind"))) {
                size_t n = strlen(v);
                if (n == 0 || n >= sizeof(k->kind) || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_-") != n)
                        return -EBADMSG;
                memcpy(k->kind, v, n + 1);
        }
        if (opt_name(l, "parent", k->parent) < 0 || opt_name(l, "master", k->master) < 0 ||
            opt_name(l, "bond-primary", k->bond_primary) < 0)
                return -EBADMSG;
        u = 0;
        if (opt_u32(l, "vlan-id", 4095, &u) < 0)
                return -EBADMSG;
        k->vlan_id = (uint16_t) u;
        if ((v = get(l, "vlan-protocol"))) {
                if (strcmp(v, "802.1Q") == 0)
                        k->vlan_protocol = 0x8100;
                else if (strcmp(v, "802.1ad") == 0)
                        k->vlan_protocol = 0x88a8;
                else if (parse_u32(v, UINT16_MAX, &u) == 0)
                        k->vlan_protocol = (uint16_t) u;
                else
                        return -EBADMSG;
        }
        if ((v = get(l, "bond-mode")) && netstate_bond_mode_from_string(v, &k->bond_mode) < 0)
                return -EBADMSG;
        if (opt_u32(l, "bond-miimon", UINT32_MAX, &k->bond_miimon) < 0)
                return -EBADMSG;
        for (unsigned o = 0; o < NETSTATE_BOND_OPTS; o++)
                if ((v = get(l, netstate_bond_opts[o].key)) &&
                    netstate_bond_opt_from_string(o, v, &k->bond_opt[o]) < 0)
                        return -EBADMSG;
        if ((v = get(l, "macvlan-mode")) && netstate_macvlan_mode_from_string(v, &k->macvlan_mode) < 0)
                return -EBADMSG;
        return 0;
}

static int parse_addr_flags(const char *v, int family, uint32_t *ret) {
        char word[32];
        uint32_t flags = 0;

        while (*v) {
                size_t n = strcspn(v, ",");
                if (n == 0 || n >= sizeof(word))
                        return -EBADMSG;
                memcpy(word, v, n);
                word[n] = '\0';
                uint32_t bit;
                if (netstate_addr_flag_from_string(family, word, &bit) < 0)
                        return -EBADMSG;
                flags |= bit;
                v += n;
                if (*v == ',' && *++v == '\0')
                        return -EBADMSG;
        }
        *ret = flags;
        return 0;
}

static int parse_addr(NetState *s, const Line *l) {
        NetAddr *a = netstate_add_addr(s);
        if (!a)
                return s->n_addrs >= NETSTATE_OBJECTS_MAX ? -E2BIG : -ENOMEM;

        const char *v = get(l, "dev");
        if (!v || copy_name(v, a->dev) < 0 || get_family(l, &a->family) < 0)
                return -EBADMSG;
        v = get(l, "local");
        if (!v || netstate_parse_prefix(v, a->family, a->local, &a->prefixlen) < 0 || strcmp(v, "default") == 0)
                return -EBADMSG;
        if (opt_ip(l, "peer", a->family, a->peer, &a->has_peer) < 0 ||
            opt_ip(l, "brd", a->family, a->brd, &a->has_brd) < 0)
                return -EBADMSG;
        if ((v = get(l, "label"))) {
                size_t n = strlen(v);
                if (n == 0 || n >= sizeof(a->label))
                        return -EBADMSG;
                memcpy(a->label, v, n + 1);
        }
        if ((v = get(l, "scope")) && netstate_scope_from_string(v, &a->scope) < 0)
                return -EBADMSG;
        if ((v = get(l, "flags")) && parse_addr_flags(v, a->family, &a->flags) < 0)
                return -EBADMSG;
        a->dynamic = has_flag(l, "dynamic");
        return 0;
}

static int parse_nexthop_key(NetNexthop *nh, const Token *t) {
        if (!t->value && strcmp(t->key, "onlink") == 0) {
                nh->flags |= RTNH_F_ONLINK;
                return 0;
        }
        if (!t->value)
                return 0;
        if (strcmp(t->key, "via") == 0)
                return netstate_parse_ip(t->value, &nh->gateway) < 0 ? -EBADMSG : 0;
        if (strcmp(t->key, "dev") == 0)
                return copy_name(t->value, nh->dev);
        if (strcmp(t->key, "weight") == 0) {
                uint32_t w;
                if (parse_u32(t->value, 256, &w) < 0 || w == 0)
                        return -EBADMSG;
                nh->weight = (uint16_t) w;
        }
        return 0;
}

static bool is_nexthop_key(const Token *t) {
        if (!t->value)
                return strcmp(t->key, "onlink") == 0;
        return strcmp(t->key, "via") == 0 || strcmp(t->key, "dev") == 0 || strcmp(t->key, "weight") == 0;
}

/* via/dev/weight/onlink before any "nexthop" describe the single path;
 * after each "nexthop" they describe that one. */
static int parse_nexthops(NetRoute *r, const Line *l) {
        NetNexthop single = {};
        bool have_single = false;
        NetNexthop *cur = NULL;

        for (size_t i = 1; i < l->n; i++) {
                const Token *t = &l->tokens[i];
                if (!t->value && strcmp(t->key, "nexthop") == 0) {
                        cur = netstate_route_add_nexthop(r);
                        if (!cur)
                                return r->n_nexthops >= NETSTATE_NEXTHOPS_MAX ? -E2BIG : -ENOMEM;
                        r->multipath = true;
                        continue;
                }
                if (!is_nexthop_key(t))
                        continue;
                int k = parse_nexthop_key(cur ?: &single, t);
                if (k < 0)
                        return k;
                if (!cur)
                        have_single = true;
        }
        if (r->multipath) {
                if (have_single)
                        return -EBADMSG;
                return 0;
        }
        if (!have_single)
                return 0;
        NetNexthop *nh = netstate_route_add_nexthop(r);
        if (!nh)
                return -ENOMEM;
        *nh = single;
        return 0;
}

static int parse_route(NetState *s, const Line *l) {
        NetRoute *r = netstate_add_route(s);
        if (!r)
                return s->n_routes >= NETSTATE_OBJECTS_MAX ? -E2BIG : -ENOMEM;
        r->table = RT_TABLE_MAIN;
        r->type = RTN_UNICAST;
        r->protocol = RTPROT_BOOT;      /* as `ip route add` would */

        const char *v;
        uint32_t u;
        if (get_family(l, &r->family) < 0)
                return -EBADMSG;
        if ((v = get(l, "table")) && netstate_table_from_string(v, &r->table) < 0)
                return -EBADMSG;
        if ((v = get(l, "type")) && netstate_rtntype_from_string(v, &r->type) < 0)
                return -EBADMSG;
        v = get(l, "dst");
        if (!v || netstate_parse_prefix(v, r->family, r->dst, &r->dst_len) < 0)
                return -EBADMSG;
        if (opt_prefix(l, "from", r->family, r->src, &r->src_len) < 0)
                return -EBADMSG;
        u = 0;
        if (opt_u32(l, "tos", UINT8_MAX, &u) < 0)
                return -EBADMSG;
        r->tos = (uint8_t) u;
        if (opt_ip(l, "src", r->family, r->prefsrc, &r->has_prefsrc) < 0)
                return -EBADMSG;
        if (opt_u32(l, "metric", UINT32_MAX, &r->metric) < 0)
                return -EBADMSG;
        if ((v = get(l, "proto")) && netstate_proto_from_string(v, &r->protocol) < 0)
                return -EBADMSG;
        if ((v = get(l, "scope")) && netstate_scope_from_string(v, &r->scope) < 0)
                return -EBADMSG;
        if (opt_u32(l, "mtu", UINT32_MAX, &r->mtu) < 0 || opt_u32(l, "advmss", UINT32_MAX, &r->advmss) < 0)
                return -EBADMSG;
        r->implied = has_flag(l, "implied");
        r->incomplete = has_flag(l, "incomplete");
        return parse_nexthops(r, l);
}

static int parse_rule(NetState *s, const Line *l) {
        NetRule *r = netstate_add_rule(s);
        if (!r)
                return s->n_rules >= NETSTATE_OBJECTS_MAX ? -E2BIG : -ENOMEM;
        r->action = FR_ACT_TO_TBL;
        r->table = RT_TABLE_MAIN;
        r->suppress_prefixlen = -1;

        const char *v;
        uint32_t u;
        if (get_family(l, &r->family) < 0)
                return -EBADMSG;
        if (!get(l, "prio") || opt_u32(l, "prio", UINT32_MAX, &r->priority) < 0)
                return -EBADMSG;
        r->invert = has_flag(l, "not");
        if (opt_prefix(l, "from", r->family, r->src, &r->src_len) < 0 ||
            opt_prefix(l, "to", r->family, r->dst, &r->dst_len) < 0)
                return -EBADMSG;
        u = 0;
        if (opt_u32(l, "tos", UINT8_MAX, &u) < 0)
                return -EBADMSG;
        r->tos = (uint8_t) u;
        if ((v = get(l, "fwmark"))) {
                char mark[32];
                size_t n = strcspn(v, "/");
                if (n == 0 || n >= sizeof(mark))
                        return -EBADMSG;
                memcpy(mark, v, n);
                mark[n] = '\0';
                r->fwmask = UINT32_MAX;
                if (parse_u32(mark, UINT32_MAX, &r->fwmark) < 0 ||
                    (v[n] == '/' && parse_u32(v + n + 1, UINT32_MAX, &r->fwmask) < 0))
                        return -EBADMSG;
                r->has_fwmark = true;
        }
        if (opt_name(l, "iif", r->iif) < 0 || opt_name(l, "oif", r->oif) < 0)
                return -EBADMSG;
        if ((v = get(l, "action")) && netstate_action_from_string(v, &r->action) < 0)
                return -EBADMSG;
        if ((v = get(l, "table")) && netstate_table_from_string(v, &r->table) < 0)
                return -EBADMSG;
        if (opt_u32(l, "goto", UINT32_MAX, &r->goto_target) < 0)
                return -EBADMSG;
        if ((v = get(l, "suppress-prefixlen"))) {
                if (parse_u32(v, 128, &u) < 0)
                        return -EBADMSG;
                r->suppress_prefixlen = (int32_t) u;
        }
        r->incomplete = has_flag(l, "incomplete");
        return 0;
}

/* Hostnames and resolver words never hold blanks or control bytes; they end
 * up in files where those would start new lines or words. */
static bool is_word(const char *v) {
        for (const unsigned char *p = (const unsigned char *) v; *p; p++)
                if (*p <= ' ' || *p == 0x7f)
                        return false;
        return *v != '\0';
}

static int parse_hostname(NetState *s, const Line *l) {
        const char *v = get(l, "name");
        if (!v || !is_word(v) || strlen(v) > NETSTATE_HOSTNAME_MAX)
                return -EBADMSG;
        char *copy = strdup(v);
        if (!copy)
                return -ENOMEM;
        free(s->hostname);
        s->hostname = copy;
        return 0;
}

static int parse_dns(NetState *s, const Line *l) {
        static const struct {
                const char *key;
                size_t offset;
        } keys[] = {
                { "nameserver", offsetof(NetState, nameservers) },
                { "search", offsetof(NetState, search) },
                { "option", offsetof(NetState, dns_options) },
        };
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                const char *v = get(l, keys[i].key);
                if (!v)
                        continue;
                if (!is_word(v) || strlen(v) >= NETSTATE_DNS_VALUE_MAX)
                        return -EBADMSG;
                int r = netstate_strv_push((NetStrv *) ((char *) s + keys[i].offset), v, NETSTATE_DNS_MAX);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* "netstate 1" or "netstate 1.N": a new minor adds keys we may skip, a new
 * major changes meaning. */
static int parse_version(const Line *l) {
        if (l->n < 2 || strcmp(l->tokens[0].key, "netstate") != 0 || l->tokens[1].value)
                return -EBADMSG;
        const char *v = l->tokens[1].key;
        size_t n = strspn(v, "0123456789");
        if (n == 0 || n > 9 || (v[n] != '\0' && (v[n] != '.' || strspn(v + n + 1, "0123456789") == 0 ||
                                                 v[n + 1 + strspn(v + n + 1, "0123456789")] != '\0')))
                return -EBADMSG;
        if (strtoul(v, NULL, 10) != NETSTATE_FORMAT_VERSION)
                return -EPROTONOSUPPORT;
        return 0;
}

static int parse_record(NetState *s, const Line *l) {
        static const struct {
                const char *name;
                int (*fn)(NetState *s, const Line *l);
        } records[] = {
                { "hostname", parse_hostname },
                { "dns", parse_dns },
                { "link", parse_link },
                { "addr", parse_addr },
                { "route", parse_route },
                { "rule", parse_rule },
        };
        if (l->tokens[0].value)
                return -EBADMSG;
        for (size_t i = 0; i < ELEMENTSOF(records); i++)
                if (strcmp(records[i].name, l->tokens[0].key) == 0)
                        return records[i].fn(s, l);
        return 0;       /* a record of a later minor version */
}

/* Link names are what everything else refers to: no two alike. */
static int check_unique_links(const NetState *s) {
        for (size_t i = 1; i < s->n_links; i++)
                if (strcmp(s->links[i - 1].name, s->links[i].name) == 0)
                        return -EBADMSG;
        return 0;
}

/* Walks the lines; *lineno tracks the current one for error reports. */
static int parse_lines(NetState *s, Line *l, const char *text, size_t len, unsigned *lineno) {
        bool seen_version = false;

        for (size_t pos = 0; pos < len;) {
                const char *start = text + pos;
                const char *nl = memchr(start, '\n', len - pos);
                size_t n = nl ? (size_t) (nl - start) : len - pos;
                pos += n + (nl ? 1 : 0);
                (*lineno)++;

                if (n > 0 && start[n - 1] == '\r')
                        n--;
                if (n > NETSTATE_LINE_MAX)
                        return -E2BIG;
                if (memchr(start, '\0', n))
                        return -EBADMSG;
                size_t skip = 0;
                while (skip < n && (start[skip] == ' ' || start[skip] == '\t'))
                        skip++;
                if (skip >= n || start[skip] == '#')
                        continue;
                memcpy(l->text, start, n);
                l->text[n] = '\0';
                int r = tokenize(l);
                if (r < 0)
                        return r;
                r = seen_version ? parse_record(s, l) : parse_version(l);
                if (r < 0)
                        return r;
                seen_version = true;
        }
        if (!seen_version) {
                *lineno = MAX(*lineno, 1u);
                return -EBADMSG;
        }
        return 0;
}

int netstate_parse(const char *text, size_t len, NetState **ret, unsigned *ret_line) {
        _cleanup_(netstate_freep) NetState *s = NULL;
        _cleanup_free_ Line *l = NULL;
        unsigned lineno = 0;
        int r;

        if (len > NETSTATE_TEXT_MAX) {
                if (ret_line)
                        *ret_line = 0;
                return -E2BIG;
        }
        r = netstate_new(&s);
        if (r < 0)
                return r;
        l = malloc(sizeof(Line));
        if (!l)
                return -ENOMEM;

        r = parse_lines(s, l, text, len, &lineno);
        if (r >= 0) {
                netstate_sort(s);
                lineno = 0;     /* a duplicate has no single line */
                r = check_unique_links(s);
        }
        if (r < 0) {
                if (ret_line)
                        *ret_line = lineno;
                return r;
        }
        *ret = TAKE_PTR(s);
        return 0;
}
