/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libsystemd.so.0 for the rescue image: the two calls Debian's sshd makes
 * (service readiness and socket activation), written from their manual
 * pages, sd_notify(3) and sd_listen_fds(3). The real library drags in
 * libgcrypt, libzstd, liblz4, liblzma and libcap (1.1 MB of xz) for
 * journal and bus code sshd never reaches. build-rescue compiles this and
 * checks that it exports every symbol the staged programs import from the
 * real libsystemd.so.0, with the same version.
 *
 * In the rescue, PID 1 is a shell script: NOTIFY_SOCKET and LISTEN_FDS are
 * never set, so both calls end at their first test, as the real ones would.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define LISTEN_FDS_START 3

static void unset_notify_env(int unset_environment) {
        if (unset_environment)
                unsetenv("NOTIFY_SOCKET");
}

static void unset_listen_env(int unset_environment) {
        if (!unset_environment)
                return;
        unsetenv("LISTEN_PID");
        unsetenv("LISTEN_FDS");
        unsetenv("LISTEN_FDNAMES");
}

/* A decimal number in 1..max, or -EINVAL. */
static long parse_positive(const char *s, long max) {
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || v <= 0 || v > max)
                return -EINVAL;
        return v;
}

/* Number of descriptors passed from fd 3 on; 0 when none were passed to
 * this process, -errno when the variables are malformed. */
int sd_listen_fds(int unset_environment) {
        const char *e;
        long pid, n;

        e = getenv("LISTEN_PID");
        if (!e)
                return 0;
        pid = parse_positive(e, INT_MAX);
        if (pid < 0) {
                unset_listen_env(unset_environment);
                return (int) pid;
        }
        if (pid != getpid())
                return 0;

        e = getenv("LISTEN_FDS");
        if (!e) {
                unset_listen_env(unset_environment);
                return 0;
        }
        n = parse_positive(e, INT_MAX - LISTEN_FDS_START);
        if (n < 0) {
                unset_listen_env(unset_environment);
                return (int) n;
        }

        for (int fd = LISTEN_FDS_START; fd < LISTEN_FDS_START + n; fd++) {
                int flags = fcntl(fd, F_GETFD);

                if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0) {
                        int r = -errno;

                        unset_listen_env(unset_environment);
                        return r;
                }
        }
        unset_listen_env(unset_environment);
        return (int) n;
}

/* Sends STATE to $NOTIFY_SOCKET (a path, or '@' for the abstract
 * namespace): > 0 when sent, 0 when there is no socket to tell, -errno. */
int sd_notify(int unset_environment, const char *state) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        const char *path;
        size_t len;
        socklen_t salen;
        ssize_t n;
        int fd, r;

        if (!state) {
                unset_notify_env(unset_environment);
                return -EINVAL;
        }
        path = getenv("NOTIFY_SOCKET");
        if (!path)
                return 0;

        len = strlen(path);
        if ((path[0] != '/' && path[0] != '@') || len < 2 || len > sizeof(sa.sun_path)) {
                unset_notify_env(unset_environment);
                return -EINVAL;
        }
        memcpy(sa.sun_path, path, len);
        if (path[0] == '@')
                sa.sun_path[0] = '\0';
        /* A path socket's name is NUL-terminated when it fits; an abstract
         * one is exactly LEN bytes. */
        salen = offsetof(struct sockaddr_un, sun_path) + len + (path[0] == '/' && len < sizeof(sa.sun_path));

        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
                r = -errno;
                unset_notify_env(unset_environment);
                return r;
        }
        n = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *) &sa, salen);
        r = n < 0 ? -errno : 1;
        close(fd);
        unset_notify_env(unset_environment);
        return r;
}
