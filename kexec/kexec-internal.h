/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the kexec/ sources; not part of the public interface. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kexec.h"

/* Probe files are a few bytes; /proc/self/status and /proc/meminfo a few
 * KiB. Anything larger is not what we expect: -EFBIG. */
#define KEXEC_PROBE_FILE_MAX (64u * 1024u)

/* "root" + "path" into buf; NULL or "" root is the real one. */
int kexec_path_join(const char *root, const char *path, char *buf, size_t size);

/* Reads all of root/path into buf (NUL-terminated); returns its length.
 * -EFBIG if it does not fit in size - 1 bytes. */
int kexec_read_file_at(const char *root, const char *path, char *buf, size_t size);

/* A decimal int, surrounding whitespace allowed; -EBADMSG otherwise. */
int kexec_parse_int(const char *s, int *ret);

/* The unload both kexec_unload() and the load guard use. */
int kexec_unload_flags(unsigned long flags);

/* Offsets in struct boot_params, the x86 "zero page"
 * (arch/x86/include/uapi/asm/bootparam.h, Documentation/arch/x86/zero-page.rst). */
#define KEXEC_BP_SCREEN_INFO          0x000     /* 64 bytes */
#define KEXEC_BP_EXT_MEM_K            0x002     /* screen_info.ext_mem_k */
#define KEXEC_BP_ACPI_RSDP_ADDR       0x070
#define KEXEC_BP_EXT_RAMDISK_IMAGE    0x0c0
#define KEXEC_BP_EXT_RAMDISK_SIZE     0x0c4
#define KEXEC_BP_EXT_CMD_LINE_PTR     0x0c8
#define KEXEC_BP_ALT_MEM_K            0x1e0
#define KEXEC_BP_E820_ENTRIES         0x1e8
#define KEXEC_BP_SENTINEL             0x1ef
#define KEXEC_BP_HDR                  0x1f1     /* struct setup_header */
#define KEXEC_BP_HDR_LIMIT            0x290     /* the header ends before this */
#define KEXEC_BP_TYPE_OF_LOADER       0x210
#define KEXEC_BP_LOADFLAGS            0x211
#define KEXEC_BP_CODE32_START         0x214
#define KEXEC_BP_RAMDISK_IMAGE        0x218
#define KEXEC_BP_RAMDISK_SIZE         0x21c
#define KEXEC_BP_CMD_LINE_PTR         0x228
#define KEXEC_BP_HARDWARE_SUBARCH     0x23c
#define KEXEC_BP_HARDWARE_SUBARCH_DATA 0x240
#define KEXEC_BP_SETUP_DATA           0x250
#define KEXEC_BP_E820_TABLE           0x2d0     /* 128 entries of 20 bytes */
#define KEXEC_BP_E820_ENTRY_SIZE      20
