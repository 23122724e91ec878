/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The overlay: what makes the rescue system this host (network, keys, DNS,
 * hostname, settings), as an initramfs member appended to the rescue's own. */
#pragma once

#include <stddef.h>

#include "agent-keys.h"
#include "agent-sshd.h"
#include "agent.h"
#include "netstate.h"

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
/* The rescue's login promise, for the operator: addresses, ports, host keys. */
void overlay_print_summary(const Overlay *ov, const AgentOptions *o);
