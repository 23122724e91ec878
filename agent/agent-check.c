/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The preflight, one implementation for `agent check` and `agent go`. Each
 * check adds one line: OK, WARN (go goes on) or FAIL (go refuses, unless
 * --force covers it), with the reason and what to do. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent-check.h"
#include "agent-drivers.h"
#include "agent-log.h"
#include "cpio.h"
#include "fileio.h"
#include "kexec.h"
#include "macro.h"

const char *check_level_to_string(CheckLevel l) {
        switch (l) {
        case CHECK_OK:
                return "OK";
        case CHECK_WARN:
                return "WARN";
        case CHECK_FAIL:
                return "FAIL";
        }
        return "?";
}

/* add(report, level, name, todo, reason-format, ...): todo may be NULL. */
_printf_(5, 6)
static void add(CheckReport *r, CheckLevel level, const char *name, const char *todo, const char *fmt, ...) {
        CheckItem *it;
        va_list ap;

        if (r->n >= CHECK_MAX_ITEMS)
                return;
        it = &r->items[r->n++];
        *it = (CheckItem) { .level = level };
        snprintf(it->name, sizeof(it->name), "%s", name);
        snprintf(it->todo, sizeof(it->todo), "%s", todo ?: "");
        va_start(ap, fmt);
        vsnprintf(it->reason, sizeof(it->reason), fmt, ap);
        va_end(ap);
        if (level == CHECK_FAIL)
                r->n_fail++;
        else if (level == CHECK_WARN)
                r->n_warn++;
}

/* A FAIL that --force may override: with it, a WARN marked forced. */
static CheckLevel forceable(const AgentOptions *o) {
        return o->force ? CHECK_WARN : CHECK_FAIL;
}

static void mark_forced(CheckReport *r, const AgentOptions *o) {
        if (o->force && r->n > 0 && r->items[r->n - 1].level == CHECK_WARN)
                r->items[r->n - 1].forced = true;
}

static void check_root(CheckReport *r, const struct kexec_host_state *host) {
        if (geteuid() != 0)
                add(r, CHECK_FAIL, "root", "run it as root (sudo, doas, or a root shell)",
                    "not running as root: cannot read the host keys or load a kernel");
        else if (host->cap_sys_boot == 0)
                add(r, CHECK_FAIL, "root", "run it from a root shell of the host itself, not a restricted service or container",
                    "root, but without CAP_SYS_BOOT: the kernel refuses kexec");
        else
                add(r, CHECK_OK, "root", NULL, "root with CAP_SYS_BOOT");
}

/* Robust signs only: files container managers write on purpose, the
 * container= variable they give PID 1, and a user namespace (capabilities
 * there do not count for kexec). cgroup paths vary too much to trust. */
static void check_container(CheckReport *r, const char *root, const struct kexec_host_state *host) {
        static const struct {
                const char *path, *what;
        } marks[] = {
                { "/run/.containerenv", "podman (/run/.containerenv)" },
                { "/.dockerenv", "docker (/.dockerenv)" },
                { "/run/systemd/container", "a container (/run/systemd/container)" },
        };
        _cleanup_free_ char *environ_text = NULL;
        size_t size = 0;
        const char *todo = "run the agent on the host itself (or the VM's own kernel), not inside a container";

        for (size_t i = 0; i < ELEMENTSOF(marks); i++) {
                _cleanup_free_ char *text = NULL;

                if (read_full_file_below(root, marks[i].path, 4096, &text, NULL) >= 0) {
                        add(r, CHECK_FAIL, "container", todo, "running inside %s: kexec would reboot the host, if allowed at all",
                            marks[i].what);
                        return;
                }
        }
        if (read_full_file_below(root, "/proc/1/environ", 64 * 1024, &environ_text, &size) >= 0)
                for (size_t off = 0; off < size; off += strlen(environ_text + off) + 1)
                        if (strncmp(environ_text + off, "container=", 10) == 0) {
                                add(r, CHECK_FAIL, "container", todo, "running inside a container (PID 1 has %.64s)",
                                    environ_text + off);
                                return;
                        }
        if (host->user_namespace == 1) {
                add(r, CHECK_FAIL, "container", todo, "running in a user namespace (/proc/self/uid_map is not the host's)");
                return;
        }
        add(r, CHECK_OK, "container", NULL, "not in a container");
}

static void check_xen(CheckReport *r, const char *root) {
        _cleanup_free_ char *type = NULL, *guest = NULL;

        if (read_full_file_below(root, "/sys/hypervisor/type", 256, &type, NULL) < 0 ||
            strncmp(type, "xen", 3) != 0) {
                add(r, CHECK_OK, "xen-pv", NULL, "not a Xen guest");
                return;
        }
        if (read_full_file_below(root, "/sys/hypervisor/guest_type", 256, &guest, NULL) < 0) {
                add(r, CHECK_WARN, "xen-pv", "if this is a PV guest, use the provider's rescue mode instead",
                    "a Xen guest, and /sys/hypervisor/guest_type does not say whether PV or HVM");
                return;
        }
        guest[strcspn(guest, "\n")] = '\0';
        if (streq(guest, "PV"))
                add(r, CHECK_FAIL, "xen-pv", "use the provider's rescue mode, or switch the guest to HVM/PVH",
                    "a Xen PV guest: the hypervisor, not this kernel, boots kernels here; kexec cannot work");
        else
                add(r, CHECK_OK, "xen-pv", NULL, "a Xen %s guest: kexec works", guest);
}

static void check_kexec(CheckReport *r, const AgentOptions *o, const struct kexec_host_state *host) {
        if (host->loaded == -ENOENT)
                add(r, CHECK_FAIL, "kexec", "boot a kernel built with CONFIG_KEXEC_FILE (most distribution kernels are)",
                    "this kernel has no kexec support (/sys/kernel/kexec_loaded is missing)");
        else if (geteuid() == 0 && kexec_probe_file_load_syscall() == 0)
                add(r, CHECK_WARN, "kexec", "nothing; a kernel with CONFIG_KEXEC_FILE would also allow signed kernels under lockdown",
                    "this kernel lacks kexec_file_load (ENOSYS, or a seccomp filter hides it): the agent loads with "
                    "kexec_load and its own purgatory instead");
        else
                add(r, CHECK_OK, "kexec", NULL, "kexec is built into this kernel");

        if (host->load_disabled == 1)
                add(r, CHECK_FAIL, "kexec-disabled", "only a reboot through the firmware resets it",
                    "kexec is disabled until the next boot (kernel.kexec_load_disabled=1)");
        else if (host->load_limit_reboot_r == 0 && host->load_limit_reboot == 0)
                add(r, CHECK_FAIL, "kexec-disabled", "only a reboot through the firmware resets it",
                    "no kexec loads are left until the next boot (kernel.kexec_load_limit_reboot=0)");
        else
                add(r, CHECK_OK, "kexec-disabled", NULL, "kexec loads are allowed");

        if (host->loaded == 1) {
                add(r, forceable(o), "kexec-loaded", "unload it first (kexec -u) or pass --force to replace it",
                    "a kexec kernel is already loaded (kexec-tools or systemd?)");
                mark_forced(r, o);
        } else
                add(r, CHECK_OK, "kexec-loaded", NULL, "no kexec kernel is loaded yet");
}

static void check_signatures(CheckReport *r, const AgentOptions *o, const struct kexec_host_state *host) {
        const char *signed_path = o->kernel
                ? "under lockdown --kernel must be signed by a key this kernel trusts"
                : "the bundled kernel is Debian's signed one: it loads where the kernel trusts Debian's "
                  "key (Secure Boot with Debian's shim/db); else bundle a kernel signed for this machine";

        switch (host->lockdown) {
        case KEXEC_LOCKDOWN_NONE:
                add(r, CHECK_OK, "lockdown", NULL, "kernel lockdown is off");
                break;
        case KEXEC_LOCKDOWN_INTEGRITY:
        case KEXEC_LOCKDOWN_CONFIDENTIALITY:
                add(r, CHECK_WARN, "lockdown", signed_path,
                    "kernel lockdown (%s): only a kernel signed by a trusted key loads",
                    kexec_lockdown_to_string(host->lockdown));
                break;
        default:
                add(r, CHECK_WARN, "lockdown", "mount securityfs (/sys/kernel/security) to let the agent see it",
                    "cannot tell whether the kernel is locked down");
        }

        if (host->efi_platform_size == 32)
                add(r, CHECK_FAIL, "secure-boot", "boot the host in 64-bit UEFI or BIOS mode",
                    "32-bit EFI firmware: kexec_file_load refuses 64-bit kernels here");
        else if (host->secure_boot == KEXEC_SECURE_BOOT_ENABLED)
                add(r, CHECK_WARN, "secure-boot", signed_path,
                    "Secure Boot is on: the kernel checks the rescue kernel's signature");
        else if (host->secure_boot == KEXEC_SECURE_BOOT_UNKNOWN)
                add(r, CHECK_WARN, "secure-boot", "mount efivarfs to let the agent see it",
                    "EFI boot, but the SecureBoot variable is unreadable");
        else
                add(r, CHECK_OK, "secure-boot", NULL, "%s",
                    host->secure_boot == KEXEC_SECURE_BOOT_NOT_EFI ? "BIOS boot: no Secure Boot" : "Secure Boot is off");
}

/* A need in whole MiB, rounded up: next to an amount available rounded down,
 * "needs 141 MiB, 141 MiB available" can no longer read as enough. */
static unsigned long long mib_up(uint64_t bytes) {
        return (bytes + (UINT64_C(1) << 20) - 1) >> 20;
}

static void check_memory(CheckReport *r, const CheckInput *in, const struct kexec_host_state *host) {
        const RescueImage *img = in->img;
        uint64_t need, load_need;

        if (!img)
                return;
        need = kexec_memory_need(img->kernel_info.init_size, in->initrd_size);
        if (host->mem_total == 0)
                add(r, CHECK_WARN, "memory", NULL, "cannot read MemTotal from /proc/meminfo");
        else if (!kexec_memory_fits(need, host->mem_total))
                add(r, CHECK_FAIL, "memory", "use a machine with more RAM or a smaller rescue image (agent bundle)",
                    "the rescue needs %llu MiB but the kernel allows at most half of the %llu MiB of RAM",
                    mib_up(need), (unsigned long long) (host->mem_total >> 20));
        else
                add(r, CHECK_OK, "memory", NULL, "the rescue needs %llu MiB, half of the RAM is %llu MiB",
                    mib_up(need), (unsigned long long) (host->mem_total >> 21));

        /* At load time the kernel allocates pages for every segment, reads
         * both files into buffers of its own, and our memfds still hold a
         * copy of each: without that much free memory the OOM killer ends
         * us mid-load (seen in a 208 MiB guest). */
        load_need = need + 2 * (img->kernel_size + in->initrd_size);
        if (host->mem_available > 0 && load_need > host->mem_available)
                add(r, CHECK_FAIL, "memory-free", "stop memory-hungry services first",
                    "loading the rescue takes %llu MiB of free memory but only %llu MiB are available now",
                    mib_up(load_need), (unsigned long long) (host->mem_available >> 20));
        else if (host->mem_available > 0)
                add(r, CHECK_OK, "memory-free", NULL, "loading takes %llu MiB, %llu MiB are available",
                    mib_up(load_need), (unsigned long long) (host->mem_available >> 20));
}

/* The devices the default routes of every table leave through, from the
 * captured state's text format ("route ... dst=default ... dev=X"). */
static char **default_route_devices(const Overlay *ov) {
        _cleanup_free_ char *text = NULL;
        char **devs;
        size_t n = 0;

        if (!ov || netstate_format(ov->net, &text) < 0)
                return NULL;
        devs = calloc(DRIVERS_MAX_NICS + 1, sizeof(char *));
        if (!devs)
                return NULL;
        for (char *line = text, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                if (strncmp(line, "route ", 6) != 0 || !strstr(line, " dst=default"))
                        continue;
                for (char *p = strstr(line, " dev="); p && n < DRIVERS_MAX_NICS; p = strstr(p + 5, " dev=")) {
                        size_t len = strcspn(p + 5, " ");
                        bool dup = false;

                        for (size_t i = 0; i < n; i++)
                                if (strlen(devs[i]) == len && strncmp(devs[i], p + 5, len) == 0)
                                        dup = true;
                        if (!dup && len > 0 && (devs[n] = strndup(p + 5, len)))
                                n++;
                }
        }
        return devs;
}

static void strv_free(char **v) {
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
}

static void check_drivers(CheckReport *r, const CheckInput *in) {
        NicDriver nics[DRIVERS_MAX_NICS];
        StorageDriver disks[DRIVERS_MAX_DISKS];
        const char *root = in->o->root;
        const void *aliases;
        size_t size;
        char **route_devs;
        int n, bad = 0;

        if (!in->img)
                return;
        if (!in->img->payload || payload_get(in->img->payload, "modules.alias", &aliases, &size) < 0) {
                add(r, CHECK_WARN, "nic-driver", "bundle the image with --modules-alias (agent bundle)",
                    "the rescue image carries no module list: cannot check it has drivers for this host's NICs and disks");
                return;
        }
        n = drivers_check(root, aliases, size, nics);
        if (n < 0) {
                add(r, CHECK_WARN, "nic-driver", NULL, "cannot list the NICs in /sys/class/net (%s)", strerror(-n));
                return;
        }
        route_devs = default_route_devices(in->ov);
        drivers_mark_default_route(root, nics, (size_t) n, route_devs);
        strv_free(route_devs);

        for (int i = 0; i < n; i++) {
                const NicDriver *nic = &nics[i];
                const char *driver = nic->host_driver[0] ? nic->host_driver : "driver unknown";

                if (nic->found)
                        continue;
                bad++;
                if (nic->carries_default) {
                        add(r, forceable(in->o), "nic-driver",
                            "use a rescue image with that driver (agent bundle), or pass --force if you reach this host through another NIC",
                            "the rescue kernel has no driver for %s (%s on this host, %s), which carries a default route: it would stay down",
                            nic->name, driver, nic->modalias);
                        mark_forced(r, in->o);
                } else
                        add(r, CHECK_WARN, "nic-driver", "use a rescue image with that driver (agent bundle) if you need it",
                            "the rescue kernel has no driver for %s (%s on this host, %s): it would stay down",
                            nic->name, driver, nic->modalias);
        }
        if (bad == 0)
                add(r, n > 0 ? CHECK_OK : CHECK_WARN, "nic-driver", NULL,
                    n > 0 ? "the rescue kernel has drivers for the %d NIC(s) that are up" :
                            "no NIC with a device behind it is up (%d): nothing to check", n);

        n = drivers_check_storage(root, aliases, size, disks);
        bad = 0;
        for (int i = 0; i < n; i++) {
                if (!disks[i].missing[0])
                        continue;
                bad++;
                add(r, CHECK_WARN, "storage-driver", "use a rescue image with that driver (agent bundle) to repair this disk",
                    "the rescue kernel has no driver for disk %s: %s", disks[i].name, disks[i].missing);
        }
        if (n >= 0 && bad == 0)
                add(r, CHECK_OK, "storage-driver", NULL, "the rescue kernel has drivers for the %d disk(s)", n);
        else if (n < 0)
                add(r, CHECK_WARN, "storage-driver", NULL, "cannot list /sys/block (%s)", strerror(-n));
}

static void check_way_in(CheckReport *r, const CheckInput *in) {
        const KeysReport *k;

        if (!in->ov)
                return;
        k = &in->ov->keys;
        if (k->n_authorized == 0 && !k->password)
                add(r, CHECK_FAIL, "way-in",
                    "add keys to /root/.ssh/authorized_keys, or pass --authorized-keys FILE, --keys-from USER or --password",
                    "no authorized key would let anyone log in to the rescue system, and no --password");
        else
                add(r, CHECK_OK, "way-in", NULL, "%zu key(s) from %s%s, port(s) %s", k->n_authorized,
                    k->sources[0] ? k->sources : "nowhere", k->password ? "; and a root password" : "", in->ov->ports);

        if (k->n_host_keys == 0)
                add(r, CHECK_WARN, "host-keys", "create them (ssh-keygen -A) or use the console",
                    "no SSH host keys in /etc/ssh: the rescue's sshd has none and cannot start");
        else
                add(r, CHECK_OK, "host-keys", NULL, "%zu host key(s): the rescue answers with the same ones", k->n_host_keys);
}

void preflight_run(const CheckInput *in, CheckReport *ret) {
        struct kexec_host_state host;
        const char *root = in->o->root;

        *ret = (CheckReport) {};
        kexec_probe_host(root, &host);

        check_root(ret, &host);
        check_container(ret, root, &host);
        check_xen(ret, root);
        if (in->img)
                add(ret, CHECK_OK, "rescue-image", NULL, "kernel %zu bytes (init_size %llu MiB), initramfs %zu bytes with the overlay",
                    in->img->kernel_size, (unsigned long long) (in->img->kernel_info.init_size >> 20), in->initrd_size);
        else
                add(ret, CHECK_FAIL, "rescue-image", "see the error above", "the rescue image cannot be used");
        if (!in->ov)
                add(ret, CHECK_FAIL, "capture", "see the error above", "the host's network, keys or settings cannot be captured");
        check_kexec(ret, in->o, &host);
        check_signatures(ret, in->o, &host);
        check_memory(ret, in, &host);
        check_drivers(ret, in);
        check_way_in(ret, in);
}

void check_report_log(const CheckReport *r) {
        for (size_t i = 0; i < r->n; i++) {
                const CheckItem *it = &r->items[i];

                if (it->level == CHECK_FAIL)
                        log_error(-EPERM, "%s%s%s", it->reason, it->todo[0] ? "; " : "", it->todo);
                else if (it->level == CHECK_WARN)
                        log_warning("%s%s%s%s", it->forced ? "--force: going on although " : "", it->reason,
                                    it->todo[0] ? "; " : "", it->todo);
        }
}

void check_report_print(const CheckReport *r, FILE *f) {
        for (size_t i = 0; i < r->n; i++) {
                const CheckItem *it = &r->items[i];

                fprintf(f, "%-4s  %-14s  %s%s%s%s\n", check_level_to_string(it->level), it->name,
                        it->forced ? "(--force) " : "", it->reason, it->todo[0] ? " -- " : "", it->todo);
        }
}

void json_string(FILE *f, const char *s) {
        fputc('"', f);
        for (const unsigned char *c = (const unsigned char *) (s ?: ""); *c; c++) {
                if (*c == '"' || *c == '\\')
                        fprintf(f, "\\%c", *c);
                else if (*c == '\n')
                        fputs("\\n", f);
                else if (*c < 0x20 || *c == 0x7f)
                        fprintf(f, "\\u%04x", *c);
                else
                        fputc(*c, f);
        }
        fputc('"', f);
}

void check_report_json(const CheckReport *r, FILE *f) {
        fputc('[', f);
        for (size_t i = 0; i < r->n; i++) {
                const CheckItem *it = &r->items[i];

                fputs(i ? ",{\"name\":" : "{\"name\":", f);
                json_string(f, it->name);
                fputs(",\"level\":", f);
                json_string(f, check_level_to_string(it->level));
                fprintf(f, ",\"forced\":%s,\"reason\":", it->forced ? "true" : "false");
                json_string(f, it->reason);
                fputs(",\"todo\":", f);
                json_string(f, it->todo);
                fputc('}', f);
        }
        fputc(']', f);
}

int preflight_prepare(const AgentOptions *o, PayloadVerify how, RescueImage *img, bool *ret_img_ok,
                      Overlay *ov, bool *ret_ov_ok, size_t *ret_initrd_size, CheckReport *report) {
        CheckInput in = { .o = o };
        bool img_ok, ov_ok;

        img_ok = rescue_image_load(o->kernel, o->initrd, how, img) >= 0;
        ov_ok = overlay_build(o, ov) >= 0;
        if (img_ok) {
                in.img = img;
                in.initrd_size = img->initrd_size + cpio_append_padding(img->initrd_size) + (ov_ok ? ov->size : 0);
        }
        if (ov_ok)
                in.ov = ov;
        preflight_run(&in, report);
        *ret_img_ok = img_ok;
        *ret_ov_ok = ov_ok;
        *ret_initrd_size = in.initrd_size;
        return img_ok && ov_ok ? 0 : -EINVAL;
}

int verb_check(const AgentOptions *o) {
        CheckReport report;
        RescueImage img = {};
        Overlay ov = {};
        size_t initrd_size;
        bool img_ok, ov_ok;

        (void) preflight_prepare(o, PAYLOAD_VERIFY_FULL, &img, &img_ok, &ov, &ov_ok, &initrd_size, &report);
        if (o->json) {
                fprintf(stdout, "{\"version\":1,\"ok\":%s,\"fails\":%zu,\"warnings\":%zu,\"checks\":",
                        report.n_fail == 0 ? "true" : "false", report.n_fail, report.n_warn);
                check_report_json(&report, stdout);
                fputs("}\n", stdout);
        } else
                check_report_print(&report, stdout);
        if (ov_ok)
                overlay_done(&ov);
        if (img_ok)
                rescue_image_done(&img);
        return report.n_fail > 0 ? EXIT_CHECK_FAILED : 0;
}
