// SPDX-License-Identifier: GPL-2.0
#include "lsc_bitmap.h"

static u8 lsc_popcount8(u8 v)
{
	u8 c = 0;

	for (; v; v &= v - 1)
		c++;
	return c;
}

/* bits past nbits in the last byte are kept zero */
static void lsc_bm_trim(struct lsc_bitmap *bm)
{
	if (bm->nbits % 8)
		bm->bits[bm->nbits / 8] &= (u8)((1u << (bm->nbits % 8)) - 1);
}

void lsc_bm_init(struct lsc_bitmap *bm, u8 *bits, u64 nbits)
{
	bm->bits = bits;
	bm->nbits = nbits;
	if (nbits)
		lsc_bm_trim(bm);
	lsc_bm_recount(bm);
}

int lsc_bm_test(const struct lsc_bitmap *bm, u64 n)
{
	if (n >= bm->nbits)
		return 0;
	return (bm->bits[n / 8] >> (n % 8)) & 1;
}

int lsc_bm_set(struct lsc_bitmap *bm, u64 n)
{
	if (n >= bm->nbits || lsc_bm_test(bm, n))
		return 0;
	bm->bits[n / 8] |= (u8)(1u << (n % 8));
	bm->count++;
	return 1;
}

int lsc_bm_clear(struct lsc_bitmap *bm, u64 n)
{
	if (!lsc_bm_test(bm, n))
		return 0;
	bm->bits[n / 8] &= (u8)~(1u << (n % 8));
	bm->count--;
	return 1;
}

void lsc_bm_fill(struct lsc_bitmap *bm)
{
	memset(bm->bits, 0xff, lsc_bm_bytes(bm->nbits));
	if (bm->nbits)
		lsc_bm_trim(bm);
	bm->count = bm->nbits;
}

void lsc_bm_zero(struct lsc_bitmap *bm)
{
	memset(bm->bits, 0, lsc_bm_bytes(bm->nbits));
	bm->count = 0;
}

u64 lsc_bm_recount(struct lsc_bitmap *bm)
{
	u64 i, c = 0, n = lsc_bm_bytes(bm->nbits);

	for (i = 0; i < n; i++)
		c += lsc_popcount8(bm->bits[i]);
	bm->count = c;
	return c;
}

u64 lsc_bm_next(const struct lsc_bitmap *bm, u64 from)
{
	u64 n = from;

	while (n < bm->nbits) {
		if ((n % 8) == 0 && bm->bits[n / 8] == 0) {
			n += 8;
			continue;
		}
		if (lsc_bm_test(bm, n))
			return n;
		n++;
	}
	return bm->nbits;
}

void lsc_bm_or(struct lsc_bitmap *bm, const u8 *other)
{
	u64 i, n = lsc_bm_bytes(bm->nbits);

	for (i = 0; i < n; i++)
		bm->bits[i] |= other[i];
	if (bm->nbits)
		lsc_bm_trim(bm);
	lsc_bm_recount(bm);
}
