/* SPDX-License-Identifier: GPL-2.0 */
/* The tiny compat header: the pure parts (bitmap, protocol codec, metadata
 * layout) include only this, so they build in the kernel and in user space. */
#ifndef LSC_TYPES_H
#define LSC_TYPES_H
#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#else
#include <stdint.h>
#include <stddef.h>
#include <string.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#endif

/* error codes of the pure parts (positive, distinct from errno) */
enum lsc_err {
	LSC_OK = 0,
	LSC_EMAGIC = 1,
	LSC_EVERSION = 2,
	LSC_ECMD = 3,
	LSC_ELEN = 4,
	LSC_ECRC = 5,
	LSC_ERANGE = 6,
	LSC_EMAC = 7,		/* a link frame's MAC does not match */
	LSC_EREPLAY = 8,	/* a genuine frame's sequence number already seen */
	LSC_EGAP = 9,		/* a genuine frame from beyond the next expected one */
};

static inline void lsc_put16(u8 *p, u16 v) { p[0] = v; p[1] = v >> 8; }
static inline void lsc_put32(u8 *p, u32 v)
{ p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24; }
static inline void lsc_put64(u8 *p, u64 v)
{ lsc_put32(p, (u32)v); lsc_put32(p + 4, (u32)(v >> 32)); }
static inline u16 lsc_get16(const u8 *p) { return p[0] | (u16)p[1] << 8; }
static inline u32 lsc_get32(const u8 *p)
{ return p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24; }
static inline u64 lsc_get64(const u8 *p)
{ return lsc_get32(p) | (u64)lsc_get32(p + 4) << 32; }

/* CRC32C (Castagnoli), software, same result in kernel and user space */
u32 lsc_crc32c(u32 crc, const void *buf, size_t len);
#ifdef __KERNEL__
/* "auto" (the faster, measured), "lib" or "table"; -EINVAL for others */
int lsc_crc_select(const char *mode);
#endif
#endif
