/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Host keys and authorized keys into the overlay: fingerprints as OpenSSH's
 * ssh-keygen computes them, files byte-identical with the right modes,
 * authorized_keys lines kept as written (options included). */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-keys.h"
#include "cpio.h"
#include "test-util.h"

static const char *ssh_keygen;

static void keygen(const char *root, const char *type) {
        _cleanup_free_ char *path = NULL;
        const char *argv[] = { ssh_keygen, "-q", "-t", type, "-N", "", "-C", "test", "-f", NULL, NULL };

        ASSERT_TRUE(asprintf(&path, "%s/etc/ssh/ssh_host_%s_key", root, type) > 0);
        argv[9] = path;
        ASSERT_EQ(tu_run(NULL, argv, NULL, NULL, NULL), 0);
}

static void check_fingerprint(const char *root, const HostKey *k) {
        _cleanup_free_ char *pub = NULL, *out = NULL;
        const char *argv[] = { ssh_keygen, "-l", "-E", "sha256", "-f", NULL, NULL };
        char *space;

        ASSERT_TRUE(asprintf(&pub, "%s/etc/ssh/%s.pub", root, k->name) > 0);
        argv[5] = pub;
        ASSERT_EQ(tu_run(NULL, argv, NULL, &out, NULL), 0);
        /* "256 SHA256:xxxx test (ED25519)" */
        space = strchr(out, ' ');
        ASSERT_TRUE(space);
        space[1 + strcspn(space + 1, " ")] = '\0';
        ASSERT_STREQ(k->fingerprint, space + 1);
}

static void check_file(const CpioArchive *a, const char *root, const char *path, uint32_t mode) {
        _cleanup_free_ char *full = NULL;
        _cleanup_free_ void *data = NULL;
        const CpioEntry *e = cpio_archive_find(a, path);
        size_t size;

        ASSERT_TRUE(e != NULL);
        ASSERT_EQ(e->mode, S_IFREG | mode);
        ASSERT_EQ(e->uid, 0);
        ASSERT_EQ(e->gid, 0);
        ASSERT_TRUE(asprintf(&full, "%s/%s", root, path) > 0);
        ASSERT_OK(tu_read_file(full, &data, &size));
        ASSERT_MEMEQ(e->data, e->size, data, size);
}

static void write_in(const char *dir, const char *path, const char *text) {
        _cleanup_free_ char *full = tu_path_join(dir, path);
        ASSERT_OK(tu_write_file(full, text, strlen(text)));
}

static void mkdirs_in(const char *dir, const char *const *paths) {
        for (; *paths; paths++) {
                _cleanup_free_ char *full = tu_path_join(dir, *paths);
                ASSERT_EQ(mkdir(full, 0755), 0);
        }
}

/* Root, the sudo/doas caller and members of sudo/wheel/admin get in; a plain
 * user does not, whatever keys they have. */
static void test_admins(void) {
        static const char *const dirs[] = {
                "etc", "root", "root/.ssh", "home", "home/alice", "home/alice/.ssh",
                "home/carol", "home/carol/.ssh", "home/dave", "home/dave/.ssh", NULL,
        };
        _cleanup_free_ char *dir = NULL;
        CpioWriter *w = NULL;
        CpioArchive *a = NULL;
        KeysReport report = {};
        const CpioEntry *e;
        const void *data;
        size_t size;

        ASSERT_OK(tu_mkdtemp("test-keys-admins", &dir));
        mkdirs_in(dir, dirs);
        write_in(dir, "etc/passwd",
                 "root:x:0:0:root:/root:/bin/sh\n"
                 "alice:x:1000:1000::/home/alice:/bin/sh\n"
                 "carol:x:1001:1001::/home/carol:/bin/sh\n"
                 "dave:x:1002:1002::/home/dave:/bin/sh\n");
        write_in(dir, "etc/group",
                 "root:x:0:\n"
                 "sudo:x:27:alice,bob\n"
                 "users:x:100:carol,alice\n"
                 "wheel:x:10:\n");
        write_in(dir, "root/.ssh/authorized_keys", "ssh-ed25519 AAAAroot root@x\n");
        write_in(dir, "home/alice/.ssh/authorized_keys", "ssh-ed25519 AAAAalice alice@x\n");
        write_in(dir, "home/carol/.ssh/authorized_keys", "ssh-ed25519 AAAAcarol carol@x\n");
        write_in(dir, "home/dave/.ssh/authorized_keys2", "ssh-rsa AAAAdave dave@x\n");

        ASSERT_EQ(setenv("SUDO_USER", "dave", 1), 0);
        ASSERT_EQ(setenv("DOAS_USER", "../etc", 1), 0);     /* not a user name: ignored */
        ASSERT_OK(cpio_writer_new(&w));
        ASSERT_OK(keys_add_authorized_keys(w, dir, NULL, &report));
        unsetenv("SUDO_USER");
        unsetenv("DOAS_USER");

        ASSERT_EQ(report.n_authorized, 3);
        ASSERT_TRUE(strstr(report.sources, "dave: /home/dave/.ssh/authorized_keys2 (1)") != NULL);
        ASSERT_TRUE(strstr(report.sources, "alice: /home/alice/.ssh/authorized_keys (1)") != NULL);
        ASSERT_TRUE(strstr(report.sources, "carol") == NULL);

        ASSERT_OK(cpio_writer_finish(w, &data, &size));
        ASSERT_OK(cpio_reader_parse(data, size, &a));
        e = cpio_archive_find(a, "root/.ssh/authorized_keys");
        ASSERT_TRUE(e != NULL);
        {
                const char *expect =
                        "ssh-ed25519 AAAAroot root@x\n"
                        "ssh-rsa AAAAdave dave@x\n"
                        "ssh-ed25519 AAAAalice alice@x\n";
                ASSERT_MEMEQ(e->data, e->size, expect, strlen(expect));
        }
        cpio_archive_free(a);
        cpio_writer_free(w);
        tu_rm_rf(dir);
}

int main(void) {
        static const char passwd[] = "root:x:0:0:root:/home/admin-root:/bin/sh\n";
        static const char keys1[] =
                "# comment\n"
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJg8Rz3v0a4a3mXxv0lEPRWc6zxv0yk4m1wqGS0Jm2Cq one@example\n"
                "\n"
                "from=\"10.0.0.0/8\",command=\"/bin/true\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJg8Rz3v0a4a3mXxv0lEPRWc6zxv0yk4m1wqGS0Jm2Cq two\n";
        static const char keys2[] =
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJg8Rz3v0a4a3mXxv0lEPRWc6zxv0yk4m1wqGS0Jm2Cq one@example\n"
                "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7 three";
        _cleanup_free_ char *root = NULL, *p = NULL;
        CpioWriter *w = NULL;
        CpioArchive *a = NULL;
        KeysReport report = {};
        const CpioEntry *e;
        const void *data;
        size_t size;
        char type[32], fp[64];

        ssh_keygen = "/usr/bin/ssh-keygen";
        if (access(ssh_keygen, X_OK) < 0)
                tu_skip("no %s to compare fingerprints with", ssh_keygen);

        ASSERT_OK(tu_mkdtemp("test-keys", &root));
        p = tu_path_join(root, "etc"), mkdir(p, 0755), free(p);
        p = tu_path_join(root, "etc/ssh"), mkdir(p, 0755), free(p);
        p = tu_path_join(root, "home"), mkdir(p, 0755), free(p);
        p = tu_path_join(root, "home/admin-root"), mkdir(p, 0700), free(p);
        p = tu_path_join(root, "home/admin-root/.ssh"), mkdir(p, 0700), free(p);
        p = tu_path_join(root, "etc/passwd"), ASSERT_OK(tu_write_file(p, passwd, strlen(passwd))), free(p);
        p = tu_path_join(root, "home/admin-root/.ssh/authorized_keys"), ASSERT_OK(tu_write_file(p, keys1, strlen(keys1))), free(p);
        p = tu_path_join(root, "extra_keys"), ASSERT_OK(tu_write_file(p, keys2, strlen(keys2)));
        keygen(root, "ed25519");
        keygen(root, "rsa");
        keygen(root, "ecdsa");

        ASSERT_OK(cpio_writer_new(&w));
        ASSERT_OK(keys_add_host_keys(w, root, &report));
        ASSERT_EQ(report.n_host_keys, 3);
        for (size_t i = 0; i < report.n_host_keys; i++)
                check_fingerprint(root, &report.host_keys[i]);

        ASSERT_OK(keys_add_authorized_keys(w, root, p, &report));
        ASSERT_EQ(report.n_authorized, 3);  /* one, two, three: "one" twice counts once */
        ASSERT_TRUE(strstr(report.sources, "/home/admin-root/.ssh/authorized_keys (2)") != NULL);

        ASSERT_OK(cpio_writer_finish(w, &data, &size));
        ASSERT_OK(cpio_reader_parse(data, size, &a));
        check_file(a, root, "etc/ssh/ssh_host_ed25519_key", 0600);
        check_file(a, root, "etc/ssh/ssh_host_ed25519_key.pub", 0644);
        check_file(a, root, "etc/ssh/ssh_host_rsa_key", 0600);
        check_file(a, root, "etc/ssh/ssh_host_ecdsa_key", 0600);
        e = cpio_archive_find(a, "root/.ssh");
        ASSERT_TRUE(e && e->mode == (S_IFDIR | 0700));
        e = cpio_archive_find(a, "root/.ssh/authorized_keys");
        ASSERT_TRUE(e && e->mode == (S_IFREG | 0600));
        {
                const char *expect =
                        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJg8Rz3v0a4a3mXxv0lEPRWc6zxv0yk4m1wqGS0Jm2Cq one@example\n"
                        "from=\"10.0.0.0/8\",command=\"/bin/true\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJg8Rz3v0a4a3mXxv0lEPRWc6zxv0yk4m1wqGS0Jm2Cq two\n"
                        "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7 three\n";
                ASSERT_MEMEQ(e->data, e->size, expect, strlen(expect));
        }

        test_admins();

        ASSERT_ERROR(keys_fingerprint("not a key", type, sizeof(type), fp), EINVAL);
        ASSERT_ERROR(keys_fingerprint("ssh-ed25519 !!!!", type, sizeof(type), fp), EINVAL);

        cpio_archive_free(a);
        cpio_writer_free(w);
        tu_rm_rf(root);
        return 0;
}
