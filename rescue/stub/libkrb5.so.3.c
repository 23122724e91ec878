/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libkrb5.so.3 for the rescue image: Kerberos is not there. sshd uses it
 * only for KerberosAuthentication, which the rescue's sshd_config never
 * turns on; should someone do it, krb5_init_context() fails with ENOTSUP
 * and sshd falls back to its other methods, as it does on a host whose
 * Kerberos is unusable. Pairs with the stub libgssapi_krb5.so.2; together
 * they keep the Kerberos libraries (0.44 MB of xz) out of the image.
 * build-rescue checks the exports against what the staged sshd imports
 * from the real library.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int32_t krb5_error_code;
typedef unsigned int krb5_boolean;
typedef void *krb5_handle;

static krb5_error_code not_here(void) {
        return ENOTSUP;
}

krb5_error_code krb5_init_context(krb5_handle *context) {
        if (context)
                *context = NULL;
        return not_here();
}

void krb5_free_context(krb5_handle context) {
        (void) context;
}

const char *krb5_get_error_message(krb5_handle context, krb5_error_code code) {
        (void) context, (void) code;
        return strdup("Kerberos is not in the rescue image");
}

void krb5_free_error_message(krb5_handle context, const char *message) {
        (void) context;
        free((char *) message);
}

krb5_error_code krb5_parse_name(krb5_handle context, const char *name, krb5_handle *principal) {
        (void) context, (void) name;
        if (principal)
                *principal = NULL;
        return not_here();
}

krb5_error_code krb5_unparse_name(krb5_handle context, krb5_handle principal, char **name) {
        (void) context, (void) principal;
        if (name)
                *name = NULL;
        return not_here();
}

void krb5_free_unparsed_name(krb5_handle context, char *name) {
        (void) context;
        free(name);
}

void krb5_free_principal(krb5_handle context, krb5_handle principal) {
        (void) context, (void) principal;
}

krb5_error_code krb5_sname_to_principal(krb5_handle context, const char *hostname, const char *sname,
                                        int32_t type, krb5_handle *principal) {
        (void) context, (void) hostname, (void) sname, (void) type;
        if (principal)
                *principal = NULL;
        return not_here();
}

/* FALSE: nobody is authorised through Kerberos. */
krb5_boolean krb5_kuserok(krb5_handle context, krb5_handle principal, const char *luser) {
        (void) context, (void) principal, (void) luser;
        return 0;
}

krb5_error_code krb5_get_init_creds_password(krb5_handle context, void *creds, krb5_handle client,
                                             const char *password, void *prompter, void *data,
                                             int32_t start_time, const char *in_tkt_service,
                                             void *options) {
        (void) context, (void) creds, (void) client, (void) password, (void) prompter;
        (void) data, (void) start_time, (void) in_tkt_service, (void) options;
        return not_here();
}

krb5_error_code krb5_verify_init_creds(krb5_handle context, void *creds, krb5_handle server,
                                       void *keytab, void *ccache, void *options) {
        (void) context, (void) creds, (void) server, (void) keytab, (void) ccache, (void) options;
        return not_here();
}

krb5_error_code krb5_cc_resolve(krb5_handle context, const char *name, krb5_handle *cache) {
        (void) context, (void) name;
        if (cache)
                *cache = NULL;
        return not_here();
}

krb5_error_code krb5_cc_initialize(krb5_handle context, krb5_handle cache, krb5_handle principal) {
        (void) context, (void) cache, (void) principal;
        return not_here();
}

krb5_error_code krb5_cc_store_cred(krb5_handle context, krb5_handle cache, void *creds) {
        (void) context, (void) cache, (void) creds;
        return not_here();
}

krb5_error_code krb5_cc_get_principal(krb5_handle context, krb5_handle cache, krb5_handle *principal) {
        (void) context, (void) cache;
        if (principal)
                *principal = NULL;
        return not_here();
}

const char *krb5_cc_get_name(krb5_handle context, krb5_handle cache) {
        (void) context, (void) cache;
        return NULL;
}

krb5_error_code krb5_cc_close(krb5_handle context, krb5_handle cache) {
        (void) context, (void) cache;
        return 0;
}

krb5_error_code krb5_cc_destroy(krb5_handle context, krb5_handle cache) {
        (void) context, (void) cache;
        return 0;
}
