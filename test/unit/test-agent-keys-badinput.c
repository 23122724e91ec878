/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Malformed sshd_config, /etc/passwd, /etc/group and authorized_keys: no
 * crash, what can be used is used, blank and broken lines do not hide the
 * lines after them, and a Port that is no port is refused with -EBADMSG
 * (sshd itself would not start with it). */
#include <errno.h>
#include <stdlib.h>

#include "agent-keys.h"
#include "agent-sshd.h"
#include "test-keys-fixture.h"
#include "test-util.h"

#define PUT(path, text) keys_fixture_write(root, path, text, sizeof(text) - 1)

int main(void) {
        static const char *const dirs[] = {
                "etc", "etc/ssh", "root", "root/.ssh", "home", "home/alice", "home/alice/.ssh", NULL,
        };
        _cleanup_free_ char *root = NULL;
        uint16_t ports[SSHD_MAX_PORTS];

        unsetenv("SUDO_USER");
        unsetenv("DOAS_USER");
        ASSERT_OK(tu_mkdtemp("test-keys-badinput", &root));
        keys_fixture_mkdirs(root, dirs);

        /* sshd_config: unknown keywords, binary bytes, CRLF, a keyword
         * without value, an overlong line: ignored; the Port lines count. */
        PUT("etc/ssh/sshd_config",
            "\x01\x02\xff garbage\n"
            "NoSuchKeyword yes\r\n"
            "AuthorizedKeysFile\n"
            "Include\n"
            "Port 2222\r\n"
            "   \t\n"
            "# Port 1\n");
        ASSERT_EQ(sshd_config_ports(root, ports), 1);
        ASSERT_EQ(ports[0], 2222);
        {
                /* A line of 100,000 bytes, then a Port: still found. */
                size_t n = 100000;
                _cleanup_free_ char *big = malloc(n + 32);
                ASSERT_TRUE(big);
                memset(big, 'x', n);
                strcpy(big + n, "\nPort 2200\n");
                keys_fixture_put(root, "etc/ssh/sshd_config", big);
                ASSERT_EQ(sshd_config_ports(root, ports), 1);
                ASSERT_EQ(ports[0], 2200);
        }
        /* No port number: refused, not guessed (the rescue would listen
         * where nobody expects it). */
        static const char *const bad_ports[] = {
                "Port\n", "Port 0\n", "Port 65536\n", "Port -1\n", "Port 22x\n", "Port 99999999999999999999\n",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad_ports); i++) {
                keys_fixture_put(root, "etc/ssh/sshd_config", bad_ports[i]);
                ASSERT_ERROR(sshd_config_ports(root, ports), EBADMSG);
        }
        PUT("etc/ssh/sshd_config", "Port 22\n");

        /* passwd and group with blank, comment-like and short lines before
         * the real entries: alice (sudo) is still found. */
        PUT("etc/passwd",
            "\n"
            "garbage\n"
            "root:x:0:0:root:/root:/bin/sh\n"
            "\n"
            "bob:x:1001:1001::relative/home:/bin/sh\n"
            "alice:x:1000:1000::/home/alice:/bin/sh\n");
        PUT("etc/group",
            "\n"
            "sudo\n"
            "\n"
            "sudo:x:27:,,bob,,alice,\r\n");
        /* authorized_keys: blank lines, comments, CRLF, a NUL byte (the
         * rest of that file is not read as keys), options kept as written,
         * duplicates dropped. */
        PUT("root/.ssh/authorized_keys",
            "\n"
            "   \t\n"
            "# ssh-ed25519 AAAAcomment\n"
            "ssh-ed25519 AAAAroot root@x\r\n"
            "from=\"10.0.0.0/8\",no-pty ssh-ed25519 AAAAopts x\n"
            "ssh-ed25519 AAAAroot root@x\r\n"
            "not a key at all\n");
        PUT("home/alice/.ssh/authorized_keys",
            "ssh-ed25519 AAAAalice alice@x\n"
            "ssh-ed25519 AAAAroot root@x\r\n"
            "ssh-rsa AAAAafter-nul\0ssh-rsa AAAAhidden\n");
        {
                KeysReport report = {};
                _cleanup_free_ char *text = keys_fixture_collect(root, NULL, &report);
                const char *expect =
                        "ssh-ed25519 AAAAroot root@x\r\n"
                        "from=\"10.0.0.0/8\",no-pty ssh-ed25519 AAAAopts x\n"
                        "not a key at all\n"
                        "ssh-ed25519 AAAAalice alice@x\n"
                        "ssh-rsa AAAAafter-nul\n";

                ASSERT_STREQ(text, expect);
                ASSERT_EQ(report.n_authorized, 5);
        }

        /* Fingerprints of lines that hold no key: refused, not guessed. */
        {
                static const char *const bad_lines[] = {
                        "", "ssh-ed25519", "ssh-ed25519 ", "ssh-ed25519 !!!!", "ssh-ed25519 AAAA====",
                        "ssh-ed25519 AAAAC3NzaC1yc2E=",         /* blob says ssh-rsa */
                        "a-type-name-much-longer-than-32-bytes-ok AAAA",
                };
                char type[32], fp[64];

                for (size_t i = 0; i < ELEMENTSOF(bad_lines); i++)
                        ASSERT_TRUE(keys_fingerprint(bad_lines[i], type, sizeof(type), fp) < 0);
        }

        tu_rm_rf(root);
        return 0;
}
