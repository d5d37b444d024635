// SPDX-License-Identifier: GPL-2.0
/* The 250 ms tick of a bound NMP: the time-driven decisions (an ack or the
 * link silent too long is a break, a detached NMP's port closes: both by
 * liscal_state.c), keepalive, lazy bitmap clearing in SYNC, metadata flush. */
#include "liscal.h"

/* every 250 ms while bound: ack timeouts, keepalive, lazy bitmap clearing
 * in SYNC, metadata flush, detach after a disk error */
void lsc_tick_fn(struct work_struct *work)
{
	struct lsc_nmp *nmp = container_of(to_delayed_work(work), struct lsc_nmp, tick);
	unsigned long tmo = msecs_to_jiffies(lsc_ack_timeout_ms);
	struct lsc_wctx *w;
	bool late = false, clear;

	lsc_detach_port(nmp);
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
