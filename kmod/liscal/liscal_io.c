// SPDX-License-Identifier: GPL-2.0
/* I/O path: port check, reads served locally, writes through the writer
 * thread (write intent, send to peer, local submit), completion. */
#include <linux/slab.h>
#include <linux/reboot.h>
#include "liscal.h"

static struct bio_set lsc_bioset;
static bool lsc_bioset_ready;

int lsc_io_init(void)
{
	int ret = bioset_init(&lsc_bioset, 64, 0, BIOSET_NEED_BVECS);

	lsc_bioset_ready = !ret;
	return ret;
}

void lsc_io_exit(void)
{
	if (lsc_bioset_ready)
		bioset_exit(&lsc_bioset);
	lsc_bioset_ready = false;
}

static void lsc_io_put(struct lsc_nmp *nmp)
{
	if (atomic_dec_and_test(&nmp->io_count))
		wake_up_all(&nmp->io_wait);
}


/* lower-device I/O error: the seed reboots; detach mode closes the port */
void lsc_disk_error(struct lsc_nmp *nmp, sector_t sector)
{
	unsigned long flags;

	lsc_err("NMP%d disk I/O error.", nmp->idx);
	lsc_err("warning!! NMP%d disk I/O error,system will reboot.", nmp->idx);
	if (nmp->err_action == LSC_EA_REBOOT) {
		emergency_restart();
		return;
	}
	spin_lock_irqsave(&nmp->lock, flags);
	nmp->detached = true;
	nmp->meta.flags |= LSC_MF_DISKERR;
	nmp->meta_dirty = true;
	spin_unlock_irqrestore(&nmp->lock, flags);
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

/* both parts done: complete upward, release the chunks */
void lsc_wctx_put(struct lsc_wctx *w)
{
	struct lsc_nmp *nmp = w->nmp;
	unsigned long flags;
	u64 c;

	if (!atomic_dec_and_test(&w->parts))
		return;
	spin_lock_irqsave(&nmp->lock, flags);
	for (c = w->c_first; c <= w->c_last && c < nmp->bm.nbits; c++)
		nmp->inflight[c]--;
	nmp->meta.last_update = lsc_now();
	nmp->meta_dirty = true;
	spin_unlock_irqrestore(&nmp->lock, flags);
	wake_up_all(&nmp->rec_wait);
	w->orig->bi_status = w->status;
	bio_endio(w->orig);
	kfree(w);
	lsc_io_put(nmp);
}

static void lsc_write_endio(struct bio *clone)
{
	struct lsc_wctx *w = clone->bi_private;

	if (clone->bi_status) {
		w->status = clone->bi_status;
		lsc_disk_error(w->nmp, clone->bi_iter.bi_sector);
	}
	bio_put(clone);
	lsc_wctx_put(w);
}

void lsc_submit_bio(struct bio *bio)
{
	struct lsc_nmp *nmp = bio->bi_bdev->bd_disk->private_data;
	struct bio *clone;

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
		spin_lock_irq(&nmp->lock);
		bio_list_add(&nmp->wq, bio);
		spin_unlock_irq(&nmp->lock);
		wake_up(&nmp->writer_wait);
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

/* writes to a chunk being copied by recovery wait until it is sent */
static bool lsc_chunks_free(struct lsc_nmp *nmp, u64 first, u64 last)
{
	bool ok;

	spin_lock_irq(&nmp->lock);
	ok = nmp->rec_chunk < 0 || nmp->rec_chunk < first || nmp->rec_chunk > last;
	if (ok) {
		u64 c;

		for (c = first; c <= last && c < nmp->bm.nbits; c++)
			nmp->inflight[c]++;
	}
	spin_unlock_irq(&nmp->lock);
	return ok;
}

static void lsc_write_one(struct lsc_nmp *nmp, struct bio *bio)
{
	struct lsc_wctx *w = kzalloc(sizeof(*w), GFP_NOIO);
	unsigned int size = bio->bi_iter.bi_size;
	bool persist = false, mirror;
	struct bio *clone;
	u8 flags = 0;
	u64 b;

	if (!w) {
		lsc_err("NMP%d malloc liscal_trans_request failed, to abort.", nmp->idx);
		bio_io_error(bio);
		lsc_io_put(nmp);
		return;
	}
	w->nmp = nmp;
	w->orig = bio;
	INIT_LIST_HEAD(&w->pending);
	w->c_first = lsc_chunk_of(bio->bi_iter.bi_sector);
	w->c_last = size ? lsc_chunk_of(bio->bi_iter.bi_sector + (size >> 9) - 1) : w->c_first;
	if (!size)
		w->c_last = w->c_first - 1;	/* a pure flush covers no chunk */

	wait_event(nmp->rec_wait, lsc_chunks_free(nmp, w->c_first, w->c_last));

	/* write intent: the bits are durable before the data is issued anywhere */
	spin_lock_irq(&nmp->lock);
	if (size)
		lsc_mark_chunks(nmp, w->c_first, w->c_last, &persist);
	mirror = nmp->conn == LSC_C_CONNECTED && nmp->peer_port != 1;
	if (size && !mirror && nmp->meta.state == LSC_S_SYNC) {
		/* first unmirrored write: this side now holds the latest data */
		nmp->meta.state = LSC_S_BREAK;
		nmp->meta.break_time = lsc_now();
		nmp->meta.gen++;
		nmp->meta_dirty = true;
	}
	spin_unlock_irq(&nmp->lock);
	if (persist) {
		for (b = lsc_bm_block_of(w->c_first); size && b <= lsc_bm_block_of(w->c_last); b++)
			if (test_bit(b, nmp->bm_dirty))
				lsc_bm_write_block(nmp, b, true);
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

	if (mirror) {
		spin_lock_irq(&nmp->lock);
		w->seq = ++nmp->seq;
		w->sent = jiffies;
		w->sent_to_peer = true;
		list_add_tail(&w->pending, &nmp->pending);
		spin_unlock_irq(&nmp->lock);
		if (lsc_send_bio(nmp, bio, w->seq, flags)) {
			lsc_err("NMP%d send data failed. (secnr=%llu length=%u)", nmp->idx,
				(unsigned long long)bio->bi_iter.bi_sector, size);
			lsc_break(nmp, "send");	/* completes w's peer part */
		}
	} else {
		atomic_dec(&w->parts);
	}
	submit_bio_noacct(clone);
}

/* one writer per NMP keeps write order identical on both sides */
int lsc_writer_fn(void *arg)
{
	struct lsc_nmp *nmp = arg;
	struct bio *bio;

	while (!kthread_should_stop() || !bio_list_empty(&nmp->wq)) {
		wait_event_interruptible(nmp->writer_wait,
			kthread_should_stop() || !bio_list_empty(&nmp->wq));
		for (;;) {
			spin_lock_irq(&nmp->lock);
			bio = bio_list_pop(&nmp->wq);
			spin_unlock_irq(&nmp->lock);
			if (!bio)
				break;
			lsc_write_one(nmp, bio);
		}
	}
	return 0;
}
