/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stacked links after their lower devices, shared by the netlink restore
 * and the restore script so both create them in the same order. */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "netstate-order.h"

bool netstate_link_is_stacked(const NetLink *l) {
        return strcmp(l->kind, "vlan") == 0 || strcmp(l->kind, "macvlan") == 0;
}

int netstate_stacked_order(const NetState *s, size_t **ret_order, size_t *ret_n_ordered, size_t *ret_n) {
        _cleanup_free_ bool *done = calloc(s->n_links ?: 1, sizeof(bool));
        _cleanup_free_ size_t *order = calloc(s->n_links ?: 1, sizeof(size_t));
        size_t n = 0, n_ordered;

        if (!done || !order)
                return -ENOMEM;
        for (bool progress = true; progress;) {
                progress = false;
                for (size_t i = 0; i < s->n_links; i++) {
                        const NetLink *l = &s->links[i];
                        if (done[i] || !netstate_link_is_stacked(l))
                                continue;
                        if (!netstate_link_skipped_cause(s, l)) {
                                const NetLink *p = netstate_find_link(s, l->parent);
                                if (p && netstate_link_is_stacked(p) && !done[p - s->links])
                                        continue;
                                order[n++] = i;
                        }
                        done[i] = progress = true;
                }
        }
        n_ordered = n;
        for (size_t i = 0; i < s->n_links; i++)
                if (netstate_link_is_stacked(&s->links[i]) && !done[i])
                        order[n++] = i;
        *ret_order = TAKE_PTR(order);
        *ret_n_ordered = n_ordered;
        *ret_n = n;
        return 0;
}

int netstate_route_rank(const NetRoute *r) {
        bool gw = false, onlink = false;

        for (size_t i = 0; i < r->n_nexthops; i++) {
                gw = gw || r->nexthops[i].gateway.family;
                onlink = onlink || (r->nexthops[i].flags & RTNH_F_ONLINK);
        }
        return !gw ? 0 : onlink ? 1 : 2;
}
