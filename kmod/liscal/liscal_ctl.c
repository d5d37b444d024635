// SPDX-License-Identifier: GPL-2.0
/* Text control interface: /proc/liscal/ctl (commands) and /proc/liscalstat
 * (status). The grammar is in README.md §1.2-1.3. */
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <linux/slab.h>
#include <linux/inet.h>
#include <linux/ctype.h>
#include "liscal.h"

#define LSC_CMD_MAX 512
#define LSC_ARGS_MAX 12

static struct proc_dir_entry *lsc_proc_dir;

static const char *const lsc_rec_names[] = {
	[LSC_R_NONE] = "none", [LSC_R_FULL] = "full-send", [LSC_R_DIFF] = "diff-send",
	[LSC_R_RECV] = "recv", [LSC_R_STOPPED] = "stopped", [LSC_R_DONE] = "done",
	[LSC_R_FAILED] = "failed",
};
static const char *const lsc_conn_names[] = {
	[LSC_C_DISCONNECTED] = "disconnected", [LSC_C_CONNECTING] = "connecting",
	[LSC_C_CONNECTED] = "connected",
};

/* "key=value" argument lookup; NULL when absent */
static const char *lsc_arg(char **argv, int argc, const char *key)
{
	size_t n = strlen(key);
	int i;

	for (i = 0; i < argc; i++)
		if (!strncmp(argv[i], key, n) && argv[i][n] == '=')
			return argv[i] + n + 1;
	return NULL;
}

static struct lsc_nmp *lsc_nmp_arg(const char *s)
{
	unsigned int n;

	if (!strncmp(s, "NMP", 3))
		s += 3;
	if (kstrtouint(s, 10, &n) || n < 1 || n > lsc_nmp_count)
		return NULL;
	return &lsc_nmps[n - 1];
}

static int lsc_ip_arg(const char *s, __be32 *out)
{
	return s && in4_pton(s, -1, (u8 *)out, -1, NULL) ? 0 : -EINVAL;
}

static int lsc_port_arg(const char *s, u16 *out)
{
	return s ? kstrtou16(s, 10, out) : -EINVAL;
}

static void lsc_free_rx(struct lsc_nmp *nmp)
{
	int i;

	for (i = 0; i < LSC_RX_PAGES; i++) {
		if (nmp->rx_pages[i])
			__free_page(nmp->rx_pages[i]);
		nmp->rx_pages[i] = NULL;
	}
}

static void lsc_release_bdevs(struct lsc_nmp *nmp)
{
	lsc_bdev_close(&nmp->cp, nmp);
	lsc_bdev_close(&nmp->data, nmp);
}

static int lsc_bind(struct lsc_nmp *nmp, char **argv, int argc)
{
	const char *data = lsc_arg(argv, argc, "data"), *cp = lsc_arg(argv, argc, "cp");
	const char *local = lsc_arg(argv, argc, "local"), *drv = lsc_arg(argv, argc, "drvport");
	struct task_struct *t;
	int r, i;

	if (nmp->bound)
		return -EBUSY;
	if (!data || !cp || strlen(data) >= sizeof(nmp->data_path) ||
	    strlen(cp) >= sizeof(nmp->cp_path))
		return -EINVAL;
	if (lsc_ip_arg(lsc_arg(argv, argc, "peer"), &nmp->peer_addr))
		return -EINVAL;
	nmp->local_addr = htonl(INADDR_ANY);
	if (local && lsc_ip_arg(local, &nmp->local_addr))
		return -EINVAL;
	nmp->drvport = lsc_drvport;
	if (drv && lsc_port_arg(drv, &nmp->drvport))
		return -EINVAL;
	if (lsc_port_arg(lsc_arg(argv, argc, "dataport"), &nmp->dataport) || !nmp->dataport)
		return -EINVAL;
	strscpy(nmp->data_path, data, sizeof(nmp->data_path));
	strscpy(nmp->cp_path, cp, sizeof(nmp->cp_path));

	for (i = 0; i < LSC_RX_PAGES; i++) {
		nmp->rx_pages[i] = alloc_page(GFP_KERNEL);
		if (!nmp->rx_pages[i]) {
			lsc_err("malloc page failed.");
			r = -ENOMEM;
			goto fail;
		}
	}
	r = lsc_bdev_open(&nmp->data, data, nmp);
	if (!r)
		r = lsc_bdev_open(&nmp->cp, cp, nmp);
	if (r)
		goto fail;
	nmp->sectors = bdev_nr_sectors(nmp->data.bdev);
	r = lsc_meta_load(nmp);
	if (r)
		goto fail;
	nmp->detached = !!(nmp->meta.flags & LSC_MF_DISKERR);
	nmp->rec_state = LSC_R_NONE;
	nmp->conn = LSC_C_DISCONNECTED;
	nmp->peer_port = -1;
	t = kthread_create(lsc_writer_fn, nmp, "liscal_wr/%d", nmp->idx);
	if (IS_ERR(t)) {
		r = PTR_ERR(t);
		goto fail_meta;
	}
	nmp->writer = t;	/* published before it runs */
	wake_up_process(t);
	nmp->bound = true;
	spin_lock_irq(&nmp->lock);
	lsc_vol(nmp);	/* unknown cache state of the lower device */
	spin_unlock_irq(&nmp->lock);
	r = lsc_listen_start(nmp);
	if (r) {
		nmp->bound = false;
		kthread_stop(nmp->writer);
		nmp->writer = NULL;
		goto fail_meta;
	}
	set_capacity(nmp->disk, nmp->sectors);
	schedule_delayed_work(&nmp->tick, HZ / 4);
	return 0;
fail_meta:
	lsc_meta_free(nmp);
fail:
	lsc_release_bdevs(nmp);
	lsc_free_rx(nmp);
	return r;
}

/* called with nmp->ctl held; the port is closed */
int lsc_unbind(struct lsc_nmp *nmp)
{
	if (!nmp->bound)
		return -ENODEV;
	lsc_recovery_stop(nmp);
	lsc_listen_stop(nmp);
	lsc_disconnect(nmp);
	wait_event(nmp->io_wait, !atomic_read(&nmp->rx_async));
	flush_work(&nmp->rec_commit);	/* its last pass may still be returning */
	nmp->bound = false;
	cancel_delayed_work_sync(&nmp->tick);
	kthread_stop(nmp->writer);
	nmp->writer = NULL;
	wait_event(nmp->io_wait, !atomic_read(&nmp->io_count));
	set_capacity(nmp->disk, 0);
	spin_lock_irq(&nmp->lock);
	if (nmp->meta.state == LSC_S_SYNC)
		lsc_al_clear_acked(nmp);
	lsc_al_sync(nmp);	/* no write in flight: the disk copy may be exact */
	spin_unlock_irq(&nmp->lock);
	lsc_meta_flush(nmp);
	lsc_meta_free(nmp);
	lsc_release_bdevs(nmp);
	lsc_free_rx(nmp);
	spin_lock_irq(&nmp->lock);
	lsc_change_state(nmp, LSC_S_NONE, LSC_WHY_UNBIND);
	spin_unlock_irq(&nmp->lock);
	nmp->rec_state = LSC_R_NONE;
	return 0;
}

static int lsc_port_open(struct lsc_nmp *nmp, bool force)
{
	if (nmp->port_open)
		return 0;
	if (nmp->detached)
		return -EIO;
	if (READ_ONCE(nmp->peer_port) == 1 && !force)
		return -EPERM;
	if (nmp->rec_state == LSC_R_RECV && nmp->meta.state == LSC_S_RECOVERING && !force)
		return -EBUSY;	/* half-copied target */
	if (!try_module_get(THIS_MODULE))
		return -ENODEV;
	spin_lock_irq(&nmp->lock);
	/* activated alone: this side now holds the latest data */
	if (nmp->conn != LSC_C_CONNECTED)
		lsc_change_state(nmp, LSC_S_BREAK, LSC_WHY_OPEN_ALONE);
	nmp->meta_dirty = true;
	WRITE_ONCE(nmp->port_open, true);
	lsc_vol(nmp);
	spin_unlock_irq(&nmp->lock);
	lsc_meta_flush(nmp);
	lsc_send_state(nmp);
	lsc_info("NMP%d open I/O port OK", nmp->idx);
	return 0;
}

static int lsc_port_close(struct lsc_nmp *nmp)
{
	if (!nmp->port_open)
		return 0;
	WRITE_ONCE(nmp->port_open, false);
	/* in-flight requests finish; new ones fail at submit */
	wait_event(nmp->io_wait, !atomic_read(&nmp->io_count));
	/* Nothing more is written here: the acked intent bits go now, so a
	 * reboot soon after (before the extents expire) is not taken for a
	 * crash with writes in flight at the next bind. */
	spin_lock_irq(&nmp->lock);
	if (nmp->conn == LSC_C_CONNECTED && nmp->meta.state == LSC_S_SYNC) {
		lsc_al_clear_acked(nmp);
		lsc_al_sync(nmp);
	}
	spin_unlock_irq(&nmp->lock);
	lsc_meta_flush(nmp);
	lsc_send_state(nmp);
	module_put(THIS_MODULE);
	lsc_info("NMP%d close I/O port OK.", nmp->idx);
	return 0;
}

static int lsc_force(struct lsc_nmp *nmp, const char *what)
{
	if (nmp->recovery)
		return -EBUSY;
	spin_lock_irq(&nmp->lock);
	if (!strcmp(what, "green")) {
		lsc_bm_zero(&nmp->bm);
		lsc_change_state(nmp, LSC_S_SYNC, LSC_WHY_FORCE_GREEN);
	} else if (!strcmp(what, "red")) {
		lsc_change_state(nmp, LSC_S_STALE, LSC_WHY_FORCE_RED);
	} else if (!strcmp(what, "latest")) {
		lsc_bm_fill(&nmp->bm);
		lsc_change_state(nmp, LSC_S_BREAK, LSC_WHY_FORCE_LATEST);
	} else {
		spin_unlock_irq(&nmp->lock);
		return -EINVAL;
	}
	lsc_al_sync(nmp);
	nmp->meta.flags &= ~LSC_MF_DISKERR;
	nmp->detached = false;
	nmp->rec_state = LSC_R_NONE;
	nmp->meta_dirty = true;
	spin_unlock_irq(&nmp->lock);
	return lsc_meta_flush(nmp) ? -EIO : 0;
}

static int lsc_unload_check(void)
{
	unsigned int i;

	for (i = 0; i < lsc_nmp_count; i++) {
		if (READ_ONCE(lsc_nmps[i].port_open)) {
			lsc_err("ERROR:MOUNT PORT is opened");
			return -EBUSY;
		}
	}
	return 0;
}

/* fault injection: corrupt the next frame this side sends */
static int lsc_inject(struct lsc_nmp *nmp, const char *what)
{
	static const char *const names[] = {
		[LSC_FI_NONE] = "none", [LSC_FI_MAGIC] = "badmagic",
		[LSC_FI_CMD] = "badcmd", [LSC_FI_CRC] = "badcrc",
		[LSC_FI_MAC] = "badmac", [LSC_FI_REPLAY] = "replay",
		[LSC_FI_BREAK_ISSUE] = "breakissue",
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(what, names[i])) {
			WRITE_ONCE(nmp->fault, i);
			return 0;
		}
	}
	return -EINVAL;
}

/* Handlers of the table below: nmp is NULL for the commands without one;
 * argv holds the words after the keyword and, for an NMP command, after N.
 * Called with nmp->ctl held. */
static int lsc_cmd_key(struct lsc_nmp *nmp, char **argv, int argc)
{
	return lsc_key_set(argv[0]);
}

static int lsc_cmd_unload_check(struct lsc_nmp *nmp, char **argv, int argc)
{
	return lsc_unload_check();
}

static int lsc_cmd_unbind(struct lsc_nmp *nmp, char **argv, int argc)
{
	if (nmp->port_open) {
		lsc_err("ERROR:NMP%d is busy.", nmp->idx);
		return -EBUSY;
	}
	return lsc_unbind(nmp);
}

static int lsc_cmd_open(struct lsc_nmp *nmp, char **argv, int argc)
{
	return lsc_port_open(nmp, argc > 0 && !strcmp(argv[0], "force"));
}

static int lsc_cmd_close(struct lsc_nmp *nmp, char **argv, int argc)
{
	return lsc_port_close(nmp);
}

static int lsc_cmd_connect(struct lsc_nmp *nmp, char **argv, int argc)
{
	int r;

	mutex_lock(&nmp->link_lock);
	r = lsc_connect(nmp);
	mutex_unlock(&nmp->link_lock);
	return r;
}

static int lsc_cmd_disconnect(struct lsc_nmp *nmp, char **argv, int argc)
{
	lsc_recovery_stop(nmp);
	lsc_disconnect(nmp);
	return 0;
}

static int lsc_cmd_recover(struct lsc_nmp *nmp, char **argv, int argc)
{
	if (strcmp(argv[0], "full") && strcmp(argv[0], "diff"))
		return -EINVAL;
	return lsc_recovery_start(nmp, !strcmp(argv[0], "full"));
}

static int lsc_cmd_stoprecover(struct lsc_nmp *nmp, char **argv, int argc)
{
	lsc_recovery_stop(nmp);
	return 0;
}

static int lsc_cmd_force(struct lsc_nmp *nmp, char **argv, int argc)
{
	return lsc_force(nmp, argv[0]);
}

static int lsc_cmd_onerror(struct lsc_nmp *nmp, char **argv, int argc)
{
	if (!strcmp(argv[0], "reboot"))
		nmp->err_action = LSC_EA_REBOOT;
	else if (!strcmp(argv[0], "detach"))
		nmp->err_action = LSC_EA_DETACH;
	else
		return -EINVAL;
	return 0;
}

static int lsc_cmd_inject(struct lsc_nmp *nmp, char **argv, int argc)
{
	if (strcmp(argv[0], "ioerror"))
		return lsc_inject(nmp, argv[0]);
	/* as if the lower device had failed a request now (seed 10.8) */
	lsc_disk_error(nmp, 0);
	return 0;
}

enum lsc_ctl_nmp {
	LSC_CN_NONE,	/* no NMP argument */
	LSC_CN_ANY,	/* "keyword N ...", bound or not */
	LSC_CN_BOUND,	/* "keyword N ...", ENODEV unless bound */
};

/* The commands (README §1.2). argc: the words after the keyword (and N),
 * extra words beyond those used are ignored as they always were. */
static const struct lsc_ctl_cmd {
	const char *name;
	int argc_min, argc_max;
	enum lsc_ctl_nmp nmp;
	int (*fn)(struct lsc_nmp *nmp, char **argv, int argc);
} lsc_cmds[] = {
	{ "key",	  1, 1,		     LSC_CN_NONE,  lsc_cmd_key },
	{ "unload-check", 0, LSC_ARGS_MAX,   LSC_CN_NONE,  lsc_cmd_unload_check },
	{ "bind",	  0, LSC_ARGS_MAX,   LSC_CN_ANY,   lsc_bind },
	{ "unbind",	  0, LSC_ARGS_MAX,   LSC_CN_BOUND, lsc_cmd_unbind },
	{ "open",	  0, LSC_ARGS_MAX,   LSC_CN_BOUND, lsc_cmd_open },
	{ "close",	  0, LSC_ARGS_MAX,   LSC_CN_BOUND, lsc_cmd_close },
	{ "connect",	  0, LSC_ARGS_MAX,   LSC_CN_BOUND, lsc_cmd_connect },
	{ "disconnect",	  0, LSC_ARGS_MAX,   LSC_CN_BOUND, lsc_cmd_disconnect },
	{ "recover",	  1, 1,		     LSC_CN_BOUND, lsc_cmd_recover },
	{ "stoprecover",  0, LSC_ARGS_MAX,   LSC_CN_BOUND, lsc_cmd_stoprecover },
	{ "force",	  1, 1,		     LSC_CN_BOUND, lsc_cmd_force },
	{ "onerror",	  1, 1,		     LSC_CN_BOUND, lsc_cmd_onerror },
	{ "inject",	  1, 1,		     LSC_CN_BOUND, lsc_cmd_inject },
};

static int lsc_exec(char **argv, int argc)
{
	const struct lsc_ctl_cmd *c = NULL;
	struct lsc_nmp *nmp;
	unsigned int i;
	int r;

	for (i = 0; i < ARRAY_SIZE(lsc_cmds) && !c; i++)
		if (!strcmp(argv[0], lsc_cmds[i].name))
			c = &lsc_cmds[i];
	if (!c)
		return -EINVAL;
	argv++;
	argc--;
	if (c->nmp == LSC_CN_NONE)
		return argc < c->argc_min || argc > c->argc_max ? -EINVAL : c->fn(NULL, argv, argc);
	if (argc < 1)
		return -EINVAL;
	nmp = lsc_nmp_arg(argv[0]);
	if (!nmp)
		return -EINVAL;
	argv++;
	argc--;
	mutex_lock(&nmp->ctl);
	if (c->nmp == LSC_CN_BOUND && !nmp->bound)
		r = -ENODEV;
	else if (argc < c->argc_min || argc > c->argc_max)
		r = -EINVAL;
	else
		r = c->fn(nmp, argv, argc);
	mutex_unlock(&nmp->ctl);
	return r;
}

static ssize_t lsc_ctl_write(struct file *f, const char __user *ubuf, size_t len,
			     loff_t *pos)
{
	char *buf, *p, *argv[LSC_ARGS_MAX], *tok;
	int argc = 0, r;

	if (len == 0 || len >= LSC_CMD_MAX)
		return -EINVAL;
	buf = memdup_user_nul(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	p = strim(buf);
	while ((tok = strsep(&p, " \t")) != NULL) {
		if (!*tok)
			continue;
		if (argc == LSC_ARGS_MAX) {
			kfree(buf);
			return -EINVAL;
		}
		argv[argc++] = tok;
	}
	r = argc ? lsc_exec(argv, argc) : -EINVAL;
	kfree(buf);
	return r ? r : len;
}

static const struct proc_ops lsc_ctl_ops = {
	.proc_write = lsc_ctl_write,
	.proc_lseek = noop_llseek,
};

static const char *lsc_color(struct lsc_nmp *nmp)
{
	switch (nmp->meta.state) {
	case LSC_S_SYNC:
	case LSC_S_BREAK:
		return "GREEN";
	case LSC_S_STALE:
		return "RED";
	case LSC_S_RECOVERING:
		return nmp->rec_state == LSC_R_FULL || nmp->rec_state == LSC_R_DIFF ?
			"GREEN" : "YELLOW";
	default:
		return "--";
	}
}

static void lsc_stat_one(struct seq_file *m, struct lsc_nmp *nmp)
{
	u64 pct = 0, elapsed = 0, remaining = 0, total, done;
	unsigned long end;
	int peer = READ_ONCE(nmp->peer_port), state;

	spin_lock_irq(&nmp->lock);
	state = nmp->bound ? nmp->meta.state : LSC_S_NONE;
	total = nmp->rec_total;
	done = nmp->rec_done;
	if (nmp->rec_state != LSC_R_NONE && nmp->rec_start) {
		end = nmp->rec_end ? nmp->rec_end : jiffies;
		elapsed = jiffies_to_msecs(end - nmp->rec_start) / 1000;
		if (total)
			pct = min_t(u64, 100, done * 100 / total);
		else if (nmp->rec_state == LSC_R_DONE)
			pct = 100;
		if (!nmp->rec_end && done && total > done)
			remaining = div64_u64(elapsed * (total - done), done);
	}
	spin_unlock_irq(&nmp->lock);
	seq_printf(m, "NMP%d bound=%d port=%s peerport=%s conn=%s act=%s state=%s color=%s "
		   "dirty=%llu chunks=%llu diskerr=%d recovery=%s pct=%llu elapsed=%llu "
		   "remaining=%llu gen=%llu peergen=%llu lastupdate=%llu breaktime=%llu "
		   "rdone=%llu rtotal=%llu\n",
		   nmp->idx, nmp->bound, nmp->port_open ? "open" : "closed",
		   peer == 1 ? "open" : peer == 0 ? "closed" : "unknown",
		   lsc_conn_names[nmp->conn], atomic_read(&nmp->io_count) ? "io" : "idle",
		   lsc_state_name(state), nmp->bound ? lsc_color(nmp) : "--",
		   nmp->bound ? nmp->bm.count : 0, nmp->bound ? nmp->bm.nbits : 0,
		   !!(nmp->meta.flags & LSC_MF_DISKERR), lsc_rec_names[nmp->rec_state],
		   pct, elapsed, remaining, nmp->meta.gen, nmp->meta.peer_gen,
		   nmp->meta.last_update, nmp->meta.break_time, done, total);
}

static int lsc_stat_show(struct seq_file *m, void *v)
{
	unsigned int i;

	for (i = 0; i < lsc_nmp_count; i++)
		lsc_stat_one(m, &lsc_nmps[i]);
	return 0;
}

/* /proc/liscal/stats: per NMP, counts and microsecond sums of each stage
 * of the write path (README §1.5); cumulative, readers diff two reads */
static const char *const lsc_stage_names[LSC_T_NR] = {
	[LSC_T_QUEUE] = "queue", [LSC_T_SEND] = "send", [LSC_T_LOCAL] = "local",
	[LSC_T_PEER] = "peer", [LSC_T_TOTAL] = "total", [LSC_T_RX_PAYLOAD] = "rxpayload",
	[LSC_T_RX_WRITE] = "rxwrite", [LSC_T_RX_ACK] = "rxack",
};

static int lsc_stats_show(struct seq_file *m, void *v)
{
	struct lsc_stats st;
	unsigned int i;
	int t;

	for (i = 0; i < lsc_nmp_count; i++) {
		struct lsc_nmp *nmp = &lsc_nmps[i];

		spin_lock_irq(&nmp->lock);
		st = nmp->st;
		spin_unlock_irq(&nmp->lock);
		seq_printf(m, "NMP%d fast=%llu queued=%llu intent=%llu meta=%llu noflush=%llu recflush=%llu",
			   nmp->idx, st.fast, st.queued, st.intent, st.meta, st.noflush, st.recflush);
		for (t = 0; t < LSC_T_NR; t++)
			seq_printf(m, " %s=%llu/%llu", lsc_stage_names[t], st.n[t],
				   div_u64(st.ns[t], 1000));
		seq_putc(m, '\n');
	}
	return 0;
}

int lsc_proc_init(void)
{
	lsc_proc_dir = proc_mkdir("liscal", NULL);
	if (!lsc_proc_dir || !proc_create("ctl", 0200, lsc_proc_dir, &lsc_ctl_ops)) {
		lsc_err("Unable to set liscallinner proc entry.");
		goto fail;
	}
	if (!proc_create_single("stats", 0444, lsc_proc_dir, lsc_stats_show)) {
		lsc_err("Unable to set liscallinner proc entry.");
		goto fail;
	}
	if (!proc_create_single("liscalstat", 0444, NULL, lsc_stat_show)) {
		lsc_err("Unable to set liscalstat proc entry.");
		goto fail;
	}
	return 0;
fail:
	remove_proc_subtree("liscal", NULL);
	return -ENOMEM;
}

void lsc_proc_exit(void)
{
	remove_proc_entry("liscalstat", NULL);
	remove_proc_subtree("liscal", NULL);
}
