/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The preflight: everything that would make `go` fail or lock the operator
 * out, checked before anything changes. `agent check` prints it; `go` runs
 * the same checks first and refuses on a FAIL. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "agent-image.h"
#include "agent-overlay.h"
#include "agent.h"

#define CHECK_MAX_ITEMS 96

typedef enum CheckLevel {
        CHECK_OK,
        CHECK_WARN,
        CHECK_FAIL,
} CheckLevel;

typedef struct CheckItem {
        char name[24];          /* "kexec-loaded", "nic-driver" */
        CheckLevel level;
        bool forced;            /* a FAIL that --force let pass (shown as WARN) */
        char reason[384];
        char todo[384];         /* what to do about it; "" when nothing */
} CheckItem;

typedef struct CheckReport {
        CheckItem items[CHECK_MAX_ITEMS];
        size_t n;
        size_t n_fail, n_warn;
} CheckReport;

/* What the preflight looks at. img and ov may be NULL when loading the
 * image or capturing the host failed (a FAIL line says so). */
typedef struct CheckInput {
        const AgentOptions *o;
        const RescueImage *img;
        const Overlay *ov;
        size_t initrd_size;     /* the initramfs kexec will load, overlay included */
} CheckInput;

/* Runs every check; never fails (what it cannot find out is a WARN). */
void preflight_run(const CheckInput *in, CheckReport *ret);
/* go: FAILs as "agent: error:" lines, WARNs as warnings, OKs quiet. */
void check_report_log(const CheckReport *r);
/* check: "OK|WARN|FAIL  name  reason -- what to do", a line each. */
void check_report_print(const CheckReport *r, FILE *f);
/* A JSON array of {"name","level","forced","reason","todo"}. */
void check_report_json(const CheckReport *r, FILE *f);
const char *check_level_to_string(CheckLevel l);

/* A JSON string with quotes and escapes, for the --json outputs. */
void json_string(FILE *f, const char *s);

/* The image, the overlay and the preflight, as go, check and plan need
 * them; the bundled payload checked as how says (go and plan: XXH64; check:
 * SHA-256 too). Returns 0 when every step ran (the report may hold FAILs),
 * <0 when one could not (logged). *ret_img and *ret_ov are set only when
 * loaded. */
int preflight_prepare(const AgentOptions *o, PayloadVerify how, RescueImage *img, bool *ret_img_ok,
                      Overlay *ov, bool *ret_ov_ok, size_t *ret_initrd_size, CheckReport *report);
