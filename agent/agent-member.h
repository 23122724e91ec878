/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The agent's own initramfs member: this program as usr/lib/rescue/agent,
 * which the rescue's init runs (`agent restore`) and a foreign rescue
 * initramfs can run too. `agent bundle` makes it once, xz-compressed, and
 * carries it in the payload; go appends it to the overlay as it is. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "agent-payload.h"

/* The payload blob that holds the member. */
#define AGENT_MEMBER_BLOB "agent.cpio.xz"
/* Where the rescue finds the program (rescue/init). */
#define AGENT_MEMBER_PATH "usr/lib/rescue/agent"

/* A newc archive of usr/, usr/lib/, usr/lib/rescue/ (0755) and program as
 * AGENT_MEMBER_PATH (0755), xz with the x86 BCJ filter and CRC32 as the
 * kernel unpacks it. Free *ret with free(). -EFBIG, -ENOMEM. */
int agent_member_build(const void *program, size_t program_size, void **ret, size_t *ret_size);

/* The bytes of cpio a one-stream xz member unpacks to, read from the
 * stream's index (its last bytes), without decompressing. -EBADMSG when the
 * member ends in no valid xz footer and index. */
int agent_member_unpacked_size(const void *member, size_t size, uint64_t *ret);

/* This program's member: the payload's AGENT_MEMBER_BLOB, XXH64 checked,
 * when p has one (*ret_owned NULL: borrowed from p), else built now from the
 * program image (*ret_owned: free() it). p may be NULL (no payload: the
 * program is read from /proc/self/exe). Does not log. */
int agent_member_get(const Payload *p, const void **ret, size_t *ret_size, void **ret_owned);
