/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The host's sshd ports, so the rescue listens where the operator's ssh
 * command and firewall rules already point. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SSHD_MAX_PORTS 16
#define SSHD_DEFAULT_PORT 22

/* Port directives of root/etc/ssh/sshd_config and the files it Includes
 * (first occurrence wins per port, as sshd collects them; Match blocks end
 * the search, Port is not allowed there). No sshd_config or no Port line:
 * the one default port. Fills ports[] (SSHD_MAX_PORTS) and returns how many;
 * -EBADMSG for a Port value that is no port number, logged with the file
 * and line that hold it. */
int sshd_config_ports(const char *root, uint16_t ports[static SSHD_MAX_PORTS]);

#define SSHD_MAX_AUTHORIZED_KEYS_FILES 8

/* The AuthorizedKeysFile patterns of the global part of sshd_config (and its
 * Includes; the first line that sets it wins, "none" adds nothing), or
 * sshd's default ".ssh/authorized_keys .ssh/authorized_keys2"; Port lines
 * are not checked here (sshd_config_ports() does). *ret is a
 * NULL-terminated array for sshd_authorized_keys_files_free(); returns how
 * many patterns it holds. */
int sshd_config_authorized_keys_files(const char *root, char ***ret);
void sshd_authorized_keys_files_free(char **files);
/* One pattern made into an absolute path for user as sshd does: %h home,
 * %u user, %U uid, %% a percent sign; relative results are below home.
 * -EBADMSG for an unknown token. */
int sshd_expand_authorized_keys_file(const char *pattern, const char *user, const char *home, unsigned uid, char **ret);
