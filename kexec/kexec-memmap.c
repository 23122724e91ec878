/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The firmware's memory map as the next kernel must see it. The running
 * kernel changes its own e820 table (reservations, memmap=, kexec), so the
 * source is the copy it keeps of what the firmware said: one directory per
 * entry in /sys/firmware/memmap (drivers/firmware/memmap.c), else the e820
 * table of the boot_params it was booted with (/sys/kernel/boot_params). */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kexec-internal.h"
#include "macro.h"

/* A firmware map with more directories than this is not one we trust. */
#define MEMMAP_DIRS_MAX 1024u

uint32_t kexec_e820_type_from_string(const char *s) {
        /* The names of firmware_map_add_entry()'s callers (e820_type_to_string()). */
        static const struct {
                const char *name;
                uint32_t type;
        } table[] = {
                { "System RAM",                 KEXEC_E820_RAM },
                { "Reserved",                   KEXEC_E820_RESERVED },
                { "reserved",                   KEXEC_E820_RESERVED },
                { "ACPI Tables",                KEXEC_E820_ACPI },
                { "ACPI Non-volatile Storage",  KEXEC_E820_NVS },
                { "Unusable memory",            KEXEC_E820_UNUSABLE },
                { "Persistent Memory (legacy)", KEXEC_E820_PRAM },
                { "Persistent Memory",          KEXEC_E820_PMEM },
                { "Soft Reserved",              KEXEC_E820_SOFT_RESERVED },
        };

        if (!s)
                return KEXEC_E820_RESERVED;
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (strcmp(s, table[i].name) == 0)
                        return table[i].type;
        return KEXEC_E820_RESERVED;
}

static int cmp_entry(const void *a, const void *b) {
        const struct kexec_memmap_entry *x = a, *y = b;

        return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Sorts, merges touching or overlapping entries of one type, drops empty
 * ones. Overlaps of different types stay: the next kernel resolves them
 * (e820__update_table()), and the loader avoids any non-RAM part. */
static int memmap_finish(struct kexec_memmap_entry *e, size_t n, struct kexec_memmap *ret) {
        size_t out = 0;
        bool ram = false;

        qsort(e, n, sizeof(*e), cmp_entry);
        for (size_t i = 0; i < n; i++) {
                struct kexec_memmap_entry *last = out > 0 ? &e[out - 1] : NULL;

                if (e[i].size == 0 || e[i].size > UINT64_MAX - e[i].addr)
                        continue;
                if (last && last->type == e[i].type && last->addr + last->size >= e[i].addr) {
                        last->size = MAX(last->addr + last->size, e[i].addr + e[i].size) - last->addr;
                        continue;
                }
                e[out++] = e[i];
        }
        if (out > KEXEC_MEMMAP_MAX)
                return -E2BIG;
        for (size_t i = 0; i < out; i++)
                ram = ram || e[i].type == KEXEC_E820_RAM;
        if (!ram)
                return -ENODATA;

        ret->n = out;
        memcpy(ret->entries, e, out * sizeof(*e));
        return 0;
}

static int read_u64(const char *root, const char *path, uint64_t *ret) {
        char buf[64], *end;
        unsigned long long v;
        int r;

        r = kexec_read_file_at(root, path, buf, sizeof(buf));
        if (r < 0)
                return r;
        errno = 0;
        v = strtoull(buf, &end, 0);
        if (errno != 0 || end == buf || (*end && *end != '\n'))
                return -EBADMSG;
        *ret = v;
        return 0;
}

static void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

/* Entry directories are named 0, 1, 2...; anything else is not one. */
static bool is_index(const char *name) {
        return name[0] && strspn(name, "0123456789") == strlen(name);
}

static int read_firmware_memmap(const char *root, struct kexec_memmap_entry *e, size_t max, size_t *ret_n) {
        _cleanup_(closedirp) DIR *d = NULL;
        char dir[PATH_MAX];
        struct dirent *de;
        size_t n = 0;
        int r;

        r = kexec_path_join(root, "/sys/firmware/memmap", dir, sizeof(dir));
        if (r < 0)
                return r;
        d = opendir(dir);
        if (!d)
                return -errno;

        while ((errno = 0, de = readdir(d))) {
                char path[320], type[64];
                uint64_t start, end;

                if (!is_index(de->d_name) || strlen(de->d_name) > 10)
                        continue;
                if (n >= max)
                        return -E2BIG;

                snprintf(path, sizeof(path), "/sys/firmware/memmap/%s/start", de->d_name);
                r = read_u64(root, path, &start);
                if (r < 0)
                        return r;
                snprintf(path, sizeof(path), "/sys/firmware/memmap/%s/end", de->d_name);
                r = read_u64(root, path, &end);
                if (r < 0)
                        return r;
                snprintf(path, sizeof(path), "/sys/firmware/memmap/%s/type", de->d_name);
                r = kexec_read_file_at(root, path, type, sizeof(type));
                if (r < 0)
                        return r;
                type[strcspn(type, "\n")] = '\0';

                /* "end" is the last byte, inclusive. */
                if (end < start || end == UINT64_MAX)
                        return -EBADMSG;
                e[n++] = (struct kexec_memmap_entry) {
                        .addr = start,
                        .size = end - start + 1,
                        .type = kexec_e820_type_from_string(type),
                };
        }
        if (errno != 0)
                return -errno;
        *ret_n = n;
        return 0;
}

static uint64_t le64(const uint8_t *p) {
        uint64_t v = 0;

        for (int i = 7; i >= 0; i--)
                v = v << 8 | p[i];
        return v;
}

static int read_boot_params_e820(const char *root, struct kexec_memmap_entry *e, size_t *ret_n) {
        _cleanup_free_ char *bp = malloc(KEXEC_X86_BOOT_PARAMS_SIZE + 1);
        const uint8_t *p = (const uint8_t *) bp;
        size_t n;
        int r;

        if (!bp)
                return -ENOMEM;
        r = kexec_read_file_at(root, "/sys/kernel/boot_params/data", bp, KEXEC_X86_BOOT_PARAMS_SIZE + 1);
        if (r < 0)
                return r;
        if (r < (int) (KEXEC_BP_E820_TABLE + KEXEC_MEMMAP_MAX * KEXEC_BP_E820_ENTRY_SIZE))
                return -EBADMSG;

        n = p[KEXEC_BP_E820_ENTRIES];
        if (n > KEXEC_MEMMAP_MAX)
                return -EBADMSG;
        for (size_t i = 0; i < n; i++) {
                const uint8_t *x = p + KEXEC_BP_E820_TABLE + i * KEXEC_BP_E820_ENTRY_SIZE;

                e[i] = (struct kexec_memmap_entry) {
                        .addr = le64(x),
                        .size = le64(x + 8),
                        .type = (uint32_t) (x[16] | x[17] << 8 | x[18] << 16 | (uint32_t) x[19] << 24),
                };
        }
        *ret_n = n;
        return 0;
}

int kexec_memmap_read(const char *root, struct kexec_memmap *ret) {
        _cleanup_free_ struct kexec_memmap_entry *e = NULL;
        size_t n = 0;
        int r;

        if (!ret)
                return -EINVAL;
        e = calloc(MEMMAP_DIRS_MAX, sizeof(*e));
        if (!e)
                return -ENOMEM;

        r = read_firmware_memmap(root, e, MEMMAP_DIRS_MAX, &n);
        if (r == -ENOENT || (r >= 0 && n == 0))
                r = read_boot_params_e820(root, e, &n);
        if (r < 0)
                return r;
        return memmap_finish(e, n, ret);
}
