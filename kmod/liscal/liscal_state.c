// SPDX-License-Identifier: GPL-2.0
/* The one owner of an NMP's state, as drbd_state.c is for DRBD.
 *
 * Every change of meta.state goes through lsc_change_state() with its
 * reason: the reason's rule says what else the change records (a break
 * time, a new generation), the transition is logged and the metadata is
 * marked for the tick to persist (callers whose change must be durable
 * before they go on flush it themselves, as before).
 *
 * It is also the one place that acts on a failure: lsc_break() when the link
 * is lost or corrupted, lsc_disk_error() on a lower-device I/O error of the
 * data partition (reboot or detach), lsc_cp_error() on one of the cluster
 * partition, and lsc_detach_port() closes the port of a detached NMP (from
 * the tick, liscal_tick.c).
 *
 * This file calls only the leaves (liscal_al.c, liscal_send.c, liscal_req.c);
 * io, receive, recovery, connection, metadata and the tick call it, never
 * each other in a circle. */
#include <linux/module.h>
#include <linux/reboot.h>
#include <net/sock.h>
#include "liscal.h"

/* what a reason records besides the state */
#define LSC_SR_SYNC_BREAK 0x01	/* leaving SYNC is a break: break_time, gen++ */
#define LSC_SR_GEN	  0x02	/* gen++ */
#define LSC_SR_BTIME	  0x04	/* break_time := now */
#define LSC_SR_ALWAYS	  0x08	/* recorded even when the state does not change */
#define LSC_SR_QUIET	  0x10	/* nothing to persist: bind (just read or written), unbind */

static const struct {
	const char *name;
	unsigned int rules;
} lsc_why[LSC_WHY_NR] = {
	[LSC_WHY_BIND]		= { "bind", LSC_SR_QUIET },
	[LSC_WHY_UNBIND]	= { "unbind", LSC_SR_QUIET },
	[LSC_WHY_WRITE_ALONE]	= { "unmirrored write", LSC_SR_SYNC_BREAK },
	[LSC_WHY_OPEN_ALONE]	= { "opened while disconnected", LSC_SR_GEN | LSC_SR_BTIME },
	[LSC_WHY_LINK_LOST]	= { "link lost", LSC_SR_SYNC_BREAK },
	[LSC_WHY_PEER_BREAK]	= { "peer went on alone", LSC_SR_SYNC_BREAK },
	[LSC_WHY_REC_START]	= { "recovery source", 0 },
	[LSC_WHY_REC_TARGET]	= { "recovery target", 0 },
	[LSC_WHY_REC_DONE]	= { "recovery done", LSC_SR_GEN | LSC_SR_ALWAYS },
	[LSC_WHY_REC_STOPPED]	= { "recovery stopped", LSC_SR_SYNC_BREAK },
	[LSC_WHY_REC_PARTIAL]	= { "recovery incomplete", LSC_SR_ALWAYS },
	[LSC_WHY_FORCE_GREEN]	= { "force green", LSC_SR_GEN | LSC_SR_ALWAYS },
	[LSC_WHY_FORCE_RED]	= { "force red", LSC_SR_GEN | LSC_SR_ALWAYS },
	[LSC_WHY_FORCE_LATEST]	= { "force latest", LSC_SR_GEN | LSC_SR_BTIME | LSC_SR_ALWAYS },
};

static const char *const lsc_state_names[] = {
	[LSC_S_NONE] = "NONE", [LSC_S_SYNC] = "SYNC", [LSC_S_BREAK] = "BREAK",
	[LSC_S_STALE] = "STALE", [LSC_S_RECOVERING] = "RECOVERING",
};

const char *lsc_state_name(u32 state)
{
	return state < ARRAY_SIZE(lsc_state_names) ? lsc_state_names[state] : "?";
}

/* The single writer of meta.state (with nmp->lock held). Returns whether
 * anything was recorded. */
bool lsc_change_state(struct lsc_nmp *nmp, u32 state, enum lsc_why why)
{
	unsigned int rules = lsc_why[why].rules;
	u32 old = nmp->meta.state;
	bool brk;

	lockdep_assert_held(&nmp->lock);
	if (old == state && !(rules & LSC_SR_ALWAYS))
		return false;
	brk = (rules & LSC_SR_SYNC_BREAK) && old == LSC_S_SYNC && state != LSC_S_SYNC;
	if (brk || (rules & LSC_SR_BTIME))
		nmp->meta.break_time = lsc_now();
	if (brk || (rules & LSC_SR_GEN))
		nmp->meta.gen++;
	nmp->meta.state = state;
	if (!(rules & LSC_SR_QUIET))
		nmp->meta_dirty = true;
	if (old != state)
		lsc_info("NMP%d state %s -> %s (%s)", nmp->idx, lsc_state_name(old),
			 lsc_state_name(state), lsc_why[why].name);
	return true;
}

/* The peer's STATE frame (with nmp->lock held): a side whose port is closed
 * and which was SYNC learns here that the peer went on alone. */
void lsc_state_peer(struct lsc_nmp *nmp, const struct lsc_state *st)
{
	lockdep_assert_held(&nmp->lock);
	nmp->peer_port = st->port_open;
	nmp->meta.peer_gen = st->gen;
	if (st->state == LSC_S_BREAK && nmp->meta.state == LSC_S_SYNC && !nmp->port_open)
		lsc_change_state(nmp, LSC_S_STALE, LSC_WHY_PEER_BREAK);
	nmp->meta_dirty = true;
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

		lsc_change_state(nmp, source ? LSC_S_BREAK : LSC_S_STALE, LSC_WHY_LINK_LOST);
	} else if (nmp->meta.state == LSC_S_SYNC &&
		   (nmp->bm.count || !list_empty(&nmp->pending))) {
		/* writes not known on the peer */
		lsc_change_state(nmp, LSC_S_BREAK, LSC_WHY_LINK_LOST);
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

/* lower-device I/O error: the seed reboots; detach mode closes the port
 * (the tick does, see below) and persists the disk error flag */
void lsc_disk_error(struct lsc_nmp *nmp, sector_t sector)
{
	unsigned long flags;

	lsc_err("NMP%d disk I/O error.", nmp->idx);
	lsc_err("warning!! NMP%d disk I/O error,system will reboot.", nmp->idx);
	if (nmp->err_action == LSC_EA_REBOOT) {
		emergency_restart();
		return;
	}
	spin_lock_irqsave(&nmp->lock, flags);
	nmp->detached = true;
	nmp->meta.flags |= LSC_MF_DISKERR;
	nmp->meta_dirty = true;
	spin_unlock_irqrestore(&nmp->lock, flags);
}

/* a write to the cluster partition failed: the flag is recorded (and shown
 * as diskerr=1), the NMP goes on */
void lsc_cp_error(struct lsc_nmp *nmp)
{
	lsc_err("bitmap data write error, so set disk_err TRUE.");
	spin_lock_irq(&nmp->lock);
	nmp->meta.flags |= LSC_MF_DISKERR;
	nmp->meta_dirty = true;
	spin_unlock_irq(&nmp->lock);
}

/* detach mode, after lsc_disk_error(): the port closes (not from the error's
 * context, an endio: the tick calls this) */
void lsc_detach_port(struct lsc_nmp *nmp)
{
	if (!nmp->detached || !nmp->port_open || !mutex_trylock(&nmp->ctl))
		return;
	if (nmp->port_open) {
		nmp->port_open = false;
		module_put(THIS_MODULE);
		lsc_info("NMP%d close I/O port OK.", nmp->idx);
	}
	mutex_unlock(&nmp->ctl);
}
