/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Runs LLVMFuzzerTestOneInput() over files and directories of files (a
 * corpus), for builds without libFuzzer: the fuzz suite replays what the
 * fuzzer found so it stays fixed.
 */

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz-util.h"

/* Inputs beyond this are not fuzzer inputs; refuse rather than load them. */
#define REPLAY_MAX_INPUT (64u << 20)

static int run_file(const char *path) {
        FILE *f = fopen(path, "rbe");
        uint8_t *buf;
        size_t n;
        struct stat st;

        if (!f || fstat(fileno(f), &st) < 0) {
                fprintf(stderr, "%s: %m\n", path);
                if (f)
                        fclose(f);
                return -1;
        }
        if (st.st_size > REPLAY_MAX_INPUT) {
                fprintf(stderr, "%s: larger than %u bytes\n", path, REPLAY_MAX_INPUT);
                fclose(f);
                return -1;
        }
        /* An exact-size heap copy, so ASan flags any read past the end. */
        buf = malloc(st.st_size > 0 ? (size_t) st.st_size : 1);
        if (!buf) {
                fclose(f);
                return -1;
        }
        n = fread(buf, 1, (size_t) st.st_size, f);
        fclose(f);
        if (n != (size_t) st.st_size) {
                fprintf(stderr, "%s: short read\n", path);
                free(buf);
                return -1;
        }
        LLVMFuzzerTestOneInput(buf, n);
        free(buf);
        return 0;
}

static int compare(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static int run_dir(const char *path, size_t *count) {
        DIR *d = opendir(path);
        struct dirent *de;
        char **names = NULL;
        size_t n = 0;
        int r = 0;

        if (!d) {
                fprintf(stderr, "%s: %m\n", path);
                return -1;
        }
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                char **p = realloc(names, (n + 1) * sizeof(*names));
                if (!p || asprintf(&p[n], "%s/%s", path, de->d_name) < 0) {
                        r = -1;
                        names = p ?: names;
                        break;
                }
                names = p;
                n++;
        }
        closedir(d);

        qsort(names, n, sizeof(*names), compare);      /* a stable order for logs */
        for (size_t i = 0; i < n; i++) {
                if (r == 0) {
                        if (run_file(names[i]) < 0)
                                r = -1;
                        else
                                (*count)++;
                }
                free(names[i]);
        }
        free(names);
        return r;
}

int main(int argc, char **argv) {
        size_t count = 0;
        int r = 0;

        if (argc < 2) {
                fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
                return EXIT_FAILURE;
        }
        for (int i = 1; i < argc; i++) {
                struct stat st;

                if (stat(argv[i], &st) < 0) {
                        fprintf(stderr, "%s: %m\n", argv[i]);
                        return EXIT_FAILURE;
                }
                if (S_ISDIR(st.st_mode))
                        r |= run_dir(argv[i], &count);
                else if (run_file(argv[i]) < 0)
                        r = -1;
                else
                        count++;
        }
        fprintf(stderr, "%zu inputs replayed\n", count);
        if (count == 0)
                return EXIT_FAILURE;    /* an empty corpus proves nothing */
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
