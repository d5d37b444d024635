// SPDX-License-Identifier: GPL-2.0
/* Recovery: this server (source) copies full or bitmap-selected chunks to
 * the peer (target); one chunk in flight, application writes to that chunk
 * wait, so the peer never receives stale data after a newer write. */
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "liscal.h"

#define LSC_CHUNK_BYTES ((1u << LSC_CHUNK_SHIFT) << 9)

static bool lsc_chunk_idle(struct lsc_nmp *nmp, u64 c)
{
	bool idle;

	spin_lock_irq(&nmp->lock);
	idle = !nmp->inflight[c];
	spin_unlock_irq(&nmp->lock);
	return idle;
}

static int lsc_copy_chunk(struct lsc_nmp *nmp, u64 c, void *buf)
{
	sector_t sector = c << LSC_CHUNK_SHIFT;
	u32 len = min_t(u64, 1u << LSC_CHUNK_SHIFT, nmp->sectors - sector) << 9;
	unsigned long tmo = msecs_to_jiffies(lsc_ack_timeout_ms);
	u64 seq;
	int r;

	wait_event(nmp->rec_wait, lsc_chunk_idle(nmp, c));
	r = lsc_sync_rw(nmp->data.bdev, REQ_OP_READ, sector, buf, len);
	if (r) {
		lsc_err("NMP%d read error.", nmp->idx);
		lsc_disk_error(nmp, sector);
		return r;
	}
	spin_lock_irq(&nmp->lock);
	seq = ++nmp->seq;
	nmp->rec_wait_seq = seq;
	nmp->rec_ack = 0;
	spin_unlock_irq(&nmp->lock);
	r = lsc_send(nmp, LSC_RDATA, 0, seq, sector, buf, len);
	if (r) {
		lsc_err("NMP%d send data part failed(%d), start(%llu) end(%llu), to abort.",
			nmp->idx, r, (unsigned long long)sector,
			(unsigned long long)sector + (len >> 9) - 1);
		lsc_break(nmp, "recovery send");
		return r;
	}
	if (!wait_event_timeout(nmp->rec_wait, READ_ONCE(nmp->rec_ack) != 0, tmo)) {
		lsc_err("NMP%d recv ack time out again, start(%llu) end(%llu), to abort.",
			nmp->idx, (unsigned long long)sector,
			(unsigned long long)sector + (len >> 9) - 1);
		lsc_break(nmp, "recovery ack timeout");
		return -ETIMEDOUT;
	}
	if (READ_ONCE(nmp->rec_ack) < 0) {
		lsc_err("NMP(%d):mirror break occurred,recovery failed.", nmp->idx);
		return -EIO;
	}
	return 0;
}

static int lsc_recovery_fn(void *arg)
{
	struct lsc_nmp *nmp = arg;
	bool full = nmp->rec_state == LSC_R_FULL;
	void *buf = vmalloc(LSC_CHUNK_BYTES);
	int r = 0;
	u64 c = 0;

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
		if (!full)
			c = lsc_bm_next(&nmp->bm, c);
		if (c >= nmp->bm.nbits) {
			spin_unlock_irq(&nmp->lock);
			break;
		}
		nmp->rec_chunk = c;
		spin_unlock_irq(&nmp->lock);
		r = lsc_copy_chunk(nmp, c, buf);
		spin_lock_irq(&nmp->lock);
		if (!r && lsc_bm_clear(&nmp->bm, c))
			set_bit(lsc_bm_block_of(c), nmp->bm_dirty);
		if (!r)
			nmp->rec_done++;
		nmp->rec_chunk = -1;
		spin_unlock_irq(&nmp->lock);
		wake_up_all(&nmp->rec_wait);
		c++;
	}
	vfree(buf);
	spin_lock_irq(&nmp->lock);
	nmp->rec_end = jiffies;
	if (r) {
		nmp->rec_state = LSC_R_FAILED;
	} else if (nmp->rec_stop) {
		nmp->rec_state = LSC_R_STOPPED;
		nmp->meta.state = LSC_S_BREAK;
	} else {
		nmp->rec_state = LSC_R_DONE;
		nmp->meta.state = LSC_S_SYNC;
		nmp->meta.gen++;
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
	nmp->rec_state = full ? LSC_R_FULL : LSC_R_DIFF;
	nmp->rec_start = jiffies;
	nmp->rec_end = 0;
	nmp->meta.state = LSC_S_RECOVERING;
	nmp->meta_dirty = true;
	spin_unlock_irq(&nmp->lock);
	/* the union is durable before any chunk moves, so a stop resumes */
	lsc_bm_write_all(nmp);
	lsc_meta_flush(nmp);
	reinit_completion(&nmp->rec_exit);
	t = kthread_run(lsc_recovery_fn, nmp, "liscal_rec/%d", nmp->idx);
	if (IS_ERR(t)) {
		nmp->rec_state = LSC_R_FAILED;
		complete(&nmp->rec_exit);
		return PTR_ERR(t);
	}
	nmp->recovery = t;
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

void lsc_recovery_on_ack(struct lsc_nmp *nmp, u64 seq, bool ok)
{
	spin_lock_irq(&nmp->lock);
	if (seq == nmp->rec_wait_seq && nmp->rec_ack == 0)
		nmp->rec_ack = ok ? 1 : -1;
	spin_unlock_irq(&nmp->lock);
	wake_up_all(&nmp->rec_wait);
}

/* target side: a recovery chunk from the peer */
int lsc_recovery_recv(struct lsc_nmp *nmp, const struct lsc_hdr *h)
{
	int r;

	if (READ_ONCE(nmp->port_open))
		return -EBUSY;	/* an active NMP is never a recovery target */
	spin_lock_irq(&nmp->lock);
	if (nmp->rec_state != LSC_R_RECV) {
		nmp->rec_state = LSC_R_RECV;
		nmp->rec_start = jiffies;
		nmp->rec_end = 0;
		nmp->rec_done = 0;
		nmp->rec_total = 0;
		nmp->meta.state = LSC_S_RECOVERING;
		nmp->meta_dirty = true;
	}
	spin_unlock_irq(&nmp->lock);
	r = lsc_rx_write(nmp, h);
	if (!r)
		nmp->rec_done++;
	return r;
}

void lsc_recovery_done_recv(struct lsc_nmp *nmp, bool complete)
{
	u64 b;

	spin_lock_irq(&nmp->lock);
	nmp->rec_end = jiffies;
	if (complete) {
		lsc_bm_zero(&nmp->bm);
		for (b = 0; b < nmp->bm_blocks; b++)
			set_bit(b, nmp->bm_dirty);
		nmp->meta.state = LSC_S_SYNC;
		nmp->meta.gen++;
		nmp->rec_state = LSC_R_DONE;
	} else {
		nmp->meta.state = LSC_S_STALE;
		nmp->rec_state = LSC_R_STOPPED;
	}
	nmp->meta_dirty = true;
	spin_unlock_irq(&nmp->lock);
}
