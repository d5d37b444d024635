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

u32 lsc_hdr_crc(const u8 in[LSC_HDR_LEN])
{
	return lsc_crc32c(0, in, 28);
}

void lsc_hdr_reseal(u8 out[LSC_HDR_LEN])
{
	lsc_put32(out + 28, lsc_hdr_crc(out));
}

void lsc_frame_encode(struct lsc_hdr *h, u8 out[LSC_HDR_LEN])
{
	h->magic = LSC_MAGIC;
	h->version = LSC_VERSION;
	lsc_hdr_put(h, out);
	lsc_hdr_reseal(out);
	h->crc = lsc_get32(out + 28);
}

void lsc_trailer_encode(const struct lsc_hdr *h, const void *payload, u8 out[LSC_TRL_LEN])
{
	lsc_put32(out, lsc_crc32c(lsc_crc_begin(h), payload, h->len));
}

int lsc_trailer_check(u32 crc, const u8 in[LSC_TRL_LEN])
{
	return lsc_get32(in) == crc ? LSC_OK : LSC_ECRC;
}

int lsc_frame_verify(const struct lsc_hdr *h, const void *payload, const u8 in[LSC_TRL_LEN])
{
	return lsc_trailer_check(lsc_crc32c(lsc_crc_begin(h), payload, h->len), in);
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
	if (h->crc != lsc_hdr_crc(in))
		return LSC_ECRC;
	if (h->cmd < LSC_HELLO || h->cmd >= LSC_CMD_END)
		return LSC_ECMD;
	if (h->len > LSC_MAX_PAYLOAD || (h->flags & ~(LSC_F_PREFLUSH | LSC_F_FUA)))
		return LSC_ELEN;
	if ((h->cmd == LSC_WRITE || h->cmd == LSC_RDATA) && (h->len % 512))
		return LSC_ELEN;
	if (h->cmd == LSC_HELLO && h->len != LSC_HELLO_LEN)
		return LSC_ELEN;
	if (h->cmd == LSC_AUTH && h->len != LSC_MAC_LEN)
		return LSC_ELEN;
	if (h->cmd == LSC_STATE && h->len != LSC_STATE_LEN)
		return LSC_ELEN;
	return LSC_OK;
}

/* first..first + n sectors within 0..sectors, no overflow */
static int lsc_in_disk(u64 first, u64 n, u64 sectors)
{
	return first <= sectors && n <= sectors - first;
}

int lsc_hdr_check_range(const struct lsc_hdr *h, u64 sectors, u32 max_rdata)
{
	if (h->cmd != LSC_WRITE && h->cmd != LSC_RDATA)
		return LSC_OK;
	if (h->cmd == LSC_RDATA && (!h->len || h->len > max_rdata))
		return LSC_ERANGE;
	if (h->len && !lsc_in_disk(h->sector, h->len >> 9, sectors))
		return LSC_ERANGE;
	return LSC_OK;
}

u32 lsc_bitmap_piece(const struct lsc_hdr *h, u64 bytes)
{
	if (h->sector >= bytes)
		return 0;
	return bytes - h->sector < h->len ? (u32)(bytes - h->sector) : h->len;
}

void lsc_mac_head(u64 seq, const u8 hdr[LSC_HDR_LEN], u8 out[LSC_MAC_HEAD_LEN])
{
	lsc_put64(out, seq);
	memcpy(out + 8, hdr, LSC_HDR_LEN);
}

void lsc_ltrl_encode(u64 seq, const u8 tag[LSC_TAG_LEN], u8 out[LSC_LTRL_LEN])
{
	lsc_put64(out, seq);
	memcpy(out + 8, tag, LSC_TAG_LEN);
}

int lsc_ltrl_check(const u8 in[LSC_LTRL_LEN], const u8 tag[LSC_TAG_LEN], u64 expect)
{
	u8 d = 0;
	int i;

	for (i = 0; i < LSC_TAG_LEN; i++)	/* no early exit: constant time */
		d |= in[8 + i] ^ tag[i];
	if (d)
		return LSC_EMAC;
	if (lsc_ltrl_seq(in) < expect)
		return LSC_EREPLAY;
	if (lsc_ltrl_seq(in) > expect)
		return LSC_EGAP;
	return LSC_OK;
}

void lsc_transcript(u32 nmp, const u8 dialer[6], const u8 listener[6],
		    const u8 nonce_d[LSC_NONCE_LEN], const u8 nonce_l[LSC_NONCE_LEN],
		    u8 out[LSC_TRANSCRIPT_LEN])
{
	memcpy(out, "liscal v3", 9);
	lsc_put32(out + 9, nmp);
	memcpy(out + 13, dialer, 6);
	memcpy(out + 19, listener, 6);
	memcpy(out + 25, nonce_d, LSC_NONCE_LEN);
	memcpy(out + 25 + LSC_NONCE_LEN, nonce_l, LSC_NONCE_LEN);
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
