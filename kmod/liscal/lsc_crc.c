// SPDX-License-Identifier: GPL-2.0
/* CRC32C: in the kernel the library's crc32c() (hardware instruction when the
 * CPU has one); in user space a table built on first use. Same results:
 * checked at module load and by the unit tests. */
#include "lsc_types.h"

#ifdef __KERNEL__
#include <linux/crc32c.h>

/* start with crc = 0; chaining: pass the previous result */
u32 lsc_crc32c(u32 crc, const void *buf, size_t len)
{
	return ~crc32c(~crc, buf, len);
}
#else

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
#endif
