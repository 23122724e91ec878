/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Walks an initramfs buffer the way the kernel's init/initramfs.c does:
 * NUL bytes are skipped, "070701" starts an archive only at a 4-byte aligned
 * offset, anything else must be a compressed member, decompressed and
 * walked in turn (without nested compression). Every length is checked
 * against the bytes left before it is used.
 */

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cpio-internal.h"
#include "cpio.h"
#include "macro.h"

struct CpioArchive {
        CpioEntry *entries;
        size_t n_entries, n_allocated;
        void **owned;           /* decompressed members, symlink targets */
        size_t n_owned, n_owned_allocated;
        size_t n_members;
        uint64_t unpacked;
        CpioReaderLimits limits;
};

CpioArchive *cpio_archive_free(CpioArchive *a) {
        if (!a)
                return NULL;

        for (size_t i = 0; i < a->n_owned; i++)
                free(a->owned[i]);
        free(a->owned);
        free(a->entries);
        free(a);
        return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(CpioArchive *, cpio_archive_free);

size_t cpio_archive_count(const CpioArchive *a) {
        return a->n_entries;
}

size_t cpio_archive_members(const CpioArchive *a) {
        return a->n_members;
}

const CpioEntry *cpio_archive_entry(const CpioArchive *a, size_t i) {
        return i < a->n_entries ? &a->entries[i] : NULL;
}

static const char *skip_root(const char *p) {
        for (;;) {
                if (p[0] == '/')
                        p++;
                else if (p[0] == '.' && p[1] == '/')
                        p += 2;
                else
                        return p;
        }
}

const CpioEntry *cpio_archive_find(const CpioArchive *a, const char *path) {
        path = skip_root(path);
        for (size_t i = a->n_entries; i > 0; i--)
                if (strcmp(skip_root(a->entries[i - 1].name), path) == 0)
                        return &a->entries[i - 1];
        return NULL;
}

/* Takes ownership of p, freeing it on failure. */
static int archive_own(CpioArchive *a, void *p) {
        if (a->n_owned == a->n_owned_allocated) {
                size_t n = MAX(a->n_owned_allocated * 2, (size_t) 8);
                void **q = reallocarray(a->owned, n, sizeof(*q));
                if (!q) {
                        free(p);
                        return -ENOMEM;
                }
                a->owned = q;
                a->n_owned_allocated = n;
        }
        a->owned[a->n_owned++] = p;
        return 0;
}

static int archive_push(CpioArchive *a, const CpioEntry *e) {
        if (a->n_entries >= a->limits.max_entries)
                return -E2BIG;
        if (a->n_entries == a->n_allocated) {
                size_t n = MAX(a->n_allocated * 2, (size_t) 64);
                CpioEntry *q = reallocarray(a->entries, n, sizeof(*q));
                if (!q)
                        return -ENOMEM;
                a->entries = q;
                a->n_allocated = n;
        }
        a->entries[a->n_entries++] = *e;
        return 0;
}

static uint32_t byte_sum(const uint8_t *p, size_t n) {
        uint32_t sum = 0;

        while (n-- > 0)
                sum += *p++;
        return sum;
}

static int parse_symlink(CpioArchive *a, CpioEntry *e) {
        /* The kernel refuses link targets longer than PATH_MAX; an embedded
         * NUL would silently shorten it. */
        if (e->size == 0 || e->size >= CPIO_PATH_MAX || memchr(e->data, 0, e->size))
                return -EBADMSG;

        char *target = strndup(e->data, e->size);
        if (!target)
                return -ENOMEM;
        e->link_target = target;
        return archive_own(a, target);
}

/*
 * Parses one entry at buf[*offset] (4-aligned). Sets *ret_trailer for
 * TRAILER!!!, which is not listed. *offset moves past the entry's padding,
 * which must be present.
 */
static int parse_entry(CpioArchive *a, const uint8_t *buf, size_t size, size_t *offset,
                       bool *ret_trailer) {
        size_t off = *offset;
        CpioHeader h;
        int r;

        r = cpio_header_parse(buf + off, size - off, &h);
        if (r < 0)
                return r;

        uint32_t namesize = h.field[CPIO_FIELD_NAMESIZE];
        uint32_t filesize = h.field[CPIO_FIELD_FILESIZE];
        size_t left = size - off;

        if (namesize < 2 || namesize > CPIO_PATH_MAX)
                return -EBADMSG;
        if (CPIO_HEADER_SIZE + (size_t) namesize > left)
                return -EBADMSG;
        const char *name = (const char *) buf + off + CPIO_HEADER_SIZE;
        if (name[namesize - 1] != '\0' || memchr(name, 0, namesize - 1))
                return -EBADMSG;

        /* Sizes are at most 2^32 each, so these sums cannot overflow. */
        size_t data_at = (size_t) cpio_header_name_size(namesize);
        size_t end = data_at + (size_t) cpio_pad4(filesize);
        if (end > left)
                return -EBADMSG;
        const uint8_t *data = buf + off + data_at;

        /* Like the kernel, only a regular file's sum counts: GNU cpio
         * leaves it 0 for symlinks. */
        if (h.crc && S_ISREG(h.field[CPIO_FIELD_MODE]) &&
            byte_sum(data, filesize) != h.field[CPIO_FIELD_CHECK])
                return -EBADMSG;

        *offset = off + end;
        if (strcmp(name, CPIO_TRAILER_NAME) == 0) {
                *ret_trailer = true;
                return 0;
        }

        CpioEntry e = {
                .name = name,
                .mode = h.field[CPIO_FIELD_MODE],
                .uid = h.field[CPIO_FIELD_UID],
                .gid = h.field[CPIO_FIELD_GID],
                .nlink = h.field[CPIO_FIELD_NLINK],
                .mtime = h.field[CPIO_FIELD_MTIME],
                .ino = h.field[CPIO_FIELD_INO],
                .dev_major = h.field[CPIO_FIELD_DEVMAJOR],
                .dev_minor = h.field[CPIO_FIELD_DEVMINOR],
                .rdev_major = h.field[CPIO_FIELD_RDEVMAJOR],
                .rdev_minor = h.field[CPIO_FIELD_RDEVMINOR],
                .data = data,
                .size = filesize,
                .member = a->n_members,
        };
        if (S_ISLNK(e.mode)) {
                r = parse_symlink(a, &e);
                if (r < 0)
                        return r;
        }

        *ret_trailer = false;
        return archive_push(a, &e);
}

/* One archive, from its first header through TRAILER!!!. */
static int parse_archive(CpioArchive *a, const uint8_t *buf, size_t size, size_t *offset) {
        for (;;) {
                bool trailer;
                int r;

                /* Each entry takes at least one header, so this ends. */
                if (*offset >= size)
                        return -EBADMSG;        /* no trailer: truncated */
                r = parse_entry(a, buf, size, offset, &trailer);
                if (r < 0)
                        return r;
                if (trailer)
                        break;
        }
        a->n_members++;
        return 0;
}

static int parse_stream(CpioArchive *a, const uint8_t *buf, size_t size, bool top_level);

static int parse_compressed(CpioArchive *a, const uint8_t *buf, size_t size, size_t *offset) {
        void *out;
        size_t out_size, consumed;
        int r;

        r = cpio_compression_detect(buf + *offset, size - *offset);
        if (r < 0)
                return r;
        if (r == CPIO_COMPRESSION_NONE)
                return -EBADMSG;        /* a cpio magic at a misaligned offset */

        r = cpio_decompress(buf + *offset, size - *offset,
                            a->limits.max_unpacked - a->unpacked, &out, &out_size, &consumed);
        if (r < 0)
                return r;
        r = archive_own(a, out);
        if (r < 0)
                return r;
        a->unpacked += out_size;
        *offset += consumed;

        /* Like the kernel, a compressed member holds whole archives:
         * anything but cpio and NUL padding inside is an error. */
        return parse_stream(a, out, out_size, false);
}

static int parse_stream(CpioArchive *a, const uint8_t *buf, size_t size, bool top_level) {
        size_t off = 0, members = a->n_members;
        int r;

        while (off < size) {
                if (buf[off] == '\0') {
                        off++;
                        continue;
                }
                if (off % CPIO_ALIGN == 0 && buf[off] == '0')
                        r = parse_archive(a, buf, size, &off);
                else if (top_level)
                        r = parse_compressed(a, buf, size, &off);
                else
                        r = -EBADMSG;
                if (r < 0)
                        return r;
        }

        /* Nothing at all (or only padding) is not an initramfs. */
        return a->n_members > members ? 0 : -EBADMSG;
}

int cpio_reader_parse_limited(const void *data, size_t size,
                              const CpioReaderLimits *limits, CpioArchive **ret) {
        _cleanup_(cpio_archive_freep) CpioArchive *a = NULL;
        int r;

        if ((!data && size > 0) || !limits || !ret)
                return -EINVAL;

        a = calloc(1, sizeof(*a));
        if (!a)
                return -ENOMEM;
        a->limits = *limits;

        r = parse_stream(a, data, size, true);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(a);
        return 0;
}

int cpio_reader_parse(const void *data, size_t size, CpioArchive **ret) {
        static const CpioReaderLimits defaults = {
                .max_entries = CPIO_READER_MAX_ENTRIES_DEFAULT,
                .max_unpacked = CPIO_READER_MAX_UNPACKED_DEFAULT,
        };

        return cpio_reader_parse_limited(data, size, &defaults, ret);
}
