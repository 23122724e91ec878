/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Malformed sshd_config, /etc/passwd, /etc/group and authorized_keys: no
 * crash, what can be used is used, blank and broken lines do not hide the
 * lines after them, and a Port that is no port is refused with -EBADMSG
 * (sshd itself would not start with it). */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "agent-keys.h"
#include "agent-sshd.h"
#include "cpio.h"
#include "test-util.h"

static char *root;

static void put(const char *path, const char *text, size_t size) {
        _cleanup_free_ char *full = tu_path_join(root, path);
        ASSERT_OK(tu_write_file(full, text, size));
}
#define PUT(path, text) put(path, text, sizeof(text) - 1)

static void mkdir_in_root(const char *path) {
        _cleanup_free_ char *full = tu_path_join(root, path);
        ASSERT_EQ(mkdir(full, 0755), 0);
}

/* The authorized_keys the overlay would carry, and how many keys counted. */
static char *collect(size_t *ret_count) {
        CpioWriter *w = NULL;
        CpioArchive *a = NULL;
        KeysReport report = {};
        const CpioEntry *e;
        const void *data;
        size_t size;
        char *text;

        ASSERT_OK(cpio_writer_new(&w));
        ASSERT_OK(keys_add_authorized_keys(w, root, NULL, &report));
        ASSERT_OK(cpio_writer_finish(w, &data, &size));
        ASSERT_OK(cpio_reader_parse(data, size, &a));
        e = cpio_archive_find(a, "root/.ssh/authorized_keys");
        text = e ? strndup(e->data, e->size) : strdup("");
        ASSERT_TRUE(text);
        cpio_archive_free(a);
        cpio_writer_free(w);
        *ret_count = report.n_authorized;
        return text;
}

int main(void) {
        uint16_t ports[SSHD_MAX_PORTS];
        size_t count;

        unsetenv("SUDO_USER");
        unsetenv("DOAS_USER");
        ASSERT_OK(tu_mkdtemp("test-keys-badinput", &root));
        mkdir_in_root("etc");
        mkdir_in_root("etc/ssh");
        mkdir_in_root("root");
        mkdir_in_root("root/.ssh");
        mkdir_in_root("home");
        mkdir_in_root("home/alice");
        mkdir_in_root("home/alice/.ssh");

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
                put("etc/ssh/sshd_config", big, strlen(big));
                ASSERT_EQ(sshd_config_ports(root, ports), 1);
                ASSERT_EQ(ports[0], 2200);
        }
        /* No port number: refused, not guessed (the rescue would listen
         * where nobody expects it). */
        static const char *const bad_ports[] = {
                "Port\n", "Port 0\n", "Port 65536\n", "Port -1\n", "Port 22x\n", "Port 99999999999999999999\n",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad_ports); i++) {
                put("etc/ssh/sshd_config", bad_ports[i], strlen(bad_ports[i]));
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
                _cleanup_free_ char *text = collect(&count);
                const char *expect =
                        "ssh-ed25519 AAAAroot root@x\r\n"
                        "from=\"10.0.0.0/8\",no-pty ssh-ed25519 AAAAopts x\n"
                        "not a key at all\n"
                        "ssh-ed25519 AAAAalice alice@x\n"
                        "ssh-rsa AAAAafter-nul\n";

                ASSERT_STREQ(text, expect);
                ASSERT_EQ(count, 5);
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
