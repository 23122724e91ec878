/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "agent-payload.h"
#include "fileio.h"
#include "le.h"
#include "macro.h"
#include "sha256.h"
#include "xxh64.h"

#define FOOTER_SIZE 64
#define ENTRY_SIZE 80
#define ENTRY_XXH64 64          /* offset of the XXH64 in an entry */
#define FORMAT_VERSION 3
static const char footer_magic[8] = { 'R', 'A', 'G', 'P', 'A', 'Y', 'L', 'D' };

typedef struct Entry {
        char name[PAYLOAD_NAME_MAX + 1];
        uint64_t offset;
        uint64_t size;
        uint8_t sha256[SHA256_DIGEST_SIZE];
        uint64_t xxh64;
} Entry;

struct Payload {
        const uint8_t *map;
        size_t map_size;
        size_t program_size;
        size_t count;
        Entry entries[PAYLOAD_MAX_BLOBS];
};

int payload_elf_extent(const void *data, size_t size, size_t *ret_extent) {
        const Elf64_Ehdr *eh = data;
        uint64_t end;

        if (size < sizeof(Elf64_Ehdr) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
            eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64)
                return -EBADMSG;
        if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > size ||
            (uint64_t) eh->e_phnum * sizeof(Elf64_Phdr) > size - eh->e_phoff)
                return -EBADMSG;

        /* The header itself counts even when e_phoff points inside it. */
        end = MAX(sizeof(Elf64_Ehdr), eh->e_phoff + (uint64_t) eh->e_phnum * sizeof(Elf64_Phdr));
        /* Each sum is checked against size: a wrapped one would hide data. */
        if (eh->e_shoff != 0) {
                uint64_t sh_end;

                if (__builtin_add_overflow(eh->e_shoff, (uint64_t) eh->e_shnum * eh->e_shentsize, &sh_end) ||
                    sh_end > size)
                        return -EBADMSG;
                end = MAX(end, sh_end);
        }
        for (unsigned i = 0; i < eh->e_phnum; i++) {
                Elf64_Phdr ph;          /* copied: e_phoff need not be aligned */
                uint64_t seg_end;

                memcpy(&ph, (const uint8_t *) data + eh->e_phoff + i * sizeof(ph), sizeof(ph));
                if (__builtin_add_overflow(ph.p_offset, ph.p_filesz, &seg_end) || seg_end > size)
                        return -EBADMSG;
                end = MAX(end, seg_end);
        }
        if (end > size)
                return -EBADMSG;
        *ret_extent = (size_t) end;
        return 0;
}

static int parse(Payload *p, const char **ret_reason) {
        const uint8_t *f, *dir;
        uint8_t digest[SHA256_DIGEST_SIZE];
        uint64_t count, dir_offset, total;
        size_t elf_end;

        if (payload_elf_extent(p->map, p->map_size, &elf_end) < 0) {
                *ret_reason = "the program image is not a complete x86_64 ELF file";
                return -EBADMSG;
        }
        f = p->map + p->map_size - FOOTER_SIZE;
        if (p->map_size < elf_end + FOOTER_SIZE || memcmp(f, footer_magic, sizeof(footer_magic)) != 0) {
                if (p->map_size == elf_end)
                        return -ENOMSG;
                *ret_reason = "data follows the program but has no payload footer (truncated or damaged copy?)";
                return -EBADMSG;
        }
        if (get_le(f + 8, 4) != FORMAT_VERSION) {
                *ret_reason = "payload format version is not 3 (made by a different agent version)";
                return -EBADMSG;
        }
        count = get_le(f + 12, 4);
        dir_offset = get_le(f + 16, 8);
        total = get_le(f + 24, 8);
        if (total != p->map_size) {
                *ret_reason = "file size differs from the size recorded at bundle time (truncated copy?)";
                return -EBADMSG;
        }
        /* Subtract, never add: dir_offset is untrusted and a sum could wrap. */
        if (count == 0 || count > PAYLOAD_MAX_BLOBS || dir_offset < elf_end ||
            dir_offset > p->map_size - FOOTER_SIZE ||
            count * ENTRY_SIZE != p->map_size - FOOTER_SIZE - dir_offset) {
                *ret_reason = "payload directory is out of bounds";
                return -EBADMSG;
        }
        dir = p->map + dir_offset;
        sha256(dir, count * ENTRY_SIZE, digest);
        if (memcmp(digest, f + 32, SHA256_DIGEST_SIZE) != 0) {
                *ret_reason = "payload directory checksum mismatch";
                return -EBADMSG;
        }

        for (size_t i = 0; i < count; i++) {
                const uint8_t *e = dir + i * ENTRY_SIZE;
                Entry *entry = &p->entries[i];

                if (e[PAYLOAD_NAME_MAX] != '\0' || e[0] == '\0') {
                        *ret_reason = "payload entry has an invalid name";
                        return -EBADMSG;
                }
                memcpy(entry->name, e, PAYLOAD_NAME_MAX + 1);
                entry->offset = get_le(e + 16, 8);
                entry->size = get_le(e + 24, 8);
                memcpy(entry->sha256, e + 32, SHA256_DIGEST_SIZE);
                entry->xxh64 = get_le(e + ENTRY_XXH64, 8);
                for (size_t j = ENTRY_XXH64 + 8; j < ENTRY_SIZE; j++)
                        if (e[j] != 0) {
                                *ret_reason = "payload entry has reserved bytes set (made by a newer agent?)";
                                return -EBADMSG;
                        }
                if (entry->offset < elf_end || entry->offset > dir_offset ||
                    entry->size > dir_offset - entry->offset) {
                        *ret_reason = "payload entry is out of bounds";
                        return -EBADMSG;
                }
                for (size_t j = 0; j < i; j++)
                        if (streq(p->entries[j].name, entry->name)) {
                                *ret_reason = "payload has a duplicate entry";
                                return -EBADMSG;
                        }
        }
        p->count = count;
        p->program_size = elf_end;
        return 0;
}

int payload_open(const char *path, Payload **ret, const char **ret_reason) {
        _cleanup_(payload_freep) Payload *p = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *reason = NULL;
        struct stat st;
        void *map;
        int r;

        fd = open(path ?: "/proc/self/exe", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADMSG;
        if ((uint64_t) st.st_size > PAYLOAD_MAX_SIZE)
                return -EFBIG;

        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        map = mmap(NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED)
                return -errno;
        p->map = map;
        p->map_size = (size_t) st.st_size;

        r = parse(p, &reason);
        if (r < 0) {
                if (ret_reason)
                        *ret_reason = reason;
                return r;
        }
        *ret = TAKE_PTR(p);
        return 0;
}

Payload *payload_free(Payload *p) {
        if (!p)
                return NULL;
        if (p->map)
                munmap((void *) p->map, p->map_size);
        free(p);
        return NULL;
}

static bool entry_matches(const Payload *p, const Entry *e, PayloadVerify how) {
        const uint8_t *blob = p->map + e->offset;
        uint8_t digest[SHA256_DIGEST_SIZE];

        if (xxh64(blob, e->size, 0) != e->xxh64)
                return false;
        if (how != PAYLOAD_VERIFY_FULL)
                return true;
        sha256(blob, e->size, digest);
        return memcmp(digest, e->sha256, SHA256_DIGEST_SIZE) == 0;
}

int payload_verify(const Payload *p, PayloadVerify how, const char **ret_name) {
        for (size_t i = 0; i < p->count; i++)
                if (!entry_matches(p, &p->entries[i], how)) {
                        if (ret_name)
                                *ret_name = p->entries[i].name;
                        return -EBADMSG;
                }
        return 0;
}

int payload_get(const Payload *p, const char *name, const void **ret_data, size_t *ret_size) {
        for (size_t i = 0; i < p->count; i++)
                if (streq(p->entries[i].name, name)) {
                        *ret_data = p->map + p->entries[i].offset;
                        *ret_size = p->entries[i].size;
                        return 0;
                }
        return -ENOENT;
}

int payload_get_checked(const Payload *p, const char *name, PayloadVerify how, const void **ret_data, size_t *ret_size) {
        for (size_t i = 0; i < p->count; i++)
                if (streq(p->entries[i].name, name)) {
                        if (!entry_matches(p, &p->entries[i], how))
                                return -EBADMSG;
                        *ret_data = p->map + p->entries[i].offset;
                        *ret_size = p->entries[i].size;
                        return 0;
                }
        return -ENOENT;
}

size_t payload_count(const Payload *p) {
        return p->count;
}

int payload_entry(const Payload *p, size_t i, const char **ret_name, size_t *ret_size, const uint8_t **ret_sha256) {
        if (i >= p->count)
                return -ERANGE;
        *ret_name = p->entries[i].name;
        *ret_size = p->entries[i].size;
        if (ret_sha256)
                *ret_sha256 = p->entries[i].sha256;
        return 0;
}

int payload_entry_xxh64(const Payload *p, size_t i, uint64_t *ret_xxh64) {
        if (i >= p->count)
                return -ERANGE;
        *ret_xxh64 = p->entries[i].xxh64;
        return 0;
}

void payload_program(const Payload *p, const void **ret_data, size_t *ret_size) {
        *ret_data = p->map;
        *ret_size = p->program_size;
}

int payload_write(int fd, const void *program, size_t program_size, const PayloadBlob *blobs, size_t n_blobs) {
        uint8_t dir[PAYLOAD_MAX_BLOBS * ENTRY_SIZE] = {}, footer[FOOTER_SIZE] = {};
        uint64_t offset = program_size;
        int r;

        if (n_blobs == 0 || n_blobs > PAYLOAD_MAX_BLOBS)
                return -EINVAL;

        r = write_all(fd, program, program_size);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_blobs; i++) {
                uint8_t *e = dir + i * ENTRY_SIZE;
                size_t len = strlen(blobs[i].name);

                if (len == 0 || len > PAYLOAD_NAME_MAX)
                        return -EINVAL;
                if (offset + blobs[i].size > PAYLOAD_MAX_SIZE)
                        return -EFBIG;
                memcpy(e, blobs[i].name, len);
                put_le(e + 16, offset, 8);
                put_le(e + 24, blobs[i].size, 8);
                sha256(blobs[i].data, blobs[i].size, e + 32);
                put_le(e + ENTRY_XXH64, xxh64(blobs[i].data, blobs[i].size, 0), 8);
                r = write_all(fd, blobs[i].data, blobs[i].size);
                if (r < 0)
                        return r;
                offset += blobs[i].size;
        }

        memcpy(footer, footer_magic, sizeof(footer_magic));
        put_le(footer + 8, FORMAT_VERSION, 4);
        put_le(footer + 12, n_blobs, 4);
        put_le(footer + 16, offset, 8);
        put_le(footer + 24, offset + n_blobs * ENTRY_SIZE + FOOTER_SIZE, 8);
        sha256(dir, n_blobs * ENTRY_SIZE, footer + 32);

        r = write_all(fd, dir, n_blobs * ENTRY_SIZE);
        if (r < 0)
                return r;
        return write_all(fd, footer, sizeof(footer));
}
