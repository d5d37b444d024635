// SPDX-License-Identifier: GPL-2.0
/* The difference bitmap in two copies. nmp->bm is exact: the chunks that
 * may differ from the peer now (unacked or unmirrored writes). nmp->dbm is
 * what the cluster partition holds, always a superset of bm, so a crash at
 * any instant leaves a bitmap covering every differing chunk.
 * While mirrored (SYNC and connected), a write intent sets the disk bits of
 * the chunk's whole extent (LSC_AL_CHUNKS chunks, 4 MiB) like DRBD's
 * activity log, so writes into a hot extent need no metadata write; the
 * extent's disk bits are dropped once it has been idle al_idle_ms. Outside
 * SYNC the disk bits follow the exact ones chunk by chunk. */
#include <linux/moduleparam.h>
#include "liscal.h"

/* extents idle this long lose their disk bits (SYNC only) */
static unsigned int al_idle_ms = 5000;

static int lsc_set_al_idle(const char *val, const struct kernel_param *kp)
{
	return lsc_param_uint(val, &al_idle_ms, 0, 3600000);
}

static const struct kernel_param_ops lsc_ops_al_idle = {
	.set = lsc_set_al_idle,
	.get = param_get_uint,
};
module_param_cb(al_idle_ms, &lsc_ops_al_idle, &al_idle_ms, 0644);
MODULE_PARM_DESC(al_idle_ms, "drop an idle extent's write-intent bits after this many ms, 0-3600000 (default 5000)");

static void lsc_dbm_set(struct lsc_nmp *nmp, u64 c)
{
	if (lsc_bm_set(&nmp->dbm, c))
		set_bit(lsc_bm_block_of(c), nmp->bm_dirty);
}

/* write intent for chunks first..last, before the write is issued anywhere;
 * *persist: a disk bit was set, the caller writes the block(s) with FUA */
void lsc_al_mark(struct lsc_nmp *nmp, u64 first, u64 last, bool extent, bool *persist)
{
	u64 c, e;

	for (c = first; c <= last && c < nmp->bm.nbits; c++) {
		lsc_bm_set(&nmp->bm, c);
		nmp->ext_last[c / LSC_AL_CHUNKS] = jiffies;
		if (lsc_bm_test(&nmp->dbm, c))
			continue;
		*persist = true;
		if (!extent) {
			lsc_dbm_set(nmp, c);
			continue;
		}
		for (e = c - c % LSC_AL_CHUNKS; e < c - c % LSC_AL_CHUNKS + LSC_AL_CHUNKS; e++)
			lsc_dbm_set(nmp, e);
	}
}

/* the disk copy becomes the exact one (break, recovery, force, unbind) */
void lsc_al_sync(struct lsc_nmp *nmp)
{
	memcpy(nmp->dbmbuf, nmp->bmbuf, lsc_bm_bytes(nmp->bm.nbits));
	nmp->dbm.count = nmp->bm.count;
	bitmap_fill(nmp->bm_dirty, nmp->bm_blocks);
}

/* SYNC: chunks whose writes are all done on both sides are identical */
void lsc_al_clear_acked(struct lsc_nmp *nmp)
{
	u64 c;

	for (c = 0; (c = lsc_bm_next(&nmp->bm, c)) < nmp->bm.nbits; c++)
		if (!nmp->inflight[c])
			lsc_bm_clear(&nmp->bm, c);
}

/* any bit of extent e set? An extent is 8 whole bytes of the bitmap (the
 * buffers are allocated in 4 KiB blocks, so the last extent is readable too) */
static bool lsc_ext_any(const u8 *bits, u64 e)
{
	u64 v;

	memcpy(&v, bits + e * (LSC_AL_CHUNKS / 8), sizeof(v));
	return v != 0;
}

/* SYNC: drop the disk bits of extents idle long enough with no exact bit */
void lsc_al_expire(struct lsc_nmp *nmp)
{
	unsigned long idle = msecs_to_jiffies(al_idle_ms);
	u64 e, c, n = DIV_ROUND_UP(nmp->bm.nbits, LSC_AL_CHUNKS);

	for (e = 0; e < n; e++) {
		u64 lo = e * LSC_AL_CHUNKS, hi = min(lo + LSC_AL_CHUNKS, nmp->bm.nbits);

		if (!lsc_ext_any(nmp->dbmbuf, e) || lsc_ext_any(nmp->bmbuf, e) ||
		    !time_after(jiffies, nmp->ext_last[e] + idle))
			continue;
		for (c = lo; c < hi; c++)
			if (lsc_bm_clear(&nmp->dbm, c))
				set_bit(lsc_bm_block_of(c), nmp->bm_dirty);
	}
}

/* a chunk copied by recovery and acked by the peer */
void lsc_al_clear_chunk(struct lsc_nmp *nmp, u64 c)
{
	lsc_bm_clear(&nmp->bm, c);
	if (lsc_bm_clear(&nmp->dbm, c))
		set_bit(lsc_bm_block_of(c), nmp->bm_dirty);
}

/* the disk bits of chunks first..last are all set: a write there needs no
 * write-intent I/O (the submitter may issue it at once) */
bool lsc_al_hit(struct lsc_nmp *nmp, u64 first, u64 last)
{
	u64 c;

	for (c = first; c <= last && c < nmp->bm.nbits; c++)
		if (!lsc_bm_test(&nmp->dbm, c))
			return false;
	return true;
}
