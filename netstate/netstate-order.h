/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internal to netstate/: the order in which both restores (netlink and the
 * script) create stacked links and add routes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "netstate-internal.h"

/* A VLAN or a macvlan: a link made on a lower device, which may be one too. */
bool netstate_link_is_stacked(const NetLink *l);

/* The stacked links of s as indexes into s->links, in rounds: each round
 * takes, in state order, those whose lower device is not a stacked link
 * still waiting (QinQ: the outer VLAN before the inner). Links that
 * netstate_link_skipped_cause() names are left out: the restores report them
 * where they look for links. The first *ret_n_ordered indexes are in
 * creation order; the rest, up to *ret_n, wait on each other in a loop (a
 * broken state file), in state order. *ret_order is for free(); -ENOMEM. */
int netstate_stacked_order(const NetState *s, size_t **ret_order, size_t *ret_n_ordered, size_t *ret_n);

/* The round in which both restores add route r: 0 for device routes, 1 for
 * routes through on-link gateways, 2 for the rest, so that a gateway is
 * reachable when its route is added. */
int netstate_route_rank(const NetRoute *r);
