/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cpio_reader_parse() on arbitrary bytes. Beyond "no crash, no out of
 * bounds read", what parses must survive a round trip: every entry our
 * writer accepts is written again, and that archive must parse to the same
 * names and contents.
 */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cpio.h"
#include "fuzz-util.h"

/* Small caps keep decompression bombs and huge dictionaries cheap. */
static const CpioReaderLimits limits = {
        .max_entries = 4096,
        .max_unpacked = 16u << 20,
};

static volatile uint8_t sink;

static void rewrite(const CpioArchive *a) {
        size_t n = cpio_archive_count(a);
        bool *accepted = calloc(n ?: 1, sizeof(bool));
        CpioWriter *w;
        CpioArchive *b;
        const void *out;
        size_t out_size;

        if (!accepted || cpio_writer_new(&w) < 0) {
                free(accepted);
                return;
        }
        for (size_t i = 0; i < n; i++) {
                const CpioEntry *e = cpio_archive_entry(a, i);
                uint32_t perm = e->mode & 07777;
                int r = -1;

                /* Duplicates, other types and names the writer refuses are
                 * skipped: only what it takes must come back. */
                if (S_ISREG(e->mode))
                        r = cpio_writer_add_file(w, e->name, perm, e->uid, e->gid, e->mtime,
                                                 e->data, e->size);
                else if (S_ISDIR(e->mode))
                        r = cpio_writer_add_dir(w, e->name, perm, e->uid, e->gid, e->mtime);
                else if (S_ISLNK(e->mode))
                        r = cpio_writer_add_symlink(w, e->name, e->link_target, e->uid, e->gid,
                                                    e->mtime);
                accepted[i] = r >= 0;
        }
        CHECK(cpio_writer_finish(w, &out, &out_size) >= 0);
        CHECK(cpio_reader_parse(out, out_size, &b) >= 0);
        CHECK(cpio_archive_count(b) == cpio_writer_count(w));
        for (size_t i = 1; i < cpio_archive_count(b); i++)
                CHECK(strcmp(cpio_archive_entry(b, i - 1)->name, cpio_archive_entry(b, i)->name) < 0);

        for (size_t i = 0; i < n; i++) {
                const CpioEntry *o = cpio_archive_entry(a, i), *e;

                if (!accepted[i])
                        continue;
                e = cpio_archive_find(b, o->name);
                CHECK(e);
                CHECK(e->mode == (o->mode & (S_IFMT | 07777)) || S_ISLNK(e->mode));
                CHECK(e->uid == o->uid && e->gid == o->gid && e->mtime == o->mtime);
                if (S_ISREG(o->mode))
                        CHECK(e->size == o->size && memcmp(e->data, o->data, e->size) == 0);
                if (S_ISLNK(o->mode))
                        CHECK(strcmp(e->link_target, o->link_target) == 0);
        }
        cpio_archive_free(b);
        cpio_writer_free(w);
        free(accepted);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        CpioArchive *a = NULL;
        int r;

        r = cpio_reader_parse_limited(data, size, &limits, &a);
        if (r < 0) {
                CHECK(!a);
                return 0;
        }

        CHECK(cpio_archive_members(a) > 0);
        for (size_t i = 0; i < cpio_archive_count(a); i++) {
                const CpioEntry *e = cpio_archive_entry(a, i);
                uint8_t sum = 0;

                CHECK(strlen(e->name) > 0 && strlen(e->name) < CPIO_PATH_MAX);
                for (size_t k = 0; k < e->size; k++)    /* ASan checks every byte */
                        sum += ((const uint8_t *) e->data)[k];
                sink = sum;
                if (S_ISLNK(e->mode))
                        CHECK(e->link_target && strlen(e->link_target) == e->size);
                CHECK(cpio_archive_find(a, e->name));
        }
        rewrite(a);
        cpio_archive_free(a);
        return 0;
}
