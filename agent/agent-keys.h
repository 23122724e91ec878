/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Who gets into the rescue system: the host's SSH host keys (so known_hosts
 * entries stay valid) and the authorized keys of the people allowed in. */
#pragma once

#include <stddef.h>

#include "cpio.h"

#define KEYS_MAX_HOST_KEYS 16

typedef struct HostKey {
        char name[64];                  /* "ssh_host_ed25519_key" */
        char type[32];                  /* "ssh-ed25519", from the .pub */
        char fingerprint[64];           /* "SHA256:..." or "" without a .pub */
        int has_certificate;
} HostKey;

typedef struct KeysReport {
        HostKey host_keys[KEYS_MAX_HOST_KEYS];
        size_t n_host_keys;
        size_t n_authorized;            /* key lines that will let someone in as root */
        char sources[512];              /* where they came from, for the operator */
} KeysReport;

/* Adds etc/ssh/ssh_host_*_key{,.pub,-cert.pub} below root to w. Logs what it
 * skips. */
int keys_add_host_keys(CpioWriter *w, const char *root, KeysReport *report);
/* Adds root/.ssh/authorized_keys: the authorized_keys(2) below root of
 * root, of $SUDO_USER / $DOAS_USER and of the members of the sudo, wheel and
 * admin groups, plus extra_file (may be NULL); lines kept as written,
 * duplicates dropped. */
int keys_add_authorized_keys(CpioWriter *w, const char *root, const char *extra_file, KeysReport *report);

/* "SHA256:<base64>" of the key blob in an OpenSSH public key line, as
 * ssh-keygen -l prints it. -EINVAL for a line that holds no key. */
int keys_fingerprint(const char *pub_line, char *ret_type, size_t type_size, char ret_fp[static 64]);
