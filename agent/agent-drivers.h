/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Does the rescue kernel have a driver for this host's NICs? A NIC without
 * one stays down after the reboot: the operator is locked out. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define DRIVERS_MAX_NICS 64

typedef struct NicDriver {
        char name[16];          /* eth0 */
        char modalias[256];     /* pci:v00008086d... */
        char host_driver[64];   /* what drives it on this host, "" if unknown */
        int found;              /* 1: a module or built-in driver of the rescue matches */
        int carries_default;    /* 1: a default route goes out through it (or a device above it) */
} NicDriver;

#define DRIVERS_MAX_DISKS 64

typedef struct StorageDriver {
        char name[32];          /* sda, nvme0n1, vda */
        unsigned checked;       /* devices with a bound driver on its path */
        char missing[512];      /* "ahci (pci:v...)": those the rescue lacks, "" if none */
} StorageDriver;

/* Checks every physical NIC that is up (below root's /sys/class/net) against
 * the rescue's modules.alias text ("alias PATTERN MODULE" lines, fnmatch
 * patterns as modprobe uses them). Fills nics (at most DRIVERS_MAX_NICS)
 * and returns how many it looked at. */
int drivers_check(const char *root, const char *aliases, size_t aliases_size, NicDriver *nics);

/* Whether modalias matches an "alias PATTERN MODULE" line of aliases. */
bool drivers_alias_matches(const char *aliases, size_t size, const char *modalias);

/* Sets carries_default on the NICs in nics[n] that route_devs (a
 * NULL-terminated list of the devices the default routes use) are, or sit
 * on (bond slaves, VLAN and bridge lower devices, by sysfs lower_* links). */
void drivers_mark_default_route(const char *root, NicDriver *nics, size_t n, char *const *route_devs);

/* Checks each disk of root's /sys/block (not loop, ram, zram, dm, md, nbd)
 * against aliases: every device on its sysfs path with a bound driver and a
 * modalias (the disk, its controller, the bus bridge) must match. Fills
 * disks (at most DRIVERS_MAX_DISKS) with the disks that have such devices
 * and returns how many. */
int drivers_check_storage(const char *root, const char *aliases, size_t aliases_size, StorageDriver *disks);
