/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <lzma.h>
#include <stdlib.h>

#include "agent-member.h"
#include "cpio.h"
#include "fileio.h"
#include "macro.h"

/* xz's stream footer (xz file format 1.0.4, 2.1.2) is 12 bytes. */
#define XZ_FOOTER_SIZE 12
/* Our members hold a few MiB at most: a tiny index. */
#define XZ_INDEX_MEMLIMIT (UINT64_C(1) << 20)

DEFINE_TRIVIAL_CLEANUP_FUNC(CpioWriter *, cpio_writer_free);

int agent_member_build(const void *program, size_t program_size, void **ret, size_t *ret_size) {
        _cleanup_(cpio_writer_freep) CpioWriter *w = NULL;
        const void *cpio;
        size_t cpio_size;
        int r;

        r = cpio_writer_new(&w);
        if (r < 0)
                return r;
        /* Explicit modes: the kernel applies an appended directory's mode to
         * the one the rescue image already has. */
        if ((r = cpio_writer_add_dir(w, "usr", 0755, 0, 0, 0)) < 0 ||
            (r = cpio_writer_add_dir(w, "usr/lib", 0755, 0, 0, 0)) < 0 ||
            (r = cpio_writer_add_dir(w, "usr/lib/rescue", 0755, 0, 0, 0)) < 0 ||
            (r = cpio_writer_add_file(w, AGENT_MEMBER_PATH, 0755, 0, 0, 0, program, program_size)) < 0)
                return r;
        r = cpio_writer_finish(w, &cpio, &cpio_size);
        if (r < 0)
                return r;
        return cpio_compress(CPIO_COMPRESSION_XZ_X86, cpio, cpio_size, ret, ret_size);
}

static void lzma_index_endp(lzma_index **i) {
        if (*i)
                lzma_index_end(*i, NULL);
}

int agent_member_unpacked_size(const void *member, size_t size, uint64_t *ret) {
        _cleanup_(lzma_index_endp) lzma_index *index = NULL;
        const uint8_t *p = member;
        lzma_stream_flags footer;
        uint64_t memlimit = XZ_INDEX_MEMLIMIT;
        size_t pos = 0, index_start;

        if (size < 2 * XZ_FOOTER_SIZE)
                return -EBADMSG;
        if (lzma_stream_footer_decode(&footer, p + size - XZ_FOOTER_SIZE) != LZMA_OK ||
            footer.backward_size > size - 2 * XZ_FOOTER_SIZE)
                return -EBADMSG;
        index_start = size - XZ_FOOTER_SIZE - (size_t) footer.backward_size;
        if (lzma_index_buffer_decode(&index, &memlimit, NULL, p + index_start, &pos,
                                     (size_t) footer.backward_size) != LZMA_OK)
                return -EBADMSG;
        *ret = lzma_index_uncompressed_size(index);
        return 0;
}

int agent_member_get(const Payload *p, const void **ret, size_t *ret_size, void **ret_owned) {
        _cleanup_free_ char *self = NULL;
        const void *program;
        size_t program_size;
        void *built;
        int r;

        if (p) {
                r = payload_get_checked(p, AGENT_MEMBER_BLOB, PAYLOAD_VERIFY_QUICK, ret, ret_size);
                if (r != -ENOENT) {
                        if (r >= 0)
                                *ret_owned = NULL;
                        return r;
                }
                payload_program(p, &program, &program_size);
        } else {
                r = read_full_file("/proc/self/exe", PAYLOAD_MAX_SIZE, &self, &program_size);
                if (r < 0)
                        return r;
                program = self;
        }
        /* No member made at bundle time: make it now (an xz of the whole
         * program, the slow way). */
        r = agent_member_build(program, program_size, &built, ret_size);
        if (r < 0)
                return r;
        *ret = *ret_owned = built;
        return 0;
}
