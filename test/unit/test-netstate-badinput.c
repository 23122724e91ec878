/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Odd input to the netstate text format and the resolv.conf reader:
 * interface names at the kernel's limits (15 bytes, '.', '-', '@', UTF-8
 * bytes, shell metacharacters; and what dev_valid_name() refuses), 10,000 addresses, malformed
 * resolv.conf lines. Names must come back byte for byte through
 * parse/format/parse, and the rendered iproute2 script must stay valid sh. */
#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>

#include "netstate-internal.h"
#include "netstate.h"
#include "test-util.h"

/* "\xHH" for every byte: the quoting any name can be written in. */
static void put_name(FILE *f, const char *key, const char *name) {
        fprintf(f, "%s=\"", key);
        for (const unsigned char *c = (const unsigned char *) name; *c; c++)
                fprintf(f, "\\x%02x", *c);
        fputc('"', f);
}

static char *state_with_link(const char *name, size_t n_addrs) {
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        ASSERT_TRUE(f);
        fputs("netstate 1\n", f);
        fputs("link ", f);
        put_name(f, "name", name);
        fputs(" index=7 mac=52:54:00:12:34:56 perm=52:54:00:12:34:56 mtu=1500 up\n", f);
        for (size_t i = 0; i < n_addrs; i++) {
                fputs("addr ", f);
                put_name(f, "dev", name);
                if (i % 2)
                        fprintf(f, " family=inet6 local=2001:db8::%zx/128 scope=global\n", i);
                else
                        fprintf(f, " family=inet local=10.%zu.%zu.%zu/32 scope=global\n",
                                (i >> 16) & 255, (i >> 8) & 255, i & 255);
        }
        ASSERT_EQ(fclose(f), 0);
        return text;
}

/* Parses text, formats it, parses and formats that again: same text. */
static NetState *round_trip(const char *text, char **ret_formatted) {
        NetState *s = NULL, *again = NULL;
        char *out = NULL, *out2 = NULL;
        unsigned line = 0;

        ASSERT_OK(netstate_parse(text, strlen(text), &s, &line));
        ASSERT_OK(netstate_format(s, &out));
        ASSERT_OK(netstate_parse(out, strlen(out), &again, &line));
        ASSERT_OK(netstate_format(again, &out2));
        ASSERT_STREQ(out, out2);
        free(out2);
        netstate_free(again);
        *ret_formatted = out;
        return s;
}

static void assert_sh_syntax(const char *script) {
        FILE *p = popen("sh -n", "w");
        ASSERT_TRUE(p);
        fputs(script, p);
        int status = pclose(p);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_odd_names(void) {
        static const char *const names[] = {
                "abcdefghijklmno",      /* 15 bytes: IFNAMSIZ - 1 */
                "eth0.100", "br-lan", "wg@home", "-lead", "...", "x_y",
                "\xc3\xa9th0",          /* UTF-8 "éth0" */
                "\xff\xfe", "a\"b", "a\\b", "$(reboot)", "`id`", "a'b", "*",
        };

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                _cleanup_free_ char *text = state_with_link(names[i], 2), *formatted = NULL,
                                    *script = NULL, *json = NULL;
                _cleanup_netstate NetState *s = round_trip(text, &formatted);
                char addr[46];
                const char *dev = NULL;

                ASSERT_EQ(s->n_links, 1);
                ASSERT_STREQ(s->links[0].name, names[i]);
                ASSERT_OK(netstate_global_address(s, 0, addr, &dev));
                ASSERT_STREQ(dev, names[i]);
                ASSERT_OK(netstate_render_script(s, &script));
                assert_sh_syntax(script);
                ASSERT_OK(netstate_render_json(s, &json));
                for (const unsigned char *c = (const unsigned char *) json; *c; c++)
                        ASSERT_TRUE(*c >= 0x20 || *c == '\n');  /* control bytes escaped */
        }

        /* What the kernel's dev_valid_name() refuses: 16 bytes (IFNAMSIZ),
         * empty, "." and "..", '/', ':' (an alias label, not a link) and
         * whitespace. */
        static const char *const bad[] = { "abcdefghijklmnop", "", ".", "..", "a/b", "eth0:1", "a b", "a\tb" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_free_ char *text = state_with_link(bad[i], 0);
                NetState *s = NULL;
                unsigned line = 0;

                ASSERT_TRUE(netstate_parse(text, strlen(text), &s, &line) < 0);
                ASSERT_TRUE(!s);
                ASSERT_EQ(line, 2);
        }
}

static void test_many_addresses(void) {
        _cleanup_free_ char *text = state_with_link("eth0", 10000), *formatted = NULL;
        struct timespec a, b;
        size_t links, addrs, routes, rules;

        clock_gettime(CLOCK_MONOTONIC, &a);
        _cleanup_netstate NetState *s = round_trip(text, &formatted);
        clock_gettime(CLOCK_MONOTONIC, &b);
        netstate_counts(s, &links, &addrs, &routes, &rules);
        ASSERT_EQ(links, 1);
        ASSERT_EQ(addrs, 10000);
        printf("10,000 addresses: parse+format twice in %.0f ms, %zu bytes of text\n",
               (double) (b.tv_sec - a.tv_sec) * 1e3 + (double) (b.tv_nsec - a.tv_nsec) / 1e6, strlen(formatted));

        _cleanup_free_ char *script = NULL;
        ASSERT_OK(netstate_render_script(s, &script));
        assert_sh_syntax(script);
}

static void test_resolv_conf_garbage(void) {
        _cleanup_netstate NetState *s = NULL;
        _cleanup_free_ char *resolv = NULL, *long_word = NULL, *many = NULL;
        char *p;

        long_word = malloc(400);
        ASSERT_TRUE(long_word);
        memset(long_word, 'a', 399);
        long_word[399] = '\0';
        ASSERT_OK(netstate_new(&s));
        ASSERT_TRUE(asprintf(&many, "nameserver\nnameserver   \nnameserver 192.0.2.1 trailing words\n"
                             "nameserver %s\nsearch %s ok.test\n\x01\x02\xff binary\nnameserver \"quoted\"\n"
                             "options\n#nameserver 192.0.2.66\n ; nameserver 192.0.2.67\n"
                             "nameserver 192.0.2.2\r\n", long_word, long_word) > 0);
        ASSERT_OK(netstate_parse_resolv_conf(s, many));
        ASSERT_TRUE(s->nameservers.n >= 2);
        ASSERT_STREQ(s->nameservers.items[0], "192.0.2.1");
        for (size_t i = 0; i < s->nameservers.n; i++)
                ASSERT_TRUE(strlen(s->nameservers.items[i]) < NETSTATE_DNS_VALUE_MAX);
        ASSERT_EQ(s->search.n, 1);      /* the overlong domain is skipped */
        ASSERT_STREQ(s->search.items[0], "ok.test");

        /* More nameserver lines than kept: capped, not an error. */
        for (unsigned i = 0; i < 1000; i++) {
                _cleanup_free_ char *line = NULL;
                ASSERT_TRUE(asprintf(&line, "nameserver 198.51.100.%u\n", i % 250) > 0);
                ASSERT_OK(netstate_parse_resolv_conf(s, line));
        }
        ASSERT_TRUE(s->nameservers.n <= NETSTATE_DNS_MAX);

        /* What is rendered is one directive a line, no control bytes. */
        ASSERT_OK(netstate_render_resolv_conf(s, &resolv));
        for (p = resolv; *p; p++)
                ASSERT_TRUE((unsigned char) *p >= 0x20 || *p == '\n');
}

int main(void) {
        test_odd_names();
        test_many_addresses();
        test_resolv_conf_garbage();
        return 0;
}
