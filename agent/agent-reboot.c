/* SPDX-License-Identifier: GPL-2.0-or-later */
/* agent reboot: kexec into the host's own installed kernel, skipping the
 * firmware. Finds what the boot loader would start (agent-bootentry.c),
 * loads it into sealed memfds and with kexec_file_load, then reboots:
 *   - under systemd, by asking PID 1 for kexec.target (a clean shutdown;
 *     systemd boots the kernel already loaded);
 *   - elsewhere, sync, remount local filesystems read-only, reboot;
 *   - --now: sync and reboot at once.
 * Everything before the load changes nothing; every failure after it
 * unloads again. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent-bootentry.h"
#include "agent-go.h"
#include "agent-image.h"
#include "agent-log.h"
#include "agent-reboot.h"
#include "agent.h"
#include "fileio.h"
#include "kexec.h"
#include "macro.h"

#define MOUNTINFO_MAX (4u * 1024 * 1024)

/* ---- host facts ------------------------------------------------------------- */

int reboot_systemd_running(const char *root) {
        _cleanup_free_ char *path = NULL;
        struct stat st;

        if (asprintf(&path, "%s/run/systemd/system", root ?: "") < 0)
                return -ENOMEM;
        return lstat(path, &st) >= 0 && S_ISDIR(st.st_mode);
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s) {
        char *w = s;

        for (char *p = s; *p; p++) {
                if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
                    p[3] >= '0' && p[3] <= '7') {
                        *w++ = (char) ((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
                        p += 3;
                } else
                        *w++ = *p;
        }
        *w = '\0';
}

static unsigned long mount_flags_of(const char *options) {
        static const struct {
                const char *name;
                unsigned long flag;
        } map[] = {
                { "nosuid", MS_NOSUID }, { "nodev", MS_NODEV }, { "noexec", MS_NOEXEC },
                { "noatime", MS_NOATIME }, { "nodiratime", MS_NODIRATIME },
                { "relatime", MS_RELATIME }, { "strictatime", MS_STRICTATIME },
        };
        unsigned long flags = 0;

        for (const char *p = options; *p;) {
                size_t n = strcspn(p, ",");
                for (size_t i = 0; i < ELEMENTSOF(map); i++)
                        if (strlen(map[i].name) == n && strncmp(p, map[i].name, n) == 0)
                                flags |= map[i].flag;
                p += n + (p[n] == ',');
        }
        return flags;
}

void reboot_mounts_free(RebootMount *m, size_t n) {
        for (size_t i = 0; i < n && m; i++) {
                free(m[i].path);
                free(m[i].fstype);
                free(m[i].source);
        }
        free(m);
}

/* One line: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE
 * SOURCE SUPEROPTIONS (proc(5)). Returns 1 and the fields, 0 to skip. */
static int parse_mountinfo_line(char *line, char **ret_devno, char **ret_path, char **ret_options,
                                char **ret_fstype, char **ret_source, char **ret_super) {
        char *f[6], *save = NULL, *tok;
        size_t i;

        for (i = 0; i < 6 && (tok = strtok_r(i == 0 ? line : NULL, " ", &save)); i++)
                f[i] = tok;
        if (i < 6)
                return 0;
        while ((tok = strtok_r(NULL, " ", &save)) && !streq(tok, "-"))
                ;
        if (!tok)
                return 0;
        *ret_fstype = strtok_r(NULL, " ", &save);
        *ret_source = strtok_r(NULL, " ", &save);
        *ret_super = strtok_r(NULL, " ", &save);
        if (!*ret_fstype || !*ret_source || !*ret_super)
                return 0;
        *ret_devno = f[2];
        *ret_path = f[4];
        *ret_options = f[5];
        return 1;
}

static bool options_read_only(const char *options) {
        return strncmp(options, "ro", 2) == 0 && (options[2] == ',' || options[2] == '\0');
}

int reboot_local_mounts(const char *root, RebootMount **ret, size_t *ret_n) {
        _cleanup_free_ char *text = NULL;
        _cleanup_free_ char **devnos = NULL;
        RebootMount *m;
        size_t n = 0;
        char *state = NULL;
        int r;

        r = read_full_file_below(root, "/proc/self/mountinfo", MOUNTINFO_MAX, &text, NULL);
        if (r < 0)
                return r;
        m = calloc(REBOOT_MAX_MOUNTS, sizeof(RebootMount));
        devnos = calloc(REBOOT_MAX_MOUNTS, sizeof(char *));
        if (!m || !devnos) {
                free(m);
                return -ENOMEM;
        }
        for (char *line = strtok_r(text, "\n", &state); line; line = strtok_r(NULL, "\n", &state)) {
                char *devno, *path, *options, *fstype, *source, *super;
                bool seen = false;

                if (parse_mountinfo_line(line, &devno, &path, &options, &fstype, &source, &super) <= 0)
                        continue;
                if (strncmp(source, "/dev/", 5) != 0 || strncmp(fstype, "fuse", 4) == 0)
                        continue;
                if (options_read_only(super) || options_read_only(options))
                        continue;
                for (size_t i = 0; i < n; i++)
                        seen = seen || streq(devnos[i], devno);
                if (seen)
                        continue;
                if (n >= REBOOT_MAX_MOUNTS)
                        break;
                unescape_octal(path);
                unescape_octal(source);
                devnos[n] = devno;
                m[n] = (RebootMount) {
                        .path = strdup(path),
                        .fstype = strdup(fstype),
                        .source = strdup(source),
                        .flags = mount_flags_of(options),
                };
                n++;
                if (!m[n - 1].path || !m[n - 1].fstype || !m[n - 1].source) {
                        reboot_mounts_free(m, n);
                        return -ENOMEM;
                }
        }
        /* Children come after their parents in mountinfo: reverse it. */
        for (size_t i = 0; i < n / 2; i++) {
                RebootMount t = m[i];
                m[i] = m[n - 1 - i];
                m[n - 1 - i] = t;
        }
        *ret = m;
        *ret_n = n;
        return 0;
}

/* ---- loading -------------------------------------------------------------- */

static int open_regular(const char *path, const char *what, uint64_t max, int *ret_fd, uint64_t *ret_size) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        struct stat st;

        if (fd < 0)
                return log_error_errno(-errno, "refusing: cannot open the %s %s", what, path);
        if (fstat(fd, &st) < 0)
                return log_error_errno(-errno, "cannot stat the %s %s", what, path);
        if (!S_ISREG(st.st_mode))
                return log_error(-EINVAL, "the %s %s is not a regular file", what, path);
        if (st.st_size == 0)
                return log_error(-EINVAL, "the %s %s is empty", what, path);
        if ((uint64_t) st.st_size > max)
                return log_error(-EFBIG, "the %s %s is %lld bytes, more than the %llu MiB limit",
                                 what, path, (long long) st.st_size, (unsigned long long) (max >> 20));
        *ret_fd = TAKE_FD(fd);
        *ret_size = (uint64_t) st.st_size;
        return 0;
}

/* Inspects the kernel file as kexec_file_load will: refuses what it would. */
static int check_kernel(const char *path, int fd, struct kexec_bzimage_info *ret) {
        int r;

        r = kexec_bzimage_inspect_fd(fd, ret);
        if (r < 0)
                return log_error_errno(r, "cannot inspect the kernel %s", path);
        if (ret->verdict != KEXEC_BZIMAGE_OK)
                return log_error(-ENOEXEC, "refusing: the kernel %s cannot be loaded by kexec on this machine: %s",
                                 path, kexec_bzimage_verdict_to_string(ret->verdict));
        return 0;
}

/* The kernel in a sealed memfd: what the kernel reads cannot change under it. */
static int kernel_memfd(const char *path, int src, uint64_t size, int *ret_fd) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        r = kexec_memfd_new("reboot-kernel", &fd);
        if (r >= 0)
                r = kexec_memfd_copy_range(fd, src, 0, size);
        if (r < 0)
                return log_error_errno(r, "cannot copy the kernel %s into memory", path);
        r = kexec_memfd_seal_readonly(TAKE_FD(fd), ret_fd);
        if (r < 0)
                return log_error(r, "cannot seal the memory file for the kernel: %s", kexec_memfd_strerror(r));
        return 0;
}

/* The initrds one after another, each at a 4-byte boundary (as boot
 * loaders concatenate them; the kernel skips the zero padding). */
static int initrd_memfd(const BootEntry *e, int *ret_fd, uint64_t *ret_size) {
        _cleanup_close_ int fd = -EBADF;
        uint64_t total = 0;
        int r;

        r = kexec_memfd_new("reboot-initrd", &fd);
        if (r < 0)
                return log_error_errno(r, "cannot create a memory file for the initramfs");
        for (size_t i = 0; i < e->n_initrds; i++) {
                _cleanup_close_ int src = -EBADF;
                static const char zeros[4] = {};
                uint64_t size;
                size_t pad = (size_t) ((4 - total % 4) % 4);

                r = open_regular(e->initrds[i], "initramfs", AGENT_INITRD_MAX, &src, &size);
                if (r < 0)
                        return r;
                if (total + pad + size > KEXEC_FILE_SIZE_MAX)
                        return log_error(-EFBIG, "the initramfs files add up to more than the kernel reads (2 GiB)");
                r = kexec_memfd_write_all(fd, zeros, pad);
                if (r >= 0)
                        r = kexec_memfd_copy_range(fd, src, 0, size);
                if (r < 0)
                        return log_error_errno(r, "cannot copy the initramfs %s into memory", e->initrds[i]);
                total += pad + size;
        }
        r = kexec_memfd_seal_readonly(TAKE_FD(fd), ret_fd);
        if (r < 0)
                return log_error(r, "cannot seal the memory file for the initramfs: %s", kexec_memfd_strerror(r));
        *ret_size = total;
        return 0;
}

/* ---- what would happen ---------------------------------------------------- */

enum reboot_mode {
        REBOOT_SYSTEMD,         /* PID 1 shuts down cleanly into the loaded kernel */
        REBOOT_REMOUNT,         /* sync, remount read-only, reboot */
        REBOOT_NOW,             /* sync, reboot */
};

static enum reboot_mode pick_mode(const AgentOptions *o) {
        if (o->now)
                return REBOOT_NOW;
        return reboot_systemd_running(o->root) > 0 ? REBOOT_SYSTEMD : REBOOT_REMOUNT;
}

static const char *mode_to_string(enum reboot_mode m) {
        switch (m) {
        case REBOOT_SYSTEMD:
                return "graceful: systemd (PID 1) stops the services and starts kexec.target, "
                       "which boots the loaded kernel";
        case REBOOT_REMOUNT:
                return "no systemd: sync, remount local filesystems read-only, then kexec reboot "
                       "(services are not stopped)";
        case REBOOT_NOW:
                return "--now: sync and kexec reboot at once (services are not stopped)";
        }
        return "?";
}

static void print_plan(FILE *f, const BootEntry *e, const struct kexec_bzimage_info *info, enum reboot_mode mode) {
        fprintf(f, "kernel   %s\n", e->kernel);
        fprintf(f, "  why    %s\n", e->why_kernel);
        if (info)
                fprintf(f, "  image  x86_64 bzImage, boot protocol %u.%02u, %llu bytes, %s\n",
                        info->protocol >> 8, info->protocol & 0xff, (unsigned long long) info->file_size,
                        info->pe_signed ? "signed" : "not signed");
        if (e->n_initrds == 0)
                fprintf(f, "initrd   (none)\n");
        for (size_t i = 0; i < e->n_initrds; i++)
                fprintf(f, "initrd   %s\n", e->initrds[i]);
        fprintf(f, "  why    %s\n", e->why_initrd);
        fprintf(f, "cmdline  %s\n", e->cmdline);
        fprintf(f, "  why    %s\n", e->why_cmdline);
        fprintf(f, "reboot   %s\n", mode_to_string(mode));
}

/* ---- the reboot itself ------------------------------------------------------ */

/* Remounts each local filesystem read-only, marking those it could. */
static size_t remount_read_only(RebootMount *m, size_t n) {
        size_t done = 0;

        for (size_t i = 0; i < n; i++) {
                if (mount(NULL, m[i].path, NULL, MS_REMOUNT | MS_RDONLY | m[i].flags, NULL) < 0) {
                        log_warning("cannot remount %s (%s on %s) read-only: %s; it was synced",
                                    m[i].path, m[i].fstype, m[i].source, strerror(errno));
                        continue;
                }
                m[i].remounted = true;
                done++;
        }
        return done;
}

static void remount_writable(const RebootMount *m, size_t n) {
        for (size_t i = n; i > 0; i--)
                if (m[i - 1].remounted && mount(NULL, m[i - 1].path, NULL, MS_REMOUNT | m[i - 1].flags, NULL) < 0)
                        log_error_errno(-errno, "cannot remount %s writable again; do it by hand: mount -o remount,rw %s",
                                        m[i - 1].path, m[i - 1].path);
}

static int reboot_remount(const AgentOptions *o) {
        RebootMount *m = NULL;
        size_t n = 0;
        int r;

        agent_sync_bounded();
        r = reboot_local_mounts(o->root, &m, &n);
        if (r < 0)
                log_warning("cannot read /proc/self/mountinfo (%s): rebooting without remounting read-only",
                            strerror(-r));
        else {
                log_info("remounted %zu of %zu local filesystem(s) read-only", remount_read_only(m, n), n);
                agent_sync_bounded();
        }
        r = kexec_reboot();
        /* Still here: the host keeps running, so give its disks back. */
        remount_writable(m, n);
        reboot_mounts_free(m, n);
        return r;
}

/* Refuses, before anything changes, what would surely fail. */
static int preflight(const AgentOptions *o, const struct kexec_bzimage_info *info, uint64_t initrd_size) {
        struct kexec_host_state host;
        uint64_t need;

        kexec_probe_host(NULL, &host);
        if (host.loaded == -ENOENT)
                return log_error(-ENOSYS, "refusing: this kernel has no kexec support (/sys/kernel/kexec_loaded is missing)");
        if (host.loaded == 1 && !o->force)
                return log_error(-EBUSY, "refusing: a kexec kernel is already loaded (kexec-tools?); "
                                         "unload it first (kexec -u) or pass --force to replace it");
        if (host.load_disabled == 1)
                return log_error(-EPERM, "refusing: kexec is disabled until the next boot (kernel.kexec_load_disabled=1)");
        need = kexec_memory_need(info->init_size, initrd_size);
        if (host.mem_total > 0 && !kexec_memory_fits(need, host.mem_total))
                return log_error(-ENOMEM, "refusing: the kernel and initramfs need %llu MiB but kexec allows at most half of the %llu MiB of RAM",
                                 (unsigned long long) (need >> 20), (unsigned long long) (host.mem_total >> 20));
        return 0;
}

int verb_reboot(const AgentOptions *o) {
        _cleanup_kexec_load_guard_ struct kexec_load_guard guard = {};
        _cleanup_close_ int kernel_src = -EBADF, kernel_fd = -EBADF, initrd_fd = -EBADF;
        _cleanup_free_ char *why = NULL;
        BootEntryRequest req = {
                .root = o->root,
                .kernel = o->kernel,
                .initrd = o->initrd,
                .append = o->append,
                .reuse_cmdline = o->reuse_cmdline,
        };
        struct kexec_bzimage_info info;
        enum reboot_mode mode = pick_mode(o);
        BootEntry e = {};
        uint64_t kernel_size, initrd_size = 0;
        sigset_t mask;
        int r;

        if (!o->plan && geteuid() != 0)
                return log_error(-EPERM, "reboot must run as root (it loads a kernel); --plan shows the choice as anyone"), 1;

        r = bootentry_find(&req, &e, &why);
        if (r < 0) {
                if (why)
                        log_error(r, "refusing: %s", why);
                else
                        log_error_errno(r, "refusing: cannot find the installed kernel");
                return 1;
        }

        r = open_regular(e.kernel, "kernel", AGENT_KERNEL_MAX, &kernel_src, &kernel_size);
        if (r < 0)
                goto out;
        r = check_kernel(e.kernel, kernel_src, &info);
        if (r < 0) {
                if (o->plan)
                        print_plan(stdout, &e, NULL, mode);
                goto out;
        }
        /* Every initramfs must be there before anything is shown as the plan. */
        for (size_t i = 0; i < e.n_initrds; i++) {
                _cleanup_close_ int fd = -EBADF;
                uint64_t size;

                r = open_regular(e.initrds[i], "initramfs", AGENT_INITRD_MAX, &fd, &size);
                if (r < 0)
                        goto out;
        }
        if (strlen(e.cmdline) + 1 > kexec_bzimage_cmdline_max(&info)) {
                if (o->plan)
                        print_plan(stdout, &e, &info, mode);
                r = log_error(-E2BIG, "refusing: the command line is %zu bytes, the kernel takes at most %zu",
                              strlen(e.cmdline), kexec_bzimage_cmdline_max(&info) - 1);
                goto out;
        }
        if (o->plan) {
                print_plan(stdout, &e, &info, mode);
                r = 0;
                goto out;
        }
        if (!log_quiet)
                print_plan(stderr, &e, &info, mode);

        r = kernel_memfd(e.kernel, kernel_src, kernel_size, &kernel_fd);
        if (r < 0)
                goto out;
        if (e.n_initrds > 0) {
                r = initrd_memfd(&e, &initrd_fd, &initrd_size);
                if (r < 0)
                        goto out;
        }
        r = preflight(o, &info, initrd_size);
        if (r < 0)
                goto out;

        agent_block_signals(&mask);

        r = kexec_load_guarded(&guard, kernel_fd, initrd_fd, e.cmdline, 0);
        if (r < 0) {
                agent_explain_load_failure(r, "the installed kernel", &info, info.file_size, initrd_size, e.cmdline);
                goto out;
        }
        log_info("installed kernel loaded");

        if (!o->yes) {
                r = agent_countdown("the installed kernel", o->countdown, &mask);
                if (r < 0)
                        goto out;
        }

        switch (mode) {
        case REBOOT_SYSTEMD:
                if (kill(1, REBOOT_SYSTEMD_SIGNAL_KEXEC) < 0) {
                        r = log_error_errno(-errno, "cannot ask systemd (PID 1) for kexec.target; unloaded again");
                        goto out;
                }
                /* systemd shuts down and reboots into what we loaded. */
                kexec_load_guard_keep(&guard);
                log_info("systemd is stopping the services and will boot the loaded kernel");
                r = 0;
                goto out;
        case REBOOT_REMOUNT:
                log_info("syncing, remounting read-only and rebooting into the installed kernel");
                r = reboot_remount(o);
                break;
        case REBOOT_NOW:
                log_info("syncing and rebooting into the installed kernel");
                agent_sync_bounded();
                r = kexec_reboot();
                break;
        }
        {
                struct kexec_explanation ex;
                kexec_explain_reboot_error(r, NULL, &ex);
                log_error_errno(r, "the kexec reboot failed: %s; unloaded again", ex.summary);
        }
out:
        bootentry_done(&e);
        return r < 0 ? 1 : 0;
}
