/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "agent-image.h"
#include "agent-log.h"
#include "cpio.h"
#include "fileio.h"
#include "macro.h"

/* The kernel refuses a kexec load above half of MemTotal: a file that large
 * can never load, and reading it first could take all the memory of a small
 * host. Decided by the size alone, before a byte is read. */
static int refuse_beyond_ram(const char *what, const char *path, uint64_t size) {
        uint64_t total, available;

        if (kexec_probe_meminfo(NULL, &total, &available) < 0)
                return 0;       /* no /proc/meminfo: the fixed limit must do */
        if (size > total / 2)
                return log_error(-EFBIG, "%s %s is %llu MiB, but the kernel loads at most half of "
                                 "this machine's %llu MiB of RAM: use a smaller %s",
                                 what, path, (unsigned long long) (size >> 20),
                                 (unsigned long long) (total >> 20), what);
        return 0;
}

/* Opens path for reading and refuses what is not a regular file: a directory,
 * /dev/zero or a pipe would be read forever or make no sense as an image. */
static int open_regular(const char *path, const char *what, size_t max, int *ret_fd) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        struct stat st;
        int r;

        if (fd < 0)
                return log_error_errno(-errno, "cannot open %s %s", what, path);
        if (fstat(fd, &st) < 0)
                return log_error_errno(-errno, "cannot stat %s %s", what, path);
        if (S_ISDIR(st.st_mode))
                return log_error(-EISDIR, "%s %s is a directory, not a file", what, path);
        if (!S_ISREG(st.st_mode))
                return log_error(-EINVAL, "%s %s is not a regular file (a device or a pipe?)", what, path);
        r = refuse_beyond_ram(what, path, (uint64_t) st.st_size);
        if (r < 0)
                return r;
        if ((uint64_t) st.st_size > max)
                return log_error(-EFBIG, "%s %s is %lld bytes, more than the %zu MiB limit",
                                 what, path, (long long) st.st_size, max >> 20);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static int check_kernel(const char *what, const void *data, size_t size, struct kexec_bzimage_info *ret_info) {
        struct kexec_bzimage_info info;
        int r;

        r = kexec_bzimage_inspect(data, size, size, &info);
        if (r < 0)
                return log_error_errno(r, "cannot inspect %s", what);
        if (info.verdict != KEXEC_BZIMAGE_OK)
                return log_error(-ENOEXEC, "%s cannot be loaded by kexec on this machine: %s",
                                 what, kexec_bzimage_verdict_to_string(info.verdict));
        if (ret_info)
                *ret_info = info;
        return 0;
}

int agent_image_read_kernel(const char *path, char **ret_data, size_t *ret_size) {
        _cleanup_free_ char *data = NULL;
        _cleanup_close_ int fd = -EBADF;
        size_t size;
        int r;

        r = open_regular(path, "kernel", AGENT_KERNEL_MAX, &fd);
        if (r < 0)
                return r;
        r = read_full_fd(fd, AGENT_KERNEL_MAX, &data, &size);
        if (r < 0)
                return log_error_errno(r, "cannot read kernel %s", path);
        r = check_kernel(path, data, size, NULL);
        if (r < 0)
                return r;
        *ret_data = TAKE_PTR(data);
        *ret_size = size;
        return 0;
}

int agent_image_read_initrd(const char *path, char **ret_data, size_t *ret_size) {
        _cleanup_free_ char *data = NULL;
        _cleanup_close_ int fd = -EBADF;
        CpioArchive *archive = NULL;
        size_t size;
        int r;

        r = open_regular(path, "initramfs", AGENT_INITRD_MAX, &fd);
        if (r < 0)
                return r;
        r = read_full_fd(fd, AGENT_INITRD_MAX, &data, &size);
        if (r < 0)
                return log_error_errno(r, "cannot read initramfs %s", path);

        r = cpio_reader_parse(data, size, &archive);
        cpio_archive_free(archive);
        if (r == -EPROTONOSUPPORT)
                log_warning("%s uses a compression the agent cannot read (zstd, lz4...): its contents are not checked", path);
        else if (r < 0)
                return log_error(r, "%s is not an initramfs: no newc cpio archive, plain, gzip or xz, could be read from it", path);

        *ret_data = TAKE_PTR(data);
        *ret_size = size;
        return 0;
}

int rescue_image_load(const char *kernel_path, const char *initrd_path, PayloadVerify how, RescueImage *ret) {
        RescueImage img = {};
        const char *reason = NULL, *bad = NULL;
        int r;

        if (!kernel_path != !initrd_path)
                return log_error(-EINVAL, "--kernel and --initrd go together");

        if (kernel_path) {
                r = agent_image_read_kernel(kernel_path, &img.kernel_buf, &img.kernel_size);
                if (r < 0)
                        goto fail;
                r = agent_image_read_initrd(initrd_path, &img.initrd_buf, &img.initrd_size);
                if (r < 0)
                        goto fail;
                img.kernel = img.kernel_buf;
                img.initrd = img.initrd_buf;
        } else {
                r = payload_open(NULL, &img.payload, &reason);
                if (r == -ENOMSG) {
                        r = log_error(r, "this agent carries no rescue image: pass --kernel and --initrd, "
                                         "or use an agent made with 'agent bundle'");
                        goto fail;
                }
                if (r < 0 && reason) {
                        r = log_error(r, "the rescue image bundled in this agent is unusable: %s; "
                                         "copy the agent again and compare its checksum", reason);
                        goto fail;
                }
                if (r < 0) {
                        r = log_error_errno(r, "cannot read this agent's bundled rescue image from /proc/self/exe "
                                               "(is /proc mounted?)");
                        goto fail;
                }
                r = payload_verify(img.payload, how, &bad);
                if (r < 0) {
                        r = log_error(r, "the bundled '%s' does not match its checksum: this copy of the agent "
                                         "is damaged; copy it again", bad);
                        goto fail;
                }
                if (payload_get(img.payload, "kernel", &img.kernel, &img.kernel_size) < 0 ||
                    payload_get(img.payload, "initrd", &img.initrd, &img.initrd_size) < 0) {
                        r = log_error(-EBADMSG, "the bundled payload lacks a kernel or an initramfs");
                        goto fail;
                }
        }

        r = check_kernel(kernel_path ?: "the bundled kernel", img.kernel, img.kernel_size, &img.kernel_info);
        if (r < 0)
                goto fail;
        *ret = img;
        return 0;
fail:
        rescue_image_done(&img);
        return r;
}

void rescue_image_done(RescueImage *img) {
        img->payload = payload_free(img->payload);
        free(img->kernel_buf);
        free(img->initrd_buf);
        *img = (RescueImage) {};
}
