/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * XXH64, the 64-bit hash of xxHash, as its specification ("xxHash fast
 * digest algorithm", xxhash_spec.md) defines it: with seed 0, what
 * `xxhsum -H1` prints, read as one big-endian hex number.
 *
 * Not cryptographic. It is here for one job: telling a damaged copy of the
 * agent from an intact one before a reboot, where zlib's CRC-32 cost 28 ms
 * of every `agent go` in a TCG guest for 17 MB (a table lookup per byte)
 * and XXH64 costs 6 ms (a 64-bit multiply per 8 bytes).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

uint64_t xxh64(const void *data, size_t size, uint64_t seed);
