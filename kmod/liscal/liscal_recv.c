// SPDX-License-Identifier: GPL-2.0
/* Frames in: the receiver thread of a link reads each frame, checks it and
 * dispatches it (application writes and their ACKs, recovery chunks, STATE,
 * BITMAP, PING); it ends the link (lsc_break) on any error and releases
 * the socket. */
#include <linux/highmem.h>
#include <linux/bvec.h>
#include <net/sock.h>
#include <crypto/blake2s.h>
#include "liscal.h"

/* sock_recvmsg until the message's iterator is full: all in, or an error */
static int lsc_recvmsg_all(struct socket *s, struct msghdr *msg)
{
	int r;

	while (msg_data_left(msg)) {
		r = sock_recvmsg(s, msg, MSG_WAITALL | MSG_NOSIGNAL);
		if (r == 0)
			return -ECONNRESET;
		if (r < 0)
			return r;
	}
	return 0;
}

int lsc_recv_full(struct socket *s, void *buf, size_t len)
{
	struct kvec iv = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_flags = MSG_WAITALL | MSG_NOSIGNAL };

	iov_iter_kvec(&msg.msg_iter, ITER_DEST, &iv, 1, len);
	return lsc_recvmsg_all(s, &msg);
}

/* write a received WRITE payload to the data partition (its range checked
 * before: lsc_hdr_check_range) */
static int lsc_rx_write(struct lsc_nmp *nmp, const struct lsc_hdr *h)
{
	unsigned int npages = DIV_ROUND_UP(h->len, PAGE_SIZE), i;
	blk_opf_t op = REQ_OP_WRITE | REQ_SYNC;
	struct bio *bio;
	int r;

	if (h->flags & LSC_F_PREFLUSH)
		op |= REQ_PREFLUSH;
	if (h->flags & LSC_F_FUA)
		op |= REQ_FUA;
	if (!h->len) {
		r = (h->flags & LSC_F_PREFLUSH) ? blkdev_issue_flush(nmp->data.bdev) : 0;
		return r;
	}
	bio = bio_alloc(nmp->data.bdev, npages, op, GFP_NOIO);
	bio->bi_iter.bi_sector = h->sector;
	for (i = 0; i < npages; i++) {
		unsigned int n = min_t(unsigned int, PAGE_SIZE, h->len - i * PAGE_SIZE);

		if (bio_add_page(bio, nmp->rx_pages[i], n, 0) != n) {
			bio_put(bio);
			return -EIO;
		}
	}
	r = submit_bio_wait(bio);
	bio_put(bio);
	if (r) {
		lsc_err("NMP%d disk I/O error when write sector(%llu).", nmp->idx,
			(unsigned long long)h->sector);
		lsc_disk_error(nmp, h->sector);
	}
	return r;
}

static void lsc_rx_ack(struct lsc_nmp *nmp, const struct lsc_hdr *h)
{
	struct lsc_wctx *w, *found = NULL;

	spin_lock_irq(&nmp->lock);
	list_for_each_entry(w, &nmp->pending, pending) {
		if (w->seq == h->seq) {
			list_del_init(&w->pending);
			w->t_ack = ktime_get_ns();
			found = w;
			break;
		}
	}
	spin_unlock_irq(&nmp->lock);
	if (!found) {
		lsc_recovery_on_ack(nmp, h->seq, h->sector == 0);
		return;
	}
	if (h->sector)	/* the peer could not write it: break, keep the bit */
		lsc_break(nmp, "peer write failed");
	lsc_wctx_put(found);
}

#define LSC_RX_BATCH 16	/* payload pages per recvmsg */

/* The payload in batches of rx_pages, one recvmsg each (more only if TCP
 * hands over less), each batch added to the MAC as soon as it is in (the
 * check overlaps the arrival of the following ones), then the trailer.
 * check: lsc_ltrl_check's verdict (the next sequence number counted on
 * LSC_OK); nothing is written before. */
static int lsc_rx_payload(struct lsc_nmp *nmp, const struct lsc_hdr *h, const u8 *hb,
			  int *check, u64 *seq)
{
	struct bio_vec bv[LSC_RX_BATCH];
	struct msghdr msg = { .msg_flags = MSG_WAITALL | MSG_NOSIGNAL };
	struct blake2s_state m;
	u8 tr[LSC_LTRL_LEN], tag[LSC_TAG_LEN];
	u32 i, n, off;
	int r = 0;

	*check = LSC_EMAC;
	lsc_mac_begin(&m, nmp->krx, hb);
	for (off = 0; !r && off < h->len; off += n) {
		n = min_t(u32, LSC_RX_BATCH * PAGE_SIZE, h->len - off);
		for (i = 0; i * PAGE_SIZE < n; i++)
			bvec_set_page(&bv[i], nmp->rx_pages[off / PAGE_SIZE + i],
				      min_t(u32, PAGE_SIZE, n - i * PAGE_SIZE), 0);
		iov_iter_bvec(&msg.msg_iter, ITER_DEST, bv, i, n);
		r = lsc_recvmsg_all(nmp->sock, &msg);
		if (!r)
			lsc_mac_bvecs(&m, bv, i);
	}
	if (!r)
		r = lsc_recv_full(nmp->sock, tr, sizeof(tr));
	if (r)
		return r;
	*seq = lsc_ltrl_seq(tr);
	lsc_mac_end(&m, *seq, tag);
	*check = lsc_ltrl_check(tr, tag, nmp->rx_seq);
	if (*check == LSC_OK)
		nmp->rx_seq++;
	return 0;
}

/* why a frame was refused (the seed's text follows) */
static void lsc_rx_refused(struct lsc_nmp *nmp, const struct lsc_hdr *h, int check, u64 seq)
{
	if (check == LSC_EMAC)
		pr_info(LSC_PFX "NMP%d frame rejected: MAC mismatch (cmd %u, link seq %llu, %u bytes)\n",
			nmp->idx, h->cmd, seq, h->len);
	else if (check == LSC_EREPLAY)
		pr_info(LSC_PFX "NMP%d frame rejected: replayed (cmd %u, link seq %llu, expected %llu)\n",
			nmp->idx, h->cmd, seq, nmp->rx_seq);
	else
		pr_info(LSC_PFX "NMP%d frame rejected: link seq %llu skips ahead of %llu (cmd %u)\n",
			nmp->idx, seq, nmp->rx_seq, h->cmd);
	lsc_err("NMP%d head part received is wrong. (magic=0x%x, cmd=%u)", nmp->idx,
		h->magic, h->cmd);
}

static void lsc_rx_state(struct lsc_nmp *nmp)
{
	struct lsc_state st;

	if (lsc_state_decode(page_address(nmp->rx_pages[0]), LSC_STATE_LEN, &st))
		return;
	spin_lock_irq(&nmp->lock);
	lsc_state_peer(nmp, &st);
	spin_unlock_irq(&nmp->lock);
}

static void lsc_rx_bitmap(struct lsc_nmp *nmp, const struct lsc_hdr *h)
{
	u32 n = lsc_bitmap_piece(h, nmp->bm_blocks * LSC_BM_BLOCK), i, k;

	/* a page at a time under the lock recovery_start reads it with */
	for (i = 0; i < n; i += k) {
		k = min_t(u32, PAGE_SIZE, n - i);
		spin_lock_irq(&nmp->lock);
		memcpy(nmp->peer_bm + h->sector + i, page_address(nmp->rx_pages[i / PAGE_SIZE]), k);
		spin_unlock_irq(&nmp->lock);
	}
}

int lsc_receiver_fn(void *arg)
{
	struct lsc_nmp *nmp = arg;
	struct lsc_stats *st = &nmp->st;
	u64 t_hdr, t_pay, t_wr;
	u8 hb[LSC_HDR_LEN];
	struct lsc_hdr h;
	int r, check;
	u64 seq;

	for (;;) {
		r = lsc_recv_full(nmp->sock, hb, sizeof(hb));
		t_hdr = ktime_get_ns();
		if (r) {
			if (nmp->conn == LSC_C_CONNECTED)
				lsc_err("NMP%d head part recv failed(%d).", nmp->idx, r);
			break;
		}
		r = lsc_hdr_decode(hb, &h);
		if (r == LSC_EMAGIC) {
			lsc_err("NMP%d receive wrong magic data.", nmp->idx);
			break;
		}
		if (r == LSC_ECMD || (r == LSC_OK && (h.cmd == LSC_HELLO || h.cmd == LSC_AUTH))) {
			lsc_err("NMP%d wrong command received(%u).", nmp->idx, h.cmd);
			break;
		}
		if (r) {
			lsc_err("NMP%d head part received is wrong. (magic=0x%x, cmd=%u)",
				nmp->idx, h.magic, h.cmd);
			/* the seed's text names neither: say which field it was */
			if (r == LSC_ECRC)
				pr_info(LSC_PFX "NMP%d header rejected: header CRC mismatch\n",
					nmp->idx);
			else
				pr_info(LSC_PFX "NMP%d header rejected: version %u flags 0x%x length %u\n",
					nmp->idx, h.version, h.flags, h.len);
			break;
		}
		r = lsc_rx_payload(nmp, &h, hb, &check, &seq);
		if (r) {
			lsc_err("NMP%d data part receive failed(%d).", nmp->idx, r);
			break;
		}
		/* forged, replayed or out of order: the link breaks, nothing is used */
		if (check) {
			lsc_rx_refused(nmp, &h, check, seq);
			break;
		}
		/* the peer's error: the link breaks, never a local disk error */
		if (lsc_hdr_check_range(&h, nmp->sectors, LSC_CHUNK_BYTES)) {
			pr_info(LSC_PFX "NMP%d header rejected: sector %llu length %u outside the data partition (%llu sectors)\n",
				nmp->idx, h.sector, h.len, nmp->sectors);
			lsc_err("NMP%d head part received is wrong. (magic=0x%x, cmd=%u)",
				nmp->idx, h.magic, h.cmd);
			break;
		}
		nmp->last_rx = jiffies;
		t_pay = ktime_get_ns();
		switch (h.cmd) {
		case LSC_STATE:
			lsc_rx_state(nmp);
			break;
		case LSC_RDATA:
			r = lsc_recovery_recv(nmp, &h);
			if (r > 0)
				break;	/* acked when the write completes */
			if (lsc_send(nmp, LSC_ACK, 0, h.seq, r ? 1 : 0, NULL, 0))
				lsc_err("NMP%d send ack1 failed(%d).", nmp->idx, -EPIPE);
			break;
		case LSC_WRITE:
			r = READ_ONCE(nmp->port_open) ? -EBUSY : lsc_rx_write(nmp, &h);
			t_wr = ktime_get_ns();
			/* counted before the ACK: once acked, the write shows here */
			lsc_stat_add(st, LSC_T_RX_PAYLOAD, t_hdr, t_pay);
			lsc_stat_add(st, LSC_T_RX_WRITE, t_pay, t_wr);
			if (lsc_send(nmp, LSC_ACK, 0, h.seq, r ? 1 : 0, NULL, 0))
				lsc_err("NMP%d send ack1 failed(%d).", nmp->idx, -EPIPE);
			lsc_stat_add(st, LSC_T_RX_ACK, t_wr, ktime_get_ns());
			break;
		case LSC_ACK:
			lsc_rx_ack(nmp, &h);
			break;
		case LSC_RDONE:
			lsc_recovery_done_recv(nmp, h.sector == 1);
			break;
		case LSC_PING:
			lsc_send(nmp, LSC_PONG, 0, h.seq, 0, NULL, 0);
			break;
		case LSC_BITMAP:
			lsc_rx_bitmap(nmp, &h);
			break;
		default:
			break;
		}
	}
	lsc_break(nmp, "receive");
	mutex_lock(&nmp->send_lock);
	mutex_lock(&nmp->sock_mutex);
	sock_release(nmp->sock);
	nmp->sock = NULL;
	mutex_unlock(&nmp->sock_mutex);
	mutex_unlock(&nmp->send_lock);
	nmp->receiver = NULL;
	complete_all(&nmp->rx_done);	/* attach and disconnect may both wait */
	return 0;
}
