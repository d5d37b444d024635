// SPDX-License-Identifier: GPL-2.0
/* Cluster partition: metadata block and difference bitmap persistence. */
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "liscal.h"

/* synchronous single-buffer I/O on a lower device (vmalloc or kmalloc buf) */
int lsc_sync_rw(struct block_device *bdev, blk_opf_t op, sector_t sector,
		void *buf, unsigned int len)
{
	unsigned int npages = DIV_ROUND_UP(len, PAGE_SIZE), off = 0;
	struct bio *bio;
	int ret;

	bio = bio_alloc(bdev, npages ? npages : 1, op, GFP_NOIO);
	bio->bi_iter.bi_sector = sector;
	while (off < len) {
		unsigned int n = min_t(unsigned int, PAGE_SIZE, len - off);
		struct page *pg = is_vmalloc_addr(buf + off) ?
			vmalloc_to_page(buf + off) : virt_to_page(buf + off);

		if (bio_add_page(bio, pg, n, offset_in_page(buf + off)) != n) {
			bio_put(bio);
			return -EIO;
		}
		off += n;
	}
	ret = submit_bio_wait(bio);
	bio_put(bio);
	return ret;
}

static int lsc_meta_write(struct lsc_nmp *nmp)
{
	u8 *blk = kzalloc(4096, GFP_NOIO);
	struct lsc_meta m;
	int ret;

	if (!blk) {
		lsc_err("malloc buffer failed.");
		return -ENOMEM;
	}
	spin_lock_irq(&nmp->lock);
	m = nmp->meta;
	nmp->meta_dirty = false;
	spin_unlock_irq(&nmp->lock);
	lsc_meta_encode(&m, blk);
	ret = lsc_sync_rw(nmp->cp.bdev, REQ_OP_WRITE | REQ_FUA, 0, blk, 4096);
	kfree(blk);
	if (ret)
		lsc_err("liscal_bitmap_readwrite return error(%d).", ret);
	return ret;
}

/* write one 4 KiB bitmap block, a snapshot of the in-memory bits */
int lsc_bm_write_block(struct lsc_nmp *nmp, u64 block, bool fua)
{
	u8 *blk = kmalloc(LSC_BM_BLOCK, GFP_NOIO);
	int ret;

	if (!blk) {
		lsc_err("malloc write_bmp_queue failed.");
		return -ENOMEM;
	}
	mutex_lock(&nmp->bm_io);
	spin_lock_irq(&nmp->lock);
	clear_bit(block, nmp->bm_dirty);
	memcpy(blk, nmp->dbmbuf + block * LSC_BM_BLOCK, LSC_BM_BLOCK);
	spin_unlock_irq(&nmp->lock);
	ret = lsc_sync_rw(nmp->cp.bdev, REQ_OP_WRITE | (fua ? REQ_FUA : 0),
			  (LSC_META_BM_OFF + block * LSC_BM_BLOCK) >> 9, blk, LSC_BM_BLOCK);
	mutex_unlock(&nmp->bm_io);
	kfree(blk);
	if (ret)
		lsc_cp_error(nmp);
	return ret;
}

int lsc_bm_write_all(struct lsc_nmp *nmp)
{
	u64 b;
	int ret = 0;

	for (b = 0; b < nmp->bm_blocks && !ret; b++)
		ret = lsc_bm_write_block(nmp, b, false);
	return ret;
}

/* metadata then dirty bitmap blocks, then a flush of the cluster partition */
int lsc_meta_flush(struct lsc_nmp *nmp)
{
	u64 b;
	int ret = 0;

	if (!nmp->cp.bdev)
		return 0;
	for (b = 0; b < nmp->bm_blocks && !ret; b++)
		if (test_bit(b, nmp->bm_dirty))
			ret = lsc_bm_write_block(nmp, b, false);
	if (!ret)
		ret = lsc_meta_write(nmp);
	return ret;
}

void lsc_meta_free(struct lsc_nmp *nmp)
{
	vfree(nmp->bmbuf);
	vfree(nmp->dbmbuf);
	vfree(nmp->ext_last);
	vfree(nmp->inflight);
	vfree(nmp->peer_bm);
	bitmap_free(nmp->bm_dirty);
	nmp->bmbuf = NULL;
	nmp->dbmbuf = NULL;
	nmp->ext_last = NULL;
	nmp->inflight = NULL;
	nmp->peer_bm = NULL;
	nmp->bm_dirty = NULL;
}

/* read metadata and bitmap; fresh metadata (all chunks dirty) if absent */
int lsc_meta_load(struct lsc_nmp *nmp)
{
	u64 chunks = lsc_chunks_for(nmp->sectors);
	u64 bytes = lsc_meta_cp_bytes(chunks);
	u64 cp_bytes = bdev_nr_sectors(nmp->cp.bdev) << 9;
	u8 *blk;
	int ret, dec;

	if (cp_bytes < bytes) {
		lsc_err("NMP%d read bitmap from CP error(%d).", nmp->idx, -ENOSPC);
		return -ENOSPC;
	}
	nmp->bm_blocks = (bytes - LSC_META_BM_OFF) / LSC_BM_BLOCK;
	nmp->bmbuf = vzalloc(nmp->bm_blocks * LSC_BM_BLOCK);
	nmp->dbmbuf = vzalloc(nmp->bm_blocks * LSC_BM_BLOCK);
	nmp->ext_last = vzalloc(DIV_ROUND_UP(chunks, LSC_AL_CHUNKS) * sizeof(unsigned long) + 1);
	nmp->inflight = vzalloc(chunks * sizeof(u16));
	nmp->peer_bm = vzalloc(nmp->bm_blocks * LSC_BM_BLOCK);
	nmp->bm_dirty = bitmap_zalloc(nmp->bm_blocks, GFP_KERNEL);
	blk = kmalloc(4096, GFP_KERNEL);
	if (!nmp->bmbuf || !nmp->dbmbuf || !nmp->ext_last || !nmp->inflight || !nmp->peer_bm || !nmp->bm_dirty || !blk) {
		lsc_err("NMP%d malloc buffer failed.", nmp->idx);
		ret = -ENOMEM;
		goto fail;
	}
	ret = lsc_sync_rw(nmp->cp.bdev, REQ_OP_READ, 0, blk, 4096);
	if (ret) {
		lsc_err("NMP%d read bitmap from CP error(%d).", nmp->idx, ret);
		goto fail;
	}
	dec = lsc_meta_decode(blk, &nmp->meta);
	if (dec == LSC_OK && nmp->meta.sectors == nmp->sectors) {
		ret = lsc_sync_rw(nmp->cp.bdev, REQ_OP_READ, LSC_META_BM_OFF >> 9,
				  nmp->dbmbuf, nmp->bm_blocks * LSC_BM_BLOCK);
		if (ret) {
			lsc_err("NMP%d read bitmap from CP error(%d).", nmp->idx, ret);
			goto fail;
		}
		/* after a crash the disk copy is all we know: exact := disk */
		lsc_bm_init(&nmp->dbm, nmp->dbmbuf, chunks);
		memcpy(nmp->bmbuf, nmp->dbmbuf, lsc_bm_bytes(chunks));
		lsc_bm_init(&nmp->bm, nmp->bmbuf, chunks);
		spin_lock_irq(&nmp->lock);
		/* a SYNC state with bits set means a crash with writes in flight */
		if (nmp->meta.state == LSC_S_SYNC && nmp->bm.count)
			lsc_change_state(nmp, LSC_S_BREAK, LSC_WHY_BIND);
		if (nmp->meta.state == LSC_S_RECOVERING)
			lsc_change_state(nmp, LSC_S_STALE, LSC_WHY_BIND);
		spin_unlock_irq(&nmp->lock);
	} else {
		/* new cluster partition (or resized data partition): all dirty */
		memset(&nmp->meta, 0, sizeof(nmp->meta));
		nmp->meta.chunk_shift = LSC_CHUNK_SHIFT;
		nmp->meta.chunks = chunks;
		nmp->meta.sectors = nmp->sectors;
		nmp->meta.flags = LSC_MF_BMVALID;
		nmp->meta.gen = 1;
		spin_lock_irq(&nmp->lock);
		lsc_change_state(nmp, LSC_S_STALE, LSC_WHY_BIND);
		spin_unlock_irq(&nmp->lock);
		lsc_bm_init(&nmp->bm, nmp->bmbuf, chunks);
		lsc_bm_fill(&nmp->bm);
		lsc_bm_init(&nmp->dbm, nmp->dbmbuf, chunks);
		lsc_al_sync(nmp);
		ret = lsc_bm_write_all(nmp);
		if (!ret)
			ret = lsc_meta_write(nmp);
		if (ret)
			goto fail;
	}
	kfree(blk);
	return 0;
fail:
	kfree(blk);
	lsc_meta_free(nmp);
	return ret;
}
