// SPDX-License-Identifier: GPL-2.0
/* Recovery: this server (source) copies full or bitmap-selected chunks to
 * the peer (target); one chunk in flight, application writes to that chunk
 * wait, so the peer never receives stale data after a newer write. */
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "liscal.h"

static bool lsc_chunk_idle(struct lsc_nmp *nmp, u64 c)
{
	bool idle;

	spin_lock_irq(&nmp->lock);
	idle = !nmp->inflight[c];
	spin_unlock_irq(&nmp->lock);
	return idle;
}

static bool lsc_rec_link_bad(struct lsc_nmp *nmp)
{
	return READ_ONCE(nmp->conn) != LSC_C_CONNECTED || READ_ONCE(nmp->rec_failed);
}

/* wait until fewer than `max` chunks are unacked; false on break or timeout */
static bool lsc_rec_window(struct lsc_nmp *nmp, int max, sector_t sector)
{
	unsigned long tmo = msecs_to_jiffies(lsc_ack_timeout_ms);

	if (wait_event_timeout(nmp->rec_wait, READ_ONCE(nmp->rec_inflight) < max ||
			       lsc_rec_link_bad(nmp), tmo) == 0) {
		lsc_err("NMP%d recv ack time out again, start(%llu) end(%llu), to abort.",
			nmp->idx, (unsigned long long)sector,
			(unsigned long long)sector + (1u << LSC_CHUNK_SHIFT) - 1);
		lsc_break(nmp, "recovery ack timeout");
		return false;
	}
	if (lsc_rec_link_bad(nmp)) {
		lsc_err("NMP(%d):mirror break occurred,recovery failed.", nmp->idx);
		return false;
	}
	return true;
}

static bool lsc_run_idle(struct lsc_nmp *nmp, u64 c, u64 n)
{
	u64 i;

	for (i = 0; i < n; i++)
		if (!lsc_chunk_idle(nmp, c + i))
			return false;
	return true;
}

/* read the n dirty chunks from c on in one I/O and send them; application
 * writes to them wait meanwhile (nmp->rec_chunk..rec_chunk_end, then the
 * window slots until acked), so no newer WRITE of them can overtake */
static int lsc_send_run(struct lsc_nmp *nmp, u64 c, u64 n, u8 *buf)
{
	sector_t start = c << LSC_CHUNK_SHIFT;
	u32 total = min_t(u64, n << LSC_CHUNK_SHIFT, nmp->sectors - start) << 9, off;
	int r = 0, slot;
	u64 seq;

	wait_event(nmp->rec_wait, lsc_run_idle(nmp, c, n));
	r = lsc_sync_rw(nmp->data.bdev, REQ_OP_READ, start, buf, total);
	if (r) {
		lsc_err("NMP%d read error.", nmp->idx);
		lsc_disk_error(nmp, start);
		return r;
	}
	for (off = 0; off < total && !r; off += LSC_CHUNK_BYTES, c++) {
		sector_t sector = c << LSC_CHUNK_SHIFT;
		u32 len = min_t(u32, LSC_CHUNK_BYTES, total - off);

		spin_lock_irq(&nmp->lock);
		for (slot = 0; slot < LSC_REC_WINDOW && nmp->rec_slot[slot] >= 0; slot++)
			;
		seq = ++nmp->seq;
		nmp->rec_seq[slot] = seq;	/* n slots are free: lsc_rec_window */
		nmp->rec_slot[slot] = c;
		nmp->rec_inflight++;
		spin_unlock_irq(&nmp->lock);
		r = lsc_send(nmp, LSC_RDATA, 0, seq, sector, buf + off, len);
		if (r) {
			lsc_err("NMP%d send data part failed(%d), start(%llu) end(%llu), to abort.",
				nmp->idx, r, (unsigned long long)sector,
				(unsigned long long)sector + (len >> 9) - 1);
			lsc_break(nmp, "recovery send");
		}
	}
	return r;
}

static int lsc_recovery_fn(void *arg)
{
	struct lsc_nmp *nmp = arg;
	u8 *buf = vmalloc(LSC_CHUNK_BYTES * LSC_REC_BATCH);
	int r = 0, i;
	u64 c = 0, n;

	if (!buf) {
		lsc_err("NMP%d malloc buffer failed, to abort.", nmp->idx);
		r = -ENOMEM;
	}
	while (!r) {
		if (READ_ONCE(nmp->rec_stop))
			break;
		if (nmp->conn != LSC_C_CONNECTED) {
			lsc_err("NMP(%d) com port has already closed, to abort recovery.", nmp->idx);
			r = -ENOTCONN;
			break;
		}
		spin_lock_irq(&nmp->lock);
		c = lsc_bm_next(&nmp->bm, c);	/* full: the bitmap was filled */
		for (n = 1; n < LSC_REC_BATCH && lsc_bm_test(&nmp->bm, c + n); n++)
			;
		spin_unlock_irq(&nmp->lock);
		if (c >= nmp->bm.nbits)
			break;
		if (!lsc_rec_window(nmp, LSC_REC_WINDOW - n + 1, c << LSC_CHUNK_SHIFT)) {
			r = -EIO;
			break;
		}
		spin_lock_irq(&nmp->lock);
		nmp->rec_chunk = c;
		nmp->rec_chunk_end = c + n - 1;
		spin_unlock_irq(&nmp->lock);
		r = lsc_send_run(nmp, c, n, buf);
		spin_lock_irq(&nmp->lock);
		nmp->rec_chunk = -1;
		spin_unlock_irq(&nmp->lock);
		wake_up_all(&nmp->rec_wait);
		c += n;
	}
	/* the last acks (kept on a stop too, so its progress is exact) */
	if (!r && !lsc_rec_window(nmp, 1, c << LSC_CHUNK_SHIFT))
		r = -EIO;
	vfree(buf);
	spin_lock_irq(&nmp->lock);
	for (i = 0; i < LSC_REC_WINDOW; i++)
		nmp->rec_slot[i] = -1;
	nmp->rec_inflight = 0;
	nmp->rec_end = jiffies;
	if (r) {
		nmp->rec_state = LSC_R_FAILED;
	} else if (nmp->rec_stop) {
		nmp->rec_state = LSC_R_STOPPED;
		lsc_change_state(nmp, LSC_S_BREAK, LSC_WHY_REC_STOPPED);
	} else {
		nmp->rec_state = LSC_R_DONE;
		lsc_change_state(nmp, LSC_S_SYNC, LSC_WHY_REC_DONE);
	}
	nmp->meta_dirty = true;
	spin_unlock_irq(&nmp->lock);
	if (!r)
		lsc_send(nmp, LSC_RDONE, 0, 0, nmp->rec_stop ? 0 : 1, NULL, 0);
	lsc_meta_flush(nmp);
	lsc_send_state(nmp);
	nmp->recovery = NULL;
	complete(&nmp->rec_exit);
	return 0;
}

int lsc_recovery_start(struct lsc_nmp *nmp, bool full)
{
	struct task_struct *t;
	int i;

	if (nmp->recovery)
		return -EBUSY;
	if (nmp->conn != LSC_C_CONNECTED) {
		lsc_err("NMP(%d) com port has already closed, to abort recovery.", nmp->idx);
		return -ENOTCONN;
	}
	if (nmp->peer_port == 1)
		return -EBUSY;	/* never overwrite an active peer */
	spin_lock_irq(&nmp->lock);
	if (full)
		lsc_bm_fill(&nmp->bm);
	else
		lsc_bm_or(&nmp->bm, nmp->peer_bm);
	nmp->rec_total = nmp->bm.count;
	nmp->rec_done = 0;
	nmp->rec_stop = false;
	nmp->rec_failed = false;
	nmp->rec_inflight = 0;
	for (i = 0; i < LSC_REC_WINDOW; i++)
		nmp->rec_slot[i] = -1;
	nmp->rec_state = full ? LSC_R_FULL : LSC_R_DIFF;
	nmp->rec_start = jiffies;
	nmp->rec_end = 0;
	lsc_change_state(nmp, LSC_S_RECOVERING, LSC_WHY_REC_START);
	nmp->meta_dirty = true;
	lsc_al_sync(nmp);
	spin_unlock_irq(&nmp->lock);
	/* the union is durable before any chunk moves, so a stop resumes */
	lsc_bm_write_all(nmp);
	lsc_meta_flush(nmp);
	reinit_completion(&nmp->rec_exit);
	t = kthread_create(lsc_recovery_fn, nmp, "liscal_rec/%d", nmp->idx);
	if (IS_ERR(t)) {
		nmp->rec_state = LSC_R_FAILED;
		complete(&nmp->rec_exit);
		return PTR_ERR(t);
	}
	/* published before it runs: it clears the pointer when it exits */
	nmp->recovery = t;
	wake_up_process(t);
	return 0;
}

void lsc_recovery_stop(struct lsc_nmp *nmp)
{
	if (!nmp->recovery)
		return;
	WRITE_ONCE(nmp->rec_stop, true);
	wake_up_all(&nmp->rec_wait);
	wait_for_completion(&nmp->rec_exit);
}

/* receiver: an ACK not matching an application write; clears the chunk's
 * bit unless an application write to it is still unacked */
void lsc_recovery_on_ack(struct lsc_nmp *nmp, u64 seq, bool ok)
{
	int i;

	spin_lock_irq(&nmp->lock);
	for (i = 0; i < LSC_REC_WINDOW; i++) {
		s64 c = nmp->rec_slot[i];

		if (c < 0 || nmp->rec_seq[i] != seq)
			continue;
		if (!ok) {
			nmp->rec_failed = true;
		} else {
			if (!nmp->inflight[c])
				lsc_al_clear_chunk(nmp, c);
			nmp->rec_done++;
		}
		nmp->rec_slot[i] = -1;
		nmp->rec_inflight--;
		break;
	}
	spin_unlock_irq(&nmp->lock);
	wake_up_all(&nmp->rec_wait);
}

/* with nmp->lock held: is a chunk of first..last being read, sent or
 * awaiting its ack? (application writes to it wait) */
bool lsc_recovery_covers(struct lsc_nmp *nmp, u64 first, u64 last)
{
	int i;

	if (nmp->rec_chunk >= 0 && nmp->rec_chunk <= last && nmp->rec_chunk_end >= first)
		return true;
	for (i = 0; i < LSC_REC_WINDOW && nmp->rec_inflight; i++)
		if (nmp->rec_slot[i] >= 0 && nmp->rec_slot[i] >= first && nmp->rec_slot[i] <= last)
			return true;
	return false;
}

#define LSC_CHUNK_PAGES (LSC_CHUNK_BYTES / PAGE_SIZE)

/* target: one recovery chunk written asynchronously, acked once a flush
 * made it durable (the source sends no newer write of that chunk before the
 * ack, and clears the chunk's bit on it: an ack from a volatile cache would
 * let a power cut lose a chunk no later recovery sends again) */
struct lsc_rreq {
	struct lsc_nmp *nmp;
	struct llist_node node;		/* on nmp->rec_written */
	u64 seq;
	sector_t sector;
	blk_status_t status;
	unsigned int npages;
	struct page *pages[LSC_CHUNK_PAGES];
};

static void lsc_rreq_free(struct lsc_rreq *rq)
{
	unsigned int i;

	for (i = 0; i < rq->npages; i++)
		__free_page(rq->pages[i]);
	kfree(rq);
}

static void lsc_rreq_ack(struct lsc_rreq *rq)
{
	struct lsc_nmp *nmp = rq->nmp;

	if (rq->status) {
		lsc_err("NMP%d disk I/O error when write sector(%llu).", nmp->idx,
			(unsigned long long)rq->sector);
		lsc_disk_error(nmp, rq->sector);
	} else {
		spin_lock_irq(&nmp->lock);
		nmp->rec_done++;
		spin_unlock_irq(&nmp->lock);
	}
	if (lsc_send(nmp, LSC_ACK, 0, rq->seq, rq->status ? 1 : 0, NULL, 0))
		lsc_err("NMP%d send ack1 failed(%d).", nmp->idx, -EPIPE);
	lsc_rreq_free(rq);
	if (atomic_dec_and_test(&nmp->rx_async))
		wake_up_all(&nmp->io_wait);
}

/* nmp->rec_commit: one flush covers every chunk written before it; chunks
 * completed meanwhile share the next one (a group commit). One instance
 * runs at a time: the workqueue never runs a work item twice at once. */
void lsc_recovery_commit_fn(struct work_struct *work)
{
	struct lsc_nmp *nmp = container_of(work, struct lsc_nmp, rec_commit);
	struct llist_node *batch;
	struct lsc_rreq *rq, *next;
	int r;

	while ((batch = llist_del_all(&nmp->rec_written))) {
		r = blkdev_issue_flush(nmp->data.bdev);
		spin_lock_irq(&nmp->lock);
		nmp->st.recflush++;
		spin_unlock_irq(&nmp->lock);
		llist_for_each_entry_safe(rq, next, batch, node) {
			if (r && !rq->status)
				rq->status = BLK_STS_IOERR;
			lsc_rreq_ack(rq);
		}
	}
}

static void lsc_rreq_endio(struct bio *bio)
{
	struct lsc_rreq *rq = bio->bi_private;
	struct lsc_nmp *nmp = rq->nmp;

	rq->status = bio->bi_status;
	bio_put(bio);
	llist_add(&rq->node, &nmp->rec_written);
	queue_work(system_unbound_wq, &nmp->rec_commit);
}

/* target side: a recovery chunk from the peer, payload in nmp->rx_pages
 * (its range checked by the receiver: lsc_hdr_check_range).
 * Returns 1 when submitted (acked later), else the error to ack now. */
int lsc_recovery_recv(struct lsc_nmp *nmp, const struct lsc_hdr *h)
{
	struct lsc_rreq *rq;
	struct bio *bio;
	unsigned int i;

	if (READ_ONCE(nmp->port_open))
		return -EBUSY;	/* an active NMP is never a recovery target */
	spin_lock_irq(&nmp->lock);
	if (nmp->rec_state != LSC_R_RECV) {
		nmp->rec_state = LSC_R_RECV;
		nmp->rec_start = jiffies;
		nmp->rec_end = 0;
		nmp->rec_done = 0;
		nmp->rec_total = 0;
		lsc_change_state(nmp, LSC_S_RECOVERING, LSC_WHY_REC_TARGET);
		nmp->meta_dirty = true;
	}
	spin_unlock_irq(&nmp->lock);

	rq = kzalloc(sizeof(*rq), GFP_NOIO);
	if (!rq) {
		lsc_err("NMP%d malloc buffer failed.", nmp->idx);
		return -ENOMEM;
	}
	rq->nmp = nmp;
	rq->seq = h->seq;
	rq->sector = h->sector;
	bio = bio_alloc(nmp->data.bdev, LSC_CHUNK_PAGES, REQ_OP_WRITE, GFP_NOIO);
	bio->bi_iter.bi_sector = h->sector;
	for (i = 0; i * PAGE_SIZE < h->len; i++) {
		unsigned int n = min_t(unsigned int, PAGE_SIZE, h->len - i * PAGE_SIZE);

		rq->pages[i] = alloc_page(GFP_NOIO);
		if (!rq->pages[i]) {
			lsc_err("malloc page failed.");
			goto fail;
		}
		rq->npages++;
		memcpy(page_address(rq->pages[i]), page_address(nmp->rx_pages[i]), n);
		if (bio_add_page(bio, rq->pages[i], n, 0) != n)
			goto fail;
	}
	bio->bi_private = rq;
	bio->bi_end_io = lsc_rreq_endio;
	atomic_inc(&nmp->rx_async);
	submit_bio(bio);
	return 1;
fail:
	bio_put(bio);
	lsc_rreq_free(rq);
	return -ENOMEM;
}

void lsc_recovery_done_recv(struct lsc_nmp *nmp, bool complete)
{
	/* every chunk was acked before RDONE, and acked once durable */
	spin_lock_irq(&nmp->lock);
	nmp->rec_end = jiffies;
	if (complete) {
		lsc_bm_zero(&nmp->bm);
		lsc_al_sync(nmp);
		lsc_change_state(nmp, LSC_S_SYNC, LSC_WHY_REC_DONE);
		nmp->rec_state = LSC_R_DONE;
	} else {
		lsc_change_state(nmp, LSC_S_STALE, LSC_WHY_REC_PARTIAL);
		nmp->rec_state = LSC_R_STOPPED;
	}
	nmp->meta_dirty = true;
	spin_unlock_irq(&nmp->lock);
}
