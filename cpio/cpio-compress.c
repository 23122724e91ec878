/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gzip and xz members for an initramfs, in memory. zlib and liblzma codes
 * are turned into -errno here and go no further.
 */

#include <limits.h>
#include <lzma.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cpio-internal.h"
#include "cpio.h"
#include "macro.h"

/* zlib counts in uInt: feed it at most this much at a time. */
#define ZLIB_CHUNK ((size_t) 1 << 30)
/* Enough for xz -9 (64 MiB dictionary); bounds what a hostile header can
 * make us allocate. */
#define XZ_DECODER_MEMLIMIT (UINT64_C(96) << 20)
/* The kernel allocates the whole dictionary while unpacking (lib/xz in
 * multi-call mode); 8 MiB is what xz -6, the usual initramfs setting, uses. */
#define XZ_DICT_MAX (UINT32_C(8) << 20)

static const uint8_t magic_gzip[] = { 0x1f, 0x8b };
static const uint8_t magic_xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };

/* Formats the kernel may also accept but we neither write nor read. */
static const struct {
        uint8_t magic[4];
        size_t len;
} magic_unsupported[] = {
        { { 0x28, 0xb5, 0x2f, 0xfd }, 4 },      /* zstd */
        { { 0x02, 0x21, 0x4c, 0x18 }, 4 },      /* lz4 legacy */
        { { 'B', 'Z', 'h' }, 3 },               /* bzip2 */
        { { 0x5d, 0x00, 0x00 }, 3 },            /* lzma alone */
        { { 0x89, 'L', 'Z', 'O' }, 4 },         /* lzop */
        { { 0x1f, 0x9e }, 2 },                  /* old gzip */
};

static bool has_prefix(const uint8_t *p, size_t n, const uint8_t *magic, size_t len) {
        return n >= len && memcmp(p, magic, len) == 0;
}

int cpio_compression_detect(const void *in, size_t n) {
        const uint8_t *p = in;

        if (n == 0 || !in)
                return -EBADMSG;
        if (n >= CPIO_MAGIC_LEN && memcmp(p, "07070", CPIO_MAGIC_LEN - 1) == 0)
                return CPIO_COMPRESSION_NONE;
        if (has_prefix(p, n, magic_gzip, sizeof(magic_gzip)))
                return CPIO_COMPRESSION_GZIP;
        if (has_prefix(p, n, magic_xz, sizeof(magic_xz)))
                return CPIO_COMPRESSION_XZ;
        for (size_t i = 0; i < ELEMENTSOF(magic_unsupported); i++)
                if (has_prefix(p, n, magic_unsupported[i].magic, magic_unsupported[i].len))
                        return -EPROTONOSUPPORT;
        return -EBADMSG;
}

const char *cpio_compression_to_string(CpioCompression kind) {
        static const char *const names[_CPIO_COMPRESSION_MAX] = {
                [CPIO_COMPRESSION_NONE] = "none",
                [CPIO_COMPRESSION_GZIP] = "gzip",
                [CPIO_COMPRESSION_XZ] = "xz",
                [CPIO_COMPRESSION_XZ_X86] = "xz-x86",
        };

        if ((unsigned) kind >= _CPIO_COMPRESSION_MAX)
                return NULL;
        return names[kind];
}

static int zlib_to_errno(int z) {
        switch (z) {
        case Z_MEM_ERROR:
                return -ENOMEM;
        case Z_DATA_ERROR:
        case Z_NEED_DICT:
        case Z_BUF_ERROR:       /* no progress possible: input ends early */
                return -EBADMSG;
        default:
                return -EINVAL;
        }
}

static int lzma_to_errno(lzma_ret l) {
        switch (l) {
        case LZMA_MEM_ERROR:
                return -ENOMEM;
        case LZMA_MEMLIMIT_ERROR:
                return -EFBIG;
        case LZMA_FORMAT_ERROR:
        case LZMA_DATA_ERROR:
        case LZMA_BUF_ERROR:    /* input ends early */
                return -EBADMSG;
        case LZMA_OPTIONS_ERROR:
        case LZMA_UNSUPPORTED_CHECK:
                return -EPROTONOSUPPORT;
        default:
                return -EINVAL;
        }
}

/* A growable output buffer with a hard cap. */
typedef struct OutBuf {
        uint8_t *data;
        size_t size, allocated;
        uint64_t max;
} OutBuf;

/* Makes room for more output, up to one byte past the cap: a decoder that
 * fills that byte proves the output too large (and an empty output still
 * gets a buffer). */
static int outbuf_grow(OutBuf *o) {
        size_t limit = o->max >= SIZE_MAX ? SIZE_MAX : (size_t) o->max + 1;

        if (o->allocated >= limit)
                return -EFBIG;

        size_t n = o->allocated < 65536 ? 65536 : o->allocated * 2;
        if (n > limit)
                n = limit;
        uint8_t *p = realloc(o->data, n);
        if (!p)
                return -ENOMEM;
        o->data = p;
        o->allocated = n;
        return 0;
}

/* Hands the buffer over, trimmed; an empty output is a valid 1-byte
 * allocation so callers always get something to free(). */
static void outbuf_take(OutBuf *o, void **ret, size_t *ret_size) {
        uint8_t *p = realloc(o->data, MAX(o->size, (size_t) 1));

        *ret = p ?: o->data;
        *ret_size = o->size;
        *o = (OutBuf) {};
}

static void z_end_deflate(z_stream *z) {
        deflateEnd(z);
}

static void z_end_inflate(z_stream *z) {
        inflateEnd(z);
}

static int compress_gzip(const uint8_t *in, size_t n, void **ret, size_t *ret_size) {
        _cleanup_(z_end_deflate) z_stream z = {};
        _cleanup_free_ uint8_t *out = NULL;
        int r;

        /* gzip framing (16 +) around a window no larger than the input
         * needs (at most 32 KiB), and a hash table to match: zlib clears
         * and allocates them whatever the input, and for the few KiB of
         * go's overlay that was most of the work. Without a header set,
         * zlib writes mtime 0 and no name: the output is reproducible. */
        int bits = 9;

        while (bits < 15 && ((size_t) 1 << bits) < n)
                bits++;
        r = deflateInit2(&z, 9, Z_DEFLATED, 16 + bits, bits - 6, Z_DEFAULT_STRATEGY);
        if (r != Z_OK)
                return zlib_to_errno(r);

        size_t bound = deflateBound(&z, n);
        out = malloc(bound);
        if (!out)
                return -ENOMEM;

        size_t in_left = n, out_pos = 0;
        z.next_in = (uint8_t *) in;
        do {
                size_t feed = MIN(in_left, ZLIB_CHUNK);
                z.avail_in = (uInt) feed;
                z.next_out = out + out_pos;
                z.avail_out = (uInt) MIN(bound - out_pos, ZLIB_CHUNK);
                r = deflate(&z, feed == in_left ? Z_FINISH : Z_NO_FLUSH);
                in_left -= feed - z.avail_in;
                out_pos = (size_t) (z.next_out - out);
                if (r != Z_OK && r != Z_STREAM_END)
                        return zlib_to_errno(r);
        } while (r != Z_STREAM_END);

        *ret_size = out_pos;
        *ret = TAKE_PTR(out);
        return 0;
}

static uint32_t xz_dict_size(size_t n) {
        uint32_t dict = LZMA_DICT_SIZE_MIN;

        /* A dictionary larger than the input buys nothing but costs the
         * kernel memory while it unpacks. */
        while (dict < XZ_DICT_MAX && dict < n)
                dict <<= 1;
        return dict;
}

static int compress_xz(const uint8_t *in, size_t n, bool bcj_x86, void **ret, size_t *ret_size) {
        lzma_options_lzma opt;
        lzma_filter filters[3];
        size_t i = 0, pos = 0;
        lzma_ret l;

        /* Compressed at every go, on whatever CPU the broken host has: preset
         * 3 takes a third of the time of 9e on the overlay (the bare agent
         * dominates it) for about 5% more bytes. */
        if (lzma_lzma_preset(&opt, 3))
                return -EINVAL;
        opt.dict_size = xz_dict_size(n);

        /* The kernel's decoder knows BCJ x86 (XZ_DEC_X86) in front of LZMA2. */
        if (bcj_x86)
                filters[i++] = (lzma_filter) { .id = LZMA_FILTER_X86 };
        filters[i++] = (lzma_filter) { .id = LZMA_FILTER_LZMA2, .options = &opt };
        filters[i] = (lzma_filter) { .id = LZMA_VLI_UNKNOWN };

        size_t bound = lzma_stream_buffer_bound(n);
        if (bound == 0)
                return -EFBIG;
        _cleanup_free_ uint8_t *out = malloc(bound);
        if (!out)
                return -ENOMEM;

        /* CRC32: the kernel's xz decoder refuses CRC64 and SHA-256. The
         * single-call encoder is single-threaded, hence deterministic. */
        l = lzma_stream_buffer_encode(filters, LZMA_CHECK_CRC32, NULL, in, n, out, &pos, bound);
        if (l != LZMA_OK)
                return lzma_to_errno(l);

        *ret_size = pos;
        *ret = TAKE_PTR(out);
        return 0;
}

int cpio_compress(CpioCompression kind, const void *in, size_t n, void **ret, size_t *ret_size) {
        if ((!in && n > 0) || !ret || !ret_size)
                return -EINVAL;
        if (n > CPIO_COMPRESS_MAX_INPUT)
                return -EFBIG;

        switch (kind) {
        case CPIO_COMPRESSION_NONE: {
                void *p = malloc(MAX(n, (size_t) 1));
                if (!p)
                        return -ENOMEM;
                if (n > 0)
                        memcpy(p, in, n);
                *ret = p;
                *ret_size = n;
                return 0;
        }
        case CPIO_COMPRESSION_GZIP:
                return compress_gzip(in, n, ret, ret_size);
        case CPIO_COMPRESSION_XZ:
        case CPIO_COMPRESSION_XZ_X86:
                return compress_xz(in, n, kind == CPIO_COMPRESSION_XZ_X86, ret, ret_size);
        default:
                return -EINVAL;
        }
}

static int decompress_gzip(const uint8_t *in, size_t n, OutBuf *o, size_t *ret_consumed) {
        _cleanup_(z_end_inflate) z_stream z = {};
        size_t in_pos = 0;
        int r;

        /* 16 + 15: gzip framing only, one member; what follows it is the
         * caller's business (padding or the next member). */
        r = inflateInit2(&z, 16 + 15);
        if (r != Z_OK)
                return zlib_to_errno(r);

        for (;;) {
                if (o->size == o->allocated) {
                        r = outbuf_grow(o);
                        if (r < 0)
                                return r;
                }
                size_t feed = MIN(n - in_pos, ZLIB_CHUNK);
                size_t room = MIN(o->allocated - o->size, ZLIB_CHUNK);
                z.next_in = (uint8_t *) in + in_pos;
                z.avail_in = (uInt) feed;
                z.next_out = o->data + o->size;
                z.avail_out = (uInt) room;

                r = inflate(&z, Z_NO_FLUSH);
                in_pos += feed - z.avail_in;
                o->size += room - z.avail_out;
                if (o->size > o->max)
                        return -EFBIG;
                if (r == Z_STREAM_END)
                        break;
                if (r == Z_BUF_ERROR && z.avail_out == 0)
                        continue;       /* only needs more room */
                if (r != Z_OK)
                        return zlib_to_errno(r);
                if (in_pos == n && z.avail_out > 0)
                        return -EBADMSG;        /* input ends inside the member */
        }

        *ret_consumed = in_pos;
        return 0;
}

static void lzma_endp(lzma_stream *s) {
        lzma_end(s);
}

static int decompress_xz(const uint8_t *in, size_t n, OutBuf *o, size_t *ret_consumed) {
        _cleanup_(lzma_endp) lzma_stream s = LZMA_STREAM_INIT;
        lzma_ret l;
        int r;

        /* One stream, no LZMA_CONCATENATED: stream padding and whatever
         * follows are left for the caller, as the kernel does. */
        l = lzma_stream_decoder(&s, XZ_DECODER_MEMLIMIT, 0);
        if (l != LZMA_OK)
                return lzma_to_errno(l);

        s.next_in = in;
        s.avail_in = n;
        for (;;) {
                if (o->size == o->allocated) {
                        r = outbuf_grow(o);
                        if (r < 0)
                                return r;
                }
                s.next_out = o->data + o->size;
                s.avail_out = o->allocated - o->size;

                l = lzma_code(&s, LZMA_FINISH);
                o->size = (size_t) (s.next_out - o->data);
                if (o->size > o->max)
                        return -EFBIG;
                if (l == LZMA_STREAM_END)
                        break;
                if (l == LZMA_BUF_ERROR && s.avail_out == 0)
                        continue;
                if (l != LZMA_OK)
                        return lzma_to_errno(l);
        }

        *ret_consumed = n - s.avail_in;
        return 0;
}

int cpio_decompress(const void *in, size_t n, uint64_t max_out,
                    void **ret, size_t *ret_size, size_t *ret_consumed) {
        OutBuf o = { .max = MIN(max_out, (uint64_t) SIZE_MAX) };
        size_t consumed = 0;
        int r;

        if (!ret || !ret_size)
                return -EINVAL;

        r = cpio_compression_detect(in, n);
        if (r < 0)
                return r;
        if (r == CPIO_COMPRESSION_GZIP)
                r = decompress_gzip(in, n, &o, &consumed);
        else if (r == CPIO_COMPRESSION_XZ)
                r = decompress_xz(in, n, &o, &consumed);
        else
                r = -EPROTONOSUPPORT;   /* not compressed */
        if (r < 0) {
                free(o.data);
                return r;
        }

        outbuf_take(&o, ret, ret_size);
        if (ret_consumed)
                *ret_consumed = consumed;
        return 0;
}
