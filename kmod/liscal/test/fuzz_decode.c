// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the decoders take any bytes without reading out of
 * bounds, and whatever they accept re-encodes to the same bytes. */
#include <stdlib.h>
#include "lsc_meta.h"
#include "lsc_proto.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

/* the checks of a decoded header's fields against this side's limits: any
 * sector and length, a few disk sizes; nothing outside the disk or the
 * bitmap buffer is accepted */
static void lsc_fuzz_ranges(const struct lsc_hdr *h)
{
	const u64 disk = 1u << 21;

	if ((h->cmd == LSC_WRITE || h->cmd == LSC_RDATA) && h->len &&
	    lsc_hdr_check_range(h, disk, 65536) == LSC_OK &&
	    (h->sector > disk || (h->len >> 9) > disk - h->sector))
		abort();
	lsc_hdr_check_range(h, ~0ull, 65536);
	lsc_hdr_check_range(h, 0, 65536);
	if (lsc_bitmap_piece(h, 4096) > 4096 - (h->sector < 4096 ? h->sector : 4096))
		abort();
}

/* a link trailer against a tag and an expected number from the input:
 * accepted only when the MAC is equal and the number the expected one */
static void lsc_fuzz_link(const u8 *data, size_t size)
{
	u64 expect;
	int r;

	if (size < LSC_LTRL_LEN + LSC_TAG_LEN + 8)
		return;
	expect = lsc_get64(data + LSC_LTRL_LEN + LSC_TAG_LEN);
	r = lsc_ltrl_check(data, data + LSC_LTRL_LEN, expect);
	if ((r == LSC_EMAC) != !!memcmp(data + 8, data + LSC_LTRL_LEN, LSC_TAG_LEN))
		abort();
	if (r == LSC_OK && lsc_ltrl_seq(data) != expect)
		abort();
	if ((r == LSC_EREPLAY && lsc_ltrl_seq(data) >= expect) ||
	    (r == LSC_EGAP && lsc_ltrl_seq(data) <= expect))
		abort();
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct lsc_hdr h;
	struct lsc_state s;
	struct lsc_meta m;
	u8 again[LSC_META_LEN > LSC_HDR_LEN ? LSC_META_LEN : LSC_HDR_LEN];

	if (size >= LSC_HDR_LEN) {
		/* random bytes rarely carry a right header CRC: decode once more with
		 * the CRC made right, so the field checks behind it get fuzzed too */
		memcpy(again, data, LSC_HDR_LEN);
		lsc_hdr_reseal(again);
		if (lsc_hdr_decode(again, &h) == LSC_OK)
			lsc_fuzz_ranges(&h);
	}
	if (size >= LSC_HDR_LEN && lsc_hdr_decode(data, &h) == LSC_OK) {
		size_t have = size - LSC_HDR_LEN;
		const u8 *payload = data + LSC_HDR_LEN;

		struct lsc_hdr e = h;

		lsc_fuzz_ranges(&h);
		lsc_frame_encode(&e, again);
		if (memcmp(again, data, LSC_HDR_LEN))
			abort();	/* an accepted header must re-encode identically */
		if (h.len && h.len + LSC_TRL_LEN <= have &&
		    lsc_frame_verify(&h, payload, payload + h.len) == LSC_OK) {
			lsc_trailer_encode(&h, payload, again);
			if (memcmp(again, payload + h.len, LSC_TRL_LEN))
				abort();
			if (h.cmd == LSC_STATE)
				lsc_state_decode(payload, h.len, &s);
		}
	}
	if (size >= LSC_META_LEN && lsc_meta_decode(data, &m) == LSC_OK) {
		lsc_meta_encode(&m, again);
		if (memcmp(again, data, LSC_META_LEN))
			abort();
	}
	lsc_state_decode(data, size, &s);
	lsc_fuzz_link(data, size);
	return 0;
}
