/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libgssapi_krb5.so.2 for the rescue image: a GSS-API (RFC 2744) that
 * offers no mechanism. sshd asks for mechanisms only when GSSAPI
 * authentication or key exchange is configured, which the rescue's
 * sshd_config never does; if someone turns it on, gss_indicate_mechs()
 * answers with an empty set and sshd offers no GSSAPI method, instead of
 * failing at start. Without it the image carries no Kerberos libraries
 * (libkrb5, libk5crypto, libkrb5support, libkeyutils, libresolv: 0.44 MB of
 * xz). build-rescue checks the exports against what the staged sshd imports
 * from the real library.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef uint32_t OM_uint32;

typedef struct {
        OM_uint32 length;
        void *elements;
} gss_OID_desc, *gss_OID;

typedef struct {
        size_t count;
        gss_OID elements;
} gss_OID_set_desc, *gss_OID_set;

typedef struct {
        size_t length;
        void *value;
} gss_buffer_desc, *gss_buffer_t;

typedef void *gss_handle;

#define GSS_S_COMPLETE 0u
#define GSS_S_BAD_MECH (1u << 16)
#define GSS_S_FAILURE (13u << 16)
#define GSS_S_CALL_INACCESSIBLE_READ (1u << 24)
#define GSS_S_CALL_INACCESSIBLE_WRITE (2u << 24)

/* The name types of RFC 2744 section 4: 1.2.840.113554.1.2.1.1 and .4. */
static gss_OID_desc user_name = { 10, (void *) "\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x01" };
static gss_OID_desc hostbased_service = { 10, (void *) "\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x04" };
gss_OID GSS_C_NT_USER_NAME = &user_name;
gss_OID GSS_C_NT_HOSTBASED_SERVICE = &hostbased_service;

static OM_uint32 no_mechanism(OM_uint32 *minor) {
        if (minor)
                *minor = 0;
        return GSS_S_BAD_MECH;
}

static OM_uint32 complete(OM_uint32 *minor) {
        if (minor)
                *minor = 0;
        return GSS_S_COMPLETE;
}

static void clear_buffer(gss_buffer_t b) {
        if (b) {
                b->length = 0;
                b->value = NULL;
        }
}

/* ---- OID sets: real ones, so that "no mechanism" is an empty set. */

OM_uint32 gss_create_empty_oid_set(OM_uint32 *minor, gss_OID_set *set) {
        if (!set)
                return GSS_S_CALL_INACCESSIBLE_WRITE;
        *set = calloc(1, sizeof(**set));
        if (!*set) {
                if (minor)
                        *minor = ENOMEM;
                return GSS_S_FAILURE;
        }
        return complete(minor);
}

OM_uint32 gss_indicate_mechs(OM_uint32 *minor, gss_OID_set *mechs) {
        return gss_create_empty_oid_set(minor, mechs);
}

static int oid_equal(const gss_OID_desc *a, const gss_OID_desc *b) {
        return a->length == b->length && memcmp(a->elements, b->elements, a->length) == 0;
}

OM_uint32 gss_test_oid_set_member(OM_uint32 *minor, gss_OID member, gss_OID_set set, int *present) {
        if (!member || !set)
                return GSS_S_CALL_INACCESSIBLE_READ;
        if (!present)
                return GSS_S_CALL_INACCESSIBLE_WRITE;
        *present = 0;
        for (size_t i = 0; i < set->count; i++)
                if (oid_equal(&set->elements[i], member))
                        *present = 1;
        return complete(minor);
}

OM_uint32 gss_add_oid_set_member(OM_uint32 *minor, gss_OID member, gss_OID_set *set) {
        gss_OID elements;
        void *copy;
        int present;

        if (!member || !set || !*set)
                return GSS_S_CALL_INACCESSIBLE_READ;
        gss_test_oid_set_member(minor, member, *set, &present);
        if (present)
                return complete(minor);

        copy = malloc(member->length ? member->length : 1);
        elements = copy ? realloc((*set)->elements, ((*set)->count + 1) * sizeof(*elements)) : NULL;
        if (!elements) {
                free(copy);
                if (minor)
                        *minor = ENOMEM;
                return GSS_S_FAILURE;
        }
        memcpy(copy, member->elements, member->length);
        elements[(*set)->count] = (gss_OID_desc) { member->length, copy };
        (*set)->elements = elements;
        (*set)->count++;
        return complete(minor);
}

OM_uint32 gss_release_oid_set(OM_uint32 *minor, gss_OID_set *set) {
        if (set && *set) {
                for (size_t i = 0; i < (*set)->count; i++)
                        free((*set)->elements[i].elements);
                free((*set)->elements);
                free(*set);
                *set = NULL;
        }
        return complete(minor);
}

/* ---- Buffers and handles: this library never hands out a name, a
 * credential or a context, so releasing one only clears the caller's. */

OM_uint32 gss_release_buffer(OM_uint32 *minor, gss_buffer_t buffer) {
        if (buffer)
                free(buffer->value);
        clear_buffer(buffer);
        return complete(minor);
}

OM_uint32 gss_release_name(OM_uint32 *minor, gss_handle *name) {
        if (name)
                *name = NULL;
        return complete(minor);
}

OM_uint32 gss_release_cred(OM_uint32 *minor, gss_handle *cred) {
        if (cred)
                *cred = NULL;
        return complete(minor);
}

OM_uint32 gss_delete_sec_context(OM_uint32 *minor, gss_handle *context, gss_buffer_t output_token) {
        if (context)
                *context = NULL;
        clear_buffer(output_token);
        return complete(minor);
}

OM_uint32 gss_display_status(OM_uint32 *minor, OM_uint32 status, int status_type, gss_OID mech,
                             OM_uint32 *message_context, gss_buffer_t status_string) {
        static const char text[] = "no GSS-API mechanism in the rescue image";

        (void) status, (void) status_type, (void) mech;
        if (!status_string)
                return GSS_S_CALL_INACCESSIBLE_WRITE;
        status_string->value = strdup(text);
        status_string->length = status_string->value ? strlen(text) : 0;
        if (message_context)
                *message_context = 0;
        return complete(minor);
}

/* ---- Everything that needs a mechanism. */

OM_uint32 gss_import_name(OM_uint32 *minor, gss_buffer_t name, gss_OID type, gss_handle *out) {
        (void) name, (void) type;
        if (out)
                *out = NULL;
        return no_mechanism(minor);
}

OM_uint32 gss_display_name(OM_uint32 *minor, gss_handle name, gss_buffer_t out, gss_OID *type) {
        (void) name;
        clear_buffer(out);
        if (type)
                *type = NULL;
        return no_mechanism(minor);
}

OM_uint32 gss_export_name(OM_uint32 *minor, gss_handle name, gss_buffer_t out) {
        (void) name;
        clear_buffer(out);
        return no_mechanism(minor);
}

OM_uint32 gss_compare_name(OM_uint32 *minor, gss_handle a, gss_handle b, int *equal) {
        (void) a, (void) b;
        if (equal)
                *equal = 0;
        return no_mechanism(minor);
}

OM_uint32 gss_acquire_cred(OM_uint32 *minor, gss_handle name, OM_uint32 time_req, gss_OID_set mechs,
                           int usage, gss_handle *cred, gss_OID_set *actual_mechs, OM_uint32 *time_rec) {
        (void) name, (void) time_req, (void) mechs, (void) usage;
        if (cred)
                *cred = NULL;
        if (actual_mechs)
                *actual_mechs = NULL;
        if (time_rec)
                *time_rec = 0;
        return no_mechanism(minor);
}

OM_uint32 gss_inquire_cred(OM_uint32 *minor, gss_handle cred, gss_handle *name, OM_uint32 *lifetime,
                           int *usage, gss_OID_set *mechs) {
        (void) cred, (void) name, (void) lifetime, (void) usage, (void) mechs;
        return no_mechanism(minor);
}

OM_uint32 gss_inquire_cred_by_mech(OM_uint32 *minor, gss_handle cred, gss_OID mech, gss_handle *name,
                                   OM_uint32 *init_lifetime, OM_uint32 *accept_lifetime, int *usage) {
        (void) cred, (void) mech, (void) name, (void) init_lifetime, (void) accept_lifetime, (void) usage;
        return no_mechanism(minor);
}

OM_uint32 gss_init_sec_context(OM_uint32 *minor, gss_handle cred, gss_handle *context, gss_handle target,
                               gss_OID mech, OM_uint32 req_flags, OM_uint32 time_req, void *bindings,
                               gss_buffer_t input_token, gss_OID *actual_mech, gss_buffer_t output_token,
                               OM_uint32 *ret_flags, OM_uint32 *time_rec) {
        (void) cred, (void) context, (void) target, (void) mech, (void) req_flags, (void) time_req;
        (void) bindings, (void) input_token, (void) actual_mech, (void) ret_flags, (void) time_rec;
        clear_buffer(output_token);
        return no_mechanism(minor);
}

OM_uint32 gss_accept_sec_context(OM_uint32 *minor, gss_handle *context, gss_handle cred,
                                 gss_buffer_t input_token, void *bindings, gss_handle *src_name,
                                 gss_OID *mech, gss_buffer_t output_token, OM_uint32 *ret_flags,
                                 OM_uint32 *time_rec, gss_handle *delegated_cred) {
        (void) context, (void) cred, (void) input_token, (void) bindings, (void) src_name;
        (void) mech, (void) ret_flags, (void) time_rec, (void) delegated_cred;
        clear_buffer(output_token);
        return no_mechanism(minor);
}

OM_uint32 gss_get_mic(OM_uint32 *minor, gss_handle context, OM_uint32 qop, gss_buffer_t message,
                      gss_buffer_t token) {
        (void) context, (void) qop, (void) message;
        clear_buffer(token);
        return no_mechanism(minor);
}

OM_uint32 gss_verify_mic(OM_uint32 *minor, gss_handle context, gss_buffer_t message, gss_buffer_t token,
                         OM_uint32 *qop) {
        (void) context, (void) message, (void) token, (void) qop;
        return no_mechanism(minor);
}

OM_uint32 gss_krb5_copy_ccache(OM_uint32 *minor, gss_handle cred, void *ccache) {
        (void) cred, (void) ccache;
        return no_mechanism(minor);
}
