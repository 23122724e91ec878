/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the running kernel allows, read from sysfs, procfs, securityfs and
 * efivarfs. Every file may be missing or odd: parse defensively, never
 * guess, and let the caller tell "no" from "unknown". */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "kexec-internal.h"
#include "kexec-syscall.h"

#define EFI_GLOBAL_GUID "8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define CAP_SYS_BOOT_BIT 22

int kexec_path_join(const char *root, const char *path, char *buf, size_t size) {
        int n;

        if (!path || !buf || size == 0)
                return -EINVAL;
        n = snprintf(buf, size, "%s%s", root ? root : "", path);
        if (n < 0)
                return -EINVAL;
        if ((size_t) n >= size)
                return -ENAMETOOLONG;
        return 0;
}

int kexec_read_file_at(const char *root, const char *path, char *buf, size_t size) {
        _cleanup_close_ int fd = -EBADF;
        char p[PATH_MAX];
        size_t len = 0;
        int r;

        if (!buf || size < 2 || size > INT_MAX)
                return -EINVAL;
        r = kexec_path_join(root, path, p, sizeof(p));
        if (r < 0)
                return r;

        fd = open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;

        /* Read to EOF: sysfs and procfs may return less than asked. One byte
         * of room stays for the NUL; filling it means "too large". */
        for (;;) {
                ssize_t n = read(fd, buf + len, size - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                len += (size_t) n;
                if (len >= size)
                        return -EFBIG;
        }
        buf[len] = '\0';
        return (int) len;
}

int kexec_parse_int(const char *s, int *ret) {
        char *end;
        long v;

        if (!s || !ret)
                return -EINVAL;
        while (isspace((unsigned char) *s))
                s++;
        if (*s == '\0')
                return -EBADMSG;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno != 0 || end == s || v < INT_MIN || v > INT_MAX)
                return -EBADMSG;
        while (isspace((unsigned char) *end))
                end++;
        if (*end != '\0')
                return -EBADMSG;

        *ret = (int) v;
        return 0;
}

static int read_int(const char *root, const char *path, int *ret) {
        char buf[64];
        int r;

        r = kexec_read_file_at(root, path, buf, sizeof(buf));
        if (r < 0)
                return r;
        return kexec_parse_int(buf, ret);
}

/* A 0/1 file; anything else is not what the kernel writes. */
static int read_bool(const char *root, const char *path) {
        int v, r;

        r = read_int(root, path, &v);
        if (r < 0)
                return r;
        if (v != 0 && v != 1)
                return -EBADMSG;
        return v;
}

static int path_exists(const char *root, const char *path) {
        char p[PATH_MAX];
        struct stat st;
        int r;

        r = kexec_path_join(root, path, p, sizeof(p));
        if (r < 0)
                return r;
        if (stat(p, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        return 1;
}

int kexec_probe_loaded(const char *root) {
        return read_bool(root, "/sys/kernel/kexec_loaded");
}

int kexec_probe_crash_loaded(const char *root) {
        return read_bool(root, "/sys/kernel/kexec_crash_loaded");
}

int kexec_probe_load_disabled(const char *root) {
        return read_bool(root, "/proc/sys/kernel/kexec_load_disabled");
}

int kexec_probe_load_limit_reboot(const char *root, int *ret_limit) {
        int v, r;

        if (!ret_limit)
                return -EINVAL;
        r = read_int(root, "/proc/sys/kernel/kexec_load_limit_reboot", &v);
        if (r < 0)
                return r;
        if (v < -1)
                return -EBADMSG;
        *ret_limit = v;
        return 0;
}

int kexec_probe_lockdown(const char *root, enum kexec_lockdown *ret) {
        static const struct {
                const char *word;
                enum kexec_lockdown mode;
        } modes[] = {
                { "none",            KEXEC_LOCKDOWN_NONE },
                { "integrity",       KEXEC_LOCKDOWN_INTEGRITY },
                { "confidentiality", KEXEC_LOCKDOWN_CONFIDENTIALITY },
        };
        char buf[256];
        const char *open_b, *close_b;
        int r;

        if (!ret)
                return -EINVAL;
        r = kexec_read_file_at(root, "/sys/kernel/security/lockdown", buf, sizeof(buf));
        if (r < 0)
                return r;

        /* "none [integrity] confidentiality": the active mode is bracketed. */
        open_b = strchr(buf, '[');
        close_b = open_b ? strchr(open_b, ']') : NULL;
        if (!close_b) {
                *ret = KEXEC_LOCKDOWN_UNKNOWN;
                return 0;
        }

        for (size_t i = 0; i < ELEMENTSOF(modes); i++) {
                size_t n = strlen(modes[i].word);
                if ((size_t) (close_b - open_b - 1) == n && strncmp(open_b + 1, modes[i].word, n) == 0) {
                        *ret = modes[i].mode;
                        return 0;
                }
        }
        *ret = KEXEC_LOCKDOWN_UNKNOWN;
        return 0;
}

int kexec_probe_secure_boot(const char *root, enum kexec_secure_boot *ret) {
        char buf[64];
        int r;

        if (!ret)
                return -EINVAL;

        r = path_exists(root, "/sys/firmware/efi");
        if (r < 0)
                return r;
        if (r == 0) {
                *ret = KEXEC_SECURE_BOOT_NOT_EFI;
                return 0;
        }

        /* efivarfs: 4 bytes of attributes, then the value byte. */
        r = kexec_read_file_at(root, "/sys/firmware/efi/efivars/SecureBoot-" EFI_GLOBAL_GUID,
                               buf, sizeof(buf));
        if (r >= 5 && (buf[4] == 0 || buf[4] == 1)) {
                *ret = buf[4] ? KEXEC_SECURE_BOOT_ENABLED : KEXEC_SECURE_BOOT_DISABLED;
                return 0;
        }
        if (r == -ENOENT) {
                /* The old sysfs efivars interface: the value alone. */
                r = kexec_read_file_at(root, "/sys/firmware/efi/vars/SecureBoot-" EFI_GLOBAL_GUID "/data",
                                       buf, sizeof(buf));
                if (r >= 1 && (buf[0] == 0 || buf[0] == 1)) {
                        *ret = buf[0] ? KEXEC_SECURE_BOOT_ENABLED : KEXEC_SECURE_BOOT_DISABLED;
                        return 0;
                }
        }

        /* EFI, but efivarfs is not mounted or the variable is odd. */
        *ret = KEXEC_SECURE_BOOT_UNKNOWN;
        return 0;
}

int kexec_probe_efi_platform_size(const char *root) {
        int v, r;

        r = path_exists(root, "/sys/firmware/efi");
        if (r <= 0)
                return r;
        r = read_int(root, "/sys/firmware/efi/fw_platform_size", &v);
        if (r < 0)
                return r;
        if (v != 32 && v != 64)
                return -EBADMSG;
        return v;
}

/* The value of "Key:" in a "Key:\tvalue" file, or NULL. */
static const char *find_field(const char *text, const char *key) {
        size_t n = strlen(key);

        for (const char *line = text; line; ) {
                if (strncmp(line, key, n) == 0)
                        return line + n;
                line = strchr(line, '\n');
                if (line)
                        line++;
        }
        return NULL;
}

int kexec_probe_cap_sys_boot(const char *root) {
        _cleanup_free_ char *buf = malloc(KEXEC_PROBE_FILE_MAX);
        const char *v;
        char *end;
        unsigned long long caps;
        int r;

        if (!buf)
                return -ENOMEM;
        /* Large: the Groups: line lists every supplementary group. */
        r = kexec_read_file_at(root, "/proc/self/status", buf, KEXEC_PROBE_FILE_MAX);
        if (r < 0)
                return r;

        v = find_field(buf, "CapEff:");
        if (!v)
                return -EBADMSG;
        while (*v == ' ' || *v == '\t')
                v++;
        errno = 0;
        caps = strtoull(v, &end, 16);
        if (errno != 0 || end == v || (*end != '\n' && *end != '\0'))
                return -EBADMSG;

        return !!(caps & (1ULL << CAP_SYS_BOOT_BIT));
}

int kexec_probe_user_namespace(const char *root) {
        char buf[4096];
        unsigned long inside, outside, count;
        char tail;
        int r;

        r = kexec_read_file_at(root, "/proc/self/uid_map", buf, sizeof(buf));
        if (r < 0)
                return r;

        /* The initial namespace maps all 2^32-1 ids onto themselves in one
         * line; anything else is a namespace made by someone. */
        r = sscanf(buf, " %lu %lu %lu %c", &inside, &outside, &count, &tail);
        if (r < 3)
                return r == 0 || r == EOF ? 1 : -EBADMSG;     /* empty map: unconfigured namespace */
        return !(r == 3 && inside == 0 && outside == 0 && count == 4294967295UL);
}

/* "Key:   1234 kB" in bytes. */
static int meminfo_field(const char *text, const char *key, uint64_t *ret) {
        const char *v = find_field(text, key);
        unsigned long long kib;
        char *end;

        if (!v)
                return -ENOENT;
        errno = 0;
        kib = strtoull(v, &end, 10);
        if (errno != 0 || end == v)
                return -EBADMSG;
        while (*end == ' ')
                end++;
        if (strncmp(end, "kB", 2) != 0 || kib > UINT64_MAX / 1024)
                return -EBADMSG;
        *ret = (uint64_t) kib * 1024;
        return 0;
}

int kexec_probe_meminfo(const char *root, uint64_t *ret_total, uint64_t *ret_available) {
        _cleanup_free_ char *buf = NULL;
        uint64_t total, available = 0;
        int r;

        if (!ret_total || !ret_available)
                return -EINVAL;
        buf = malloc(KEXEC_PROBE_FILE_MAX);
        if (!buf)
                return -ENOMEM;
        r = kexec_read_file_at(root, "/proc/meminfo", buf, KEXEC_PROBE_FILE_MAX);
        if (r < 0)
                return r;

        r = meminfo_field(buf, "MemTotal:", &total);
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        /* MemAvailable appeared in Linux 3.14: 0 means unknown. */
        r = meminfo_field(buf, "MemAvailable:", &available);
        if (r < 0 && r != -ENOENT)
                return r;

        *ret_total = total;
        *ret_available = available;
        return 0;
}

int kexec_probe_file_load_syscall(void) {
        /* The kernel checks CAP_SYS_BOOT and kexec_load_disabled, then the
         * flags, before it takes the kexec lock or reads any fd: an unknown
         * flag is a harmless question. */
        int r = kexec_sys_file_load(-1, -1, 0, NULL, 0x80000000UL);

        if (r == -ENOSYS)
                return 0;
        if (r == -EPERM)
                return -EPERM;
        return 1;
}

void kexec_probe_host(const char *root, struct kexec_host_state *ret) {
        struct kexec_host_state s = {};
        int r;

        if (!ret)
                return;

        s.loaded = kexec_probe_loaded(root);
        s.crash_loaded = kexec_probe_crash_loaded(root);
        s.load_disabled = kexec_probe_load_disabled(root);
        s.load_limit_reboot_r = kexec_probe_load_limit_reboot(root, &s.load_limit_reboot);
        s.cap_sys_boot = kexec_probe_cap_sys_boot(root);
        s.user_namespace = kexec_probe_user_namespace(root);
        s.efi_platform_size = kexec_probe_efi_platform_size(root);

        if (kexec_probe_lockdown(root, &s.lockdown) < 0)
                s.lockdown = KEXEC_LOCKDOWN_UNKNOWN;
        if (kexec_probe_secure_boot(root, &s.secure_boot) < 0)
                s.secure_boot = KEXEC_SECURE_BOOT_UNKNOWN;

        r = kexec_probe_meminfo(root, &s.mem_total, &s.mem_available);
        if (r < 0)
                s.mem_total = s.mem_available = 0;

        *ret = s;
}

const char *kexec_lockdown_to_string(enum kexec_lockdown l) {
        switch (l) {
        case KEXEC_LOCKDOWN_NONE:            return "none";
        case KEXEC_LOCKDOWN_INTEGRITY:       return "integrity";
        case KEXEC_LOCKDOWN_CONFIDENTIALITY: return "confidentiality";
        default:                             return "unknown";
        }
}

const char *kexec_secure_boot_to_string(enum kexec_secure_boot s) {
        switch (s) {
        case KEXEC_SECURE_BOOT_NOT_EFI:  return "not booted by EFI";
        case KEXEC_SECURE_BOOT_DISABLED: return "disabled";
        case KEXEC_SECURE_BOOT_ENABLED:  return "enabled";
        default:                         return "unknown";
        }
}
