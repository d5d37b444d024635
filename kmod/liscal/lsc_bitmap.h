/* SPDX-License-Identifier: GPL-2.0 */
/* Difference bitmap: one bit per chunk, bit i of byte b = chunk 8b+i
 * (the on-disk order, so the buffer is written to the cluster partition as is). */
#ifndef LSC_BITMAP_H
#define LSC_BITMAP_H
#include "lsc_types.h"

#define LSC_CHUNK_SHIFT 7		/* sectors: 128 sectors = 64 KiB */
#define LSC_CHUNK_BYTES ((1u << LSC_CHUNK_SHIFT) << 9)
#define LSC_BM_BLOCK 4096		/* bitmap is persisted in 4 KiB blocks */

struct lsc_bitmap {
	u8 *bits;		/* ceil(nbits/8) bytes, owned by the caller */
	u64 nbits;
	u64 count;		/* number of bits set */
};

static inline u64 lsc_bm_bytes(u64 nbits) { return (nbits + 7) / 8; }
static inline u64 lsc_chunks_for(u64 sectors)
{ return (sectors + (1u << LSC_CHUNK_SHIFT) - 1) >> LSC_CHUNK_SHIFT; }
/* index of the 4 KiB bitmap block holding bit n */
static inline u64 lsc_bm_block_of(u64 n) { return n / (LSC_BM_BLOCK * 8); }

void lsc_bm_init(struct lsc_bitmap *bm, u8 *bits, u64 nbits);
int lsc_bm_test(const struct lsc_bitmap *bm, u64 n);
int lsc_bm_set(struct lsc_bitmap *bm, u64 n);	/* 1 if newly set */
int lsc_bm_clear(struct lsc_bitmap *bm, u64 n);	/* 1 if it was set */
void lsc_bm_fill(struct lsc_bitmap *bm);
void lsc_bm_zero(struct lsc_bitmap *bm);
u64 lsc_bm_recount(struct lsc_bitmap *bm);
/* first set bit >= from, or nbits */
u64 lsc_bm_next(const struct lsc_bitmap *bm, u64 from);
/* OR another bitmap of the same size into bm */
void lsc_bm_or(struct lsc_bitmap *bm, const u8 *other);
#endif
