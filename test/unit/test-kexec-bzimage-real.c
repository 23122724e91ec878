/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bzImage inspection of real kernels nobody here built: $KEXEC_TEST_KERNEL,
 * this machine's /boot/vmlinuz-*, and the rescue kernels cached under
 * ${XDG_CACHE_HOME:-~/.cache}/rescue-agent/. Cross-checked with objdump(1)
 * (the PE certificate table) and file(1) when they are installed. Skips
 * (77) when there is no kernel to read. */
#include <ftw.h>
#include <glob.h>
#include <spawn.h>
#include <sys/wait.h>

#include "macro.h"
#include "kexec.h"
#include "test-kexec.h"

#define MAX_KERNELS 8

extern char **environ;

static char *kernels[MAX_KERNELS];
static size_t n_kernels;

static void add_kernel(const char *path) {
        for (size_t i = 0; i < n_kernels; i++)
                if (strcmp(kernels[i], path) == 0)
                        return;
        if (n_kernels < MAX_KERNELS)
                kernels[n_kernels++] = strdup(path);
}

static int cache_visit(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        const char *base = path + ftw->base;

        if (type == FTW_F && S_ISREG(st->st_mode) &&
            (strncmp(base, "vmlinuz", 7) == 0 || strcmp(base, "bzImage") == 0))
                add_kernel(path);
        return n_kernels >= MAX_KERNELS;
}

static void find_kernels(void) {
        const char *env = getenv("KEXEC_TEST_KERNEL");
        const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
        char cache[4096];
        glob_t g;

        if (env && *env)
                add_kernel(env);
        if (glob("/boot/vmlinuz-*", 0, NULL, &g) == 0) {
                for (size_t i = 0; i < g.gl_pathc; i++)
                        add_kernel(g.gl_pathv[i]);
                globfree(&g);
        }
        if (xdg && *xdg)
                snprintf(cache, sizeof(cache), "%s/rescue-agent", xdg);
        else if (home && *home)
                snprintf(cache, sizeof(cache), "%s/.cache/rescue-agent", home);
        else
                return;
        (void) nftw(cache, cache_visit, 16, FTW_PHYS);
}

/* stdout of argv (stderr dropped), at most size - 1 bytes; NULL if the tool
 * is missing or fails. No shell: paths are passed as they are. */
static char *run_tool(char *const argv[], char *buf, size_t size) {
        posix_spawn_file_actions_t fa;
        size_t len = 0;
        pid_t pid;
        int p[2], status;

        if (pipe2(p, O_CLOEXEC) < 0)
                return NULL;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
        if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
                posix_spawn_file_actions_destroy(&fa);
                close(p[0]);
                close(p[1]);
                return NULL;
        }
        posix_spawn_file_actions_destroy(&fa);
        close(p[1]);
        for (;;) {
                ssize_t n = read(p[0], buf + len, size - 1 - len);
                if (n <= 0)
                        break;
                len += (size_t) n;
                if (len == size - 1)
                        break;
        }
        close(p[0]);
        buf[len] = '\0';
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return NULL;
        return buf;
}

/* objdump -p prints the PE data directories:
 *   "Entry 4 00000000007dd200 000005c0 Security Directory" */
static void cross_check_objdump(const char *path, const struct kexec_bzimage_info *info) {
        static char out[1 << 16];
        char *argv[] = { "objdump", "-p", (char *) path, NULL };
        unsigned long long off, size;
        const char *line;

        if (!run_tool(argv, out, sizeof(out)) || !strstr(out, "pei-x86-64")) {
                fprintf(stderr, "  objdump: not available or not a PE image, no cross-check\n");
                return;
        }
        CHECK(info->pe);
        CHECK_INT(info->pe_machine, 0x8664);
        line = strstr(out, "Entry 4 ");
        CHECK(line && strstr(line, "Security Directory"));
        if (!line || sscanf(line, "Entry 4 %llx %llx", &off, &size) != 2)
                return;
        fprintf(stderr, "  objdump: certificate table at %#llx, %llu bytes\n", off, size);
        CHECK_INT(info->pe_signed, size > 0);
        if (size > 0) {
                CHECK_INT(info->pe_cert_offset, off);
                CHECK_INT(info->pe_cert_size, size);
        }
}

static void cross_check_file(const char *path) {
        char out[4096];
        char *argv[] = { "file", "-b", (char *) path, NULL };

        if (!run_tool(argv, out, sizeof(out)))
                return;
        fprintf(stderr, "  file: %.100s\n", out);
        CHECK_CONTAINS(out, "bzImage");
}

/* The first n bytes of the kernel in a memfd. */
static void check_prefix(int fd, uint64_t n, enum kexec_bzimage_verdict expect) {
        _cleanup_close_ int m = -EBADF;
        struct kexec_bzimage_info i;

        CHECK_INT(kexec_memfd_new("prefix", &m), 0);
        CHECK_INT(kexec_memfd_copy_range(m, fd, 0, n), 0);
        CHECK_INT(kexec_bzimage_inspect_fd(m, &i), 0);
        if (i.verdict != expect)
                fprintf(stderr, "  prefix of %" PRIu64 " bytes:\n", n);
        CHECK_INT(i.verdict, expect);
        CHECK(!i.pe_signed);    /* the table is at the end, cut off */
}

static bool check_kernel(const char *path) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct kexec_bzimage_info i;
        uint64_t setup_end;

        if (fd < 0) {
                fprintf(stderr, "%s: %s, not checked\n", path, strerror(errno));
                return false;
        }
        CHECK_INT(kexec_bzimage_inspect_fd(fd, &i), 0);
        fprintf(stderr, "%s: %s\n  protocol %u.%02u, setup_sects %u, xloadflags %#x, init_size %.1f MiB, "
                "file %.1f MiB, cmdline_size %u, alignment %#x, EFI stub %s, signed %s\n",
                path, kexec_bzimage_verdict_to_string(i.verdict), i.protocol >> 8, i.protocol & 0xff,
                i.setup_sects, i.xloadflags, i.init_size / 1048576.0, i.file_size / 1048576.0,
                i.cmdline_size, i.kernel_alignment, i.pe ? "yes" : "no", i.pe_signed ? "yes" : "no");

        CHECK_INT(i.verdict, KEXEC_BZIMAGE_OK);
        CHECK(i.protocol >= 0x020c);
        CHECK((i.xloadflags & (KEXEC_XLF_KERNEL_64 | KEXEC_XLF_CAN_BE_LOADED_ABOVE_4G)) ==
              (KEXEC_XLF_KERNEL_64 | KEXEC_XLF_CAN_BE_LOADED_ABOVE_4G));
        CHECK(i.relocatable);
        /* A compressed kernel needs more memory than its file: the point of
         * counting init_size. */
        CHECK(i.init_size > i.file_size);
        CHECK(i.init_size < 1024u * 1024u * 1024u);
        CHECK(i.cmdline_size >= 255);
        CHECK(i.kernel_alignment >= 4096 && (i.kernel_alignment & (i.kernel_alignment - 1)) == 0);
        CHECK(kexec_memory_need(i.init_size, 0) > i.init_size);
        CHECK(kexec_bzimage_cmdline_max(&i) + 30 == MIN(i.cmdline_size, (uint32_t) KEXEC_CMDLINE_MAX + 30));

        cross_check_objdump(path, &i);
        cross_check_file(path);

        /* Cut copies of the real thing. */
        setup_end = (uint64_t) (i.setup_sects + 1) * 512;
        check_prefix(fd, 600, KEXEC_BZIMAGE_TOO_SHORT);
        if (setup_end > 4096)
                check_prefix(fd, 4096, KEXEC_BZIMAGE_TRUNCATED);
        check_prefix(fd, setup_end - 1, KEXEC_BZIMAGE_TRUNCATED);
        check_prefix(fd, setup_end, KEXEC_BZIMAGE_OK);
        return true;
}

int main(void) {
        size_t checked = 0;

        find_kernels();
        for (size_t i = 0; i < n_kernels; i++) {
                if (check_kernel(kernels[i]))
                        checked++;
                free(kernels[i]);
        }
        if (checked == 0) {
                fprintf(stderr, "SKIP: no readable real kernel (set KEXEC_TEST_KERNEL, or have "
                        "/boot/vmlinuz-* or a cached rescue kernel under ~/.cache/rescue-agent/)\n");
                return test_failures ? EXIT_FAILURE : EXIT_TEST_SKIP;
        }
        return test_exit_code();
}
