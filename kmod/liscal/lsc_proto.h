/* SPDX-License-Identifier: GPL-2.0 */
/* Peer protocol codec. Every frame: a 32-byte header with its own CRC32C
 * (framing: the length is sane before a payload is read), the payload, a
 * trailer. The handshake's frames (HELLO, AUTH) carry a 4-byte trailer, the
 * payload's CRC32C seeded with the header's CRC. Once the link is up, every
 * frame carries a 24-byte trailer: its 64-bit link sequence number (per
 * direction, from 0) and a 16-byte MAC, keyed BLAKE2s over
 * seq || header || payload with the direction's session key (liscal_conn.c).
 * The trailer lets the sender MAC each page just before it leaves. */
#ifndef LSC_PROTO_H
#define LSC_PROTO_H
#include "lsc_types.h"

#define LSC_MAGIC	0x4C43534Cu	/* "LSCL" */
#define LSC_VERSION	3	/* 2: no per-frame MAC */
#define LSC_HDR_LEN	32
#define LSC_TRL_LEN	4	/* handshake frames: after a non-empty payload */
#define LSC_TAG_LEN	16	/* a link frame's MAC */
#define LSC_LTRL_LEN	(8 + LSC_TAG_LEN)	/* link frames: seq, MAC; always */
#define LSC_MAC_HEAD_LEN (8 + LSC_HDR_LEN)	/* what a MAC covers before the payload */
#define LSC_SKEY_LEN	32	/* a direction's session key */
#define LSC_MAX_PAYLOAD	(1u << 20)
#define LSC_NONCE_LEN	32
#define LSC_MAC_LEN	32
#define LSC_HELLO_LEN	(LSC_NONCE_LEN + LSC_MAC_LEN)

enum lsc_cmd {
	LSC_HELLO = 1,	/* payload: nonce, its proof (liscal_conn.c); sector = the NMP */
	LSC_AUTH,	/* payload: HMAC-SHA256(key, transcript || role), liscal_conn.c */
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

/* A link frame's MAC input starts with these 40 bytes: the sequence number
 * and the header as sent; the payload follows. */
void lsc_mac_head(u64 seq, const u8 hdr[LSC_HDR_LEN], u8 out[LSC_MAC_HEAD_LEN]);
void lsc_ltrl_encode(u64 seq, const u8 tag[LSC_TAG_LEN], u8 out[LSC_LTRL_LEN]);
/* the sequence number a received trailer claims (trusted once its MAC matched) */
static inline u64 lsc_ltrl_seq(const u8 in[LSC_LTRL_LEN]) { return lsc_get64(in); }
/* A received trailer against the MAC computed over what arrived (with the
 * trailer's seq) and the next sequence number expected: the MAC first
 * (constant time; LSC_EMAC), then the number (LSC_EREPLAY below it,
 * LSC_EGAP above it), LSC_OK when both hold. */
int lsc_ltrl_check(const u8 in[LSC_LTRL_LEN], const u8 tag[LSC_TAG_LEN], u64 expect);

/* The handshake transcript both sides derive the session from: "liscal v3",
 * the NMP number, the dialer's and the listener's IPv4 address and port (as
 * on the wire, 6 bytes each), the dialer's nonce, the listener's. */
#define LSC_TRANSCRIPT_LEN (9 + 4 + 6 + 6 + 2 * LSC_NONCE_LEN)
void lsc_transcript(u32 nmp, const u8 dialer[6], const u8 listener[6],
		    const u8 nonce_d[LSC_NONCE_LEN], const u8 nonce_l[LSC_NONCE_LEN],
		    u8 out[LSC_TRANSCRIPT_LEN]);

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
