// SPDX-License-Identifier: GPL-2.0
/* Peer link: TCP on the NMP's data port, HMAC handshake, frame send and
 * receive, mirror break, periodic tick (ack timeouts, keepalive, bitmap). */
#include <linux/slab.h>
#include <linux/in.h>
#include <linux/random.h>
#include <linux/tcp.h>
#include <linux/highmem.h>
#include <linux/version.h>
#include <linux/bvec.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <crypto/hash.h>
#include <crypto/algapi.h>
#include "liscal.h"

u8 lsc_key[64];
unsigned int lsc_key_len;

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

static int lsc_recv_full(struct socket *s, void *buf, size_t len)
{
	struct kvec iv = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_flags = MSG_WAITALL | MSG_NOSIGNAL };

	iov_iter_kvec(&msg.msg_iter, ITER_DEST, &iv, 1, len);
	return lsc_recvmsg_all(s, &msg);
}

/* CRC32C continued over a batch of pages (a payload's, sent or received) */
static u32 lsc_crc_bvecs(u32 crc, const struct bio_vec *bv, int n)
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

static int lsc_send_sock(struct socket *s, u16 cmd, u64 seq, const void *p, u32 len)
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

/* MAC = HMAC-SHA256(key, role || challenge to answer || own challenge):
 * the role byte stops a reflected challenge from being answered by us */
static int lsc_mac(u8 role, const u8 *theirs, const u8 *ours, u8 *out)
{
	struct crypto_shash *tfm;
	int r;

	tfm = crypto_alloc_shash("hmac(sha256)", 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	r = crypto_shash_setkey(tfm, lsc_key, lsc_key_len);
	if (!r) {
		SHASH_DESC_ON_STACK(d, tfm);

		d->tfm = tfm;
		r = crypto_shash_init(d);
		if (!r)
			r = crypto_shash_update(d, &role, 1);
		if (!r)
			r = crypto_shash_update(d, theirs, LSC_NONCE_LEN);
		if (!r)
			r = crypto_shash_update(d, ours, LSC_NONCE_LEN);
		if (!r)
			r = crypto_shash_final(d, out);
		shash_desc_zero(d);
	}
	crypto_free_shash(tfm);
	return r;
}

/* read one small handshake frame of the expected command */
static int lsc_recv_small(struct lsc_nmp *nmp, struct socket *s, u16 want, u8 *p)
{
	u8 hb[LSC_HDR_LEN], tr[LSC_TRL_LEN];
	struct lsc_hdr h;
	int r;

	r = lsc_recv_full(s, hb, sizeof(hb));
	if (r) {
		lsc_err("NMP%d head part recv failed(%d).", nmp->idx, r);
		return r;
	}
	r = lsc_hdr_decode(hb, &h);
	if (r == LSC_EMAGIC) {
		lsc_err("NMP%d receive wrong magic data.", nmp->idx);
		return -EPROTO;
	}
	if (r == LSC_ECMD || (r == LSC_OK && h.cmd != want)) {
		lsc_err("NMP%d wrong command received(%u).", nmp->idx, h.cmd);
		return -EPROTO;
	}
	if (r) {
		lsc_err("NMP%d head part received is wrong. (magic=0x%x, cmd=%u)", nmp->idx,
			h.magic, h.cmd);
		return -EPROTO;
	}
	r = lsc_recv_full(s, p, h.len);
	if (!r)
		r = lsc_recv_full(s, tr, sizeof(tr));
	if (r) {
		lsc_err("NMP%d data part receive failed(%d).", nmp->idx, r);
		return r;
	}
	if (lsc_frame_verify(&h, p, tr)) {
		lsc_err("NMP%d head part received is wrong. (magic=0x%x, cmd=%u)", nmp->idx,
			h.magic, h.cmd);
		return -EPROTO;
	}
	return 0;
}

static int lsc_handshake(struct lsc_nmp *nmp, struct socket *s, bool dialer)
{
	u8 ours[LSC_NONCE_LEN], theirs[LSC_NONCE_LEN], mac[LSC_MAC_LEN], got[LSC_MAC_LEN];
	int r;

	if (!lsc_key_len)
		return -ENOKEY;
	get_random_bytes(ours, sizeof(ours));
	r = lsc_send_sock(s, LSC_HELLO, 0, ours, sizeof(ours));
	if (!r)
		r = lsc_recv_small(nmp, s, LSC_HELLO, theirs);
	if (r)
		return r;
	if (!memcmp(ours, theirs, sizeof(ours)))
		return -EPROTO;
	r = lsc_mac(dialer ? 'C' : 'A', theirs, ours, mac);
	if (!r)
		r = lsc_send_sock(s, LSC_AUTH, 0, mac, sizeof(mac));
	if (!r)
		r = lsc_recv_small(nmp, s, LSC_AUTH, got);
	if (!r)
		r = lsc_mac(dialer ? 'A' : 'C', ours, theirs, mac);
	if (!r && crypto_memneq(mac, got, sizeof(mac))) {
		lsc_err("NMP%d deciding connection type failed(%d)", nmp->idx, -EACCES);
		r = -EACCES;
	}
	return r;
}

static int lsc_receiver_fn(void *arg);

/* after a successful handshake: the socket becomes the NMP's link */
static int lsc_attach(struct lsc_nmp *nmp, struct socket *s)
{
	struct task_struct *t;
	u64 off, len;

	if (nmp->conn == LSC_C_CONNECTED)
		return -EISCONN;
	if (nmp->receiver)	/* the previous link's receiver is exiting */
		wait_for_completion(&nmp->rx_done);
	spin_lock_irq(&nmp->lock);
	if (nmp->conn == LSC_C_CONNECTED || !nmp->bound) {
		spin_unlock_irq(&nmp->lock);
		return -EISCONN;
	}
	nmp->sock = s;
	nmp->conn = LSC_C_CONNECTED;
	lsc_vol(nmp);	/* the new peer's cache state is unknown */
	nmp->last_rx = jiffies;
	nmp->peer_port = -1;
	spin_unlock_irq(&nmp->lock);
	s->sk->sk_rcvtimeo = MAX_SCHEDULE_TIMEOUT;
	s->sk->sk_sndtimeo = msecs_to_jiffies(lsc_ack_timeout_ms);
	reinit_completion(&nmp->rx_done);
	t = kthread_run(lsc_receiver_fn, nmp, "liscal_rx/%d", nmp->idx);
	if (IS_ERR(t)) {
		spin_lock_irq(&nmp->lock);
		nmp->sock = NULL;
		nmp->conn = LSC_C_DISCONNECTED;
		spin_unlock_irq(&nmp->lock);
		complete(&nmp->rx_done);
		return PTR_ERR(t);
	}
	nmp->receiver = t;
	lsc_send_state(nmp);
	/* our bitmap, so the peer's differential recovery covers our writes too */
	len = lsc_bm_bytes(nmp->bm.nbits);
	for (off = 0; off < len; off += LSC_MAX_PAYLOAD)
		lsc_send(nmp, LSC_BITMAP, 0, 0, off, nmp->bmbuf + off,
			 min_t(u64, LSC_MAX_PAYLOAD, len - off));
	return 0;
}

static void lsc_sock_opts(struct socket *s)
{
	tcp_sock_set_nodelay(s->sk);
	/* writes are sent from the submitter's context (liscal_io.c): socket
	 * memory must not recurse into block I/O, nor use the task's page frag */
	s->sk->sk_allocation = GFP_NOIO;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	s->sk->sk_use_task_frag = false;
#endif
	s->sk->sk_rcvtimeo = msecs_to_jiffies(lsc_connect_timeout_ms);
	s->sk->sk_sndtimeo = msecs_to_jiffies(lsc_connect_timeout_ms);
}

int lsc_connect(struct lsc_nmp *nmp)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = nmp->peer_addr,
				   .sin_port = htons(nmp->dataport) };
	struct socket *s;
	int r;

	if (nmp->conn == LSC_C_CONNECTED)
		return -EISCONN;
	r = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP, &s);
	if (r) {
		lsc_err("creating socket failed(%d).", r);
		return r;
	}
	lsc_sock_opts(s);
	nmp->conn = LSC_C_CONNECTING;
	r = kernel_connect(s, (struct sockaddr *)&sin, sizeof(sin), 0);
	if (r) {
		lsc_err("NMP%d connection failed(%d).", nmp->idx, r);
		goto fail;
	}
	r = lsc_handshake(nmp, s, true);
	if (r) {
		lsc_err("NMP%d connection failed(%d).", nmp->idx, r);
		goto fail;
	}
	nmp->conn = LSC_C_DISCONNECTED;
	r = lsc_attach(nmp, s);
	if (r)
		goto fail;
	return 0;
fail:
	if (nmp->conn == LSC_C_CONNECTING)
		nmp->conn = LSC_C_DISCONNECTED;
	sock_release(s);
	return r;
}

static int lsc_listener_fn(void *arg)
{
	struct lsc_nmp *nmp = arg;
	struct socket *s;
	int r;

	while (!kthread_should_stop()) {
		r = kernel_accept(nmp->lsock, &s, 0);
		if (r) {
			if (!kthread_should_stop()) {
				if (r != -EAGAIN && r != -EINTR)
					lsc_err("NMP%d accept failed(%d).", nmp->idx, r);
				msleep(100);
			}
			continue;
		}
		lsc_sock_opts(s);
		mutex_lock(&nmp->link_lock);
		r = nmp->conn == LSC_C_CONNECTED ? -EISCONN : lsc_handshake(nmp, s, false);
		if (!r)
			r = lsc_attach(nmp, s);
		mutex_unlock(&nmp->link_lock);
		if (r)
			sock_release(s);
	}
	return 0;
}

int lsc_listen_start(struct lsc_nmp *nmp)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = nmp->local_addr,
				   .sin_port = htons(nmp->dataport) };
	struct task_struct *t;
	int r;

	r = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP, &nmp->lsock);
	if (r) {
		lsc_err("creating socket failed(%d).", r);
		return r;
	}
	sock_set_reuseaddr(nmp->lsock->sk);
	nmp->lsock->sk->sk_rcvtimeo = HZ / 2;	/* accept wakes up to see kthread_stop */
	r = kernel_bind(nmp->lsock, (struct sockaddr *)&sin, sizeof(sin));
	if (r) {
		lsc_err("NMP%d socket binding failed(%d).", nmp->idx, r);
		goto fail;
	}
	r = kernel_listen(nmp->lsock, 4);
	if (r) {
		lsc_err("NMP%d socket listening failed(%d).", nmp->idx, r);
		goto fail;
	}
	t = kthread_run(lsc_listener_fn, nmp, "liscal_ls/%d", nmp->idx);
	if (IS_ERR(t)) {
		r = PTR_ERR(t);
		goto fail;
	}
	nmp->listener = t;
	return 0;
fail:
	sock_release(nmp->lsock);
	nmp->lsock = NULL;
	return r;
}

void lsc_listen_stop(struct lsc_nmp *nmp)
{
	if (!nmp->lsock)
		return;
	kernel_sock_shutdown(nmp->lsock, SHUT_RDWR);
	if (nmp->listener)
		kthread_stop(nmp->listener);
	nmp->listener = NULL;
	sock_release(nmp->lsock);
	nmp->lsock = NULL;
}

/* link lost or corrupted: go on locally, the bitmap keeps the difference */
void lsc_break(struct lsc_nmp *nmp, const char *why)
{
	struct lsc_wctx *w, *tmp;
	unsigned long flags;
	LIST_HEAD(failed);

	spin_lock_irqsave(&nmp->lock, flags);
	if (nmp->conn != LSC_C_CONNECTED) {
		spin_unlock_irqrestore(&nmp->lock, flags);
		return;
	}
	nmp->conn = LSC_C_DISCONNECTED;
	nmp->peer_port = -1;
	lsc_vol(nmp);	/* writes in flight may not have reached the peer's disk */
	/* A side whose port is closed cannot know yet whether the peer goes on
	 * writing: it stays SYNC until the peer's STATE says BREAK. */
	if (nmp->meta.state == LSC_S_SYNC)
		lsc_al_clear_acked(nmp);	/* what both sides have is no difference */
	if (nmp->meta.state == LSC_S_RECOVERING) {
		bool source = nmp->rec_state == LSC_R_FULL || nmp->rec_state == LSC_R_DIFF;

		lsc_set_state(nmp, source ? LSC_S_BREAK : LSC_S_STALE);
	} else if (nmp->meta.state == LSC_S_SYNC &&
		   (nmp->bm.count || !list_empty(&nmp->pending))) {
		lsc_set_state(nmp, LSC_S_BREAK);	/* writes not known on the peer */
	}
	lsc_al_sync(nmp);	/* from now on the disk bits follow the exact ones */
	list_splice_init(&nmp->pending, &failed);
	spin_unlock_irqrestore(&nmp->lock, flags);

	/* wakes the receiver and any blocked sender; the receiver releases it */
	mutex_lock(&nmp->sock_mutex);
	if (nmp->sock)
		kernel_sock_shutdown(nmp->sock, SHUT_RDWR);
	mutex_unlock(&nmp->sock_mutex);
	pr_info(LSC_PFX "NMP%d mirror break (%s)\n", nmp->idx, why);
	wake_up_all(&nmp->rec_wait);
	list_for_each_entry_safe(w, tmp, &failed, pending) {
		list_del_init(&w->pending);
		lsc_wctx_put(w);	/* peer part: not mirrored, the bit stays */
	}
}

void lsc_disconnect(struct lsc_nmp *nmp)
{
	lsc_break(nmp, "disconnect");
	if (nmp->receiver)
		wait_for_completion(&nmp->rx_done);
}

/* write a received WRITE/RDATA payload to the data partition */
int lsc_rx_write(struct lsc_nmp *nmp, const struct lsc_hdr *h)
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
	if (h->sector + (h->len >> 9) > nmp->sectors)
		return -ERANGE;
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
 * hands over less), each batch's CRC32C taken as soon as it is in (the check
 * overlaps the arrival of the following ones), then the trailer.
 * ok: whether the trailer matched; nothing is written before. */
static int lsc_rx_payload(struct lsc_nmp *nmp, const struct lsc_hdr *h, bool *ok)
{
	struct bio_vec bv[LSC_RX_BATCH];
	struct msghdr msg = { .msg_flags = MSG_WAITALL | MSG_NOSIGNAL };
	u32 i, n, off, crc = lsc_crc_begin(h);
	u8 tr[LSC_TRL_LEN];
	int r = 0;

	*ok = true;
	if (!h->len)
		return 0;
	for (off = 0; !r && off < h->len; off += n) {
		n = min_t(u32, LSC_RX_BATCH * PAGE_SIZE, h->len - off);
		for (i = 0; i * PAGE_SIZE < n; i++)
			bvec_set_page(&bv[i], nmp->rx_pages[off / PAGE_SIZE + i],
				      min_t(u32, PAGE_SIZE, n - i * PAGE_SIZE), 0);
		iov_iter_bvec(&msg.msg_iter, ITER_DEST, bv, i, n);
		r = lsc_recvmsg_all(nmp->sock, &msg);
		if (!r)
			crc = lsc_crc_bvecs(crc, bv, i);
	}
	if (!r)
		r = lsc_recv_full(nmp->sock, tr, sizeof(tr));
	*ok = !r && lsc_trailer_check(crc, tr) == LSC_OK;
	return r;
}

static void lsc_rx_state(struct lsc_nmp *nmp)
{
	struct lsc_state st;

	if (lsc_state_decode(page_address(nmp->rx_pages[0]), LSC_STATE_LEN, &st))
		return;
	spin_lock_irq(&nmp->lock);
	nmp->peer_port = st.port_open;
	nmp->meta.peer_gen = st.gen;
	/* the peer went on alone: our copy is outdated */
	if (st.state == LSC_S_BREAK && nmp->meta.state == LSC_S_SYNC && !nmp->port_open)
		lsc_set_state(nmp, LSC_S_STALE);
	nmp->meta_dirty = true;
	spin_unlock_irq(&nmp->lock);
}

static void lsc_rx_bitmap(struct lsc_nmp *nmp, const struct lsc_hdr *h)
{
	u64 max = nmp->bm_blocks * LSC_BM_BLOCK, i;

	for (i = 0; i < h->len && h->sector + i < max; i++)
		nmp->peer_bm[h->sector + i] =
			((u8 *)page_address(nmp->rx_pages[i / PAGE_SIZE]))[i % PAGE_SIZE];
}

static int lsc_receiver_fn(void *arg)
{
	struct lsc_nmp *nmp = arg;
	struct lsc_stats *st = &nmp->st;
	u64 t_hdr, t_pay, t_wr;
	u8 hb[LSC_HDR_LEN];
	struct lsc_hdr h;
	bool ok;
	int r;

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
		r = lsc_rx_payload(nmp, &h, &ok);
		if (r) {
			lsc_err("NMP%d data part receive failed(%d).", nmp->idx, r);
			break;
		}
		if (!ok) {
			pr_info(LSC_PFX "NMP%d payload rejected: CRC mismatch (seq %llu, %u bytes)\n",
				nmp->idx, h.seq, h.len);
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
	complete(&nmp->rx_done);
	return 0;
}

/* every 250 ms while bound: ack timeouts, keepalive, lazy bitmap clearing
 * in SYNC, metadata flush, detach after a disk error */
void lsc_tick_fn(struct work_struct *work)
{
	struct lsc_nmp *nmp = container_of(to_delayed_work(work), struct lsc_nmp, tick);
	unsigned long tmo = msecs_to_jiffies(lsc_ack_timeout_ms);
	struct lsc_wctx *w;
	bool late = false, clear;

	if (nmp->detached && nmp->port_open && mutex_trylock(&nmp->ctl)) {
		if (nmp->port_open) {
			nmp->port_open = false;
			module_put(THIS_MODULE);
			lsc_info("NMP%d close I/O port OK.", nmp->idx);
		}
		mutex_unlock(&nmp->ctl);
	}
	spin_lock_irq(&nmp->lock);
	if (nmp->conn == LSC_C_CONNECTED) {
		w = list_first_entry_or_null(&nmp->pending, struct lsc_wctx, pending);
		late = (w && time_after(jiffies, w->sent + tmo)) ||
			time_after(jiffies, nmp->last_rx + tmo);
	}
	clear = nmp->conn == LSC_C_CONNECTED && nmp->meta.state == LSC_S_SYNC && !late;
	if (clear) {
		lsc_al_clear_acked(nmp);
		lsc_al_expire(nmp);
	}
	spin_unlock_irq(&nmp->lock);
	if (late) {
		lsc_err("NMP%d I/O incomplete.", nmp->idx);
		lsc_break(nmp, "ack timeout");
	} else if (nmp->conn == LSC_C_CONNECTED) {
		lsc_send(nmp, LSC_PING, 0, 0, 0, NULL, 0);
	}
	if (nmp->meta_dirty || !bitmap_empty(nmp->bm_dirty, nmp->bm_blocks)) {
		lsc_meta_flush(nmp);
		nmp->st.meta++;
	}
	if (nmp->bound)
		schedule_delayed_work(&nmp->tick, HZ / 4);
}
