/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kexec_load fallback for x86_64: the firmware memory map from a fake
 * sysfs (both sources), the segment layout and boot_params built for real
 * Debian kernels (the ones test-kexec-bzimage-real finds) in several memory
 * maps, what reaches the fake kexec_load, and the load guard's rules (only
 * ENOSYS falls back; unload the way it was loaded). boot_params offsets are
 * checked against the kernel's <asm/bootparam.h>, the purgatory against
 * objdump's disassembly, where those exist. Skips (77) the real-kernel
 * parts without a kernel. */
#include <glob.h>
#include <linux/kexec.h>
#include <stddef.h>

#if __has_include(<video/edid.h>)
#include <asm/bootparam.h>
#define HAVE_BOOTPARAM_H 1
#endif

#include "macro.h"
#include "fake-kexec-syscall.h"
#include "kexec-internal.h"
#include "kexec.h"
#include "test-kexec.h"

#define MIB (1024ull * 1024ull)
#define GIB (1024ull * MIB)

static uint32_t rd32(const uint8_t *p, size_t off) {
        return (uint32_t) p[off] | (uint32_t) p[off + 1] << 8 | (uint32_t) p[off + 2] << 16 |
               (uint32_t) p[off + 3] << 24;
}

static uint64_t rd64(const uint8_t *p, size_t off) {
        return (uint64_t) rd32(p, off) | (uint64_t) rd32(p, off + 4) << 32;
}

static uint64_t fnv1a(const void *data, size_t n) {
        const uint8_t *p = data;
        uint64_t h = 0xcbf29ce484222325ULL;

        for (size_t i = 0; i < n; i++)
                h = (h ^ p[i]) * 0x100000001b3ULL;
        return h;
}

/* ---- boot_params offsets against the kernel's own header --------------- */

static void test_offsets_match_kernel_header(void) {
#ifdef HAVE_BOOTPARAM_H
        CHECK_INT(sizeof(struct boot_params), KEXEC_X86_BOOT_PARAMS_SIZE);
        CHECK_INT(offsetof(struct boot_params, screen_info), KEXEC_BP_SCREEN_INFO);
        CHECK_INT(offsetof(struct boot_params, screen_info.ext_mem_k), KEXEC_BP_EXT_MEM_K);
        CHECK_INT(offsetof(struct boot_params, acpi_rsdp_addr), KEXEC_BP_ACPI_RSDP_ADDR);
        CHECK_INT(offsetof(struct boot_params, ext_ramdisk_image), KEXEC_BP_EXT_RAMDISK_IMAGE);
        CHECK_INT(offsetof(struct boot_params, ext_ramdisk_size), KEXEC_BP_EXT_RAMDISK_SIZE);
        CHECK_INT(offsetof(struct boot_params, ext_cmd_line_ptr), KEXEC_BP_EXT_CMD_LINE_PTR);
        CHECK_INT(offsetof(struct boot_params, alt_mem_k), KEXEC_BP_ALT_MEM_K);
        CHECK_INT(offsetof(struct boot_params, e820_entries), KEXEC_BP_E820_ENTRIES);
        CHECK_INT(offsetof(struct boot_params, sentinel), KEXEC_BP_SENTINEL);
        CHECK_INT(offsetof(struct boot_params, hdr), KEXEC_BP_HDR);
        CHECK(KEXEC_BP_HDR + sizeof(struct setup_header) <= KEXEC_BP_HDR_LIMIT);
        CHECK_INT(offsetof(struct boot_params, edd_mbr_sig_buffer), KEXEC_BP_HDR_LIMIT);
        CHECK_INT(offsetof(struct boot_params, hdr.type_of_loader), KEXEC_BP_TYPE_OF_LOADER);
        CHECK_INT(offsetof(struct boot_params, hdr.loadflags), KEXEC_BP_LOADFLAGS);
        CHECK_INT(offsetof(struct boot_params, hdr.code32_start), KEXEC_BP_CODE32_START);
        CHECK_INT(offsetof(struct boot_params, hdr.ramdisk_image), KEXEC_BP_RAMDISK_IMAGE);
        CHECK_INT(offsetof(struct boot_params, hdr.ramdisk_size), KEXEC_BP_RAMDISK_SIZE);
        CHECK_INT(offsetof(struct boot_params, hdr.cmd_line_ptr), KEXEC_BP_CMD_LINE_PTR);
        CHECK_INT(offsetof(struct boot_params, hdr.hardware_subarch), KEXEC_BP_HARDWARE_SUBARCH);
        CHECK_INT(offsetof(struct boot_params, hdr.hardware_subarch_data), KEXEC_BP_HARDWARE_SUBARCH_DATA);
        CHECK_INT(offsetof(struct boot_params, hdr.setup_data), KEXEC_BP_SETUP_DATA);
        CHECK_INT(offsetof(struct boot_params, e820_table), KEXEC_BP_E820_TABLE);
        CHECK_INT(sizeof(struct boot_e820_entry), KEXEC_BP_E820_ENTRY_SIZE);
        CHECK_INT(E820_MAX_ENTRIES_ZEROPAGE, KEXEC_MEMMAP_MAX);
#else
        fprintf(stderr, "no <asm/bootparam.h> usable here: offsets not cross-checked\n");
#endif
}

/* ---- the memory map ---------------------------------------------------- */

static void memmap_entry(const char *root, int i, uint64_t start, uint64_t end_incl, const char *type) {
        char rel[128], val[64];

        snprintf(rel, sizeof(rel), "sys/firmware/memmap/%d/start", i);
        snprintf(val, sizeof(val), "0x%" PRIx64 "\n", start);
        test_write_str(root, rel, val);
        snprintf(rel, sizeof(rel), "sys/firmware/memmap/%d/end", i);
        snprintf(val, sizeof(val), "0x%" PRIx64 "\n", end_incl);
        test_write_str(root, rel, val);
        snprintf(rel, sizeof(rel), "sys/firmware/memmap/%d/type", i);
        snprintf(val, sizeof(val), "%s\n", type);
        test_write_str(root, rel, val);
}

/* QEMU's SeaBIOS map for -m 512, as a 6.1 kernel shows it, plus one RAM
 * entry split in two (to be merged) and listed out of order. */
static void write_qemu_memmap(const char *root) {
        memmap_entry(root, 0, 0x0, 0x9fbff, "System RAM");
        memmap_entry(root, 1, 0x9fc00, 0x9ffff, "Reserved");
        memmap_entry(root, 2, 0xf0000, 0xfffff, "Reserved");
        memmap_entry(root, 3, 0x10000000, 0x1ffdefff, "System RAM");
        memmap_entry(root, 4, 0x100000, 0xfffffff, "System RAM");
        memmap_entry(root, 5, 0x1ffdf000, 0x1fffffff, "Reserved");
        memmap_entry(root, 6, 0xfeffc000, 0xfeffffff, "Reserved");
        memmap_entry(root, 7, 0xfffc0000, 0xffffffff, "Reserved");
}

static const struct kexec_memmap_entry qemu_expected[] = {
        { 0x0, 0x9fc00, KEXEC_E820_RAM },
        { 0x9fc00, 0x400, KEXEC_E820_RESERVED },
        { 0xf0000, 0x10000, KEXEC_E820_RESERVED },
        { 0x100000, 0x1fedf000, KEXEC_E820_RAM },
        { 0x1ffdf000, 0x21000, KEXEC_E820_RESERVED },
        { 0xfeffc000, 0x4000, KEXEC_E820_RESERVED },
        { 0xfffc0000, 0x40000, KEXEC_E820_RESERVED },
};

static void check_memmap_equals(const struct kexec_memmap *m, const struct kexec_memmap_entry *want, size_t n) {
        CHECK_INT(m->n, n);
        for (size_t i = 0; i < MIN(m->n, n); i++) {
                CHECK_INT(m->entries[i].addr, want[i].addr);
                CHECK_INT(m->entries[i].size, want[i].size);
                CHECK_INT(m->entries[i].type, want[i].type);
        }
}

static void write_boot_params_e820(const char *root, const struct kexec_memmap_entry *e, size_t n) {
        uint8_t bp[KEXEC_X86_BOOT_PARAMS_SIZE] = {};

        bp[KEXEC_BP_E820_ENTRIES] = (uint8_t) n;
        for (size_t i = 0; i < n; i++) {
                uint8_t *x = bp + KEXEC_BP_E820_TABLE + i * KEXEC_BP_E820_ENTRY_SIZE;

                for (int b = 0; b < 8; b++) {
                        x[b] = (uint8_t) (e[i].addr >> 8 * b);
                        x[8 + b] = (uint8_t) (e[i].size >> 8 * b);
                }
                for (int b = 0; b < 4; b++)
                        x[16 + b] = (uint8_t) (e[i].type >> 8 * b);
        }
        bp[KEXEC_BP_ACPI_RSDP_ADDR] = 0x40;     /* 0xf5a40, an address in the BIOS area */
        bp[KEXEC_BP_ACPI_RSDP_ADDR + 1] = 0x5a;
        bp[KEXEC_BP_ACPI_RSDP_ADDR + 2] = 0x0f;
        bp[KEXEC_BP_SCREEN_INFO + 6] = 0x03;    /* orig_video_mode */
        bp[KEXEC_BP_EXT_MEM_K] = 0x77;
        test_write_file(root, "sys/kernel/boot_params/data", bp, sizeof(bp));
}

static void test_memmap_sources(void) {
        _cleanup_free_ char *root = test_mkdtemp();
        _cleanup_free_ struct kexec_memmap *m = calloc(1, sizeof(*m));
        _cleanup_free_ struct kexec_x86_host *h = calloc(1, sizeof(*h));
        /* The boot_params table as SeaBIOS leaves it: unsorted, with two
         * overlapping reserved entries (seen on this project's build host). */
        struct kexec_memmap_entry bp_e820[] = {
                { 0x0, 0x9fc00, 1 },
                { 0x9fc00, 0x40400, 2 },
                { 0x100000, 0x1fedf000, 1 },
                { 0xa0000, 0x60000, 2 },
        };

        ASSERT_TRUE(m && h);
        CHECK_INT(kexec_memmap_read(root, m), -ENOENT);

        write_qemu_memmap(root);
        CHECK_INT(kexec_memmap_read(root, m), 0);
        check_memmap_equals(m, qemu_expected, ELEMENTSOF(qemu_expected));

        CHECK_INT(kexec_e820_type_from_string("ACPI Tables"), KEXEC_E820_ACPI);
        CHECK_INT(kexec_e820_type_from_string("ACPI Non-volatile Storage"), KEXEC_E820_NVS);
        CHECK_INT(kexec_e820_type_from_string("Persistent Memory (legacy)"), KEXEC_E820_PRAM);
        CHECK_INT(kexec_e820_type_from_string("Soft Reserved"), KEXEC_E820_SOFT_RESERVED);
        CHECK_INT(kexec_e820_type_from_string("something new"), KEXEC_E820_RESERVED);

        /* Without /sys/firmware/memmap: boot_params, overlaps merged. */
        {
                _cleanup_free_ char *fw = tu_path_join(root, "sys/firmware");

                tu_rm_rf(fw);
        }
        write_boot_params_e820(root, bp_e820, ELEMENTSOF(bp_e820));
        CHECK_INT(kexec_memmap_read(root, m), 0);
        CHECK_INT(m->n, 3);
        CHECK_INT(m->entries[1].addr, 0x9fc00);
        CHECK_INT(m->entries[1].size, 0x100000 - 0x9fc00);
        CHECK_INT(m->entries[1].type, KEXEC_E820_RESERVED);
        CHECK_INT(m->entries[2].size, 0x1fedf000);

        /* The host facts around it. */
        CHECK_INT(kexec_x86_host_read(root, h), 0);
        CHECK(h->have_boot_params);
        CHECK_INT(h->acpi_rsdp_addr, 0xf5a40);
        CHECK_INT(h->screen_info[6], 0x03);
        test_write_str(root, "sys/firmware/efi/systab", "MPS=0x7f8e1000\nACPI20=0x7fb7e014\nACPI=0x7fb7e000\nSMBIOS=0x7f9a0000\n");
        CHECK_INT(kexec_x86_host_read(root, h), 0);
        CHECK_INT(h->acpi_rsdp_addr, 0x7fb7e014);

        /* No RAM at all; garbage; too many entries. */
        write_boot_params_e820(root, (struct kexec_memmap_entry[]) { { 0x0, 0x1000, 2 } }, 1);
        CHECK_INT(kexec_memmap_read(root, m), -ENODATA);
        test_write_str(root, "sys/kernel/boot_params/data", "short");
        CHECK_INT(kexec_memmap_read(root, m), -EBADMSG);
        memmap_entry(root, 0, 0x1000, 0x0, "System RAM");
        CHECK_INT(kexec_memmap_read(root, m), -EBADMSG);
        for (int i = 0; i < KEXEC_MEMMAP_MAX + 1; i++)
                memmap_entry(root, i, (uint64_t) i * 0x2000, (uint64_t) i * 0x2000 + 0xfff,
                             i % 2 ? "Reserved" : "System RAM");
        CHECK_INT(kexec_memmap_read(root, m), -E2BIG);

        tu_rm_rf(root);
}

/* Where this machine offers both sources, they describe the same RAM. */
static void test_memmap_this_host(void) {
        _cleanup_free_ struct kexec_memmap *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
        _cleanup_free_ char *root = test_mkdtemp();
        _cleanup_free_ void *bp = NULL;
        uint64_t ram_a = 0, ram_b = 0;
        size_t bp_size;
        int r;

        ASSERT_TRUE(a && b);
        r = kexec_memmap_read(NULL, a);
        if (r < 0 || tu_read_file("/sys/kernel/boot_params/data", &bp, &bp_size) < 0) {
                fprintf(stderr, "this host: no memory map to compare (%s)\n", strerror(-r));
                tu_rm_rf(root);
                return;
        }
        test_write_file(root, "sys/kernel/boot_params/data", bp, bp_size);
        CHECK_INT(kexec_memmap_read(root, b), 0);
        for (size_t i = 0; i < a->n; i++)
                ram_a += a->entries[i].type == KEXEC_E820_RAM ? a->entries[i].size : 0;
        for (size_t i = 0; i < b->n; i++)
                ram_b += b->entries[i].type == KEXEC_E820_RAM ? b->entries[i].size : 0;
        fprintf(stderr, "this host: %zu memmap entries, RAM %.1f MiB (firmware map) / %.1f MiB (boot_params)\n",
                a->n, (double) ram_a / MIB, (double) ram_b / MIB);
        CHECK(ram_a > 0);
        CHECK_INT(ram_a, ram_b);
        tu_rm_rf(root);
}

/* ---- the layout for real kernels --------------------------------------- */

static char *kernels[8];
static size_t n_kernels;

static void add_kernel(const char *path) {
        for (size_t i = 0; i < n_kernels; i++)
                if (streq(kernels[i], path))
                        return;
        if (n_kernels < ELEMENTSOF(kernels) && access(path, R_OK) == 0)
                kernels[n_kernels++] = strdup(path);
}

static void add_glob(const char *pattern) {
        glob_t g;

        if (glob(pattern, 0, NULL, &g) != 0)
                return;
        for (size_t i = 0; i < g.gl_pathc; i++)
                add_kernel(g.gl_pathv[i]);
        globfree(&g);
}

static void find_kernels(void) {
        const char *env = getenv("KEXEC_TEST_KERNEL"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
        char pat[4096];

        if (env && *env)
                add_kernel(env);
        add_glob("/boot/vmlinuz-*");
        if (xdg && *xdg)
                snprintf(pat, sizeof(pat), "%s/rescue-agent", xdg);
        else if (home && *home)
                snprintf(pat, sizeof(pat), "%s/.cache/rescue-agent", home);
        else
                return;
        strncat(pat, "/rescue/*/vmlinuz", sizeof(pat) - strlen(pat) - 1);
        add_glob(pat);
        *strstr(pat, "/rescue/") = '\0';
        strncat(pat, "/kernel/*/boot/vmlinuz-*", sizeof(pat) - strlen(pat) - 1);
        add_glob(pat);
}

static bool in_ram(const struct kexec_memmap *m, uint64_t a, uint64_t size) {
        bool inside = false;

        for (size_t i = 0; i < m->n; i++) {
                const struct kexec_memmap_entry *e = &m->entries[i];

                if (e->type == KEXEC_E820_RAM && e->addr <= a && a + size <= e->addr + e->size)
                        inside = true;
                else if (e->type != KEXEC_E820_RAM && e->addr < a + size && a < e->addr + e->size)
                        return false;
        }
        return inside;
}

/* Every invariant of a layout, and boot_params field by field. */
static void check_layout(const char *what, const struct kexec_x86_host *host, const uint8_t *kernel, size_t kernel_size,
                         const void *initrd, size_t initrd_size, const char *cmdline,
                         const struct kexec_x86_load *l) {
        const struct kexec_x86_segment *seg = l->segments;
        const struct kexec_x86_segment *k = &seg[KEXEC_X86_SEG_KERNEL], *i = &seg[KEXEC_X86_SEG_INITRD];
        const struct kexec_x86_segment *b = &seg[KEXEC_X86_SEG_BOOT], *p = &seg[KEXEC_X86_SEG_PURGATORY];
        struct kexec_bzimage_info info;
        const uint8_t *bp = b->buf;
        size_t setup_len, hdr_end;

        fprintf(stderr, "  %s: purgatory %#" PRIx64 ", boot_params %#" PRIx64 ", kernel %#" PRIx64
                " (+%.1f MiB), initrd %#" PRIx64 " (+%.1f MiB)\n", what, p->mem, b->mem, k->mem,
                (double) k->memsz / MIB, i->mem, (double) i->memsz / MIB);

        ASSERT_OK(kexec_bzimage_inspect(kernel, 65536, kernel_size, &info));
        setup_len = ((size_t) info.setup_sects + 1) * 512;

        CHECK_INT(l->n_segments, initrd_size ? 4 : 3);
        for (size_t s = 0; s < l->n_segments; s++) {
                CHECK_INT(seg[s].mem % 4096, 0);
                CHECK_INT(seg[s].memsz % 4096, 0);
                CHECK(seg[s].memsz > 0);
                CHECK(seg[s].bufsz <= seg[s].memsz);
                CHECK(seg[s].mem + seg[s].memsz <= 4 * GIB);
                CHECK(in_ram(&host->memmap, seg[s].mem, seg[s].memsz));
                for (size_t t = 0; t < s; t++)
                        CHECK(seg[s].mem + seg[s].memsz <= seg[t].mem || seg[t].mem + seg[t].memsz <= seg[s].mem);
        }

        /* The kernel: the protected-mode part, aligned, room for init_size. */
        CHECK(k->buf == kernel + setup_len);
        CHECK_INT(k->bufsz, kernel_size - setup_len);
        CHECK_INT(k->mem % info.kernel_alignment, 0);
        CHECK(k->mem >= info.pref_address);
        CHECK(k->memsz >= info.init_size);
        CHECK_INT(l->kernel_entry, k->mem + 0x200);
        CHECK_INT(rd32(bp, KEXEC_BP_CODE32_START), k->mem);

        /* The initrd: all of it below initrd_addr_max. */
        if (initrd_size) {
                CHECK(i->buf == initrd);
                CHECK_INT(i->bufsz, initrd_size);
                CHECK(i->mem + i->bufsz - 1 <= info.initrd_addr_max);
        }
        CHECK_INT(rd32(bp, KEXEC_BP_RAMDISK_IMAGE), initrd_size ? i->mem : 0);
        CHECK_INT(rd32(bp, KEXEC_BP_RAMDISK_SIZE), initrd_size);
        CHECK_INT(rd32(bp, KEXEC_BP_EXT_RAMDISK_IMAGE), 0);
        CHECK_INT(rd32(bp, KEXEC_BP_EXT_RAMDISK_SIZE), 0);

        /* boot_params + cmdline in one segment; the cmdline right behind. */
        CHECK_INT(l->boot_params_addr, b->mem);
        CHECK_INT(l->cmdline_addr, b->mem + KEXEC_X86_BOOT_PARAMS_SIZE);
        CHECK_INT(rd32(bp, KEXEC_BP_CMD_LINE_PTR), l->cmdline_addr);
        CHECK_INT(rd32(bp, KEXEC_BP_EXT_CMD_LINE_PTR), 0);
        CHECK_INT(b->bufsz, KEXEC_X86_BOOT_PARAMS_SIZE + strlen(cmdline) + 1);
        CHECK(memcmp(bp + KEXEC_X86_BOOT_PARAMS_SIZE, cmdline, strlen(cmdline) + 1) == 0);

        /* The setup header is the image's, but for what the loader writes. */
        hdr_end = MIN(0x202u + kernel[0x201], (unsigned) KEXEC_BP_HDR_LIMIT);
        for (size_t off = KEXEC_BP_HDR; off < hdr_end; off++) {
                bool loader_field = off == KEXEC_BP_TYPE_OF_LOADER ||
                                    (off >= KEXEC_BP_CODE32_START && off < KEXEC_BP_CODE32_START + 4) ||
                                    (off >= KEXEC_BP_RAMDISK_IMAGE && off < KEXEC_BP_RAMDISK_SIZE + 4) ||
                                    (off >= KEXEC_BP_CMD_LINE_PTR && off < KEXEC_BP_CMD_LINE_PTR + 4) ||
                                    (off >= KEXEC_BP_HARDWARE_SUBARCH && off < KEXEC_BP_HARDWARE_SUBARCH_DATA + 8);
                if (!loader_field && bp[off] != kernel[off]) {
                        fprintf(stderr, "  setup header byte %#zx: %#x, the image has %#x\n", off, bp[off], kernel[off]);
                        test_failures++;
                        break;
                }
        }
        CHECK(memcmp(bp + 0x202, "HdrS", 4) == 0);
        CHECK_INT(bp[0x1fe] | bp[0x1ff] << 8, 0xaa55);
        CHECK_INT(bp[KEXEC_BP_TYPE_OF_LOADER], 0xff);
        CHECK_INT(bp[KEXEC_BP_SENTINEL], 0);    /* else the kernel zeroes fields */
        CHECK_INT(rd64(bp, KEXEC_BP_SETUP_DATA), 0);
        CHECK_INT(rd64(bp, KEXEC_BP_ACPI_RSDP_ADDR), host->acpi_rsdp_addr);
        if (host->have_boot_params)
                CHECK_INT(bp[KEXEC_BP_EXT_MEM_K] | bp[KEXEC_BP_EXT_MEM_K + 1] << 8, 0);

        /* The e820 table is the host's map. */
        CHECK_INT(bp[KEXEC_BP_E820_ENTRIES], host->memmap.n);
        for (size_t e = 0; e < host->memmap.n; e++) {
                size_t off = KEXEC_BP_E820_TABLE + e * KEXEC_BP_E820_ENTRY_SIZE;

                CHECK_INT(rd64(bp, off), host->memmap.entries[e].addr);
                CHECK_INT(rd64(bp, off + 8), host->memmap.entries[e].size);
                CHECK_INT(rd32(bp, off + 16), host->memmap.entries[e].type);
        }

        /* The purgatory is the entry and carries both addresses. */
        CHECK_INT(l->entry, p->mem);
        CHECK(p->bufsz > 32 && p->bufsz <= 4096);
        {
                bool found = false;

                for (size_t off = 0; off + 16 <= p->bufsz; off += 8)
                        if (rd64(p->buf, off) == l->kernel_entry && rd64(p->buf, off + 8) == l->boot_params_addr)
                                found = true;
                CHECK(found);
        }
}

static struct kexec_x86_host *host_from(const struct kexec_memmap_entry *e, size_t n) {
        struct kexec_x86_host *h = calloc(1, sizeof(*h));

        ASSERT_TRUE(h);
        memcpy(h->memmap.entries, e, n * sizeof(*e));
        h->memmap.n = n;
        return h;
}

static void test_layout_real_kernel(const char *path) {
        _cleanup_free_ void *kernel = NULL;
        _cleanup_free_ struct kexec_x86_host *qemu = host_from(qemu_expected, ELEMENTSOF(qemu_expected));
        /* An EFI-like map: no RAM below 1 MiB, RAM in pieces around holes. */
        static const struct kexec_memmap_entry efi[] = {
                { 0x0, 0x100000, KEXEC_E820_RESERVED },
                { 0x100000, 0x700000, KEXEC_E820_RAM },
                { 0x800000, 0x8000, KEXEC_E820_NVS },
                { 0x808000, 0x3000, KEXEC_E820_RAM },
                { 0x80b000, 0x5000, KEXEC_E820_NVS },
                { 0x810000, 0x1f00000, KEXEC_E820_RAM },
                { 0x2710000, 0x100000, KEXEC_E820_ACPI },
                { 0x2810000, 0x7d5ec000, KEXEC_E820_RAM },
                { 0x7fdfc000, 0x204000, KEXEC_E820_RESERVED },
                { 0x100000000, 0x80000000, KEXEC_E820_RAM },
        };
        _cleanup_free_ struct kexec_x86_host *efi_host = host_from(efi, ELEMENTSOF(efi));
        static const struct kexec_memmap_entry tiny[] = {
                { 0x0, 0x9fc00, KEXEC_E820_RAM },
                { 0x100000, 0x3f00000, KEXEC_E820_RAM },        /* 64 MiB */
        };
        _cleanup_free_ struct kexec_x86_host *tiny_host = host_from(tiny, ELEMENTSOF(tiny));
        _cleanup_free_ struct kexec_x86_host *self = calloc(1, sizeof(*self));
        const size_t initrd_size = 20 * MIB + 123;
        _cleanup_free_ void *initrd = tu_random_data(initrd_size, 7);
        const char *cmdline = "console=ttyS0,115200 panic=10 e2e.marker=kexec_load";
        struct kexec_x86_load l = {};
        struct kexec_bzimage_info info;
        size_t size;

        ASSERT_OK(tu_read_file(path, &kernel, &size));
        ASSERT_OK(kexec_bzimage_inspect(kernel, MIN(size, (size_t) 65536), size, &info));
        fprintf(stderr, "%s: protocol %u.%02u, pref_address %#" PRIx64 ", alignment %#x, init_size %.1f MiB, "
                "initrd_addr_max %#x\n", path, info.protocol >> 8, info.protocol & 0xff, info.pref_address,
                info.kernel_alignment, info.init_size / (double) MIB, info.initrd_addr_max);
        CHECK(info.pref_address >= MIB);

        CHECK_INT(kexec_x86_load_prepare(qemu, kernel, size, initrd, initrd_size, cmdline, &l), 0);
        check_layout("qemu -m 512", qemu, kernel, size, initrd, initrd_size, cmdline, &l);
        /* Low memory for the small pieces, the initrd at the top of RAM. */
        CHECK(l.segments[KEXEC_X86_SEG_BOOT].mem < MIB);
        CHECK(l.segments[KEXEC_X86_SEG_PURGATORY].mem < MIB);
        CHECK_INT(l.segments[KEXEC_X86_SEG_INITRD].mem + l.segments[KEXEC_X86_SEG_INITRD].memsz, 0x1ffdf000);
        CHECK_INT(l.segments[KEXEC_X86_SEG_KERNEL].mem, info.pref_address);
        kexec_x86_load_done(&l);

        CHECK_INT(kexec_x86_load_prepare(efi_host, kernel, size, initrd, initrd_size, cmdline, &l), 0);
        check_layout("EFI-like", efi_host, kernel, size, initrd, initrd_size, cmdline, &l);
        kexec_x86_load_done(&l);

        /* No initrd; NULL cmdline. */
        CHECK_INT(kexec_x86_load_prepare(qemu, kernel, size, NULL, 0, NULL, &l), 0);
        check_layout("no initrd", qemu, kernel, size, NULL, 0, "", &l);
        kexec_x86_load_done(&l);

        if (self && kexec_x86_host_read(NULL, self) == 0) {
                CHECK_INT(kexec_x86_load_prepare(self, kernel, size, initrd, initrd_size, cmdline, &l), 0);
                check_layout("this host", self, kernel, size, initrd, initrd_size, cmdline, &l);
                kexec_x86_load_done(&l);
        }

        /* init_size does not fit in 64 MiB above pref_address. */
        CHECK_INT(kexec_x86_load_prepare(tiny_host, kernel, size, initrd, initrd_size, cmdline, &l), -EADDRNOTAVAIL);
        CHECK_INT(l.n_segments, 0);

        /* Refusals: a cmdline longer than cmdline_size, not a kernel, cut. */
        {
                _cleanup_free_ char *lng = malloc(info.cmdline_size + 2);

                ASSERT_TRUE(lng);
                memset(lng, 'x', info.cmdline_size + 1);
                lng[info.cmdline_size + 1] = '\0';
                CHECK_INT(kexec_x86_load_prepare(qemu, kernel, size, NULL, 0, lng, &l), -E2BIG);
                lng[MIN(info.cmdline_size, (uint32_t) KEXEC_CMDLINE_MAX - 1)] = '\0';
                CHECK_INT(kexec_x86_load_prepare(qemu, kernel, size, NULL, 0, lng, &l), 0);
                kexec_x86_load_done(&l);
        }
        CHECK_INT(kexec_x86_load_prepare(qemu, initrd, initrd_size, NULL, 0, "", &l), -ENOEXEC);
        CHECK_INT(kexec_x86_load_prepare(qemu, kernel, ((size_t) info.setup_sects + 1) * 512, NULL, 0, "", &l), -ENOEXEC);
        {
                /* A copy claiming not to be relocatable. */
                _cleanup_free_ uint8_t *copy = malloc(size);

                ASSERT_TRUE(copy);
                memcpy(copy, kernel, size);
                copy[0x234] = 0;
                CHECK_INT(kexec_x86_load_prepare(qemu, copy, size, NULL, 0, "", &l), -ENOEXEC);
                memcpy(copy, kernel, size);
                copy[0x236] &= (uint8_t) ~KEXEC_XLF_KERNEL_64;
                CHECK_INT(kexec_x86_load_prepare(qemu, copy, size, NULL, 0, "", &l), -ENOEXEC);
        }
}

/* objdump, a disassembler nobody here wrote, reads the purgatory as the
 * code we meant: GDT load, segment loads, far return, rsi, indirect jump. */
static void test_purgatory_disassembles(const char *kernel_path) {
        _cleanup_free_ void *kernel = NULL;
        _cleanup_free_ struct kexec_x86_host *qemu = host_from(qemu_expected, ELEMENTSOF(qemu_expected));
        _cleanup_free_ char *dir = test_mkdtemp(), *bin = tu_path_join(dir, "purgatory.bin"), *out = NULL;
        const char *objdump = access("/usr/bin/objdump", X_OK) == 0 ? "/usr/bin/objdump" : NULL;
        struct kexec_x86_load l = {};
        size_t size;

        if (!objdump) {
                fprintf(stderr, "no objdump: purgatory not disassembled\n");
                tu_rm_rf(dir);
                return;
        }
        ASSERT_OK(tu_read_file(kernel_path, &kernel, &size));
        ASSERT_OK(kexec_x86_load_prepare(qemu, kernel, size, NULL, 0, "", &l));
        ASSERT_OK(tu_write_file(bin, l.segments[KEXEC_X86_SEG_PURGATORY].buf,
                                l.segments[KEXEC_X86_SEG_PURGATORY].bufsz));
        {
                const char *argv[] = { objdump, "-D", "-b", "binary", "-m", "i386:x86-64", bin, NULL };

                CHECK_INT(tu_run(NULL, argv, NULL, &out, NULL), 0);
        }
        if (out) {
                CHECK_CONTAINS(out, "cli");
                CHECK_CONTAINS(out, "lgdt");
                CHECK_CONTAINS(out, "mov    %eax,%ss");
                CHECK_CONTAINS(out, "push   $0x10");
                CHECK_CONTAINS(out, "lretq");
                CHECK_CONTAINS(out, ",%rsi");
                CHECK_CONTAINS(out, "jmp    *%rax");
        }
        kexec_x86_load_done(&l);
        tu_rm_rf(dir);
}

/* ---- through the fake kexec_load, and the guard ------------------------ */

static int memfd_with(const char *name, const void *data, size_t size) {
        _cleanup_close_ int fd = -EBADF;
        int rofd;

        ASSERT_OK(kexec_memfd_new(name, &fd));
        ASSERT_OK(kexec_memfd_write_all(fd, data, size));
        ASSERT_OK(kexec_memfd_seal_readonly(TAKE_FD(fd), &rofd));
        return rofd;
}

static void test_load_fds(const char *kernel_path) {
        _cleanup_free_ char *root = test_mkdtemp();
        _cleanup_free_ void *kernel = NULL;
        const size_t initrd_size = 3 * MIB + 5;
        _cleanup_free_ void *initrd = tu_random_data(initrd_size, 11);
        _cleanup_close_ int kfd = -EBADF, ifd = -EBADF;
        const struct fake_kexec_load_call *c;
        struct kexec_bzimage_info info;
        size_t size, setup_len;
        const char *cmdline = "console=ttyS0 panic=10";

        ASSERT_OK(tu_read_file(kernel_path, &kernel, &size));
        ASSERT_OK(kexec_bzimage_inspect(kernel, 65536, size, &info));
        setup_len = ((size_t) info.setup_sects + 1) * 512;
        kfd = memfd_with("kernel", kernel, size);
        ifd = memfd_with("initrd", initrd, initrd_size);

        /* No memory map: nothing reaches the kernel, and the error says so. */
        fake_kexec_reset();
        CHECK_INT(kexec_x86_load_fds(root, kfd, ifd, cmdline), -ENOENT);
        CHECK_INT(fake_kexec.n_load, 0);
        CHECK_CONTAINS(kexec_strerror_load(-ENOENT), "/sys/firmware/memmap");

        write_qemu_memmap(root);
        fake_kexec_reset();
        fake_kexec.ram_bytes = 512 * MIB;
        CHECK_INT(kexec_x86_load_fds(root, kfd, ifd, cmdline), 0);
        CHECK(fake_kexec.loaded);
        c = fake_kexec_last_load_call();
        ASSERT_TRUE(c);
        CHECK_INT(c->result, 0);
        CHECK_INT(c->flags, KEXEC_ARCH_X86_64);
        CHECK_INT(c->nr_segments, 4);
        CHECK_INT(c->entry, c->segments[KEXEC_X86_SEG_PURGATORY].mem);
        CHECK_INT(c->segments[KEXEC_X86_SEG_KERNEL].fnv1a, fnv1a((uint8_t *) kernel + setup_len, size - setup_len));
        CHECK_INT(c->segments[KEXEC_X86_SEG_INITRD].fnv1a, fnv1a(initrd, initrd_size));
        CHECK(memcmp(c->segments[KEXEC_X86_SEG_BOOT].head + KEXEC_X86_BOOT_PARAMS_SIZE, cmdline,
                     strlen(cmdline) + 1) == 0);
        CHECK_INT(rd32(c->segments[KEXEC_X86_SEG_BOOT].head, KEXEC_BP_RAMDISK_IMAGE),
                  c->segments[KEXEC_X86_SEG_INITRD].mem);

        /* More than half of RAM: the kernel says EINVAL, nothing loaded. */
        fake_kexec_reset();
        fake_kexec.ram_bytes = 128 * MIB;
        CHECK_INT(kexec_x86_load_fds(root, kfd, ifd, cmdline), -EINVAL);
        CHECK(!fake_kexec.loaded);

        /* The kernel's refusal is passed on as it is. */
        fake_kexec_reset();
        fake_kexec.load_errno = EPERM;
        CHECK_INT(kexec_x86_load_fds(root, kfd, ifd, cmdline), -EPERM);
        CHECK_INT(kexec_x86_load_fds(root, kfd, -1, cmdline), -EPERM);
        CHECK_INT(fake_kexec_last_load_call()->nr_segments, 3);

        tu_rm_rf(root);
}

/* The guard reads the real root: only where this machine has a map. */
static void test_guard_fallback(const char *kernel_path) {
        _cleanup_free_ struct kexec_memmap *m = calloc(1, sizeof(*m));
        _cleanup_free_ void *kernel = NULL;
        _cleanup_close_ int kfd = -EBADF, ifd = -EBADF;
        size_t size;
        static const int refusals[] = { EPERM, EKEYREJECTED, ENOKEY, EINVAL, ENOEXEC };

        ASSERT_TRUE(m);
        ASSERT_OK(tu_read_file(kernel_path, &kernel, &size));
        kfd = memfd_with("kernel", kernel, size);
        ifd = memfd_with("initrd", "initrd", 6);

        /* A refusal of kexec_file_load is final: never try kexec_load. */
        for (size_t i = 0; i < ELEMENTSOF(refusals); i++) {
                struct kexec_load_guard g = {};

                fake_kexec_reset();
                fake_kexec.file_load_errno = refusals[i];
                CHECK_INT(kexec_load_guarded(&g, kfd, ifd, "", 0), -refusals[i]);
                CHECK_INT(fake_kexec.n_load, 0);
                CHECK(!g.loaded && !g.used_kexec_load);
        }
        /* ENOSYS with a crash kernel: no fallback for that either. */
        {
                struct kexec_load_guard g = {};

                fake_kexec_reset();
                fake_kexec.no_syscall = true;
                CHECK_INT(kexec_load_guarded(&g, kfd, ifd, "", KEXEC_FILE_ON_CRASH), -ENOSYS);
                CHECK_INT(fake_kexec.n_load, 0);
        }
        /* kexec_unload() falls back when kexec_file_load is missing. */
        fake_kexec_reset();
        fake_kexec.no_syscall = true;
        CHECK_INT(kexec_unload(), 0);
        CHECK_INT(fake_kexec.n_load_unload, 1);

        if (kexec_memmap_read(NULL, m) < 0) {
                fprintf(stderr, "no memory map on this machine: the guard's fallback load is not exercised\n");
                return;
        }

        /* ENOSYS: kexec_load; the guard's release unloads with kexec_load. */
        {
                _cleanup_kexec_load_guard_ struct kexec_load_guard g = {};

                fake_kexec_reset();
                fake_kexec.no_syscall = true;
                CHECK_INT(kexec_load_guarded(&g, kfd, ifd, "console=ttyS0", 0), 0);
                CHECK(g.loaded && g.used_kexec_load);
                CHECK_INT(fake_kexec.n_file_load, 1);
                CHECK_INT(fake_kexec.n_load, 1);
                CHECK(fake_kexec.loaded);
                CHECK_INT(kexec_load_guard_release(&g), 0);
                CHECK(!fake_kexec.loaded);
                CHECK_INT(fake_kexec.n_load_unload, 1);
                CHECK_INT(fake_kexec.n_unload, 0);
        }
        /* Forced (the test flag): kexec_file_load is not even asked; a
         * failure of kexec_load leaves nothing loaded. */
        {
                _cleanup_kexec_load_guard_ struct kexec_load_guard g = { .force_kexec_load = true };

                fake_kexec_reset();
                CHECK_INT(kexec_load_guarded(&g, kfd, ifd, "", 0), 0);
                CHECK_INT(fake_kexec.n_file_load, 0);
                CHECK(g.used_kexec_load && fake_kexec.loaded);
        }
        CHECK(!fake_kexec.loaded);      /* the cleanup unloaded */
        CHECK_INT(fake_kexec.n_load_unload, 1);
        {
                struct kexec_load_guard g = { .force_kexec_load = true };

                fake_kexec_reset();
                fake_kexec.load_errno = EBUSY;
                CHECK_INT(kexec_load_guarded(&g, kfd, ifd, "", 0), -EBUSY);
                CHECK(!g.loaded && !fake_kexec.loaded);
        }
}

int main(void) {
        test_offsets_match_kernel_header();
        test_memmap_sources();
        test_memmap_this_host();

        find_kernels();
        if (n_kernels == 0) {
                fprintf(stderr, "SKIP: no real kernel for the layout tests (KEXEC_TEST_KERNEL, /boot/vmlinuz-*, "
                        "or a cached rescue kernel)\n");
                return test_failures ? EXIT_FAILURE : EXIT_TEST_SKIP;
        }
        for (size_t i = 0; i < n_kernels; i++)
                test_layout_real_kernel(kernels[i]);
        test_purgatory_disassembles(kernels[0]);
        test_load_fds(kernels[0]);
        test_guard_fallback(kernels[0]);
        for (size_t i = 0; i < n_kernels; i++)
                free(kernels[i]);
        return test_exit_code();
}
