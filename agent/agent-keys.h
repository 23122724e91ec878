/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Who gets into the rescue system: the host's SSH host keys (so known_hosts
 * entries stay valid) and the authorized keys of the people allowed in. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cpio.h"

#define KEYS_MAX_HOST_KEYS 16

typedef struct HostKey {
        char name[64];                  /* "ssh_host_ed25519_key" */
        char type[32];                  /* "ssh-ed25519", from the .pub */
        char fingerprint[64];           /* "SHA256:..." or "" without a .pub */
        int has_certificate;
} HostKey;

#define KEYS_MAX_SOURCES 32
#define KEYS_PASSWORD_MAX 512
/* In the overlay: root's SHA-512 crypt hash, for the rescue's /etc/shadow. */
#define KEYS_ROOT_PASSWORD_FILE "etc/rescue/root-password-hash"

typedef struct KeySource {
        char user[64];                  /* "" for --authorized-keys */
        char path[256];
        size_t count;                   /* keys it added (duplicates not counted) */
} KeySource;

typedef struct KeysReport {
        HostKey host_keys[KEYS_MAX_HOST_KEYS];
        size_t n_host_keys;
        size_t n_authorized;            /* key lines that will let someone in as root */
        char sources[512];              /* where they came from, for the operator */
        KeySource key_sources[KEYS_MAX_SOURCES];
        size_t n_sources;
        bool password;                  /* a root password hash is in the overlay */
} KeysReport;

/* What the operator asked for beyond the defaults. */
typedef struct KeysRequest {
        const char *extra_file;         /* --authorized-keys FILE, or NULL */
        char *const *users;             /* --keys-from USER..., NULL-terminated, or NULL */
        const char *password_hash;      /* --password: a "$6$" crypt hash, or NULL */
} KeysRequest;

/* Adds etc/ssh/ssh_host_*_key{,.pub,-cert.pub} below root to w. Logs what it
 * skips. */
int keys_add_host_keys(CpioWriter *w, const char *root, KeysReport *report);
/* Adds root/.ssh/authorized_keys: the files sshd_config's AuthorizedKeysFile
 * names (default .ssh/authorized_keys and authorized_keys2; %h %u %U %%)
 * below root for root, $SUDO_USER / $DOAS_USER, the members of the sudo,
 * wheel and admin groups and req->users, plus req->extra_file; lines kept as
 * written (options too), duplicates dropped. With req->password_hash also
 * KEYS_ROOT_PASSWORD_FILE. req may be NULL. */
int keys_add_authorized_keys(CpioWriter *w, const char *root, const KeysRequest *req, KeysReport *report);

/* A SHA-512 crypt ("$6$", 16 random salt characters) hash of password; the
 * caller frees it. -EINVAL for an empty password. */
int keys_hash_password(const char *password, char **ret_hash);
/* --password: asks twice without echo when stdin is a terminal, else reads
 * one line of stdin; returns only the hash. Logs why it failed. */
int keys_read_password(char **ret_hash);

/* "SHA256:<base64>" of the key blob in an OpenSSH public key line, as
 * ssh-keygen -l prints it. -EINVAL for a line that holds no key. */
int keys_fingerprint(const char *pub_line, char *ret_type, size_t type_size, char ret_fp[static 64]);
