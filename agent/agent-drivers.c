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

static bool alias_matches(const char *aliases, size_t size, const char *modalias) {
        _cleanup_free_ char *copy = strndup(aliases, size);

        if (!copy)
                return false;
        for (char *line = copy, *next; line && *line; line = next) {
                char *pattern, *save = NULL;

                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                if (strncmp(line, "alias ", 6) != 0)
                        continue;
                pattern = strtok_r(line + 6, " \t", &save);
                if (pattern && fnmatch(pattern, modalias, 0) == 0)
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
                nic->found = alias_matches(aliases, aliases_size, nic->modalias);
                n++;
        }
        closedir(d);
        return (int) n;
}
