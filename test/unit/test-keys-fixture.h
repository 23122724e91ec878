/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fake host trees for the key collection tests (test-agent-keys*): files
 * and directories below a root, and the authorized_keys the overlay would
 * carry. Every helper fails the test on error. */
#pragma once

#include <stddef.h>

#include "agent-keys.h"

/* mkdir root/path, 0755, for each path of the NULL-terminated list. */
void keys_fixture_mkdirs(const char *root, const char *const *paths);
/* Writes size bytes of data to root/path (created or replaced, 0644). */
void keys_fixture_write(const char *root, const char *path, const void *data, size_t size);
/* The same for a NUL-terminated text. */
void keys_fixture_put(const char *root, const char *path, const char *text);

/* Runs keys_add_authorized_keys(root, req) into a fresh overlay and returns
 * the overlay's root/.ssh/authorized_keys ("" when it has none), NUL-
 * terminated, for free(). Fills *ret_report, which must start zeroed. */
char *keys_fixture_collect(const char *root, const KeysRequest *req, KeysReport *ret_report);
