/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Appends a member to an initramfs. The kernel walks the buffer keeping an
 * offset from its start and takes "070701" as a header only at a multiple
 * of 4, skipping NUL bytes in between (init/initramfs.c): so the overlay
 * goes after zero padding up to the next 4-byte boundary.
 */

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpio-internal.h"
#include "fileio.h"
#include "cpio.h"
#include "macro.h"

static const uint8_t zeros[CPIO_ALIGN];

size_t cpio_append_padding(size_t base_size) {
        return (CPIO_ALIGN - base_size % CPIO_ALIGN) % CPIO_ALIGN;
}

/* Refuses an overlay the kernel would stop at with "invalid magic". */
static int check_overlay(const void *overlay, size_t overlay_size) {
        int r = cpio_compression_detect(overlay, overlay_size);

        return r < 0 ? -EINVAL : 0;
}

static int total_size(size_t base_size, size_t overlay_size, size_t *ret) {
        size_t pad = cpio_append_padding(base_size), n;

        if (__builtin_add_overflow(base_size, pad, &n) ||
            __builtin_add_overflow(n, overlay_size, &n))
                return -EFBIG;
        *ret = n;
        return 0;
}

int cpio_append(const void *base, size_t base_size, const void *overlay, size_t overlay_size,
                void **ret, size_t *ret_size) {
        size_t n;
        int r;

        if ((!base && base_size > 0) || !ret || !ret_size)
                return -EINVAL;
        r = check_overlay(overlay, overlay_size);
        if (r < 0)
                return r;
        r = total_size(base_size, overlay_size, &n);
        if (r < 0)
                return r;

        uint8_t *p = malloc(n);
        if (!p)
                return -ENOMEM;

        size_t pad = cpio_append_padding(base_size);
        if (base_size > 0)
                memcpy(p, base, base_size);
        memset(p + base_size, 0, pad);
        memcpy(p + base_size + pad, overlay, overlay_size);

        *ret = p;
        *ret_size = n;
        return 0;
}

int cpio_append_to_fd(int fd, const void *base, size_t base_size,
                      const void *overlay, size_t overlay_size) {
        size_t n;
        int r;

        if (fd < 0 || (!base && base_size > 0))
                return -EINVAL;
        r = check_overlay(overlay, overlay_size);
        if (r < 0)
                return r;
        r = total_size(base_size, overlay_size, &n);
        if (r < 0)
                return r;

        r = write_all(fd, base, base_size);
        if (r < 0)
                return r;
        r = write_all(fd, zeros, cpio_append_padding(base_size));
        if (r < 0)
                return r;
        return write_all(fd, overlay, overlay_size);
}
