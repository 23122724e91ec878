/* SPDX-License-Identifier: GPL-2.0-or-later */
/* See fake-kexec-syscall.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <stdint.h>
#include <unistd.h>

#include <linux/kexec.h>
#include <linux/reboot.h>

#include "fake-kexec-syscall.h"
#include "kexec-syscall.h"

/* The kernel's KEXEC_FILE_FLAGS as of Linux 6.x (bit 3: KEXEC_FILE_DEBUG). */
#define FAKE_KNOWN_FLAGS (KEXEC_FILE_UNLOAD | KEXEC_FILE_ON_CRASH | KEXEC_FILE_NO_INITRAMFS | 0x8UL)

struct fake_kexec fake_kexec;

void fake_kexec_reset(void) {
        memset(&fake_kexec, 0, sizeof(fake_kexec));
}

const struct fake_kexec_file_load_call *fake_kexec_last_call(void) {
        unsigned n = fake_kexec.n_file_load;

        if (n == 0)
                return NULL;
        if (n > FAKE_KEXEC_MAX_CALLS)
                n = FAKE_KEXEC_MAX_CALLS;
        return &fake_kexec.calls[n - 1];
}

/* deny_write_access(): is any fd of this process that refers to the same
 * inode open for writing? (Other processes do not exist in a unit test.) */
static bool open_for_writing(int fd) {
        struct stat want;
        DIR *d;
        struct dirent *de;
        bool found = false;

        if (fstat(fd, &want) < 0)
                return false;
        d = opendir("/proc/self/fd");
        if (!d)
                return false;
        while ((de = readdir(d))) {
                struct stat st;
                int other, fl;

                if (de->d_name[0] == '.')
                        continue;
                other = atoi(de->d_name);
                if (other == dirfd(d) || fstat(other, &st) < 0)
                        continue;
                if (st.st_dev != want.st_dev || st.st_ino != want.st_ino)
                        continue;
                fl = fcntl(other, F_GETFL);
                if (fl >= 0 && (fl & O_ACCMODE) != O_RDONLY) {
                        found = true;
                        break;
                }
        }
        closedir(d);
        return found;
}

/* kernel_read_file_from_fd(): a readable regular file, nobody writing. */
static int emulate_read_file(int fd, int *ret_accmode, int *ret_seals) {
        struct stat st;
        int fl = fcntl(fd, F_GETFL);

        *ret_accmode = fl < 0 ? -1 : fl & O_ACCMODE;
        *ret_seals = fcntl(fd, F_GET_SEALS);
        if (fl < 0 || (fl & O_ACCMODE) == O_WRONLY)
                return -EBADF;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return -EINVAL;
        if (open_for_writing(fd))
                return -ETXTBSY;
        return 0;
}

static int emulate_file_load(struct fake_kexec_file_load_call *c, const char *cmdline) {
        int r;

        /* The kernel's order: permission (where injected errors like EPERM
         * belong), then flags, then the unload or the load. */
        if (!(c->flags & KEXEC_FILE_UNLOAD) && fake_kexec.file_load_errno)
                return -fake_kexec.file_load_errno;
        if (c->flags & ~FAKE_KNOWN_FLAGS)
                return -EINVAL;
        if (c->flags & KEXEC_FILE_UNLOAD) {
                fake_kexec.n_unload++;
                if (fake_kexec.unload_errno)
                        return -fake_kexec.unload_errno;
                if (!(c->flags & KEXEC_FILE_ON_CRASH))
                        fake_kexec.loaded = false;
                return 0;
        }
        r = emulate_read_file(c->kernel_fd, &c->kernel_accmode, &c->kernel_seals);
        if (r < 0)
                return r;
        if (!(c->flags & KEXEC_FILE_NO_INITRAMFS)) {
                r = emulate_read_file(c->initrd_fd, &c->initrd_accmode, &c->initrd_seals);
                if (r < 0)
                        return r;
        }
        /* kimage_file_prepare_segments(): the last byte must be the NUL. */
        if (c->cmdline_len > 0 && (!cmdline || cmdline[c->cmdline_len - 1] != '\0'))
                return -EINVAL;

        if (!(c->flags & KEXEC_FILE_ON_CRASH))
                fake_kexec.loaded = true;
        return 0;
}

int kexec_sys_file_load(int kernel_fd, int initrd_fd, unsigned long cmdline_len,
                        const char *cmdline, unsigned long flags) {
        struct fake_kexec_file_load_call scratch, *c;
        unsigned n = fake_kexec.n_file_load++;

        c = n < FAKE_KEXEC_MAX_CALLS ? &fake_kexec.calls[n] : &scratch;
        memset(c, 0, sizeof(*c));
        c->kernel_fd = kernel_fd;
        c->initrd_fd = initrd_fd;
        c->cmdline_len = cmdline_len;
        c->cmdline_null = !cmdline;
        c->flags = flags;
        c->kernel_accmode = c->initrd_accmode = -1;
        c->kernel_seals = c->initrd_seals = -1;
        if (cmdline && cmdline_len > 0)
                memcpy(c->cmdline, cmdline,
                       cmdline_len < FAKE_KEXEC_CMDLINE_MAX ? cmdline_len : FAKE_KEXEC_CMDLINE_MAX);

        c->result = fake_kexec.no_syscall ? -ENOSYS : emulate_file_load(c, cmdline);
        if (c == &scratch)      /* past the record: keep the last slot current */
                fake_kexec.calls[FAKE_KEXEC_MAX_CALLS - 1] = scratch;
        return c->result;
}

const struct fake_kexec_load_call *fake_kexec_last_load_call(void) {
        unsigned n = fake_kexec.n_load;

        if (n == 0)
                return NULL;
        if (n > FAKE_KEXEC_MAX_LOAD_CALLS)
                n = FAKE_KEXEC_MAX_LOAD_CALLS;
        return &fake_kexec.load_calls[n - 1];
}

/* kexec_load's flags as of Linux 6.x: ON_CRASH, PRESERVE_CONTEXT,
 * UPDATE_ELFCOREHDR (0x4); the arch in bits 16-31. */
#define FAKE_LOAD_FLAGS (KEXEC_ON_CRASH | KEXEC_PRESERVE_CONTEXT | 0x4UL)
#define FAKE_PAGE 4096ULL

/* Reads every byte the kernel would copy_from_user() (so a sanitizer sees
 * a bad buffer) and keeps the head and a hash. */
static int record_segment(struct fake_kexec_segment *f, const struct kexec_segment *s) {
        const uint8_t *p = s->buf;
        uint64_t h = 0xcbf29ce484222325ULL;

        f->mem = (uint64_t) (uintptr_t) s->mem;
        f->memsz = s->memsz;
        f->bufsz = s->bufsz;
        f->buf_null = !s->buf;
        if (!p)
                return s->bufsz ? -EFAULT : 0;
        for (size_t i = 0; i < s->bufsz; i++)
                h = (h ^ p[i]) * 0x100000001b3ULL;
        f->fnv1a = h;
        memcpy(f->head, p, s->bufsz < FAKE_KEXEC_SEGMENT_HEAD ? s->bufsz : FAKE_KEXEC_SEGMENT_HEAD);
        return 0;
}

/* sanity_check_segment_list() (kernel/kexec_core.c), in its order. */
static int emulate_segment_checks(unsigned long nr, const struct kexec_segment *segs) {
        uint64_t pages = 0;

        for (unsigned long i = 0; i < nr; i++) {
                uint64_t start = (uint64_t) (uintptr_t) segs[i].mem, end = start + segs[i].memsz;

                if ((start & (FAKE_PAGE - 1)) || (end & (FAKE_PAGE - 1)))
                        return -EADDRNOTAVAIL;
                if (end < start)
                        return -EADDRNOTAVAIL;
        }
        for (unsigned long i = 0; i < nr; i++)
                for (unsigned long j = 0; j < i; j++) {
                        uint64_t a = (uint64_t) (uintptr_t) segs[i].mem, b = (uint64_t) (uintptr_t) segs[j].mem;

                        if (a < b + segs[j].memsz && b < a + segs[i].memsz)
                                return -EINVAL;
                }
        for (unsigned long i = 0; i < nr; i++) {
                if (segs[i].bufsz > segs[i].memsz)
                        return -EINVAL;
                pages += segs[i].memsz / FAKE_PAGE;
        }
        if (fake_kexec.ram_bytes && pages > fake_kexec.ram_bytes / FAKE_PAGE / 2)
                return -EINVAL;
        return 0;
}

static int emulate_load(struct fake_kexec_load_call *c, const struct kexec_segment *segs) {
        unsigned long arch = c->flags & KEXEC_ARCH_MASK;
        int r;

        /* kexec_load_check(): permission, then flags and arch, then count. */
        if (c->nr_segments > 0 && fake_kexec.load_errno)
                return -fake_kexec.load_errno;
        if (c->flags & ~(FAKE_LOAD_FLAGS | KEXEC_ARCH_MASK))
                return -EINVAL;
        if (arch != KEXEC_ARCH_X86_64 && arch != KEXEC_ARCH_DEFAULT)
                return -EINVAL;
        if (c->nr_segments > KEXEC_SEGMENT_MAX)
                return -EINVAL;
        if (c->nr_segments == 0) {
                fake_kexec.n_load_unload++;
                if (fake_kexec.unload_errno)
                        return -fake_kexec.unload_errno;
                if (!(c->flags & KEXEC_ON_CRASH))
                        fake_kexec.loaded = false;
                return 0;
        }
        for (unsigned long i = 0; i < c->nr_segments; i++) {
                r = record_segment(&c->segments[i], &segs[i]);
                if (r < 0)
                        return r;
        }
        r = emulate_segment_checks(c->nr_segments, segs);
        if (r < 0)
                return r;
        if (!(c->flags & KEXEC_ON_CRASH))
                fake_kexec.loaded = true;
        return 0;
}

int kexec_sys_load(unsigned long entry, unsigned long nr_segments,
                   const struct kexec_segment *segments, unsigned long flags) {
        static struct fake_kexec_load_call scratch;
        struct fake_kexec_load_call *c;
        unsigned n = fake_kexec.n_load++;

        c = n < FAKE_KEXEC_MAX_LOAD_CALLS ? &fake_kexec.load_calls[n] : &scratch;
        memset(c, 0, sizeof(*c));
        c->entry = entry;
        c->nr_segments = nr_segments;
        c->flags = flags;
        c->result = fake_kexec.no_load_syscall ? -ENOSYS : emulate_load(c, segments);
        if (c == &scratch)
                fake_kexec.load_calls[FAKE_KEXEC_MAX_LOAD_CALLS - 1] = scratch;
        return c->result;
}

int kexec_sys_reboot(unsigned int cmd) {
        fake_kexec.n_reboot++;
        fake_kexec.last_reboot_cmd = cmd;
        if (fake_kexec.reboot_errno)
                return -fake_kexec.reboot_errno;
        /* kernel_kexec(): nothing loaded, nothing to reboot into. */
        if (cmd == LINUX_REBOOT_CMD_KEXEC && !fake_kexec.loaded)
                return -EINVAL;
        return 0;       /* the real one would not return */
}

int kexec_sys_memfd_create(const char *name, unsigned int flags) {
        int fd;

        fake_kexec.n_memfd++;
        if (fake_kexec.memfd_errno)
                return -fake_kexec.memfd_errno;
        fd = memfd_create(name, flags);
        return fd < 0 ? -errno : fd;
}
