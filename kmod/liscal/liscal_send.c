// SPDX-License-Identifier: GPL-2.0
/* Frames out: a header with a contiguous payload (lsc_send, the handshake's
 * lsc_send_sock), a WRITE frame straight from a bio's pages (lsc_send_bio),
 * the STATE frame, fault injection. Callers hold no lock; nmp->send_lock
 * keeps frames whole and in the order of their sequence numbers. Calls
 * nothing else of liscal. */
#include <linux/highmem.h>
#include <linux/version.h>
#include <linux/bvec.h>
#include <net/sock.h>
#include <crypto/blake2s.h>
#include "liscal.h"

/* A link frame's MAC (lsc_proto.h): keyed BLAKE2s-128, from the kernel's
 * library (built in, x86-accelerated, in 6.1 and 6.12: no module, no tfm) */
void lsc_mac_begin(struct blake2s_state *m, const u8 key[LSC_SKEY_LEN], const u8 *hb)
{
	blake2s_init_key(m, LSC_TAG_LEN, key, LSC_SKEY_LEN);
	blake2s_update(m, hb, LSC_HDR_LEN);
}

/* continued over a batch of pages (a payload's, sent or received) */
void lsc_mac_bvecs(struct blake2s_state *m, const struct bio_vec *bv, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		void *p = kmap_local_page(bv[i].bv_page);

		blake2s_update(m, p + bv[i].bv_offset, bv[i].bv_len);
		kunmap_local(p);
	}
}

/* the sequence number last, as the trailer carries it */
void lsc_mac_end(struct blake2s_state *m, u64 seq, u8 tag[LSC_TAG_LEN])
{
	u8 s[8];

	lsc_put64(s, seq);
	blake2s_update(m, s, sizeof(s));
	blake2s_final(m, tag);
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

/* a header, its contiguous payload and its trailer of tlen bytes */
static int lsc_send_frame(struct socket *s, const u8 *hb, const void *p, u32 len,
			  const u8 *tr, u32 tlen)
{
	struct kvec iv[3] = { { .iov_base = (void *)hb, .iov_len = LSC_HDR_LEN },
			      { .iov_base = (void *)p, .iov_len = len },
			      { .iov_base = (void *)tr, .iov_len = tlen } };

	return lsc_send_vec(s, iv, 3, false);
}

/* a handshake frame (the socket is not yet the link): a CRC32C trailer */
int lsc_send_sock(struct socket *s, u16 cmd, u64 sector, const void *p, u32 len)
{
	struct lsc_hdr h = { .cmd = cmd, .sector = sector, .len = len };
	u8 hb[LSC_HDR_LEN], tr[LSC_TRL_LEN];

	lsc_frame_encode(&h, hb);
	if (len)
		lsc_trailer_encode(&h, p, tr);
	return lsc_send_frame(s, hb, p, len, tr, len ? LSC_TRL_LEN : 0);
}

/* fault injection: damage the next WRITE frame the way the test asked, once
 * (a replay is lsc_send's); returns what to XOR into the MAC's first byte */
static u8 lsc_fault_apply(struct lsc_nmp *nmp, u8 *hb)
{
	int f = READ_ONCE(nmp->fault);

	if (f == LSC_FI_NONE || f == LSC_FI_REPLAY || f == LSC_FI_BREAK_ISSUE ||
	    cmpxchg(&nmp->fault, f, LSC_FI_NONE) != f)
		return 0;
	switch (f) {
	case LSC_FI_MAGIC:
		hb[0] ^= 0xff;
		break;
	case LSC_FI_CMD:	/* a well-formed header of an unknown command */
		lsc_put16(hb + 6, 99);
		lsc_hdr_reseal(hb);
		break;
	case LSC_FI_CRC:
		hb[28] ^= 0x01;
		break;
	case LSC_FI_MAC:	/* what an injector without the key sends */
		return 1;
	}
	return 0;
}

/* with send_lock held: the trailer of the link's next frame */
static void lsc_seal(struct lsc_nmp *nmp, const u8 *hb, const void *p, u32 len, u8 *tr)
{
	struct blake2s_state m;
	u8 tag[LSC_TAG_LEN];
	u64 seq = nmp->tx_seq++;

	lsc_mac_begin(&m, nmp->ktx, hb);
	blake2s_update(&m, p, len);
	lsc_mac_end(&m, seq, tag);
	lsc_ltrl_encode(seq, tag, tr);
}

int lsc_send(struct lsc_nmp *nmp, u16 cmd, u8 flags, u64 seq, u64 sector,
	     const void *payload, u32 len)
{
	struct lsc_hdr h = { .cmd = cmd, .flags = flags, .seq = seq,
			     .sector = sector, .len = len };
	u8 hb[LSC_HDR_LEN], tr[LSC_LTRL_LEN];
	int r = -ENOTCONN;

	lsc_frame_encode(&h, hb);
	mutex_lock(&nmp->send_lock);
	if (nmp->sock && nmp->conn == LSC_C_CONNECTED) {
		lsc_seal(nmp, hb, payload, len, tr);
		r = lsc_send_frame(nmp->sock, hb, payload, len, tr, sizeof(tr));
		/* fault injection: the same bytes again, as a replaying injector would */
		if (!r && READ_ONCE(nmp->fault) == LSC_FI_REPLAY &&
		    cmpxchg(&nmp->fault, LSC_FI_REPLAY, LSC_FI_NONE) == LSC_FI_REPLAY)
			r = lsc_send_frame(nmp->sock, hb, payload, len, tr, sizeof(tr));
	}
	mutex_unlock(&nmp->send_lock);
	return r;
}

/* A WRITE frame's payload goes out in batches of pages, each batch added to
 * the MAC just before it is handed to TCP, so MACing the next batch overlaps
 * the transmission of the previous ones; the MAC follows in the trailer. A tx function sends one batch: the header first if still
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
		iv[k++].iov_len = LSC_LTRL_LEN;
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
	kv.iov_len = LSC_LTRL_LEN;
	return lsc_send_vec(f->s, &kv, 1, false);
}
#endif

typedef int (*lsc_tx_fn)(struct lsc_txf *f, struct bio_vec *bv, int n, u32 len, const u8 *tr);

/* the trailer: seq and MAC (flip: fault injection's damage) */
static void lsc_bio_trailer(struct blake2s_state *m, u64 seq, u8 flip, u8 *tr)
{
	u8 tag[LSC_TAG_LEN];

	lsc_mac_end(m, seq, tag);
	tag[0] ^= flip;
	lsc_ltrl_encode(seq, tag, tr);
}

/* the bio's pages in batches through tx, each batch MACed just before (the
 * header and the trailer alone for an empty flush); m: begun on the header */
static int lsc_send_bio_pages(struct lsc_txf *f, struct bio *bio, struct blake2s_state *m,
			      u64 seq, u8 flip, lsc_tx_fn tx)
{
	struct bio_vec bvs[LSC_TX_PAGES], bv;
	struct bvec_iter it;
	u32 batch = 0, left = bio->bi_iter.bi_size;
	u8 tr[LSC_LTRL_LEN];
	int r = 0, n = 0;

	if (!left) {
		struct kvec iv[2] = { { .iov_base = f->hb, .iov_len = LSC_HDR_LEN },
				      { .iov_base = tr, .iov_len = LSC_LTRL_LEN } };

		lsc_bio_trailer(m, seq, flip, tr);
		return lsc_send_vec(f->s, iv, 2, false);
	}
	bio_for_each_segment(bv, bio, it) {
		bvs[n++] = bv;
		batch += bv.bv_len;
		left -= bv.bv_len;
		if (n < LSC_TX_PAGES && left)
			continue;
		lsc_mac_bvecs(m, bvs, n);
		if (!left)
			lsc_bio_trailer(m, seq, flip, tr);
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
	struct blake2s_state m;
	lsc_tx_fn tx = lsc_tx_copy;
	u8 flip;
	int r = -ENOTCONN;

	lsc_frame_encode(&h, hb);
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	if (h.len >= LSC_SPLICE_MIN && lsc_bio_spliceable(bio))
		tx = lsc_tx_splice;
#endif
	mutex_lock(&nmp->send_lock);
	if (nmp->sock && nmp->conn == LSC_C_CONNECTED) {
		f.s = nmp->sock;
		flip = lsc_fault_apply(nmp, hb);
		lsc_mac_begin(&m, nmp->ktx, hb);
		r = lsc_send_bio_pages(&f, bio, &m, nmp->tx_seq++, flip, tx);
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

