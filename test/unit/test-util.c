/* SPDX-License-Identifier: GPL-2.0-or-later */

#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-util.h"

void tu_skip(const char *fmt, ...) {
        va_list ap;

        fputs("SKIP: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        exit(EXIT_TEST_SKIP);
}

const char *tu_tool(const char *env) {
        const char *p = getenv(env);

        return p && *p ? p : NULL;
}

const char *tu_tool_or_skip(const char *env) {
        const char *p = tu_tool(env);

        if (!p)
                tu_skip("$%s is not set: the build did not find that tool", env);
        if (access(p, X_OK) < 0)
                tu_skip("%s ($%s) is not executable: %m", p, env);
        return p;
}

int tu_mkdtemp(const char *prefix, char **ret) {
        const char *tmp = getenv("TMPDIR");
        char *p;

        if (asprintf(&p, "%s/%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix) < 0)
                return -ENOMEM;
        if (!mkdtemp(p)) {
                int r = -errno;
                free(p);
                return r;
        }
        *ret = p;
        return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        if (flag == FTW_DP)
                rmdir(path);
        else
                unlink(path);
        return 0;
}

void tu_rm_rf(const char *path) {
        if (path)
                nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int read_fd(int fd, char **ret, size_t *ret_size) {
        size_t size = 0, allocated = 0;
        char *buf = NULL;

        for (;;) {
                if (allocated - size < 4096) {
                        allocated = allocated ? allocated * 2 : 65536;
                        char *p = realloc(buf, allocated);
                        if (!p) {
                                free(buf);
                                return -ENOMEM;
                        }
                        buf = p;
                }
                ssize_t k = read(fd, buf + size, allocated - size - 1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        int r = -errno;
                        free(buf);
                        return r;
                }
                if (k == 0)
                        break;
                size += (size_t) k;
        }
        buf[size] = '\0';
        *ret = buf;
        if (ret_size)
                *ret_size = size;
        return 0;
}

int tu_run(const char *dir, const char *const *argv, const char *stdin_path,
           char **ret_stdout, size_t *ret_stdout_size) {
        _cleanup_close_ int in = -EBADF, out = -EBADF;
        int status, r;

        in = open(stdin_path ?: "/dev/null", O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return -errno;
        /* stdout into an unlinked file: no pipe to drain while waiting. */
        out = open(getenv("TMPDIR") ?: "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (out < 0)
                return -errno;

        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                if ((dir && chdir(dir) < 0) ||
                    dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0)
                        _exit(126);
                execv(argv[0], (char *const *) argv);
                fprintf(stderr, "exec %s: %m\n", argv[0]);
                _exit(127);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;

        if (ret_stdout) {
                if (lseek(out, 0, SEEK_SET) < 0)
                        return -errno;
                r = read_fd(out, ret_stdout, ret_stdout_size);
                if (r < 0)
                        return r;
        }
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return 128 + WTERMSIG(status);
}

int tu_read_file(const char *path, void **ret, size_t *ret_size) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return read_fd(fd, (char **) ret, ret_size);
}

int tu_write_file(const char *path, const void *data, size_t size) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        const char *p = data;

        if (fd < 0)
                return -errno;
        while (size > 0) {
                ssize_t k = write(fd, p, size);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += k;
                size -= (size_t) k;
        }
        return 0;
}

char *tu_path_join(const char *a, const char *b) {
        char *p;

        if (asprintf(&p, "%s/%s", a, b) < 0)
                TU_FAIL("out of memory");
        return p;
}

void tu_fill_random(void *buf, size_t n, uint64_t seed) {
        uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
        uint8_t *p = buf;

        for (size_t i = 0; i < n; i++) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                p[i] = (uint8_t) (x >> 32);
        }
}

void *tu_random_data(size_t n, uint64_t seed) {
        void *p = malloc(MAX(n, (size_t) 1));

        if (!p)
                TU_FAIL("out of memory");
        tu_fill_random(p, n, seed);
        return p;
}
