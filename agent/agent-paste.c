/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * agent paste: a POSIX sh script that recreates this agent on a host that
 * can only be reached through a serial or IPMI console. The program (and
 * unless --bare its payload) goes gzip-compressed and base64-encoded into a
 * here-document; the script decodes it with base64 and gzip (coreutils or
 * busybox), compares its SHA-256 before anything is made executable, and
 * links it into place without overwriting what is there.
 *
 * The script is written to be pasted into an interactive shell as much as
 * run with sh: no `set -e` and no `exit` outside subshells (either would
 * end the operator's console session), no tabs (completion), no '!'
 * (bash history expansion, even in a "#!" line), every line at most 76
 * characters.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent-log.h"
#include "agent-payload.h"
#include "agent.h"
#include "config.h"
#include "cpio.h"
#include "fileio.h"
#include "git-version.h"
#include "macro.h"
#include "sha256.h"

#define PASTE_LINE 76                           /* base64 characters per line */
/* Input bytes per here-document: an interactive bash slows down more than
 * linearly with the length of one command (24 MB took it over ten minutes
 * of CPU); short commands keep every shell far ahead of 115200 baud. */
#define PASTE_CHUNK (256 * 1024)
#define PASTE_DEFAULT_DEST "/run/agent"
#define PASTE_DEST_MAX 64                       /* "ra_dst=" + this fits a line */
/* 115200 baud, 8N1: a start bit, 8 data bits and a stop bit per byte. */
#define PASTE_BAUD 115200
#define PASTE_BITS_PER_BYTE 10

static const char b64_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The destination is pasted into a shell inside double quotes: allow only
 * characters that mean nothing there. */
static bool dest_is_safe(const char *dest) {
        size_t n = strlen(dest);

        if (n < 2 || n > PASTE_DEST_MAX || dest[0] != '/' || dest[n - 1] == '/')
                return false;
        return strspn(dest, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                            "0123456789/._-+") == n;
}

/* Base64 (RFC 4648) in lines of PASTE_LINE characters; the last one shorter. */
static void write_base64(FILE *f, const uint8_t *data, size_t size) {
        char line[PASTE_LINE + 2];
        size_t col = 0;

        for (size_t i = 0; i < size; i += 3) {
                uint32_t v = (uint32_t) data[i] << 16;
                size_t left = size - i;

                if (left > 1)
                        v |= (uint32_t) data[i + 1] << 8;
                if (left > 2)
                        v |= data[i + 2];
                line[col++] = b64_alphabet[v >> 18 & 63];
                line[col++] = b64_alphabet[v >> 12 & 63];
                line[col++] = left > 1 ? b64_alphabet[v >> 6 & 63] : '=';
                line[col++] = left > 2 ? b64_alphabet[v & 63] : '=';
                if (col == PASTE_LINE) {
                        line[col++] = '\n';
                        fwrite(line, 1, col, f);
                        col = 0;
                }
        }
        if (col > 0) {
                line[col++] = '\n';
                fwrite(line, 1, col, f);
        }
}

/* Everything before the data. ra_t names a tool, or busybox's applet where
 * the tool itself is missing (minimal and embedded systems); ra_c appends
 * one chunk, unless the start was refused or a chunk failed already. */
static void write_head(FILE *f, const char *what, size_t size, const char *hex, const char *dest) {
        fprintf(f,
                "# agent %s (git %s)\n"
                "# %s: %zu bytes, sha256\n"
                "# %s\n"
                "# Paste into a root shell on the host's console (sh, dash, bash,\n"
                "# busybox sh), or run it with sh. It writes this file and nothing\n"
                "# else (change ra_dst for another place):\n"
                "# %s\n"
                "# Needs base64, gzip and sha256sum (coreutils or busybox).\n"
                "ra_dst=%s\n"
                "ra_sum=%s\n"
                "ra_go=0 ra_bad=0\n"
                "ra_t() {\n"
                "  if command -v \"$1\" >/dev/null 2>&1; then echo \"$1\"\n"
                "  else echo \"busybox $1\"; fi\n"
                "}\n"
                "ra_c() {\n"
                "  [ \"$ra_go\" = 1 ] && [ \"$ra_bad\" = 0 ] || return 0\n"
                "  $(ra_t base64) -d | $(ra_t gzip) -dc >>\"$ra_dst.part\" || ra_bad=1\n"
                "}\n"
                "if [ -e \"$ra_dst\" ]; then\n"
                "  echo \"agent-paste: $ra_dst exists, not overwritten:\" \\\n"
                "    \"remove it or change ra_dst, then paste again\" >&2\n"
                "else\n"
                "  rm -f \"$ra_dst.part\"\n"
                "  (umask 077; set -C; : >\"$ra_dst.part\") && ra_go=1\n"
                "fi\n",
                PACKAGE_VERSION, GIT_REVISION, what, size, hex, dest, dest, hex);
}

/* One chunk: its own gzip member, base64, in its own here-document. */
static int write_chunk(FILE *f, const uint8_t *data, size_t size) {
        _cleanup_free_ void *gz = NULL;
        size_t gz_size;
        int r;

        r = cpio_compress(CPIO_COMPRESSION_GZIP, data, size, &gz, &gz_size);
        if (r < 0)
                return r;
        fputs("ra_c <<'AGENT_PASTE_END'\n", f);
        write_base64(f, gz, gz_size);
        fputs("AGENT_PASTE_END\n", f);
        return 0;
}

/* After the data: check, then make executable and link into place; ln
 * refuses to replace a file that appeared in the meantime. */
static void write_tail(FILE *f) {
        fputs("if [ \"$ra_go\" = 1 ]; then\n"
              "  ra_got=$($(ra_t sha256sum) <\"$ra_dst.part\")\n"
              "  if [ \"$ra_bad\" = 0 ] && [ \"${ra_got%% *}\" = \"$ra_sum\" ]; then\n"
              "    chmod 0755 \"$ra_dst.part\" && ln \"$ra_dst.part\" \"$ra_dst\" &&\n"
              "      echo \"agent-paste: $ra_dst written, sha256 matches\"\n"
              "  else\n"
              "    echo \"agent-paste: sha256 mismatch, the paste was damaged;\" \\\n"
              "      \"nothing written: paste the whole script again\" >&2\n"
              "  fi\n"
              "  rm -f \"$ra_dst.part\"\n"
              "fi\n"
              "unset ra_sum ra_got ra_go ra_bad\n"
              "unset -f ra_t ra_c\n", f);
}

/* The bytes to recreate: the whole program file, or with bare only the ELF
 * image in front of the payload. Borrowed from *self or owned in *buf. */
static int load_self(bool bare, Payload **self, char **buf, const void **ret_data, size_t *ret_size,
                     const char **ret_what) {
        const char *reason = NULL, *bad = NULL;
        size_t size;
        int r;

        r = payload_open(NULL, self, &reason);
        if (r < 0 && r != -ENOMSG)
                return log_error_errno(r, "this agent's payload is unusable (%s); paste an intact copy",
                                       reason ?: "cannot read /proc/self/exe");
        if (r >= 0 && payload_verify(*self, PAYLOAD_VERIFY_FULL, &bad) < 0)
                return log_error(-EBADMSG, "this agent's payload is damaged (%s fails its sha256); "
                                 "paste an intact copy", bad);
        if (r >= 0 && bare) {
                payload_program(*self, ret_data, ret_size);
                *ret_what = "the program without its rescue payload";
                return 0;
        }

        r = read_full_file("/proc/self/exe", PAYLOAD_MAX_SIZE, buf, &size);
        if (r < 0)
                return log_error_errno(r, "cannot read this program from /proc/self/exe (is /proc mounted?)");
        *ret_data = *buf;
        *ret_size = size;
        *ret_what = *self ? "the program with its rescue payload" : "the program (it carries no rescue payload)";
        return 0;
}

/* Opens the output: stdout unless -o; never a terminal (megabytes of base64
 * would scroll by), never over an existing file unless --force. */
static int open_output(const char *path, bool force, int *ret_fd) {
        int fd;

        if (!path) {
                if (isatty(STDOUT_FILENO))
                        return log_error(-EINVAL, "paste writes a script of megabytes; redirect it "
                                         "(agent paste > agent.sh) or use -o FILE");
                *ret_fd = STDOUT_FILENO;
                return 0;
        }
        fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), 0644);
        if (fd < 0) {
                if (errno == EEXIST)
                        return log_error(-EEXIST, "%s exists; remove it or pass --force", path);
                return log_error_errno(-errno, "cannot create %s", path);
        }
        *ret_fd = fd;
        return 0;
}

static void log_paste_time(const char *script, size_t size) {
        uint64_t secs = ((uint64_t) size * PASTE_BITS_PER_BYTE + PASTE_BAUD - 1) / PASTE_BAUD;
        size_t lines = 0;

        for (const char *p = script; (p = memchr(p, '\n', size - (size_t) (p - script))); p++)
                lines++;
        log_info("script: %zu bytes in %zu lines; pasting it at %d baud (8N1) takes at least "
                 "%" PRIu64 " min %02" PRIu64 " s", size, lines, PASTE_BAUD, secs / 60, secs % 60);
}

/* The whole script in memory: its size is known before a byte is written. */
static int make_script(const char *what, const uint8_t *data, size_t size, const char *dest,
                       char **ret, size_t *ret_size) {
        uint8_t digest[SHA256_DIGEST_SIZE];
        char hex[65], *buf = NULL;
        size_t buf_size = 0;
        FILE *f;
        int r = 0;

        sha256(data, size, digest);
        sha256_to_hex(digest, hex);

        f = open_memstream(&buf, &buf_size);
        if (!f)
                return -ENOMEM;
        write_head(f, what, size, hex, dest);
        for (size_t off = 0; off < size && r >= 0; off += PASTE_CHUNK)
                r = write_chunk(f, data + off, MIN(PASTE_CHUNK, size - off));
        write_tail(f);
        if (r >= 0 && ferror(f))
                r = -ENOMEM;
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0) {
                free(buf);
                return r;
        }
        *ret = buf;
        *ret_size = buf_size;
        return 0;
}

int verb_paste(const AgentOptions *o, const char *dest) {
        _cleanup_(payload_freep) Payload *self = NULL;
        _cleanup_free_ char *whole = NULL, *script = NULL;
        _cleanup_close_ int out_fd = -EBADF;
        const void *data = NULL;
        const char *what = NULL;
        size_t size = 0, script_size = 0;
        int fd = -EBADF, r;

        dest = dest ?: PASTE_DEFAULT_DEST;
        if (!dest_is_safe(dest)) {
                log_error(-EINVAL, "paste: '%s' is no absolute path of letters, digits and /._-+", dest);
                return EXIT_USAGE;
        }

        if (load_self(o->bare, &self, &whole, &data, &size, &what) < 0)
                return 1;
        r = make_script(what, data, size, dest, &script, &script_size);
        if (r < 0)
                return log_error_errno(r, "cannot make the script for %zu bytes", size), 1;

        if (open_output(o->output, o->force, &fd) < 0)
                return 1;
        if (fd != STDOUT_FILENO)
                out_fd = fd;
        r = write_all(fd, script, script_size);
        if (r >= 0 && out_fd >= 0 && fsync(out_fd) < 0)
                r = -errno;
        if (r < 0) {
                if (o->output)
                        unlink(o->output);
                return log_error_errno(r, "cannot write %s", o->output ?: "the script to standard output"), 1;
        }

        log_info("the script recreates %s: %zu bytes, %s", dest, size, what);
        log_paste_time(script, script_size);
        return 0;
}
