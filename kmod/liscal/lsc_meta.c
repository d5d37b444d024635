// SPDX-License-Identifier: GPL-2.0
#include "lsc_meta.h"
#include "lsc_bitmap.h"

void lsc_meta_encode(const struct lsc_meta *m, u8 out[LSC_META_LEN])
{
	lsc_put32(out, LSC_META_MAGIC);
	lsc_put32(out + 4, LSC_META_VERSION);
	lsc_put32(out + 8, m->chunk_shift);
	lsc_put32(out + 12, m->flags);
	lsc_put64(out + 16, m->chunks);
	lsc_put64(out + 24, m->sectors);
	lsc_put64(out + 32, m->gen);
	lsc_put64(out + 40, m->peer_gen);
	lsc_put64(out + 48, m->last_update);
	lsc_put64(out + 56, m->break_time);
	lsc_put32(out + 64, m->state);
	lsc_put32(out + 68, lsc_crc32c(0, out, 68));
}

int lsc_meta_decode(const u8 in[LSC_META_LEN], struct lsc_meta *m)
{
	m->magic = lsc_get32(in);
	if (m->magic != LSC_META_MAGIC)
		return LSC_EMAGIC;
	m->version = lsc_get32(in + 4);
	if (m->version != LSC_META_VERSION)
		return LSC_EVERSION;
	if (lsc_get32(in + 68) != lsc_crc32c(0, in, 68))
		return LSC_ECRC;
	m->chunk_shift = lsc_get32(in + 8);
	m->flags = lsc_get32(in + 12);
	m->chunks = lsc_get64(in + 16);
	m->sectors = lsc_get64(in + 24);
	m->gen = lsc_get64(in + 32);
	m->peer_gen = lsc_get64(in + 40);
	m->last_update = lsc_get64(in + 48);
	m->break_time = lsc_get64(in + 56);
	m->state = lsc_get32(in + 64);
	if (m->chunk_shift != LSC_CHUNK_SHIFT || m->state > LSC_S_RECOVERING)
		return LSC_ERANGE;
	if (m->chunks != lsc_chunks_for(m->sectors))
		return LSC_ERANGE;
	return LSC_OK;
}

u64 lsc_meta_cp_bytes(u64 chunks)
{
	u64 n = LSC_META_BM_OFF + lsc_bm_bytes(chunks);

	return (n + 4095) & ~(u64)4095;
}
