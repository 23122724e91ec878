/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pieces of `go` that `plan` shows without doing anything. */
#pragma once

#include <signal.h>

#include "agent-image.h"
#include "kexec.h"
#include "agent.h"

/* The rescue kernel's command line: the host's console= arguments,
 * panic=10, --append. -E2BIG (logged) when longer than the kernel takes. */
int go_build_cmdline(const AgentOptions *o, const RescueImage *img, char **ret);

/* sync() in a child, waited for at most 10 s (a dying disk can hang it). */
void agent_sync_bounded(void);

/* Blocks SIGINT, SIGTERM and SIGHUP and returns them in *ret_mask: from
 * the kexec load on, a signal must not kill the agent with a kernel loaded
 * (the countdown waits for them instead). */
void agent_block_signals(sigset_t *ret_mask);

/* "rebooting into TARGET in N s" once a second on stderr; SIGINT, SIGTERM or
 * SIGHUP (blocked in *mask) cancel with -ECANCELED. 0 when it ran out. */
int agent_countdown(const char *target, unsigned seconds, const sigset_t *mask);

/* Logs why the kernel refused to load WHAT ("the rescue system") with
 * errno R, the detail and what to do (kexec_explain_load_error). */
void agent_explain_load_failure(int r, const char *what, const struct kexec_bzimage_info *info, uint64_t kernel_size,
                                uint64_t initrd_size, const char *cmdline);
