/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The overlay: what makes the rescue system this host (network, keys, DNS,
 * hostname, settings), as an initramfs member appended to the rescue's own. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "agent-keys.h"
#include "agent-sshd.h"
#include "agent.h"
#include "netstate.h"

#define OVERLAY_ADDRESS_MAX 46      /* an IPv6 address as text, with its NUL */

typedef struct Overlay {
        void *data;             /* compressed member + the sentinel member */
        size_t size;
        size_t unpacked_size;   /* bytes of cpio before compression */
        NetState *net;
        KeysReport keys;
        char ports[SSHD_MAX_PORTS * 6];  /* "22 2222": where the rescue's sshd listens */
} Overlay;

/* Captures the host and builds the overlay. Logs failures. */
int overlay_build(const AgentOptions *o, Overlay *ret);
void overlay_done(Overlay *ov);
/* The addresses the rescue comes back on (scope global, as captured), from
 * *i on: fills addr (text, no prefix length) and *ret_dev, leaves *i at the
 * one returned; false after the last. Walk them with
 * OVERLAY_FOREACH_ADDRESS. */
bool overlay_next_address(const Overlay *ov, size_t *i, char addr[static OVERLAY_ADDRESS_MAX], const char **ret_dev);
#define OVERLAY_FOREACH_ADDRESS(ov, i, addr, dev) \
        for (size_t i = 0; overlay_next_address((ov), &i, (addr), &(dev)); i++)

/* The rescue's login promise, for the operator: addresses, ports, host keys. */
void overlay_print_summary(const Overlay *ov, const AgentOptions *o);
