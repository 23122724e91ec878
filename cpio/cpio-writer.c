/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Builds a newc archive in memory, deterministically, parents first. */

#include <search.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cpio-internal.h"
#include "cpio.h"
#include "macro.h"

/* First inode number; the kernel only pairs inodes of regular files with
 * nlink >= 2 (hard links), which we never write, so any base works. */
#define INO_BASE 1u
#define IMPLICIT_DIR_MODE 0755u

typedef struct WriterEntry {
        char *path;
        uint32_t mode;          /* type | permissions */
        uint32_t uid, gid, mtime;
        void *data;             /* file body or symlink target */
        size_t size;
        bool implicit;          /* a parent nobody added explicitly */
} WriterEntry;

struct CpioWriter {
        WriterEntry **entries;
        size_t n_entries, n_allocated;
        void *index;            /* tsearch() tree of entries by path */
        uint64_t size;          /* archive bytes so far, trailer included */
        uint64_t max_size;
        size_t max_entries;
        uint8_t *output;
        size_t output_size;
};

static uint64_t entry_archive_size(size_t path_len, uint64_t data_size) {
        return cpio_header_name_size(path_len + 1) + cpio_pad4(data_size);
}

static WriterEntry *writer_entry_free(WriterEntry *e) {
        if (e) {
                free(e->path);
                free(e->data);
                free(e);
        }
        return NULL;
}

static int entry_compare(const void *a, const void *b) {
        const WriterEntry *x = a, *y = b;

        return strcmp(x->path, y->path);
}

static int entry_compare_indirect(const void *a, const void *b) {
        return entry_compare(*(WriterEntry * const *) a, *(WriterEntry * const *) b);
}

int cpio_writer_new(CpioWriter **ret) {
        CpioWriter *w = calloc(1, sizeof(*w));
        if (!w)
                return -ENOMEM;

        w->size = entry_archive_size(strlen(CPIO_TRAILER_NAME), 0);
        w->max_size = CPIO_WRITER_MAX_SIZE_DEFAULT;
        w->max_entries = CPIO_WRITER_MAX_ENTRIES_DEFAULT;
        *ret = w;
        return 0;
}

static void noop_free(void *p) {
}

CpioWriter *cpio_writer_free(CpioWriter *w) {
        if (!w)
                return NULL;

        tdestroy(w->index, noop_free);
        for (size_t i = 0; i < w->n_entries; i++)
                writer_entry_free(w->entries[i]);
        free(w->entries);
        free(w->output);
        free(w);
        return NULL;
}

int cpio_writer_set_max_size(CpioWriter *w, uint64_t max_size) {
        if (w->size > max_size)
                return -EINVAL;
        w->max_size = max_size;
        return 0;
}

int cpio_writer_set_max_entries(CpioWriter *w, size_t max_entries) {
        if (w->n_entries > max_entries)
                return -EINVAL;
        w->max_entries = max_entries;
        return 0;
}

size_t cpio_writer_count(const CpioWriter *w) {
        return w->n_entries;
}

/* Drops leading slashes and checks every component. The kernel resolves
 * names relative to its root, so "etc/x" and "/etc/x" are the same file. */
static int path_normalize(const char *path, const char **ret) {
        while (*path == '/')
                path++;

        size_t len = strnlen(path, CPIO_PATH_MAX);
        if (len >= CPIO_PATH_MAX)
                return -ENAMETOOLONG;
        if (len == 0)
                return -EINVAL;
        /* An entry named like the trailer would end the archive early; that
         * includes the implicit parent of "TRAILER!!!/x". */
        size_t first = strcspn(path, "/");
        if (first == strlen(CPIO_TRAILER_NAME) && memcmp(path, CPIO_TRAILER_NAME, first) == 0)
                return -EINVAL;

        for (const char *p = path;;) {
                size_t n = strcspn(p, "/");

                if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
                        return -EINVAL;
                if (p[n] == '\0')
                        break;
                p += n + 1;
        }

        *ret = path;
        return 0;
}

static WriterEntry *writer_find(CpioWriter *w, const char *path) {
        WriterEntry key = { .path = (char *) path };
        WriterEntry **found = tfind(&key, &w->index, entry_compare);

        return found ? *found : NULL;
}

static int writer_push(CpioWriter *w, WriterEntry *e) {
        if (w->n_entries == w->n_allocated) {
                size_t n = MAX(w->n_allocated * 2, (size_t) 16);
                WriterEntry **p = reallocarray(w->entries, n, sizeof(*p));
                if (!p)
                        return -ENOMEM;
                w->entries = p;
                w->n_allocated = n;
        }
        if (!tsearch(e, &w->index, entry_compare))
                return -ENOMEM;
        w->entries[w->n_entries++] = e;
        w->size += entry_archive_size(strlen(e->path), e->size);
        return 0;
}

/* Undoes the last n pushes, for an add that failed half-way. */
static void writer_pop(CpioWriter *w, size_t n) {
        for (; n > 0; n--) {
                WriterEntry *e = w->entries[--w->n_entries];

                tdelete(e, &w->index, entry_compare);
                w->size -= entry_archive_size(strlen(e->path), e->size);
                writer_entry_free(e);
        }
}

static WriterEntry *writer_entry_new(const char *path, size_t path_len, uint32_t mode,
                                     uint32_t uid, uint32_t gid, uint32_t mtime,
                                     const void *data, size_t size) {
        WriterEntry *e = calloc(1, sizeof(*e));
        if (!e)
                return NULL;

        *e = (WriterEntry) {
                .mode = mode,
                .uid = uid,
                .gid = gid,
                .mtime = mtime,
                .size = size,
        };
        e->path = strndup(path, path_len);
        if (!e->path)
                return writer_entry_free(e);
        if (size > 0) {
                e->data = malloc(size);
                if (!e->data)
                        return writer_entry_free(e);
                memcpy(e->data, data, size);
        }
        return e;
}

/* Checks that every existing ancestor of path is a directory and returns
 * the offset of the '/' ending the first missing one (strlen(path) if none
 * is missing): that ancestor and all below it need creating. */
static int find_missing_parents(CpioWriter *w, const char *path, size_t *ret_offset) {
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;

        for (char *s = copy; (s = strchr(s, '/')); s++) {
                *s = '\0';
                WriterEntry *e = writer_find(w, copy);
                *s = '/';
                if (!e) {
                        *ret_offset = (size_t) (s - copy);
                        return 0;
                }
                if (!S_ISDIR(e->mode))
                        return -ENOTDIR;
        }
        *ret_offset = strlen(path);
        return 0;
}

static int writer_add(CpioWriter *w, const char *path, uint32_t type, uint32_t mode,
                      uint32_t uid, uint32_t gid, int64_t mtime,
                      const void *data, size_t size) {
        const char *p;
        size_t missing_at, n_new = 1, pushed = 0;
        uint64_t bytes;
        int r;

        if (!w || !path || (size > 0 && !data))
                return -EINVAL;
        if (w->output)
                return -EBUSY;
        if (mode & ~07777u)
                return -EINVAL;
        if (mtime < 0 || mtime > UINT32_MAX)
                return -ERANGE;
        /* newc's filesize field is 8 hex digits. */
        if (size > CPIO_FILE_SIZE_MAX)
                return -EFBIG;

        r = path_normalize(path, &p);
        if (r < 0)
                return r;

        WriterEntry *existing = writer_find(w, p);
        if (existing) {
                if (!existing->implicit || type != S_IFDIR)
                        return -EEXIST;
                existing->mode = type | mode;
                existing->uid = uid;
                existing->gid = gid;
                existing->mtime = (uint32_t) mtime;
                existing->implicit = false;
                return 0;
        }

        r = find_missing_parents(w, p, &missing_at);
        if (r < 0)
                return r;

        size_t len = strlen(p);
        bytes = entry_archive_size(len, size);
        for (size_t i = missing_at; i < len; i++)
                if (p[i] == '/') {
                        n_new++;
                        bytes += entry_archive_size(i, 0);
                }
        if (n_new > w->max_entries - w->n_entries)
                return -E2BIG;
        if (bytes > w->max_size - w->size)
                return -EFBIG;

        for (size_t i = missing_at; i <= len; i++) {
                WriterEntry *e;

                if (i < len && p[i] != '/')
                        continue;
                if (i < len) {
                        e = writer_entry_new(p, i, S_IFDIR | IMPLICIT_DIR_MODE, 0, 0, 0, NULL, 0);
                        if (e)
                                e->implicit = true;
                } else
                        e = writer_entry_new(p, len, type | mode, uid, gid, (uint32_t) mtime,
                                             data, size);
                if (!e) {
                        r = -ENOMEM;
                        break;
                }
                r = writer_push(w, e);
                if (r < 0) {
                        writer_entry_free(e);
                        break;
                }
                pushed++;
        }
        if (r < 0) {
                writer_pop(w, pushed);
                return r;
        }
        return 0;
}

int cpio_writer_add_dir(CpioWriter *w, const char *path, uint32_t mode,
                        uint32_t uid, uint32_t gid, int64_t mtime) {
        return writer_add(w, path, S_IFDIR, mode, uid, gid, mtime, NULL, 0);
}

int cpio_writer_add_file(CpioWriter *w, const char *path, uint32_t mode,
                         uint32_t uid, uint32_t gid, int64_t mtime,
                         const void *data, size_t size) {
        return writer_add(w, path, S_IFREG, mode, uid, gid, mtime, data, size);
}

int cpio_writer_add_symlink(CpioWriter *w, const char *path, const char *target,
                            uint32_t uid, uint32_t gid, int64_t mtime) {
        if (!target)
                return -EINVAL;

        /* The kernel reads at most PATH_MAX bytes of link target. */
        size_t len = strnlen(target, CPIO_PATH_MAX);
        if (len == 0)
                return -EINVAL;
        if (len >= CPIO_PATH_MAX)
                return -ENAMETOOLONG;

        return writer_add(w, path, S_IFLNK, 0777, uid, gid, mtime, target, len);
}

static uint8_t *write_entry(uint8_t *out, const char *name, const CpioHeader *h,
                            const void *data, size_t size) {
        uint8_t *start = out;
        size_t namesize = strlen(name) + 1;

        /* The buffer is zeroed: skipping over the padding writes it. */
        cpio_header_format(h, out);
        memcpy(out + CPIO_HEADER_SIZE, name, namesize);
        out = start + cpio_header_name_size(namesize);
        if (size > 0)
                memcpy(out, data, size);
        return out + cpio_pad4(size);
}

int cpio_writer_finish(CpioWriter *w, const void **ret_data, size_t *ret_size) {
        if (!w->output) {
                if (w->size > SIZE_MAX)
                        return -EFBIG;
                uint8_t *buf = calloc(1, (size_t) w->size);
                if (!buf)
                        return -ENOMEM;

                /* strcmp() order puts every path after its prefixes, so
                 * the kernel finds parents made before their children. */
                if (w->n_entries > 0)
                        qsort(w->entries, w->n_entries, sizeof(*w->entries), entry_compare_indirect);

                uint8_t *p = buf;
                for (size_t i = 0; i < w->n_entries; i++) {
                        const WriterEntry *e = w->entries[i];
                        CpioHeader h = {};

                        h.field[CPIO_FIELD_INO] = INO_BASE + (uint32_t) i;
                        h.field[CPIO_FIELD_MODE] = e->mode;
                        h.field[CPIO_FIELD_UID] = e->uid;
                        h.field[CPIO_FIELD_GID] = e->gid;
                        h.field[CPIO_FIELD_NLINK] = S_ISDIR(e->mode) ? 2 : 1;
                        h.field[CPIO_FIELD_MTIME] = e->mtime;
                        h.field[CPIO_FIELD_FILESIZE] = (uint32_t) e->size;
                        h.field[CPIO_FIELD_NAMESIZE] = (uint32_t) strlen(e->path) + 1;
                        p = write_entry(p, e->path, &h, e->data, e->size);
                }

                CpioHeader trailer = {};
                trailer.field[CPIO_FIELD_NLINK] = 1;
                trailer.field[CPIO_FIELD_NAMESIZE] = sizeof(CPIO_TRAILER_NAME);
                p = write_entry(p, CPIO_TRAILER_NAME, &trailer, NULL, 0);

                if ((uint64_t) (p - buf) != w->size) {
                        free(buf);
                        return -EIO;    /* size bookkeeping is wrong: a bug */
                }
                w->output = buf;
                w->output_size = (size_t) w->size;
        }

        *ret_data = w->output;
        *ret_size = w->output_size;
        return 0;
}
