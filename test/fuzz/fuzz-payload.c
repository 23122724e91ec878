/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * payload_open() on arbitrary bytes (through a memfd: it maps a file).
 * Random bytes rarely carry a matching directory checksum, so each input is
 * also tried with the footer's total size and checksum made right, which
 * lets the fuzzer reach the entry checks. What opens must keep every entry
 * inside the file and survive payload_write() and payload_open() again.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent-payload.h"
#include "fuzz-util.h"
#include "le.h"
#include "sha256.h"

#define FOOTER_SIZE 64
#define ENTRY_SIZE 80

static int open_bytes(const void *data, size_t size, Payload **ret, const char **ret_reason) {
        char path[FUZZ_FD_PATH_MAX];
        int fd = fuzz_memfd("fuzz-payload", data, size), r;

        r = payload_open(fuzz_fd_path(fd, path), ret, ret_reason);
        close(fd);
        return r;
}

static void check_open(const uint8_t *data, size_t size) {
        Payload *p = NULL, *again = NULL;
        PayloadBlob blobs[PAYLOAD_MAX_BLOBS];
        const char *reason = NULL, *bad = NULL;
        char path[FUZZ_FD_PATH_MAX];
        const void *prog;
        size_t prog_size, n;
        int r, fd;

        r = open_bytes(data, size, &p, &reason);
        if (r < 0) {
                CHECK(!p);
                CHECK(r != -EBADMSG || reason || size < FOOTER_SIZE);
                return;
        }

        payload_program(p, &prog, &prog_size);
        n = payload_count(p);
        CHECK(n >= 1 && n <= PAYLOAD_MAX_BLOBS);
        CHECK(prog_size + n * ENTRY_SIZE + FOOTER_SIZE <= size);
        for (size_t i = 0; i < n; i++) {
                const uint8_t *sha, *blob;
                const void *got;
                const char *name;
                size_t blob_size, got_size;

                CHECK(payload_entry(p, i, &name, &blob_size, &sha) == 0);
                CHECK(strlen(name) >= 1 && strlen(name) <= PAYLOAD_NAME_MAX);
                CHECK(payload_get(p, name, &got, &got_size) == 0);
                blob = got;
                CHECK(got_size == blob_size);
                CHECK(blob >= (const uint8_t *) prog + prog_size);
                CHECK(blob + blob_size <= (const uint8_t *) prog + size - n * ENTRY_SIZE - FOOTER_SIZE);
                blobs[i] = (PayloadBlob) { name, got, got_size };
        }
        CHECK(payload_entry(p, n, &reason, &prog_size, NULL) == -ERANGE);
        payload_program(p, &prog, &prog_size);
        r = payload_verify(p, PAYLOAD_VERIFY_FULL, &bad);
        CHECK(r == 0 || (r == -EBADMSG && bad));
        /* What passes SHA-256 passes XXH64: both were written together. */
        if (r == 0)
                CHECK(payload_verify(p, PAYLOAD_VERIFY_QUICK, NULL) == 0);

        /* Written again, the same blobs come back (with right checksums). */
        fd = fuzz_memfd("fuzz-payload-again", NULL, 0);
        CHECK(payload_write(fd, prog, prog_size, blobs, n) == 0);
        CHECK(payload_open(fuzz_fd_path(fd, path), &again, &reason) == 0);
        close(fd);
        CHECK(payload_verify(again, PAYLOAD_VERIFY_FULL, NULL) == 0);
        CHECK(payload_count(again) == n);
        for (size_t i = 0; i < n; i++) {
                const void *got;
                size_t got_size;

                CHECK(payload_get(again, blobs[i].name, &got, &got_size) == 0);
                CHECK(got_size == blobs[i].size && memcmp(got, blobs[i].data, got_size) == 0);
        }
        payload_free(again);
        payload_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t *fixed, *f;
        uint64_t count, dir_offset;

        check_open(data, size);

        /* The same bytes with the footer's size and directory checksum set
         * to what they must be, when the directory lies inside the file. */
        if (size < 2 * FOOTER_SIZE)
                return 0;
        fixed = malloc(size);
        CHECK(fixed);
        memcpy(fixed, data, size);
        f = fixed + size - FOOTER_SIZE;
        count = get_le(f + 12, 4);
        dir_offset = get_le(f + 16, 8);
        put_le(f + 24, size, 8);
        if (count <= PAYLOAD_MAX_BLOBS && dir_offset <= size - FOOTER_SIZE &&
            count * ENTRY_SIZE <= size - FOOTER_SIZE - dir_offset)
                sha256(fixed + dir_offset, count * ENTRY_SIZE, f + 32);
        check_open(fixed, size);
        free(fixed);
        return 0;
}
