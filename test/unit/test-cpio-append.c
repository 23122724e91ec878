/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Appending an overlay to an initramfs: every base size mod 4, plain and
 * compressed bases and overlays, the reader seeing both; writing to a memfd
 * and to a slow pipe under a storm of signals (short writes, EINTR).
 */

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cpio.h"
#include "test-util.h"

typedef struct Blob {
        void *data;
        size_t size;
} Blob;

static void blob_free(Blob *b) {
        free(b->data);
        *b = (Blob) {};
}

/* A rescue-like base (bin/sh, etc/hostname) or an overlay (etc/hostname,
 * etc/ssh/ssh_host_ed25519_key, root/.ssh/authorized_keys). */
static Blob archive(bool overlay, size_t variant) {
        const void *data;
        CpioWriter *w;
        Blob b;
        char content[64];

        ASSERT_OK(cpio_writer_new(&w));
        if (!overlay) {
                _cleanup_free_ void *sh = tu_random_data(3000 + variant, variant);
                ASSERT_OK(cpio_writer_add_dir(w, "tmp", 01777, 0, 0, 0));
                ASSERT_OK(cpio_writer_add_file(w, "bin/sh", 0755, 0, 0, 0, sh, 3000 + variant));
                snprintf(content, sizeof(content), "rescue-%zu\n", variant);
                ASSERT_OK(cpio_writer_add_file(w, "etc/hostname", 0644, 0, 0, 0, content, strlen(content)));
        } else {
                ASSERT_OK(cpio_writer_add_dir(w, "etc", 0755, 0, 0, 0));
                ASSERT_OK(cpio_writer_add_file(w, "etc/hostname", 0644, 0, 0, 0, "host\n", 5));
                ASSERT_OK(cpio_writer_add_file(w, "etc/ssh/ssh_host_ed25519_key", 0600, 0, 0, 0,
                                               "secret\n", 7));
                ASSERT_OK(cpio_writer_add_file(w, "root/.ssh/authorized_keys", 0600, 0, 0, 0,
                                               "ssh-ed25519 AAAA\n", 17));
        }
        ASSERT_OK(cpio_writer_finish(w, &data, &b.size));
        b.data = malloc(b.size);
        ASSERT_TRUE(b.data);
        memcpy(b.data, data, b.size);
        cpio_writer_free(w);
        return b;
}

static Blob compress(CpioCompression kind, const Blob *in) {
        Blob b;

        ASSERT_OK(cpio_compress(kind, in->data, in->size, &b.data, &b.size));
        return b;
}

/* Bases with every size mod 4: a plain archive followed by 0-3 NULs, and
 * gzip members, whose size is arbitrary, until each residue turned up. */
static size_t make_bases(Blob bases[], size_t max) {
        size_t n = 0;

        for (size_t k = 0; k < 4; k++) {
                Blob b = archive(false, 0);
                uint8_t *p = realloc(b.data, b.size + k);
                ASSERT_TRUE(p);
                memset(p + b.size, 0, k);
                b.data = p;
                b.size += k;
                bases[n++] = b;
        }

        unsigned seen = 0;
        for (size_t variant = 1; seen != 0xf && variant < 200; variant++) {
                Blob plain = archive(false, variant), z = compress(CPIO_COMPRESSION_GZIP, &plain);

                blob_free(&plain);
                if (seen & (1u << (z.size % 4)) || n == max) {
                        blob_free(&z);
                        continue;
                }
                seen |= 1u << (z.size % 4);
                bases[n++] = z;
        }
        ASSERT_EQ(seen, 0xf);

        /* xz streams are always a multiple of 4. */
        Blob plain = archive(false, 1000);
        ASSERT_TRUE(n < max);
        bases[n++] = compress(CPIO_COMPRESSION_XZ, &plain);
        blob_free(&plain);
        return n;
}

static void check_appended(const Blob *base, const void *data, size_t size, const Blob *overlay) {
        const uint8_t *p = data;
        size_t pad = cpio_append_padding(base->size);
        CpioArchive *a;

        ASSERT_EQ(pad, (4 - base->size % 4) % 4);
        ASSERT_EQ(size, base->size + pad + overlay->size);
        ASSERT_MEMEQ(p, base->size, base->data, base->size);
        for (size_t i = 0; i < pad; i++)
                ASSERT_EQ(p[base->size + i], 0);
        ASSERT_EQ((base->size + pad) % 4, 0);
        ASSERT_MEMEQ(p + base->size + pad, overlay->size, overlay->data, overlay->size);

        ASSERT_OK(cpio_reader_parse(data, size, &a));
        ASSERT_EQ(cpio_archive_members(a), 2);
        const CpioEntry *e = cpio_archive_find(a, "etc/hostname");
        ASSERT_MEMEQ(e->data, e->size, "host\n", 5);     /* the overlay wins */
        ASSERT_EQ(e->member, 1);
        ASSERT_TRUE(cpio_archive_find(a, "bin/sh"));
        ASSERT_EQ(cpio_archive_find(a, "bin/sh")->member, 0);
        e = cpio_archive_find(a, "etc/ssh/ssh_host_ed25519_key");
        ASSERT_MEMEQ(e->data, e->size, "secret\n", 7);
        ASSERT_EQ(cpio_archive_find(a, "tmp")->mode, S_IFDIR | 01777);
        cpio_archive_free(a);
}

static void test_append(void) {
        Blob bases[16], overlays[3];
        size_t n_bases = make_bases(bases, ELEMENTSOF(bases));
        Blob plain = archive(true, 0);

        overlays[0] = plain;
        overlays[1] = compress(CPIO_COMPRESSION_GZIP, &plain);
        overlays[2] = compress(CPIO_COMPRESSION_XZ, &plain);

        for (size_t i = 0; i < n_bases; i++)
                for (size_t j = 0; j < ELEMENTSOF(overlays); j++) {
                        void *data;
                        size_t size;

                        ASSERT_OK(cpio_append(bases[i].data, bases[i].size,
                                              overlays[j].data, overlays[j].size, &data, &size));
                        check_appended(&bases[i], data, size, &overlays[j]);
                        free(data);

                        /* Without the padding a plain overlay at a misaligned
                         * offset is not found (the kernel stops with "invalid
                         * magic"); compressed members need no alignment. */
                        uint8_t *naive = malloc(bases[i].size + overlays[j].size);
                        CpioArchive *a = NULL;
                        ASSERT_TRUE(naive);
                        memcpy(naive, bases[i].data, bases[i].size);
                        memcpy(naive + bases[i].size, overlays[j].data, overlays[j].size);
                        int r = cpio_reader_parse(naive, bases[i].size + overlays[j].size, &a);
                        if (j == 0 && bases[i].size % 4 != 0)
                                ASSERT_EQ(r, -EBADMSG);
                        else
                                ASSERT_OK(r);
                        cpio_archive_free(a);
                        free(naive);
                }

        /* An empty base: the overlay alone. */
        void *data;
        size_t size;
        ASSERT_OK(cpio_append(NULL, 0, plain.data, plain.size, &data, &size));
        ASSERT_MEMEQ(data, size, plain.data, plain.size);
        free(data);

        for (size_t i = 0; i < n_bases; i++)
                blob_free(&bases[i]);
        for (size_t j = 0; j < ELEMENTSOF(overlays); j++)
                blob_free(&overlays[j]);
}

static void test_errors(void) {
        Blob base = archive(false, 0);
        void *data;
        size_t size;

        ASSERT_ERROR(cpio_append(base.data, base.size, "garbage", 7, &data, &size), EINVAL);
        ASSERT_ERROR(cpio_append(base.data, base.size, "", 0, &data, &size), EINVAL);
        ASSERT_ERROR(cpio_append(NULL, 1, "070701", 6, &data, &size), EINVAL);
        /* Overflow is refused before anything is read. */
        ASSERT_ERROR(cpio_append(base.data, SIZE_MAX - 2, "070701", 6, &data, &size), EFBIG);
        ASSERT_ERROR(cpio_append_to_fd(1, base.data, SIZE_MAX - 2, "070701", 6), EFBIG);
        ASSERT_ERROR(cpio_append_to_fd(-1, base.data, base.size, "070701", 6), EINVAL);
        ASSERT_ERROR(cpio_append_to_fd(1, base.data, base.size, "junk", 4), EINVAL);

        _cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_ERROR(cpio_append_to_fd(fd, base.data, base.size, "070701", 6), EBADF);
        blob_free(&base);
}

static void test_memfd(void) {
        Blob base = archive(false, 5), overlay = archive(true, 0);
        _cleanup_close_ int fd = memfd_create("initrd", MFD_CLOEXEC);
        _cleanup_free_ void *expected = NULL;
        size_t expected_size;

        ASSERT_TRUE(fd >= 0);
        base.size -= 1;         /* a base of odd size, still ending in padding */
        ASSERT_OK(cpio_append(base.data, base.size, overlay.data, overlay.size, &expected, &expected_size));
        ASSERT_OK(cpio_append_to_fd(fd, base.data, base.size, overlay.data, overlay.size));

        struct stat st;
        ASSERT_TRUE(fstat(fd, &st) == 0);
        ASSERT_EQ(st.st_size, expected_size);
        uint8_t *back = malloc(expected_size);
        ASSERT_TRUE(back);
        ASSERT_EQ(pread(fd, back, expected_size, 0), (ssize_t) expected_size);
        ASSERT_MEMEQ(back, expected_size, expected, expected_size);
        free(back);
        blob_free(&base);
        blob_free(&overlay);
}

static volatile sig_atomic_t n_signals;

static void on_alarm(int sig) {
        n_signals++;
}

/* A pipe read slowly while SIGALRM (without SA_RESTART) fires every 200 µs:
 * write() returns short counts and EINTR, and every byte must still arrive
 * once, in order. */
static void test_pipe_signals(void) {
        Blob overlay = archive(true, 0);
        size_t base_size = (4u << 20) + 3;
        _cleanup_free_ uint8_t *base = tu_random_data(base_size, 9);
        _cleanup_free_ void *expected = NULL, *got = NULL;
        _cleanup_free_ char *tmp = NULL, *file = NULL;
        size_t expected_size, got_size;
        int p[2];

        ASSERT_OK(tu_mkdtemp("test-cpio-append", &tmp));
        file = tu_path_join(tmp, "received");
        ASSERT_OK(cpio_append(base, base_size, overlay.data, overlay.size, &expected, &expected_size));
        ASSERT_TRUE(pipe(p) == 0);

        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                int out = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
                uint8_t buf[4096];
                ssize_t k;

                close(p[1]);
                if (out < 0)
                        _exit(2);
                for (size_t i = 0; (k = read(p[0], buf, sizeof(buf))) != 0; i++) {
                        if (k < 0) {
                                if (errno == EINTR)
                                        continue;
                                _exit(3);
                        }
                        if (write(out, buf, (size_t) k) != k)
                                _exit(4);
                        if (i % 16 == 0)
                                usleep(500);
                }
                _exit(0);
        }
        close(p[0]);

        struct sigaction sa = { .sa_handler = on_alarm }, old;
        ASSERT_TRUE(sigaction(SIGALRM, &sa, &old) == 0);
        struct itimerval it = { .it_interval = { 0, 200 }, .it_value = { 0, 200 } };
        ASSERT_TRUE(setitimer(ITIMER_REAL, &it, NULL) == 0);

        int r = cpio_append_to_fd(p[1], base, base_size, overlay.data, overlay.size);

        it = (struct itimerval) {};
        ASSERT_TRUE(setitimer(ITIMER_REAL, &it, NULL) == 0);
        ASSERT_TRUE(sigaction(SIGALRM, &old, NULL) == 0);
        ASSERT_OK(r);
        close(p[1]);

        int status;
        while (waitpid(pid, &status, 0) < 0)
                ASSERT_EQ(errno, EINTR);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

        ASSERT_OK(tu_read_file(file, &got, &got_size));
        ASSERT_MEMEQ(got, got_size, expected, expected_size);
        fprintf(stderr, "pipe: %zu bytes through %d signals\n", got_size, (int) n_signals);
        ASSERT_TRUE(n_signals > 10);

        tu_rm_rf(tmp);
        blob_free(&overlay);
}

/* GNU cpio stops at the first TRAILER!!! and so sees only the base; the
 * padding must not disturb it. (The kernel goes on; tests/vm checks that.) */
static void test_gnu_cpio(void) {
        const char *cpio = tu_tool_or_skip("TEST_CPIO");
        Blob base = archive(false, 0), overlay = archive(true, 0);
        _cleanup_free_ char *tmp = NULL, *file = NULL, *out = NULL;
        void *data;
        size_t size;

        base.size -= 2;         /* drop 2 of the 3 padding bytes after TRAILER!!! */
        ASSERT_OK(cpio_append(base.data, base.size, overlay.data, overlay.size, &data, &size));
        ASSERT_OK(tu_mkdtemp("test-cpio-append", &tmp));
        file = tu_path_join(tmp, "initrd");
        ASSERT_OK(tu_write_file(file, data, size));
        free(data);

        const char *const argv[] = { cpio, "-t", "--quiet", "-H", "newc", NULL };
        ASSERT_EQ(tu_run(NULL, argv, file, &out, NULL), 0);
        ASSERT_STREQ(out, "bin\nbin/sh\netc\netc/hostname\ntmp\n");

        tu_rm_rf(tmp);
        blob_free(&base);
        blob_free(&overlay);
}

int main(void) {
        ASSERT_EQ(cpio_append_padding(0), 0);
        ASSERT_EQ(cpio_append_padding(1), 3);
        ASSERT_EQ(cpio_append_padding(2), 2);
        ASSERT_EQ(cpio_append_padding(3), 1);
        ASSERT_EQ(cpio_append_padding(4), 0);
        ASSERT_EQ(cpio_append_padding(SIZE_MAX), 1);

        test_append();
        test_errors();
        test_memfd();
        test_pipe_signals();
        test_gnu_cpio();
        return EXIT_SUCCESS;
}
