// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the pure parts, in user space. Output is TAP. */
#include <stdio.h>
#include <stdlib.h>
#include "lsc_bitmap.h"
#include "lsc_meta.h"
#include "lsc_proto.h"

static int n_run, n_fail;

#define CHECK(cond, ...) do { \
	n_run++; \
	if (cond) { printf("ok %d - ", n_run); } \
	else { n_fail++; printf("not ok %d - (%s:%d) ", n_run, __FILE__, __LINE__); } \
	printf(__VA_ARGS__); printf("\n"); \
} while (0)

static void test_crc(void)
{
	/* the CRC-32C check value (RFC 3720 B.4) */
	CHECK(lsc_crc32c(0, "123456789", 9) == 0xE3069283u, "crc32c check value");
	CHECK(lsc_crc32c(lsc_crc32c(0, "1234", 4), "56789", 5) == 0xE3069283u, "crc32c chains");
	CHECK(lsc_crc32c(0, "", 0) == 0, "crc32c of nothing is 0");
}

static void test_bitmap(void)
{
	u8 bits[4] = { 0xff, 0xff, 0xff, 0xff }, other[4] = { 0 };
	struct lsc_bitmap bm;

	lsc_bm_init(&bm, bits, 27);
	CHECK(bits[3] == 0x07 && bm.count == 27, "init trims bits past nbits (count %llu)",
	      (unsigned long long)bm.count);
	lsc_bm_zero(&bm);
	CHECK(bm.count == 0 && !bits[0] && !bits[3], "zero");
	CHECK(lsc_bm_set(&bm, 0) == 1 && lsc_bm_set(&bm, 0) == 0, "set reports new bits only");
	CHECK(lsc_bm_set(&bm, 26) == 1 && bits[3] == 0x04, "bit i of byte b is chunk 8b+i");
	CHECK(lsc_bm_set(&bm, 27) == 0 && lsc_bm_test(&bm, 27) == 0, "out of range ignored");
	CHECK(bm.count == 2, "count follows");
	CHECK(lsc_bm_next(&bm, 0) == 0 && lsc_bm_next(&bm, 1) == 26 && lsc_bm_next(&bm, 27) == 27,
	      "next");
	CHECK(lsc_bm_clear(&bm, 26) == 1 && lsc_bm_clear(&bm, 26) == 0 && bm.count == 1, "clear");
	other[1] = 0x81;
	other[3] = 0xff;
	lsc_bm_or(&bm, other);
	CHECK(bm.count == 6 && bits[3] == 0x07, "or, trimmed (count %llu)", (unsigned long long)bm.count);
	lsc_bm_fill(&bm);
	CHECK(bm.count == 27 && lsc_bm_recount(&bm) == 27 && bits[3] == 0x07, "fill");
	CHECK(lsc_bm_next(&bm, 5) == 5, "next on a full map");
	lsc_bm_init(&bm, bits, 0);
	CHECK(bm.count == 0 && lsc_bm_next(&bm, 0) == 0, "empty map");
}

static void test_sizes(void)
{
	CHECK(lsc_chunks_for(0) == 0 && lsc_chunks_for(1) == 1 && lsc_chunks_for(128) == 1 &&
	      lsc_chunks_for(129) == 2, "chunks_for rounds up (64 KiB chunks)");
	CHECK(lsc_chunks_for(1ull << 21) == 16384, "1 GiB = 16384 chunks");
	CHECK(lsc_meta_cp_bytes(16384) == 8192, "1 GiB needs 8 KiB of cluster partition");
	CHECK(lsc_meta_cp_bytes(1) == 8192, "bitmap rounded to 4 KiB");
	CHECK(lsc_bm_block_of(32767) == 0 && lsc_bm_block_of(32768) == 1, "bitmap block of a chunk");
}

static void test_meta(void)
{
	struct lsc_meta m = { .chunk_shift = LSC_CHUNK_SHIFT, .flags = LSC_MF_BMVALID,
			      .chunks = 1024, .sectors = 131072, .gen = 7, .peer_gen = 6,
			      .last_update = 1764030000, .break_time = 1764020000,
			      .state = LSC_S_BREAK }, d;
	u8 b[LSC_META_LEN];
	int i, bad = 0;

	lsc_meta_encode(&m, b);
	CHECK(lsc_get32(b) == 0x444D534C && b[0] == 'L' && b[3] == 'D', "magic LSMD on disk");
	CHECK(lsc_meta_decode(b, &d) == LSC_OK, "decode");
	CHECK(d.gen == 7 && d.peer_gen == 6 && d.last_update == 1764030000 &&
	      d.break_time == 1764020000 && d.state == LSC_S_BREAK && d.chunks == 1024 &&
	      d.sectors == 131072 && d.flags == LSC_MF_BMVALID, "round trip");
	for (i = 0; i < LSC_META_LEN * 8; i++) {
		b[i / 8] ^= 1 << (i % 8);
		bad += lsc_meta_decode(b, &d) == LSC_OK;
		b[i / 8] ^= 1 << (i % 8);
	}
	CHECK(bad == 0, "every single-bit flip is refused");
	m.state = 9;
	lsc_meta_encode(&m, b);
	CHECK(lsc_meta_decode(b, &d) == LSC_ERANGE, "bad state refused");
	m.state = LSC_S_SYNC;
	m.chunks = 1000;
	lsc_meta_encode(&m, b);
	CHECK(lsc_meta_decode(b, &d) == LSC_ERANGE, "chunks inconsistent with sectors refused");
}

static void test_proto(void)
{
	u8 payload[4096], hb[LSC_HDR_LEN], tr[LSC_TRL_LEN], st[LSC_STATE_LEN];
	struct lsc_hdr h = { .cmd = LSC_WRITE, .flags = LSC_F_FUA, .seq = 42, .sector = 2048,
			     .len = sizeof(payload) }, d;
	struct lsc_state s = { .port_open = 1, .state = LSC_S_SYNC, .chunk_shift = 7,
			       .gen = 3, .dirty = 5, .chunks = 1024 }, sd;
	u32 crc;
	int i, missed = 0;

	for (i = 0; i < (int)sizeof(payload); i++)
		payload[i] = i * 7;
	lsc_frame_encode(&h, hb);
	lsc_trailer_encode(&h, payload, tr);
	CHECK(lsc_hdr_decode(hb, &d) == LSC_OK && d.cmd == LSC_WRITE && d.seq == 42 &&
	      d.sector == 2048 && d.len == 4096 && d.flags == LSC_F_FUA, "header round trip");
	CHECK(lsc_frame_verify(&d, payload, tr) == LSC_OK, "trailer verifies");
	crc = lsc_crc_begin(&d);
	for (i = 0; i < (int)sizeof(payload); i += 1000)
		crc = lsc_crc32c(crc, payload + i, sizeof(payload) - i < 1000 ? sizeof(payload) - i : 1000);
	CHECK(lsc_trailer_check(crc, tr) == LSC_OK, "payload CRC taken in pieces verifies");
	payload[100] ^= 1;
	CHECK(lsc_frame_verify(&d, payload, tr) == LSC_ECRC, "payload bit flip caught");
	payload[100] ^= 1;
	tr[3] ^= 0x10;
	CHECK(lsc_frame_verify(&d, payload, tr) == LSC_ECRC, "trailer bit flip caught");
	tr[3] ^= 0x10;
	h.seq = 43;
	lsc_frame_encode(&h, hb);
	CHECK(lsc_hdr_decode(hb, &d) == LSC_OK && lsc_frame_verify(&d, payload, tr) == LSC_ECRC,
	      "a payload under another frame's header caught (trailer seeded by the header)");
	h.seq = 42;
	lsc_frame_encode(&h, hb);
	for (i = 0; i < LSC_HDR_LEN * 8; i++) {
		hb[i / 8] ^= 1 << (i % 8);
		if (lsc_hdr_decode(hb, &d) == LSC_OK)
			missed++;
		hb[i / 8] ^= 1 << (i % 8);
	}
	CHECK(missed == 0, "every header bit flip is caught by decode");
	hb[10] ^= 1;
	CHECK(lsc_hdr_decode(hb, &d) == LSC_ECRC, "header CRC mismatch");
	hb[10] ^= 1;

	hb[0] ^= 0xff;
	CHECK(lsc_hdr_decode(hb, &d) == LSC_EMAGIC, "wrong magic");
	hb[0] ^= 0xff;
	hb[4] = 1;
	CHECK(lsc_hdr_decode(hb, &d) == LSC_EVERSION, "wrong version (1: CRC over header and payload)");
	hb[4] = LSC_VERSION;
	lsc_put16(hb + 6, 99);
	lsc_hdr_reseal(hb);
	CHECK(lsc_hdr_decode(hb, &d) == LSC_ECMD && d.cmd == 99, "wrong command (99)");
	lsc_put16(hb + 6, 0);
	lsc_hdr_reseal(hb);
	CHECK(lsc_hdr_decode(hb, &d) == LSC_ECMD, "command 0");
	lsc_put16(hb + 6, LSC_WRITE);
	lsc_put32(hb + 24, LSC_MAX_PAYLOAD + 512);
	lsc_hdr_reseal(hb);
	CHECK(lsc_hdr_decode(hb, &d) == LSC_ELEN, "payload above 1 MiB");
	lsc_put32(hb + 24, 100);
	lsc_hdr_reseal(hb);
	CHECK(lsc_hdr_decode(hb, &d) == LSC_ELEN, "WRITE not in whole sectors");
	lsc_put32(hb + 24, 512);
	hb[5] = 0x80;
	lsc_hdr_reseal(hb);
	CHECK(lsc_hdr_decode(hb, &d) == LSC_ELEN, "unknown flag");

	h = (struct lsc_hdr){ .cmd = LSC_HELLO, .len = 32 };
	lsc_frame_encode(&h, hb);
	CHECK(lsc_hdr_decode(hb, &d) == LSC_ELEN, "HELLO must carry 64 bytes (nonce, proof)");
	h = (struct lsc_hdr){ .cmd = LSC_PING };
	lsc_frame_encode(&h, hb);
	CHECK(lsc_hdr_decode(hb, &d) == LSC_OK && d.len == 0, "empty frame");

	/* the fields against this side's limits (a data partition of 2048 sectors) */
	h = (struct lsc_hdr){ .cmd = LSC_WRITE, .sector = 2040, .len = 4096 };
	CHECK(lsc_hdr_check_range(&h, 2048, 65536) == LSC_OK, "WRITE ending at the last sector");
	h.sector = 2041;
	CHECK(lsc_hdr_check_range(&h, 2048, 65536) == LSC_ERANGE, "WRITE past the end");
	h.sector = ~0ull - 3;	/* sector + 8 wraps to 4: the old check passed it */
	CHECK(lsc_hdr_check_range(&h, 2048, 65536) == LSC_ERANGE, "WRITE at a sector near 2^64");
	h.sector = 2049;
	h.len = 0;
	CHECK(lsc_hdr_check_range(&h, 2048, 65536) == LSC_OK, "an empty WRITE (a flush) has no range");
	h = (struct lsc_hdr){ .cmd = LSC_RDATA, .sector = 0, .len = 0 };
	CHECK(lsc_hdr_check_range(&h, 2048, 65536) == LSC_ERANGE, "empty RDATA");
	h.len = 65536 + 512;
	CHECK(lsc_hdr_check_range(&h, 2048, 65536) == LSC_ERANGE, "RDATA above a chunk");
	h.len = 65536;
	h.sector = ~0ull - 100;
	CHECK(lsc_hdr_check_range(&h, 2048, 65536) == LSC_ERANGE, "RDATA at a sector near 2^64");
	h.sector = 2048 - 128;
	CHECK(lsc_hdr_check_range(&h, 2048, 65536) == LSC_OK, "RDATA of the last chunk");
	h = (struct lsc_hdr){ .cmd = LSC_BITMAP, .sector = 4000, .len = 200 };
	CHECK(lsc_bitmap_piece(&h, 4096) == 96, "BITMAP piece cut at the buffer's end");
	h.sector = ~0ull - 10;
	CHECK(lsc_bitmap_piece(&h, 4096) == 0, "BITMAP piece at an offset near 2^64");
	h.sector = 0;
	CHECK(lsc_bitmap_piece(&h, 4096) == 200, "BITMAP piece inside");

	lsc_state_encode(&s, st);
	CHECK(lsc_state_decode(st, sizeof(st), &sd) == LSC_OK && sd.port_open == 1 &&
	      sd.gen == 3 && sd.dirty == 5 && sd.chunks == 1024 && sd.chunk_shift == 7,
	      "state round trip");
	CHECK(lsc_state_decode(st, sizeof(st) - 1, &sd) == LSC_ELEN, "state length");
	st[0] = 2;
	CHECK(lsc_state_decode(st, sizeof(st), &sd) == LSC_ERANGE, "state port flag range");
}

/* a link frame's trailer and the handshake's transcript (the MAC itself is
 * the kernel's BLAKE2s: here any 16 bytes stand for it) */
static void test_link(void)
{
	u8 tag[LSC_TAG_LEN], tr[LSC_LTRL_LEN], a[LSC_TRANSCRIPT_LEN], b[LSC_TRANSCRIPT_LEN];
	const u8 d[6] = { 10, 0, 0, 1, 0x9c, 0x40 }, l[6] = { 10, 0, 0, 2, 0x71, 0x83 };
	u8 nd[LSC_NONCE_LEN], nl[LSC_NONCE_LEN], hb[LSC_HDR_LEN];
	struct lsc_hdr h = { .cmd = LSC_ACK, .seq = 9 }, dh;
	int i, missed = 0;

	for (i = 0; i < LSC_TAG_LEN; i++)
		tag[i] = 0xa0 + i;
	lsc_ltrl_encode(7, tag, tr);
	CHECK(lsc_ltrl_seq(tr) == 7 && !memcmp(tr + 8, tag, LSC_TAG_LEN),
	      "trailer: sequence number, then the MAC");
	CHECK(lsc_ltrl_check(tr, tag, 7) == LSC_OK, "the expected frame passes");
	CHECK(lsc_ltrl_check(tr, tag, 8) == LSC_EREPLAY, "a genuine frame seen before: replay");
	CHECK(lsc_ltrl_check(tr, tag, 6) == LSC_EGAP, "a genuine frame after a missing one: gap");
	for (i = 0; i < LSC_TAG_LEN * 8; i++) {
		tr[8 + i / 8] ^= 1 << (i % 8);
		if (lsc_ltrl_check(tr, tag, 7) != LSC_EMAC)
			missed++;
		tr[8 + i / 8] ^= 1 << (i % 8);
	}
	CHECK(missed == 0, "every MAC bit flip is refused as a MAC mismatch, before the number");
	tag[15] ^= 1;	/* a forged frame with the right number: still the MAC */
	CHECK(lsc_ltrl_check(tr, tag, 7) == LSC_EMAC, "wrong MAC, right number: MAC mismatch");
	CHECK(lsc_ltrl_check(tr, tag, 8) == LSC_EMAC, "wrong MAC, old number: MAC mismatch first");
	lsc_ltrl_encode(~0ull, tag, tr);
	CHECK(lsc_ltrl_seq(tr) == ~0ull && lsc_ltrl_check(tr, tag, ~0ull) == LSC_OK,
	      "64-bit numbers round trip");

	memset(nd, 0x11, sizeof(nd));
	memset(nl, 0x22, sizeof(nl));
	lsc_transcript(3, d, l, nd, nl, a);
	CHECK(!memcmp(a, "liscal v3", 9) && lsc_get32(a + 9) == 3 && !memcmp(a + 13, d, 6) &&
	      !memcmp(a + 19, l, 6) && a[25] == 0x11 && a[25 + LSC_NONCE_LEN] == 0x22 &&
	      LSC_TRANSCRIPT_LEN == 25 + 2 * LSC_NONCE_LEN,
	      "transcript: label, NMP, dialer, listener, dialer's nonce, listener's");
	lsc_transcript(4, d, l, nd, nl, b);
	CHECK(memcmp(a, b, sizeof(a)), "another NMP, another transcript");
	lsc_transcript(3, l, d, nd, nl, b);
	CHECK(memcmp(a, b, sizeof(a)), "ends swapped (a reflected connection), another transcript");
	lsc_transcript(3, d, l, nl, nd, b);
	CHECK(memcmp(a, b, sizeof(a)), "nonces swapped, another transcript");

	/* version 2 (CRC32C only) and version 3 refuse each other at the first header */
	lsc_frame_encode(&h, hb);
	CHECK(hb[4] == 3 && lsc_hdr_decode(hb, &dh) == LSC_OK, "this driver speaks version 3");
	hb[4] = 2;
	lsc_hdr_reseal(hb);
	CHECK(lsc_hdr_decode(hb, &dh) == LSC_EVERSION && dh.version == 2,
	      "a version 2 header is refused as such");
}

int main(void)
{
	test_crc();
	test_bitmap();
	test_sizes();
	test_meta();
	test_proto();
	test_link();
	printf("1..%d\n# %d passed, %d failed\n", n_run, n_run - n_fail, n_fail);
	return n_fail ? 1 : 0;
}
