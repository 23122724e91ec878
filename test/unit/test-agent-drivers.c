/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The NIC driver preflight against a fake /sys/class/net: up NICs backed by
 * a device are matched against modules.alias patterns as modprobe matches
 * them; down NICs and virtual links are not checked; the NICs under a
 * default route are found through lower_* links; disks are checked along
 * their sysfs device path. */
#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-drivers.h"
#include "test-util.h"

static char *root;

static void nic(const char *name, const char *flags, const char *modalias, const char *driver) {
        _cleanup_free_ char *dir = NULL, *path = NULL;

        ASSERT_TRUE(asprintf(&dir, "%s/sys/class/net/%s", root, name) > 0);
        ASSERT_EQ(mkdir(dir, 0755), 0);
        path = tu_path_join(dir, "flags");
        ASSERT_OK(tu_write_file(path, flags, strlen(flags)));
        free(path), path = NULL;
        if (!modalias)
                return;
        path = tu_path_join(dir, "device");
        ASSERT_EQ(mkdir(path, 0755), 0);
        free(path), path = NULL;
        path = tu_path_join(dir, "device/modalias");
        ASSERT_OK(tu_write_file(path, modalias, strlen(modalias)));
        free(path), path = NULL;
        if (driver) {
                _cleanup_free_ char *target = NULL;
                ASSERT_TRUE(asprintf(&target, "../../../bus/pci/drivers/%s", driver) > 0);
                path = tu_path_join(dir, "device/driver");
                ASSERT_EQ(symlink(target, path), 0);
                free(path), path = NULL;
        }
}

static int mkdir_p(const char *path) {
        _cleanup_free_ char *copy = strdup(path);

        if (!copy)
                return -ENOMEM;
        for (char *p = copy + 1; *p; p++)
                if (*p == '/') {
                        *p = '\0';
                        if (mkdir(copy, 0755) < 0 && errno != EEXIST)
                                return -errno;
                        *p = '/';
                }
        return mkdir(copy, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

/* A device directory below sys/devices with a modalias and a bound driver. */
static void device(const char *path, const char *modalias, const char *driver) {
        _cleanup_free_ char *dir = NULL, *file = NULL, *link = NULL, *target = NULL;

        dir = tu_path_join(root, path);
        ASSERT_OK(mkdir_p(dir));
        if (modalias) {
                file = tu_path_join(dir, "modalias");
                ASSERT_OK(tu_write_file(file, modalias, strlen(modalias)));
        }
        if (driver) {
                ASSERT_TRUE(asprintf(&target, "%s/sys/bus/pci/drivers/%s", root, driver) > 0);
                link = tu_path_join(dir, "driver");
                ASSERT_EQ(symlink(target, link), 0);
        }
}

static void disk(const char *name, const char *device_path) {
        _cleanup_free_ char *dir = NULL, *link = NULL, *target = NULL;

        ASSERT_TRUE(asprintf(&dir, "%s/sys/block/%s", root, name) > 0);
        ASSERT_OK(mkdir_p(dir));
        if (!device_path)
                return;
        target = tu_path_join(root, device_path);
        link = tu_path_join(dir, "device");
        ASSERT_EQ(symlink(target, link), 0);
}

/* Disks: every device on the path with a bound driver must have a match in
 * the rescue, except PCI bridges (the kernel's port driver). */
static void test_storage(void) {
        static const char aliases[] =
                "alias pci:v*d*sv*sd*bc01sc06i01* ahci\n"
                "alias scsi:t-0x00* sd_mod\n";
        StorageDriver disks[DRIVERS_MAX_DISKS];
        int n;

        device("sys/devices/pci0000:00/0000:00:1f.2", "pci:v00008086d00002922sv00001AF4sd00001100bc01sc06i01\n", "ahci");
        device("sys/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0", "scsi:t-0x00\n", "sd");
        device("sys/devices/pci0000:00/0000:00:1c.0", "pci:v00008086d00002948sv00000000sd00000000bc06sc04i00\n", "pcieport");
        device("sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0", "pci:v0000144Dd0000A808sv0000144Dsd0000A801bc01sc08i02\n", "nvme");
        device("sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0/nvme/nvme0", NULL, NULL);
        disk("sda", "sys/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0");
        disk("nvme0n1", "sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0/nvme/nvme0");
        disk("loop0", NULL);
        disk("dm-0", NULL);

        n = drivers_check_storage(root, aliases, sizeof(aliases) - 1, disks);
        ASSERT_EQ(n, 2);
        for (int i = 0; i < n; i++) {
                if (streq(disks[i].name, "sda")) {
                        ASSERT_EQ(disks[i].checked, 2);     /* sd, ahci */
                        ASSERT_STREQ(disks[i].missing, "");
                } else {
                        ASSERT_STREQ(disks[i].name, "nvme0n1");
                        ASSERT_EQ(disks[i].checked, 1);     /* nvme; not pcieport */
                        ASSERT_STREQ(disks[i].missing, "nvme (pci:v0000144Dd0000A808sv0000144Dsd0000A801bc01sc08i02)");
                }
        }
}

static const NicDriver *find(const NicDriver *nics, int n, const char *name) {
        for (int i = 0; i < n; i++)
                if (streq(nics[i].name, name))
                        return &nics[i];
        return NULL;
}

/* The matcher against fnmatch(3) run on every line, as modprobe's patterns
 * mean: synthetic lines (wildcards first, last, classes, escapes, no
 * wildcard at all), then the rescue's real modules.alias when one is
 * around ($TEST_MODULES_ALIAS or the build's rescue cache), every third
 * pattern tried with modaliases made from it. */
static bool reference_matches(const char *aliases, const char *modalias) {
        _cleanup_free_ char *copy = strdup(aliases);
        char *save = NULL;

        ASSERT_TRUE(copy);
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *pattern, *s2 = NULL;

                if (strncmp(line, "alias ", 6) != 0)
                        continue;
                pattern = strtok_r(line + 6, " \t", &s2);
                if (pattern && fnmatch(pattern, modalias, 0) == 0)
                        return true;
        }
        return false;
}

/* modalias candidates from a pattern: wildcards filled in two ways. */
static void candidates(const char *pattern, size_t len, char out[4][300]) {
        for (int k = 0; k < 4; k++) {
                size_t o = 0;

                for (size_t i = 0; i < len && o < 290; i++) {
                        char c = pattern[i];

                        if (c == '*')
                                o += (size_t) snprintf(out[k] + o, 300 - o, "%s", k == 0 ? "" : k == 1 ? "00A1" : "x");
                        else if (c == '?')
                                out[k][o++] = k == 2 ? '9' : 'B';
                        else if (c == '[') {
                                const char *close = memchr(pattern + i + 1, ']', len - i - 1);
                                out[k][o++] = k == 3 ? '#' : pattern[i + 1];
                                i = close ? (size_t) (close - pattern) : len;
                        } else if (c == '\\' && i + 1 < len)
                                out[k][o++] = pattern[++i];
                        else
                                out[k][o++] = k == 3 && i == len / 2 ? 'q' : c;
                }
                out[k][o] = '\0';
        }
}

static void test_alias_matcher(void) {
        static const char synthetic[] =
                "# comment\n"
                "alias pci:v00008086d000010D3sv*sd*bc*sc*i* e1000e\n"
                "alias  virtio:d00000001v* virtio_net\n"
                "alias *:d0000FFFF? odd\n"
                "alias usb:v[0-9]*p1234* classy\n"
                "alias scsi:t-0x0\\* escaped\n"
                "alias exactly-this literal\n"
                "alias \n"
                "alias";
        const char *probes[] = { "pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00", "pci:v00008086d000010D4sv",
                                 "virtio:d00000001v00001AF4", "virtio:d00000002v00001AF4", "any:d0000FFFFz",
                                 "any:d0000FFFF", "usb:v5p1234x", "usb:vAp1234x", "scsi:t-0x0*", "scsi:t-0x00",
                                 "exactly-this", "exactly-this-not", "exactly-thi", "", "alias" };
        _cleanup_free_ char *real = NULL, *cached = NULL;
        const char *path = getenv("TEST_MODULES_ALIAS");
        size_t real_size = 0, tried = 0, n_lines = 0;
        glob_t g = {};

        for (size_t i = 0; i < ELEMENTSOF(probes); i++)
                ASSERT_EQ(drivers_alias_matches(synthetic, sizeof(synthetic) - 1, probes[i]),
                          reference_matches(synthetic, probes[i]));
        ASSERT_TRUE(drivers_alias_matches(synthetic, sizeof(synthetic) - 1, "scsi:t-0x0*"));
        ASSERT_TRUE(!drivers_alias_matches(synthetic, sizeof(synthetic) - 1, "scsi:t-0x00"));

        if (!path && getenv("HOME") && asprintf(&cached, "%s/.cache/rescue-agent/rescue/*/modules.alias", getenv("HOME")) > 0 &&
            glob(cached, 0, NULL, &g) == 0 && g.gl_pathc > 0)
                path = g.gl_pathv[0];
        if (!path || tu_read_file(path, (void **) &real, &real_size) < 0) {
                fprintf(stderr, "no real modules.alias (TEST_MODULES_ALIAS, or a rescue image in the cache): synthetic lines only\n");
                globfree(&g);
                return;
        }
        real = realloc(real, real_size + 1);
        ASSERT_TRUE(real);
        real[real_size] = '\0';
        for (const char *line = real; *line; line += strcspn(line, "\n") + (line[strcspn(line, "\n")] != '\0')) {
                char cand[4][300];
                size_t len;

                if (strncmp(line, "alias ", 6) != 0 || n_lines++ % 3 != 0)
                        continue;
                len = strcspn(line + 6, " \t\n");
                candidates(line + 6, len, cand);
                for (int k = 0; k < 4; k++, tried++)
                        if (drivers_alias_matches(real, real_size, cand[k]) != reference_matches(real, cand[k]))
                                TU_FAIL("%s: '%s' matches differently from fnmatch(3) on every line", path, cand[k]);
        }
        fprintf(stderr, "%s: %zu modaliases match as fnmatch(3) on every line says\n", path, tried);
        ASSERT_TRUE(tried > 500);
        globfree(&g);
}

int main(void) {
        static const char aliases[] =
                "# modules.alias of the rescue\n"
                "alias pci:v00008086d000010D3sv*sd*bc*sc*i* e1000e\n"
                "alias virtio:d00000001v* virtio_net\n"
                "alias crypto-aes aesni_intel\n";
        NicDriver nics[DRIVERS_MAX_NICS];
        const NicDriver *e;
        _cleanup_free_ char *p = NULL;
        int n;

        ASSERT_OK(tu_mkdtemp("test-drivers", &root));
        ASSERT_ERROR(drivers_check(root, aliases, sizeof(aliases) - 1, nics), ENOENT);

        p = tu_path_join(root, "sys"), mkdir(p, 0755), free(p);
        p = tu_path_join(root, "sys/class"), mkdir(p, 0755), free(p);
        p = tu_path_join(root, "sys/class/net"), mkdir(p, 0755);
        nic("eth0", "0x1003\n", "pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00\n", "e1000e");
        nic("eth1", "0x1003\n", "pci:v000014E4d000016A1sv000014E4sd00001917bc02sc00i00\n", "bnx2x");
        nic("eth2", "0x1002\n", "pci:v000015B3d00001017sv000015B3sd00000006bc02sc00i00\n", "mlx5_core");
        nic("ens3", "0x1103\n", "virtio:d00000001v00001AF4\n", NULL);
        nic("lo", "0x9\n", NULL, NULL);
        nic("eth0.10", "0x1003\n", NULL, NULL);

        n = drivers_check(root, aliases, sizeof(aliases) - 1, nics);
        ASSERT_EQ(n, 3);                        /* eth0, eth1, ens3: up and backed by a device */
        e = find(nics, n, "eth0");
        ASSERT_TRUE(e && e->found == 1);
        ASSERT_STREQ(e->host_driver, "e1000e");
        e = find(nics, n, "eth1");
        ASSERT_TRUE(e && e->found == 0);
        ASSERT_STREQ(e->host_driver, "bnx2x");
        ASSERT_STREQ(e->modalias, "pci:v000014E4d000016A1sv000014E4sd00001917bc02sc00i00");
        e = find(nics, n, "ens3");
        ASSERT_TRUE(e && e->found == 1);
        ASSERT_STREQ(e->host_driver, "");
        ASSERT_TRUE(find(nics, n, "eth2") == NULL);

        /* The default route leaves through bond0 over eth1, and a VLAN on
         * eth0 in another table: both lower NICs carry it, ens3 does not. */
        {
                char *devs[] = { (char *) "bond0", (char *) "eth0.10", NULL };
                const char *links[] = { "sys/class/net/bond0", "sys/class/net/bond0/lower_eth1",
                                        "sys/class/net/eth0.10/lower_eth0" };

                for (size_t i = 0; i < ELEMENTSOF(links); i++) {
                        _cleanup_free_ char *d = tu_path_join(root, links[i]);
                        ASSERT_OK(mkdir_p(d));
                }
                drivers_mark_default_route(root, nics, (size_t) n, devs);
                ASSERT_EQ(find(nics, n, "eth1")->carries_default, 1);
                ASSERT_EQ(find(nics, n, "eth0")->carries_default, 1);
                ASSERT_EQ(find(nics, n, "ens3")->carries_default, 0);
        }

        test_storage();
        test_alias_matcher();

        /* An empty module list finds nothing. */
        n = drivers_check(root, "", 0, nics);
        ASSERT_EQ(n, 3);
        for (int i = 0; i < n; i++)
                ASSERT_EQ(nics[i].found, 0);

        tu_rm_rf(root);
        free(root);
        return 0;
}
