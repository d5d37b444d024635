// SPDX-License-Identifier: GPL-2.0
/* Frames out: a header with a contiguous payload (lsc_send, the handshake's
 * lsc_send_sock), a WRITE frame straight from a bio's pages (lsc_send_bio),
 * the STATE frame, fault injection. Callers hold no lock; nmp->send_lock
 * keeps frames whole. Calls nothing else of liscal. */
#include <linux/highmem.h>
#include <linux/version.h>
#include <linux/bvec.h>
#include <net/sock.h>
#include "liscal.h"

/* CRC32C continued over a batch of pages (a payload's, sent or received) */
u32 lsc_crc_bvecs(u32 crc, const struct bio_vec *bv, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		void *p = kmap_local_page(bv[i].bv_page);

		crc = lsc_crc32c(crc, p + bv[i].bv_offset, bv[i].bv_len);
		kunmap_local(p);
	}
	return crc;
}

#define LSC_TX_PAGES 16	/* payload pages per sendmsg */

/* sock_sendmsg until the message's iterator is drained: all sent, or an error */
static int lsc_sendmsg_all(struct socket *s, struct msghdr *msg)
{
	int r;

	while (msg_data_left(msg)) {
		r = sock_sendmsg(s, msg);
		if (r <= 0)
			return r ? r : -EPIPE;
	}
	return 0;
}

/* Pieces of a frame in one sendmsg (a frame's header and payload leave in
 * the same segments, one call into TCP). more: further pieces of the same
 * frame follow (MSG_MORE: no partial segment is pushed until the frame's
 * last piece, despite TCP_NODELAY). All sent, or an error. */
static int lsc_send_vec(struct socket *s, struct kvec *iv, int n, bool more)
{
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL | (more ? MSG_MORE : 0) };
	size_t len = 0;
	int i;

	for (i = 0; i < n; i++)
		len += iv[i].iov_len;
	iov_iter_kvec(&msg.msg_iter, WRITE, iv, n, len);
	return lsc_sendmsg_all(s, &msg);
}

/* a header, its contiguous payload and the payload's trailer (tr: unused
 * when len is 0) */
static int lsc_send_frame(struct socket *s, const u8 *hb, const void *p, u32 len,
			  const u8 *tr)
{
	struct kvec iv[3] = { { .iov_base = (void *)hb, .iov_len = LSC_HDR_LEN },
			      { .iov_base = (void *)p, .iov_len = len },
			      { .iov_base = (void *)tr, .iov_len = LSC_TRL_LEN } };

	return lsc_send_vec(s, iv, len ? 3 : 1, false);
}

/* header and trailer of a frame with a contiguous payload */
static void lsc_seal(struct lsc_hdr *h, const void *p, u8 *hb, u8 *tr)
{
	lsc_frame_encode(h, hb);
	if (h->len)
		lsc_trailer_encode(h, p, tr);
}

/* a frame on a socket not yet the link (the handshake) */
int lsc_send_sock(struct socket *s, u16 cmd, u64 seq, const void *p, u32 len)
{
	struct lsc_hdr h = { .cmd = cmd, .seq = seq, .len = len };
	u8 hb[LSC_HDR_LEN], tr[LSC_TRL_LEN];

	lsc_seal(&h, p, hb, tr);
	return lsc_send_frame(s, hb, p, len, tr);
}

/* fault injection: damage the next WRITE frame the way the test asked, once;
 * returns what to XOR into the payload's CRC */
static u32 lsc_fault_apply(struct lsc_nmp *nmp, u8 *hb, u32 len)
{
	switch (xchg(&nmp->fault, LSC_FI_NONE)) {
	case LSC_FI_MAGIC:
		hb[0] ^= 0xff;
		break;
	case LSC_FI_CMD:	/* a well-formed header of an unknown command */
		lsc_put16(hb + 6, 99);
		lsc_hdr_reseal(hb);
		break;
	case LSC_FI_CRC:
		if (len)
			return 1;
		hb[28] ^= 0x01;
		break;
	default:
		break;
	}
	return 0;
}

int lsc_send(struct lsc_nmp *nmp, u16 cmd, u8 flags, u64 seq, u64 sector,
	     const void *payload, u32 len)
{
	struct lsc_hdr h = { .cmd = cmd, .flags = flags, .seq = seq,
			     .sector = sector, .len = len };
	u8 hb[LSC_HDR_LEN], tr[LSC_TRL_LEN];
	int r = -ENOTCONN;

	lsc_seal(&h, payload, hb, tr);
	mutex_lock(&nmp->send_lock);
	if (nmp->sock && nmp->conn == LSC_C_CONNECTED)
		r = lsc_send_frame(nmp->sock, hb, payload, len, tr);
	mutex_unlock(&nmp->send_lock);
	return r;
}

/* A WRITE frame's payload goes out in batches of pages, each batch's CRC32C
 * taken just before it is handed to TCP, so checksumming the next batch
 * overlaps the transmission of the previous ones; the CRC follows as the
 * trailer. A tx function sends one batch: the header first if still
 * pending, the trailer too when given (the last batch). */
struct lsc_txf {
	struct socket *s;
	u8 *hb;		/* the header, until it leaves with the first batch */
};

/* The pages copied into TCP, with the header and the trailer, in one sendmsg:
 * a small frame is one call. */
static int lsc_tx_copy(struct lsc_txf *f, struct bio_vec *bv, int n, u32 len, const u8 *tr)
{
	struct kvec iv[LSC_TX_PAGES + 2];
	int i, k = 0, first, r;

	if (f->hb) {
		iv[k].iov_base = f->hb;
		iv[k++].iov_len = LSC_HDR_LEN;
		f->hb = NULL;
	}
	first = k;
	for (i = 0; i < n; i++, k++) {
		iv[k].iov_base = kmap_local_page(bv[i].bv_page) + bv[i].bv_offset;
		iv[k].iov_len = bv[i].bv_len;
	}
	if (tr) {
		iv[k].iov_base = (void *)tr;
		iv[k++].iov_len = LSC_TRL_LEN;
	}
	r = lsc_send_vec(f->s, iv, k, !tr);
	while (i-- > 0)		/* unmap the pages in reverse order */
		kunmap_local(iv[first + i].iov_base);
	return r;
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#define LSC_SPLICE_MIN (LSC_TX_PAGES * PAGE_SIZE) /* smaller: copying is cheaper */

/* TCP may hold these pages until its own ACK: safe, since stable writes keep
 * them unchanged and the bio completes only after the peer's ACK anyway. */
static bool lsc_bio_spliceable(struct bio *bio)
{
	struct bio_vec bv;
	struct bvec_iter it;

	bio_for_each_segment(bv, bio, it)
		if (!sendpage_ok(bv.bv_page))
			return false;
	return true;
}

/* The pages handed to TCP by reference (no copy in the sender: under an
 * emulated CPU the copy of a 1 MiB frame is milliseconds), as DRBD does; the
 * header and the trailer, kernel stack buffers, cannot be spliced and go on
 * their own. */
static int lsc_tx_splice(struct lsc_txf *f, struct bio_vec *bv, int n, u32 len, const u8 *tr)
{
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL | MSG_SPLICE_PAGES | MSG_MORE };
	struct kvec kv = { .iov_base = f->hb, .iov_len = LSC_HDR_LEN };
	int r;

	if (f->hb) {
		f->hb = NULL;
		r = lsc_send_vec(f->s, &kv, 1, true);
		if (r)
			return r;
	}
	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bv, n, len);
	r = lsc_sendmsg_all(f->s, &msg);
	if (r || !tr)
		return r;
	kv.iov_base = (void *)tr;
	kv.iov_len = LSC_TRL_LEN;
	return lsc_send_vec(f->s, &kv, 1, false);
}
#endif

typedef int (*lsc_tx_fn)(struct lsc_txf *f, struct bio_vec *bv, int n, u32 len, const u8 *tr);

/* the bio's pages in batches through tx, each batch checksummed just before
 * (the header alone for an empty flush); crc: the header's, as the seed */
static int lsc_send_bio_pages(struct lsc_txf *f, struct bio *bio, u32 crc, u32 flip,
			      lsc_tx_fn tx)
{
	struct kvec hv = { .iov_base = f->hb, .iov_len = LSC_HDR_LEN };
	struct bio_vec bvs[LSC_TX_PAGES], bv;
	struct bvec_iter it;
	u32 batch = 0, left = bio->bi_iter.bi_size;
	u8 tr[LSC_TRL_LEN];
	int r = 0, n = 0;

	if (!left)
		return lsc_send_vec(f->s, &hv, 1, false);
	bio_for_each_segment(bv, bio, it) {
		bvs[n++] = bv;
		batch += bv.bv_len;
		left -= bv.bv_len;
		if (n < LSC_TX_PAGES && left)
			continue;
		crc = lsc_crc_bvecs(crc, bvs, n);
		if (!left)	/* fault injection may ask for a wrong trailer */
			lsc_put32(tr, crc ^ flip);
		r = tx(f, bvs, n, batch, left ? NULL : tr);
		if (r)
			break;
		n = 0;
		batch = 0;
	}
	return r;
}

/* a WRITE frame straight from the bio's pages */
int lsc_send_bio(struct lsc_nmp *nmp, struct bio *bio, u64 seq, u8 flags)
{
	struct lsc_hdr h = { .cmd = LSC_WRITE, .flags = flags, .seq = seq,
			     .sector = bio->bi_iter.bi_sector,
			     .len = bio->bi_iter.bi_size };
	u8 hb[LSC_HDR_LEN];
	struct lsc_txf f = { .hb = hb };
	lsc_tx_fn tx = lsc_tx_copy;
	u32 flip;
	int r = -ENOTCONN;

	lsc_frame_encode(&h, hb);
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	if (h.len >= LSC_SPLICE_MIN && lsc_bio_spliceable(bio))
		tx = lsc_tx_splice;
#endif
	mutex_lock(&nmp->send_lock);
	if (nmp->sock && nmp->conn == LSC_C_CONNECTED) {
		f.s = nmp->sock;
		flip = lsc_fault_apply(nmp, hb, h.len);
		r = lsc_send_bio_pages(&f, bio, lsc_crc_begin(&h), flip, tx);
	}
	mutex_unlock(&nmp->send_lock);
	return r;
}

int lsc_send_state(struct lsc_nmp *nmp)
{
	struct lsc_state st;
	u8 buf[LSC_STATE_LEN];

	spin_lock_irq(&nmp->lock);
	st.port_open = nmp->port_open;
	st.state = nmp->meta.state;
	st.chunk_shift = LSC_CHUNK_SHIFT;
	st.gen = nmp->meta.gen;
	st.dirty = nmp->bm.count;
	st.chunks = nmp->bm.nbits;
	spin_unlock_irq(&nmp->lock);
	lsc_state_encode(&st, buf);
	return lsc_send(nmp, LSC_STATE, 0, 0, 0, buf, sizeof(buf));
}

