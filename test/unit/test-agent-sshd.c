/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The host's sshd ports as sshd_config(5) defines them: Port lines, files
 * pulled in by Include (globs, relative to /etc/ssh), Match ending the
 * global part, the default 22. */
#include <errno.h>
#include <sys/stat.h>

#include "agent-sshd.h"
#include "test-util.h"

static char *root;

static void put(const char *path, const char *text) {
        _cleanup_free_ char *full = tu_path_join(root, path);
        ASSERT_OK(tu_write_file(full, text, strlen(text)));
}

static void mkdir_in_root(const char *path) {
        _cleanup_free_ char *full = tu_path_join(root, path);
        ASSERT_EQ(mkdir(full, 0755), 0);
}

int main(void) {
        uint16_t ports[SSHD_MAX_PORTS];

        ASSERT_OK(tu_mkdtemp("test-sshd", &root));

        /* No sshd_config at all: the default. */
        ASSERT_EQ(sshd_config_ports(root, ports), 1);
        ASSERT_EQ(ports[0], 22);

        mkdir_in_root("etc");
        mkdir_in_root("etc/ssh");
        mkdir_in_root("etc/ssh/sshd_config.d");
        put("etc/ssh/sshd_config",
            "# Port 1\n"
            "PORT 2222\n"
            "Include sshd_config.d/*.conf /etc/ssh/missing-*.conf\n"
            "  Port\t2200\n"
            "Match User backup\n"
            "    Port 3333\n");
        put("etc/ssh/sshd_config.d/10-a.conf", "port=22\nPort 2222\n");
        put("etc/ssh/sshd_config.d/20-b.conf", "Include /etc/ssh/sshd_config.d/nested\n");
        put("etc/ssh/sshd_config.d/nested", "Port 8022\n");
        ASSERT_EQ(sshd_config_ports(root, ports), 4);
        ASSERT_EQ(ports[0], 2222);
        ASSERT_EQ(ports[1], 22);
        ASSERT_EQ(ports[2], 8022);
        ASSERT_EQ(ports[3], 2200);

        put("etc/ssh/sshd_config", "Port ssh\n");
        ASSERT_ERROR(sshd_config_ports(root, ports), EBADMSG);
        put("etc/ssh/sshd_config", "Port 70000\n");
        ASSERT_ERROR(sshd_config_ports(root, ports), EBADMSG);
        put("etc/ssh/sshd_config", "Include sshd_config\n");
        ASSERT_ERROR(sshd_config_ports(root, ports), ELOOP);
        put("etc/ssh/sshd_config", "PermitRootLogin no\n");
        ASSERT_EQ(sshd_config_ports(root, ports), 1);
        ASSERT_EQ(ports[0], 22);

        /* AuthorizedKeysFile: sshd's default, the first setting wins
         * (Includes count where they stand), "none" adds nothing. */
        {
                char **files = NULL;
                char *x = NULL;

                put("etc/ssh/sshd_config", "Port 22\n");
                ASSERT_EQ(sshd_config_authorized_keys_files(root, &files), 2);
                ASSERT_STREQ(files[0], ".ssh/authorized_keys");
                ASSERT_STREQ(files[1], ".ssh/authorized_keys2");
                ASSERT_TRUE(files[2] == NULL);
                sshd_authorized_keys_files_free(files);

                put("etc/ssh/sshd_config.d/10-a.conf", "AuthorizedKeysFile /etc/ssh/authorized_keys.d/%u none %h/k\n");
                put("etc/ssh/sshd_config",
                    "Include sshd_config.d/10-a.conf\n"
                    "AuthorizedKeysFile .ssh/later\n"
                    "Match User x\n"
                    "  AuthorizedKeysFile .ssh/match\n");
                ASSERT_EQ(sshd_config_authorized_keys_files(root, &files), 2);
                ASSERT_STREQ(files[0], "/etc/ssh/authorized_keys.d/%u");
                ASSERT_STREQ(files[1], "%h/k");
                sshd_authorized_keys_files_free(files);

                ASSERT_OK(sshd_expand_authorized_keys_file("/etc/ssh/authorized_keys.d/%u", "alice", "/home/alice", 1000, &x));
                ASSERT_STREQ(x, "/etc/ssh/authorized_keys.d/alice");
                free(x);
                ASSERT_OK(sshd_expand_authorized_keys_file(".ssh/keys_%U_%%", "alice", "/home/alice", 1000, &x));
                ASSERT_STREQ(x, "/home/alice/.ssh/keys_1000_%");
                free(x);
                ASSERT_OK(sshd_expand_authorized_keys_file("%h/.ssh/k", "root", "/", 0, &x));
                ASSERT_STREQ(x, "//.ssh/k");
                free(x);
                ASSERT_OK(sshd_expand_authorized_keys_file("keys", "root", "/", 0, &x));
                ASSERT_STREQ(x, "/keys");
                free(x);
                ASSERT_ERROR(sshd_expand_authorized_keys_file("%d/k", "root", "/root", 0, &x), EBADMSG);
        }

        tu_rm_rf(root);
        free(root);
        return 0;
}
