/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kexec/: put a kernel and an initramfs into sealed memfds, load them with
 * kexec_file_load(2), unload, reboot into them, inspect a bzImage before the
 * kernel does, probe what the host allows, and explain refusals in words.
 *
 * Every function that can fail returns >= 0 on success or -errno. Out-params
 * (ret_*) come last and are written only on success. Nothing here prints. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- memfd (kexec-memfd.c) ------------------------------------------- */

/* kernel_read_file() refuses files larger than INT_MAX: -EFBIG. */
#define KEXEC_FILE_SIZE_MAX ((uint64_t) 0x7fffffff)

/* Reopening a sealed memfd read-only needs /proc/self/fd: returned when
 * /proc is not mounted (kexec_memfd_strerror() says so). */
#define KEXEC_ERR_NO_PROC ENOMEDIUM

/* A new memfd (MFD_CLOEXEC|MFD_ALLOW_SEALING) named name (for
 * /proc/PID/fd, at most 249 bytes). The caller owns *ret_fd. */
int kexec_memfd_new(const char *name, int *ret_fd);

/* Writes all of buf at the current offset, retrying short writes and EINTR.
 * -EFBIG, before writing anything, if the file would grow beyond
 * KEXEC_FILE_SIZE_MAX. Works on pipes too (no size check there). */
int kexec_memfd_write_all(int fd, const void *buf, size_t len);

/* Appends len bytes of src_fd starting at offset (pread: src_fd's offset is
 * untouched). -ENODATA if src_fd ends first. */
int kexec_memfd_copy_range(int fd, int src_fd, uint64_t offset, uint64_t len);

/* Seals fd (shrink, grow, write, seal) and reopens it read-only through
 * /proc/self/fd: kexec_file_load() fails with ETXTBSY while any fd of the
 * file is open for writing (deny_write_access()). Takes ownership of fd and
 * closes it, success or not (pass TAKE_FD(fd)); the caller owns *ret_rofd.
 * Already sealed is fine. -KEXEC_ERR_NO_PROC without /proc. */
int kexec_memfd_seal_readonly(int fd, int *ret_rofd);

/* What a memfd helper's error means; never NULL. */
const char *kexec_memfd_strerror(int err);

/* ---- load, unload, reboot (kexec-load.c) ------------------------------- */

/* The x86_64 COMMAND_LINE_SIZE: longest cmdline in bytes, NUL included.
 * The loaded bzImage may allow less: kexec_bzimage_cmdline_max(). */
#define KEXEC_CMDLINE_MAX 2048

/* Loads kernel_fd (+ initrd_fd, or -1 for none) with cmdline (NULL = "")
 * for the next kexec reboot. flags: 0, or KEXEC_FILE_ON_CRASH from
 * <linux/kexec.h>; KEXEC_FILE_NO_INITRAMFS is set from initrd_fd.
 * -E2BIG for a cmdline longer than KEXEC_CMDLINE_MAX, -EINVAL for other
 * flags; otherwise the kernel's error (kexec_explain_load_error()).
 * A failed load leaves any previously loaded kernel in place. */
int kexec_file_load_fds(int kernel_fd, int initrd_fd, const char *cmdline, unsigned long flags);

/* Unloads the kernel loaded for kexec reboot (KEXEC_FILE_UNLOAD, or
 * kexec_load with no segments where kexec_file_load is missing); 0 also
 * when none was loaded. */
int kexec_unload(void);

/* reboot(LINUX_REBOOT_CMD_KEXEC): returns only on failure (-EINVAL: nothing
 * loaded). Does not sync: the caller decides, since sync() can hang on the
 * dying disk of a broken host. */
int kexec_reboot(void);

/* The load transaction: once a load succeeded, every later failure must
 * unload, so that no kernel stays loaded on a host we promised to leave as
 * it was. Use it as
 *
 *     _cleanup_kexec_load_guard_ struct kexec_load_guard g = {};
 *     r = kexec_load_guarded(&g, kfd, ifd, cmdline, 0);
 *     ...anything that can fail returns: the guard unloads...
 *     r = kexec_reboot();     (returns only on failure: the guard unloads)
 *
 * kexec_load_guard_keep() disarms it when the kernel is meant to stay loaded
 * (a reboot handed to systemd). A signal that kills the process skips the
 * cleanup: handle SIGINT/SIGTERM between load and reboot. */
struct kexec_load_guard {
        bool loaded;
        unsigned long flags;
        /* Set by the caller before loading, for tests only: skip
         * kexec_file_load and take the kexec_load path as if it were
         * missing (AGENT_FORCE_KEXEC_LOAD=1 in the agent). */
        bool force_kexec_load;
        /* Set on success: the kernel was loaded with kexec_load (the x86_64
         * fallback, below), because kexec_file_load is missing (ENOSYS). */
        bool used_kexec_load;
};

/* kexec_file_load_fds(); only when that returns ENOSYS (never after a
 * refusal such as EPERM or a signature error) and flags is 0, the
 * kexec_load fallback kexec_x86_load_fds() with the real root. */
int kexec_load_guarded(struct kexec_load_guard *guard, int kernel_fd, int initrd_fd,
                       const char *cmdline, unsigned long flags);
void kexec_load_guard_keep(struct kexec_load_guard *guard);
/* Unloads if armed; returns the unload's error (the kernel stays loaded). */
int kexec_load_guard_release(struct kexec_load_guard *guard);

static inline void kexec_load_guard_releasep(struct kexec_load_guard *guard) {
        (void) kexec_load_guard_release(guard);
}
#define _cleanup_kexec_load_guard_ __attribute__((cleanup(kexec_load_guard_releasep)))

/* ---- host state probes (kexec-probe.c) --------------------------------- */
/* root prefixes every path ("/tmp/fake" reads /tmp/fake/proc/...); NULL or
 * "" means the real root. Any of the files may be missing: -ENOENT. */

enum kexec_lockdown {
        KEXEC_LOCKDOWN_NONE,
        KEXEC_LOCKDOWN_INTEGRITY,
        KEXEC_LOCKDOWN_CONFIDENTIALITY,
        KEXEC_LOCKDOWN_UNKNOWN,        /* unreadable, or a mode we do not know */
};

enum kexec_secure_boot {
        KEXEC_SECURE_BOOT_NOT_EFI,     /* no /sys/firmware/efi: BIOS boot */
        KEXEC_SECURE_BOOT_DISABLED,
        KEXEC_SECURE_BOOT_ENABLED,
        KEXEC_SECURE_BOOT_UNKNOWN,     /* EFI, but the variable is unreadable */
};

/* /sys/kernel/kexec_loaded: 1 or 0. -ENOENT: a kernel without kexec. */
int kexec_probe_loaded(const char *root);
/* /sys/kernel/kexec_crash_loaded: 1 or 0 (a kdump kernel is loaded). */
int kexec_probe_crash_loaded(const char *root);
/* /proc/sys/kernel/kexec_load_disabled: 1 or 0 (1 is one-way until boot). */
int kexec_probe_load_disabled(const char *root);
/* /proc/sys/kernel/kexec_load_limit_reboot (Linux >= 6.6): loads left,
 * -1 unlimited. */
int kexec_probe_load_limit_reboot(const char *root, int *ret_limit);
/* /sys/kernel/security/lockdown: the mode in brackets. -ENOENT: no lockdown
 * LSM or securityfs not mounted. An unknown word: KEXEC_LOCKDOWN_UNKNOWN. */
int kexec_probe_lockdown(const char *root, enum kexec_lockdown *ret);
/* The EFI SecureBoot variable (efivarfs, else the old sysfs efivars). */
int kexec_probe_secure_boot(const char *root, enum kexec_secure_boot *ret);
/* /sys/firmware/efi/fw_platform_size: 64 or 32; 0 when not booted by EFI.
 * kexec_file_load refuses (ENOEXEC) under 32-bit EFI. */
int kexec_probe_efi_platform_size(const char *root);
/* CAP_SYS_BOOT in /proc/self/status CapEff: 1 or 0. */
int kexec_probe_cap_sys_boot(const char *root);
/* 1 when /proc/self/uid_map is not the initial namespace's identity map:
 * capabilities there do not count for kexec (a container). */
int kexec_probe_user_namespace(const char *root);
/* MemTotal and MemAvailable of /proc/meminfo, in bytes. */
int kexec_probe_meminfo(const char *root, uint64_t *ret_total, uint64_t *ret_available);
/* Whether the running kernel has kexec_file_load, asked without loading:
 * the kernel checks permission, then refuses flags it does not know with
 * EINVAL before it takes the kexec lock or reads an fd; ENOSYS means the
 * syscall is missing (or a seccomp filter hides it). 1 yes, 0 no; -EPERM:
 * cannot tell. Goes through the syscall seam (the fake in unit tests). */
int kexec_probe_file_load_syscall(void);

/* Everything above in one go, for the preflight and the explanations.
 * Fields a probe could not read hold -errno, UNKNOWN, or 0 bytes. */
struct kexec_host_state {
        int loaded;
        int crash_loaded;
        int load_disabled;
        int load_limit_reboot_r;       /* 0 if load_limit_reboot was read */
        int load_limit_reboot;
        int cap_sys_boot;
        int user_namespace;
        int efi_platform_size;
        enum kexec_lockdown lockdown;
        enum kexec_secure_boot secure_boot;
        uint64_t mem_total;
        uint64_t mem_available;
};
void kexec_probe_host(const char *root, struct kexec_host_state *ret);

const char *kexec_lockdown_to_string(enum kexec_lockdown l);
const char *kexec_secure_boot_to_string(enum kexec_secure_boot s);

/* ---- bzImage inspection (kexec-bzimage.c) ------------------------------ */

/* What the file is, as far as kexec_file_load on x86_64 is concerned.
 * Only KEXEC_BZIMAGE_OK passes the kernel's bzImage64 probe. */
enum kexec_bzimage_verdict {
        KEXEC_BZIMAGE_OK,
        KEXEC_BZIMAGE_TOO_SHORT,       /* shorter than the 1024 bytes of a boot sector + header */
        KEXEC_BZIMAGE_TRUNCATED,       /* shorter than its own setup sectors */
        KEXEC_BZIMAGE_UNKNOWN,         /* no kernel magic we know */
        KEXEC_BZIMAGE_ELF,             /* an uncompressed vmlinux */
        KEXEC_BZIMAGE_COMPRESSED,      /* gzip/xz/zstd/bzip2/lz4 data, not a bootable image */
        KEXEC_BZIMAGE_ARM64,           /* arm64 Image */
        KEXEC_BZIMAGE_RISCV,           /* RISC-V Image */
        KEXEC_BZIMAGE_EFI_ZBOOT,       /* EFI zboot (compressed arm64/riscv/loongarch) */
        KEXEC_BZIMAGE_PE_NOT_LINUX,    /* a PE/EFI binary without the x86 boot header (e.g. a UKI) */
        KEXEC_BZIMAGE_NO_BOOT_FLAG,    /* "HdrS" but no 0xAA55 boot flag */
        KEXEC_BZIMAGE_ZIMAGE,          /* loaded low: an ancient zImage */
        KEXEC_BZIMAGE_PROTOCOL_TOO_OLD,/* boot protocol < 2.12 (Linux < 3.8) */
        KEXEC_BZIMAGE_NOT_64BIT,       /* no XLF_KERNEL_64: a 32-bit x86 kernel */
        KEXEC_BZIMAGE_NOT_ABOVE_4G,    /* no XLF_CAN_BE_LOADED_ABOVE_4G */
        KEXEC_BZIMAGE_NOT_RELOCATABLE, /* built without CONFIG_RELOCATABLE */
        _KEXEC_BZIMAGE_VERDICT_MAX,
};

/* xloadflags bits (boot protocol 2.12+) */
#define KEXEC_XLF_KERNEL_64              (1u << 0)
#define KEXEC_XLF_CAN_BE_LOADED_ABOVE_4G (1u << 1)
#define KEXEC_XLF_EFI_HANDOVER_32        (1u << 2)
#define KEXEC_XLF_EFI_HANDOVER_64        (1u << 3)
#define KEXEC_XLF_EFI_KEXEC              (1u << 4)
#define KEXEC_XLF_5LEVEL                 (1u << 5)

struct kexec_bzimage_info {
        enum kexec_bzimage_verdict verdict;
        uint64_t file_size;
        uint16_t protocol;             /* 0x020f is 2.15; 0 without "HdrS" */
        uint8_t setup_sects;           /* 0 already replaced by 4 */
        uint8_t loadflags;
        uint16_t xloadflags;           /* 0 before 2.12 */
        bool relocatable;              /* 2.05+ */
        uint32_t kernel_alignment;     /* 2.05+ */
        uint32_t cmdline_size;         /* longest cmdline without the NUL; 255 before 2.06 */
        uint32_t init_size;            /* memory the kernel needs to boot; 0 before 2.10 */
        uint32_t initrd_addr_max;      /* highest initrd byte; 0x37ffffff before 2.03 */
        uint64_t pref_address;         /* preferred load address; 0 before 2.10 */
        bool pe;                       /* "MZ" + PE header: an EFI stub */
        uint16_t pe_machine;           /* 0x8664 x86_64, 0xaa64 arm64 */
        bool pe_signed;                /* a certificate table inside the file */
        uint32_t pe_cert_offset;
        uint32_t pe_cert_size;
        uint16_t elf_machine;          /* e_machine of an ELF (62 is x86_64) */
};

/* Inspects the first head_len bytes of a file of file_size bytes (64 KiB of
 * head is plenty). Returns 0 with the verdict in *ret (an arm64 Image is a
 * successful inspection with a bad verdict); -EINVAL for bad arguments. */
int kexec_bzimage_inspect(const void *head, size_t head_len, uint64_t file_size,
                          struct kexec_bzimage_info *ret);
/* The same from an fd (pread: the offset is untouched); with an fd it also
 * checks that the certificate table holds a PKCS#7 WIN_CERTIFICATE. */
int kexec_bzimage_inspect_fd(int fd, struct kexec_bzimage_info *ret);
/* One line in words; never NULL. */
const char *kexec_bzimage_verdict_to_string(enum kexec_bzimage_verdict v);
/* Longest cmdline in bytes, NUL included, that kexec_file_load accepts for
 * this image: the kernel keeps 30 bytes of cmdline_size for "elfcorehdr=". */
size_t kexec_bzimage_cmdline_max(const struct kexec_bzimage_info *info);

/* Bytes of RAM the kernel counts for a load: init_size (not the file size)
 * and the initrd, page-aligned, plus purgatory and boot parameters. The
 * kernel refuses loads above half of MemTotal (EINVAL). */
uint64_t kexec_memory_need(uint64_t init_size, uint64_t initrd_size);
/* Whether need fits in half of mem_total (bytes). */
bool kexec_memory_fits(uint64_t need, uint64_t mem_total);

/* ---- errors in words (kexec-error.c) ----------------------------------- */

/* What the caller knows about the failed load; 0 means unknown. */
struct kexec_load_facts {
        uint64_t kernel_init_size;     /* from kexec_bzimage_inspect() */
        uint64_t kernel_file_size;
        uint64_t initrd_size;
        size_t cmdline_len;            /* NUL included */
        size_t cmdline_max;            /* kexec_bzimage_cmdline_max() */
};

struct kexec_explanation {
        const char *summary;           /* what happened, one line (static) */
        const char *advice;            /* what to do (static) */
        char detail[384];              /* the facts behind it; may be "" */
};

/* Explains a kexec_file_load_fds() error. host (may be NULL: no facts) comes
 * from kexec_probe_host(); it picks which of several causes applies, e.g.
 * for EPERM: no CAP_SYS_BOOT, a container, kexec_load_disabled, lockdown. */
void kexec_explain_load_error(int err, const struct kexec_host_state *host,
                              const struct kexec_load_facts *facts,
                              struct kexec_explanation *ret);
/* Explains a kexec_reboot() error. */
void kexec_explain_reboot_error(int err, const struct kexec_host_state *host,
                                struct kexec_explanation *ret);
/* The summary of kexec_explain_load_error() without facts; never NULL. */
const char *kexec_strerror_load(int err);

/* ---- the firmware memory map (kexec-memmap.c) -------------------------- */

/* boot_params holds 128 e820 entries (E820_MAX_ENTRIES_ZEROPAGE). */
#define KEXEC_MEMMAP_MAX 128

/* e820 types (arch/x86/include/asm/e820/types.h). */
enum kexec_e820_type {
        KEXEC_E820_RAM           = 1,
        KEXEC_E820_RESERVED      = 2,
        KEXEC_E820_ACPI          = 3,
        KEXEC_E820_NVS           = 4,
        KEXEC_E820_UNUSABLE      = 5,
        KEXEC_E820_PMEM          = 7,
        KEXEC_E820_PRAM          = 12,
        KEXEC_E820_SOFT_RESERVED = 0xefffffff,
};

struct kexec_memmap_entry {
        uint64_t addr;
        uint64_t size;
        uint32_t type;                 /* enum kexec_e820_type */
};

struct kexec_memmap {
        size_t n;
        struct kexec_memmap_entry entries[KEXEC_MEMMAP_MAX];   /* sorted by addr */
};

/* The memory map the firmware gave the running kernel, as the next kernel
 * must get it: /sys/firmware/memmap (CONFIG_FIRMWARE_MEMMAP), else the e820
 * table of /sys/kernel/boot_params/data. Adjacent entries of one type are
 * merged; -E2BIG beyond KEXEC_MEMMAP_MAX, -ENODATA without any RAM. */
int kexec_memmap_read(const char *root, struct kexec_memmap *ret);
/* The e820 type of a /sys/firmware/memmap/N/type string; unknown words are
 * KEXEC_E820_RESERVED. */
uint32_t kexec_e820_type_from_string(const char *s);

/* ---- kexec_load of an x86_64 bzImage (kexec-load-x86.c) ---------------- */
/* For kernels without kexec_file_load (ENOSYS): we do in user space what
 * the kernel's bzImage64 loader does, and bring our own purgatory
 * (purgatory-x86_64.S): it loads a flat GDT, sets rsi to boot_params and
 * jumps to the kernel's 64-bit entry. No SHA-256 pass over the segments. */

/* What of the running system goes into the next kernel's boot_params. */
struct kexec_x86_host {
        struct kexec_memmap memmap;
        uint64_t acpi_rsdp_addr;       /* 0: the kernel scans the BIOS area */
        bool have_boot_params;         /* the fields below were read */
        uint8_t screen_info[64];
        uint32_t hardware_subarch;
        uint64_t hardware_subarch_data;
};

/* The memory map, the ACPI RSDP (/sys/firmware/efi/systab, else boot_params)
 * and screen_info of /sys/kernel/boot_params/data. Only a missing memory
 * map fails (kexec_memmap_read()). */
int kexec_x86_host_read(const char *root, struct kexec_x86_host *ret);

/* purgatory, boot_params + cmdline, kernel, initrd (if any), in this order */
enum {
        KEXEC_X86_SEG_PURGATORY,
        KEXEC_X86_SEG_BOOT,
        KEXEC_X86_SEG_KERNEL,
        KEXEC_X86_SEG_INITRD,
        _KEXEC_X86_SEG_MAX,
};

struct kexec_x86_segment {
        const void *buf;               /* bufsz bytes; the rest of memsz is zeroed */
        size_t bufsz;
        uint64_t mem;                  /* physical address, page aligned */
        uint64_t memsz;                /* page multiple */
};

/* Bytes of boot_params (the "zero page"). */
#define KEXEC_X86_BOOT_PARAMS_SIZE 4096u

struct kexec_x86_load {
        uint64_t entry;                /* where the kernel jumps: the purgatory */
        uint64_t kernel_entry;         /* kernel load address + 0x200 */
        uint64_t boot_params_addr;
        uint64_t cmdline_addr;
        size_t n_segments;
        struct kexec_x86_segment segments[_KEXEC_X86_SEG_MAX];
        /* owned: the purgatory with its parameters, boot_params + cmdline */
        uint8_t *purgatory;
        uint8_t *boot;
};

/* Lays out kernel (a whole bzImage) and initrd (NULL/0: none) with cmdline
 * (NULL = "") in host's usable RAM, below 4 GiB: the kernel at the first
 * address >= pref_address aligned to kernel_alignment with init_size room,
 * the initrd as high as initrd_addr_max allows, boot_params, cmdline and
 * purgatory in low memory (below 1 MiB) where there is room. The segments
 * point into kernel and initrd: keep them mapped until loaded. -ENOEXEC for
 * an image without the 64-bit entry or not relocatable, -E2BIG for a
 * cmdline longer than the image's cmdline_size, -EADDRNOTAVAIL when
 * something does not fit, -ENOSYS on builds for other architectures.
 * Free with kexec_x86_load_done(). */
int kexec_x86_load_prepare(const struct kexec_x86_host *host, const void *kernel, size_t kernel_size,
                           const void *initrd, size_t initrd_size, const char *cmdline,
                           struct kexec_x86_load *ret);
void kexec_x86_load_done(struct kexec_x86_load *l);

/* Reads the host (kexec_x86_host_read(root)), maps the two fds read-only
 * and loads them with kexec_load(2) for the next kexec reboot. initrd_fd
 * -1: none. Errors: the above, or the kernel's (EPERM, EBUSY, EINVAL for
 * more than half of RAM, ENOSYS without CONFIG_KEXEC). */
int kexec_x86_load_fds(const char *root, int kernel_fd, int initrd_fd, const char *cmdline);
