/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memfd helpers: creation flags, full writes despite signals and short
 * writes, range copies, and sealing + read-only reopen, including the
 * case where /proc is not there or is not procfs. */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "macro.h"
#include "fake-kexec-syscall.h"
#include "kexec.h"
#include "test-kexec.h"

#define ALL_SEALS (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL)

static void fill_pattern(uint8_t *buf, size_t len, uint32_t seed) {
        for (size_t i = 0; i < len; i++) {
                seed = seed * 1103515245u + 12345u;
                buf[i] = (uint8_t) (seed >> 16);
        }
}

static void test_new(void) {
        _cleanup_close_ int fd = -EBADF;
        char name[300];
        int fd2 = 1234;

        fake_kexec_reset();
        CHECK_INT(kexec_memfd_new("kexec-test", &fd), 0);
        CHECK(fd >= 0);
        CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        /* Sealing allowed: no seals yet (without MFD_ALLOW_SEALING: F_SEAL_SEAL). */
        CHECK_INT(fcntl(fd, F_GET_SEALS), 0);
        CHECK_INT(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
        CHECK_INT(fake_kexec.n_memfd, 1);

        memset(name, 'x', sizeof(name) - 1);
        name[sizeof(name) - 1] = '\0';
        CHECK_INT(kexec_memfd_new(name, &fd2), -ENAMETOOLONG);
        CHECK_INT(kexec_memfd_new(NULL, &fd2), -EINVAL);

        fake_kexec.memfd_errno = ENOSYS;
        CHECK_INT(kexec_memfd_new("x", &fd2), -ENOSYS);
        CHECK_INT(fd2, 1234);   /* untouched on failure */
        CHECK_CONTAINS(kexec_memfd_strerror(-ENOSYS), "3.17");
        fake_kexec_reset();
}

static void test_write_read_back(void) {
        static const size_t sizes[] = { 0, 1, 4095, 4096, 4097, 300000, 3u << 20 };

        for (size_t i = 0; i < ELEMENTSOF(sizes); i++) {
                _cleanup_close_ int fd = -EBADF;
                _cleanup_free_ uint8_t *in = malloc(sizes[i] + 1), *out = malloc(sizes[i] + 1);
                struct stat st;

                fill_pattern(in, sizes[i], (uint32_t) i);
                CHECK_INT(kexec_memfd_new("w", &fd), 0);
                CHECK_INT(kexec_memfd_write_all(fd, in, sizes[i]), 0);
                CHECK_INT(fstat(fd, &st), 0);
                CHECK_INT(st.st_size, sizes[i]);
                CHECK_INT(pread(fd, out, sizes[i], 0), sizes[i]);
                CHECK(memcmp(in, out, sizes[i]) == 0);
        }
}

static void test_write_limit(void) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        CHECK_INT(kexec_memfd_new("big", &fd), 0);
        /* A sparse offset just below the limit: refused before any write. */
        CHECK(lseek(fd, (off_t) KEXEC_FILE_SIZE_MAX - 10, SEEK_SET) >= 0);
        CHECK_INT(kexec_memfd_write_all(fd, "0123456789ab", 12), -EFBIG);
        CHECK_INT(fstat(fd, &st), 0);
        CHECK_INT(st.st_size, 0);
        CHECK_INT(kexec_memfd_write_all(fd, "0123456789", 10), 0);
        CHECK_CONTAINS(kexec_memfd_strerror(-EFBIG), "2 GiB");
}

/* Short writes and EINTR: a blocking pipe drained slowly by a thread while
 * a timer without SA_RESTART interrupts write() again and again. */
struct drain {
        int fd;
        uint8_t *buf;
        size_t len, got;
};

static void *drain_thread(void *p) {
        struct drain *d = p;

        while (d->got < d->len) {
                ssize_t n = read(d->fd, d->buf + d->got, MIN((size_t) 4096, d->len - d->got));
                if (n <= 0)
                        break;
                d->got += (size_t) n;
                if ((d->got / 4096) % 16 == 0)
                        usleep(200);
        }
        return NULL;
}

static volatile sig_atomic_t n_alarms;

static void on_alarm(int sig) {
        n_alarms++;
}

static void test_write_interrupted(void) {
        const size_t len = 8u << 20;
        _cleanup_free_ uint8_t *in = malloc(len);
        struct drain d = { .len = len, .buf = malloc(len) };
        struct sigaction sa = { .sa_handler = on_alarm }, old;
        struct itimerval it = { .it_interval = { 0, 300 }, .it_value = { 0, 300 } }, off = {};
        sigset_t block;
        pthread_t t;
        int p[2];

        fill_pattern(in, len, 42);
        CHECK_INT(pipe2(p, O_CLOEXEC), 0);
        d.fd = p[0];

        /* Only this thread takes SIGALRM. */
        sigemptyset(&block);
        sigaddset(&block, SIGALRM);
        pthread_sigmask(SIG_BLOCK, &block, NULL);
        CHECK_INT(pthread_create(&t, NULL, drain_thread, &d), 0);
        pthread_sigmask(SIG_UNBLOCK, &block, NULL);

        sigaction(SIGALRM, &sa, &old);  /* no SA_RESTART */
        setitimer(ITIMER_REAL, &it, NULL);
        CHECK_INT(kexec_memfd_write_all(p[1], in, len), 0);
        setitimer(ITIMER_REAL, &off, NULL);
        sigaction(SIGALRM, &old, NULL);

        close(p[1]);
        pthread_join(t, NULL);
        close(p[0]);
        CHECK_INT(d.got, len);
        CHECK(memcmp(in, d.buf, len) == 0);
        fprintf(stderr, "write_all: %d timer signals during an 8 MiB pipe write\n", (int) n_alarms);
        CHECK(n_alarms > 0);
        free(d.buf);
}

static void test_copy_range(void) {
        const size_t len = 1u << 20;
        _cleanup_free_ uint8_t *src = malloc(len), *out = malloc(len);
        _cleanup_close_ int sfd = -EBADF, fd = -EBADF;

        fill_pattern(src, len, 7);
        CHECK_INT(kexec_memfd_new("src", &sfd), 0);
        CHECK_INT(kexec_memfd_write_all(sfd, src, len), 0);
        CHECK_INT(kexec_memfd_new("dst", &fd), 0);

        /* Two ranges, the second crossing several copy chunks. */
        CHECK_INT(kexec_memfd_copy_range(fd, sfd, 1000, 300), 0);
        CHECK_INT(kexec_memfd_copy_range(fd, sfd, 5, 700000), 0);
        CHECK_INT(pread(fd, out, 700300, 0), 700300);
        CHECK(memcmp(out, src + 1000, 300) == 0);
        CHECK(memcmp(out + 300, src + 5, 700000) == 0);
        /* The source's own offset is not used or moved. */
        CHECK_INT(lseek(sfd, 0, SEEK_CUR), len);

        CHECK_INT(kexec_memfd_copy_range(fd, sfd, len - 10, 11), -ENODATA);
        CHECK_INT(kexec_memfd_copy_range(fd, sfd, 0, KEXEC_FILE_SIZE_MAX + 1), -EFBIG);
        CHECK_INT(kexec_memfd_copy_range(fd, -1, 0, 1), -EINVAL);
        CHECK_CONTAINS(kexec_memfd_strerror(-ENODATA), "truncated");
}

static void test_seal_readonly(void) {
        _cleanup_close_ int fd = -EBADF, rofd = -EBADF, again = -EBADF;
        struct stat before, after;
        char buf[16] = {};
        int fdnum;

        CHECK_INT(kexec_memfd_new("seal", &fd), 0);
        CHECK_INT(kexec_memfd_write_all(fd, "kernel-bytes", 12), 0);
        CHECK_INT(fstat(fd, &before), 0);
        fdnum = fd;

        CHECK_INT(kexec_memfd_seal_readonly(TAKE_FD(fd), &rofd), 0);
        /* The writable fd is gone (checked before anything reuses its number). */
        CHECK(fcntl(fdnum, F_GETFD) < 0 && errno == EBADF);
        CHECK(rofd >= 0);
        CHECK_INT(fcntl(rofd, F_GETFL) & O_ACCMODE, O_RDONLY);
        CHECK_INT(fcntl(rofd, F_GET_SEALS) & ALL_SEALS, ALL_SEALS);
        CHECK(fcntl(rofd, F_GETFD) & FD_CLOEXEC);
        CHECK_INT(fstat(rofd, &after), 0);
        CHECK(before.st_ino == after.st_ino && before.st_dev == after.st_dev);
        CHECK_INT(pread(rofd, buf, sizeof(buf), 0), 12);
        CHECK(memcmp(buf, "kernel-bytes", 12) == 0);
        CHECK(write(rofd, "x", 1) < 0);

        /* The seals hold even for a new writable open of the same file. */
        {
                char path[64];
                _cleanup_close_ int w = -EBADF;

                snprintf(path, sizeof(path), "/proc/self/fd/%d", rofd);
                w = open(path, O_RDWR | O_CLOEXEC);
                CHECK(w >= 0);
                CHECK(write(w, "x", 1) < 0 && errno == EPERM);
                CHECK(ftruncate(w, 0) < 0 && errno == EPERM);
        }

        /* Sealing an already sealed memfd again is fine. */
        CHECK_INT(kexec_memfd_seal_readonly(fcntl(rofd, F_DUPFD_CLOEXEC, 3), &again), 0);
        CHECK_INT(fcntl(again, F_GETFL) & O_ACCMODE, O_RDONLY);
}

static void test_seal_not_memfd(void) {
        char *dir = test_mkdtemp();
        char path[4096];
        int fd, fdnum, rofd = 1234;

        snprintf(path, sizeof(path), "%s/plain", dir);
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        CHECK(fd >= 0);
        fdnum = fd;
        /* A plain file cannot be sealed; the fd is consumed anyway. */
        CHECK_INT(kexec_memfd_seal_readonly(fd, &rofd), -EINVAL);
        CHECK_INT(rofd, 1234);
        CHECK(fcntl(fdnum, F_GETFD) < 0 && errno == EBADF);
        CHECK_INT(kexec_memfd_seal_readonly(-1, &rofd), -EINVAL);
        tu_rm_rf(dir);
        free(dir);
}

/* In a child with its own mount namespace, hide /proc behind a tmpfs (and
 * then fake a /proc/self/fd/N that is a plain file): the reopen must say
 * "no /proc" instead of failing obscurely or opening the wrong file. */
static int no_proc_child(void) {
        _cleanup_close_ int fd = -EBADF, fd2 = -EBADF;
        int rofd, failures = 0;
        char path[64];

        if (unshare(CLONE_NEWNS) < 0 && (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0))
                return EXIT_TEST_SKIP;
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("tmpfs", "/proc", "tmpfs", 0, "size=1M") < 0)
                return EXIT_TEST_SKIP;

        if (kexec_memfd_new("noproc", &fd) < 0 || kexec_memfd_write_all(fd, "k", 1) < 0)
                return 1;
        if (kexec_memfd_seal_readonly(TAKE_FD(fd), &rofd) != -KEXEC_ERR_NO_PROC)
                failures++;

        /* Not procfs: the path opens, but leads to another file. */
        if (kexec_memfd_new("fakeproc", &fd2) < 0)
                return 1;
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd2);
        if (mkdir("/proc/self", 0755) < 0 || mkdir("/proc/self/fd", 0755) < 0 ||
            close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) < 0)
                return 1;
        if (kexec_memfd_seal_readonly(TAKE_FD(fd2), &rofd) != -KEXEC_ERR_NO_PROC)
                failures++;
        return failures ? 1 : 0;
}

static void test_seal_without_proc(void) {
        int status;
        pid_t pid = fork();

        if (pid == 0)
                _exit(no_proc_child());
        CHECK(pid > 0);
        CHECK(waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status));
        if (WEXITSTATUS(status) == EXIT_TEST_SKIP)
                fprintf(stderr, "SKIP no-/proc case: cannot make a mount namespace here\n");
        else
                CHECK_INT(WEXITSTATUS(status), 0);

        CHECK_CONTAINS(kexec_memfd_strerror(-KEXEC_ERR_NO_PROC), "/proc is not mounted");
        CHECK_CONTAINS(kexec_memfd_strerror(-KEXEC_ERR_NO_PROC), "mount -t proc");
}

int main(void) {
        test_new();
        test_write_read_back();
        test_write_limit();
        test_write_interrupted();
        test_copy_range();
        test_seal_readonly();
        test_seal_not_memfd();
        test_seal_without_proc();
        return test_exit_code();
}
