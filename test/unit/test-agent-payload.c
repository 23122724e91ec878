/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The payload appended to the agent: round trip, and every kind of damage
 * (truncation at any point, a flipped byte) detected before use. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "agent-payload.h"
#include "le.h"
#include "sha256.h"
#include "test-util.h"

/* The format of agent-payload.h, written out here so the test checks it. */
#define FOOTER_SIZE 64
#define ENTRY_SIZE 80

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
        ASSERT_OK(payload_verify(p, PAYLOAD_VERIFY_FULL, NULL));
        ASSERT_OK(payload_verify(p, PAYLOAD_VERIFY_QUICK, NULL));
        ASSERT_EQ(payload_count(p), 4);
        for (size_t i = 0; i < ELEMENTSOF(blobs); i++) {
                ASSERT_OK(payload_get(p, blobs[i].name, &data, &size));
                ASSERT_MEMEQ(data, size, blobs[i].data, blobs[i].size);
        }
        ASSERT_ERROR(payload_get(p, "nothing", &data, &size), ENOENT);
        ASSERT_ERROR(payload_get_checked(p, "nothing", PAYLOAD_VERIFY_QUICK, &data, &size), ENOENT);
        ASSERT_OK(payload_get_checked(p, "kernel", PAYLOAD_VERIFY_QUICK, &data, &size));
        ASSERT_MEMEQ(data, size, kernel, 100003);
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
        size_t d = bundle_size - FOOTER_SIZE - 2 * ENTRY_SIZE;
        /* In a blob, an entry's offset, XXH64 and reserved bytes, the
         * footer's size and directory checksum. */
        const size_t offsets[] = { program_size + 10, program_size + 5002, d + 20, d + 64, d + ENTRY_SIZE + 75,
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
                        const void *data;
                        size_t size;

                        /* Damage inside a blob: only the checksums can
                         * tell, the quick one (go, plan) as well. */
                        ASSERT_ERROR(payload_verify(p, PAYLOAD_VERIFY_FULL, &bad), EBADMSG);
                        ASSERT_TRUE(bad != NULL);
                        bad = NULL;
                        ASSERT_ERROR(payload_verify(p, PAYLOAD_VERIFY_QUICK, &bad), EBADMSG);
                        ASSERT_TRUE(bad != NULL);
                        ASSERT_ERROR(payload_get_checked(p, bad, PAYLOAD_VERIFY_QUICK, &data, &size), EBADMSG);
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

/* Reserved bytes set, under a directory checksum that matches: a newer
 * format, refused with a reason rather than misread. */
static void test_reserved(const char *dir) {
        PayloadBlob blobs[] = { { "kernel", "abc", 3 } };
        size_t bundle_size;
        _cleanup_free_ char *path = make_bundle(dir, "reserved", blobs, 1, &bundle_size);
        _cleanup_free_ uint8_t *data = NULL;
        const char *reason = NULL;
        Payload *p = NULL;
        uint8_t *footer;
        size_t size;

        ASSERT_OK(tu_read_file(path, (void **) &data, &size));
        footer = data + size - FOOTER_SIZE;
        ASSERT_EQ(get_le(footer + 16, 8), size - FOOTER_SIZE - ENTRY_SIZE);
        ASSERT_EQ(get_le(footer + 8, 4), 3u);
        data[size - FOOTER_SIZE - 1] = 1;
        sha256(data + size - FOOTER_SIZE - ENTRY_SIZE, ENTRY_SIZE, footer + 32);
        ASSERT_OK(tu_write_file(path, data, size));
        ASSERT_ERROR(payload_open(path, &p, &reason), EBADMSG);
        ASSERT_TRUE(reason && strstr(reason, "reserved"));
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
        test_reserved(dir);
        tu_rm_rf(dir);
        free(program);
        return 0;
}
