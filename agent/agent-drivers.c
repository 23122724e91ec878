/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent-drivers.h"
#include "fileio.h"
#include "macro.h"

static int read_line_below(const char *root, const char *dev, const char *file, char *buf, size_t size) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        int r;

        if (asprintf(&path, "/sys/class/net/%s/%s", dev, file) < 0)
                return -ENOMEM;
        r = read_full_file_below(root, path, 4096, &text, NULL);
        if (r < 0)
                return r;
        text[strcspn(text, "\n")] = '\0';
        snprintf(buf, size, "%s", text);
        return 0;
}

/* fnmatch(3) on every line was 3 ms of go's preflight in a TCG guest (1,500
 * patterns, per device, plus a copy of the whole list each time). A pattern
 * only matches when its literal head (up to the first wildcard, class or
 * escape) starts modalias: the walk stops at the first character that
 * differs, which for nearly every line is one of the first few, and
 * fnmatch runs on the few lines left. */
static bool is_pattern_special(char c) {
        return c == '*' || c == '?' || c == '[' || c == '\\';
}

static bool is_blank(char c) {
        return c == ' ' || c == '\t';
}

/* The pattern at p (up to eol) against modalias. */
static bool alias_line_matches(const char *p, const char *eol, const char *modalias) {
        _cleanup_free_ char *heap = NULL;
        char buf[256], *pattern = buf;
        size_t i = 0, len;

        while (p + i < eol && modalias[i] != '\0' && !is_blank(p[i]) && !is_pattern_special(p[i]) &&
               p[i] == modalias[i])
                i++;
        if (p + i == eol || is_blank(p[i]))
                return i > 0 && modalias[i] == '\0';   /* all literal: equal or not */
        if (!is_pattern_special(p[i]))
                return false;                           /* the literal head differs */
        for (len = i; p + len < eol && !is_blank(p[len]); len++)
                ;
        if (len >= sizeof(buf)) {
                pattern = heap = strndup(p, len);
                if (!pattern)
                        return false;
        } else {
                memcpy(buf, p, len);
                buf[len] = '\0';
        }
        return fnmatch(pattern, modalias, 0) == 0;
}

bool drivers_alias_matches(const char *aliases, size_t size, const char *modalias) {
        const char *end = aliases + size;

        for (const char *line = aliases, *eol; line < end; line = eol + 1) {
                eol = memchr(line, '\n', (size_t) (end - line)) ?: end;
                if ((size_t) (eol - line) <= 6 || memcmp(line, "alias ", 6) != 0)
                        continue;
                for (line += 6; line < eol && is_blank(*line); line++)
                        ;
                if (alias_line_matches(line, eol, modalias))
                        return true;
        }
        return false;
}

int drivers_check(const char *root, const char *aliases, size_t aliases_size, NicDriver *nics) {
        _cleanup_free_ char *dir_path = NULL;
        struct dirent *de;
        size_t n = 0;
        DIR *d;

        if (asprintf(&dir_path, "%s/sys/class/net", root ?: "") < 0)
                return -ENOMEM;
        d = opendir(dir_path);
        if (!d)
                return -errno;
        while ((de = readdir(d)) && n < DRIVERS_MAX_NICS) {
                NicDriver *nic = &nics[n];
                char flags[32], link[PATH_MAX];
                _cleanup_free_ char *driver_path = NULL;
                ssize_t k;

                if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(nic->name))
                        continue;
                *nic = (NicDriver) {};
                memcpy(nic->name, de->d_name, strlen(de->d_name) + 1);
                /* Only NICs backed by a device (not lo, bridges, VLANs) and up. */
                if (read_line_below(root, nic->name, "device/modalias", nic->modalias, sizeof(nic->modalias)) < 0 ||
                    read_line_below(root, nic->name, "flags", flags, sizeof(flags)) < 0 ||
                    !(strtoul(flags, NULL, 16) & IFF_UP))
                        continue;
                if (asprintf(&driver_path, "%s/sys/class/net/%s/device/driver", root ?: "", nic->name) < 0) {
                        closedir(d);
                        return -ENOMEM;
                }
                k = readlink(driver_path, link, sizeof(link) - 1);
                if (k > 0) {
                        const char *base;

                        link[k] = '\0';
                        base = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
                        if (strlen(base) < sizeof(nic->host_driver))
                                memcpy(nic->host_driver, base, strlen(base) + 1);
                }
                nic->found = drivers_alias_matches(aliases, aliases_size, nic->modalias);
                n++;
        }
        closedir(d);
        return (int) n;
}

/* Marks dev and every device below it (a bond's slaves, a VLAN's or a
 * bridge's lower devices: the kernel's lower_* links in sysfs). */
static void mark_lower(const char *root, const char *dev, NicDriver *nics, size_t n, unsigned depth) {
        _cleanup_free_ char *path = NULL;
        struct dirent *de;
        DIR *d;

        for (size_t i = 0; i < n; i++)
                if (streq(nics[i].name, dev))
                        nics[i].carries_default = 1;
        if (depth >= 8 || asprintf(&path, "%s/sys/class/net/%s", root ?: "", dev) < 0)
                return;
        d = opendir(path);
        if (!d)
                return;
        while ((de = readdir(d)))
                if (strncmp(de->d_name, "lower_", 6) == 0 && de->d_name[6])
                        mark_lower(root, de->d_name + 6, nics, n, depth + 1);
        closedir(d);
}

void drivers_mark_default_route(const char *root, NicDriver *nics, size_t n, char *const *route_devs) {
        for (size_t i = 0; route_devs && route_devs[i]; i++)
                if (!strchr(route_devs[i], '/') && !strstr(route_devs[i], ".."))
                        mark_lower(root, route_devs[i], nics, n, 0);
}

/* Skips block devices without hardware behind them. */
static bool block_is_virtual(const char *name) {
        static const char *const prefixes[] = { "loop", "ram", "zram", "dm-", "md", "nbd", "drbd" };

        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++)
                if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
                        return true;
        return false;
}

/* Walks from the disk's device up to /sys/devices; every device on the way
 * that a driver is bound to on this host and that has a modalias (the disk
 * itself for sd, its controller for ahci, nvme, virtio_blk...) needs a
 * matching driver in the rescue. */
static void check_disk(const char *root, const char *aliases, size_t aliases_size, StorageDriver *disk) {
        _cleanup_free_ char *link = NULL, *devices = NULL;
        char real[PATH_MAX];
        size_t len = 0, base_len;

        if (asprintf(&link, "%s/sys/block/%s/device", root ?: "", disk->name) < 0 ||
            asprintf(&devices, "%s/sys/devices", root ?: "") < 0 || !realpath(link, real))
                return;
        /* realpath of the prefix too: root may itself be a symlink */
        {
                char real_devices[PATH_MAX];
                if (!realpath(devices, real_devices))
                        return;
                base_len = strlen(real_devices);
                if (strncmp(real, real_devices, base_len) != 0)
                        return;
        }
        for (unsigned depth = 0; depth < 16 && strlen(real) > base_len; depth++) {
                _cleanup_free_ char *modalias = NULL, *alias_path = NULL, *driver_path = NULL;
                char driver[PATH_MAX];
                ssize_t k;
                char *slash;

                if (asprintf(&alias_path, "%s/modalias", real) < 0 || asprintf(&driver_path, "%s/driver", real) < 0)
                        return;
                k = readlink(driver_path, driver, sizeof(driver) - 1);
                if (k > 0 && read_full_file(alias_path, 4096, &modalias, NULL) >= 0) {
                        const char *name;

                        driver[k] = '\0';
                        name = strrchr(driver, '/') ? strrchr(driver, '/') + 1 : driver;
                        modalias[strcspn(modalias, "\n")] = '\0';
                        /* PCI bridges and USB hubs: the kernel's own port drivers, not
                         * the storage path the rescue must bring along. */
                        if ((strncmp(modalias, "pci:", 4) == 0 && strstr(modalias, "bc06")) ||
                            (strncmp(modalias, "usb:", 4) == 0 && strstr(modalias, "dc09")))
                                goto up;
                        disk->checked++;
                        if (!drivers_alias_matches(aliases, aliases_size, modalias) && len + 2 < sizeof(disk->missing))
                                len += (size_t) snprintf(disk->missing + len, sizeof(disk->missing) - len, "%s%s (%s)",
                                                         len ? ", " : "", name, modalias);
                }
        up:
                slash = strrchr(real, '/');
                if (!slash)
                        break;
                *slash = '\0';
        }
        if (len >= sizeof(disk->missing))
                disk->missing[sizeof(disk->missing) - 1] = '\0';
}

int drivers_check_storage(const char *root, const char *aliases, size_t aliases_size, StorageDriver *disks) {
        _cleanup_free_ char *dir_path = NULL;
        struct dirent *de;
        size_t n = 0;
        DIR *d;

        if (asprintf(&dir_path, "%s/sys/block", root ?: "") < 0)
                return -ENOMEM;
        d = opendir(dir_path);
        if (!d)
                return -errno;
        while ((de = readdir(d)) && n < DRIVERS_MAX_DISKS) {
                StorageDriver *disk = &disks[n];

                if (de->d_name[0] == '.' || block_is_virtual(de->d_name) || strlen(de->d_name) >= sizeof(disk->name))
                        continue;
                *disk = (StorageDriver) {};
                memcpy(disk->name, de->d_name, strlen(de->d_name) + 1);
                check_disk(root, aliases, aliases_size, disk);
                if (disk->checked > 0)
                        n++;
        }
        closedir(d);
        return (int) n;
}
