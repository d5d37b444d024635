// SPDX-License-Identifier: GPL-2.0
/* CRC32C, slicing-by-1 table built on first use; pure (no kernel includes). */
#include "lsc_types.h"

static u32 lsc_crc_table[256];
static int lsc_crc_ready;

static void lsc_crc_init(void)
{
	u32 i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
		lsc_crc_table[i] = c;
	}
	lsc_crc_ready = 1;
}

/* start with crc = 0; chaining: pass the previous result */
u32 lsc_crc32c(u32 crc, const void *buf, size_t len)
{
	const u8 *p = buf;

	if (!lsc_crc_ready)
		lsc_crc_init();
	crc = ~crc;
	while (len--)
		crc = lsc_crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}
