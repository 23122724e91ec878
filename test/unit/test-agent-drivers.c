/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The NIC driver preflight against a fake /sys/class/net: up NICs backed by
 * a device are matched against modules.alias patterns as modprobe matches
 * them; down NICs and virtual links are not checked. */
#include <errno.h>
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

static const NicDriver *find(const NicDriver *nics, int n, const char *name) {
        for (int i = 0; i < n; i++)
                if (streq(nics[i].name, name))
                        return &nics[i];
        return NULL;
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

        /* An empty module list finds nothing. */
        n = drivers_check(root, "", 0, nics);
        ASSERT_EQ(n, 3);
        for (int i = 0; i < n; i++)
                ASSERT_EQ(nics[i].found, 0);

        tu_rm_rf(root);
        free(root);
        return 0;
}
