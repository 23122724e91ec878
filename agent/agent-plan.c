/* SPDX-License-Identifier: GPL-2.0-or-later */
/* agent plan: everything `go` would capture, where the rescue comes back,
 * and what does not survive the trip. The same capture and checks as go;
 * nothing is loaded, nothing is written. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-check.h"
#include "agent-go.h"
#include "agent-log.h"
#include "cpio.h"
#include "macro.h"

#define PLAN_MAX_LOST 64

typedef struct Lost {
        char what[16];          /* "dhcp-lease", "link-kind", "route", "rule", "runtime" */
        char detail[384];
} Lost;

/* The value of key= in a netstate text line ("" when absent). Values with
 * characters outside the safe set are quoted; we show them as written. */
static void field(const char *line, const char *key, char *buf, size_t size) {
        size_t klen = strlen(key);

        buf[0] = '\0';
        for (const char *p = line; (p = strstr(p, key)); p += klen)
                if (p > line && p[-1] == ' ' && p[klen] == '=') {
                        const char *v = p + klen + 1;
                        size_t n = v[0] == '"' ? strcspn(v + 1, "\"") + 2 : strcspn(v, " ");

                        snprintf(buf, size, "%.*s", (int) MIN(n, size - 1), v);
                        return;
                }
}

/* A bare flag word ("dynamic", "incomplete") in a netstate text line. */
static bool flag(const char *line, const char *word) {
        size_t n = strlen(word);

        for (const char *p = line; (p = strstr(p, word)); p += n)
                if (p > line && p[-1] == ' ' && (p[n] == ' ' || p[n] == '\0'))
                        return true;
        return false;
}

/* Link kinds the restore script recreates (netstate/netstate-script.c);
 * "" is a plain device, matched by MAC. */
static bool kind_restorable(const char *kind) {
        static const char *const kinds[] = { "", "bond", "bridge", "vlan", "macvlan", "dummy", "ifb" };

        for (size_t i = 0; i < ELEMENTSOF(kinds); i++)
                if (streq(kind, kinds[i]))
                        return true;
        return false;
}

static size_t find_lost(const Overlay *ov, Lost *lost) {
        _cleanup_free_ char *text = NULL;
        size_t n = 0;

        if (netstate_format(ov->net, &text) >= 0)
                for (char *line = text, *next; line && *line && n < PLAN_MAX_LOST - 1; line = next) {
                        char a[64], b[64], c[64];

                        next = strchr(line, '\n');
                        if (next)
                                *next++ = '\0';
                        if (strncmp(line, "addr ", 5) == 0 && flag(line, "dynamic")) {
                                field(line, "local", a, sizeof(a));
                                field(line, "dev", b, sizeof(b));
                                lost[n] = (Lost) { .what = "dhcp-lease" };
                                snprintf(lost[n++].detail, sizeof(lost[0].detail),
                                         "%s on %s has a lease (DHCP or SLAAC): the rescue keeps it as a static address and never renews it",
                                         a, b);
                        } else if (strncmp(line, "link ", 5) == 0) {
                                field(line, "kind", a, sizeof(a));
                                field(line, "name", b, sizeof(b));
                                if (flag(line, "loopback") || kind_restorable(a))
                                        continue;
                                lost[n] = (Lost) { .what = "link-kind" };
                                snprintf(lost[n++].detail, sizeof(lost[0].detail),
                                         "%s is a %s link: not recreated in the rescue (nor its addresses and routes)", b, a);
                        } else if ((strncmp(line, "route ", 6) == 0 || strncmp(line, "rule ", 5) == 0) &&
                                   flag(line, "incomplete")) {
                                bool route = line[1] == 'o';

                                field(line, route ? "dst" : "prio", a, sizeof(a));
                                field(line, "table", c, sizeof(c));
                                field(line, "dev", b, sizeof(b));
                                lost[n] = (Lost) { .what = "" };
                                snprintf(lost[n].what, sizeof(lost[n].what), "%s", route ? "route" : "rule");
                                snprintf(lost[n++].detail, sizeof(lost[0].detail),
                                         "%s %s%s%s (table %s) uses attributes the agent does not capture: restored without them",
                                         route ? "route" : "rule", a, b[0] ? " dev " : "", b, c[0] ? c : "main");
                        }
                }
        lost[n] = (Lost) { .what = "runtime" };
        snprintf(lost[n++].detail, sizeof(lost[0].detail),
                 "every process, mount, firewall rule and unsaved file of the running system: the host reboots (only the disks stay)");
        return n;
}

static void print_human(const CheckInput *in, const char *cmdline, const Lost *lost, size_t n_lost, const CheckReport *report) {
        char addr[OVERLAY_ADDRESS_MAX];
        const char *dev;
        const Overlay *ov = in->ov;
        const RescueImage *img = in->img;
        const AgentOptions *o = in->o;

        printf("agent plan: what `agent go` would do (nothing is changed now)\n\n");
        printf("the rescue comes back on, sshd on port(s) %s:\n", ov->ports);
        OVERLAY_FOREACH_ADDRESS(ov, i, addr, dev)
                printf("  %s (%s)\n", addr, dev);
        printf("host keys (the rescue offers the same):\n");
        for (size_t i = 0; i < ov->keys.n_host_keys; i++) {
                const HostKey *k = &ov->keys.host_keys[i];
                printf("  %s %s%s\n", k->fingerprint[0] ? k->fingerprint : "(no .pub)", k->type[0] ? k->type : k->name,
                       k->has_certificate ? " +certificate" : "");
        }
        if (ov->keys.n_host_keys == 0)
                printf("  none: the rescue's sshd cannot start\n");
        printf("root logins: %zu key(s)%s\n", ov->keys.n_authorized, ov->keys.password ? ", and a password" : ", no password");
        for (size_t i = 0; i < ov->keys.n_sources; i++) {
                const KeySource *s = &ov->keys.key_sources[i];
                printf("  %s%s%s (%zu)\n", s->user, s->user[0] ? ": " : "--authorized-keys ", s->path, s->count);
        }
        if (o->fallback_seconds > 0)
                printf("fallback: the rescue reboots through the firmware %u s after it boots unless someone logs in\n",
                       o->fallback_seconds);
        else
                printf("fallback: none (--fallback-after 0)\n");
        if (img) {
                printf("rescue kernel: %zu bytes (init_size %llu bytes)\n", img->kernel_size,
                       (unsigned long long) img->kernel_info.init_size);
                printf("initramfs: %zu bytes = rescue %zu + overlay %zu (%zu unpacked)\n", in->initrd_size,
                       img->initrd_size, ov->size, ov->unpacked_size);
        }
        if (cmdline)
                printf("kernel command line: %s\n", cmdline);
        printf("lost on the way:\n");
        for (size_t i = 0; i < n_lost; i++)
                printf("  - %s\n", lost[i].detail);
        printf("checks: %zu FAIL, %zu WARN (agent check shows each)%s\n", report->n_fail, report->n_warn,
               report->n_fail ? ": go would refuse" : "");
        for (size_t i = 0; i < report->n; i++)
                if (report->items[i].level != CHECK_OK)
                        printf("  %s %s: %s\n", check_level_to_string(report->items[i].level), report->items[i].name,
                               report->items[i].reason);
}

static void print_json(const CheckInput *in, const char *cmdline, const Lost *lost, size_t n_lost, const CheckReport *report) {
        _cleanup_free_ char *net = NULL;
        char addr[OVERLAY_ADDRESS_MAX];
        const char *dev;
        const Overlay *ov = in->ov;
        const RescueImage *img = in->img;
        bool first = true;

        printf("{\"version\":1,\"addresses\":[");
        OVERLAY_FOREACH_ADDRESS(ov, i, addr, dev) {
                printf("%s{\"address\":", first ? "" : ",");
                json_string(stdout, addr);
                printf(",\"dev\":");
                json_string(stdout, dev);
                printf("}");
                first = false;
        }
        printf("],\"ports\":[");
        first = true;
        for (const char *p = ov->ports; *p; p += strspn(p, " ")) {
                printf("%s%lu", first ? "" : ",", strtoul(p, NULL, 10));
                p += strcspn(p, " ");
                first = false;
        }
        printf("],\"host_keys\":[");
        for (size_t i = 0; i < ov->keys.n_host_keys; i++) {
                const HostKey *k = &ov->keys.host_keys[i];
                printf("%s{\"name\":", i ? "," : "");
                json_string(stdout, k->name);
                printf(",\"type\":");
                json_string(stdout, k->type);
                printf(",\"fingerprint\":");
                json_string(stdout, k->fingerprint);
                printf(",\"certificate\":%s}", k->has_certificate ? "true" : "false");
        }
        printf("],\"authorized_keys\":{\"count\":%zu,\"sources\":[", ov->keys.n_authorized);
        for (size_t i = 0; i < ov->keys.n_sources; i++) {
                const KeySource *s = &ov->keys.key_sources[i];
                printf("%s{\"user\":", i ? "," : "");
                if (s->user[0])
                        json_string(stdout, s->user);
                else
                        printf("null");
                printf(",\"path\":");
                json_string(stdout, s->path);
                printf(",\"count\":%zu}", s->count);
        }
        printf("]},\"password\":%s,\"fallback_seconds\":%u", ov->keys.password ? "true" : "false",
               in->o->fallback_seconds);
        if (img)
                printf(",\"kernel\":{\"size\":%zu,\"init_size\":%llu},\"initrd\":{\"size\":%zu,\"rescue_size\":%zu,"
                       "\"overlay_size\":%zu,\"overlay_unpacked_size\":%zu}",
                       img->kernel_size, (unsigned long long) img->kernel_info.init_size, in->initrd_size,
                       img->initrd_size, ov->size, ov->unpacked_size);
        else
                printf(",\"kernel\":null,\"initrd\":null");
        printf(",\"cmdline\":");
        if (cmdline)
                json_string(stdout, cmdline);
        else
                printf("null");
        printf(",\"lost\":[");
        for (size_t i = 0; i < n_lost; i++) {
                printf("%s{\"what\":", i ? "," : "");
                json_string(stdout, lost[i].what);
                printf(",\"detail\":");
                json_string(stdout, lost[i].detail);
                printf("}");
        }
        printf("],\"checks\":");
        check_report_json(report, stdout);
        printf(",\"network\":");
        if (netstate_render_json(ov->net, &net) >= 0) {
                net[strcspn(net, "\n")] = '\0';       /* one line, as the rest */
                fputs(net, stdout);
        }
        else
                printf("null");
        printf("}\n");
}

int verb_plan(const AgentOptions *o) {
        _cleanup_free_ char *cmdline = NULL;
        Lost lost[PLAN_MAX_LOST];
        CheckReport report;
        RescueImage img = {};
        Overlay ov = {};
        CheckInput in = { .o = o };
        size_t n_lost, initrd_size;
        bool img_ok, ov_ok;

        (void) preflight_prepare(o, PAYLOAD_VERIFY_QUICK, &img, &img_ok, &ov, &ov_ok, &initrd_size, &report);
        if (!ov_ok) {
                if (img_ok)
                        rescue_image_done(&img);
                return log_error(-EINVAL, "cannot capture the host: no plan"), 1;
        }
        in.ov = &ov;
        in.initrd_size = initrd_size;
        if (img_ok) {
                in.img = &img;
                if (go_build_cmdline(o, &img, &cmdline) < 0)
                        cmdline = NULL;
        }
        n_lost = find_lost(&ov, lost);
        if (o->json)
                print_json(&in, cmdline, lost, n_lost, &report);
        else
                print_human(&in, cmdline, lost, n_lost, &report);
        overlay_done(&ov);
        if (img_ok)
                rescue_image_done(&img);
        return 0;
}
