/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netstate_parse() on arbitrary bytes. Beyond "no crash, no out of bounds
 * read": whatever parses must format to text that parses again to the same
 * text, and must render as a script and as JSON.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-util.h"
#include "netstate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        NetState *s = NULL, *again = NULL;
        char *text = NULL, *text2 = NULL, *script = NULL, *json = NULL;
        unsigned line = 0;

        if (netstate_parse((const char *) data, size, &s, &line) < 0)
                return 0;
        CHECK(netstate_format(s, &text) == 0);
        CHECK(netstate_parse(text, strlen(text), &again, &line) == 0);
        CHECK(netstate_format(again, &text2) == 0);
        CHECK(strcmp(text, text2) == 0);
        CHECK(netstate_render_script(s, &script) == 0);
        CHECK(netstate_render_json(s, &json) == 0);
        free(json);
        CHECK(netstate_render_resolv_conf(s, &json) == 0);

        free(text);
        free(text2);
        free(script);
        free(json);
        netstate_free(again);
        netstate_free(s);
        return 0;
}
