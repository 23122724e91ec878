/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The restore script: POSIX sh for busybox sh and busybox `ip` (Debian's
 * busybox-static 1.35), using iproute2's `ip` instead when one is installed.
 *
 * What busybox 1.35 `ip` lacks, measured: `nodad` (we turn DAD off through
 * sysctl instead), route `nexthop` (multipath), `via inet6`, route `tos` and
 * `from`, rule `not`, `oif`, `goto` and non-lookup actions. Those steps run
 * with iproute2 only; with busybox they are reported (multipath degrades to
 * its first nexthop, or to equal weights for IPv6, to keep the box
 * reachable). Every value comes from the captured host and is single-quoted. */
#include <net/if.h>
#include <inttypes.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "netstate-internal.h"
#include "netstate-order.h"

static const char script_head[] =
        "#!/bin/sh\n"
        "# Restores the network captured by netstate (format 1). Generated.\n"
        "# Env: IPROUTE2=auto|PATH|'' (which ip to prefer), NETWORK_WAIT_SECONDS,\n"
        "# NETWORK_SYSFS (default /sys/class/net).\n"
        "failed=0\n"
        "fail() { echo \"network: $1 failed\" >&2; failed=1; }\n"
        "skipped() { echo \"network: $1 skipped\" >&2; }\n"
        "if [ \"${IPROUTE2-auto}\" = auto ]; then\n"
        "\tIPROUTE2=\n"
        "\tfor _p in /usr/sbin/ip /sbin/ip /usr/bin/ip /bin/ip; do\n"
        "\t\t[ -x \"$_p\" ] || continue\n"
        "\t\tcase \"$(\"$_p\" -V 2>/dev/null)\" in *iproute2*) IPROUTE2=$_p; break ;; esac\n"
        "\tdone\n"
        "fi\n"
        "ip_() { if [ -n \"$IPROUTE2\" ]; then \"$IPROUTE2\" \"$@\"; else ip \"$@\"; fi; }\n"
        "sysnet=${NETWORK_SYSFS:-/sys/class/net}\n"
        "wait_s=${NETWORK_WAIT_SECONDS:-30}\n"
        "taken=' '\n"
        "# Prints the first device, not yet claimed, whose MAC is one of $@.\n"
        "find_mac() {\n"
        "\tfor _m in \"$@\"; do\n"
        "\t\tfor _d in \"$sysnet\"/*; do\n"
        "\t\t\t[ -r \"$_d/address\" ] || continue\n"
        "\t\t\tread -r _a < \"$_d/address\" || continue\n"
        "\t\t\t[ \"$_a\" = \"$_m\" ] || continue\n"
        "\t\t\t_n=${_d##*/}\n"
        "\t\t\tcase \"$taken\" in *\" $_n \"*) continue ;; esac\n"
        "\t\t\techo \"$_n\"\n"
        "\t\t\treturn 0\n"
        "\t\tdone\n"
        "\tdone\n"
        "\treturn 1\n"
        "}\n";

typedef struct Script {
        NetBuf b;
        const NetState *s;
        char tmp_prefix[8];
} Script;

static void q(Script *x, const char *s) {
        netbuf_put_shell(&x->b, s);
}

static void put(Script *x, const char *s) {
        netbuf_puts(&x->b, s);
}

/* keyword (e.g. " from "), then addr/len quoted for the shell. */
static void put_prefix(Script *x, const char *keyword, int family, const void *addr, unsigned len) {
        NetBuf b = {};

        netbuf_put_prefix(&b, family, addr, len);
        put(x, keyword);
        q(x, b.data ?: "");
        netbuf_done(&b);
}

/* prefix ("fail " or " || fail "), the message quoted for the shell, a newline. */
static void vput_fail(Script *x, const char *prefix, const char *fmt, va_list ap) _printf_(3, 0);
static void vput_fail(Script *x, const char *prefix, const char *fmt, va_list ap) {
        char msg[512];

        vsnprintf(msg, sizeof(msg), fmt, ap);
        put(x, prefix);
        q(x, msg);
        put(x, "\n");
}

/* ` || fail '<what>'` and a newline; the message is built like printf. */
static void or_fail(Script *x, const char *fmt, ...) _printf_(2, 3);
static void or_fail(Script *x, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vput_fail(x, " || fail ", fmt, ap);
        va_end(ap);
}

static void fail_line(Script *x, const char *fmt, ...) _printf_(2, 3);
static void fail_line(Script *x, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vput_fail(x, "fail ", fmt, ap);
        va_end(ap);
}

/* A warning, not a failure: `skipped '<what>'` and a newline. */
static void skip_line(Script *x, const char *fmt, ...) _printf_(2, 3);
static void skip_line(Script *x, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vput_fail(x, "skipped ", fmt, ap);
        va_end(ap);
}

static bool is_zero(const uint8_t *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (p[i])
                        return false;
        return true;
}

static bool kind_is(const NetLink *l, const char *kind) {
        return strcmp(l->kind, kind) == 0;
}

/* Links the script creates, links found by MAC; the rest is skipped. */
static bool is_created(const NetLink *l) {
        return netstate_link_is_created(l);
}

static bool is_matched(const NetLink *l) {
        return netstate_link_is_matched(l);
}

static const NetLink *skipped_cause(const Script *x, const NetLink *l) {
        return netstate_link_skipped_cause(x->s, l);
}

static const NetLink *master_of(const Script *x, const NetLink *l) {
        return l->master[0] ? netstate_find_link(x->s, l->master) : NULL;
}

static void hw_string(const uint8_t *a, size_t n, char *buf, size_t size) {
        NetBuf b = {};
        netbuf_put_hwaddr(&b, a, n);
        snprintf(buf, size, "%s", b.data ?: "");
        netbuf_done(&b);
}

static void find_links(Script *x) {
        const NetState *s = x->s;
        char mac[3 * NETSTATE_HWADDR_MAX + 1];

        put(x, "\n# Find NICs by MAC: permanent first, then current. Wait for plain\n"
               "# devices (drivers may still be loading); look for the rest once.\n");
        for (int pass = 0; pass < 2; pass++) {
                if (pass == 0)
                        put(x, "_t=0\nwhile :; do\n\t_missing=\n");
                for (size_t i = 0; i < s->n_links; i++) {
                        const NetLink *l = &s->links[i];
                        if (!is_matched(l) || (pass == 0) != (l->kind[0] == '\0'))
                                continue;
                        netbuf_printf(&x->b, "%sif [ -z \"$L%zu\" ]; then L%zu=$(find_mac", pass == 0 ? "\t" : "", i, i);
                        if (l->perm_len && !is_zero(l->perm, l->perm_len)) {
                                hw_string(l->perm, l->perm_len, mac, sizeof(mac));
                                put(x, " ");
                                q(x, mac);
                        }
                        hw_string(l->mac, l->mac_len, mac, sizeof(mac));
                        put(x, " ");
                        q(x, mac);
                        netbuf_printf(&x->b, ") && taken=\"$taken$L%zu \"%s; fi\n", i, pass == 0 ? " || _missing=1" : "");
                }
                if (pass == 0)
                        put(x, "\t[ -z \"$_missing\" ] && break\n"
                               "\t[ \"$_t\" -ge \"$wait_s\" ] && break\n"
                               "\t_t=$((_t + 1))\n"
                               "\tsleep 1\n"
                               "done\n");
        }
        for (size_t i = 0; i < s->n_links; i++) {
                const NetLink *l = &s->links[i];
                if (is_matched(l)) {
                        hw_string(l->mac, l->mac_len, mac, sizeof(mac));
                        netbuf_printf(&x->b, "[ -n \"$L%zu\" ]", i);
                        or_fail(x, "find link %s (MAC %s)", l->name, mac);
                } else if (skipped_cause(x, l) == l) {
                        skip_line(x, "restore link %s of kind %s (the rescue can neither create nor find it)", l->name,
                                  l->kind[0] ? l->kind : "none");
                } else if (skipped_cause(x, l)) {
                        skip_line(x, "create %s %s on %s (%s is not restored)", l->kind, l->name, l->parent,
                                  skipped_cause(x, l)->name);
                }
        }
}

/* Two rounds, so that swapping names (eth0 <-> eth1) works: first every
 * link that must change moves to a temporary name, then to its own. */
static void rename_links(Script *x) {
        const NetState *s = x->s;

        put(x, "\n# Give found NICs their old names.\n");
        for (size_t i = 0; i < s->n_links; i++) {
                const NetLink *l = &s->links[i];
                if (!is_matched(l))
                        continue;
                netbuf_printf(&x->b, "if [ -n \"$L%zu\" ] && [ \"$L%zu\" != ", i, i);
                q(x, l->name);
                netbuf_printf(&x->b, " ]; then ip_ link set dev \"$L%zu\" down && ip_ link set dev \"$L%zu\" name %s%zu && L%zu=%s%zu",
                              i, i, x->tmp_prefix, i, i, x->tmp_prefix, i);
                or_fail(x, "rename link %s", l->name);
                put(x, "fi\n");
        }
        for (size_t i = 0; i < s->n_links; i++) {
                const NetLink *l = &s->links[i];
                if (!is_matched(l))
                        continue;
                netbuf_printf(&x->b, "if [ -n \"$L%zu\" ] && [ \"$L%zu\" != ", i, i);
                q(x, l->name);
                put(x, " ]; then\n\tif [ -e \"$sysnet\"/");
                q(x, l->name);
                put(x, " ]; then ip_ link set dev ");
                q(x, l->name);
                put(x, " down; ip_ link set dev ");
                q(x, l->name);
                netbuf_printf(&x->b, " name %sold%zu", x->tmp_prefix, i);
                or_fail(x, "move aside the device named %s", l->name);
                netbuf_printf(&x->b, "\tfi\n\tip_ link set dev \"$L%zu\" name ", i);
                q(x, l->name);
                netbuf_printf(&x->b, " && L%zu=", i);
                q(x, l->name);
                or_fail(x, "rename link %s", l->name);
                put(x, "fi\n");
        }
}

static void set_mac_mtu(Script *x, const NetLink *l, const char *guard) {
        char mac[3 * NETSTATE_HWADDR_MAX + 1];
        const NetLink *m = master_of(x, l);

        /* Bonding sets its slaves' MACs itself. */
        if (l->mac_len && !is_zero(l->mac, l->mac_len) && !(m && kind_is(m, "bond"))) {
                hw_string(l->mac, l->mac_len, mac, sizeof(mac));
                netbuf_printf(&x->b, "%s{ read -r _a < \"$sysnet\"/", guard);
                q(x, l->name);
                put(x, "/address; [ \"$_a\" = ");
                q(x, mac);
                put(x, " ] || ip_ link set dev ");
                q(x, l->name);
                put(x, " address ");
                q(x, mac);
                put(x, "; }");
                or_fail(x, "set MAC of link %s", l->name);
        }
        if (l->mtu) {
                netbuf_printf(&x->b, "%sip_ link set dev ", guard);
                q(x, l->name);
                netbuf_printf(&x->b, " mtu %u", l->mtu);
                or_fail(x, "set MTU of link %s", l->name);
        }
}

static void create_bonds(Script *x) {
        const NetState *s = x->s;

        for (size_t i = 0; i < s->n_links; i++) {
                const NetLink *l = &s->links[i];
                if (!kind_is(l, "bond"))
                        continue;
                /* Older bonding drivers only know their sysfs interface. */
                put(x, "if ip_ link add name ");
                q(x, l->name);
                put(x, " type bond || echo +");
                netbuf_put_shell(&x->b, l->name);
                put(x, " > \"$sysnet\"/bonding_masters; then\n");
                const char *mode = netstate_bond_mode_to_string(l->bond_mode);
                if (mode) {
                        netbuf_printf(&x->b, "\techo %s > \"$sysnet\"/", mode);
                        q(x, l->name);
                        put(x, "/bonding/mode");
                        or_fail(x, "set mode of bond %s", l->name);
                }
                netbuf_printf(&x->b, "\techo %u > \"$sysnet\"/", l->bond_miimon);
                q(x, l->name);
                put(x, "/bonding/miimon");
                or_fail(x, "set miimon of bond %s", l->name);
                for (unsigned o = 0; o < NETSTATE_BOND_OPTS; o++) {
                        const NetBondOpt *opt = &netstate_bond_opts[o];
                        if (!netstate_bond_opt_wanted(l, o))
                                continue;
                        const char *name = netstate_bond_opt_to_string(o, l->bond_opt[o]);
                        put(x, "\techo ");
                        if (name)
                                q(x, name);
                        else
                                netbuf_printf(&x->b, "%" PRId64, l->bond_opt[o]);
                        put(x, " > \"$sysnet\"/");
                        q(x, l->name);
                        netbuf_printf(&x->b, "/bonding/%s", opt->sysfs);
                        or_fail(x, "set %s of bond %s", opt->sysfs, l->name);
                }
                put(x, "else ");
                fail_line(x, "create bond %s", l->name);
                put(x, "fi\n");
        }
}

static void enslave(Script *x, const char *master_kind) {
        const NetState *s = x->s;

        for (size_t i = 0; i < s->n_links; i++) {
                const NetLink *l = &s->links[i];
                const NetLink *m = master_of(x, l);
                if (!m || !kind_is(m, master_kind))
                        continue;
                if (skipped_cause(x, l)) {
                        skip_line(x, "enslave link %s to %s (%s is not restored)", l->name, m->name,
                                  skipped_cause(x, l)->name);
                        continue;
                }
                /* A bond takes only slaves that are down. */
                put(x, "ip_ link set dev ");
                q(x, l->name);
                put(x, " down; ip_ link set dev ");
                q(x, l->name);
                put(x, " master ");
                q(x, m->name);
                or_fail(x, "enslave link %s to %s", l->name, m->name);
        }
        if (strcmp(master_kind, "bond") != 0)
                return;
        for (size_t i = 0; i < s->n_links; i++) {
                const NetLink *l = &s->links[i];
                if (!kind_is(l, "bond") || !l->bond_primary[0])
                        continue;
                put(x, "echo ");
                q(x, l->bond_primary);
                put(x, " > \"$sysnet\"/");
                q(x, l->name);
                put(x, "/bonding/primary");
                or_fail(x, "set primary of bond %s", l->name);
        }
}

static void create_simple(Script *x, const char *kind) {
        const NetState *s = x->s;

        for (size_t i = 0; i < s->n_links; i++) {
                const NetLink *l = &s->links[i];
                if (!kind_is(l, kind))
                        continue;
                put(x, "ip_ link add name ");
                q(x, l->name);
                netbuf_printf(&x->b, " type %s", kind);
                if (strcmp(kind, "bridge") == 0) {
                        put(x, " || brctl addbr ");
                        q(x, l->name);
                }
                or_fail(x, "create %s %s", kind, l->name);
        }
}

static void create_stacked_cmd(Script *x, const NetLink *l, const char *ip, const char *mode) {
        netbuf_printf(&x->b, "%s link add link ", ip);
        q(x, l->parent);
        put(x, " name ");
        q(x, l->name);
        if (kind_is(l, "vlan")) {
                netbuf_printf(&x->b, " type vlan id %u", l->vlan_id);
                if (l->vlan_protocol == 0x88a8)
                        put(x, " protocol 802.1ad");
        } else {
                put(x, " type macvlan");
                if (mode)
                        netbuf_printf(&x->b, " mode %s", mode);
        }
        or_fail(x, "create %s %s on %s", l->kind, l->name, l->parent);
}

static void create_stacked_one(Script *x, const NetLink *l) {
        const char *mode = kind_is(l, "macvlan") ? netstate_macvlan_mode_to_string(l->macvlan_mode) : NULL;

        /* busybox 1.35 `ip` takes a macvlan's `mode` and ignores it (measured:
         * the link comes up in vepa mode): only iproute2 can say it. */
        if (!mode || l->macvlan_mode == MACVLAN_MODE_VEPA) {
                create_stacked_cmd(x, l, "ip_", NULL);
                return;
        }
        put(x, "if [ -n \"$IPROUTE2\" ]; then ");
        create_stacked_cmd(x, l, "\"$IPROUTE2\"", mode);
        put(x, "else ");
        create_stacked_cmd(x, l, "ip_", NULL);
        put(x, "\t");
        fail_line(x, "create macvlan %s in mode %s (busybox ip lacks macvlan modes: made in vepa mode)", l->name, mode);
        put(x, "fi\n");
}

/* VLANs and macvlans after their lower device, which may itself be one
 * (QinQ), in the order the netlink restore uses too. */
static int create_stacked(Script *x) {
        const NetState *s = x->s;
        _cleanup_free_ size_t *order = NULL;
        size_t n_ordered, n;
        int r;

        r = netstate_stacked_order(s, &order, &n_ordered, &n);
        if (r < 0)
                return r;
        for (size_t k = 0; k < n_ordered; k++) {
                const NetLink *l = &s->links[order[k]];
                if (!l->parent[0])
                        fail_line(x, "create %s %s (no lower device)", l->kind, l->name);
                else
                        create_stacked_one(x, l);
        }
        for (size_t k = n_ordered; k < n; k++)
                fail_line(x, "create %s (lower devices form a loop)", s->links[order[k]].name);
        return 0;
}

static void addresses(Script *x) {
        const NetState *s = x->s;
        char buf[16];

        put(x, "\n# Addresses, statically as they were. IPv6 without DAD: the old system\n"
               "# is gone, and busybox ip has no nodad.\n");
        bool any6 = false;
        for (size_t i = 0; i < s->n_addrs; i++) {
                const NetAddr *a = &s->addrs[i];
                if (a->family != AF_INET6 || netstate_dev_skipped_cause(s, a->dev))
                        continue;
                if (!any6)
                        put(x, "echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad 2>/dev/null\n");
                any6 = true;
                if (i > 0 && s->addrs[i - 1].family == AF_INET6 && strcmp(s->addrs[i - 1].dev, a->dev) == 0)
                        continue;
                put(x, "echo 0 > /proc/sys/net/ipv6/conf/");
                q(x, a->dev);
                put(x, "/accept_dad");
                or_fail(x, "turn off DAD on link %s", a->dev);
        }
        for (size_t i = 0; i < s->n_addrs; i++) {
                const NetAddr *a = &s->addrs[i];
                const NetLink *cause = netstate_dev_skipped_cause(s, a->dev);
                NetBuf addr = {};
                netbuf_put_ip(&addr, a->family, a->local);
                if (!a->has_peer)
                        netbuf_printf(&addr, "/%u", a->prefixlen);
                if (cause) {
                        skip_line(x, "add address %s to link %s (%s is not restored)", addr.data ?: "", a->dev,
                                  cause->name);
                        netbuf_done(&addr);
                        continue;
                }

                netbuf_printf(&x->b, "ip_ -%c addr add ", a->family == AF_INET ? '4' : '6');
                q(x, addr.data ?: "");
                if (a->has_peer) {
                        NetBuf peer = {};
                        netbuf_put_ip(&peer, a->family, a->peer);
                        netbuf_printf(&peer, "/%u", a->prefixlen);
                        put(x, " peer ");
                        q(x, peer.data ?: "");
                        netbuf_done(&peer);
                }
                if (a->has_brd) {
                        NetBuf brd = {};
                        netbuf_put_ip(&brd, a->family, a->brd);
                        put(x, " broadcast ");
                        q(x, brd.data ?: "");
                        netbuf_done(&brd);
                }
                if (a->label[0]) {
                        put(x, " label ");
                        q(x, a->label);
                }
                netstate_scope_to_string(a->scope, buf);
                netbuf_printf(&x->b, " scope %s dev ", buf);
                q(x, a->dev);
                if (a->flags & IFA_F_NOPREFIXROUTE)
                        put(x, " noprefixroute");
                or_fail(x, "add address %s to link %s", addr.data ?: "", a->dev);
                netbuf_done(&addr);
        }
}

static void links_up(Script *x, bool (*which)(const NetLink *l)) {
        const NetState *s = x->s;
        for (size_t i = 0; i < s->n_links; i++) {
                const NetLink *l = &s->links[i];
                if (!l->up || !which(l) || skipped_cause(x, l))
                        continue;
                put(x, "ip_ link set dev ");
                q(x, l->name);
                put(x, " up");
                or_fail(x, "bring up link %s", l->name);
        }
}

static bool up_matched(const NetLink *l) {
        return is_matched(l);
}

static bool up_bond(const NetLink *l) {
        return kind_is(l, "bond");
}

static bool up_other_created(const NetLink *l) {
        return is_created(l) && !kind_is(l, "bond");
}

static void describe_route(const NetRoute *r, char *buf, size_t size) {
        NetBuf b = {};
        char table[16];
        netbuf_puts(&b, "route ");
        netbuf_put_prefix(&b, r->family, r->dst, r->dst_len);
        netstate_table_to_string(r->table, table);
        netbuf_printf(&b, " table %s", table);
        if (r->n_nexthops == 1 && r->nexthops[0].dev[0])
                netbuf_printf(&b, " dev %s", r->nexthops[0].dev);
        snprintf(buf, size, "%s", b.data ?: "route");
        netbuf_done(&b);
}

static void put_gateway(Script *x, const NetRoute *r, const NetNexthop *n) {
        if (!n->gateway.family)
                return;
        NetBuf gw = {};
        netbuf_put_ip(&gw, n->gateway.family, n->gateway.bytes);
        put(x, " via ");
        if (n->gateway.family != r->family)
                put(x, "inet6 ");
        q(x, gw.data ?: "");
        netbuf_done(&gw);
}

static void put_nexthop_single(Script *x, const NetRoute *r, const NetNexthop *n) {
        put_gateway(x, r, n);
        if (n->dev[0]) {
                put(x, " dev ");
                q(x, n->dev);
        }
}

/* `ip route append` everywhere: it creates like `add` but lets routes that
 * differ only by device coexist (upstream libnl #224's case) and does not
 * trip over a kernel route sharing the key. */
static void route_command(Script *x, const NetRoute *r, const char *ip, bool multipath_native, size_t only_nexthop) {
        const char *type = netstate_rtntype_to_string(r->type);

        netbuf_printf(&x->b, "%s -%c route append ", ip, r->family == AF_INET ? '4' : '6');
        if (r->type != RTN_UNICAST) {
                if (type)
                        netbuf_printf(&x->b, "%s ", type);
                else
                        netbuf_printf(&x->b, "%u ", r->type);
        }
        put_prefix(x, "", r->family, r->dst, r->dst_len);
        if (r->src_len)
                put_prefix(x, " from ", r->family, r->src, r->src_len);
        if (r->tos)
                netbuf_printf(&x->b, " tos 0x%x", r->tos);
        if (!r->multipath && r->n_nexthops == 1)
                put_nexthop_single(x, r, &r->nexthops[0]);
        else if (r->multipath && !multipath_native && only_nexthop < r->n_nexthops)
                put_nexthop_single(x, r, &r->nexthops[only_nexthop]);
        if (r->has_prefsrc) {
                NetBuf src = {};
                netbuf_put_ip(&src, r->family, r->prefsrc);
                put(x, " src ");
                q(x, src.data ?: "");
                netbuf_done(&src);
        }
        netbuf_printf(&x->b, " table %u metric %u proto %u", r->table, r->metric, r->protocol);
        if (r->family == AF_INET)
                netbuf_printf(&x->b, " scope %u", r->scope);
        if (r->mtu)
                netbuf_printf(&x->b, " mtu %u", r->mtu);
        if (r->advmss)
                netbuf_printf(&x->b, " advmss %u", r->advmss);
        if (!r->multipath && r->n_nexthops == 1 && (r->nexthops[0].flags & RTNH_F_ONLINK))
                put(x, " onlink");
        if (r->multipath && !multipath_native && only_nexthop < r->n_nexthops &&
            (r->nexthops[only_nexthop].flags & RTNH_F_ONLINK))
                put(x, " onlink");
        if (r->multipath && multipath_native)
                for (size_t i = 0; i < r->n_nexthops; i++) {
                        const NetNexthop *n = &r->nexthops[i];
                        put(x, " nexthop");
                        put_nexthop_single(x, r, n);
                        netbuf_printf(&x->b, " weight %u", n->weight ?: 1);
                        if (n->flags & RTNH_F_ONLINK)
                                put(x, " onlink");
                }
}

static bool route_needs_iproute2(const NetRoute *r, bool *ret_degradable) {
        bool foreign_gw = false;
        for (size_t i = 0; i < r->n_nexthops; i++)
                foreign_gw = foreign_gw || (r->nexthops[i].gateway.family && r->nexthops[i].gateway.family != r->family);
        *ret_degradable = r->multipath && !foreign_gw && !r->tos && !r->src_len;
        return foreign_gw || r->tos || r->src_len || r->multipath;
}

static void route(Script *x, const NetRoute *r) {
        char what[256];
        bool degradable;

        describe_route(r, what, sizeof(what));
        const NetLink *cause = netstate_route_skipped_cause(x->s, r);
        if (cause) {
                skip_line(x, "add %s (%s is not restored)", what, cause->name);
                return;
        }
        if (r->incomplete) {
                fail_line(x, "restore %s (uses attributes netstate does not carry)", what);
                return;
        }
        if (!route_needs_iproute2(r, &degradable)) {
                route_command(x, r, "ip_", false, 0);
                or_fail(x, "add %s", what);
                return;
        }
        put(x, "if [ -n \"$IPROUTE2\" ]; then ");
        route_command(x, r, "\"$IPROUTE2\"", true, 0);
        or_fail(x, "add %s", what);
        put(x, "else\n");
        if (!degradable) {
                put(x, "\t");
                fail_line(x, "add %s (busybox ip lacks via inet6, tos and from)", what);
                put(x, "fi\n");
                return;
        }
        /* Busybox: IPv6 merges appended gateway routes into one multipath
         * route of equal weights; IPv4 can only take the first nexthop. */
        bool exact = r->family == AF_INET6;
        size_t n = r->family == AF_INET6 ? r->n_nexthops : MIN(r->n_nexthops, (size_t) 1);
        for (size_t i = 0; i < n; i++) {
                exact = exact && r->nexthops[i].weight <= 1 && r->nexthops[i].gateway.family;
                put(x, "\t");
                route_command(x, r, "ip_", false, i);
                or_fail(x, "add %s (nexthop %zu)", what, i + 1);
        }
        if (!exact) {
                put(x, "\t");
                if (r->family == AF_INET)
                        fail_line(x, "add %s as multipath (busybox ip lacks nexthop: added the first nexthop only)", what);
                else
                        fail_line(x, "add %s with weights (busybox ip lacks nexthop: added equal weights)", what);
        }
        put(x, "fi\n");
}

static void routes(Script *x) {
        const NetState *s = x->s;

        put(x, "\n# Routes of every table; the kernel's own (implied) ones came back with\n"
               "# the addresses.\n");
        for (int rank = 0; rank < 3; rank++)
                for (size_t i = 0; i < s->n_routes; i++) {
                        const NetRoute *r = &s->routes[i];
                        if (!r->implied && netstate_route_rank(r) == rank)
                                route(x, r);
                }
}

static void rule_command(Script *x, const NetRule *r, const char *ip) {
        netbuf_printf(&x->b, "%s -%c rule add prio %u", ip, r->family == AF_INET ? '4' : '6', r->priority);
        if (r->invert)
                put(x, " not");
        if (r->src_len)
                put_prefix(x, " from ", r->family, r->src, r->src_len);
        if (r->dst_len)
                put_prefix(x, " to ", r->family, r->dst, r->dst_len);
        if (r->tos)
                netbuf_printf(&x->b, " tos 0x%x", r->tos);
        if (r->has_fwmark) {
                if (r->fwmask == UINT32_MAX)
                        netbuf_printf(&x->b, " fwmark 0x%x", r->fwmark);
                else
                        netbuf_printf(&x->b, " fwmark 0x%x/0x%x", r->fwmark, r->fwmask);
        }
        if (r->iif[0]) {
                put(x, " iif ");
                q(x, r->iif);
        }
        if (r->oif[0]) {
                put(x, " oif ");
                q(x, r->oif);
        }
        if (r->action == FR_ACT_TO_TBL)
                netbuf_printf(&x->b, " table %u", r->table);
        else if (r->action == FR_ACT_GOTO)
                netbuf_printf(&x->b, " goto %u", r->goto_target);
        else {
                const char *a = netstate_action_to_string(r->action);
                netbuf_printf(&x->b, " %s", a ?: "nop");
        }
        if (r->suppress_prefixlen >= 0)
                netbuf_printf(&x->b, " suppress_prefixlength %d", r->suppress_prefixlen);
}

static void rules(Script *x) {
        const NetState *s = x->s;

        put(x, "\n# Policy rules (the default ones exist already).\n");
        for (size_t i = 0; i < s->n_rules; i++) {
                const NetRule *r = &s->rules[i];
                char what[64];
                snprintf(what, sizeof(what), "rule prio %u (%s)", r->priority, netstate_family_to_string(r->family));
                if (r->incomplete) {
                        fail_line(x, "restore %s (uses selectors netstate does not carry)", what);
                        continue;
                }
                if (!r->invert && !r->oif[0] && r->action == FR_ACT_TO_TBL) {
                        rule_command(x, r, "ip_");
                        or_fail(x, "add %s", what);
                        continue;
                }
                put(x, "if [ -n \"$IPROUTE2\" ]; then ");
                rule_command(x, r, "\"$IPROUTE2\"");
                or_fail(x, "add %s", what);
                put(x, "else ");
                fail_line(x, "add %s (busybox ip lacks not, oif and rule actions)", what);
                put(x, "fi\n");
        }
}

/* A temporary name prefix no captured link starts with. */
static void pick_tmp_prefix(Script *x) {
        static const char *const candidates[] = { "nstmp", "nsrtmp", "nsxtmp", "nsqtmp" };
        for (size_t c = 0; c < ELEMENTSOF(candidates); c++) {
                bool clash = false;
                for (size_t i = 0; i < x->s->n_links && !clash; i++)
                        clash = strncmp(x->s->links[i].name, candidates[c], strlen(candidates[c])) == 0;
                snprintf(x->tmp_prefix, sizeof(x->tmp_prefix), "%s", candidates[c]);
                if (!clash)
                        return;
        }
}

int netstate_render_script(const NetState *s, char **ret) {
        Script x = { .s = s };
        int r;

        /* Names count toward IFNAMSIZ: prefix (<= 6) + index must fit. */
        if (s->n_links > 99999)
                return -E2BIG;
        pick_tmp_prefix(&x);
        put(&x, script_head);
        for (size_t i = 0; i < s->n_links; i++)
                if (s->links[i].loopback) {
                        put(&x, "ip_ link set dev ");
                        q(&x, s->links[i].name);
                        put(&x, " up");
                        or_fail(&x, "bring up link %s", s->links[i].name);
                }
        find_links(&x);
        rename_links(&x);
        put(&x, "\n# MAC and MTU of found NICs.\n");
        for (size_t i = 0; i < s->n_links; i++)
                if (is_matched(&s->links[i])) {
                        netbuf_printf(&x.b, "if [ -n \"$L%zu\" ]; then\n", i);
                        set_mac_mtu(&x, &s->links[i], "\t");
                        put(&x, "fi\n");
                }

        put(&x, "\n# Virtual links in dependency order: bonds and their slaves, bridges,\n"
                "# VLANs/macvlans on their lower devices, then bridge ports.\n");
        create_bonds(&x);
        enslave(&x, "bond");
        create_simple(&x, "bridge");
        create_simple(&x, "dummy");
        create_simple(&x, "ifb");
        r = create_stacked(&x);
        if (r < 0) {
                netbuf_done(&x.b);
                return r;
        }
        enslave(&x, "bridge");
        for (size_t i = 0; i < s->n_links; i++)
                if (is_created(&s->links[i]) && !skipped_cause(&x, &s->links[i]))
                        set_mac_mtu(&x, &s->links[i], "");

        addresses(&x);
        put(&x, "\n# Links up: NICs, bonds, then the rest.\n");
        links_up(&x, up_matched);
        links_up(&x, up_bond);
        links_up(&x, up_other_created);
        routes(&x);
        rules(&x);
        put(&x, "\nexit $failed\n");
        return netbuf_finish(&x.b, ret);
}
