/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What agent reboot reads from the host before an immediate kexec: the
 * local filesystems to remount read-only (a fake mountinfo with the cases
 * that matter, then this machine's own against util-linux findmnt), and
 * whether systemd is PID 1. Nothing here mounts or reboots. */
#include <errno.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "agent-reboot.h"
#include "test-util.h"

static void test_fake_mountinfo(void) {
        static const char mountinfo[] =
                "22 1 8:2 / / rw,relatime shared:1 - ext4 /dev/sda2 rw,errors=remount-ro\n"
                "23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
                "24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
                "30 22 8:1 / /boot/efi rw,relatime shared:30 - vfat /dev/sda1 rw,fmask=0077\n"
                "31 22 253:0 / /srv/my\\040data rw,nosuid,nodev,noatime shared:31 - xfs /dev/mapper/vg-data rw,attr2\n"
                /* a bind mount of the root filesystem: one remount covers it */
                "32 22 8:2 /var/lib/x /mnt/bind rw,relatime shared:1 - ext4 /dev/sda2 rw,errors=remount-ro\n"
                "33 22 7:0 / /snap/core/1 ro,nodev,relatime shared:32 - squashfs /dev/loop0 ro\n"
                "34 22 0:50 / /run/user/1000/doc rw,nosuid,nodev,relatime shared:33 - fuse.portal /dev/fuse rw,user_id=1000\n"
                "35 22 0:51 / /net rw,relatime shared:34 - nfs4 srv:/export rw,vers=4.2\n"
                "36 22 0:30 / /run rw,nosuid,nodev shared:5 - tmpfs tmpfs rw,size=1g\n"
                /* a read-only mount of a writable superblock: left alone */
                "38 22 8:4 / /ro-view ro,relatime shared:36 - ext4 /dev/sda4 rw\n"
                "37 22 8:3 / /var rw,relatime shared:35 master:2 - ext4 /dev/sda3 rw\n"
                "garbage line\n";
        _cleanup_free_ char *root = NULL, *dir = NULL, *path = NULL;
        RebootMount *m = NULL;
        size_t n = 0;

        ASSERT_OK(tu_mkdtemp("test-reboot", &root));
        ASSERT_EQ(reboot_systemd_running(root), 0);
        ASSERT_ERROR(reboot_local_mounts(root, &m, &n), ENOENT);

        ASSERT_TRUE(asprintf(&dir, "%s/proc", root) > 0);
        ASSERT_EQ(mkdir(dir, 0755), 0);
        free(dir);
        ASSERT_TRUE(asprintf(&dir, "%s/proc/self", root) > 0);
        ASSERT_EQ(mkdir(dir, 0755), 0);
        path = tu_path_join(dir, "mountinfo");
        ASSERT_OK(tu_write_file(path, mountinfo, sizeof(mountinfo) - 1));

        ASSERT_OK(reboot_local_mounts(root, &m, &n));
        ASSERT_EQ(n, 4);
        /* deepest/last mounted first, / last */
        ASSERT_STREQ(m[0].path, "/var");
        ASSERT_STREQ(m[1].path, "/srv/my data");
        ASSERT_STREQ(m[1].source, "/dev/mapper/vg-data");
        ASSERT_STREQ(m[1].fstype, "xfs");
        ASSERT_EQ(m[1].flags, MS_NOSUID | MS_NODEV | MS_NOATIME);
        ASSERT_STREQ(m[2].path, "/boot/efi");
        ASSERT_EQ(m[2].flags, MS_RELATIME);
        ASSERT_STREQ(m[3].path, "/");
        ASSERT_STREQ(m[3].source, "/dev/sda2");
        for (size_t i = 0; i < n; i++)
                ASSERT_TRUE(!m[i].remounted);
        reboot_mounts_free(m, n);

        /* sd_booted(): a directory, not a file. */
        free(dir);
        ASSERT_TRUE(asprintf(&dir, "%s/run", root) > 0);
        ASSERT_EQ(mkdir(dir, 0755), 0);
        free(dir);
        ASSERT_TRUE(asprintf(&dir, "%s/run/systemd", root) > 0);
        ASSERT_EQ(mkdir(dir, 0755), 0);
        free(path);
        path = tu_path_join(dir, "system");
        ASSERT_OK(tu_write_file(path, "", 0));
        ASSERT_EQ(reboot_systemd_running(root), 0);
        ASSERT_EQ(unlink(path), 0);
        ASSERT_EQ(mkdir(path, 0755), 0);
        ASSERT_EQ(reboot_systemd_running(root), 1);
        tu_rm_rf(root);
}

/* This machine's mountinfo, checked against findmnt (util-linux), which
 * parses the same file with its own code: every mount we would remount is
 * a writable /dev/ mount there too, and every writable /dev/ superblock
 * findmnt lists is covered by one of ours. */
static void test_real_mountinfo(void) {
        const char *argv[] = { "/usr/bin/findmnt", "-rn", "-o", "TARGET,SOURCE,FSTYPE,VFS-OPTIONS,FS-OPTIONS,MAJ:MIN", NULL };
        _cleanup_free_ char *out = NULL;
        RebootMount *m = NULL;
        size_t n = 0, covered = 0, wanted = 0;
        struct stat st;

        if (stat(argv[0], &st) < 0) {
                fprintf(stderr, "no %s: real mountinfo comparison skipped\n", argv[0]);
                return;
        }
        ASSERT_EQ(tu_run(NULL, argv, NULL, &out, NULL), 0);
        ASSERT_OK(reboot_local_mounts(NULL, &m, &n));
        for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
                char target[4096], source[4096], fstype[256], vfs[4096], fs[4096], devno[64];
                bool mine = false;

                if (sscanf(line, "%4095s %4095s %255s %4095s %4095s %63s", target, source, fstype, vfs, fs, devno) != 6)
                        continue;
                /* findmnt -r escapes like mountinfo: compare escaped forms
                 * only for plain paths. */
                if (strchr(target, '\\'))
                        continue;
                for (size_t i = 0; i < n; i++)
                        if (streq(m[i].path, target)) {
                                mine = true;
                                ASSERT_TRUE(strncmp(source, "/dev/", 5) == 0);
                                ASSERT_TRUE(strncmp(vfs, "rw", 2) == 0 && strncmp(fs, "rw", 2) == 0);
                                covered++;
                        }
                if (!mine && strncmp(source, "/dev/", 5) == 0 && strncmp(fstype, "fuse", 4) != 0 &&
                    strncmp(vfs, "rw", 2) == 0 && strncmp(fs, "rw", 2) == 0)
                        wanted++;       /* must share a superblock with one of ours */
        }
        ASSERT_EQ(covered, n);
        if (wanted > 0)
                ASSERT_TRUE(n > 0);
        fprintf(stderr, "this machine: %zu local writable superblock(s) to remount\n", n);
        reboot_mounts_free(m, n);
}

int main(void) {
        test_fake_mountinfo();
        test_real_mountinfo();
        return 0;
}
