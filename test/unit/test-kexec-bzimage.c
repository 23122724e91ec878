/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bzImage inspection on synthetic images: every verdict the kernel's
 * bzImage64 probe can reach, other architectures, ELF, compressed data,
 * short and truncated files, and PE signature tables. Real kernels are in
 * test-kexec-bzimage-real.c. */
#include "macro.h"
#include "kexec.h"
#include "test-kexec.h"

#define MiB (1024u * 1024u)

static void put16(uint8_t *p, size_t off, uint16_t v) {
        p[off] = (uint8_t) v;
        p[off + 1] = (uint8_t) (v >> 8);
}

static void put32(uint8_t *p, size_t off, uint32_t v) {
        put16(p, off, (uint16_t) v);
        put16(p, off + 2, (uint16_t) (v >> 16));
}

struct bz_params {
        uint16_t version;
        uint8_t setup_sects;
        uint8_t loadflags;
        uint16_t xloadflags;
        uint8_t relocatable;
        uint32_t cmdline_size;
        uint32_t init_size;
        bool boot_flag;
};

static const struct bz_params good = {
        .version = 0x020f, .setup_sects = 27, .loadflags = 0x01, .xloadflags = 0x7f,
        .relocatable = 1, .cmdline_size = 2047, .init_size = 40 * MiB, .boot_flag = true,
};

/* A setup header as boot.rst lays it out, in a zeroed buffer. */
static void make_bzimage(uint8_t *p, size_t len, const struct bz_params *b) {
        memset(p, 0, len);
        p[0x1f1] = b->setup_sects;
        if (b->boot_flag)
                put16(p, 0x1fe, 0xaa55);
        p[0x200] = 0xeb;        /* jmp short, as real images have */
        p[0x201] = 0x6a;
        memcpy(p + 0x202, "HdrS", 4);
        put16(p, 0x206, b->version);
        p[0x211] = b->loadflags;
        put32(p, 0x230, 0x200000);
        p[0x234] = b->relocatable;
        put16(p, 0x236, b->xloadflags);
        put32(p, 0x238, b->cmdline_size);
        put32(p, 0x260, b->init_size);
}

static struct kexec_bzimage_info inspect(const uint8_t *p, size_t len) {
        struct kexec_bzimage_info info;

        memset(&info, 0xa5, sizeof(info));
        CHECK_INT(kexec_bzimage_inspect(p, len, len, &info), 0);
        return info;
}

static void test_good(void) {
        static uint8_t img[32768];
        struct kexec_bzimage_info i;

        make_bzimage(img, sizeof(img), &good);
        i = inspect(img, sizeof(img));
        CHECK_INT(i.verdict, KEXEC_BZIMAGE_OK);
        CHECK_INT(i.protocol, 0x020f);
        CHECK_INT(i.setup_sects, 27);
        CHECK_INT(i.xloadflags, 0x7f);
        CHECK_INT(i.cmdline_size, 2047);
        CHECK_INT(i.init_size, 40 * MiB);
        CHECK_INT(i.kernel_alignment, 0x200000);
        CHECK(i.relocatable);
        CHECK(!i.pe);
        CHECK(!i.pe_signed);
        CHECK_INT(i.file_size, sizeof(img));
        /* 2047 - 30 reserved for elfcorehdr=: 2017 bytes with the NUL. */
        CHECK_INT(kexec_bzimage_cmdline_max(&i), 2017);
}

static void test_each_refusal(void) {
        static uint8_t img[32768];
        static const struct {
                const char *what;
                enum kexec_bzimage_verdict expect;
        } cases[] = {
                { "2.11",      KEXEC_BZIMAGE_PROTOCOL_TOO_OLD },
                { "2.00",      KEXEC_BZIMAGE_PROTOCOL_TOO_OLD },
                { "zImage",    KEXEC_BZIMAGE_ZIMAGE },
                { "32-bit",    KEXEC_BZIMAGE_NOT_64BIT },
                { "below 4G",  KEXEC_BZIMAGE_NOT_ABOVE_4G },
                { "fixed",     KEXEC_BZIMAGE_NOT_RELOCATABLE },
                { "no 0xAA55", KEXEC_BZIMAGE_NO_BOOT_FLAG },
                { "truncated", KEXEC_BZIMAGE_TRUNCATED },
        };

        for (size_t n = 0; n < ELEMENTSOF(cases); n++) {
                struct bz_params b = good;
                struct kexec_bzimage_info i;

                switch (n) {
                case 0: b.version = 0x020b; break;
                case 1: b.version = 0x0200; break;
                case 2: b.loadflags = 0; break;
                case 3: b.xloadflags = 0x0e; break;
                case 4: b.xloadflags = 0x01; break;
                case 5: b.relocatable = 0; break;
                case 6: b.boot_flag = false; break;
                case 7: b.setup_sects = 64; break;     /* 65 sectors > 32 KiB file */
                }
                make_bzimage(img, sizeof(img), &b);
                i = inspect(img, sizeof(img));
                if (i.verdict != cases[n].expect)
                        fprintf(stderr, "case %s:\n", cases[n].what);
                CHECK_INT(i.verdict, cases[n].expect);
                CHECK(kexec_bzimage_cmdline_max(&i) == KEXEC_CMDLINE_MAX);
        }
}

static void test_old_protocol_fields(void) {
        static uint8_t img[4096];
        struct bz_params b = good;
        struct kexec_bzimage_info i;

        /* Fields newer than the protocol are not read (they hold other data). */
        b.version = 0x0205;
        b.setup_sects = 0;      /* 0 means 4 */
        make_bzimage(img, sizeof(img), &b);
        i = inspect(img, sizeof(img));
        CHECK_INT(i.verdict, KEXEC_BZIMAGE_PROTOCOL_TOO_OLD);
        CHECK_INT(i.setup_sects, 4);
        CHECK_INT(i.cmdline_size, 255);
        CHECK_INT(i.init_size, 0);
        CHECK_INT(i.xloadflags, 0);
        CHECK(i.relocatable);

        b.version = 0x020a;
        make_bzimage(img, sizeof(img), &b);
        i = inspect(img, sizeof(img));
        CHECK_INT(i.cmdline_size, 2047);
        CHECK_INT(i.init_size, 40 * MiB);
        CHECK_INT(i.xloadflags, 0);
}

/* An x86_64 EFI stub's PE32+ header at 0x40 with 6 data directories, the
 * certificate table (directory 4) pointing at cert_off. */
static void add_pe(uint8_t *p, uint16_t machine, uint32_t cert_off, uint32_t cert_size) {
        const size_t pe = 0x40, opt = pe + 24;

        memcpy(p, "MZ", 2);
        put32(p, 0x3c, pe);
        memcpy(p + pe, "PE\0\0", 4);
        put16(p, pe + 4, machine);
        put16(p, pe + 20, 112 + 6 * 8);         /* SizeOfOptionalHeader */
        put16(p, opt, 0x20b);
        put32(p, opt + 108, 6);
        put32(p, opt + 112 + 4 * 8, cert_off);
        put32(p, opt + 112 + 4 * 8 + 4, cert_size);
}

static void test_pe_signature(void) {
        static uint8_t img[32768];
        struct kexec_bzimage_info i;

        make_bzimage(img, sizeof(img), &good);
        add_pe(img, 0x8664, sizeof(img) - 1024, 1024);
        i = inspect(img, sizeof(img));
        CHECK_INT(i.verdict, KEXEC_BZIMAGE_OK);
        CHECK(i.pe);
        CHECK_INT(i.pe_machine, 0x8664);
        CHECK(i.pe_signed);
        CHECK_INT(i.pe_cert_offset, sizeof(img) - 1024);
        CHECK_INT(i.pe_cert_size, 1024);

        /* Unsigned: an empty directory. */
        add_pe(img, 0x8664, 0, 0);
        i = inspect(img, sizeof(img));
        CHECK(i.pe && !i.pe_signed);

        /* A table that runs past the end of the file does not count. */
        add_pe(img, 0x8664, sizeof(img) - 1024, 1025);
        i = inspect(img, sizeof(img));
        CHECK(!i.pe_signed);
        add_pe(img, 0x8664, 0xfffffff0u, 0x20);
        i = inspect(img, sizeof(img));
        CHECK(!i.pe_signed);

        /* e_lfanew pointing outside the head: no PE, no crash. */
        add_pe(img, 0x8664, 0, 0);
        put32(img, 0x3c, 0xfffffffcu);
        i = inspect(img, sizeof(img));
        CHECK(!i.pe);
        CHECK_INT(i.verdict, KEXEC_BZIMAGE_OK);
}

static void test_pe_signature_fd(void) {
        static uint8_t img[32768];
        _cleanup_close_ int fd = -EBADF;
        struct kexec_bzimage_info i;
        const uint32_t off = sizeof(img) - 1024;

        make_bzimage(img, sizeof(img), &good);
        add_pe(img, 0x8664, off, 1024);
        /* WIN_CERTIFICATE: length, revision 2.0, PKCS_SIGNED_DATA */
        put32(img, off, 1024);
        put16(img, off + 4, 0x0200);
        put16(img, off + 6, 0x0002);
        CHECK_INT(kexec_memfd_new("bz", &fd), 0);
        CHECK_INT(kexec_memfd_write_all(fd, img, sizeof(img)), 0);
        CHECK_INT(kexec_bzimage_inspect_fd(fd, &i), 0);
        CHECK(i.pe_signed);
        CHECK_INT(i.verdict, KEXEC_BZIMAGE_OK);

        /* Garbage where the certificate should be. */
        put16(img, off + 6, 0x0001);
        CHECK_INT(pwrite(fd, img + off, 8, off), 8);
        CHECK_INT(kexec_bzimage_inspect_fd(fd, &i), 0);
        CHECK(!i.pe_signed);
        put32(img, off, 4096);          /* longer than the table */
        put16(img, off + 6, 0x0002);
        CHECK_INT(pwrite(fd, img + off, 8, off), 8);
        CHECK_INT(kexec_bzimage_inspect_fd(fd, &i), 0);
        CHECK(!i.pe_signed);
}

static void test_other_architectures(void) {
        static uint8_t img[8192];
        struct kexec_bzimage_info i;

        /* arm64 Image with its EFI stub: "MZ", PE machine 0xaa64, magic at 0x38. */
        memset(img, 0, sizeof(img));
        add_pe(img, 0xaa64, 0, 0);
        memcpy(img + 0x38, "ARM\x64", 4);
        i = inspect(img, sizeof(img));
        CHECK_INT(i.verdict, KEXEC_BZIMAGE_ARM64);
        CHECK_INT(i.pe_machine, 0xaa64);
        /* Even a 64-byte arm64 header is recognised before "too short". */
        i = inspect(img, 64);
        CHECK_INT(i.verdict, KEXEC_BZIMAGE_ARM64);

        memset(img, 0, sizeof(img));
        memcpy(img + 0x30, "RISCV\0\0\0", 8);
        memcpy(img + 0x38, "RSC\x05", 4);
        CHECK_INT(inspect(img, sizeof(img)).verdict, KEXEC_BZIMAGE_RISCV);

        memset(img, 0, sizeof(img));
        memcpy(img, "MZ\0\0zimg", 8);
        CHECK_INT(inspect(img, sizeof(img)).verdict, KEXEC_BZIMAGE_EFI_ZBOOT);

        /* A PE without the x86 boot header: a UKI or some EFI program. */
        memset(img, 0, sizeof(img));
        add_pe(img, 0x8664, 0, 0);
        CHECK_INT(inspect(img, sizeof(img)).verdict, KEXEC_BZIMAGE_PE_NOT_LINUX);
}

static void test_elf_and_compressed(void) {
        static uint8_t img[4096];
        _cleanup_close_ int self = -EBADF;
        struct kexec_bzimage_info i;

        /* The test binary itself is a real x86_64 ELF nobody crafted here. */
        self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        CHECK(self >= 0);
        CHECK_INT(kexec_bzimage_inspect_fd(self, &i), 0);
        CHECK_INT(i.verdict, KEXEC_BZIMAGE_ELF);
#if defined(__x86_64__)
        CHECK_INT(i.elf_machine, 62);
#endif
        CHECK_CONTAINS(kexec_bzimage_verdict_to_string(i.verdict), "vmlinux");

        /* A big-endian ELF (s390x, 22): e_machine read in its byte order. */
        memset(img, 0, sizeof(img));
        memcpy(img, "\x7f" "ELF\x02\x02\x01", 7);
        img[18] = 0;
        img[19] = 22;
        i = inspect(img, sizeof(img));
        CHECK_INT(i.verdict, KEXEC_BZIMAGE_ELF);
        CHECK_INT(i.elf_machine, 22);

        static const struct {
                const char *magic;
                size_t len;
        } magics[] = {
                { "\x1f\x8b\x08", 3 }, { "\xfd" "7zXZ\0", 6 }, { "\x28\xb5\x2f\xfd", 4 },
                { "BZh9", 4 }, { "\x04\x22\x4d\x18", 4 },
        };
        for (size_t n = 0; n < ELEMENTSOF(magics); n++) {
                memset(img, 0, sizeof(img));
                memcpy(img, magics[n].magic, magics[n].len);
                CHECK_INT(inspect(img, sizeof(img)).verdict, KEXEC_BZIMAGE_COMPRESSED);
        }
}

static void test_junk_and_short(void) {
        static uint8_t img[65536];
        struct kexec_bzimage_info i;
        uint32_t x = 2463534242u;

        for (size_t n = 0; n < sizeof(img); n++) {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                img[n] = (uint8_t) x;
        }
        memcpy(img, "ok", 2);   /* no accidental magic at 0 */
        CHECK_INT(inspect(img, sizeof(img)).verdict, KEXEC_BZIMAGE_UNKNOWN);
        CHECK_INT(inspect(img, 100).verdict, KEXEC_BZIMAGE_TOO_SHORT);
        CHECK_INT(inspect(img, 0).verdict, KEXEC_BZIMAGE_TOO_SHORT);

        /* A bzImage header in a file that ends at 1000 bytes. */
        make_bzimage(img, sizeof(img), &good);
        CHECK_INT(inspect(img, 1000).verdict, KEXEC_BZIMAGE_TOO_SHORT);
        /* Complete header, cut before the end of its setup sectors. */
        CHECK_INT(inspect(img, 4096).verdict, KEXEC_BZIMAGE_TRUNCATED);
        CHECK_INT(inspect(img, (good.setup_sects + 1) * 512).verdict, KEXEC_BZIMAGE_OK);

        /* Argument checks: the head must cover the first KiB, and fit. */
        CHECK_INT(kexec_bzimage_inspect(img, 512, 8 * MiB, &i), -EINVAL);
        CHECK_INT(kexec_bzimage_inspect(img, 2048, 1024, &i), -EINVAL);
        CHECK_INT(kexec_bzimage_inspect(NULL, 10, 10, &i), -EINVAL);
        CHECK_INT(kexec_bzimage_inspect(img, 2048, 2048, NULL), -EINVAL);
        CHECK_INT(kexec_bzimage_inspect(img, 2048, 8 * MiB, &i), 0);

        /* Not a regular file: the kernel would not read it either. */
        {
                int p[2];
                CHECK_INT(pipe2(p, O_CLOEXEC), 0);
                CHECK_INT(kexec_bzimage_inspect_fd(p[0], &i), -EINVAL);
                close(p[0]);
                close(p[1]);
        }
        {
                _cleanup_close_ int fd = -EBADF;
                CHECK_INT(kexec_memfd_new("empty", &fd), 0);
                CHECK_INT(kexec_bzimage_inspect_fd(fd, &i), 0);
                CHECK_INT(i.verdict, KEXEC_BZIMAGE_TOO_SHORT);
        }
}

static void test_verdict_strings(void) {
        for (int v = 0; v < _KEXEC_BZIMAGE_VERDICT_MAX; v++) {
                const char *s = kexec_bzimage_verdict_to_string(v);

                CHECK(s && strlen(s) > 20);
                CHECK(!strstr(s, "unknown verdict"));
                for (int w = 0; w < v; w++)
                        CHECK(strcmp(s, kexec_bzimage_verdict_to_string(w)) != 0);
        }
        CHECK_CONTAINS(kexec_bzimage_verdict_to_string(_KEXEC_BZIMAGE_VERDICT_MAX), "unknown");
        CHECK_CONTAINS(kexec_bzimage_verdict_to_string(KEXEC_BZIMAGE_ARM64), "not an x86_64 kernel");
}

static void test_cmdline_max(void) {
        struct kexec_bzimage_info i = { .verdict = KEXEC_BZIMAGE_OK, .cmdline_size = 255 };

        CHECK_INT(kexec_bzimage_cmdline_max(&i), 225);
        i.cmdline_size = 30;
        CHECK_INT(kexec_bzimage_cmdline_max(&i), 0);
        i.cmdline_size = 1u << 20;      /* capped by COMMAND_LINE_SIZE */
        CHECK_INT(kexec_bzimage_cmdline_max(&i), KEXEC_CMDLINE_MAX);
        CHECK_INT(kexec_bzimage_cmdline_max(NULL), KEXEC_CMDLINE_MAX);
}

static void test_memory_need(void) {
        /* The Debian 6.1 kernel: init_size 63.6 MiB, whatever its 8 MB file. */
        const uint64_t init = 66682880, initrd = 10 * 1000 * 1000;
        uint64_t need = kexec_memory_need(init, initrd);

        CHECK(need >= init + initrd);
        CHECK(need % 4096 == 0);
        CHECK(need <= ALIGN_TO(init, 4096u) + ALIGN_TO(initrd, 4096u) + 2 * MiB);
        CHECK_INT(kexec_memory_need(1, 1), 2 * 4096 + MiB);

        /* Half of RAM: 128 MiB is not enough, 256 MiB is. */
        CHECK(!kexec_memory_fits(need, 128ull * MiB));
        CHECK(kexec_memory_fits(need, 256ull * MiB));
        CHECK(!kexec_memory_fits(need, 0));
        CHECK(kexec_memory_fits(64 * MiB, 128ull * MiB));      /* exactly half: the kernel accepts it */
        CHECK(!kexec_memory_fits(64 * MiB + 4096, 128ull * MiB));
}

int main(void) {
        test_good();
        test_each_refusal();
        test_old_protocol_fields();
        test_pe_signature();
        test_pe_signature_fd();
        test_other_architectures();
        test_elf_and_compressed();
        test_junk_and_short();
        test_verdict_strings();
        test_cmdline_max();
        test_memory_need();
        return test_exit_code();
}
