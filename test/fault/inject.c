/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inject: run a program with its Nth call of one syscall failing with a
 * chosen errno, or only count that syscall's calls (test/vm/test-go-faults).
 *
 * LD_PRELOAD cannot reach a static binary, and a seccomp filter cannot
 * count (it is stateless), so the filter hands each watched call to this
 * supervisor through SECCOMP_RET_USER_NOTIF (Linux >= 5.5 for
 * SECCOMP_USER_NOTIF_FLAG_CONTINUE, >= 5.6 for pidfd_getfd): the child sets
 * no_new_privs, installs the filter and execs the program; the supervisor
 * answers the chosen call with the errno and lets every other one run.
 *
 * The listener fd is created close-on-exec in the child, and sending it
 * over a socket would be a syscall the filter may already catch. So the
 * child tells the supervisor, before the filter exists, which fd number the
 * listener will get (the lowest free one), and the filter also stops the
 * child's own execve: the supervisor copies the fd with pidfd_getfd() while
 * the child waits in that execve, and starts counting once it answered it.
 *
 * reboot(2) is always watched, so that the summary can say how many calls
 * came before it: a test of a program that would reboot passes
 * --fail-always reboot:EPERM and stays alive. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#ifndef SECCOMP_USER_NOTIF_FLAG_CONTINUE
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE (1UL << 0)
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

#define MAX_ALWAYS 8
/* Filter size: 4 for the arch check and the load, 4 per watched syscall. */
#define MAX_FILTER (8 + 4 * (MAX_ALWAYS + 3))
/* How long the child may take to install its filter. */
#define LISTENER_WAIT_MS 10000

struct name_value {
        const char *name;
        long value;
};

#define NV(prefix, x) { #x, prefix##x }

/* The syscalls a test may want to fail (x86_64 numbers). */
static const struct name_value syscalls[] = {
        NV(SYS_, open), NV(SYS_, openat), NV(SYS_, close), NV(SYS_, read), NV(SYS_, pread64),
        NV(SYS_, readv), NV(SYS_, write), NV(SYS_, pwrite64), NV(SYS_, writev), NV(SYS_, lseek),
        NV(SYS_, fstat), NV(SYS_, newfstatat), NV(SYS_, statx), NV(SYS_, readlink),
        NV(SYS_, readlinkat), NV(SYS_, getdents64), NV(SYS_, mmap), NV(SYS_, munmap), NV(SYS_, mremap),
        NV(SYS_, brk), NV(SYS_, ioctl), NV(SYS_, fcntl), NV(SYS_, dup), NV(SYS_, dup2), NV(SYS_, dup3),
        NV(SYS_, memfd_create), NV(SYS_, socket), NV(SYS_, bind), NV(SYS_, connect),
        NV(SYS_, getsockname), NV(SYS_, setsockopt), NV(SYS_, sendto), NV(SYS_, recvfrom),
        NV(SYS_, sendmsg), NV(SYS_, recvmsg), NV(SYS_, clone), NV(SYS_, fork), NV(SYS_, vfork),
        NV(SYS_, wait4), NV(SYS_, kill), NV(SYS_, sync), NV(SYS_, kexec_file_load),
        NV(SYS_, kexec_load), NV(SYS_, reboot), NV(SYS_, uname), NV(SYS_, getrandom),
        NV(SYS_, rt_sigprocmask), NV(SYS_, rt_sigtimedwait), NV(SYS_, nanosleep),
        NV(SYS_, clock_nanosleep), NV(SYS_, prctl), NV(SYS_, capget), NV(SYS_, getuid),
        NV(SYS_, geteuid), NV(SYS_, access), NV(SYS_, faccessat), NV(SYS_, faccessat2),
        NV(SYS_, mkdir), NV(SYS_, mkdirat), NV(SYS_, unlink), NV(SYS_, unlinkat), NV(SYS_, rename),
        NV(SYS_, renameat2), NV(SYS_, ftruncate), NV(SYS_, fallocate), NV(SYS_, fsync),
};

static const struct name_value errnos[] = {
        NV(, EPERM), NV(, ENOENT), NV(, ESRCH), NV(, EINTR), NV(, EIO), NV(, ENXIO), NV(, E2BIG),
        NV(, ENOEXEC), NV(, EBADF), NV(, ECHILD), NV(, EAGAIN), NV(, ENOMEM), NV(, EACCES),
        NV(, EFAULT), NV(, EBUSY), NV(, EEXIST), NV(, ENODEV), NV(, ENOTDIR), NV(, EISDIR),
        NV(, EINVAL), NV(, ENFILE), NV(, EMFILE), NV(, ETXTBSY), NV(, EFBIG), NV(, ENOSPC),
        NV(, ESPIPE), NV(, EROFS), NV(, EPIPE), NV(, ERANGE), NV(, ENAMETOOLONG), NV(, ENOSYS),
        NV(, ELOOP), NV(, ENODATA), NV(, EOVERFLOW), NV(, EBADMSG), NV(, ENOTSUP),
        NV(, EOPNOTSUPP), NV(, EAFNOSUPPORT), NV(, EPROTONOSUPPORT), NV(, EADDRNOTAVAIL),
        NV(, ENOBUFS), NV(, ECONNREFUSED), NV(, ETIMEDOUT), NV(, EDQUOT), NV(, ECANCELED),
        NV(, ENOKEY), NV(, EKEYEXPIRED), NV(, EKEYREVOKED), NV(, EKEYREJECTED), NV(, ELIBBAD),
        NV(, ENOPKG),
};

struct always_rule {
        long nr;
        int err;
};

struct options {
        long nr;                /* the syscall counted (and failed) */
        const char *name;
        int err;                /* 0 with --count */
        unsigned long nth;
        bool and_later;         /* fail every call from the Nth on */
        long min_fd;            /* -1: every call; else calls with arg0 >= min_fd */
        struct always_rule always[MAX_ALWAYS];
        size_t n_always;
        char **argv;
};

struct tally {
        bool started;           /* the child's own execve was answered */
        unsigned long calls;
        unsigned long before_reboot;
        unsigned long injected;  /* the (first) call number failed, 0: none */
        unsigned long reboots;
};

static int lookup(const struct name_value *table, size_t n, const char *name, long *ret) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(table[i].name, name) == 0) {
                        *ret = table[i].value;
                        return 0;
                }
        return -ENOENT;
}

static const char *name_of(const struct name_value *table, size_t n, long value) {
        for (size_t i = 0; i < n; i++)
                if (table[i].value == value)
                        return table[i].name;
        return "?";
}

static const char *syscall_name(long nr) {
        return name_of(syscalls, sizeof(syscalls) / sizeof(syscalls[0]), nr);
}

static const char *errno_name(int err) {
        return name_of(errnos, sizeof(errnos) / sizeof(errnos[0]), err);
}

static int parse_syscall(const char *s, long *ret) {
        return lookup(syscalls, sizeof(syscalls) / sizeof(syscalls[0]), s, ret);
}

/* An errno by name (EPERM) or number (1). */
static int parse_errno(const char *s, int *ret) {
        long v;
        char *end;

        if (lookup(errnos, sizeof(errnos) / sizeof(errnos[0]), s, &v) == 0) {
                *ret = (int) v;
                return 0;
        }
        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || end == s || *end || v <= 0 || v > 4095)
                return -EINVAL;
        *ret = (int) v;
        return 0;
}

static int parse_ulong(const char *s, unsigned long *ret) {
        unsigned long v;
        char *end;

        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno || end == s || *end || s[0] == '-')
                return -EINVAL;
        *ret = v;
        return 0;
}

static void usage(FILE *f) {
        fputs("usage: inject --syscall NAME --errno ERRNO --nth N [OPTIONS] -- PROGRAM [ARG...]\n"
              "       inject --syscall NAME --count [OPTIONS] -- PROGRAM [ARG...]\n"
              "Runs PROGRAM with the Nth call of syscall NAME failing with ERRNO (by name or\n"
              "number), or only counts its calls. Ends with one line on stderr:\n"
              "  inject: summary syscall=NAME calls=T before_reboot=K injected=N|0 reboot=R status=S\n"
              "and exits with PROGRAM's status (128+signal when killed).\n"
              "  --and-later                 fail every call from the Nth on, not only the Nth\n"
              "  --min-fd K                  watch only calls whose first argument is >= K\n"
              "                              (--min-fd 3: not the writes to stdout/stderr)\n"
              "  --fail-always NAME:ERRNO    every call of NAME fails (e.g. reboot:EPERM); for\n"
              "                              the --syscall itself: every call but the Nth\n", f);
}

static int parse_options(int argc, char **argv, struct options *o) {
        static const struct option longopts[] = {
                { "syscall", required_argument, NULL, 's' },
                { "errno", required_argument, NULL, 'e' },
                { "nth", required_argument, NULL, 'n' },
                { "count", no_argument, NULL, 'c' },
                { "and-later", no_argument, NULL, 'l' },
                { "min-fd", required_argument, NULL, 'm' },
                { "fail-always", required_argument, NULL, 'a' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        bool count = false;
        int c;

        *o = (struct options) { .nr = -1, .min_fd = -1 };
        while ((c = getopt_long(argc, argv, "+", longopts, NULL)) >= 0) {
                unsigned long v;
                char *colon;

                switch (c) {
                case 's':
                        if (parse_syscall(optarg, &o->nr) < 0) {
                                fprintf(stderr, "inject: unknown syscall '%s'\n", optarg);
                                return -EINVAL;
                        }
                        o->name = optarg;
                        break;
                case 'e':
                        if (parse_errno(optarg, &o->err) < 0) {
                                fprintf(stderr, "inject: unknown errno '%s'\n", optarg);
                                return -EINVAL;
                        }
                        break;
                case 'n':
                        if (parse_ulong(optarg, &o->nth) < 0 || o->nth == 0) {
                                fprintf(stderr, "inject: --nth takes a number >= 1\n");
                                return -EINVAL;
                        }
                        break;
                case 'c':
                        count = true;
                        break;
                case 'l':
                        o->and_later = true;
                        break;
                case 'm':
                        if (parse_ulong(optarg, &v) < 0 || v > INT_MAX) {
                                fprintf(stderr, "inject: --min-fd takes a number\n");
                                return -EINVAL;
                        }
                        o->min_fd = (long) v;
                        break;
                case 'a': {
                        struct always_rule *a = &o->always[o->n_always];

                        if (o->n_always >= MAX_ALWAYS) {
                                fprintf(stderr, "inject: at most %d --fail-always\n", MAX_ALWAYS);
                                return -EINVAL;
                        }
                        colon = strchr(optarg, ':');
                        if (!colon) {
                                fprintf(stderr, "inject: --fail-always takes NAME:ERRNO\n");
                                return -EINVAL;
                        }
                        *colon = '\0';
                        if (parse_syscall(optarg, &a->nr) < 0 || parse_errno(colon + 1, &a->err) < 0) {
                                fprintf(stderr, "inject: bad --fail-always %s:%s\n", optarg, colon + 1);
                                return -EINVAL;
                        }
                        o->n_always++;
                        break;
                }
                case 'h':
                        usage(stdout);
                        exit(0);
                default:
                        usage(stderr);
                        return -EINVAL;
                }
        }
        if (o->nr < 0 || optind >= argc || count == (o->err != 0) || count == (o->nth != 0)) {
                usage(stderr);
                return -EINVAL;
        }
        if (o->nr == SYS_execve) {
                fprintf(stderr, "inject: execve is how the program starts: not supported\n");
                return -EINVAL;
        }
        for (size_t i = 0; i < o->n_always; i++)
                if (o->always[i].nr == SYS_execve) {
                        fprintf(stderr, "inject: execve is how the program starts: not supported\n");
                        return -EINVAL;
                }
        o->argv = argv + optind;
        return 0;
}

/* The filter: USER_NOTIF for the counted syscall (only arg0 >= min_fd with
 * --min-fd), for each --fail-always one, for reboot and for execve;
 * everything else, and any other architecture, runs. */
static size_t build_filter(const struct options *o, struct sock_filter *f) {
        size_t n = 0;
        long watch[MAX_ALWAYS + 2];
        size_t n_watch = 0;

        f[n++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
        f[n++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
        f[n++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        f[n++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));

        if (o->min_fd >= 0) {
                /* A holds nr on both paths out of this block. */
                f[n++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t) o->nr, 0, 4);
                f[n++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                                       offsetof(struct seccomp_data, args[0]));
                f[n++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t) o->min_fd, 0, 1);
                f[n++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
                f[n++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        } else
                watch[n_watch++] = o->nr;
        for (size_t i = 0; i < o->n_always; i++)
                watch[n_watch++] = o->always[i].nr;
        if (o->nr != SYS_reboot) {
                bool have = false;
                for (size_t i = 0; i < o->n_always; i++)
                        have = have || o->always[i].nr == SYS_reboot;
                if (!have)
                        watch[n_watch++] = SYS_reboot;
        }
        watch[n_watch++] = SYS_execve;

        for (size_t i = 0; i < n_watch; i++) {
                f[n++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t) watch[i], 0, 1);
                f[n++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
        }
        f[n++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        return n;
}

/* In the child: no syscall between the filter and execve but the
 * execve, which waits for the supervisor. Writes to the pipe only before. */
static _Noreturn void run_child(const struct options *o, const char *path, int report_fd) {
        struct sock_filter insns[MAX_FILTER];
        struct sock_fprog prog = { .filter = insns };
        int probe, listener;

        prog.len = (unsigned short) build_filter(o, insns);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
                fprintf(stderr, "inject: cannot set no_new_privs: %m\n");
                _exit(127);
        }
        /* The lowest free fd is what the listener will get. */
        probe = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (probe < 0) {
                fprintf(stderr, "inject: cannot open /dev/null: %m\n");
                _exit(127);
        }
        close(probe);
        if (write(report_fd, &probe, sizeof(probe)) != sizeof(probe))
                _exit(127);

        listener = (int) syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
        if (listener < 0) {
                /* No filter: the supervisor sees the pipe close without a listener. */
                fprintf(stderr, "inject: cannot install the seccomp filter (Linux >= 5.5 needed): %m\n");
                _exit(127);
        }
        if (listener != probe)
                _exit(126);     /* cannot happen in a single-threaded child */
        execv(path, o->argv);
        fprintf(stderr, "inject: cannot run %s: %m\n", path);
        _exit(127);
}

/* argv[0] as execv takes it: as given when it has a '/', else from $PATH. */
static int resolve_program(const char *name, char **ret) {
        const char *path = getenv("PATH");
        char *buf;

        if (strchr(name, '/')) {
                *ret = strdup(name);
                return *ret ? 0 : -ENOMEM;
        }
        for (const char *p = path ?: "/usr/bin:/bin"; ; ) {
                size_t len = strcspn(p, ":");

                if (asprintf(&buf, "%.*s/%s", (int) len, len ? p : ".", name) < 0)
                        return -ENOMEM;
                if (access(buf, X_OK) == 0) {
                        *ret = buf;
                        return 0;
                }
                free(buf);
                if (!p[len])
                        return -ENOENT;
                p += len + 1;
        }
}

/* Copies the child's listener once it exists; -ESRCH when the child ended
 * without one. */
static int take_listener(int pidfd, int fdnum) {
        char link[64], target[64];
        ssize_t n;

        for (unsigned waited = 0; waited < LISTENER_WAIT_MS; waited++) {
                int fd = (int) syscall(SYS_pidfd_getfd, pidfd, fdnum, 0);
                struct pollfd exited = { .fd = pidfd, .events = POLLIN };

                if (fd >= 0) {
                        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
                        n = readlink(link, target, sizeof(target) - 1);
                        if (n > 0) {
                                target[n] = '\0';
                                if (strstr(target, "seccomp"))
                                        return fd;
                        }
                        close(fd);      /* not yet: something else had that number */
                } else if (errno != EBADF)
                        return -errno;
                /* A pidfd turns readable when its process exits. */
                if (poll(&exited, 1, 1) > 0)
                        return -ESRCH;
        }
        return -ETIMEDOUT;
}

static int answer(int listener, const struct seccomp_notif *req, int err) {
        struct seccomp_notif_resp resp = { .id = req->id };

        if (err)
                resp.error = -err;
        else
                resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
                return -errno;  /* ENOENT: the caller was killed meanwhile */
        return 0;
}

static int handle(const struct options *o, int listener, struct tally *t) {
        struct seccomp_notif req;
        long nr;
        int err = 0;

        memset(&req, 0, sizeof(req));
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
                return errno == EINTR || errno == ENOENT ? 0 : -errno;
        nr = req.data.nr;

        if (nr == SYS_execve) {
                t->started = true;
                return answer(listener, &req, 0);
        }
        if (!t->started)
                return answer(listener, &req, 0);
        if (nr == o->nr) {
                t->calls++;
                if (t->reboots == 0)
                        t->before_reboot++;
                if (o->err && (t->calls == o->nth || (o->and_later && t->calls > o->nth))) {
                        if (!t->injected)
                                t->injected = t->calls;
                        err = o->err;
                        fprintf(stderr, "inject: failing %s call %lu (pid %u) with %s\n",
                                o->name, t->calls, req.pid, errno_name(err));
                }
        }
        if (nr == SYS_reboot)
                t->reboots++;
        /* --fail-always on the --syscall itself: every call but the Nth. */
        for (size_t i = 0; i < o->n_always && !err; i++)
                if (nr == o->always[i].nr) {
                        err = o->always[i].err;
                        fprintf(stderr, "inject: failing %s (pid %u) with %s, as always\n",
                                syscall_name(nr), req.pid, errno_name(err));
                }
        return answer(listener, &req, err);
}

/* Answers notifications until the child and every descendant (the filter's
 * other users) are gone. A task drops the filter only once reaped (Linux
 * 6.1 hangs up the listener no sooner), so the child is reaped when its
 * pidfd says it exited, and orphans come to us as the subreaper. */
static int supervise(const struct options *o, int listener, int pidfd, pid_t pid,
                     struct tally *t, int *ret_status) {
        bool child_done = false;

        for (;;) {
                struct pollfd p[2] = {
                        { .fd = listener, .events = POLLIN },
                        { .fd = pidfd, .events = POLLIN },
                };
                pid_t w;
                int r;

                if (poll(p, child_done ? 1 : 2, child_done ? 100 : -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (p[0].revents & POLLIN) {
                        r = handle(o, listener, t);
                        if (r < 0)
                                return r;
                        continue;
                }
                /* POLLHUP: every task that carried the filter is gone. */
                if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL))
                        break;
                if (!child_done && (p[1].revents & POLLIN)) {
                        if (waitpid(pid, ret_status, 0) < 0)
                                return -errno;
                        child_done = true;
                }
                if (!child_done)
                        continue;
                while ((w = waitpid(-1, NULL, WNOHANG)) > 0)
                        ;
                if (w < 0 && errno == ECHILD)
                        break;
        }
        if (!child_done && waitpid(pid, ret_status, 0) < 0)
                return -errno;
        return 0;
}

int main(int argc, char **argv) {
        struct options o;
        struct tally t = {};
        char *path = NULL;
        int pipefd[2], pidfd, listener, fdnum, status, r;
        pid_t pid;

        if (parse_options(argc, argv, &o) < 0)
                return 2;
        r = resolve_program(o.argv[0], &path);
        if (r < 0) {
                fprintf(stderr, "inject: cannot find %s: %s\n", o.argv[0], strerror(-r));
                return 127;
        }
        if (pipe2(pipefd, O_CLOEXEC) < 0) {
                fprintf(stderr, "inject: pipe: %m\n");
                return 127;
        }
        pid = fork();
        if (pid < 0) {
                fprintf(stderr, "inject: fork: %m\n");
                return 127;
        }
        if (pid == 0) {
                close(pipefd[0]);
                run_child(&o, path, pipefd[1]);
        }
        close(pipefd[1]);
        /* Ctrl-C and the like reach the child; the supervisor must outlive it. */
        signal(SIGINT, SIG_IGN);
        signal(SIGQUIT, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
        /* Orphaned descendants must come to us to be reaped (see supervise()). */
        (void) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

        if (read(pipefd[0], &fdnum, sizeof(fdnum)) != sizeof(fdnum)) {
                fprintf(stderr, "inject: the child failed before its filter was installed\n");
                waitpid(pid, &status, 0);
                return 127;
        }
        close(pipefd[0]);
        pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0) {
                fprintf(stderr, "inject: pidfd_open: %m (Linux >= 5.6 needed)\n");
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
                return 127;
        }
        listener = take_listener(pidfd, fdnum);
        if (listener < 0) {
                fprintf(stderr, "inject: cannot take the child's seccomp listener: %s\n", strerror(-listener));
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
                return 127;
        }
        r = supervise(&o, listener, pidfd, pid, &t, &status);
        if (r < 0) {
                fprintf(stderr, "inject: supervising failed: %s; killing %s\n", strerror(-r), path);
                kill(pid, SIGKILL);
                if (waitpid(pid, &status, 0) < 0)
                        return 127;
        }
        status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        fprintf(stderr, "inject: summary syscall=%s calls=%lu before_reboot=%lu injected=%lu reboot=%lu status=%d\n",
                o.name, t.calls, t.before_reboot, t.injected, t.reboots, status);
        free(path);
        return r < 0 ? 127 : status;
}
