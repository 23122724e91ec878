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
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent-check.h"
#include "agent-go.h"
#include "agent-image.h"
#include "agent-log.h"
#include "agent-overlay.h"
#include "agent-reboot.h"
#include "agent.h"
#include "cpio.h"
#include "fileio.h"
#include "kexec.h"
#include "macro.h"

#define SYNC_TIMEOUT_SEC 10
#define UNLOAD_TRIES 10
#define UNLOAD_RETRY_MS 200

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

int go_build_cmdline(const AgentOptions *o, const RescueImage *img, char **ret) {
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

/* A failure after the load must not leave the kernel loaded behind the
 * operator's back (the next reboot would start the rescue). The guard's
 * cleanup unloads once and silently; here a failed unload is retried for
 * two seconds (EBUSY: another kexec call holds the kernel's kexec lock),
 * and a kernel that stays loaded is said loudly. Found by
 * test/vm/test-go-faults. */
static void unload_after_failure(struct kexec_load_guard *guard) {
        int r = 0;

        for (unsigned i = 0; guard->loaded && i < UNLOAD_TRIES; i++) {
                if (i > 0)
                        usleep(UNLOAD_RETRY_MS * 1000);
                r = kexec_load_guard_release(guard);
        }
        if (guard->loaded)
                log_error_errno(r, "the rescue kernel is still loaded and could not be unloaded: the next reboot "
                                   "would start the rescue system; unload it with 'kexec -u' (kexec-tools)");
}

/* sync() can hang forever on the dying disk of a broken host: give it a
 * bounded time in a child and go on without it. */
void agent_sync_bounded(void) {
        pid_t pid = fork();

        if (pid == 0) {
                sync();
                _exit(0);
        }
        if (pid < 0) {
                log_warning("cannot fork to sync (%s); going on without sync", strerror(errno));
                return;
        }
        for (unsigned i = 0; i < SYNC_TIMEOUT_SEC * 10; i++) {
                if (waitpid(pid, NULL, WNOHANG) == pid)
                        return;
                usleep(100 * 1000);
        }
        log_warning("sync did not finish within %u s (a hung disk?); going on", SYNC_TIMEOUT_SEC);
}

void agent_block_signals(sigset_t *ret_mask) {
        sigemptyset(ret_mask);
        sigaddset(ret_mask, SIGINT);
        sigaddset(ret_mask, SIGTERM);
        sigaddset(ret_mask, SIGHUP);
        sigprocmask(SIG_BLOCK, ret_mask, NULL);
}

/* Counts down with SIGINT/SIGTERM/SIGHUP blocked and waited for: any of them
 * cancels (an ssh session that drops sends SIGHUP). Returns 0 to go on. */
int agent_countdown(const char *target, unsigned seconds, const sigset_t *mask) {
        for (unsigned left = seconds; left > 0; left--) {
                struct timespec ts = { .tv_sec = 1 };
                int sig;

                if (!log_quiet) {
                        fprintf(stderr, "\ragent: rebooting into %s in %2u s (Ctrl-C cancels) ", target, left);
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

void agent_explain_load_failure(int r, const char *what, const struct kexec_bzimage_info *info, uint64_t kernel_size,
                                uint64_t initrd_size, const char *cmdline) {
        struct kexec_host_state host;
        struct kexec_load_facts facts = {
                .kernel_init_size = info->init_size,
                .kernel_file_size = kernel_size,
                .initrd_size = initrd_size,
                .cmdline_len = strlen(cmdline) + 1,
                .cmdline_max = kexec_bzimage_cmdline_max(info),
        };
        struct kexec_explanation e;

        kexec_probe_host(NULL, &host);
        kexec_explain_load_error(r, &host, &facts, &e);
        log_error_errno(r, "the kernel refused to load %s: %s", what, e.summary);
        if (e.detail[0])
                log_info("%s", e.detail);
        log_info("what to do: %s", e.advice);
}

/* The login promise on the console too: an operator on IPMI SOL or a
 * serial console sees the kernel's messages, not our stderr. */
static void kmsg_summary(const Overlay *ov, const AgentOptions *o) {
        _cleanup_close_ int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
        char line[1024], addr[OVERLAY_ADDRESS_MAX];
        const char *dev;

        if (fd < 0)
                return;
        OVERLAY_FOREACH_ADDRESS(ov, i, addr, dev) {
                snprintf(line, sizeof(line), "<5>agent: the rescue system comes back on %s (port %s, via %s)\n",
                         addr, ov->ports, dev);
                (void) !write(fd, line, strlen(line));
        }
        for (size_t i = 0; i < ov->keys.n_host_keys; i++) {
                const HostKey *k = &ov->keys.host_keys[i];

                snprintf(line, sizeof(line), "<5>agent: host key %s %s\n",
                         k->fingerprint[0] ? k->fingerprint : "(no .pub)", k->type[0] ? k->type : k->name);
                (void) !write(fd, line, strlen(line));
        }
        snprintf(line, sizeof(line), "<5>agent: root logins by key from %s%s; a root shell on each console\n",
                 ov->keys.sources[0] ? ov->keys.sources : "nowhere", ov->keys.password ? ", or with the password" : "");
        (void) !write(fd, line, strlen(line));
        if (o->fallback_seconds > 0) {
                snprintf(line, sizeof(line), "<5>agent: unless someone logs in within %u s the rescue reboots through the firmware\n",
                         o->fallback_seconds);
                (void) !write(fd, line, strlen(line));
        }
}

/* --graceful on a systemd host: the kernel stays loaded and PID 1 is asked
 * to enter kexec.target (SIGRTMIN+6, see systemd(1)): services stop, file
 * systems unmount, then systemd-shutdown kexecs into it. */
static int handoff_to_systemd(struct kexec_load_guard *guard) {
        kexec_load_guard_keep(guard);
        if (kill(1, REBOOT_SYSTEMD_SIGNAL_KEXEC) < 0) {
                int r = -errno;

                log_error_errno(r, "cannot ask systemd (PID 1) for kexec");
                (void) kexec_unload();
                return r;
        }
        log_info("asked systemd (PID 1) to stop the services and kexec into the rescue system; this session ends soon");
        return 0;
}

/* Seconds since *start, which moves on to now: a line per step says how
 * long it took (a slow host is then visible on the console). */
static double step_seconds(struct timespec *start) {
        struct timespec now;
        double d;

        clock_gettime(CLOCK_MONOTONIC, &now);
        d = (double) (now.tv_sec - start->tv_sec) + (double) (now.tv_nsec - start->tv_nsec) / 1e9;
        *start = now;
        return d;
}

int verb_go(const AgentOptions *o) {
        _cleanup_kexec_load_guard_ struct kexec_load_guard guard = {};
        _cleanup_close_ int kernel_fd = -EBADF, initrd_fd = -EBADF;
        _cleanup_free_ char *cmdline = NULL;
        CheckReport report;
        RescueImage img = {};
        Overlay ov = {};
        sigset_t mask;
        size_t initrd_size;
        struct timespec step;
        bool img_ok, ov_ok;
        int r;

        if (geteuid() != 0 && !o->dry_run)
                return log_error(-EPERM, "go must run as root (it reads host keys and loads a kernel)"), 1;

        clock_gettime(CLOCK_MONOTONIC, &step);
        /* Step 1, the preflight: the same checks as `agent check`; the
         * payload by XXH64 (agent-payload.h says why that is enough). */
        r = preflight_prepare(o, PAYLOAD_VERIFY_QUICK, &img, &img_ok, &ov, &ov_ok, &initrd_size, &report);
        if (r < 0)
                goto out;
        check_report_log(&report);
        if (report.n_fail > 0) {
                r = log_error(-EPERM, "refusing: %zu check(s) failed (agent check lists them all); nothing was changed",
                              report.n_fail);
                goto out;
        }
        log_info("checked, captured and built the overlay in %.3f s", step_seconds(&step));
        r = go_build_cmdline(o, &img, &cmdline);
        if (r < 0)
                goto out;
        r = sealed_memfd("rescue-kernel", img.kernel, img.kernel_size, NULL, 0, &kernel_fd);
        if (r < 0)
                goto out;
        r = sealed_memfd("rescue-initrd", img.initrd, img.initrd_size, ov.data, ov.size, &initrd_fd);
        if (r < 0)
                goto out;

        log_info("rescue image and overlay in sealed memory files in %.3f s", step_seconds(&step));
        overlay_print_summary(&ov, o);
        log_info("rescue kernel command line: %s", cmdline);
        if (o->dry_run) {
                log_info("dry run: kernel %zu bytes, initramfs %zu bytes (overlay %zu); nothing loaded",
                         img.kernel_size, initrd_size, ov.size);
                r = 0;
                goto out;
        }

        agent_block_signals(&mask);

        /* For tests only: the kexec_load fallback on a kernel that has
         * kexec_file_load (test/vm/test-go-kexec-load). */
        guard.force_kexec_load = getenv("AGENT_FORCE_KEXEC_LOAD") && streq(getenv("AGENT_FORCE_KEXEC_LOAD"), "1");
        step_seconds(&step);
        r = kexec_load_guarded(&guard, kernel_fd, initrd_fd, cmdline, 0);
        if (r < 0) {
                agent_explain_load_failure(r, "the rescue system", &img.kernel_info, img.kernel_size, initrd_size, cmdline);
                goto out;
        }
        log_info("rescue kernel loaded%s in %.3f s", guard.used_kexec_load ? " with kexec_load and the agent's purgatory" : "",
                 step_seconds(&step));

        if (o->no_reboot) {
                r = kexec_load_guard_release(&guard);
                if (r < 0)
                        log_error_errno(r, "cannot unload the rescue kernel again");
                else
                        log_info("--no-reboot: unloaded again; nothing changed");
                goto out;
        }

        kmsg_summary(&ov, o);
        if (!o->yes) {
                r = agent_countdown("the rescue system", o->countdown, &mask);
                if (r < 0)
                        goto out;
        }
        /* Committed: the ssh session dies with the host, and its SIGHUP
         * must not stop a reboot half-way. */
        signal(SIGHUP, SIG_IGN);

        if (o->graceful && reboot_systemd_running(o->root) > 0) {
                r = handoff_to_systemd(&guard);
                goto out;
        }
        if (o->graceful)
                log_info("--graceful: PID 1 is not systemd; rebooting directly");
        log_info("syncing and rebooting into the rescue system");
        agent_sync_bounded();
        r = kexec_reboot();
        {
                struct kexec_explanation e;
                kexec_explain_reboot_error(r, NULL, &e);
                log_error_errno(r, "reboot into the rescue kernel failed: %s", e.summary);
        }
out:
        unload_after_failure(&guard);
        if (ov_ok)
                overlay_done(&ov);
        if (img_ok)
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
