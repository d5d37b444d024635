/* SPDX-License-Identifier: GPL-2.0 */
/* Block-layer API differences between the kernels we build for (6.1, 6.12). */
#ifndef LISCAL_COMPAT_H
#define LISCAL_COMPAT_H
#include <linux/version.h>
#include <linux/blkdev.h>
#include <linux/fs.h>
#include "lsc_proto.h"	/* LSC_MAX_PAYLOAD */

/* an opened lower block device, whatever the kernel's handle type is */
struct lsc_bdev {
	struct block_device *bdev;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
	struct file *file;
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	struct bdev_handle *handle;
#endif
};

static inline int lsc_bdev_open(struct lsc_bdev *b, const char *path, void *holder)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
	/* 6.9+: bdev_file_open_by_path returns a struct file */
	struct file *f = bdev_file_open_by_path(path, BLK_OPEN_READ | BLK_OPEN_WRITE | BLK_OPEN_EXCL,
						holder, NULL);
	if (IS_ERR(f))
		return PTR_ERR(f);
	b->file = f;
	b->bdev = file_bdev(f);
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	struct bdev_handle *h = bdev_open_by_path(path, BLK_OPEN_READ | BLK_OPEN_WRITE | BLK_OPEN_EXCL,
						  holder, NULL);
	if (IS_ERR(h))
		return PTR_ERR(h);
	b->handle = h;
	b->bdev = h->bdev;
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	struct block_device *bd = blkdev_get_by_path(path, BLK_OPEN_READ | BLK_OPEN_WRITE | BLK_OPEN_EXCL,
						     holder, NULL);
	if (IS_ERR(bd))
		return PTR_ERR(bd);
	b->bdev = bd;
#else
	/* 6.1: fmode_t with FMODE_EXCL and a holder */
	struct block_device *bd = blkdev_get_by_path(path, FMODE_READ | FMODE_WRITE | FMODE_EXCL,
						     holder);
	if (IS_ERR(bd))
		return PTR_ERR(bd);
	b->bdev = bd;
#endif
	return 0;
}

static inline void lsc_bdev_close(struct lsc_bdev *b, void *holder)
{
	if (!b->bdev)
		return;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
	fput(b->file);
	b->file = NULL;
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	bdev_release(b->handle);
	b->handle = NULL;
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	blkdev_put(b->bdev, holder);
#else
	blkdev_put(b->bdev, FMODE_READ | FMODE_WRITE | FMODE_EXCL);
#endif
	b->bdev = NULL;
}

/* 6.9+: blk_alloc_disk(lim, node) returns ERR_PTR; 6.1: blk_alloc_disk(node) returns NULL */
static inline struct gendisk *lsc_alloc_disk(void)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
	struct queue_limits lim = {
		.logical_block_size = 512,
		.physical_block_size = 4096,
		.max_hw_sectors = 2048,	/* 1 MiB = LSC_MAX_PAYLOAD */
		/* a 1 MiB write of separate pages stays one bio, one WRITE frame
		 * (128, the default, split it in two, the second one queued) */
		.max_segments = LSC_MAX_PAYLOAD / 4096,
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
		/* 6.11+: cache flags are queue limits features */
		/* stable writes: a page is not changed while under writeback, since a
		 * WRITE frame's CRC and its sending read the bio's pages twice */
		.features = BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA | BLK_FEAT_STABLE_WRITES,
#endif
	};
	struct gendisk *d = blk_alloc_disk(&lim, NUMA_NO_NODE);

	if (IS_ERR(d))
		return NULL;
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 11, 0)
	blk_queue_write_cache(d->queue, true, true);
	blk_queue_flag_set(QUEUE_FLAG_STABLE_WRITES, d->queue);
#endif
	return d;
#else
	struct gendisk *d = blk_alloc_disk(NUMA_NO_NODE);

	if (d) {
		blk_queue_logical_block_size(d->queue, 512);
		blk_queue_physical_block_size(d->queue, 4096);
		blk_queue_max_hw_sectors(d->queue, 2048);
		blk_queue_max_segments(d->queue, LSC_MAX_PAYLOAD / 4096);
		blk_queue_write_cache(d->queue, true, true);
		/* stable writes (see above): else ext4 may change a page between the
		 * CRC pass and the send pass, and the peer drops the frame */
		blk_queue_flag_set(QUEUE_FLAG_STABLE_WRITES, d->queue);
	}
	return d;
#endif
}

/* A bio-based driver gets bios of any size (a contiguous buffer makes one
 * multi-page segment): it must split them to its queue limits itself, so a
 * WRITE frame never exceeds LSC_MAX_PAYLOAD. NULL: the bio was ended.
 * bio_split_to_limits() is 6.2+ upstream and in bookworm's 6.1.y (stable). */
static inline struct bio *lsc_split(struct bio *bio)
{
	return bio_split_to_limits(bio);
}

static inline void lsc_put_disk(struct gendisk *d)
{
	put_disk(d);
}
#endif
