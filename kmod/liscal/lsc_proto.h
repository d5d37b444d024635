/* SPDX-License-Identifier: GPL-2.0 */
/* Peer protocol codec: 32-byte header + payload, CRC32C over both. */
#ifndef LSC_PROTO_H
#define LSC_PROTO_H
#include "lsc_types.h"

#define LSC_MAGIC	0x4C43534Cu	/* "LSCL" */
#define LSC_VERSION	1
#define LSC_HDR_LEN	32
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

/* fills h->crc over the encoded header bytes 0..27 and the payload */
void lsc_frame_encode(struct lsc_hdr *h, const void *payload, u8 out[LSC_HDR_LEN]);
/* checks magic, version, command and length; returns enum lsc_err */
int lsc_hdr_decode(const u8 in[LSC_HDR_LEN], struct lsc_hdr *h);
/* checks the CRC once the payload is read; returns LSC_OK or LSC_ECRC */
int lsc_frame_verify(const u8 in[LSC_HDR_LEN], const struct lsc_hdr *h,
		     const void *payload);
/* CRC over a payload delivered in pieces: start with lsc_crc_begin(hdr) */
u32 lsc_crc_begin(const u8 in[LSC_HDR_LEN]);

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
