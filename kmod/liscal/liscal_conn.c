// SPDX-License-Identifier: GPL-2.0
/* Connection: listen and accept, connect, the HMAC handshake, attaching a
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

/* MAC = HMAC-SHA256(key, role || challenge to answer || own challenge):
 * the role byte stops a reflected challenge from being answered by us */
static int lsc_mac(u8 role, const u8 *theirs, const u8 *ours, u8 *out)
{
	struct crypto_shash *tfm;
	int r;

	tfm = crypto_alloc_shash("hmac(sha256)", 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	mutex_lock(&lsc_key_lock);
	r = lsc_key_len ? crypto_shash_setkey(tfm, lsc_key, lsc_key_len) : -ENOKEY;
	mutex_unlock(&lsc_key_lock);
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

	if (!READ_ONCE(lsc_key_len))
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
	if (!nmp->lsock)
		return;
	kernel_sock_shutdown(nmp->lsock, SHUT_RDWR);
	if (nmp->listener)
		kthread_stop(nmp->listener);
	nmp->listener = NULL;
	sock_release(nmp->lsock);
	nmp->lsock = NULL;
}

void lsc_disconnect(struct lsc_nmp *nmp)
{
	lsc_break(nmp, "disconnect");
	if (nmp->receiver)
		wait_for_completion(&nmp->rx_done);
}
