/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libselinux.so.1 for the rescue image: SELinux is never enabled there (no
 * policy is loaded, selinuxfs is not mounted, Debian's kernel starts
 * AppArmor), so the real library would answer is_selinux_enabled() with 0
 * and sshd would call nothing else. This one gives the same answer without
 * libpcre2 (0.25 MB of xz). Every other call sshd imports fails with
 * ENOTSUP, as a call on a system without SELinux does. build-rescue checks
 * the exports against what the staged sshd imports from the real library.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/types.h>

typedef unsigned short security_class_t;

static int unsupported(void) {
        errno = ENOTSUP;
        return -1;
}

int is_selinux_enabled(void) {
        return 0;
}

int security_getenforce(void) {
        return unsupported();
}

void freecon(char *con) {
        free(con);
}

int getcon(char **con) {
        (void) con;
        return unsupported();
}

int setcon(const char *con) {
        (void) con;
        return unsupported();
}

int setexeccon(const char *con) {
        (void) con;
        return unsupported();
}

int setfscreatecon(const char *con) {
        (void) con;
        return unsupported();
}

int getfilecon(const char *path, char **con) {
        (void) path, (void) con;
        return unsupported();
}

int setfilecon(const char *path, const char *con) {
        (void) path, (void) con;
        return unsupported();
}

int matchpathcon(const char *path, mode_t mode, char **con) {
        (void) path, (void) mode, (void) con;
        return unsupported();
}

int getseuserbyname(const char *linuxuser, char **seuser, char **level) {
        (void) linuxuser, (void) seuser, (void) level;
        return unsupported();
}

int get_default_context_with_level(const char *user, const char *level, char *fromcon, char **newcon) {
        (void) user, (void) level, (void) fromcon, (void) newcon;
        return unsupported();
}

int get_default_context_with_rolelevel(const char *user, const char *role, const char *level,
                                       char *fromcon, char **newcon) {
        (void) user, (void) role, (void) level, (void) fromcon, (void) newcon;
        return unsupported();
}

int security_compute_relabel(const char *scon, const char *tcon, security_class_t tclass, char **newcon) {
        (void) scon, (void) tcon, (void) tclass, (void) newcon;
        return unsupported();
}

/* 0 is "no such class" for the real library too. */
security_class_t string_to_security_class(const char *name) {
        (void) name;
        errno = ENOTSUP;
        return 0;
}
