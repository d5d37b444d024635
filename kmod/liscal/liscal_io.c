// SPDX-License-Identifier: GPL-2.0
/* I/O path: port check, reads served locally, writes through the writer
 * thread (write intent, send to peer, local submit), completion. */
#include <linux/slab.h>
#include "liscal.h"

static struct bio_set lsc_bioset;
static bool lsc_bioset_ready;

int lsc_io_init(void)
{
	int ret = bioset_init(&lsc_bioset, 64, 0, BIOSET_NEED_BVECS);

	lsc_bioset_ready = !ret;
	if (!ret)
		ret = lsc_req_init();
	if (ret)
		lsc_io_exit();
	return ret;
}

void lsc_io_exit(void)
{
	lsc_req_exit();
	if (lsc_bioset_ready)
		bioset_exit(&lsc_bioset);
	lsc_bioset_ready = false;
}

static void lsc_read_endio(struct bio *clone)
{
	struct bio *orig = clone->bi_private;
	struct lsc_nmp *nmp = orig->bi_bdev->bd_disk->private_data;

	if (clone->bi_status)
		lsc_disk_error(nmp, clone->bi_iter.bi_sector);
	orig->bi_status = clone->bi_status;
	bio_put(clone);
	bio_endio(orig);
	lsc_io_put(nmp);
}

static void lsc_write_endio(struct bio *clone)
{
	struct lsc_wctx *w = clone->bi_private;

	w->t_local = ktime_get_ns();
	if (clone->bi_status) {
		w->status = clone->bi_status;
		lsc_disk_error(w->nmp, clone->bi_iter.bi_sector);
	}
	bio_put(clone);
	lsc_wctx_put(w);
}

static void lsc_write_submit(struct lsc_nmp *nmp, struct bio *bio);

void lsc_submit_bio(struct bio *bio)
{
	struct lsc_nmp *nmp = bio->bi_bdev->bd_disk->private_data;
	struct bio *clone;

	bio = lsc_split(bio);	/* the rest is resubmitted, and counted, on its own */
	if (!bio)
		return;
	atomic_inc(&nmp->io_count);
	if (!READ_ONCE(nmp->port_open) || READ_ONCE(nmp->detached)) {
		pr_info_ratelimited(LSC_PFX "NMP%d I/O port was closed, mount(%d), io(%d)\n",
				    nmp->idx, atomic_read(&nmp->openers), 0);
		bio_io_error(bio);
		lsc_io_put(nmp);
		return;
	}
	if (bio_op(bio) != REQ_OP_READ && bio_op(bio) != REQ_OP_WRITE) {
		/* no discard / write-zeroes limits are advertised */
		bio->bi_status = BLK_STS_NOTSUPP;
		bio_endio(bio);
		lsc_io_put(nmp);
		return;
	}
	if (bio_op(bio) == REQ_OP_WRITE) {
		lsc_write_submit(nmp, bio);
		return;
	}
	clone = bio_alloc_clone(nmp->data.bdev, bio, GFP_NOIO, &lsc_bioset);
	if (!clone) {
		lsc_err("malloc bh failed.");
		bio_io_error(bio);
		lsc_io_put(nmp);
		return;
	}
	clone->bi_end_io = lsc_read_endio;
	clone->bi_private = bio;
	submit_bio_noacct(clone);
}

/* Admission of a write, with nmp->lock held: recovery is not copying its
 * chunks, the chunks are counted in flight, the exact bits and the write
 * intent are set (*persist: disk bits were set, their blocks must be written
 * before the data is issued anywhere), *mirror: it goes to the peer too.
 * fast: admit only a write that needs no write-intent I/O and no state
 * change (the submitter issues it at once); false leaves nothing changed. */
static bool lsc_write_admit(struct lsc_nmp *nmp, struct lsc_wctx *w, bool fast,
			    bool *mirror, bool *persist)
{
	unsigned int size = w->orig->bi_iter.bi_size;
	u64 c;

	if (lsc_recovery_covers(nmp, w->c_first, w->c_last))
		return false;
	*mirror = nmp->conn == LSC_C_CONNECTED && nmp->peer_port != 1;
	if (fast && size && ((!*mirror && nmp->meta.state == LSC_S_SYNC) ||
			     !lsc_al_hit(nmp, w->c_first, w->c_last)))
		return false;
	w->flush_gen = nmp->vol_gen;
	for (c = w->c_first; c <= w->c_last && c < nmp->bm.nbits; c++)
		nmp->inflight[c]++;
	/* first unmirrored write: this side now holds the latest data */
	if (size && !*mirror && nmp->meta.state == LSC_S_SYNC)
		lsc_change_state(nmp, LSC_S_BREAK, LSC_WHY_WRITE_ALONE);
	if (size)
		lsc_al_mark(nmp, w->c_first, w->c_last,
			    *mirror && nmp->meta.state == LSC_S_SYNC, persist);
	return true;
}

static bool lsc_write_admit_wait(struct lsc_nmp *nmp, struct lsc_wctx *w,
				 bool *mirror, bool *persist)
{
	bool ok;

	spin_lock_irq(&nmp->lock);
	ok = lsc_write_admit(nmp, w, false, mirror, persist);
	spin_unlock_irq(&nmp->lock);
	return ok;
}

/* Issue an admitted write: intent blocks (FUA), then the WRITE frame to the
 * peer, then the local clone. Only one issuer at a time (nmp->wr_busy), so
 * the peer receives the writes in the order they were issued here. The
 * frame goes first: the peer's round trip is the longer leg. */
static void lsc_write_issue(struct lsc_nmp *nmp, struct lsc_wctx *w, bool mirror, bool persist)
{
	struct bio *bio = w->orig, *clone;
	unsigned int size = bio->bi_iter.bi_size;
	u8 flags = 0;
	u64 b;

	/* every block holding a newly set disk bit, even when the tick's lazy
	 * (non-FUA) write already took the bit: it is durable only after this */
	for (b = lsc_bm_block_of(w->c_first); persist && b <= lsc_bm_block_of(w->c_last); b++) {
		lsc_bm_write_block(nmp, b, true);
		spin_lock_irq(&nmp->lock);
		nmp->st.intent++;
		spin_unlock_irq(&nmp->lock);
	}

	atomic_set(&w->parts, 2);	/* local + (peer or the sender's own ref) */
	if (bio->bi_opf & REQ_PREFLUSH)
		flags |= LSC_F_PREFLUSH;
	if (bio->bi_opf & REQ_FUA)
		flags |= LSC_F_FUA;

	clone = bio_alloc_clone(nmp->data.bdev, bio, GFP_NOIO, &lsc_bioset);
	if (!clone) {
		lsc_err("malloc mirr_bh failed.");
		w->status = BLK_STS_RESOURCE;
		atomic_set(&w->parts, 1);
		lsc_wctx_put(w);
		return;
	}
	clone->bi_end_io = lsc_write_endio;
	clone->bi_private = w;
	w->t_issue = ktime_get_ns();

	if (mirror) {
		bool linked;

		/* fault injection: the receiver's break (a rejected frame, a lost
		 * peer) in the window between admission and the frame */
		if (READ_ONCE(nmp->fault) == LSC_FI_BREAK_ISSUE &&
		    cmpxchg(&nmp->fault, LSC_FI_BREAK_ISSUE, LSC_FI_NONE) == LSC_FI_BREAK_ISSUE)
			lsc_break(nmp, "fault injection");
		spin_lock_irq(&nmp->lock);
		/* a break after admission has already failed the pending writes and
		 * would not see this one: it is not mirrored, as if admitted after */
		linked = nmp->conn == LSC_C_CONNECTED;
		if (linked) {
			w->seq = ++nmp->seq;
			w->sent = jiffies;
			w->sent_to_peer = true;
			list_add_tail(&w->pending, &nmp->pending);
		}
		spin_unlock_irq(&nmp->lock);
		if (!linked) {
			lsc_wctx_put(w);	/* peer part: not mirrored, the bit stays */
		} else if (lsc_send_bio(nmp, bio, w->seq, flags)) {
			lsc_err("NMP%d send data failed. (secnr=%llu length=%u)", nmp->idx,
				(unsigned long long)bio->bi_iter.bi_sector, size);
			lsc_break(nmp, "send");	/* completes w's peer part */
		} else {
			w->t_sent = ktime_get_ns();
		}
	} else {
		atomic_dec(&w->parts);
	}
	submit_bio_noacct(clone);
}

/* the issuer is done: let the writer take what queued up meanwhile */
static void lsc_write_release(struct lsc_nmp *nmp)
{
	bool more;

	spin_lock_irq(&nmp->lock);
	nmp->wr_busy = false;
	more = !list_empty(&nmp->wq);
	spin_unlock_irq(&nmp->lock);
	if (more)
		wake_up(&nmp->writer_wait);
}

/* A write in the common mirrored case (nothing queued, no issuer, intent
 * already on disk, no recovery on its chunks) is issued right here, in the
 * submitter's context: no thread hand-off. Anything else goes to the writer
 * thread, which may block on write-intent I/O and on recovery. */
static void lsc_write_submit(struct lsc_nmp *nmp, struct bio *bio)
{
	struct lsc_wctx *w = lsc_wctx_alloc();
	unsigned int size = bio->bi_iter.bi_size;
	bool mirror = false, persist = false, fast;

	if (!w) {
		lsc_err("NMP%d malloc liscal_trans_request failed, to abort.", nmp->idx);
		bio_io_error(bio);
		lsc_io_put(nmp);
		return;
	}
	w->t_submit = ktime_get_ns();
	w->nmp = nmp;
	w->orig = bio;
	INIT_LIST_HEAD(&w->queue);
	INIT_LIST_HEAD(&w->pending);
	w->c_first = lsc_chunk_of(bio->bi_iter.bi_sector);
	w->c_last = size ? lsc_chunk_of(bio->bi_iter.bi_sector + (size >> 9) - 1) : w->c_first;
	if (!size)
		w->c_last = w->c_first - 1;	/* a pure flush covers no chunk */

	spin_lock_irq(&nmp->lock);
	if (!size && (bio->bi_opf & REQ_PREFLUSH) && nmp->vol_gen == nmp->clean_gen) {
		/* every completed write is durable on both sides already (FUA,
		 * or covered by an earlier flush): nothing for this flush to do */
		nmp->st.noflush++;
		spin_unlock_irq(&nmp->lock);
		lsc_wctx_free(w);
		bio_endio(bio);
		lsc_io_put(nmp);
		return;
	}
	fast = list_empty(&nmp->wq) && !nmp->wr_busy &&
		lsc_write_admit(nmp, w, true, &mirror, &persist);
	if (fast) {
		nmp->wr_busy = true;
		nmp->st.fast++;
	} else {
		list_add_tail(&w->queue, &nmp->wq);
		nmp->st.queued++;
	}
	spin_unlock_irq(&nmp->lock);
	if (!fast) {
		wake_up(&nmp->writer_wait);
		return;
	}
	lsc_write_issue(nmp, w, mirror, false);
	lsc_write_release(nmp);
}

/* the next queued write, if no one is issuing */
static bool lsc_writer_take(struct lsc_nmp *nmp, struct lsc_wctx **w)
{
	spin_lock_irq(&nmp->lock);
	*w = NULL;
	if (!nmp->wr_busy && !list_empty(&nmp->wq)) {
		*w = list_first_entry(&nmp->wq, struct lsc_wctx, queue);
		list_del_init(&(*w)->queue);
		nmp->wr_busy = true;
	}
	spin_unlock_irq(&nmp->lock);
	return *w;
}

static bool lsc_writer_idle(struct lsc_nmp *nmp)
{
	bool idle;

	spin_lock_irq(&nmp->lock);
	idle = list_empty(&nmp->wq) && !nmp->wr_busy;
	spin_unlock_irq(&nmp->lock);
	return idle;
}

/* one issuer at a time per NMP keeps write order identical on both sides;
 * this thread issues the writes that may block before they are issued */
int lsc_writer_fn(void *arg)
{
	struct lsc_nmp *nmp = arg;
	bool mirror, persist;
	struct lsc_wctx *w;

	for (;;) {
		w = NULL;
		wait_event_interruptible(nmp->writer_wait, lsc_writer_take(nmp, &w) ||
					 (kthread_should_stop() && lsc_writer_idle(nmp)));
		if (!w) {
			if (kthread_should_stop() && lsc_writer_idle(nmp))
				break;
			continue;
		}
		mirror = persist = false;
		wait_event(nmp->rec_wait, lsc_write_admit_wait(nmp, w, &mirror, &persist));
		lsc_write_issue(nmp, w, mirror, persist);
		lsc_write_release(nmp);
	}
	return 0;
}
