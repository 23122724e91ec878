/* SPDX-License-Identifier: GPL-2.0-or-later */
/* agent bundle / agent inspect --payload: carry a rescue image inside the program. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "agent-image.h"
#include "agent-log.h"
#include "agent-member.h"
#include "agent-payload.h"
#include "agent.h"
#include "fileio.h"
#include "macro.h"
#include "sha256.h"

#define MANIFEST_MAX (1024 * 1024)

/* Creates path exclusively next to where it will live, then renames, so a
 * failed bundle never leaves a half-written program behind. */
static int write_bundle(const char *path, bool force, const void *program, size_t program_size,
                        const PayloadBlob *blobs, size_t n_blobs) {
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (!force && access(path, F_OK) == 0)
                return log_error(-EEXIST, "%s exists; remove it or pass --force", path);
        if (asprintf(&tmp, "%s.tmp-%d", path, (int) getpid()) < 0)
                return log_error_errno(-ENOMEM, "out of memory");

        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
        if (fd < 0)
                return log_error_errno(-errno, "cannot create %s", tmp);
        r = payload_write(fd, program, program_size, blobs, n_blobs);
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0) {
                unlink(tmp);
                return log_error_errno(r, "cannot write %s", path);
        }
        return 0;
}

int verb_bundle(const AgentOptions *o) {
        _cleanup_(payload_freep) Payload *self = NULL;
        _cleanup_free_ char *program = NULL, *kernel = NULL, *initrd = NULL, *manifest = NULL, *aliases = NULL;
        _cleanup_free_ void *member = NULL;
        size_t program_size = 0, kernel_size, initrd_size, manifest_size = 0, aliases_size = 0, member_size;
        const void *program_data;
        PayloadBlob blobs[5];
        size_t n = 0;
        const char *reason = NULL;
        int r;

        if (!o->kernel || !o->initrd || !o->output) {
                log_error(-EINVAL, "bundle needs --kernel FILE --initrd FILE -o OUTPUT");
                return EXIT_USAGE;
        }

        r = payload_open(NULL, &self, &reason);
        if (r == -ENOMSG) {
                r = read_full_file("/proc/self/exe", PAYLOAD_MAX_SIZE, &program, &program_size);
                if (r < 0)
                        return log_error_errno(r, "cannot read this program from /proc/self/exe (is /proc mounted?)"), 1;
                program_data = program;
        } else if (r < 0)
                return log_error_errno(r, "this agent's own payload is unusable (%s); use an intact copy",
                                       reason ?: "cannot read /proc/self/exe"), 1;
        else
                payload_program(self, &program_data, &program_size);

        r = agent_image_read_kernel(o->kernel, &kernel, &kernel_size);
        if (r < 0)
                return 1;
        r = agent_image_read_initrd(o->initrd, &initrd, &initrd_size);
        if (r < 0)
                return 1;
        blobs[n++] = (PayloadBlob) { "kernel", kernel, kernel_size };
        blobs[n++] = (PayloadBlob) { "initrd", initrd, initrd_size };

        if (o->manifest) {
                r = read_full_file(o->manifest, MANIFEST_MAX, &manifest, &manifest_size);
                if (r < 0)
                        return log_error_errno(r, "cannot read manifest %s", o->manifest), 1;
                blobs[n++] = (PayloadBlob) { "manifest", manifest, manifest_size };
        }
        if (o->modules_alias) {
                r = read_full_file(o->modules_alias, 16 * MANIFEST_MAX, &aliases, &aliases_size);
                if (r < 0)
                        return log_error_errno(r, "cannot read module aliases %s", o->modules_alias), 1;
                blobs[n++] = (PayloadBlob) { "modules.alias", aliases, aliases_size };
        }

        /* The program as the overlay carries it into the rescue, compressed
         * here once rather than by every go (the slowest part of its prep). */
        r = agent_member_build(program_data, program_size, &member, &member_size);
        if (r < 0)
                return log_error_errno(r, "cannot make the initramfs member that carries the agent into the rescue"), 1;
        blobs[n++] = (PayloadBlob) { AGENT_MEMBER_BLOB, member, member_size };

        r = write_bundle(o->output, o->force, program_data, program_size, blobs, n);
        if (r < 0)
                return 1;
        log_info("wrote %s: program %zu + kernel %zu + initrd %zu bytes", o->output, program_size, kernel_size, initrd_size);
        return 0;
}

int verb_inspect_payload(const AgentOptions *o) {
        _cleanup_(payload_freep) Payload *p = NULL;
        const char *reason = NULL, *bad = NULL;
        const void *manifest;
        size_t manifest_size, program_size;
        const void *program;
        int r, verified;

        r = payload_open(NULL, &p, &reason);
        if (r == -ENOMSG) {
                printf("This agent carries no rescue image (use --kernel/--initrd, or 'agent bundle').\n");
                return 0;
        }
        if (r < 0)
                return log_error_errno(r, "the bundled payload is unusable: %s", reason ?: "cannot read /proc/self/exe"), 1;

        verified = payload_verify(p, PAYLOAD_VERIFY_FULL, &bad);
        payload_program(p, &program, &program_size);
        if (o->json)
                printf("{\"program_size\":%zu,\"verified\":%s,\"entries\":[", program_size, verified >= 0 ? "true" : "false");
        else
                printf("program   %10zu bytes\n", program_size);
        for (size_t i = 0; i < payload_count(p); i++) {
                const uint8_t *digest;
                const char *name;
                char hex[65];
                uint64_t xxh;
                size_t size;

                (void) payload_entry(p, i, &name, &size, &digest);
                (void) payload_entry_xxh64(p, i, &xxh);
                sha256_to_hex(digest, hex);
                if (o->json)
                        printf("%s{\"name\":\"%s\",\"size\":%zu,\"sha256\":\"%s\",\"xxh64\":\"%016" PRIx64 "\"}",
                               i ? "," : "", name, size, hex, xxh);
                else
                        printf("%-13s %10zu bytes  sha256 %s  xxh64 %016" PRIx64 "\n", name, size, hex, xxh);
        }
        if (o->json) {
                printf("]}\n");
        } else {
                if (payload_get(p, "manifest", &manifest, &manifest_size) >= 0)
                        printf("\nmanifest:\n%.*s", (int) manifest_size, (const char *) manifest);
                printf("\nchecksums: %s\n", verified >= 0 ? "all match" : "MISMATCH");
        }
        if (verified < 0)
                return log_error(verified, "payload entry '%s' is corrupted; use an intact copy of the agent", bad), 1;
        return 0;
}
