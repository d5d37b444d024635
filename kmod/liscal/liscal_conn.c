// SPDX-License-Identifier: GPL-2.0
/* Connection: listen and accept (each handshake a work item, bounded in time
 * and number), connect, the handshake and its session keys, attaching a
 * socket as the NMP's link (starts its receiver), disconnect. */
#include <linux/in.h>
#include <linux/random.h>
#include <linux/tcp.h>
#include <linux/version.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <crypto/hash.h>
#include <crypto/algapi.h>
#include "liscal.h"

/* the cluster key of every NMP's handshake: set by the "key" command,
 * read by handshakes running at the same time */
static DEFINE_MUTEX(lsc_key_lock);
static u8 lsc_key[64];
static unsigned int lsc_key_len;

/* "key HEX": a malformed key leaves the old one in place */
int lsc_key_set(const char *hex)
{
	size_t n = hex ? strlen(hex) : 0;
	u8 key[sizeof(lsc_key)];

	if (!n || n % 2 || n / 2 > sizeof(key) || hex2bin(key, hex, n / 2))
		return -EINVAL;
	mutex_lock(&lsc_key_lock);
	memcpy(lsc_key, key, n / 2);
	lsc_key_len = n / 2;
	mutex_unlock(&lsc_key_lock);
	memzero_explicit(key, sizeof(key));
	return 0;
}

/* how many handshakes of accepted connections may run at once per NMP:
 * one more ends a pending one (lsc_hs_victim) */
#define LSC_HS_MAX 4
static struct workqueue_struct *lsc_hs_wq;

int lsc_conn_init(void)
{
	lsc_hs_wq = alloc_workqueue("liscal_hs", WQ_UNBOUND, 0);
	return lsc_hs_wq ? 0 : -ENOMEM;
}

void lsc_conn_exit(void)
{
	destroy_workqueue(lsc_hs_wq);	/* waits for the last work item's return */
}

/* the session's secrets: the keys of both directions */
struct lsc_keys {
	u8 tx[LSC_SKEY_LEN], rx[LSC_SKEY_LEN];
};

/* HMAC-SHA256(cluster key, transcript || tag) for each tag, in order:
 * 'd'/'l' the dialer's/listener's AUTH, 'D'/'L' the key of the frames the
 * dialer/listener sends */
static int lsc_derive(const u8 *tr, const char *tags, u8 (*out)[32])
{
	struct crypto_shash *tfm;
	int r, i;

	tfm = crypto_alloc_shash("hmac(sha256)", 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	mutex_lock(&lsc_key_lock);
	r = lsc_key_len ? crypto_shash_setkey(tfm, lsc_key, lsc_key_len) : -ENOKEY;
	mutex_unlock(&lsc_key_lock);
	for (i = 0; !r && tags[i]; i++) {
		SHASH_DESC_ON_STACK(d, tfm);

		d->tfm = tfm;
		r = crypto_shash_init(d);
		if (!r)
			r = crypto_shash_update(d, tr, LSC_TRANSCRIPT_LEN);
		if (!r)
			r = crypto_shash_update(d, (const u8 *)&tags[i], 1);
		if (!r)
			r = crypto_shash_final(d, out[i]);
		shash_desc_zero(d);
	}
	crypto_free_shash(tfm);
	return r;
}

/* recv until len bytes are in or the deadline (jiffies) passes: a peer
 * trickling bytes cannot keep a handshake alive */
static int lsc_recv_by(struct socket *s, void *buf, size_t len, unsigned long deadline)
{
	struct kvec iv = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
	long left;
	int r;

	iov_iter_kvec(&msg.msg_iter, ITER_DEST, &iv, 1, len);
	while (msg_data_left(&msg)) {
		left = (long)(deadline - jiffies);
		if (left <= 0)
			return -ETIMEDOUT;
		s->sk->sk_rcvtimeo = left;
		r = sock_recvmsg(s, &msg, MSG_NOSIGNAL);
		if (r == 0)
			return -ECONNRESET;
		if (r < 0)
			return r == -EAGAIN ? -ETIMEDOUT : r;
	}
	return 0;
}

/* read one small handshake frame of the expected command; sector: its field */
static int lsc_recv_small(struct lsc_nmp *nmp, struct socket *s, u16 want, u8 *p,
			  u64 *sector, unsigned long deadline)
{
	u8 hb[LSC_HDR_LEN], tr[LSC_TRL_LEN];
	struct lsc_hdr h;
	int r;

	r = lsc_recv_by(s, hb, sizeof(hb), deadline);
	if (r) {
		lsc_err_rl("NMP%d head part recv failed(%d).", nmp->idx, r);
		return r;
	}
	r = lsc_hdr_decode(hb, &h);
	if (r == LSC_EMAGIC) {
		lsc_err_rl("NMP%d receive wrong magic data.", nmp->idx);
		return -EPROTO;
	}
	if (r == LSC_EVERSION) {
		pr_info_ratelimited(LSC_PFX "NMP%d handshake refused: peer speaks protocol version %u, this driver %u\n",
			nmp->idx, h.version, LSC_VERSION);
		return -EPROTO;
	}
	if (r == LSC_ECMD || (r == LSC_OK && h.cmd != want)) {
		lsc_err_rl("NMP%d wrong command received(%u).", nmp->idx, h.cmd);
		return -EPROTO;
	}
	if (r) {
		lsc_err_rl("NMP%d head part received is wrong. (magic=0x%x, cmd=%u)", nmp->idx,
			h.magic, h.cmd);
		return -EPROTO;
	}
	r = lsc_recv_by(s, p, h.len, deadline);
	if (!r)
		r = lsc_recv_by(s, tr, sizeof(tr), deadline);
	if (r) {
		lsc_err_rl("NMP%d data part receive failed(%d).", nmp->idx, r);
		return r;
	}
	if (lsc_frame_verify(&h, p, tr)) {
		lsc_err_rl("NMP%d head part received is wrong. (magic=0x%x, cmd=%u)", nmp->idx,
			h.magic, h.cmd);
		return -EPROTO;
	}
	*sector = h.sector;
	return 0;
}

/* this end's and the other end's IPv4 address and port, as on the wire */
static int lsc_sock_ends(struct socket *s, u8 me[6], u8 peer[6])
{
	struct sockaddr_in a, b;

	if (kernel_getsockname(s, (struct sockaddr *)&a) < 0 ||
	    kernel_getpeername(s, (struct sockaddr *)&b) < 0)
		return -ENOTCONN;
	memcpy(me, &a.sin_addr.s_addr, 4);
	memcpy(me + 4, &a.sin_port, 2);
	memcpy(peer, &b.sin_addr.s_addr, 4);
	memcpy(peer + 4, &b.sin_port, 2);
	return 0;
}

static int lsc_refused(struct lsc_nmp *nmp, const char *what)
{
	lsc_err_rl("NMP%d deciding connection type failed(%d)", nmp->idx, -EACCES);
	pr_info_ratelimited(LSC_PFX "NMP%d handshake refused: the peer's %s does not match (another key, or a relayed or reflected connection)\n",
		nmp->idx, what);
	return -EACCES;
}

/* A HELLO's proof: HMAC(cluster key, transcript || 'h' or 'H') over the
 * transcript with only the sender's nonce (the other one zero), so the
 * listener knows a dialer holds the key after its first frame. */
static int lsc_hello_proof(struct lsc_nmp *nmp, const u8 *d, const u8 *l,
			   const u8 *nonce, bool of_dialer, u8 *out)
{
	static const u8 zero[LSC_NONCE_LEN];
	u8 tr[LSC_TRANSCRIPT_LEN], v[1][32];
	int r;

	lsc_transcript(nmp->idx, d, l, of_dialer ? nonce : zero, of_dialer ? zero : nonce, tr);
	r = lsc_derive(tr, of_dialer ? "h" : "H", v);
	memcpy(out, v[0], LSC_MAC_LEN);
	return r;
}

/* Both sides send a HELLO (the NMP number, a fresh nonce and its proof of
 * the cluster key), derive the transcript (lsc_proto.h: NMP, both ends, both
 * nonces) and prove the key on it with an AUTH of their role; the session
 * keys come from the same transcript. A reflected AUTH carries the other
 * role's value, a connection relayed to another NMP or address another
 * transcript. proven: set once the peer's HELLO proof matched. */
static int lsc_handshake(struct lsc_nmp *nmp, struct socket *s, bool dialer,
			 struct lsc_keys *k, unsigned long deadline, bool *proven)
{
	u8 ours[LSC_HELLO_LEN], theirs[LSC_HELLO_LEN], want[LSC_MAC_LEN], got[LSC_MAC_LEN];
	u8 me[6], peer[6], tr[LSC_TRANSCRIPT_LEN];
	u8 v[4][32];	/* our AUTH, theirs, our key, theirs */
	const u8 *d, *l;
	u64 nmp_no;
	int r;

	if (!READ_ONCE(lsc_key_len))
		return -ENOKEY;
	r = lsc_sock_ends(s, me, peer);
	if (r)
		return r;
	d = dialer ? me : peer;
	l = dialer ? peer : me;
	/* the listener spends nothing on a connection before its whole HELLO is in */
	if (!dialer)
		r = lsc_recv_small(nmp, s, LSC_HELLO, theirs, &nmp_no, deadline);
	get_random_bytes(ours, LSC_NONCE_LEN);
	if (!r)
		r = lsc_hello_proof(nmp, d, l, ours, dialer, ours + LSC_NONCE_LEN);
	if (!r)
		r = lsc_send_sock(s, LSC_HELLO, nmp->idx, ours, sizeof(ours));
	if (!r && dialer)
		r = lsc_recv_small(nmp, s, LSC_HELLO, theirs, &nmp_no, deadline);
	if (r)
		return r;
	if (nmp_no != nmp->idx) {
		pr_info_ratelimited(LSC_PFX "NMP%d handshake refused: the peer's HELLO is for NMP%llu\n",
			nmp->idx, nmp_no);
		return -EPROTO;
	}
	if (!memcmp(ours, theirs, LSC_NONCE_LEN))
		return -EPROTO;
	r = lsc_hello_proof(nmp, d, l, theirs, !dialer, want);
	if (r)
		return r;
	if (crypto_memneq(want, theirs + LSC_NONCE_LEN, LSC_MAC_LEN))
		return lsc_refused(nmp, "HELLO");
	if (proven)
		WRITE_ONCE(*proven, true);
	if (dialer)
		lsc_transcript(nmp->idx, me, peer, ours, theirs, tr);
	else
		lsc_transcript(nmp->idx, peer, me, theirs, ours, tr);
	r = lsc_derive(tr, dialer ? "dlDL" : "ldLD", v);
	if (!r)
		r = lsc_send_sock(s, LSC_AUTH, 0, v[0], LSC_MAC_LEN);
	if (!r)
		r = lsc_recv_small(nmp, s, LSC_AUTH, got, &nmp_no, deadline);
	if (!r && crypto_memneq(v[1], got, LSC_MAC_LEN))
		r = lsc_refused(nmp, "AUTH");
	if (!r) {
		memcpy(k->tx, v[2], LSC_SKEY_LEN);
		memcpy(k->rx, v[3], LSC_SKEY_LEN);
	}
	memzero_explicit(v, sizeof(v));
	return r;
}

/* after a successful handshake: the socket becomes the NMP's link */
static int lsc_attach(struct lsc_nmp *nmp, struct socket *s, const struct lsc_keys *k)
{
	struct task_struct *t;
	u64 off, len;

	if (nmp->conn == LSC_C_CONNECTED)
		return -EISCONN;
	if (nmp->receiver)	/* the previous link's receiver is exiting */
		wait_for_completion(&nmp->rx_done);
	/* the session, before the socket is published to the senders */
	mutex_lock(&nmp->send_lock);
	memcpy(nmp->ktx, k->tx, LSC_SKEY_LEN);
	memcpy(nmp->krx, k->rx, LSC_SKEY_LEN);
	nmp->tx_seq = 0;
	nmp->rx_seq = 0;
	mutex_unlock(&nmp->send_lock);
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
	t = kthread_create(lsc_receiver_fn, nmp, "liscal_rx/%d", nmp->idx);
	if (IS_ERR(t)) {
		spin_lock_irq(&nmp->lock);
		nmp->sock = NULL;
		nmp->conn = LSC_C_DISCONNECTED;
		spin_unlock_irq(&nmp->lock);
		complete_all(&nmp->rx_done);
		return PTR_ERR(t);
	}
	/* published before it runs: it clears the pointer when it exits */
	nmp->receiver = t;
	wake_up_process(t);
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
	unsigned long deadline;
	struct lsc_keys k;
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
	deadline = jiffies + msecs_to_jiffies(lsc_connect_timeout_ms);
	r = lsc_handshake(nmp, s, true, &k, deadline, NULL);
	if (r) {
		lsc_err("NMP%d connection failed(%d).", nmp->idx, r);
		goto fail;
	}
	nmp->conn = LSC_C_DISCONNECTED;
	r = lsc_attach(nmp, s, &k);
	memzero_explicit(&k, sizeof(k));
	if (r)
		goto fail;
	return 0;
fail:
	if (nmp->conn == LSC_C_CONNECTING)
		nmp->conn = LSC_C_DISCONNECTED;
	sock_release(s);
	return r;
}

/* the handshake of one accepted connection */
struct lsc_hs {
	struct work_struct work;
	struct lsc_nmp *nmp;
	struct socket *s;
	struct list_head list;		/* on nmp->hs_list until it ends */
	unsigned long deadline;
	bool proven;			/* the dialer's HELLO proved the key */
};

/* Off the listener and without link_lock: a slow or silent dialer holds
 * only its own slot, until its deadline or until newer ones evict it. */
static void lsc_hs_fn(struct work_struct *w)
{
	struct lsc_hs *hs = container_of(w, struct lsc_hs, work);
	struct lsc_nmp *nmp = hs->nmp;
	struct lsc_keys k;
	int r;

	r = lsc_handshake(nmp, hs->s, false, &k, hs->deadline, &hs->proven);
	mutex_lock(&nmp->hs_mutex);
	if (!list_empty(&hs->list)) {
		list_del_init(&hs->list);
		nmp->hs_pending--;
	}
	mutex_unlock(&nmp->hs_mutex);
	if (r == -ETIMEDOUT)
		pr_info_ratelimited(LSC_PFX "NMP%d handshake dropped: not done within %u ms\n",
			nmp->idx, lsc_connect_timeout_ms);
	if (!r) {
		mutex_lock(&nmp->link_lock);
		r = lsc_attach(nmp, hs->s, &k);
		mutex_unlock(&nmp->link_lock);
	}
	memzero_explicit(&k, sizeof(k));
	if (r)
		sock_release(hs->s);
	kfree(hs);
	if (atomic_dec_and_test(&nmp->hs_count))
		wake_up_all(&nmp->hs_wait);
}

/* with hs_mutex held and every slot taken: the one to end, the oldest of
 * those whose dialer has not proved the key (a flood cannot evict the peer
 * once its first frame is in), else the oldest */
static struct lsc_hs *lsc_hs_victim(struct lsc_nmp *nmp)
{
	struct lsc_hs *hs;

	list_for_each_entry(hs, &nmp->hs_list, list)
		if (!READ_ONCE(hs->proven))
			return hs;
	return list_first_entry(&nmp->hs_list, struct lsc_hs, list);
}

/* hand an accepted socket to a handshake work item; one pending is ended
 * when all slots are taken */
static void lsc_hs_start(struct lsc_nmp *nmp, struct socket *s)
{
	struct lsc_hs *hs = kzalloc(sizeof(*hs), GFP_KERNEL), *old;

	if (!hs) {
		sock_release(s);
		return;
	}
	INIT_WORK(&hs->work, lsc_hs_fn);
	hs->nmp = nmp;
	hs->s = s;
	hs->deadline = jiffies + msecs_to_jiffies(lsc_connect_timeout_ms);
	mutex_lock(&nmp->hs_mutex);
	if (nmp->hs_pending >= LSC_HS_MAX) {
		old = lsc_hs_victim(nmp);
		list_del_init(&old->list);
		nmp->hs_pending--;
		/* its recv fails at once; the work item releases the socket */
		kernel_sock_shutdown(old->s, SHUT_RDWR);
		pr_info_ratelimited(LSC_PFX "NMP%d handshake dropped: %d handshakes pending\n",
				    nmp->idx, LSC_HS_MAX);
	}
	list_add_tail(&hs->list, &nmp->hs_list);
	nmp->hs_pending++;
	atomic_inc(&nmp->hs_count);
	mutex_unlock(&nmp->hs_mutex);
	queue_work(lsc_hs_wq, &hs->work);
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
		if (nmp->conn == LSC_C_CONNECTED) {
			sock_release(s);
			continue;
		}
		lsc_sock_opts(s);
		lsc_hs_start(nmp, s);
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
	r = kernel_listen(nmp->lsock, 16);	/* a flood is drained by the listener */
	if (r) {
		lsc_err("NMP%d socket listening failed(%d).", nmp->idx, r);
		goto fail;
	}
	t = kthread_create(lsc_listener_fn, nmp, "liscal_ls/%d", nmp->idx);
	if (IS_ERR(t)) {
		r = PTR_ERR(t);
		goto fail;
	}
	nmp->listener = t;	/* published before it runs */
	wake_up_process(t);
	return 0;
fail:
	sock_release(nmp->lsock);
	nmp->lsock = NULL;
	return r;
}

void lsc_listen_stop(struct lsc_nmp *nmp)
{
	struct lsc_hs *hs;

	if (!nmp->lsock)
		return;
	kernel_sock_shutdown(nmp->lsock, SHUT_RDWR);
	if (nmp->listener)
		kthread_stop(nmp->listener);
	nmp->listener = NULL;
	sock_release(nmp->lsock);
	nmp->lsock = NULL;
	/* the handshakes still running end at once */
	mutex_lock(&nmp->hs_mutex);
	list_for_each_entry(hs, &nmp->hs_list, list)
		kernel_sock_shutdown(hs->s, SHUT_RDWR);
	mutex_unlock(&nmp->hs_mutex);
	wait_event(nmp->hs_wait, !atomic_read(&nmp->hs_count));
}

void lsc_disconnect(struct lsc_nmp *nmp)
{
	lsc_break(nmp, "disconnect");
	if (nmp->receiver)
		wait_for_completion(&nmp->rx_done);
}
