/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The agent's initramfs member (agent-member.c), read by tools nobody here
 * wrote: xz-utils unpacks it and lists its index, GNU cpio and bsdtar read
 * the archive and give back the program byte for byte. That the kernel
 * unpacks it too is test/vm/test-go's and test-rescue-boot's part. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent-member.h"
#include "agent-payload.h"
#include "cpio.h"
#include "test-util.h"

static char *tmp;

/* Runs argv with stdin from path; its stdout in *ret (NUL-terminated). */
static void run(const char *const *argv, const char *path, char **ret, size_t *ret_size) {
        int r = tu_run(tmp, argv, path, ret, ret_size);

        if (r != 0)
                TU_FAIL("%s exited with %d", argv[0], r);
}

static void test_tools(const void *program, size_t program_size) {
        const char *xz = tu_tool("TEST_XZ"), *cpio = tu_tool("TEST_CPIO"), *bsdtar = tu_tool("TEST_BSDTAR");
        _cleanup_free_ char *member_path = tu_path_join(tmp, "member.cpio.xz"), *cpio_path = tu_path_join(tmp, "member.cpio");
        _cleanup_free_ void *member = NULL;
        size_t member_size;
        uint64_t unpacked;

        ASSERT_OK(agent_member_build(program, program_size, &member, &member_size));
        ASSERT_OK(tu_write_file(member_path, member, member_size));
        ASSERT_OK(agent_member_unpacked_size(member, member_size, &unpacked));
        ASSERT_EQ(member_size % 4, 0);          /* xz pads its streams: appends stay aligned */

        if (xz) {
                _cleanup_free_ char *out = NULL, *list = NULL, *want = NULL;
                size_t n, list_size;

                /* xz --robot --list: "totals" then streams, blocks,
                 * compressed, uncompressed, ... (xz(1), ROBOT MODE). */
                run((const char *const[]) { xz, "--robot", "--list", member_path, NULL }, NULL, &list, &list_size);
                ASSERT_TRUE(asprintf(&want, "\ntotals\t1\t1\t%zu\t%llu\t", member_size, (unsigned long long) unpacked) > 0);
                if (!strstr(list, want))
                        TU_FAIL("xz --robot --list says\n%s\nnot \"%s\"", list, want + 1);
                ASSERT_TRUE(strstr(list, "\tCRC32\t") != NULL);    /* the check the kernel accepts */

                run((const char *const[]) { xz, "-dc", NULL }, member_path, &out, &n);
                ASSERT_EQ(n, unpacked);
                ASSERT_OK(tu_write_file(cpio_path, out, n));
        } else
                printf("skip xz: TEST_XZ is not set\n");

        if (xz && cpio) {
                _cleanup_free_ char *list = NULL, *agent = NULL;
                size_t n;

                run((const char *const[]) { cpio, "-it", "--quiet", NULL }, cpio_path, &list, &n);
                ASSERT_STREQ(list, "usr\nusr/lib\nusr/lib/rescue\n" AGENT_MEMBER_PATH "\n");
                run((const char *const[]) { cpio, "-i", "--quiet", "--to-stdout", AGENT_MEMBER_PATH, NULL },
                    cpio_path, &agent, &n);
                ASSERT_MEMEQ(agent, n, program, program_size);
        } else
                printf("skip GNU cpio: TEST_XZ or TEST_CPIO is not set\n");

        if (bsdtar) {
                _cleanup_free_ char *agent = NULL;
                size_t n;

                /* bsdtar reads the xz member itself. */
                run((const char *const[]) { bsdtar, "-xOf", member_path, AGENT_MEMBER_PATH, NULL }, NULL, &agent, &n);
                ASSERT_MEMEQ(agent, n, program, program_size);
        } else
                printf("skip bsdtar: TEST_BSDTAR is not set\n");

        /* Our own reader agrees, and every cut of the member is refused by
         * the index reader (it is all the member's size rests on). */
        {
                CpioArchive *a = NULL;
                const CpioEntry *e;

                ASSERT_OK(cpio_reader_parse(member, member_size, &a));
                e = cpio_archive_find(a, AGENT_MEMBER_PATH);
                ASSERT_TRUE(e != NULL);
                ASSERT_EQ(e->mode, 0100755);
                ASSERT_MEMEQ(e->data, e->size, program, program_size);
                cpio_archive_free(a);
        }
        for (size_t cut = 0; cut < member_size; cut += cut < 64 ? 1 : 509)
                ASSERT_ERROR(agent_member_unpacked_size(member, cut, &unpacked), EBADMSG);
        ASSERT_ERROR(agent_member_unpacked_size("not xz at all, not xz at all", 28, &unpacked), EBADMSG);
}

/* From a payload: the blob as it is, borrowed; a damaged blob refused; no
 * blob: made from the payload's program. */
static void test_get(void) {
        _cleanup_free_ char *path = tu_path_join(tmp, "bundle"), *no_member = tu_path_join(tmp, "bundle-without");
        _cleanup_free_ void *member = NULL, *self = NULL;
        size_t member_size, self_size, got_size;
        const void *got, *prog;
        void *owned = NULL;
        Payload *p = NULL;
        const char *reason;
        int fd;

        ASSERT_OK(tu_read_file("/proc/self/exe", &self, &self_size));
        ASSERT_OK(agent_member_build(self, self_size, &member, &member_size));

        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(payload_write(fd, self, self_size,
                                (PayloadBlob[]) { { "kernel", "k", 1 }, { AGENT_MEMBER_BLOB, member, member_size } }, 2));
        close(fd);
        ASSERT_OK(payload_open(path, &p, &reason));
        ASSERT_OK(agent_member_get(p, &got, &got_size, &owned));
        ASSERT_TRUE(owned == NULL);
        ASSERT_MEMEQ(got, got_size, member, member_size);
        payload_program(p, &prog, &got_size);
        ASSERT_TRUE(prog != got);
        payload_free(p);

        /* A flipped byte in the member: the XXH64 catches it. */
        fd = open(path, O_RDWR | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(pwrite(fd, "\xff", 1, (off_t) (self_size + 1 + member_size / 2)), 1);
        close(fd);
        ASSERT_OK(payload_open(path, &p, &reason));
        ASSERT_ERROR(agent_member_get(p, &got, &got_size, &owned), EBADMSG);
        payload_free(p);

        /* A payload without the blob (made by hand): built from its program. */
        fd = open(no_member, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(payload_write(fd, self, self_size, (PayloadBlob[]) { { "kernel", "k", 1 } }, 1));
        close(fd);
        ASSERT_OK(payload_open(no_member, &p, &reason));
        ASSERT_OK(agent_member_get(p, &got, &got_size, &owned));
        ASSERT_TRUE(owned != NULL && got == owned);
        ASSERT_MEMEQ(got, got_size, member, member_size);       /* deterministic */
        free(owned);
        payload_free(p);

        /* No payload at all: this program, from /proc/self/exe. */
        ASSERT_OK(agent_member_get(NULL, &got, &got_size, &owned));
        ASSERT_MEMEQ(got, got_size, member, member_size);
        free(owned);
}

int main(void) {
        _cleanup_free_ void *program = tu_random_data(300001, 7);

        ASSERT_OK(tu_mkdtemp("test-agent-member", &tmp));
        test_tools(program, 300001);
        test_tools("", 0);
        test_get();
        tu_rm_rf(tmp);
        free(tmp);
        return 0;
}
