// SPDX-License-Identifier: GPL-2.0
/* CRC32C: in the kernel the library's crc32c() (hardware instruction when the
 * CPU has one) or the kernel's tables, whichever is faster here; in user
 * space a table built on first use. Same results: checked at module load and
 * by the unit tests. */
#include "lsc_types.h"

#ifdef __KERNEL__
#include <linux/crc32.h>
#include <linux/crc32c.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/string.h>

/* Two implementations, the faster one picked at load (as the kernel's xor and
 * raid6 code pick theirs): the library's crc32c() runs the CPU's instruction
 * when a driver for it is loaded (crc32c-intel), __crc32c_le() the kernel's
 * slice-by-8 tables. On hardware the instruction wins several times over;
 * under an emulated CPU (qemu TCG emulates crc32 bit by bit) the tables win
 * about 4x, and CRC32C is on every mirrored byte's path on both sides. */
static bool lsc_crc_table;
static u32 lsc_crc_sink;

static u32 lsc_crc_lib(u32 crc, const void *buf, size_t len)
{
	return crc32c(crc, buf, len);
}

static u32 lsc_crc_tab(u32 crc, const void *buf, size_t len)
{
	return __crc32c_le(crc, buf, len);
}

/* start with crc = 0; chaining: pass the previous result */
u32 lsc_crc32c(u32 crc, const void *buf, size_t len)
{
	crc = ~crc;
	crc = lsc_crc_table ? lsc_crc_tab(crc, buf, len) : lsc_crc_lib(crc, buf, len);
	return ~crc;
}

#define LSC_CRC_PROBE (16 * 1024)

/* the best of a few passes over buf, in ns per MiB */
static u64 lsc_crc_time(u32 (*fn)(u32, const void *, size_t), const u8 *buf)
{
	u64 best = U64_MAX, t;
	u32 sum = 0;
	int i;

	for (i = 0; i < 5; i++) {
		t = ktime_get_ns();
		sum += fn(i, buf, LSC_CRC_PROBE);
		t = ktime_get_ns() - t;
		best = min(best, t);
	}
	WRITE_ONCE(lsc_crc_sink, sum);	/* the calls are __pure: keep them */
	return best * ((1 << 20) / LSC_CRC_PROBE);
}

int lsc_crc_select(const char *mode)
{
	u64 lib, tab;
	u8 *buf;
	int i;

	if (!strcmp(mode, "lib") || !strcmp(mode, "table")) {
		lsc_crc_table = !strcmp(mode, "table");
		pr_info("liscal: crc32c: %s (crc=%s)\n", lsc_crc_table ? "tables" : "library", mode);
		return 0;
	}
	if (strcmp(mode, "auto"))
		return -EINVAL;
	buf = kmalloc(LSC_CRC_PROBE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < LSC_CRC_PROBE; i++)
		buf[i] = i * 131 + 7;
	lib = lsc_crc_time(lsc_crc_lib, buf);
	tab = lsc_crc_time(lsc_crc_tab, buf);
	kfree(buf);
	lsc_crc_table = tab < lib;
	pr_info("liscal: crc32c: %s (library %llu us/MiB, tables %llu us/MiB)\n",
		lsc_crc_table ? "tables" : "library", lib / 1000, tab / 1000);
	return 0;
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
