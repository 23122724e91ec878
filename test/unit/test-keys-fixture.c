/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <sys/stat.h>

#include "cpio.h"
#include "test-keys-fixture.h"
#include "test-util.h"

void keys_fixture_mkdirs(const char *root, const char *const *paths) {
        for (; *paths; paths++) {
                _cleanup_free_ char *full = tu_path_join(root, *paths);
                if (mkdir(full, 0755) < 0)
                        TU_FAIL("mkdir %s: %m", full);
        }
}

void keys_fixture_write(const char *root, const char *path, const void *data, size_t size) {
        _cleanup_free_ char *full = tu_path_join(root, path);
        ASSERT_OK(tu_write_file(full, data, size));
}

void keys_fixture_put(const char *root, const char *path, const char *text) {
        keys_fixture_write(root, path, text, strlen(text));
}

char *keys_fixture_collect(const char *root, const KeysRequest *req, KeysReport *ret_report) {
        CpioWriter *w = NULL;
        CpioArchive *a = NULL;
        const CpioEntry *e;
        const void *data;
        size_t size;
        char *text;

        ASSERT_OK(cpio_writer_new(&w));
        ASSERT_OK(keys_add_authorized_keys(w, root, req, ret_report));
        ASSERT_OK(cpio_writer_finish(w, &data, &size));
        ASSERT_OK(cpio_reader_parse(data, size, &a));
        e = cpio_archive_find(a, "root/.ssh/authorized_keys");
        if (e)
                ASSERT_EQ(e->mode, S_IFREG | 0600);
        text = e ? strndup(e->data, e->size) : strdup("");
        ASSERT_TRUE(text);
        cpio_archive_free(a);
        cpio_writer_free(w);
        return text;
}
