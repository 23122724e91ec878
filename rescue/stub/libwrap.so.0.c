/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libwrap.so.0 (TCP wrappers) for the rescue image. The real library
 * decides from /etc/hosts.allow and /etc/hosts.deny; the rescue has
 * neither, and without them every client is allowed, so this one allows
 * every client too. It spares libnsl and libtirpc (and through libtirpc a
 * second need for the Kerberos libraries). build-rescue checks the exports
 * against what the staged sshd imports from the real library.
 */
#include <stdarg.h>
#include <stdlib.h>

struct request_info;

/* sshd passes its own buffer and reads nothing back from it. */
struct request_info *request_init(struct request_info *request, ...) {
        return request;
}

void sock_host(struct request_info *request) {
        (void) request;
}

/* 1: access granted, what the real library answers without any rules. */
int hosts_access(struct request_info *request) {
        (void) request;
        return 1;
}

/* Unreachable while hosts_access() allows everyone; the real one ends the
 * process the same way. */
void refuse(struct request_info *request) {
        (void) request;
        exit(0);
}
