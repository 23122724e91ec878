/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The host's sshd ports, so the rescue listens where the operator's ssh
 * command and firewall rules already point. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SSHD_MAX_PORTS 16
#define SSHD_DEFAULT_PORT 22

/* Port directives of root/etc/ssh/sshd_config and the files it Includes
 * (first occurrence wins per port, as sshd collects them; Match blocks end
 * the search, Port is not allowed there). No sshd_config or no Port line:
 * the one default port. Fills ports[] (SSHD_MAX_PORTS) and returns how many;
 * -EBADMSG for a Port value that is no port number. */
int sshd_config_ports(const char *root, uint16_t ports[static SSHD_MAX_PORTS]);
