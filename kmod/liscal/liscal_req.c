// SPDX-License-Identifier: GPL-2.0
/* An upper write's completion: its two parts (the local write and the
 * peer's ACK, or the break that ends the wait for it) done, the bio
 * completes upward and its chunks are released. Calls nothing else of
 * liscal. */
#include <linux/slab.h>
#include <linux/mempool.h>
#include "liscal.h"

/* one lsc_wctx per upper write, allocated in submit_bio with GFP_NOIO: a
 * reserve so that a write under memory pressure waits for one to be freed
 * instead of failing */
#define LSC_WCTX_RESERVE 64
static mempool_t *lsc_wctx_pool;

int lsc_req_init(void)
{
	lsc_wctx_pool = mempool_create_kmalloc_pool(LSC_WCTX_RESERVE, sizeof(struct lsc_wctx));
	return lsc_wctx_pool ? 0 : -ENOMEM;
}

void lsc_req_exit(void)
{
	mempool_destroy(lsc_wctx_pool);
	lsc_wctx_pool = NULL;
}

/* never NULL with GFP_NOIO (mempool_alloc waits for a free one) */
struct lsc_wctx *lsc_wctx_alloc(void)
{
	struct lsc_wctx *w = mempool_alloc(lsc_wctx_pool, GFP_NOIO);

	if (w)
		memset(w, 0, sizeof(*w));
	return w;
}

void lsc_wctx_free(struct lsc_wctx *w)
{
	mempool_free(w, lsc_wctx_pool);
}

/* both parts done: complete upward, release the chunks */
void lsc_wctx_put(struct lsc_wctx *w)
{
	struct lsc_nmp *nmp = w->nmp;
	struct lsc_stats *st = &nmp->st;
	unsigned long flags;
	u64 c, now;

	if (!atomic_dec_and_test(&w->parts))
		return;
	now = ktime_get_ns();
	spin_lock_irqsave(&nmp->lock, flags);
	for (c = w->c_first; c <= w->c_last && c < nmp->bm.nbits; c++)
		nmp->inflight[c]--;
	/* seconds resolution: the tick writes the metadata at most once a second */
	if (nmp->meta.last_update != lsc_now()) {
		nmp->meta.last_update = lsc_now();
		nmp->meta_dirty = true;
	}
	lsc_stat_add(st, LSC_T_QUEUE, w->t_submit, w->t_issue);
	lsc_stat_add(st, LSC_T_SEND, w->t_issue, w->t_sent);
	lsc_stat_add(st, LSC_T_LOCAL, w->t_issue, w->t_local);
	lsc_stat_add(st, LSC_T_PEER, w->t_sent, w->t_ack);
	lsc_stat_add(st, LSC_T_TOTAL, w->t_submit, now);
	/* complete on both sides: a non-FUA write may sit in a volatile cache;
	 * a successful flush covers what completed before it was issued */
	if ((w->orig->bi_iter.bi_size && !(w->orig->bi_opf & REQ_FUA)) || w->status)
		lsc_vol(nmp);
	else if ((w->orig->bi_opf & REQ_PREFLUSH) && w->flush_gen > nmp->clean_gen)
		nmp->clean_gen = w->flush_gen;
	spin_unlock_irqrestore(&nmp->lock, flags);
	wake_up_all(&nmp->rec_wait);
	w->orig->bi_status = w->status;
	bio_endio(w->orig);
	lsc_wctx_free(w);
	lsc_io_put(nmp);
}
