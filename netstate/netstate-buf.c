/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A growing text buffer, the three quoting rules we emit (text format, sh,
 * JSON), and address text in both directions. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "netstate-internal.h"

static bool reserve(NetBuf *b, size_t extra) {
        if (b->error)
                return false;
        if (extra > SIZE_MAX / 2 - b->len) {
                b->error = -ENOMEM;
                return false;
        }
        size_t need = b->len + extra + 1;
        if (need <= b->alloc)
                return true;
        size_t n = MAX(need, b->alloc * 2);
        n = MAX(n, (size_t) 256);
        char *p = realloc(b->data, n);
        if (!p) {
                b->error = -ENOMEM;
                return false;
        }
        b->data = p;
        b->alloc = n;
        return true;
}

void netbuf_put(NetBuf *b, const void *p, size_t n) {
        if (!reserve(b, n))
                return;
        memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
}

void netbuf_putc(NetBuf *b, char c) {
        netbuf_put(b, &c, 1);
}

void netbuf_puts(NetBuf *b, const char *s) {
        netbuf_put(b, s, strlen(s));
}

void netbuf_printf(NetBuf *b, const char *fmt, ...) {
        char small[256];
        va_list ap;

        va_start(ap, fmt);
        int n = vsnprintf(small, sizeof(small), fmt, ap);
        va_end(ap);
        if (n < 0) {
                if (!b->error)
                        b->error = -EINVAL;
                return;
        }
        if ((size_t) n < sizeof(small)) {
                netbuf_put(b, small, (size_t) n);
                return;
        }
        if (!reserve(b, (size_t) n))
                return;
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
        va_end(ap);
        b->len += (size_t) n;
}

int netbuf_finish(NetBuf *b, char **ret) {
        if (!b->error && !b->data)
                reserve(b, 0);
        if (b->error) {
                int r = b->error;
                netbuf_done(b);
                return r;
        }
        *ret = TAKE_PTR(b->data);
        *b = (NetBuf) {};
        return 0;
}

void netbuf_done(NetBuf *b) {
        free(b->data);
        *b = (NetBuf) {};
}

static bool is_safe(unsigned char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                strchr("._-:/@+,%", c) != NULL;
}

void netbuf_put_value(NetBuf *b, const char *s) {
        bool bare = *s != '\0';
        for (const unsigned char *p = (const unsigned char *) s; *p && bare; p++)
                bare = is_safe(*p);
        if (bare) {
                netbuf_puts(b, s);
                return;
        }
        netbuf_putc(b, '"');
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (*p == '"' || *p == '\\')
                        netbuf_printf(b, "\\%c", *p);
                else if (*p < 0x20 || *p >= 0x7f)
                        netbuf_printf(b, "\\x%02x", *p);
                else
                        netbuf_putc(b, (char) *p);
        }
        netbuf_putc(b, '"');
}

void netbuf_put_shell(NetBuf *b, const char *s) {
        netbuf_putc(b, '\'');
        for (const char *p = s; *p; p++) {
                if (*p == '\'')
                        netbuf_puts(b, "'\\''");
                else
                        netbuf_putc(b, *p);
        }
        netbuf_putc(b, '\'');
}

void netbuf_put_json(NetBuf *b, const char *s) {
        netbuf_putc(b, '"');
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (*p == '"' || *p == '\\')
                        netbuf_printf(b, "\\%c", *p);
                else if (*p < 0x20 || *p == 0x7f)
                        netbuf_printf(b, "\\u%04x", *p);
                else if (*p >= 0x80)
                        /* Interface names are bytes, not UTF-8: keep JSON valid. */
                        netbuf_printf(b, "\\u%04x", *p);
                else
                        netbuf_putc(b, (char) *p);
        }
        netbuf_putc(b, '"');
}

void netbuf_put_u(NetBuf *b, unsigned long v) {
        char text[3 * sizeof(v) + 1];
        size_t i = sizeof(text);

        do {
                text[--i] = (char) ('0' + v % 10);
                v /= 10;
        } while (v > 0);
        netbuf_put(b, text + i, sizeof(text) - i);
}

void netbuf_put_ip(NetBuf *b, int family, const uint8_t *bytes) {
        char text[INET6_ADDRSTRLEN];

        if (family == AF_INET) {
                /* inet_ntop() is snprintf() underneath: by hand, as fast as it gets. */
                for (size_t i = 0; i < 4; i++) {
                        if (i > 0)
                                netbuf_putc(b, '.');
                        netbuf_put_u(b, bytes[i]);
                }
                return;
        }
        if (!inet_ntop(family, bytes, text, sizeof(text))) {
                if (!b->error)
                        b->error = -EAFNOSUPPORT;
                return;
        }
        netbuf_puts(b, text);
}

void netbuf_put_prefix(NetBuf *b, int family, const uint8_t *bytes, uint8_t len) {
        static const uint8_t zero[16];
        if (len == 0 && memcmp(bytes, zero, netstate_family_len(family)) == 0) {
                netbuf_puts(b, "default");
                return;
        }
        netbuf_put_ip(b, family, bytes);
        netbuf_putc(b, '/');
        netbuf_put_u(b, len);
}

void netbuf_put_hwaddr(NetBuf *b, const uint8_t *a, size_t n) {
        static const char hex[] = "0123456789abcdef";

        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        netbuf_putc(b, ':');
                netbuf_putc(b, hex[a[i] >> 4]);
                netbuf_putc(b, hex[a[i] & 15]);
        }
}

int netstate_parse_ip(const char *s, NetIP *ret) {
        NetIP ip = {};
        if (strchr(s, ':')) {
                if (inet_pton(AF_INET6, s, ip.bytes) != 1)
                        return -EINVAL;
                ip.family = AF_INET6;
        } else {
                if (inet_pton(AF_INET, s, ip.bytes) != 1)
                        return -EINVAL;
                ip.family = AF_INET;
        }
        *ret = ip;
        return 0;
}

/* "default", "ADDR" (host prefix) or "ADDR/LEN", of the given family. */
int netstate_parse_prefix(const char *s, int family, uint8_t ret_bytes[static 16], uint8_t *ret_len) {
        size_t bits = netstate_family_len(family) * 8;
        if (bits == 0)
                return -EINVAL;
        if (strcmp(s, "default") == 0) {
                memset(ret_bytes, 0, 16);
                *ret_len = 0;
                return 0;
        }
        char addr[INET6_ADDRSTRLEN + 1];
        const char *slash = strchr(s, '/');
        size_t n = slash ? (size_t) (slash - s) : strlen(s);
        if (n == 0 || n >= sizeof(addr))
                return -EINVAL;
        memcpy(addr, s, n);
        addr[n] = '\0';
        NetIP ip;
        if (netstate_parse_ip(addr, &ip) < 0 || ip.family != family)
                return -EINVAL;
        unsigned len = (unsigned) bits;
        if (slash) {
                const char *p = slash + 1;
                if (*p < '0' || *p > '9' || strlen(p) > 3)
                        return -EINVAL;
                char *end;
                unsigned long v = strtoul(p, &end, 10);
                if (*end != '\0' || v > bits)
                        return -EINVAL;
                len = (unsigned) v;
        }
        memcpy(ret_bytes, ip.bytes, 16);
        *ret_len = (uint8_t) len;
        return 0;
}


int netstate_parse_hwaddr(const char *s, uint8_t ret[static NETSTATE_HWADDR_MAX], uint8_t *ret_len) {
        uint8_t buf[NETSTATE_HWADDR_MAX];
        size_t n = 0;
        for (const char *p = s;; p += 3) {
                int hi = unhexchar(p[0]), lo = hi < 0 ? -1 : unhexchar(p[1]);
                if (hi < 0 || lo < 0 || n >= sizeof(buf))
                        return -EINVAL;
                buf[n++] = (uint8_t) (hi << 4 | lo);
                if (p[2] == '\0')
                        break;
                if (p[2] != ':')
                        return -EINVAL;
        }
        memcpy(ret, buf, n);
        *ret_len = (uint8_t) n;
        return 0;
}
