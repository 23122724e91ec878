/* SPDX-License-Identifier: GPL-2.0-or-later */
/* agent go: the only path that ends in a reboot. Everything before the
 * kexec load can fail and changes nothing; everything after it unloads on
 * failure, so no kernel stays loaded. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent-drivers.h"
#include "agent-image.h"
#include "agent-log.h"
#include "agent-overlay.h"
#include "agent.h"
#include "cpio.h"
#include "fileio.h"
#include "kexec.h"
#include "macro.h"

#define SYNC_TIMEOUT_SEC 10

/* console= arguments of the running kernel: without them the rescue is
 * silent on the operator's serial console. */
static int host_console_args(const char *root, char **ret) {
        _cleanup_free_ char *cmdline = NULL, *out = NULL;
        size_t len = 0;
        int r;

        r = read_full_file_below(root, "/proc/cmdline", 64 * 1024, &cmdline, NULL);
        if (r < 0)
                return r;
        out = calloc(1, strlen(cmdline) + 1);
        if (!out)
                return -ENOMEM;
        for (char *p = cmdline; *p;) {
                size_t n;
                bool quoted = false;

                p += strspn(p, " \t\n");
                for (n = 0; p[n] && (quoted || !strchr(" \t\n", p[n])); n++)
                        if (p[n] == '"')
                                quoted = !quoted;
                if (n > 8 && strncmp(p, "console=", 8) == 0) {
                        if (len)
                                out[len++] = ' ';
                        memcpy(out + len, p, n);
                        len += n;
                }
                p += n;
        }
        *ret = TAKE_PTR(out);
        return 0;
}

static int build_cmdline(const AgentOptions *o, const RescueImage *img, char **ret) {
        _cleanup_free_ char *consoles = NULL, *cmdline = NULL;
        size_t max = kexec_bzimage_cmdline_max(&img->kernel_info);
        int r;

        r = host_console_args(o->root, &consoles);
        if (r < 0) {
                log_warning("cannot read /proc/cmdline (%s): the rescue will not use the host's serial console settings",
                            strerror(-r));
                consoles = strdup("");
                if (!consoles)
                        return -ENOMEM;
        }
        /* panic=10: a rescue that cannot boot reboots through the firmware
         * rather than hanging forever. */
        if (asprintf(&cmdline, "%s%spanic=10%s%s", consoles, *consoles ? " " : "",
                     o->append ? " " : "", o->append ?: "") < 0)
                return -ENOMEM;
        if (strlen(cmdline) + 1 > max)
                return log_error(-E2BIG, "the kernel command line is %zu bytes, the rescue kernel takes at most %zu: shorten --append",
                                 strlen(cmdline), max - 1);
        *ret = TAKE_PTR(cmdline);
        return 0;
}

static int sealed_memfd(const char *name, const void *a, size_t a_size, const void *b, size_t b_size, int *ret_fd) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        r = kexec_memfd_new(name, &fd);
        if (r < 0)
                return log_error_errno(r, "cannot create a memory file for the %s", name);
        if (b)
                r = cpio_append_to_fd(fd, a, a_size, b, b_size);
        else
                r = kexec_memfd_write_all(fd, a, a_size);
        if (r < 0)
                return log_error_errno(r, "cannot fill the memory file for the %s", name);
        r = kexec_memfd_seal_readonly(TAKE_FD(fd), ret_fd);
        if (r < 0)
                return log_error(r, "cannot seal the memory file for the %s: %s", name, kexec_memfd_strerror(r));
        return 0;
}

/* sync() can hang forever on the dying disk of a broken host: give it a
 * bounded time in a child and go on without it. */
static void sync_bounded(void) {
        pid_t pid = fork();

        if (pid == 0) {
                sync();
                _exit(0);
        }
        if (pid < 0) {
                log_warning("cannot fork to sync (%s); rebooting without sync", strerror(errno));
                return;
        }
        for (unsigned i = 0; i < SYNC_TIMEOUT_SEC * 10; i++) {
                if (waitpid(pid, NULL, WNOHANG) == pid)
                        return;
                usleep(100 * 1000);
        }
        log_warning("sync did not finish within %u s (a hung disk?); rebooting anyway", SYNC_TIMEOUT_SEC);
}

/* Counts down with SIGINT/SIGTERM/SIGHUP blocked and waited for: any of them
 * cancels (an ssh session that drops sends SIGHUP). Returns 0 to go on. */
static int countdown(unsigned seconds, const sigset_t *mask) {
        for (unsigned left = seconds; left > 0; left--) {
                struct timespec ts = { .tv_sec = 1 };
                int sig;

                if (!log_quiet) {
                        fprintf(stderr, "\ragent: rebooting into the rescue system in %2u s (Ctrl-C cancels) ", left);
                        fflush(stderr);
                }
                sig = sigtimedwait(mask, NULL, &ts);
                if (sig > 0) {
                        fputc('\n', stderr);
                        return log_error(-ECANCELED, "cancelled by signal %d", sig);
                }
        }
        if (!log_quiet)
                fputc('\n', stderr);
        return 0;
}

static void explain_load_failure(int r, const RescueImage *img, size_t initrd_size, const char *cmdline) {
        struct kexec_host_state host;
        struct kexec_load_facts facts = {
                .kernel_init_size = img->kernel_info.init_size,
                .kernel_file_size = img->kernel_size,
                .initrd_size = initrd_size,
                .cmdline_len = strlen(cmdline) + 1,
                .cmdline_max = kexec_bzimage_cmdline_max(&img->kernel_info),
        };
        struct kexec_explanation e;

        kexec_probe_host(NULL, &host);
        kexec_explain_load_error(r, &host, &facts, &e);
        log_error_errno(r, "the kernel refused to load the rescue system: %s", e.summary);
        if (e.detail[0])
                log_info("%s", e.detail);
        log_info("what to do: %s", e.advice);
}

/* A NIC the rescue kernel cannot drive stays down after the reboot. */
static int check_drivers(const AgentOptions *o, const RescueImage *img) {
        NicDriver nics[DRIVERS_MAX_NICS];
        const void *aliases;
        size_t size;
        int n, missing = 0;

        if (!img->payload || payload_get(img->payload, "modules.alias", &aliases, &size) < 0) {
                log_warning("the rescue image carries no module list: cannot check it has drivers for this host's NICs");
                return 0;
        }
        n = drivers_check(o->root, aliases, size, nics);
        if (n < 0) {
                log_warning("cannot list the NICs in /sys/class/net (%s): driver check skipped", strerror(-n));
                return 0;
        }
        for (int i = 0; i < n; i++) {
                if (nics[i].found)
                        continue;
                missing++;
                log_error(-ENODEV, "the rescue kernel has no driver for %s (%s on this host, %s): it would stay down",
                          nics[i].name, nics[i].host_driver[0] ? nics[i].host_driver : "driver unknown", nics[i].modalias);
        }
        if (missing > 0 && !o->force)
                return log_error(-ENODEV, "refusing: use a rescue image with that driver (agent bundle), "
                                          "or pass --force if you reach this host through another NIC");
        if (missing > 0)
                log_warning("--force: going on without a driver for %d NIC(s)", missing);
        return 0;
}

/* Refuses, before anything changes, what would surely fail or lock out. */
static int preflight(const AgentOptions *o, const RescueImage *img, const Overlay *ov, size_t initrd_size) {
        struct kexec_host_state host;
        uint64_t need;

        if (ov->keys.n_authorized == 0)
                return log_error(-EACCES, "no authorized key would let anyone log in to the rescue system: "
                                          "add keys to /root/.ssh/authorized_keys or pass --authorized-keys FILE");
        if (ov->keys.n_host_keys == 0)
                log_warning("no SSH host keys in /etc/ssh: the rescue's sshd has none and cannot start");
        if (check_drivers(o, img) < 0)
                return -ENODEV;

        kexec_probe_host(NULL, &host);
        if (host.loaded == -ENOENT)
                return log_error(-ENOSYS, "this kernel has no kexec support (/sys/kernel/kexec_loaded is missing)");
        if (host.loaded == 1 && !o->force)
                return log_error(-EBUSY, "a kexec kernel is already loaded (kexec-tools or systemd?); "
                                         "unload it first (kexec -u) or pass --force to replace it");
        if (host.load_disabled == 1)
                return log_error(-EPERM, "kexec is disabled until the next boot (kernel.kexec_load_disabled=1)");

        need = kexec_memory_need(img->kernel_info.init_size, initrd_size);
        if (host.mem_total > 0 && !kexec_memory_fits(need, host.mem_total))
                return log_error(-ENOMEM, "the rescue needs %llu MiB but the kernel allows at most half of the %llu MiB of RAM",
                                 (unsigned long long) (need >> 20), (unsigned long long) (host.mem_total >> 20));
        /* At load time the kernel allocates pages for every segment, reads
         * both files into buffers of its own, and our memfds still hold a
         * copy of each: without that much free memory the OOM killer ends
         * us mid-load (seen in a 208 MiB guest). */
        need += 2 * (img->kernel_size + initrd_size);
        if (host.mem_available > 0 && need > host.mem_available)
                return log_error(-ENOMEM, "loading the rescue takes %llu MiB of free memory but only %llu MiB are available now; "
                                          "stop memory-hungry services first",
                                 (unsigned long long) (need >> 20), (unsigned long long) (host.mem_available >> 20));
        return 0;
}

int verb_go(const AgentOptions *o) {
        _cleanup_kexec_load_guard_ struct kexec_load_guard guard = {};
        _cleanup_close_ int kernel_fd = -EBADF, initrd_fd = -EBADF;
        _cleanup_free_ char *cmdline = NULL;
        RescueImage img = {};
        Overlay ov = {};
        sigset_t mask;
        size_t initrd_size;
        int r;

        if (geteuid() != 0 && !o->dry_run)
                return log_error(-EPERM, "go must run as root (it reads host keys and loads a kernel)"), 1;

        r = rescue_image_load(o->kernel, o->initrd, &img);
        if (r < 0)
                goto out;
        r = overlay_build(o, &ov);
        if (r < 0)
                goto out;
        initrd_size = img.initrd_size + cpio_append_padding(img.initrd_size) + ov.size;

        r = preflight(o, &img, &ov, initrd_size);
        if (r < 0)
                goto out;
        r = build_cmdline(o, &img, &cmdline);
        if (r < 0)
                goto out;
        r = sealed_memfd("rescue-kernel", img.kernel, img.kernel_size, NULL, 0, &kernel_fd);
        if (r < 0)
                goto out;
        r = sealed_memfd("rescue-initrd", img.initrd, img.initrd_size, ov.data, ov.size, &initrd_fd);
        if (r < 0)
                goto out;

        overlay_print_summary(&ov, o);
        log_info("rescue kernel command line: %s", cmdline);
        if (o->dry_run) {
                log_info("dry run: kernel %zu bytes, initramfs %zu bytes (overlay %zu); nothing loaded",
                         img.kernel_size, initrd_size, ov.size);
                r = 0;
                goto out;
        }

        /* From the load on, a signal must not kill us with a kernel loaded. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, NULL);

        r = kexec_load_guarded(&guard, kernel_fd, initrd_fd, cmdline, 0);
        if (r < 0) {
                explain_load_failure(r, &img, initrd_size, cmdline);
                goto out;
        }
        log_info("rescue kernel loaded");

        if (o->no_reboot) {
                r = kexec_load_guard_release(&guard);
                if (r < 0)
                        log_error_errno(r, "cannot unload the rescue kernel again");
                else
                        log_info("--no-reboot: unloaded again; nothing changed");
                goto out;
        }

        if (!o->yes) {
                r = countdown(o->countdown, &mask);
                if (r < 0)
                        goto out;
        }

        log_info("syncing and rebooting into the rescue system");
        sync_bounded();
        r = kexec_reboot();
        {
                struct kexec_explanation e;
                kexec_explain_reboot_error(r, NULL, &e);
                log_error_errno(r, "reboot into the rescue kernel failed: %s", e.summary);
        }
out:
        overlay_done(&ov);
        rescue_image_done(&img);
        return r < 0 ? 1 : 0;
}

int verb_overlay(const AgentOptions *o) {
        _cleanup_close_ int fd = -EBADF;
        Overlay ov = {};
        int r;

        if (!o->output) {
                log_error(-EINVAL, "overlay needs -o FILE");
                return EXIT_USAGE;
        }
        r = overlay_build(o, &ov);
        if (r < 0)
                return 1;
        /* It holds private host keys: 0600, and never over an existing file. */
        fd = open(o->output, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
                r = log_error_errno(-errno, "cannot create %s (it must not exist yet)", o->output);
        else {
                r = write_all(fd, ov.data, ov.size);
                if (r < 0) {
                        log_error_errno(r, "cannot write %s", o->output);
                        unlink(o->output);
                }
        }
        if (r >= 0) {
                overlay_print_summary(&ov, o);
                log_info("wrote %s (%zu bytes)", o->output, ov.size);
        }
        overlay_done(&ov);
        return r < 0 ? 1 : 0;
}

int verb_snapshot(const AgentOptions *o) {
        _cleanup_(netstate_freep) NetState *s = NULL;
        _cleanup_free_ char *text = NULL;
        int r;

        r = netstate_capture_at(o->root, &s);
        if (r < 0)
                return log_error_errno(r, "cannot capture the network state through netlink"), 1;
        if (o->json)
                r = netstate_render_json(s, &text);
        else if (o->script)
                r = netstate_render_script(s, &text);
        else
                r = netstate_format(s, &text);
        if (r < 0)
                return log_error_errno(r, "cannot render the network state"), 1;
        fputs(text, stdout);
        return 0;
}

int verb_inspect(const AgentOptions *o, const char *path) {
        _cleanup_free_ char *data = NULL;
        CpioArchive *a = NULL;
        size_t size;
        int r;

        if (!path)
                return verb_inspect_payload(o);

        r = read_full_file(path, AGENT_INITRD_MAX, &data, &size);
        if (r < 0)
                return log_error_errno(r, "cannot read %s", path), 1;
        r = cpio_reader_parse(data, size, &a);
        if (r < 0)
                return log_error_errno(r, "%s is not a readable initramfs", path), 1;
        for (size_t i = 0; i < cpio_archive_count(a); i++) {
                const CpioEntry *e = cpio_archive_entry(a, i);
                printf("%06o %5u %5u %10zu %s%s%s\n", e->mode, e->uid, e->gid, e->size, e->name,
                       e->link_target ? " -> " : "", e->link_target ?: "");
        }
        cpio_archive_free(a);
        return 0;
}
