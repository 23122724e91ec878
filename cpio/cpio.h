/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * newc cpio archives in memory, as the kernel's initramfs unpacker reads them
 * (Documentation/driver-api/early-userspace/buffer-format.rst): a writer, a
 * bounded reader, gzip/xz compression and appending a member to an initramfs.
 *
 * Every function that can fail returns >= 0 on success and -errno on failure;
 * out-parameters (ret_*) are written only on success. Nothing here prints.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Longest name including its NUL, as the kernel's PATH_MAX. */
#define CPIO_PATH_MAX 4096u
/* newc stores sizes, times and ids in 8 hex digits: everything is 32-bit. */
#define CPIO_FILE_SIZE_MAX UINT32_MAX

/* ---- writer ------------------------------------------------------------ */

typedef struct CpioWriter CpioWriter;

#define CPIO_WRITER_MAX_SIZE_DEFAULT (UINT64_C(2) << 30)
#define CPIO_WRITER_MAX_ENTRIES_DEFAULT 65536u

/* -ENOMEM. Free with cpio_writer_free(). */
int cpio_writer_new(CpioWriter **ret);
/* Accepts NULL; returns NULL. Invalidates the buffer from cpio_writer_finish(). */
CpioWriter *cpio_writer_free(CpioWriter *w);

/* Caps on the whole archive (bytes, trailer included) and on the number of
 * entries (implicit parents included). An add that would pass them fails
 * with -EFBIG / -E2BIG and changes nothing. -EINVAL if already exceeded. */
int cpio_writer_set_max_size(CpioWriter *w, uint64_t max_size);
int cpio_writer_set_max_entries(CpioWriter *w, size_t max_entries);

/*
 * Paths are relative to the root of the unpacked tree, "etc/ssh/x"; leading
 * slashes are dropped. Empty, "." and ".." components, a trailing slash and
 * a first component "TRAILER!!!" are -EINVAL; CPIO_PATH_MAX or longer -ENAMETOOLONG.
 * mode holds permission bits only (07777, else -EINVAL); the type comes from
 * the function. mtime must fit newc's 32 bits (-ERANGE).
 *
 * Missing parent directories are created as 0755 root:root, mtime 0. Adding
 * such a directory explicitly later replaces those attributes; adding any
 * path twice otherwise is -EEXIST, a path below a non-directory -ENOTDIR.
 * Note the kernel applies mode and owner of a directory entry to a directory
 * that already exists, so add directories like "tmp" explicitly when the
 * archive is appended to another one.
 *
 * The archive lists entries sorted by path with strcmp(), so parents come
 * before children and the same set of entries gives the same bytes whatever
 * the order of the calls: inode numbers count up from 1 in that order, nlink
 * is 1 (2 for directories), devices and check fields 0.
 *
 * Data is copied. A file larger than CPIO_FILE_SIZE_MAX is -EFBIG.
 * After cpio_writer_finish() every add fails with -EBUSY.
 */
int cpio_writer_add_dir(CpioWriter *w, const char *path, uint32_t mode,
                        uint32_t uid, uint32_t gid, int64_t mtime);
int cpio_writer_add_file(CpioWriter *w, const char *path, uint32_t mode,
                         uint32_t uid, uint32_t gid, int64_t mtime,
                         const void *data, size_t size);
/* target: 1..CPIO_PATH_MAX-1 bytes, stored as is (may be absolute). */
int cpio_writer_add_symlink(CpioWriter *w, const char *path, const char *target,
                            uint32_t uid, uint32_t gid, int64_t mtime);

/* Number of entries added so far, implicit parents included. */
size_t cpio_writer_count(const CpioWriter *w);

/* Lays out the archive and its TRAILER!!! entry; the size is a multiple of 4.
 * The buffer belongs to the writer and lives until cpio_writer_free().
 * Calling it again returns the same buffer. -ENOMEM. */
int cpio_writer_finish(CpioWriter *w, const void **ret_data, size_t *ret_size);

/* ---- reader ------------------------------------------------------------ */

typedef struct CpioArchive CpioArchive;

/* One entry as stored. Pointers stay valid until cpio_archive_free(); data
 * and name may point into the caller's input, which must outlive the archive. */
typedef struct CpioEntry {
        const char *name;        /* as stored: may start with "./" or "/" */
        uint32_t mode;           /* type and permission bits, as st_mode */
        uint32_t uid, gid;
        uint32_t nlink;
        uint32_t mtime;
        uint32_t ino;
        uint32_t dev_major, dev_minor;
        uint32_t rdev_major, rdev_minor;
        const void *data;        /* the body; for a symlink its target */
        size_t size;
        const char *link_target; /* symlinks: NUL-terminated target, else NULL */
        size_t member;           /* which archive of the concatenation, from 0 */
} CpioEntry;

typedef struct CpioReaderLimits {
        size_t max_entries;      /* -E2BIG past it */
        uint64_t max_unpacked;   /* bytes out of all compressed members, -EFBIG */
} CpioReaderLimits;

#define CPIO_READER_MAX_ENTRIES_DEFAULT (1u << 20)
#define CPIO_READER_MAX_UNPACKED_DEFAULT (UINT64_C(2) << 30)

/*
 * Parses an initramfs buffer as the kernel accepts it: a concatenation of
 * newc ("070701") or crc ("070702", regular files' checksums verified)
 * archives at 4-byte aligned offsets, gzip or xz members holding such
 * archives, and NUL padding between them. Stricter than the kernel: every archive must end with
 * TRAILER!!! and its padding, names must be NUL-terminated without embedded
 * NULs, header fields must be hex, and at least one archive must be present.
 * Malformed or truncated input is -EBADMSG, a known but unsupported
 * compression (zstd, lz4, bzip2, lzma, lzo) -EPROTONOSUPPORT, limits -E2BIG /
 * -EFBIG, -ENOMEM. The input must outlive the archive. Free with
 * cpio_archive_free().
 */
int cpio_reader_parse(const void *data, size_t size, CpioArchive **ret);
int cpio_reader_parse_limited(const void *data, size_t size,
                              const CpioReaderLimits *limits, CpioArchive **ret);

CpioArchive *cpio_archive_free(CpioArchive *a);
/* Entries in archive order, TRAILER!!! entries left out. */
size_t cpio_archive_count(const CpioArchive *a);
/* NULL if i is out of range. */
const CpioEntry *cpio_archive_entry(const CpioArchive *a, size_t i);
/* Number of archives (members) in the concatenation. */
size_t cpio_archive_members(const CpioArchive *a);
/* The last entry named path (a later member overrides an earlier one when
 * the kernel unpacks them). Leading "/" and "./" are ignored on both sides.
 * NULL if none. */
const CpioEntry *cpio_archive_find(const CpioArchive *a, const char *path);

/* ---- compression --------------------------------------------------------- */

typedef enum CpioCompression {
        CPIO_COMPRESSION_NONE,
        CPIO_COMPRESSION_GZIP,    /* deflate level 9, gzip framing, mtime 0 */
        CPIO_COMPRESSION_XZ,      /* LZMA2 preset 3, CRC32 check */
        CPIO_COMPRESSION_XZ_X86,  /* the same behind the x86 BCJ filter, for executables */
        _CPIO_COMPRESSION_MAX,
} CpioCompression;

/* Inputs larger than this are refused with -EFBIG. */
#define CPIO_COMPRESS_MAX_INPUT (UINT64_C(4) << 30)

/*
 * Compresses in one member the kernel can unpack: xz uses CRC32 (the
 * kernel's decoder refuses CRC64) and a dictionary of at most 8 MiB, sized
 * down to the input. The output is deterministic. Free *ret with free().
 * -EINVAL for an unknown kind, -EFBIG, -ENOMEM.
 */
int cpio_compress(CpioCompression kind, const void *in, size_t n, void **ret, size_t *ret_size);

/*
 * Decompresses the gzip or xz member at the start of in, detected by its
 * magic, to at most max_out bytes (-EFBIG beyond). *ret_consumed, if not
 * NULL, gets the length of the member so the caller can go on after it.
 * -EBADMSG for corrupt or truncated data or no known magic,
 * -EPROTONOSUPPORT for other compressions and plain cpio, -ENOMEM.
 * Free *ret with free().
 */
int cpio_decompress(const void *in, size_t n, uint64_t max_out,
                    void **ret, size_t *ret_size, size_t *ret_consumed);

/* What the bytes at in start with: CPIO_COMPRESSION_NONE for a cpio magic,
 * _GZIP, _XZ (also for XZ_X86), -EPROTONOSUPPORT for a compression we do not
 * handle, -EBADMSG for anything else. */
int cpio_compression_detect(const void *in, size_t n);

/* "none", "gzip", "xz", "xz-x86"; NULL for an unknown value. */
const char *cpio_compression_to_string(CpioCompression kind);

/* ---- appending ------------------------------------------------------------ */

/* Zero bytes to put after base_size bytes so the next member starts at a
 * 4-byte aligned offset (the kernel looks for "070701" only there and skips
 * NUL bytes between members). */
size_t cpio_append_padding(size_t base_size);

/*
 * base + padding + overlay in a new buffer (free() it). overlay must start
 * with a cpio or gzip/xz magic (-EINVAL); -EFBIG if the sum overflows,
 * -ENOMEM.
 */
int cpio_append(const void *base, size_t base_size, const void *overlay, size_t overlay_size,
                void **ret, size_t *ret_size);

/* The same written to fd at its current offset, retrying short writes and
 * EINTR. -errno of write(2), -EIO if it writes nothing. */
int cpio_append_to_fd(int fd, const void *base, size_t base_size,
                      const void *overlay, size_t overlay_size);
