/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kexec_load(2) of an x86_64 bzImage, for kernels without kexec_file_load.
 * What the kernel's own loader (arch/x86/kernel/kexec-bzimage64.c) does in
 * the kernel, done here: read the setup header, build boot_params, choose
 * physical addresses, and hand over four segments with our purgatory
 * (purgatory-x86_64.S) as the entry. The 64-bit boot protocol is that of
 * Documentation/arch/x86/boot.rst. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "kexec-internal.h"
#include "kexec-syscall.h"
#include "macro.h"

#define PAGE 4096u
#define MIB (1024u * 1024u)
#define GIB (1024ull * MIB)

/* The protected-mode kernel's 64-bit entry (startup_64), from its start. */
#define KERNEL_ENTRY_64 0x200
/* Where a kernel that names no pref_address is linked (LOAD_PHYSICAL_ADDR). */
#define DEFAULT_LOAD_ADDR (16u * MIB)
/* Low memory for boot_params, cmdline and purgatory: above the real-mode
 * IVT/BDA and the 64 KiB the kernel keeps (X86_RESERVE_LOW), below 1 MiB,
 * away from the top of conventional memory where the decompressor puts its
 * 5-level paging trampoline (it saves and restores what is there anyway). */
#define LOW_MIN (64u * 1024u)
#define LOW_MAX MIB
/* Everything stays below 4 GiB: 32-bit fields suffice, any kernel copes. */
#define ADDR_MAX (4 * GIB)

/* type_of_loader: 0xff is "undefined", for loaders without an assigned id. */
#define LOADER_UNDEFINED 0xff

/* The end of the setup header is 0x202 + the byte at 0x201 (the jump's
 * offset); see boot.rst, "Details of header fields". */
#define HDR_JUMP_OFFSET 0x201
#define HDR_JUMP_END 0x202

#if defined(__x86_64__)
extern const uint8_t kexec_purgatory_x86_64_start[];
extern const uint8_t kexec_purgatory_x86_64_params[];
extern const uint8_t kexec_purgatory_x86_64_end[];
#endif

static void put16(uint8_t *p, size_t off, uint16_t v) {
        p[off] = (uint8_t) v;
        p[off + 1] = (uint8_t) (v >> 8);
}

static void put32(uint8_t *p, size_t off, uint32_t v) {
        for (int i = 0; i < 4; i++)
                p[off + i] = (uint8_t) (v >> 8 * i);
}

static void put64(uint8_t *p, size_t off, uint64_t v) {
        for (int i = 0; i < 8; i++)
                p[off + i] = (uint8_t) (v >> 8 * i);
}

static uint64_t get64(const uint8_t *p, size_t off) {
        uint64_t v = 0;

        for (int i = 7; i >= 0; i--)
                v = v << 8 | p[off + i];
        return v;
}

static uint64_t align_down(uint64_t x, uint64_t a) {
        return x & ~(a - 1);
}

/* Rounds up; false on overflow. */
static bool align_up(uint64_t x, uint64_t a, uint64_t *ret) {
        if (x > UINT64_MAX - (a - 1))
                return false;
        *ret = (x + a - 1) & ~(a - 1);
        return true;
}

static bool overlaps(uint64_t a, uint64_t size, uint64_t start, uint64_t len) {
        return len > 0 && start < a + size && a < start + len;
}

/* Whether [a, a + size) touches a segment placed so far or memory that is
 * not RAM (the boot_params e820 table may have overlapping entries); if so,
 * the obstacle's range. */
static bool blocked(const struct kexec_memmap *map, const struct kexec_x86_segment *placed, size_t n_placed,
                    uint64_t a, uint64_t size, uint64_t *ret_start, uint64_t *ret_end) {
        for (size_t i = 0; i < n_placed; i++)
                if (overlaps(a, size, placed[i].mem, placed[i].memsz)) {
                        *ret_start = placed[i].mem;
                        *ret_end = placed[i].mem + placed[i].memsz;
                        return true;
                }
        for (size_t i = 0; i < map->n; i++) {
                const struct kexec_memmap_entry *e = &map->entries[i];

                if (e->type != KEXEC_E820_RAM && overlaps(a, size, e->addr, e->size)) {
                        *ret_start = e->addr;
                        *ret_end = e->addr + e->size;
                        return true;
                }
        }
        return false;
}

/* The lowest (or highest, top_down) address a, a multiple of align, with
 * [a, a + size) inside one usable RAM entry, inside [lo, hi), and clear of
 * the segments placed so far. align is a power of two >= PAGE. */
static int find_free(const struct kexec_memmap *map, const struct kexec_x86_segment *placed, size_t n_placed,
                     uint64_t size, uint64_t align, uint64_t lo, uint64_t hi, bool top_down, uint64_t *ret) {
        for (size_t k = 0; k < map->n; k++) {
                const struct kexec_memmap_entry *e = &map->entries[top_down ? map->n - 1 - k : k];
                uint64_t start, end, a, b_start, b_end;

                if (e->type != KEXEC_E820_RAM)
                        continue;
                start = MAX(e->addr, lo);
                end = e->size > UINT64_MAX - e->addr ? UINT64_MAX : e->addr + e->size;
                end = MIN(end, hi);
                if (start >= end || end - start < size)
                        continue;

                if (!top_down) {
                        if (!align_up(start, align, &a))
                                continue;
                        while (a <= end && end - a >= size) {
                                if (!blocked(map, placed, n_placed, a, size, &b_start, &b_end)) {
                                        *ret = a;
                                        return 0;
                                }
                                if (!align_up(b_end, align, &a))
                                        break;
                        }
                } else {
                        a = align_down(end - size, align);
                        while (a >= start) {
                                if (!blocked(map, placed, n_placed, a, size, &b_start, &b_end)) {
                                        *ret = a;
                                        return 0;
                                }
                                if (b_start < size)
                                        break;
                                a = align_down(b_start - size, align);
                        }
                }
        }
        return -EADDRNOTAVAIL;
}

/* Places seg (bufsz and memsz set) in the first range that has room. */
static int place(const struct kexec_memmap *map, struct kexec_x86_load *l, struct kexec_x86_segment seg,
                 uint64_t align, uint64_t lo, uint64_t hi, bool top_down, size_t slot) {
        int r;

        r = find_free(map, l->segments, _KEXEC_X86_SEG_MAX, seg.memsz, align, lo, hi, top_down, &seg.mem);
        if (r < 0)
                return r;
        l->segments[slot] = seg;
        return 0;
}

/* Low memory first, else anywhere below 4 GiB. */
static int place_low(const struct kexec_memmap *map, struct kexec_x86_load *l, struct kexec_x86_segment seg,
                     size_t slot) {
        int r;

        r = place(map, l, seg, PAGE, LOW_MIN, LOW_MAX, false, slot);
        if (r == -EADDRNOTAVAIL)
                r = place(map, l, seg, PAGE, LOW_MAX, ADDR_MAX, false, slot);
        return r;
}

/* The checks the kernel's loader makes, for the 64-bit entry we use: a
 * relocatable bzImage of boot protocol 2.05+ with XLF_KERNEL_64 (2.12+). */
static int check_image(const void *kernel, size_t kernel_size, struct kexec_bzimage_info *ret) {
        struct kexec_bzimage_info info;
        size_t setup_len;
        int r;

        r = kexec_bzimage_inspect(kernel, MIN(kernel_size, (size_t) 64 * 1024), kernel_size, &info);
        if (r < 0)
                return r;
        /* Loaded below 4 GiB, a kernel without XLF_CAN_BE_LOADED_ABOVE_4G is fine. */
        if (info.verdict != KEXEC_BZIMAGE_OK && info.verdict != KEXEC_BZIMAGE_NOT_ABOVE_4G)
                return -ENOEXEC;
        if (info.protocol < 0x0205 || !info.relocatable || !(info.xloadflags & KEXEC_XLF_KERNEL_64))
                return -ENOEXEC;
        setup_len = ((size_t) info.setup_sects + 1) * 512;
        if (setup_len >= kernel_size)
                return -ENOEXEC;
        if (info.kernel_alignment == 0 || (info.kernel_alignment & (info.kernel_alignment - 1)))
                return -ENOEXEC;
        *ret = info;
        return 0;
}

/* alt_mem_k: KiB of RAM above 1 MiB, contiguous from 1 MiB; used by the
 * kernel only when the e820 table is unusable. */
static uint32_t alt_mem_k(const struct kexec_memmap *map) {
        for (size_t i = 0; i < map->n; i++) {
                const struct kexec_memmap_entry *e = &map->entries[i];

                if (e->type == KEXEC_E820_RAM && e->addr <= MIB && e->addr + e->size > MIB)
                        return (uint32_t) MIN((e->addr + e->size - MIB) / 1024, (uint64_t) UINT32_MAX);
        }
        return 0;
}

/* boot_params: the image's setup header, then what a boot loader fills in.
 * Everything else stays zero (no EDD, no EFI runtime: the new kernel boots
 * as from a BIOS, with the ACPI RSDP handed over). */
static void build_boot_params(uint8_t *bp, const struct kexec_x86_host *host, const uint8_t *kernel,
                              size_t setup_len, const struct kexec_x86_load *l) {
        const struct kexec_x86_segment *k = &l->segments[KEXEC_X86_SEG_KERNEL];
        const struct kexec_x86_segment *i = &l->segments[KEXEC_X86_SEG_INITRD];
        size_t hdr_end = MIN(MIN((size_t) HDR_JUMP_END + kernel[HDR_JUMP_OFFSET], (size_t) KEXEC_BP_HDR_LIMIT),
                             setup_len);

        memcpy(bp + KEXEC_BP_HDR, kernel + KEXEC_BP_HDR, hdr_end - KEXEC_BP_HDR);

        /* Like the kernel's own loader: the running system's screen_info
         * (its console), without the legacy memory size. */
        if (host->have_boot_params) {
                memcpy(bp + KEXEC_BP_SCREEN_INFO, host->screen_info, sizeof(host->screen_info));
                put16(bp, KEXEC_BP_EXT_MEM_K, 0);
                put32(bp, KEXEC_BP_HARDWARE_SUBARCH, host->hardware_subarch);
                put64(bp, KEXEC_BP_HARDWARE_SUBARCH_DATA, host->hardware_subarch_data);
        }
        put64(bp, KEXEC_BP_ACPI_RSDP_ADDR, host->acpi_rsdp_addr);
        put32(bp, KEXEC_BP_ALT_MEM_K, alt_mem_k(&host->memmap));

        bp[KEXEC_BP_TYPE_OF_LOADER] = LOADER_UNDEFINED;
        put32(bp, KEXEC_BP_CODE32_START, (uint32_t) k->mem);
        put32(bp, KEXEC_BP_CMD_LINE_PTR, (uint32_t) l->cmdline_addr);
        put32(bp, KEXEC_BP_EXT_CMD_LINE_PTR, (uint32_t) (l->cmdline_addr >> 32));
        put32(bp, KEXEC_BP_RAMDISK_IMAGE, (uint32_t) i->mem);
        put32(bp, KEXEC_BP_EXT_RAMDISK_IMAGE, (uint32_t) (i->mem >> 32));
        put32(bp, KEXEC_BP_RAMDISK_SIZE, (uint32_t) i->bufsz);
        put32(bp, KEXEC_BP_EXT_RAMDISK_SIZE, (uint32_t) ((uint64_t) i->bufsz >> 32));
        put64(bp, KEXEC_BP_SETUP_DATA, 0);

        bp[KEXEC_BP_E820_ENTRIES] = (uint8_t) host->memmap.n;
        for (size_t n = 0; n < host->memmap.n; n++) {
                size_t off = KEXEC_BP_E820_TABLE + n * KEXEC_BP_E820_ENTRY_SIZE;

                put64(bp, off, host->memmap.entries[n].addr);
                put64(bp, off + 8, host->memmap.entries[n].size);
                put32(bp, off + 16, host->memmap.entries[n].type);
        }
}

void kexec_x86_load_done(struct kexec_x86_load *l) {
        if (!l)
                return;
        free(l->purgatory);
        free(l->boot);
        *l = (struct kexec_x86_load) {};
}

static void kexec_x86_load_donep(struct kexec_x86_load *l) {
        kexec_x86_load_done(l);
}

int kexec_x86_load_prepare(const struct kexec_x86_host *host, const void *kernel, size_t kernel_size,
                           const void *initrd, size_t initrd_size, const char *cmdline,
                           struct kexec_x86_load *ret) {
#if defined(__x86_64__)
        _cleanup_(kexec_x86_load_donep) struct kexec_x86_load l = {};
        size_t purgatory_size = (size_t) (kexec_purgatory_x86_64_end - kexec_purgatory_x86_64_start);
        size_t params = (size_t) (kexec_purgatory_x86_64_params - kexec_purgatory_x86_64_start);
        struct kexec_bzimage_info info;
        size_t setup_len, cmdline_len, boot_size;
        uint64_t kernel_memsz, kernel_min, initrd_max;
        int r;

        if (!host || !kernel || (!initrd && initrd_size > 0) || !ret)
                return -EINVAL;
        if (host->memmap.n > KEXEC_MEMMAP_MAX)
                return -EINVAL;
        if (!cmdline)
                cmdline = "";
        if (!initrd)
                initrd_size = 0;

        r = check_image(kernel, kernel_size, &info);
        if (r < 0)
                return r;
        cmdline_len = strlen(cmdline) + 1;
        if (cmdline_len > (size_t) info.cmdline_size + 1 || cmdline_len > KEXEC_CMDLINE_MAX)
                return -E2BIG;
        setup_len = ((size_t) info.setup_sects + 1) * 512;

        /* The kernel: decompressed in place, so init_size from the load
         * address, which must not be below pref_address (the decompressor
         * would move up to LOAD_PHYSICAL_ADDR, onto whatever is there). */
        kernel_min = info.pref_address >= MIB ? info.pref_address : DEFAULT_LOAD_ADDR;
        if (!align_up(MAX((uint64_t) info.init_size, (uint64_t) (kernel_size - setup_len)), PAGE, &kernel_memsz))
                return -ENOEXEC;
        r = place(&host->memmap, &l,
                  (struct kexec_x86_segment) {
                          .buf = (const uint8_t *) kernel + setup_len,
                          .bufsz = kernel_size - setup_len,
                          .memsz = kernel_memsz,
                  },
                  MAX((uint64_t) info.kernel_alignment, (uint64_t) PAGE), kernel_min, ADDR_MAX, false,
                  KEXEC_X86_SEG_KERNEL);
        if (r < 0)
                return r;
        l.kernel_entry = l.segments[KEXEC_X86_SEG_KERNEL].mem + KERNEL_ENTRY_64;

        /* The initrd as high as the kernel allows, like boot loaders do. */
        if (initrd_size > 0) {
                uint64_t memsz;

                if (!align_up(initrd_size, PAGE, &memsz))
                        return -EFBIG;
                initrd_max = MIN((uint64_t) info.initrd_addr_max + 1, ADDR_MAX);
                r = place(&host->memmap, &l,
                          (struct kexec_x86_segment) { .buf = initrd, .bufsz = initrd_size, .memsz = memsz },
                          PAGE, MIB, initrd_max, true, KEXEC_X86_SEG_INITRD);
                if (r < 0)
                        return r;
        }

        /* boot_params with the cmdline right behind it: one segment. */
        boot_size = KEXEC_X86_BOOT_PARAMS_SIZE + cmdline_len;
        l.boot = calloc(1, ALIGN_TO(boot_size, (size_t) PAGE));
        if (!l.boot)
                return -ENOMEM;
        r = place_low(&host->memmap, &l,
                      (struct kexec_x86_segment) { .buf = l.boot, .bufsz = boot_size, .memsz = ALIGN_TO(boot_size, PAGE) },
                      KEXEC_X86_SEG_BOOT);
        if (r < 0)
                return r;
        l.boot_params_addr = l.segments[KEXEC_X86_SEG_BOOT].mem;
        l.cmdline_addr = l.boot_params_addr + KEXEC_X86_BOOT_PARAMS_SIZE;
        memcpy(l.boot + KEXEC_X86_BOOT_PARAMS_SIZE, cmdline, cmdline_len);

        /* The purgatory, with the two addresses it needs patched in. */
        if (purgatory_size > PAGE || params + 16 > purgatory_size)
                return -EINVAL;
        l.purgatory = malloc(purgatory_size);
        if (!l.purgatory)
                return -ENOMEM;
        memcpy(l.purgatory, kexec_purgatory_x86_64_start, purgatory_size);
        put64(l.purgatory, params, l.kernel_entry);
        put64(l.purgatory, params + 8, l.boot_params_addr);
        r = place_low(&host->memmap, &l,
                      (struct kexec_x86_segment) { .buf = l.purgatory, .bufsz = purgatory_size, .memsz = PAGE },
                      KEXEC_X86_SEG_PURGATORY);
        if (r < 0)
                return r;
        l.entry = l.segments[KEXEC_X86_SEG_PURGATORY].mem;

        build_boot_params(l.boot, host, kernel, setup_len, &l);
        l.n_segments = initrd_size > 0 ? _KEXEC_X86_SEG_MAX : KEXEC_X86_SEG_INITRD;

        *ret = l;
        l = (struct kexec_x86_load) {};
        return 0;
#else
        return -ENOSYS;
#endif
}

/* "ACPI20=0x..." (else "ACPI=0x...") of /sys/firmware/efi/systab. */
static uint64_t efi_acpi_rsdp(const char *root) {
        char buf[4096];
        uint64_t acpi = 0, acpi20 = 0;

        if (kexec_read_file_at(root, "/sys/firmware/efi/systab", buf, sizeof(buf)) < 0)
                return 0;
        for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
                if (strncmp(line, "ACPI20=", 7) == 0)
                        acpi20 = strtoull(line + 7, NULL, 0);
                else if (strncmp(line, "ACPI=", 5) == 0)
                        acpi = strtoull(line + 5, NULL, 0);
        }
        return acpi20 ? acpi20 : acpi;
}

int kexec_x86_host_read(const char *root, struct kexec_x86_host *ret) {
        _cleanup_free_ struct kexec_x86_host *h = calloc(1, sizeof(*h));
        _cleanup_free_ char *bp = malloc(KEXEC_X86_BOOT_PARAMS_SIZE + 1);
        uint64_t rsdp;
        int r;

        if (!ret)
                return -EINVAL;
        if (!h || !bp)
                return -ENOMEM;

        r = kexec_memmap_read(root, &h->memmap);
        if (r < 0)
                return r;

        /* What the running kernel was booted with: 4096 bytes, or nothing. */
        r = kexec_read_file_at(root, "/sys/kernel/boot_params/data", bp, KEXEC_X86_BOOT_PARAMS_SIZE + 1);
        if (r == (int) KEXEC_X86_BOOT_PARAMS_SIZE) {
                const uint8_t *p = (const uint8_t *) bp;

                h->have_boot_params = true;
                memcpy(h->screen_info, p + KEXEC_BP_SCREEN_INFO, sizeof(h->screen_info));
                h->hardware_subarch = (uint32_t) get64(p, KEXEC_BP_HARDWARE_SUBARCH);
                h->hardware_subarch_data = get64(p, KEXEC_BP_HARDWARE_SUBARCH_DATA);
                h->acpi_rsdp_addr = get64(p, KEXEC_BP_ACPI_RSDP_ADDR);
        }
        /* Booted by EFI, the kernel found the RSDP through the system table;
         * the next one, booted without EFI, needs it handed over. */
        rsdp = efi_acpi_rsdp(root);
        if (rsdp)
                h->acpi_rsdp_addr = rsdp;

        *ret = *h;
        return 0;
}

struct mapping {
        void *data;
        size_t size;
};

static void unmapp(struct mapping *m) {
        if (m->data)
                (void) munmap(m->data, m->size);
}

/* The whole file, read-only: segments point into it, no copy. */
static int map_fd(int fd, struct mapping *ret) {
        struct stat st;
        void *p;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        if ((uint64_t) st.st_size > KEXEC_FILE_SIZE_MAX)
                return -EFBIG;
        if (st.st_size == 0) {
                *ret = (struct mapping) {};
                return 0;
        }
        p = mmap(NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED)
                return -errno;
        *ret = (struct mapping) { .data = p, .size = (size_t) st.st_size };
        return 0;
}

int kexec_x86_load_fds(const char *root, int kernel_fd, int initrd_fd, const char *cmdline) {
        _cleanup_(kexec_x86_load_donep) struct kexec_x86_load l = {};
        _cleanup_(unmapp) struct mapping kernel = {}, initrd = {};
        _cleanup_free_ struct kexec_x86_host *host = calloc(1, sizeof(*host));
        struct kexec_segment segs[_KEXEC_X86_SEG_MAX] = {};
        int r;

        if (kernel_fd < 0)
                return -EBADF;
        if (!host)
                return -ENOMEM;
        r = kexec_x86_host_read(root, host);
        if (r < 0)
                return r;
        r = map_fd(kernel_fd, &kernel);
        if (r < 0)
                return r;
        if (initrd_fd >= 0) {
                r = map_fd(initrd_fd, &initrd);
                if (r < 0)
                        return r;
        }
        if (!kernel.data)
                return -ENOEXEC;

        r = kexec_x86_load_prepare(host, kernel.data, kernel.size, initrd.data, initrd.size, cmdline, &l);
        if (r < 0)
                return r;

        for (size_t i = 0; i < l.n_segments; i++)
                segs[i] = (struct kexec_segment) {
                        .buf = l.segments[i].buf,
                        .bufsz = l.segments[i].bufsz,
                        .mem = (const void *) (uintptr_t) l.segments[i].mem,
                        .memsz = l.segments[i].memsz,
                };
        return kexec_sys_load(l.entry, l.n_segments, segs, KEXEC_ARCH_X86_64);
}
