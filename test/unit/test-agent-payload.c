/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The payload appended to the agent: round trip, and every kind of damage
 * (truncation at any point, a flipped byte) detected before use. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "agent-payload.h"
#include "test-util.h"

static void *program;
static size_t program_size;

static char *make_bundle(const char *dir, const char *name, const PayloadBlob *blobs, size_t n, size_t *ret_size) {
        char *path = tu_path_join(dir, name);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        void *data;

        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(payload_write(fd, program, program_size, blobs, n));
        close(fd);
        ASSERT_OK(tu_read_file(path, &data, ret_size));
        free(data);
        return path;
}

static void test_round_trip(const char *dir) {
        _cleanup_free_ void *kernel = tu_random_data(100003, 1), *initrd = tu_random_data(4096, 2);
        PayloadBlob blobs[] = {
                { "kernel", kernel, 100003 },
                { "initrd", initrd, 4096 },
                { "manifest", "flavour=small\n", 14 },
                { "empty", "", 0 },
        };
        _cleanup_free_ char *path = NULL;
        Payload *p = NULL;
        const void *data, *prog;
        size_t size, bundle_size, prog_size;
        const char *reason = NULL;

        path = make_bundle(dir, "bundle", blobs, ELEMENTSOF(blobs), &bundle_size);
        ASSERT_OK(payload_open(path, &p, &reason));
        ASSERT_OK(payload_verify(p, NULL));
        ASSERT_EQ(payload_count(p), 4);
        for (size_t i = 0; i < ELEMENTSOF(blobs); i++) {
                ASSERT_OK(payload_get(p, blobs[i].name, &data, &size));
                ASSERT_MEMEQ(data, size, blobs[i].data, blobs[i].size);
        }
        ASSERT_ERROR(payload_get(p, "nothing", &data, &size), ENOENT);
        payload_program(p, &prog, &prog_size);
        ASSERT_MEMEQ(prog, prog_size, program, program_size);
        payload_free(p);

        /* Cut anywhere: never accepted as a payload, never taken for a bare program
         * unless the cut is exactly at the program's end. */
        for (size_t cut = program_size; cut < bundle_size; cut += (cut < program_size + 64 || bundle_size - cut < 300) ? 1 : 997) {
                ASSERT_EQ(truncate(path, (off_t) cut), 0);
                int r = payload_open(path, &p, &reason);
                if (cut == program_size)
                        ASSERT_EQ(r, -ENOMSG);
                else if (r != -EBADMSG)
                        TU_FAIL("cut at %zu of %zu: payload_open returned %d", cut, bundle_size, r);
                unlink(path);
                free(path);
                path = make_bundle(dir, "bundle", blobs, ELEMENTSOF(blobs), &bundle_size);
        }
}

static void test_corruption(const char *dir) {
        _cleanup_free_ void *kernel = tu_random_data(5000, 3);
        PayloadBlob blobs[] = { { "kernel", kernel, 5000 }, { "initrd", "xyz", 3 } };
        size_t bundle_size;
        _cleanup_free_ char *path = make_bundle(dir, "corrupt", blobs, 2, &bundle_size);
        const size_t offsets[] = { program_size + 10, program_size + 5002, bundle_size - 64 - 2 * 64 + 20,
                                   bundle_size - 40, bundle_size - 1 };

        for (size_t i = 0; i < ELEMENTSOF(offsets); i++) {
                int fd = open(path, O_RDWR | O_CLOEXEC);
                uint8_t byte;
                Payload *p = NULL;
                const char *bad = NULL, *reason = NULL;
                int r;

                ASSERT_TRUE(fd >= 0);
                ASSERT_EQ(pread(fd, &byte, 1, (off_t) offsets[i]), 1);
                byte ^= 0x20;
                ASSERT_EQ(pwrite(fd, &byte, 1, (off_t) offsets[i]), 1);

                r = payload_open(path, &p, &reason);
                if (r >= 0) {
                        /* Damage inside a blob: only the checksum can tell. */
                        ASSERT_ERROR(payload_verify(p, &bad), EBADMSG);
                        ASSERT_TRUE(bad != NULL);
                        payload_free(p);
                } else {
                        ASSERT_EQ(r, -EBADMSG);
                        ASSERT_TRUE(reason != NULL);
                }
                byte ^= 0x20;
                ASSERT_EQ(pwrite(fd, &byte, 1, (off_t) offsets[i]), 1);
                close(fd);
        }
}

int main(void) {
        _cleanup_free_ char *dir = NULL;
        Payload *p = NULL;
        const char *reason;
        size_t extent;

        ASSERT_OK(tu_read_file("/proc/self/exe", &program, &program_size));
        ASSERT_OK(payload_elf_extent(program, program_size, &extent));
        ASSERT_EQ(extent, program_size);
        ASSERT_ERROR(payload_open("/proc/self/exe", &p, &reason), ENOMSG);
        ASSERT_ERROR(payload_elf_extent("garbage", 7, &extent), EBADMSG);

        ASSERT_OK(tu_mkdtemp("test-payload", &dir));
        test_round_trip(dir);
        test_corruption(dir);
        tu_rm_rf(dir);
        free(program);
        return 0;
}
