/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Does the rescue kernel have a driver for this host's NICs? A NIC without
 * one stays down after the reboot: the operator is locked out. */
#pragma once

#include <stddef.h>

#define DRIVERS_MAX_NICS 64

typedef struct NicDriver {
        char name[16];          /* eth0 */
        char modalias[256];     /* pci:v00008086d... */
        char host_driver[64];   /* what drives it on this host, "" if unknown */
        int found;              /* 1: a module or built-in driver of the rescue matches */
} NicDriver;

/* Checks every physical NIC that is up (below root's /sys/class/net) against
 * the rescue's modules.alias text ("alias PATTERN MODULE" lines, fnmatch
 * patterns as modprobe uses them). Fills nics (at most DRIVERS_MAX_NICS)
 * and returns how many it looked at. */
int drivers_check(const char *root, const char *aliases, size_t aliases_size, NicDriver *nics);
