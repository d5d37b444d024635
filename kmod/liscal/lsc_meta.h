/* SPDX-License-Identifier: GPL-2.0 */
/* Metadata block (offset 0 of the cluster partition); the bitmap follows at
 * LSC_META_BM_OFF. Layout documented in README.md §2.1. */
#ifndef LSC_META_H
#define LSC_META_H
#include "lsc_types.h"

#define LSC_META_MAGIC	0x444D534Cu	/* "LSMD" */
#define LSC_META_VERSION 1
#define LSC_META_LEN	72
#define LSC_META_BM_OFF	4096

#define LSC_MF_DISKERR	0x1
#define LSC_MF_BMVALID	0x2

enum lsc_mstate { LSC_S_NONE, LSC_S_SYNC, LSC_S_BREAK, LSC_S_STALE, LSC_S_RECOVERING };

struct lsc_meta {
	u32 magic;
	u32 version;
	u32 chunk_shift;
	u32 flags;
	u64 chunks;
	u64 sectors;
	u64 gen;
	u64 peer_gen;
	u64 last_update;
	u64 break_time;
	u32 state;
};

void lsc_meta_encode(const struct lsc_meta *m, u8 out[LSC_META_LEN]);
int lsc_meta_decode(const u8 in[LSC_META_LEN], struct lsc_meta *m);
/* bytes of cluster partition needed, rounded to 4 KiB */
u64 lsc_meta_cp_bytes(u64 chunks);
#endif
