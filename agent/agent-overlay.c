/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "agent-hostfacts.h"
#include "agent-log.h"
#include "agent-member.h"
#include "agent-overlay.h"
#include "agent-payload.h"
#include "config.h"
#include "cpio.h"
#include "macro.h"

/* The rescue init checks this file: the kernel stops unpacking at the first
 * error (the rootfs tmpfs is capped at half of RAM) and only logs it, so a
 * missing sentinel is the one way to know the overlay did not arrive whole.
 * It travels in a member of its own after the overlay: unpacked last. */
#define OVERLAY_SENTINEL "etc/rescue/overlay-complete"

DEFINE_TRIVIAL_CLEANUP_FUNC(CpioWriter *, cpio_writer_free);

static char *shell_quote(const char *s) {
        size_t n = 3;
        char *out, *p;

        for (const char *c = s; *c; c++)
                n += *c == '\'' ? 4 : 1;
        out = p = malloc(n);
        if (!out)
                return NULL;
        *p++ = '\'';
        for (const char *c = s; *c; c++) {
                if (*c == '\'') {
                        memcpy(p, "'\\''", 4);
                        p += 4;
                } else
                        *p++ = *c;
        }
        *p++ = '\'';
        *p = '\0';
        return out;
}

static int add_text(CpioWriter *w, const char *path, uint32_t mode, const char *text) {
        int r = cpio_writer_add_file(w, path, mode, 0, 0, 0, text, strlen(text));
        if (r < 0)
                return log_error_errno(r, "cannot add %s to the overlay", path);
        return 0;
}

static int add_env(CpioWriter *w, const Overlay *ov, const AgentOptions *o) {
        _cleanup_free_ char *text = NULL, *host = NULL;
        const char *hostname = netstate_hostname(ov->net);

        host = shell_quote(hostname ?: "rescue");
        if (!host)
                return -ENOMEM;
        if (asprintf(&text,
                     "RESCUE_FORMAT='1.1'\n"
                     "RESCUE_HOSTNAME=%s\n"
                     "RESCUE_SSH_PORTS='%s'\n"
                     "RESCUE_FALLBACK_SECONDS='%u'\n"
                     "RESCUE_AGENT_VERSION='%s'\n",
                     host, ov->ports, o->fallback_seconds, PACKAGE_VERSION) < 0)
                return -ENOMEM;
        return add_text(w, "etc/rescue/env", 0644, text);
}

static int add_network(CpioWriter *w, const Overlay *ov) {
        _cleanup_free_ char *state = NULL, *script = NULL, *resolv = NULL;
        const char *hostname = netstate_hostname(ov->net);
        int r;

        r = netstate_format(ov->net, &state);
        if (r < 0)
                return log_error_errno(r, "cannot write the network state");
        r = netstate_render_script(ov->net, &script);
        if (r < 0)
                return log_error_errno(r, "cannot write the network restore script");
        r = netstate_render_resolv_conf(ov->net, &resolv);
        if (r < 0)
                return log_error_errno(r, "cannot write resolv.conf");

        if ((r = add_text(w, "etc/rescue/netstate", 0644, state)) < 0 ||
            (r = add_text(w, "etc/rescue/network.sh", 0755, script)) < 0 ||
            (r = add_text(w, "etc/resolv.conf", 0644, resolv)) < 0)
                return r;
        if (hostname) {
                _cleanup_free_ char *line = NULL;
                if (asprintf(&line, "%s\n", hostname) < 0)
                        return -ENOMEM;
                if ((r = add_text(w, "etc/hostname", 0644, line)) < 0)
                        return r;
        }
        return 0;
}

/* The rescue restores the network with this very program, carried without
 * its payload (the rescue image it bundles is what is running there), so a
 * foreign rescue initramfs can run it too. It travels in a member of its
 * own, made and compressed by `agent bundle` (agent-member.c): compressing
 * half a MiB of program was most of go's preparation time. *ret points into
 * *self (the mapped payload) or, when it had to be made now, *ret_owned. */
static int agent_member(Payload **self, void **ret_owned, const void **ret, size_t *ret_size, uint64_t *ret_unpacked) {
        const char *reason = NULL;
        int r;

        r = payload_open(NULL, self, &reason);
        if (r < 0 && r != -ENOMSG)
                return log_error_errno(r, "cannot read this program to carry it into the rescue%s%s",
                                       reason ? ": " : "", reason ?: "");
        r = agent_member_get(*self, ret, ret_size, ret_owned);
        if (r == -EBADMSG)
                return log_error(r, "the bundled '%s' does not match its checksum: this copy of the agent is damaged; copy it again",
                                 AGENT_MEMBER_BLOB);
        if (r < 0)
                return log_error_errno(r, "cannot make the initramfs member that carries this program into the rescue");
        r = agent_member_unpacked_size(*ret, *ret_size, ret_unpacked);
        if (r < 0)
                return log_error(r, "the bundled '%s' is no xz member: this copy of the agent is damaged; copy it again",
                                 AGENT_MEMBER_BLOB);
        return 0;
}

static int capture_ports(const char *root, Overlay *ov) {
        uint16_t ports[SSHD_MAX_PORTS];
        size_t len = 0;
        int n;

        n = sshd_config_ports(root, ports);
        if (n < 0)
                return log_error_errno(n, "cannot read the sshd port(s) from /etc/ssh/sshd_config");
        for (int i = 0; i < n; i++)
                len += (size_t) snprintf(ov->ports + len, sizeof(ov->ports) - len, "%s%u", i ? " " : "", ports[i]);
        return 0;
}

static int sentinel_member(void **ret, size_t *ret_size) {
        _cleanup_(cpio_writer_freep) CpioWriter *w = NULL;
        const void *data;
        size_t size;
        void *copy;
        int r;

        r = cpio_writer_new(&w);
        if (r >= 0)
                r = cpio_writer_add_dir(w, "etc/rescue", 0755, 0, 0, 0);
        if (r >= 0)
                r = cpio_writer_add_file(w, OVERLAY_SENTINEL, 0644, 0, 0, 0, "complete\n", 9);
        if (r >= 0)
                r = cpio_writer_finish(w, &data, &size);
        if (r < 0)
                return r;
        copy = malloc(size);
        if (!copy)
                return -ENOMEM;
        memcpy(copy, data, size);
        *ret = copy;
        *ret_size = size;
        return 0;
}

/* The compressed overlay, the agent's member and the sentinel member in one
 * buffer, each at a 4-byte aligned offset (cpio_append_padding). */
static int concatenate(const void *packed, size_t packed_size, const void *member, size_t member_size,
                       const void *sentinel, size_t sentinel_size, void **ret, size_t *ret_size) {
        size_t pad1 = cpio_append_padding(packed_size);
        size_t pad2 = cpio_append_padding(packed_size + pad1 + member_size);
        size_t size = packed_size + pad1 + member_size + pad2 + sentinel_size;
        uint8_t *p, *out;

        /* Each part is at most a few MiB: the sum cannot wrap. */
        p = out = calloc(1, size);
        if (!out)
                return -ENOMEM;
        p = (uint8_t *) mempcpy(p, packed, packed_size) + pad1;
        p = (uint8_t *) mempcpy(p, member, member_size) + pad2;
        memcpy(p, sentinel, sentinel_size);
        *ret = out;
        *ret_size = size;
        return 0;
}

int overlay_build(const AgentOptions *o, Overlay *ret) {
        _cleanup_(cpio_writer_freep) CpioWriter *w = NULL;
        _cleanup_free_ void *packed = NULL, *sentinel = NULL, *member_owned = NULL;
        _cleanup_(payload_freep) Payload *self = NULL;
        Overlay ov = {};
        const void *cpio, *member;
        size_t cpio_size, packed_size, sentinel_size, member_size;
        uint64_t member_unpacked;
        int r;

        r = netstate_capture_at(o->root, &ov.net);
        if (r < 0) {
                log_error_errno(r, "cannot capture the network state through netlink");
                goto fail;
        }

        r = cpio_writer_new(&w);
        if (r < 0)
                goto fail_nomem;
        /* Directories the base image has too: give them their usual modes
         * explicitly, since the kernel applies an appended entry's mode. */
        if ((r = cpio_writer_add_dir(w, "etc", 0755, 0, 0, 0)) < 0 ||
            (r = cpio_writer_add_dir(w, "etc/ssh", 0755, 0, 0, 0)) < 0 ||
            (r = cpio_writer_add_dir(w, "etc/rescue", 0755, 0, 0, 0)) < 0) {
                log_error_errno(r, "cannot start the overlay");
                goto fail;
        }

        r = capture_ports(o->root, &ov);
        if (r < 0)
                goto fail;
        r = keys_add_host_keys(w, o->root, &ov.keys);
        if (r < 0)
                goto fail;
        r = keys_add_authorized_keys(w, o->root, &(KeysRequest) { o->authorized_keys, o->keys_from, o->password_hash },
                                     &ov.keys);
        if (r < 0)
                goto fail;
        r = add_network(w, &ov);
        if (r < 0)
                goto fail;
        r = add_env(w, &ov, o);
        if (r < 0)
                goto fail;
        r = hostfacts_add(w, o->root);
        if (r < 0)
                goto fail_nomem;
        r = agent_member(&self, &member_owned, &member, &member_size, &member_unpacked);
        if (r < 0)
                goto fail;

        r = cpio_writer_finish(w, &cpio, &cpio_size);
        if (r < 0)
                goto fail_nomem;
        /* gzip, not xz: the host's files are a few KiB, where setting up
         * an LZMA encoder costs more than the data (7.5 ms against 1.3 ms
         * in a TCG guest, for a few dozen bytes more). */
        r = cpio_compress(CPIO_COMPRESSION_GZIP, cpio, cpio_size, &packed, &packed_size);
        if (r < 0) {
                log_error_errno(r, "cannot compress the overlay");
                goto fail;
        }
        r = sentinel_member(&sentinel, &sentinel_size);
        if (r < 0)
                goto fail_nomem;
        r = concatenate(packed, packed_size, member, member_size, sentinel, sentinel_size, &ov.data, &ov.size);
        if (r < 0)
                goto fail_nomem;
        ov.unpacked_size = cpio_size + (size_t) member_unpacked + sentinel_size;
        *ret = ov;
        return 0;

fail_nomem:
        log_error_errno(r, "cannot build the overlay");
fail:
        overlay_done(&ov);
        return r;
}

void overlay_done(Overlay *ov) {
        free(ov->data);
        netstate_free(ov->net);
        *ov = (Overlay) {};
}

bool overlay_next_address(const Overlay *ov, size_t *i, char addr[static OVERLAY_ADDRESS_MAX], const char **ret_dev) {
        for (;; (*i)++) {
                int r = netstate_global_address(ov->net, *i, addr, ret_dev);

                if (r == -ERANGE)
                        return false;
                if (r >= 0)
                        return true;
        }
}

void overlay_print_summary(const Overlay *ov, const AgentOptions *o) {
        size_t links, addrs, routes, rules;
        char addr[OVERLAY_ADDRESS_MAX];
        const char *dev;

        netstate_counts(ov->net, &links, &addrs, &routes, &rules);
        log_info("network: %zu links, %zu addresses, %zu routes, %zu rules captured", links, addrs, routes, rules);
        for (size_t i = 0; i < ov->keys.n_host_keys; i++) {
                const HostKey *k = &ov->keys.host_keys[i];
                log_info("host key %s %s%s", k->fingerprint[0] ? k->fingerprint : "(no .pub)",
                         k->type[0] ? k->type : k->name, k->has_certificate ? " +certificate" : "");
        }
        OVERLAY_FOREACH_ADDRESS(ov, i, addr, dev)
                log_info("log in again with: ssh root@%s (port %s, via %s)", addr, ov->ports, dev);
        log_info("root logins by key: %zu key(s) from %s", ov->keys.n_authorized,
                 ov->keys.sources[0] ? ov->keys.sources : "nowhere");
        if (o->fallback_seconds > 0)
                log_info("the rescue reboots through the firmware after %u s unless someone logs in over SSH",
                         o->fallback_seconds);
}
