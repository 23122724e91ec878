/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Host facts for the repair: what the operator needs in the rescue to find
 * and mount the host's storage (fstab, crypttab, mdadm.conf, the block
 * devices as sysfs shows them, LVM volumes, the host's cmdline and kernel).
 * Copies and listings only; nothing here is needed to boot the rescue, so
 * every failure is a warning. */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "agent-hostfacts.h"
#include "agent-log.h"
#include "fileio.h"
#include "macro.h"

#define HOSTFACTS_DIR "etc/agent/host"
#define HOSTFACTS_FILE_MAX (1024 * 1024)
#define HOSTFACTS_DEVICES_MAX 512

/* Copies root/path to HOSTFACTS_DIR/name when it exists: 1 copied, 0 not. */
static int copy_file(CpioWriter *w, const char *root, const char *path, const char *name) {
        _cleanup_free_ char *data = NULL, *dest = NULL;
        size_t size;
        int r;

        r = read_full_file_below(root, path, HOSTFACTS_FILE_MAX, &data, &size);
        if (r == -ENOENT || r == -ENOTDIR)
                return 0;
        if (r < 0) {
                log_warning("host facts: cannot read %s (%s)", path, strerror(-r));
                return 0;
        }
        if (asprintf(&dest, HOSTFACTS_DIR "/%s", name) < 0)
                return -ENOMEM;
        r = cpio_writer_add_file(w, dest, 0644, 0, 0, 0, data, size);
        return r < 0 ? r : 1;
}

/* The first line of a sysfs attribute, "" when missing. */
static void sysfs_line(const char *root, const char *dev, const char *attr, char *buf, size_t size) {
        _cleanup_free_ char *path = NULL, *text = NULL;

        buf[0] = '\0';
        if (asprintf(&path, "/sys/class/block/%s/%s", dev, attr) < 0)
                return;
        if (read_full_file_below(root, path, 4096, &text, NULL) < 0)
                return;
        text[strcspn(text, "\n")] = '\0';
        snprintf(buf, size, "%s", text);
}

/* Names in root/sys/class/block/dev/sub (holders, slaves), comma-separated. */
static void sysfs_list(const char *root, const char *dev, const char *sub, char *buf, size_t size) {
        _cleanup_free_ char *path = NULL;
        struct dirent *de;
        size_t len = 0;
        DIR *d;

        buf[0] = '\0';
        if (asprintf(&path, "%s/sys/class/block/%s/%s", root ?: "", dev, sub) < 0)
                return;
        d = opendir(path);
        if (!d)
                return;
        while ((de = readdir(d)) && len + 1 < size) {
                if (de->d_name[0] == '.')
                        continue;
                len += (size_t) snprintf(buf + len, size - len, "%s%s", len ? "," : "", de->d_name);
        }
        closedir(d);
        if (len >= size)
                buf[size - 1] = '\0';
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char * const *) a, *(char * const *) b);
}

/* One line per block device (disks and partitions, md, dm, loop...):
 *   NAME size=BYTES ro=0|1 removable=0|1 type=disk|part|md|dm|... model= md_level=
 *   dm_name= dm_uuid= slaves= holders=
 * and, for device-mapper devices whose uuid starts with "LVM-", a line in
 * the LVM listing: VG-LV (the dm name), its uuid and what it sits on. */
static int block_listings(const char *root, char **ret_block, char **ret_lvm) {
        _cleanup_free_ char *dir_path = NULL;
        char *names[HOSTFACTS_DEVICES_MAX];
        size_t n = 0;
        FILE *block = NULL, *lvm = NULL;
        char *block_text = NULL, *lvm_text = NULL;
        size_t block_size = 0, lvm_size = 0;
        struct dirent *de;
        DIR *d;

        if (asprintf(&dir_path, "%s/sys/class/block", root ?: "") < 0)
                return -ENOMEM;
        d = opendir(dir_path);
        if (!d)
                return -errno;
        while ((de = readdir(d)) && n < ELEMENTSOF(names)) {
                if (de->d_name[0] == '.' || strlen(de->d_name) > 64)
                        continue;
                names[n] = strdup(de->d_name);
                if (names[n])
                        n++;
        }
        closedir(d);
        qsort(names, n, sizeof(char *), cmp_str);

        block = open_memstream(&block_text, &block_size);
        lvm = open_memstream(&lvm_text, &lvm_size);
        if (!block || !lvm) {
                if (block)
                        fclose(block);
                if (lvm)
                        fclose(lvm);
                free(block_text);
                free(lvm_text);
                for (size_t i = 0; i < n; i++)
                        free(names[i]);
                return -ENOMEM;
        }
        fputs("# block devices of the host (from /sys/class/block) when agent go ran\n", block);
        fputs("# LVM logical volumes of the host (device-mapper devices with an LVM- uuid)\n"
              "# dm-name (VG-LV)  uuid  on\n", lvm);
        for (size_t i = 0; i < n; i++) {
                char size[32], ro[8], removable[8], partition[8], model[128], md_level[32];
                char dm_name[128], dm_uuid[160], slaves[256], holders[256], path[96];
                unsigned long long sectors;
                const char *type;
                const char *dev = names[i];

                sysfs_line(root, dev, "size", size, sizeof(size));
                sysfs_line(root, dev, "ro", ro, sizeof(ro));
                sysfs_line(root, dev, "removable", removable, sizeof(removable));
                sysfs_line(root, dev, "partition", partition, sizeof(partition));
                sysfs_line(root, dev, "device/model", model, sizeof(model));
                sysfs_line(root, dev, "md/level", md_level, sizeof(md_level));
                sysfs_line(root, dev, "dm/name", dm_name, sizeof(dm_name));
                sysfs_line(root, dev, "dm/uuid", dm_uuid, sizeof(dm_uuid));
                sysfs_list(root, dev, "slaves", slaves, sizeof(slaves));
                sysfs_list(root, dev, "holders", holders, sizeof(holders));
                snprintf(path, sizeof(path), "%s", dev);
                sectors = strtoull(size, NULL, 10);   /* always 512-byte units */
                type = partition[0] ? "part" : md_level[0] ? "md" : dm_name[0] ? "dm" :
                       strncmp(dev, "loop", 4) == 0 ? "loop" : strncmp(dev, "zram", 4) == 0 ? "zram" : "disk";
                /* model is padded with blanks by SCSI */
                for (size_t k = strlen(model); k > 0 && model[k - 1] == ' '; k--)
                        model[k - 1] = '\0';
                fprintf(block, "%s size=%llu type=%s ro=%s removable=%s", path, sectors * 512, type,
                        ro[0] ? ro : "?", removable[0] ? removable : "?");
                if (model[0])
                        fprintf(block, " model=\"%s\"", model);
                if (md_level[0])
                        fprintf(block, " md_level=%s", md_level);
                if (dm_name[0])
                        fprintf(block, " dm_name=%s", dm_name);
                if (dm_uuid[0])
                        fprintf(block, " dm_uuid=%s", dm_uuid);
                if (slaves[0])
                        fprintf(block, " slaves=%s", slaves);
                if (holders[0])
                        fprintf(block, " holders=%s", holders);
                fputc('\n', block);
                if (strncmp(dm_uuid, "LVM-", 4) == 0)
                        fprintf(lvm, "%s  %s  %s\n", dm_name, dm_uuid, slaves[0] ? slaves : "-");
        }
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        if (fclose(block) != 0 || fclose(lvm) != 0) {
                free(block_text);
                free(lvm_text);
                return -ENOMEM;
        }
        *ret_block = block_text;
        *ret_lvm = lvm_text;
        return 0;
}

static int add_text(CpioWriter *w, const char *name, const char *text) {
        _cleanup_free_ char *dest = NULL;

        if (asprintf(&dest, HOSTFACTS_DIR "/%s", name) < 0)
                return -ENOMEM;
        return cpio_writer_add_file(w, dest, 0644, 0, 0, 0, text, strlen(text));
}

int hostfacts_add(CpioWriter *w, const char *root) {
        static const struct {
                const char *path, *name;
        } files[] = {
                { "/etc/fstab", "fstab" },
                { "/etc/crypttab", "crypttab" },
                { "/etc/mdadm/mdadm.conf", "mdadm.conf" },
                { "/etc/mdadm.conf", "mdadm.conf" },
                { "/proc/mdstat", "mdstat" },
                { "/proc/cmdline", "cmdline" },
        };
        _cleanup_free_ char *block = NULL, *lvm = NULL;
        struct utsname u;
        bool copied = false;
        int r;

        if ((r = cpio_writer_add_dir(w, "etc/agent", 0755, 0, 0, 0)) < 0 ||
            (r = cpio_writer_add_dir(w, HOSTFACTS_DIR, 0755, 0, 0, 0)) < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                /* Debian's /etc/mdadm/mdadm.conf first; the other only without it. */
                if (i > 0 && streq(files[i].name, files[i - 1].name) && copied)
                        continue;
                r = copy_file(w, root, files[i].path, files[i].name);
                if (r < 0)
                        return r;
                copied = r > 0;
        }
        if (uname(&u) == 0) {
                _cleanup_free_ char *line = NULL;

                if (asprintf(&line, "%s\n", u.release) < 0)
                        return -ENOMEM;
                r = add_text(w, "kernel-release", line);
                if (r < 0)
                        return r;
        }
        r = block_listings(root, &block, &lvm);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                log_warning("host facts: cannot list /sys/class/block (%s)", strerror(-r));
                return 0;
        }
        r = add_text(w, "block-devices", block);
        if (r >= 0)
                r = add_text(w, "lvm", lvm);
        return r;
}
