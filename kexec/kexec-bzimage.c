/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reads the x86 boot protocol header of a kernel image (pure parsing), so
 * the preflight can say "this is not an x86_64 kernel" and compute the
 * memory need before the kernel is asked. Offsets are those of the setup
 * header in Documentation/arch/x86/boot.rst; the checks are those of the
 * kernel's bzImage64 kexec loader (arch/x86/kernel/kexec-bzimage64.c). */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "kexec-internal.h"
#include "macro.h"

/* The kernel's probe wants a boot sector and the setup header: 2 sectors. */
#define BZ_MIN_SIZE 1024u
/* Enough head for the setup header and an x86 PE header. */
#define BZ_HEAD_READ (64u * 1024u)

/* Setup header fields (offsets from the start of the file). */
#define BZ_SETUP_SECTS      0x1f1
#define BZ_BOOT_FLAG        0x1fe
#define BZ_HEADER_MAGIC     0x202
#define BZ_VERSION          0x206
#define BZ_LOADFLAGS        0x211
#define BZ_INITRD_ADDR_MAX  0x22c
#define BZ_KERNEL_ALIGNMENT 0x230
#define BZ_RELOCATABLE      0x234
#define BZ_XLOADFLAGS       0x236
#define BZ_CMDLINE_SIZE     0x238
#define BZ_PREF_ADDRESS     0x258
#define BZ_INIT_SIZE        0x260

#define BZ_LOADED_HIGH 0x01

/* The kernel keeps room for " elfcorehdr=0x<64 bit>" in every cmdline. */
#define ELFCOREHDR_RESERVE 30

#define PAGE_SIZE_X86 4096u
/* Purgatory, boot_params + cmdline, EFI memory map, setup_data: tens of
 * KiB in practice; 1 MiB is a safe bound for the estimate. */
#define LOAD_OVERHEAD (1024u * 1024u)

static uint16_t get16(const uint8_t *p, size_t off) {
        return (uint16_t) (p[off] | p[off + 1] << 8);
}

static uint32_t get32(const uint8_t *p, size_t off) {
        return (uint32_t) p[off] | (uint32_t) p[off + 1] << 8 |
               (uint32_t) p[off + 2] << 16 | (uint32_t) p[off + 3] << 24;
}

static bool has(size_t head_len, uint64_t off, uint64_t n) {
        return off <= head_len && n <= head_len - off;
}

static bool magic_at(const uint8_t *p, size_t len, size_t off, const void *m, size_t n) {
        return has(len, off, n) && memcmp(p + off, m, n) == 0;
}

static bool is_compressed(const uint8_t *p, size_t len) {
        static const struct {
                const char *magic;
                size_t len;
        } magics[] = {
                { "\x1f\x8b", 2 },                      /* gzip */
                { "\xfd" "7zXZ\0", 6 },                 /* xz */
                { "\x28\xb5\x2f\xfd", 4 },              /* zstd */
                { "BZh", 3 },                           /* bzip2 */
                { "\x02\x21\x4c\x18", 4 },              /* lz4 legacy */
                { "\x04\x22\x4d\x18", 4 },              /* lz4 frame */
                { "\x89LZO", 4 },                       /* lzop */
        };

        for (size_t i = 0; i < ELEMENTSOF(magics); i++)
                if (magic_at(p, len, 0, magics[i].magic, magics[i].len))
                        return true;
        return false;
}

/* The PE header of an EFI stub: machine, and the certificate table (data
 * directory 4, whose "address" is a file offset) of a signed image. */
static void parse_pe(const uint8_t *p, size_t len, struct kexec_bzimage_info *info) {
        uint32_t pe, nr_dirs;
        uint16_t opt_size, opt_magic;
        size_t opt, dirs_off, count_off;
        uint32_t cert_off, cert_size;

        if (!magic_at(p, len, 0, "MZ", 2) || !has(len, 0x3c, 4))
                return;
        pe = get32(p, 0x3c);
        if (!magic_at(p, len, pe, "PE\0\0", 4) || !has(len, pe, 24))
                return;

        info->pe = true;
        info->pe_machine = get16(p, pe + 4);
        opt_size = get16(p, pe + 20);
        opt = (size_t) pe + 24;
        if (opt_size < 2 || !has(len, opt, opt_size))
                return;

        opt_magic = get16(p, opt);
        if (opt_magic == 0x20b) {               /* PE32+ */
                count_off = 108;
                dirs_off = 112;
        } else if (opt_magic == 0x10b) {        /* PE32 */
                count_off = 92;
                dirs_off = 96;
        } else
                return;

        /* Directory 4 is 8 bytes at dirs_off + 32, inside the optional header. */
        if (opt_size < dirs_off + 5 * 8)
                return;
        nr_dirs = get32(p, opt + count_off);
        if (nr_dirs < 5)
                return;

        cert_off = get32(p, opt + dirs_off + 32);
        cert_size = get32(p, opt + dirs_off + 36);
        /* A WIN_CERTIFICATE has an 8-byte header; the table lies in the file. */
        if (cert_off == 0 || cert_size < 8 || (uint64_t) cert_off + cert_size > info->file_size)
                return;

        info->pe_signed = true;
        info->pe_cert_offset = cert_off;
        info->pe_cert_size = cert_size;
}

/* Reads the setup header and applies the kernel's bzImage64 probe, in its
 * order, then the checks its loader makes later (truncation) and ours
 * (relocatable: the kernel will be placed wherever memory is free). */
static enum kexec_bzimage_verdict check_setup_header(const uint8_t *p, size_t len,
                                                     struct kexec_bzimage_info *info) {
        if (info->file_size < BZ_MIN_SIZE || !has(len, 0, BZ_INIT_SIZE + 4))
                return KEXEC_BZIMAGE_TOO_SHORT;

        info->protocol = get16(p, BZ_VERSION);
        info->setup_sects = p[BZ_SETUP_SECTS] ? p[BZ_SETUP_SECTS] : 4;
        info->loadflags = p[BZ_LOADFLAGS];
        info->cmdline_size = 255;       /* before 2.06 */
        info->initrd_addr_max = 0x37ffffff;     /* before 2.03 */
        if (info->protocol >= 0x0203)
                info->initrd_addr_max = get32(p, BZ_INITRD_ADDR_MAX);
        if (info->protocol >= 0x0205) {
                info->kernel_alignment = get32(p, BZ_KERNEL_ALIGNMENT);
                info->relocatable = p[BZ_RELOCATABLE] != 0;
        }
        if (info->protocol >= 0x0206)
                info->cmdline_size = get32(p, BZ_CMDLINE_SIZE);
        if (info->protocol >= 0x020a) {
                info->init_size = get32(p, BZ_INIT_SIZE);
                info->pref_address = (uint64_t) get32(p, BZ_PREF_ADDRESS) |
                                     (uint64_t) get32(p, BZ_PREF_ADDRESS + 4) << 32;
        }
        if (info->protocol >= 0x020c)
                info->xloadflags = get16(p, BZ_XLOADFLAGS);

        if (get16(p, BZ_BOOT_FLAG) != 0xaa55)
                return KEXEC_BZIMAGE_NO_BOOT_FLAG;
        if (info->protocol < 0x020c)
                return KEXEC_BZIMAGE_PROTOCOL_TOO_OLD;
        if (!(info->loadflags & BZ_LOADED_HIGH))
                return KEXEC_BZIMAGE_ZIMAGE;
        if (!(info->xloadflags & KEXEC_XLF_KERNEL_64))
                return KEXEC_BZIMAGE_NOT_64BIT;
        if (!(info->xloadflags & KEXEC_XLF_CAN_BE_LOADED_ABOVE_4G))
                return KEXEC_BZIMAGE_NOT_ABOVE_4G;
        if ((uint64_t) (info->setup_sects + 1) * 512 > info->file_size)
                return KEXEC_BZIMAGE_TRUNCATED;
        if (!info->relocatable)
                return KEXEC_BZIMAGE_NOT_RELOCATABLE;
        return KEXEC_BZIMAGE_OK;
}

int kexec_bzimage_inspect(const void *head, size_t head_len, uint64_t file_size,
                          struct kexec_bzimage_info *ret) {
        struct kexec_bzimage_info info = { .file_size = file_size };
        const uint8_t *p = head;

        if (!ret || (!head && head_len > 0) || head_len > file_size)
                return -EINVAL;
        /* Callers must hand over the first KiB when the file has it. */
        if (head_len < MIN(file_size, (uint64_t) BZ_MIN_SIZE))
                return -EINVAL;

        parse_pe(p, head_len, &info);

        if (magic_at(p, head_len, 0, "\x7f" "ELF", 4)) {
                info.verdict = KEXEC_BZIMAGE_ELF;
                if (has(head_len, 18, 2))       /* e_machine, in the file's byte order */
                        info.elf_machine = p[5] == 2 ? (uint16_t) (p[18] << 8 | p[19]) : get16(p, 18);
        } else if (is_compressed(p, head_len))
                info.verdict = KEXEC_BZIMAGE_COMPRESSED;
        else if (magic_at(p, head_len, BZ_HEADER_MAGIC, "HdrS", 4))
                info.verdict = check_setup_header(p, head_len, &info);
        else if (magic_at(p, head_len, 0x38, "ARM\x64", 4))
                info.verdict = KEXEC_BZIMAGE_ARM64;
        else if (magic_at(p, head_len, 0x30, "RISCV\0\0\0", 8) || magic_at(p, head_len, 0x38, "RSC\x05", 4))
                info.verdict = KEXEC_BZIMAGE_RISCV;
        else if (magic_at(p, head_len, 0, "MZ", 2) && magic_at(p, head_len, 4, "zimg", 4))
                info.verdict = KEXEC_BZIMAGE_EFI_ZBOOT;
        else if (info.pe)
                info.verdict = KEXEC_BZIMAGE_PE_NOT_LINUX;
        else if (file_size < BZ_MIN_SIZE)
                info.verdict = KEXEC_BZIMAGE_TOO_SHORT;
        else
                info.verdict = KEXEC_BZIMAGE_UNKNOWN;

        *ret = info;
        return 0;
}

int kexec_bzimage_inspect_fd(int fd, struct kexec_bzimage_info *ret) {
        _cleanup_free_ uint8_t *head = NULL;
        struct kexec_bzimage_info info;
        struct stat st;
        size_t head_len;
        int r;

        if (fd < 0 || !ret)
                return -EINVAL;
        if (fstat(fd, &st) < 0)
                return -errno;
        /* kernel_read_file() takes regular files only. */
        if (!S_ISREG(st.st_mode))
                return -EINVAL;

        head_len = (size_t) MIN((uint64_t) st.st_size, (uint64_t) BZ_HEAD_READ);
        head = malloc(MAX(head_len, (size_t) 1));
        if (!head)
                return -ENOMEM;
        r = pread_exact(fd, head, head_len, 0);
        if (r < 0)
                return r;

        r = kexec_bzimage_inspect(head, head_len, (uint64_t) st.st_size, &info);
        if (r < 0)
                return r;

        /* The table must start with a WIN_CERTIFICATE of revision 2.0 and
         * type PKCS_SIGNED_DATA, as the kernel's pefile parser expects. */
        if (info.pe_signed) {
                uint8_t cert[8];

                r = pread_exact(fd, cert, sizeof(cert), (off_t) info.pe_cert_offset);
                if (r < 0)
                        return r;
                if (get32(cert, 0) < 8 || get32(cert, 0) > info.pe_cert_size ||
                    get16(cert, 4) != 0x0200 || get16(cert, 6) != 0x0002)
                        info.pe_signed = false;
        }

        *ret = info;
        return 0;
}

const char *kexec_bzimage_verdict_to_string(enum kexec_bzimage_verdict v) {
        static const char *const table[_KEXEC_BZIMAGE_VERDICT_MAX] = {
                [KEXEC_BZIMAGE_OK]              = "an x86_64 bzImage that kexec_file_load can load",
                [KEXEC_BZIMAGE_TOO_SHORT]       = "too short to be a kernel (less than 1 KiB, or the header is cut off)",
                [KEXEC_BZIMAGE_TRUNCATED]       = "a bzImage that is truncated (shorter than its own setup code)",
                [KEXEC_BZIMAGE_UNKNOWN]         = "not a kernel image: no x86 boot header or other kernel magic",
                [KEXEC_BZIMAGE_ELF]             = "an ELF file (an uncompressed vmlinux?): kexec_file_load on x86_64 "
                                                  "needs the bzImage (vmlinuz, arch/x86/boot/bzImage)",
                [KEXEC_BZIMAGE_COMPRESSED]      = "compressed data (gzip/xz/zstd/bzip2/lz4/lzo), not a bootable kernel: "
                                                  "an initramfs or a compressed Image?",
                [KEXEC_BZIMAGE_ARM64]           = "an arm64 kernel Image, not an x86_64 kernel",
                [KEXEC_BZIMAGE_RISCV]           = "a RISC-V kernel Image, not an x86_64 kernel",
                [KEXEC_BZIMAGE_EFI_ZBOOT]       = "a compressed EFI zboot kernel (arm64/riscv/loongarch), not an x86_64 kernel",
                [KEXEC_BZIMAGE_PE_NOT_LINUX]    = "an EFI/PE binary without the x86 Linux boot header "
                                                  "(a unified kernel image or another EFI program?)",
                [KEXEC_BZIMAGE_NO_BOOT_FLAG]    = "an x86 boot header without the 0xAA55 boot sector flag: damaged",
                [KEXEC_BZIMAGE_ZIMAGE]          = "an ancient zImage that must be loaded low; kexec needs a bzImage",
                [KEXEC_BZIMAGE_PROTOCOL_TOO_OLD] = "an x86 kernel older than Linux 3.8 (boot protocol < 2.12), "
                                                   "which kexec_file_load cannot load",
                [KEXEC_BZIMAGE_NOT_64BIT]       = "a 32-bit x86 kernel, not an x86_64 kernel",
                [KEXEC_BZIMAGE_NOT_ABOVE_4G]    = "an x86_64 kernel that cannot be loaded above 4 GiB, "
                                                  "which kexec_file_load requires",
                [KEXEC_BZIMAGE_NOT_RELOCATABLE] = "an x86_64 kernel built without CONFIG_RELOCATABLE: "
                                                  "kexec places it wherever memory is free",
        };

        if ((unsigned) v >= ELEMENTSOF(table) || !table[v])
                return "unknown verdict";
        return table[v];
}

size_t kexec_bzimage_cmdline_max(const struct kexec_bzimage_info *info) {
        if (!info || info->verdict != KEXEC_BZIMAGE_OK)
                return KEXEC_CMDLINE_MAX;
        /* bzImage64_load(): cmdline_len (with NUL) + 30 <= cmdline_size. */
        if (info->cmdline_size <= ELFCOREHDR_RESERVE)
                return 0;
        return (size_t) MIN((uint64_t) info->cmdline_size - ELFCOREHDR_RESERVE, (uint64_t) KEXEC_CMDLINE_MAX);
}

static uint64_t page_align(uint64_t n) {
        return ALIGN_TO(n, (uint64_t) PAGE_SIZE_X86);
}

uint64_t kexec_memory_need(uint64_t init_size, uint64_t initrd_size) {
        /* The kernel segment's memsz is PAGE_ALIGN(init_size), not the file
         * size: the kernel decompresses itself in place. */
        return page_align(init_size) + page_align(initrd_size) + LOAD_OVERHEAD;
}

bool kexec_memory_fits(uint64_t need, uint64_t mem_total) {
        /* sanity_check_segment_list(): the segments' pages together may
         * not exceed half of totalram_pages(), which is what MemTotal
         * shows. need already rounds every segment up to pages. */
        return mem_total > 0 && need <= mem_total / 2;
}
