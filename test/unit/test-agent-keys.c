/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Host keys and authorized keys into the overlay: fingerprints as OpenSSH's
 * ssh-keygen computes them, files byte-identical with the right modes,
 * authorized_keys lines kept as written (options included). */
#include <errno.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent-keys.h"
#include "agent-password.h"
#include "cpio.h"
#include "test-keys-fixture.h"
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

/* Root, the sudo/doas caller and members of sudo/wheel/admin get in; a plain
 * user does not, whatever keys they have. */
static void test_admins(void) {
        static const char *const dirs[] = {
                "etc", "root", "root/.ssh", "home", "home/alice", "home/alice/.ssh",
                "home/carol", "home/carol/.ssh", "home/dave", "home/dave/.ssh", NULL,
        };
        _cleanup_free_ char *dir = NULL, *text = NULL;
        KeysReport report = {};

        ASSERT_OK(tu_mkdtemp("test-keys-admins", &dir));
        keys_fixture_mkdirs(dir, dirs);
        keys_fixture_put(dir, "etc/passwd",
                 "root:x:0:0:root:/root:/bin/sh\n"
                 "alice:x:1000:1000::/home/alice:/bin/sh\n"
                 "carol:x:1001:1001::/home/carol:/bin/sh\n"
                 "dave:x:1002:1002::/home/dave:/bin/sh\n");
        keys_fixture_put(dir, "etc/group",
                 "root:x:0:\n"
                 "sudo:x:27:alice,bob\n"
                 "users:x:100:carol,alice\n"
                 "wheel:x:10:\n");
        keys_fixture_put(dir, "root/.ssh/authorized_keys", "ssh-ed25519 AAAAroot root@x\n");
        keys_fixture_put(dir, "home/alice/.ssh/authorized_keys", "ssh-ed25519 AAAAalice alice@x\n");
        keys_fixture_put(dir, "home/carol/.ssh/authorized_keys", "ssh-ed25519 AAAAcarol carol@x\n");
        keys_fixture_put(dir, "home/dave/.ssh/authorized_keys2", "ssh-rsa AAAAdave dave@x\n");

        ASSERT_EQ(setenv("SUDO_USER", "dave", 1), 0);
        ASSERT_EQ(setenv("DOAS_USER", "../etc", 1), 0);     /* not a user name: ignored */
        text = keys_fixture_collect(dir, NULL, &report);
        ASSERT_EQ(report.n_sources, 3);
        unsetenv("SUDO_USER");
        unsetenv("DOAS_USER");

        ASSERT_EQ(report.n_authorized, 3);
        ASSERT_TRUE(strstr(report.sources, "dave: /home/dave/.ssh/authorized_keys2 (1)") != NULL);
        ASSERT_TRUE(strstr(report.sources, "alice: /home/alice/.ssh/authorized_keys (1)") != NULL);
        ASSERT_TRUE(strstr(report.sources, "carol") == NULL);
        ASSERT_STREQ(text,
                     "ssh-ed25519 AAAAroot root@x\n"
                     "ssh-rsa AAAAdave dave@x\n"
                     "ssh-ed25519 AAAAalice alice@x\n");
        tu_rm_rf(dir);
}

/* cloud-init's disable_root puts the operator's key in root's file behind
 * command="echo Please login as the user ..."; the same key is in the
 * default user's file without it. sshd uses the first line with the
 * client's key, so the rescue must list lines without command= first
 * (option names match without regard to case; "command=" inside another
 * option's quoted value is no forced command). */
static void test_forced_command_last(void) {
        static const char *const dirs[] = {
                "etc", "root", "root/.ssh", "home", "home/debian", "home/debian/.ssh", NULL,
        };
        _cleanup_free_ char *dir = NULL, *text = NULL;
        KeysReport report = {};

        ASSERT_OK(tu_mkdtemp("test-keys-forced", &dir));
        keys_fixture_mkdirs(dir, dirs);
        keys_fixture_put(dir, "etc/passwd",
                 "root:x:0:0:root:/root:/bin/sh\n"
                 "debian:x:1000:1000::/home/debian:/bin/sh\n");
        keys_fixture_put(dir, "etc/group", "root:x:0:\nsudo:x:27:debian\n");
        keys_fixture_put(dir, "root/.ssh/authorized_keys",
                 "no-port-forwarding,no-agent-forwarding,no-X11-forwarding,command=\"echo 'Please login as "
                 "the user \\\"debian\\\" rather than the user \\\"root\\\".';echo;sleep 10;exit 142\" "
                 "ssh-ed25519 AAAAop op@x\n"
                 "Command=\"/usr/bin/backup\" ssh-ed25519 AAAAbackup backup@x\n"
                 "environment=\"A=command=x\",from=\"10.0.0.0/8\" ssh-ed25519 AAAAenv env@x\n"
                 "ssh-ed25519 AAAAroot root@x\n");
        keys_fixture_put(dir, "home/debian/.ssh/authorized_keys", "ssh-ed25519 AAAAop op@x\n");

        text = keys_fixture_collect(dir, NULL, &report);
        ASSERT_EQ(report.n_authorized, 5);
        ASSERT_STREQ(text,
                     "environment=\"A=command=x\",from=\"10.0.0.0/8\" ssh-ed25519 AAAAenv env@x\n"
                     "ssh-ed25519 AAAAroot root@x\n"
                     "ssh-ed25519 AAAAop op@x\n"
                     "no-port-forwarding,no-agent-forwarding,no-X11-forwarding,command=\"echo 'Please login as "
                     "the user \\\"debian\\\" rather than the user \\\"root\\\".';echo;sleep 10;exit 142\" "
                     "ssh-ed25519 AAAAop op@x\n"
                     "Command=\"/usr/bin/backup\" ssh-ed25519 AAAAbackup backup@x\n");
        tu_rm_rf(dir);
}

/* AuthorizedKeysFile as NixOS and hardened setups use it: the keys live
 * only in /etc/ssh/authorized_keys.d/%u; %h and %% expand as sshd does;
 * --keys-from lets a plain user in; options stay as written. */
static void test_authorized_keys_file(void) {
        static const char *const dirs[] = {
                "etc", "etc/ssh", "etc/ssh/authorized_keys.d", "etc/ssh/sshd_config.d", "root", "root/.ssh",
                "home", "home/carol", "home/carol/.ssh", NULL,
        };
        _cleanup_free_ char *dir = NULL, *text = NULL;
        char *users[] = { (char *) "carol", NULL }, *nobody[] = { (char *) "nosuch", NULL };
        CpioWriter *w = NULL;
        KeysReport report = {};

        ASSERT_OK(tu_mkdtemp("test-keys-akf", &dir));
        keys_fixture_mkdirs(dir, dirs);
        keys_fixture_put(dir, "etc/passwd",
                 "root:x:0:0:root:/root:/bin/sh\n"
                 "carol:x:1001:1001::/home/carol:/bin/sh\n");
        keys_fixture_put(dir, "etc/group", "root:x:0:\n");
        keys_fixture_put(dir, "etc/ssh/sshd_config",
                 "Include /etc/ssh/sshd_config.d/*.conf\n"
                 "AuthorizedKeysFile .ssh/ignored\n");
        keys_fixture_put(dir, "etc/ssh/sshd_config.d/50-keys.conf",
                 "AuthorizedKeysFile /etc/ssh/authorized_keys.d/%u %h/.ssh/keys_%%_%U none\n");
        keys_fixture_put(dir, "root/.ssh/authorized_keys", "ssh-ed25519 AAAAnotused root@x\n");
        keys_fixture_put(dir, "root/.ssh/ignored", "ssh-ed25519 AAAAnotused2 root@x\n");
        keys_fixture_put(dir, "etc/ssh/authorized_keys.d/root",
                 "restrict,from=\"192.0.2.0/24\" ssh-ed25519 AAAAroot root@x\n");
        keys_fixture_put(dir, "home/carol/.ssh/keys_%_1001", "ssh-ed25519 AAAAcarol carol@x\n");

        ASSERT_OK(cpio_writer_new(&w));
        ASSERT_ERROR(keys_add_authorized_keys(w, dir, &(KeysRequest) { .users = nobody }, &report), ESRCH);
        cpio_writer_free(w);
        report = (KeysReport) {};
        text = keys_fixture_collect(dir, &(KeysRequest) { .users = users }, &report);
        ASSERT_EQ(report.n_authorized, 2);
        ASSERT_EQ(report.n_sources, 2);
        ASSERT_STREQ(report.key_sources[0].user, "root");
        ASSERT_STREQ(report.key_sources[0].path, "/etc/ssh/authorized_keys.d/root");
        ASSERT_STREQ(report.key_sources[1].user, "carol");
        ASSERT_STREQ(report.key_sources[1].path, "/home/carol/.ssh/keys_%_1001");
        ASSERT_STREQ(text,
                     "restrict,from=\"192.0.2.0/24\" ssh-ed25519 AAAAroot root@x\n"
                     "ssh-ed25519 AAAAcarol carol@x\n");
        tu_rm_rf(dir);
}

/* 20,000 distinct keys in authorized_keys and authorized_keys2, the second
 * ending with 1,000 keys of the first again: every distinct line kept once,
 * in order, and fast: the collection used to compare each line with every
 * line kept before it (quadratic: 10-13 s in the ASan build on a 2-core
 * machine; linear now: ~0.02 s). */
static void test_many_keys(void) {
        static const char *const dirs[] = { "etc", "root", "root/.ssh", NULL };
        const size_t n = 20000, again = 1000;
        _cleanup_free_ char *dir = NULL, *keys = NULL, *text = NULL;
        KeysReport report = {};
        size_t len = 0, half = 0, distinct = 0;
        struct timespec start, end;

        keys = malloc((n + again) * 32);
        ASSERT_TRUE(keys);
        for (size_t i = 0; i < n + again; i++) {
                if (i == n / 2)
                        half = len;
                if (i == n)
                        distinct = len;
                len += (size_t) sprintf(keys + len, "ssh-ed25519 AAAAC3Nz%07zu k\n", i % n);
        }

        ASSERT_OK(tu_mkdtemp("test-keys-many", &dir));
        keys_fixture_mkdirs(dir, dirs);
        keys_fixture_put(dir, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
        keys_fixture_write(dir, "root/.ssh/authorized_keys", keys, half);
        keys_fixture_write(dir, "root/.ssh/authorized_keys2", keys + half, len - half);
        ASSERT_EQ(clock_gettime(CLOCK_MONOTONIC, &start), 0);
        text = keys_fixture_collect(dir, NULL, &report);
        ASSERT_EQ(clock_gettime(CLOCK_MONOTONIC, &end), 0);
        ASSERT_EQ(report.n_authorized, n);
        ASSERT_EQ(report.key_sources[1].count, n / 2);
        ASSERT_MEMEQ(text, strlen(text), keys, distinct);
        double seconds = (double) (end.tv_sec - start.tv_sec) + (double) (end.tv_nsec - start.tv_nsec) / 1e9;
        fprintf(stderr, "%zu key lines (%zu bytes) collected in %.3f s\n", n + again, len, seconds);
        ASSERT_TRUE(seconds < 2.0);
        tu_rm_rf(dir);
}

/* --password: a SHA-512 crypt hash that OpenSSL's own implementation
 * computes identically from the same salt (also at the lengths where the
 * scheme's repetitions change); only the hash reaches the overlay, 0600. */
static void test_password(void) {
        static const char password[] = "correct horse battery staple";
        _cleanup_free_ char *hash = NULL, *hash2 = NULL, *cmd = NULL, *dir = NULL;
        char salt[32], line[256];
        CpioWriter *w = NULL;
        CpioArchive *a = NULL;
        KeysReport report = {};
        const CpioEntry *e;
        const void *data;
        size_t size;
        FILE *f;

        ASSERT_ERROR(keys_hash_password("", &hash), EINVAL);
        ASSERT_OK(keys_hash_password(password, &hash));
        ASSERT_OK(keys_hash_password(password, &hash2));
        ASSERT_TRUE(strncmp(hash, "$6$", 3) == 0);
        ASSERT_TRUE(strcmp(hash, hash2) != 0);  /* a fresh salt each time */
        ASSERT_EQ(strcspn(hash + 3, "$"), 16);
        snprintf(salt, sizeof(salt), "%.16s", hash + 3);
        if (access("/usr/bin/openssl", X_OK) == 0) {
                ASSERT_TRUE(asprintf(&cmd, "/usr/bin/openssl passwd -6 -salt '%s' '%s'", salt, password) > 0);
                f = popen(cmd, "r");
                ASSERT_TRUE(f != NULL);
                ASSERT_TRUE(fgets(line, sizeof(line), f) != NULL);
                ASSERT_EQ(pclose(f), 0);
                line[strcspn(line, "\n")] = '\0';
                ASSERT_STREQ(hash, line);
        } else
                fprintf(stderr, "no /usr/bin/openssl: hash not compared with a reference\n");

        /* The scheme's edge lengths (one SHA-512 block is 64 bytes; the
         * salt's 16) against OpenSSL's implementation. */
        if (access("/usr/bin/openssl", X_OK) == 0)
                for (size_t len = 1; len <= 130; len += len < 63 ? 62 : len < 66 ? 1 : 64) {
                        char pw[131], out[SHA512_CRYPT_SIZE];
                        _cleanup_free_ char *c = NULL;
                        const char *s = len % 2 ? "ab" : "0123456789./ABCD";

                        memset(pw, 'a' + (int) (len % 26), len);
                        pw[len] = '\0';
                        ASSERT_OK(sha512_crypt(pw, s, out));
                        ASSERT_TRUE(asprintf(&c, "/usr/bin/openssl passwd -6 -salt '%s' '%s'", s, pw) > 0);
                        f = popen(c, "r");
                        ASSERT_TRUE(f && fgets(line, sizeof(line), f));
                        ASSERT_EQ(pclose(f), 0);
                        line[strcspn(line, "\n")] = '\0';
                        ASSERT_STREQ(out, line);
                }
        ASSERT_ERROR(sha512_crypt("x", "", line), EINVAL);
        ASSERT_ERROR(sha512_crypt("x", "bad salt", line), EINVAL);

        ASSERT_OK(tu_mkdtemp("test-keys-pw", &dir));
        ASSERT_OK(cpio_writer_new(&w));
        ASSERT_ERROR(keys_add_authorized_keys(w, dir, &(KeysRequest) { .password_hash = "plain" }, &report), EINVAL);
        report = (KeysReport) {};
        ASSERT_OK(keys_add_authorized_keys(w, dir, &(KeysRequest) { .password_hash = hash }, &report));
        ASSERT_TRUE(report.password);
        ASSERT_EQ(report.n_authorized, 0);
        ASSERT_OK(cpio_writer_finish(w, &data, &size));
        ASSERT_OK(cpio_reader_parse(data, size, &a));
        e = cpio_archive_find(a, KEYS_ROOT_PASSWORD_FILE);
        ASSERT_TRUE(e && e->mode == (S_IFREG | 0600));
        ASSERT_TRUE(e->size == strlen(hash) + 1 && memcmp(e->data, hash, strlen(hash)) == 0);
        ASSERT_TRUE(memmem(data, size, password, strlen(password)) == NULL);
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
        static const char *const dirs[] = { "etc", "etc/ssh", "home", "home/admin-root", "home/admin-root/.ssh", NULL };
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
        keys_fixture_mkdirs(root, dirs);
        keys_fixture_put(root, "etc/passwd", passwd);
        keys_fixture_put(root, "home/admin-root/.ssh/authorized_keys", keys1);
        keys_fixture_put(root, "extra_keys", keys2);
        p = tu_path_join(root, "extra_keys");
        keygen(root, "ed25519");
        keygen(root, "rsa");
        keygen(root, "ecdsa");

        ASSERT_OK(cpio_writer_new(&w));
        ASSERT_OK(keys_add_host_keys(w, root, &report));
        ASSERT_EQ(report.n_host_keys, 3);
        for (size_t i = 0; i < report.n_host_keys; i++)
                check_fingerprint(root, &report.host_keys[i]);

        ASSERT_OK(keys_add_authorized_keys(w, root, &(KeysRequest) { .extra_file = p }, &report));
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
                        "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7 three\n"    /* forced commands last */
                        "from=\"10.0.0.0/8\",command=\"/bin/true\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJg8Rz3v0a4a3mXxv0lEPRWc6zxv0yk4m1wqGS0Jm2Cq two\n";
                ASSERT_MEMEQ(e->data, e->size, expect, strlen(expect));
        }

        test_admins();
        test_forced_command_last();
        test_authorized_keys_file();
        test_many_keys();
        test_password();

        ASSERT_ERROR(keys_fingerprint("not a key", type, sizeof(type), fp), EINVAL);
        ASSERT_ERROR(keys_fingerprint("ssh-ed25519 !!!!", type, sizeof(type), fp), EINVAL);

        cpio_archive_free(a);
        cpio_writer_free(w);
        tu_rm_rf(root);
        return 0;
}
