/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Host facts in the overlay under etc/agent/host/: what a repair in the
 * rescue needs to know about the host's storage and boot. */
#pragma once

#include "cpio.h"

/* Adds etc/agent/host/{fstab,crypttab,mdadm.conf,mdstat,cmdline,
 * kernel-release,block-devices,lvm} from the files and sysfs below root
 * (missing files are left out; unreadable ones are warned about). Only
 * errors of w (-ENOMEM) fail. */
int hostfacts_add(CpioWriter *w, const char *root);
