/* SPDX-License-Identifier: GPL-2.0 */
/* liscal: shared state of one NMP (mirror partition device). */
#ifndef LISCAL_H
#define LISCAL_H
#include <linux/blkdev.h>
#include <linux/bio.h>
#include <linux/net.h>
#include <linux/kthread.h>
#include <linux/workqueue.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include "liscal_compat.h"
#include "lsc_bitmap.h"
#include "lsc_meta.h"
#include "lsc_proto.h"

#define LISCAL_MAJOR 218
#define LSC_PFX "liscal: "
#define lsc_info(fmt, ...) pr_info(LSC_PFX fmt "\n", ##__VA_ARGS__)
#define lsc_err(fmt, ...) pr_err(LSC_PFX fmt "\n", ##__VA_ARGS__)
/* for what anyone reaching the data port can cause (the handshake) */
#define lsc_err_rl(fmt, ...) pr_err_ratelimited(LSC_PFX fmt "\n", ##__VA_ARGS__)

enum lsc_conn { LSC_C_DISCONNECTED, LSC_C_CONNECTING, LSC_C_CONNECTED };
enum lsc_rec { LSC_R_NONE, LSC_R_FULL, LSC_R_DIFF, LSC_R_RECV, LSC_R_STOPPED,
	       LSC_R_DONE, LSC_R_FAILED };
enum lsc_erract { LSC_EA_REBOOT, LSC_EA_DETACH };
/* why an NMP's state changes (liscal_state.c: what each one records) */
enum lsc_why {
	LSC_WHY_BIND,		/* metadata read at bind (crash rules) or created */
	LSC_WHY_UNBIND,
	LSC_WHY_WRITE_ALONE,	/* first write not mirrored */
	LSC_WHY_OPEN_ALONE,	/* port opened while disconnected */
	LSC_WHY_LINK_LOST,	/* lsc_break */
	LSC_WHY_PEER_BREAK,	/* the peer's STATE says it went on alone */
	LSC_WHY_REC_START,	/* recovery source */
	LSC_WHY_REC_TARGET,	/* first recovery chunk received */
	LSC_WHY_REC_DONE,	/* either side */
	LSC_WHY_REC_STOPPED,	/* source */
	LSC_WHY_REC_PARTIAL,	/* target told the recovery stopped */
	LSC_WHY_FORCE_GREEN,
	LSC_WHY_FORCE_RED,
	LSC_WHY_FORCE_LATEST,
	LSC_WHY_NR
};
/* fault injection (ctl "inject N ..."): corrupt the next frame sent */
enum lsc_fault { LSC_FI_NONE, LSC_FI_MAGIC, LSC_FI_CMD, LSC_FI_CRC,
		 LSC_FI_MAC,		/* the next WRITE's MAC wrong: a forged frame */
		 LSC_FI_REPLAY,		/* the next small frame sent twice, byte for byte */
		 LSC_FI_BREAK_ISSUE };	/* the link breaks after the next write's admission */

#define LSC_RX_PAGES (LSC_MAX_PAYLOAD / PAGE_SIZE)
#define LSC_REC_WINDOW 16		/* recovery chunks in flight */
#define LSC_REC_BATCH 8			/* adjacent dirty chunks read in one I/O */
#define LSC_AL_CHUNKS 64		/* write-intent extent: 64 chunks = 4 MiB */

/* per-stage write latency counters (/proc/liscal/stats, README §1.5):
 * counts and nanosecond sums since load; readers diff two snapshots */
enum lsc_stage {
	LSC_T_QUEUE,		/* submit_bio -> the write is issued (hand-off, write intent) */
	LSC_T_SEND,		/* WRITE frame handed to TCP */
	LSC_T_LOCAL,		/* issued -> local write done */
	LSC_T_PEER,		/* sent -> the peer's ACK received */
	LSC_T_TOTAL,		/* submit_bio -> completed upward */
	LSC_T_RX_PAYLOAD,	/* peer: header -> payload received and checked */
	LSC_T_RX_WRITE,		/* peer: write to its data partition */
	LSC_T_RX_ACK,		/* peer: ACK handed to TCP */
	LSC_T_NR
};
struct lsc_stats {
	u64 n[LSC_T_NR], ns[LSC_T_NR];
	u64 fast;		/* writes issued in the submitter's context */
	u64 queued;		/* writes handed to the writer thread */
	u64 intent;		/* write-intent bitmap block writes (FUA) */
	u64 meta;		/* metadata flushes by the tick */
	u64 noflush;		/* empty flushes completed at once (nothing volatile) */
	u64 recflush;		/* target: flushes before recovery acks */
};

/* one upper write in flight: completes when the local write and (if the
 * write was sent) the peer's ACK are both done */
struct lsc_wctx {
	struct lsc_nmp *nmp;
	struct bio *orig;
	struct list_head queue;		/* on nmp->wq until the writer issues it */
	struct list_head pending;	/* on nmp->pending while awaiting ACK */
	u64 seq;
	unsigned long sent;		/* jiffies */
	u64 c_first, c_last;		/* chunks covered */
	u64 t_submit, t_issue, t_sent, t_local, t_ack;	/* ktime ns, for lsc_stats */
	u64 flush_gen;			/* PREFLUSH: nmp->vol_gen when issued */
	atomic_t parts;
	blk_status_t status;
	bool sent_to_peer;
};

struct lsc_nmp {
	int idx;			/* 1-based NMP number */
	struct gendisk *disk;
	struct mutex ctl;		/* serialises control commands */
	spinlock_t lock;		/* state, bitmap, pending, inflight */
	bool bound, port_open, detached;
	int peer_port;			/* -1 unknown */
	int conn;
	int err_action;
	atomic_t openers;

	struct lsc_bdev data, cp;
	char data_path[64], cp_path[64];
	u64 sectors;
	__be32 peer_addr, local_addr;
	u16 drvport, dataport;

	struct lsc_meta meta;
	struct lsc_bitmap bm;		/* exact difference (liscal_al.c) */
	u8 *bmbuf;			/* bitmap, rounded up to 4 KiB blocks */
	struct lsc_bitmap dbm;		/* the cluster partition's copy, a superset */
	u8 *dbmbuf;
	unsigned long *ext_last;	/* jiffies of the last write per extent */
	u64 bm_blocks;
	unsigned long *bm_dirty;	/* 4 KiB blocks to write lazily */
	bool meta_dirty;
	struct mutex bm_io;		/* serialises cluster partition writes */
	u16 *inflight;			/* per-chunk writes not yet completed */
	u8 *peer_bm;			/* peer's bitmap, received at connect */
	u64 peer_bm_len;

	atomic_t io_count;		/* upper requests in flight */
	wait_queue_head_t io_wait;

	struct list_head wq;		/* lsc_wctx to issue, in order */
	bool wr_busy;			/* a write is being issued (writer or submitter) */
	/* Flush elision: vol_gen is bumped whenever data may sit in a volatile
	 * cache on either side (a non-FUA write completed, link or port change);
	 * clean_gen is the vol_gen a completed PREFLUSH covered. Equal: every
	 * completed write is already durable on both sides. */
	u64 vol_gen, clean_gen;
	struct task_struct *writer;
	wait_queue_head_t writer_wait;

	struct socket *sock, *lsock;
	struct task_struct *listener, *receiver;
	struct completion rx_done;	/* the receiver has exited */
	struct mutex send_lock;
	struct mutex sock_mutex;	/* nmp->sock shutdown vs release (never held across I/O) */
	int fault;			/* enum lsc_fault */
	struct mutex link_lock;		/* connect vs attach (not ctl: unbind stops the listener) */
	/* the link's session (liscal_conn.c): a key and a sequence number per
	 * direction; tx under send_lock, rx the receiver's own */
	u8 ktx[LSC_SKEY_LEN], krx[LSC_SKEY_LEN];
	u64 tx_seq, rx_seq;
	/* handshakes of accepted connections, each a work item, oldest first */
	struct mutex hs_mutex;
	struct list_head hs_list;
	int hs_pending;			/* on hs_list */
	atomic_t hs_count;		/* work items not yet finished */
	wait_queue_head_t hs_wait;
	u64 seq;
	struct list_head pending;
	unsigned long last_rx;
	struct page *rx_pages[LSC_RX_PAGES];
	struct delayed_work tick;
	struct lsc_stats st;		/* lock: the write-side fields; rx ones: receiver only */

	struct task_struct *recovery;
	int rec_state;
	bool rec_stop;
	s64 rec_chunk;			/* first chunk being read and sent, -1 none */
	u64 rec_chunk_end;		/* last one */
	u64 rec_total, rec_done;
	/* chunks sent and not yet acked (the window) */
	u64 rec_seq[LSC_REC_WINDOW];
	s64 rec_slot[LSC_REC_WINDOW];	/* chunk, -1 free */
	int rec_inflight;
	bool rec_failed;		/* a RDATA was refused by the peer */
	atomic_t rx_async;		/* target: recovery chunks being written */
	struct llist_head rec_written;	/* target: written, ack awaits a flush */
	struct work_struct rec_commit;	/* target: flushes, then acks them */
	unsigned long rec_start, rec_end;
	wait_queue_head_t rec_wait;
	struct completion rec_exit;
};

extern unsigned int lsc_ack_timeout_ms, lsc_connect_timeout_ms, lsc_drvport;

/* a module parameter's value within [min, max], or -EINVAL (the set
 * callbacks of liscal_main.c and liscal_al.c; kstrtouint takes a trailing
 * newline) */
static inline int lsc_param_uint(const char *val, unsigned int *out,
				 unsigned int min, unsigned int max)
{
	unsigned int v;

	if (kstrtouint(val, 0, &v) || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}
extern struct lsc_nmp *lsc_nmps;
extern unsigned int lsc_nmp_count;

/* liscal_state.c: the one writer of meta.state; break, disk-error action, tick */
bool lsc_change_state(struct lsc_nmp *nmp, u32 state, enum lsc_why why);
void lsc_state_peer(struct lsc_nmp *nmp, const struct lsc_state *st);
const char *lsc_state_name(u32 state);
void lsc_break(struct lsc_nmp *nmp, const char *why);
void lsc_disk_error(struct lsc_nmp *nmp, sector_t sector);
void lsc_cp_error(struct lsc_nmp *nmp);
void lsc_detach_port(struct lsc_nmp *nmp);

/* liscal_tick.c */
void lsc_tick_fn(struct work_struct *w);

/* liscal_io.c */
int lsc_io_init(void);
void lsc_io_exit(void);
void lsc_submit_bio(struct bio *bio);
int lsc_writer_fn(void *arg);

/* liscal_req.c */
int lsc_req_init(void);
void lsc_req_exit(void);
struct lsc_wctx *lsc_wctx_alloc(void);
void lsc_wctx_free(struct lsc_wctx *w);
void lsc_wctx_put(struct lsc_wctx *w);

/* liscal_meta.c */
int lsc_sync_rw(struct block_device *bdev, blk_opf_t op, sector_t sector,
		void *buf, unsigned int len);

int lsc_meta_load(struct lsc_nmp *nmp);
int lsc_meta_flush(struct lsc_nmp *nmp);
int lsc_bm_write_block(struct lsc_nmp *nmp, u64 block, bool fua);
int lsc_bm_write_all(struct lsc_nmp *nmp);
void lsc_meta_free(struct lsc_nmp *nmp);

/* liscal_al.c (all with nmp->lock held) */
void lsc_al_mark(struct lsc_nmp *nmp, u64 first, u64 last, bool extent, bool *persist);
void lsc_al_sync(struct lsc_nmp *nmp);
void lsc_al_clear_acked(struct lsc_nmp *nmp);
void lsc_al_expire(struct lsc_nmp *nmp);
void lsc_al_clear_chunk(struct lsc_nmp *nmp, u64 c);
bool lsc_al_hit(struct lsc_nmp *nmp, u64 first, u64 last);

/* liscal_conn.c */
int lsc_listen_start(struct lsc_nmp *nmp);
void lsc_listen_stop(struct lsc_nmp *nmp);
int lsc_connect(struct lsc_nmp *nmp);
void lsc_disconnect(struct lsc_nmp *nmp);
int lsc_key_set(const char *hex);
int lsc_conn_init(void);
void lsc_conn_exit(void);

/* liscal_send.c */
int lsc_send(struct lsc_nmp *nmp, u16 cmd, u8 flags, u64 seq, u64 sector,
	     const void *payload, u32 len);
int lsc_send_sock(struct socket *s, u16 cmd, u64 sector, const void *p, u32 len);
int lsc_send_bio(struct lsc_nmp *nmp, struct bio *bio, u64 seq, u8 flags);
int lsc_send_state(struct lsc_nmp *nmp);
struct blake2s_state;
void lsc_mac_begin(struct blake2s_state *m, const u8 key[LSC_SKEY_LEN], const u8 *hb);
void lsc_mac_bvecs(struct blake2s_state *m, const struct bio_vec *bv, int n);
void lsc_mac_end(struct blake2s_state *m, u64 seq, u8 tag[LSC_TAG_LEN]);

/* liscal_recv.c */
int lsc_receiver_fn(void *arg);
int lsc_recv_full(struct socket *s, void *buf, size_t len);

/* liscal_recovery.c */
int lsc_recovery_start(struct lsc_nmp *nmp, bool full);
void lsc_recovery_stop(struct lsc_nmp *nmp);
void lsc_recovery_on_ack(struct lsc_nmp *nmp, u64 seq, bool ok);
int lsc_recovery_recv(struct lsc_nmp *nmp, const struct lsc_hdr *h);
bool lsc_recovery_covers(struct lsc_nmp *nmp, u64 first, u64 last);
void lsc_recovery_done_recv(struct lsc_nmp *nmp, bool complete);
void lsc_recovery_commit_fn(struct work_struct *work);

/* liscal_ctl.c */
int lsc_proc_init(void);
void lsc_proc_exit(void);
int lsc_unbind(struct lsc_nmp *nmp);

static inline u64 lsc_now(void) { return ktime_get_real_seconds(); }

/* an upper request done */
static inline void lsc_io_put(struct lsc_nmp *nmp)
{
	if (atomic_dec_and_test(&nmp->io_count))
		wake_up_all(&nmp->io_wait);
}
static inline void lsc_stat_add(struct lsc_stats *st, int stage, u64 from, u64 to)
{
	if (!from || to < from)
		return;
	st->n[stage]++;
	st->ns[stage] += to - from;
}
/* with nmp->lock held: data may be volatile somewhere, the next flush is real */
static inline void lsc_vol(struct lsc_nmp *nmp) { nmp->vol_gen++; }
static inline u64 lsc_chunk_of(sector_t s) { return s >> LSC_CHUNK_SHIFT; }
#endif
