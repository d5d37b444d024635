// SPDX-License-Identifier: GPL-2.0
#include "lsc_proto.h"

static void lsc_hdr_put(const struct lsc_hdr *h, u8 *out)
{
	lsc_put32(out, h->magic);
	out[4] = h->version;
	out[5] = h->flags;
	lsc_put16(out + 6, h->cmd);
	lsc_put64(out + 8, h->seq);
	lsc_put64(out + 16, h->sector);
	lsc_put32(out + 24, h->len);
}

u32 lsc_crc_begin(const u8 in[LSC_HDR_LEN])
{
	return lsc_crc32c(0, in, 28);
}

void lsc_frame_encode(struct lsc_hdr *h, const void *payload, u8 out[LSC_HDR_LEN])
{
	u32 crc;

	h->magic = LSC_MAGIC;
	h->version = LSC_VERSION;
	lsc_hdr_put(h, out);
	crc = lsc_crc_begin(out);
	if (h->len && payload)
		crc = lsc_crc32c(crc, payload, h->len);
	h->crc = crc;
	lsc_put32(out + 28, crc);
}

int lsc_hdr_decode(const u8 in[LSC_HDR_LEN], struct lsc_hdr *h)
{
	h->magic = lsc_get32(in);
	h->version = in[4];
	h->flags = in[5];
	h->cmd = lsc_get16(in + 6);
	h->seq = lsc_get64(in + 8);
	h->sector = lsc_get64(in + 16);
	h->len = lsc_get32(in + 24);
	h->crc = lsc_get32(in + 28);
	if (h->magic != LSC_MAGIC)
		return LSC_EMAGIC;
	if (h->version != LSC_VERSION)
		return LSC_EVERSION;
	if (h->cmd < LSC_HELLO || h->cmd >= LSC_CMD_END)
		return LSC_ECMD;
	if (h->len > LSC_MAX_PAYLOAD || (h->flags & ~(LSC_F_PREFLUSH | LSC_F_FUA)))
		return LSC_ELEN;
	if ((h->cmd == LSC_WRITE || h->cmd == LSC_RDATA) && (h->len % 512))
		return LSC_ELEN;
	if ((h->cmd == LSC_HELLO || h->cmd == LSC_AUTH) && h->len != LSC_NONCE_LEN)
		return LSC_ELEN;
	if (h->cmd == LSC_STATE && h->len != LSC_STATE_LEN)
		return LSC_ELEN;
	return LSC_OK;
}

int lsc_frame_verify(const u8 in[LSC_HDR_LEN], const struct lsc_hdr *h,
		     const void *payload)
{
	u32 crc = lsc_crc_begin(in);

	if (h->len)
		crc = lsc_crc32c(crc, payload, h->len);
	return crc == h->crc ? LSC_OK : LSC_ECRC;
}

void lsc_state_encode(const struct lsc_state *s, u8 out[LSC_STATE_LEN])
{
	out[0] = s->port_open;
	out[1] = s->state;
	lsc_put16(out + 2, 0);
	lsc_put32(out + 4, s->chunk_shift);
	lsc_put64(out + 8, s->gen);
	lsc_put64(out + 16, s->dirty);
	lsc_put64(out + 24, s->chunks);
}

int lsc_state_decode(const u8 *in, u32 len, struct lsc_state *s)
{
	if (len != LSC_STATE_LEN)
		return LSC_ELEN;
	s->port_open = in[0];
	s->state = in[1];
	s->pad = 0;
	s->chunk_shift = lsc_get32(in + 4);
	s->gen = lsc_get64(in + 8);
	s->dirty = lsc_get64(in + 16);
	s->chunks = lsc_get64(in + 24);
	if (s->port_open > 1 || s->state > 4)
		return LSC_ERANGE;
	return LSC_OK;
}
