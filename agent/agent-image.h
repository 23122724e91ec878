/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The rescue kernel + initramfs to load: the bundled payload or files the
 * operator named, checked before anything is changed. */
#pragma once

#include <stddef.h>

#include "agent-payload.h"
#include "kexec.h"

#define AGENT_KERNEL_MAX (256u * 1024 * 1024)
#define AGENT_INITRD_MAX (1024u * 1024 * 1024)

typedef struct RescueImage {
        const void *kernel;
        size_t kernel_size;
        const void *initrd;
        size_t initrd_size;
        struct kexec_bzimage_info kernel_info;
        /* owners of the bytes above */
        Payload *payload;
        char *kernel_buf;
        char *initrd_buf;
} RescueImage;

/* Reads a kernel file and checks it is an x86_64 bzImage kexec can load;
 * logs why not. */
int agent_image_read_kernel(const char *path, char **ret_data, size_t *ret_size);
/* Reads an initramfs file and checks it parses as one (gzip/xz/plain cpio;
 * other compressions are accepted unchecked with a warning); logs why not. */
int agent_image_read_initrd(const char *path, char **ret_data, size_t *ret_size);

/* The image go/overlay will use: kernel_path/initrd_path when given, else the
 * payload bundled in this program, its checksums verified as how says.
 * Logs failures. */
int rescue_image_load(const char *kernel_path, const char *initrd_path, PayloadVerify how, RescueImage *ret);
void rescue_image_done(RescueImage *img);
