/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The parsers of who gets in: sshd_config (Port, AuthorizedKeysFile,
 * Include), /etc/passwd, /etc/group and authorized_keys lines, on arbitrary
 * bytes. The input is split at NUL bytes into, in order:
 *
 *     etc/ssh/sshd_config, etc/ssh/extra.conf (for Include), etc/passwd,
 *     etc/group, root/.ssh/authorized_keys
 *
 * written below a private directory that stands for the host's root.
 * Beyond "no crash": ports are 1..65535 and distinct, the authorized_keys
 * the overlay gets holds exactly the counted lines, none blank, a comment
 * or twice, and every fingerprint has the length ssh-keygen prints.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-keys.h"
#include "agent-log.h"
#include "agent-sshd.h"
#include "cpio.h"
#include "fuzz-util.h"

static const char *const files[] = {
        "etc/ssh/sshd_config", "etc/ssh/extra.conf", "etc/passwd", "etc/group", "root/.ssh/authorized_keys",
};

static char root[64];

static void remove_root(void) {
        char path[128];

        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
                snprintf(path, sizeof(path), "%s/%s", root, files[i]);
                (void) unlink(path);
        }
        for (const char *d = "root/.ssh\0root\0etc/ssh\0etc\0"; *d; d += strlen(d) + 1) {
                snprintf(path, sizeof(path), "%s/%s", root, d);
                (void) rmdir(path);
        }
        (void) rmdir(root);
}

static void make_root(void) {
        char path[128];

        snprintf(root, sizeof(root), "%s/fuzz-keys-XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
        CHECK(mkdtemp(root));
        for (const char *d = "etc\0etc/ssh\0root\0root/.ssh\0"; *d; d += strlen(d) + 1) {
                snprintf(path, sizeof(path), "%s/%s", root, d);
                CHECK(mkdir(path, 0755) == 0);
        }
        atexit(remove_root);
        /* Only the input decides who is an admin. */
        unsetenv("SUDO_USER");
        unsetenv("DOAS_USER");
        log_quiet = true;
}

static void put(const char *name, const uint8_t *data, size_t size, bool present) {
        char path[128];
        int fd;

        snprintf(path, sizeof(path), "%s/%s", root, name);
        if (!present) {
                (void) unlink(path);
                return;
        }
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        CHECK(fd >= 0);
        CHECK(write(fd, data, size) == (ssize_t) size);
        close(fd);
}

static void check_ports(void) {
        uint16_t ports[SSHD_MAX_PORTS];
        int n = sshd_config_ports(root, ports);

        if (n < 0)
                return;
        CHECK(n >= 1 && n <= SSHD_MAX_PORTS);
        for (int i = 0; i < n; i++) {
                CHECK(ports[i] != 0);
                for (int j = 0; j < i; j++)
                        CHECK(ports[i] != ports[j]);
        }
}

static void check_patterns(void) {
        char **patterns = NULL;
        int n = sshd_config_authorized_keys_files(root, &patterns);

        if (n < 0) {
                CHECK(!patterns);
                return;
        }
        CHECK(n <= SSHD_MAX_AUTHORIZED_KEYS_FILES);
        for (int i = 0; i < n; i++) {
                char *path = NULL;
                int r;

                CHECK(patterns[i] && *patterns[i]);
                r = sshd_expand_authorized_keys_file(patterns[i], "root", "/root", 0, &path);
                CHECK(r == 0 || r == -EBADMSG);
                if (r == 0)
                        CHECK(path[0] == '/');
                free(path);
        }
        CHECK(!patterns[n]);
        sshd_authorized_keys_files_free(patterns);
}

static void check_authorized_keys(void) {
        KeysReport report = {};
        CpioWriter *w = NULL;
        CpioArchive *a = NULL;
        const CpioEntry *e;
        const void *out;
        size_t out_size, lines = 0;
        int r;

        CHECK(cpio_writer_new(&w) == 0);
        r = keys_add_authorized_keys(w, root, NULL, &report);
        if (r < 0) {
                cpio_writer_free(w);
                return;
        }
        CHECK(cpio_writer_finish(w, &out, &out_size) == 0);
        CHECK(cpio_reader_parse(out, out_size, &a) == 0);
        e = cpio_archive_find(a, "root/.ssh/authorized_keys");
        CHECK(!e == (report.n_authorized == 0));
        if (e) {
                const char *text = e->data;

                CHECK(e->size > 0 && text[e->size - 1] == '\n');
                for (size_t at = 0; at < e->size;) {
                        const char *line = text + at;
                        size_t len = (size_t) ((const char *) memchr(line, '\n', e->size - at) - line);
                        size_t blank = strspn(line, " \t");

                        CHECK(len > 0 && blank < len && line[blank] != '#' && line[blank] != '\r');
                        for (size_t k = 0; k < at;) {   /* no line twice */
                                const char *other = text + k;
                                size_t olen = (size_t) ((const char *) memchr(other, '\n', e->size - k) - other);

                                CHECK(olen != len || memcmp(other, line, len) != 0);
                                k += olen + 1;
                        }
                        lines++;
                        at += len + 1;
                }
        }
        CHECK(lines == report.n_authorized);
        cpio_archive_free(a);
        cpio_writer_free(w);
}

static void check_fingerprints(const uint8_t *data, size_t size) {
        char *text = strndup((const char *) data, size);

        CHECK(text);
        for (char *line = text, *next; line; line = next) {
                char type[32], fp[64];

                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                if (keys_fingerprint(line, type, sizeof(type), fp) < 0)
                        continue;
                CHECK(strlen(type) > 0 && strlen(type) < sizeof(type));
                CHECK(strncmp(fp, "SHA256:", 7) == 0 && strlen(fp) == 7 + 43);
        }
        free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const uint8_t *part = data, *end = data + size, *keys = NULL;
        size_t keys_size = 0;

        if (!root[0])
                make_root();
        /* ".." would lead Include and AuthorizedKeysFile out of the fake root
         * into this machine's files. */
        if (memmem(data, size, "..", 2))
                return 0;

        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
                const uint8_t *nul = part < end ? memchr(part, '\0', (size_t) (end - part)) : NULL;
                size_t len = part < end ? (size_t) ((nul ?: end) - part) : 0;

                put(files[i], part, len, part < end);
                if (i == 4) {
                        keys = part;
                        keys_size = len;
                }
                part = part < end ? part + len + 1 : end;
        }

        check_ports();
        check_patterns();
        check_authorized_keys();
        if (keys)
                check_fingerprints(keys, keys_size);
        return 0;
}
