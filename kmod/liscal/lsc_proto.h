/* SPDX-License-Identifier: GPL-2.0 */
/* Peer protocol codec: 32-byte header with its own CRC32C, then the payload
 * and a 4-byte trailer, the payload's CRC32C (seeded with the header's CRC).
 * The trailer lets the sender checksum each page just before it leaves. */
#ifndef LSC_PROTO_H
#define LSC_PROTO_H
#include "lsc_types.h"

#define LSC_MAGIC	0x4C43534Cu	/* "LSCL" */
#define LSC_VERSION	2
#define LSC_HDR_LEN	32
#define LSC_TRL_LEN	4	/* after a non-empty payload */
#define LSC_MAX_PAYLOAD	(1u << 20)
#define LSC_NONCE_LEN	32
#define LSC_MAC_LEN	32

enum lsc_cmd {
	LSC_HELLO = 1,	/* payload: 32-byte challenge */
	LSC_AUTH,	/* payload: HMAC-SHA256(key, peer challenge || own challenge) */
	LSC_STATE,	/* payload: struct lsc_state */
	LSC_WRITE,	/* sector, payload = data, flags PREFLUSH/FUA */
	LSC_ACK,	/* seq of the WRITE/RDATA, sector = 0 ok / 1 failed */
	LSC_RDATA,	/* recovery data for sector */
	LSC_RACK,	/* reserved: recovery acks use LSC_ACK */
	LSC_RDONE,	/* recovery finished (sector = 1 if complete) */
	LSC_PING,
	LSC_PONG,
	LSC_BITMAP,	/* payload: a piece of the bitmap, sector = byte offset */
	LSC_CMD_END
};

#define LSC_F_PREFLUSH	0x01
#define LSC_F_FUA	0x02

struct lsc_hdr {
	u32 magic;
	u8 version;
	u8 flags;
	u16 cmd;
	u64 seq;
	u64 sector;
	u32 len;
	u32 crc;
};

/* CRC32C of the header bytes 0..27 (what its CRC field holds) */
u32 lsc_hdr_crc(const u8 in[LSC_HDR_LEN]);
/* the CRC field made right again after bytes 0..27 changed (fault injection, tests) */
void lsc_hdr_reseal(u8 out[LSC_HDR_LEN]);
/* sets magic, version and h->crc (over the encoded bytes 0..27) */
void lsc_frame_encode(struct lsc_hdr *h, u8 out[LSC_HDR_LEN]);
/* checks magic, version, header CRC, command and length, in this order;
 * returns enum lsc_err */
int lsc_hdr_decode(const u8 in[LSC_HDR_LEN], struct lsc_hdr *h);
/* payload CRC in pieces: crc = lsc_crc_begin(h), then lsc_crc32c(crc, ...) */
static inline u32 lsc_crc_begin(const struct lsc_hdr *h) { return h->crc; }
/* the trailer of a whole payload */
void lsc_trailer_encode(const struct lsc_hdr *h, const void *payload, u8 out[LSC_TRL_LEN]);
/* a received trailer against the payload's CRC; LSC_OK or LSC_ECRC */
int lsc_trailer_check(u32 crc, const u8 in[LSC_TRL_LEN]);
/* the payload against its trailer; LSC_OK or LSC_ECRC */
int lsc_frame_verify(const struct lsc_hdr *h, const void *payload, const u8 in[LSC_TRL_LEN]);

/* Checks of a decoded frame's fields against this side's limits, all the
 * peer can get wrong beyond lsc_hdr_decode (the fuzz target covers them):
 * a WRITE (with a payload) or RDATA must lie within the data partition of
 * `sectors` sectors, without overflow for a sector near 2^64; an RDATA
 * carries 1..max_rdata bytes. LSC_OK or LSC_ERANGE. */
int lsc_hdr_check_range(const struct lsc_hdr *h, u64 sectors, u32 max_rdata);
/* a BITMAP piece: how many of its bytes fall inside a bitmap buffer of
 * `bytes` bytes (the rest, a larger peer's, is ignored) */
u32 lsc_bitmap_piece(const struct lsc_hdr *h, u64 bytes);

#define LSC_STATE_LEN 32
struct lsc_state {
	u8 port_open;
	u8 state;
	u16 pad;
	u32 chunk_shift;
	u64 gen;
	u64 dirty;
	u64 chunks;
};
void lsc_state_encode(const struct lsc_state *s, u8 out[LSC_STATE_LEN]);
int lsc_state_decode(const u8 *in, u32 len, struct lsc_state *s);
#endif
