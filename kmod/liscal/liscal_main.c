// SPDX-License-Identifier: GPL-2.0
/* liscal: registration at block major 218, NMP gendisks, load/unload. */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "liscal.h"

/* number of mirror partition devices /dev/NMP1..n */
static unsigned int nmp_count = 4;
module_param(nmp_count, uint, 0444);
MODULE_PARM_DESC(nmp_count, "number of NMP devices (default 4)");

/* lower-device I/O error action: "reboot" (default) or "detach" (tests) */
static char *io_error_action = "reboot";
module_param(io_error_action, charp, 0444);
MODULE_PARM_DESC(io_error_action, "on lower-device I/O error: reboot | detach");

/* a mirrored write not acked by the peer within this time breaks the mirror */
unsigned int lsc_ack_timeout_ms = 5000;
module_param_named(ack_timeout_ms, lsc_ack_timeout_ms, uint, 0644);
MODULE_PARM_DESC(ack_timeout_ms, "peer ack / link silence timeout in ms (default 5000)");

/* CRC32C implementation: measured at load (auto) or forced */
static char *crc = "auto";
module_param(crc, charp, 0444);
MODULE_PARM_DESC(crc, "CRC32C implementation: auto (the faster, measured at load) | lib | table");

/* TCP connect and handshake timeout */
unsigned int lsc_connect_timeout_ms = 3000;
module_param_named(connect_timeout_ms, lsc_connect_timeout_ms, uint, 0644);
MODULE_PARM_DESC(connect_timeout_ms, "connect + handshake timeout in ms (default 3000)");

struct lsc_nmp *lsc_nmps;
unsigned int lsc_nmp_count;

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
static int lsc_open(struct gendisk *disk, blk_mode_t mode)
{
	struct lsc_nmp *nmp = disk->private_data;
#else
static int lsc_open(struct block_device *bdev, fmode_t mode)
{
	struct lsc_nmp *nmp = bdev->bd_disk->private_data;
#endif
	atomic_inc(&nmp->openers);
	return 0;
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
static void lsc_release(struct gendisk *disk)
#else
static void lsc_release(struct gendisk *disk, fmode_t mode)
#endif
{
	struct lsc_nmp *nmp = disk->private_data;

	atomic_dec(&nmp->openers);
}

static const struct block_device_operations lsc_fops = {
	.owner = THIS_MODULE,
	.submit_bio = lsc_submit_bio,
	.open = lsc_open,
	.release = lsc_release,
};

static int lsc_nmp_init(struct lsc_nmp *nmp, int idx, int err_action)
{
	struct gendisk *d;
	int ret;

	nmp->idx = idx;
	mutex_init(&nmp->ctl);
	mutex_init(&nmp->bm_io);
	mutex_init(&nmp->send_lock);
	mutex_init(&nmp->sock_mutex);
	mutex_init(&nmp->link_lock);
	init_completion(&nmp->rx_done);
	init_completion(&nmp->rec_exit);
	spin_lock_init(&nmp->lock);
	init_waitqueue_head(&nmp->io_wait);
	init_waitqueue_head(&nmp->writer_wait);
	init_waitqueue_head(&nmp->rec_wait);
	INIT_LIST_HEAD(&nmp->pending);
	INIT_DELAYED_WORK(&nmp->tick, lsc_tick_fn);
	INIT_LIST_HEAD(&nmp->wq);
	nmp->peer_port = -1;
	nmp->rec_chunk = -1;
	nmp->err_action = err_action;
	nmp->drvport = 29005;

	d = lsc_alloc_disk();
	if (!d) {
		lsc_err("NMP%d malloc buffer failed.", idx);
		return -ENOMEM;
	}
	d->major = LISCAL_MAJOR;
	d->first_minor = idx - 1;
	d->minors = 1;
	d->fops = &lsc_fops;
	d->private_data = nmp;
	snprintf(d->disk_name, DISK_NAME_LEN, "NMP%d", idx);
	set_capacity(d, 0);	/* sized at bind */
	nmp->disk = d;
	ret = add_disk(d);
	if (ret) {
		lsc_put_disk(d);
		nmp->disk = NULL;
	}
	return ret;
}

static void lsc_nmp_exit(struct lsc_nmp *nmp)
{
	if (!nmp->disk)
		return;
	mutex_lock(&nmp->ctl);
	nmp->port_open = false;
	if (nmp->bound)
		lsc_unbind(nmp);
	mutex_unlock(&nmp->ctl);
	del_gendisk(nmp->disk);
	lsc_put_disk(nmp->disk);
	nmp->disk = NULL;
}

static int __init liscal_init(void)
{
	int ret, i, ea;

	if (nmp_count < 1 || nmp_count > 64)
		return -EINVAL;
	if (!strcmp(io_error_action, "detach"))
		ea = LSC_EA_DETACH;
	else if (!strcmp(io_error_action, "reboot"))
		ea = LSC_EA_REBOOT;
	else
		return -EINVAL;
	ret = lsc_crc_select(crc);
	if (ret) {
		if (ret == -EINVAL)
			lsc_err("crc=%s: not auto, lib or table", crc);
		return ret;
	}
	/* the CRC32C check value: the wire and disk formats depend on it */
	if (lsc_crc32c(0, "123456789", 9) != 0xE3069283u) {
		lsc_err("crc32c self-test failed");
		return -EINVAL;
	}

	ret = lsc_io_init();
	if (ret) {
		lsc_err("malloc request failed.");
		return ret;
	}
	ret = register_blkdev(LISCAL_MAJOR, "liscal");
	if (ret) {
		lsc_err("unable to create major number %d", LISCAL_MAJOR);
		lsc_io_exit();
		return -EBUSY;
	}
	lsc_nmps = kcalloc(nmp_count, sizeof(*lsc_nmps), GFP_KERNEL);
	if (!lsc_nmps) {
		lsc_err("No memory for kernel nmp_info remote_write_head sys_variable.");
		ret = -ENOMEM;
		goto out_unreg;
	}
	lsc_nmp_count = nmp_count;
	for (i = 0; i < nmp_count; i++) {
		ret = lsc_nmp_init(&lsc_nmps[i], i + 1, ea);
		if (ret)
			goto out_disks;
	}
	ret = lsc_proc_init();
	if (ret)
		goto out_disks;
	lsc_info("registered device at major %d, nmp count is %u", LISCAL_MAJOR, nmp_count);
	return 0;

out_disks:
	while (i-- > 0)
		lsc_nmp_exit(&lsc_nmps[i]);
	kfree(lsc_nmps);
out_unreg:
	unregister_blkdev(LISCAL_MAJOR, "liscal");
	lsc_io_exit();
	return ret;
}

static void __exit liscal_exit(void)
{
	unsigned int i;

	/* ports are all closed here: an open port holds a module reference */
	lsc_proc_exit();
	for (i = 0; i < lsc_nmp_count; i++)
		lsc_nmp_exit(&lsc_nmps[i]);
	kfree(lsc_nmps);
	unregister_blkdev(LISCAL_MAJOR, "liscal");
	lsc_io_exit();
	lsc_info("unregister blkdev successfully.");
}

module_init(liscal_init);
module_exit(liscal_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("liscal: pairha mirror driver (block major 218)");
MODULE_ALIAS_BLOCKDEV_MAJOR(LISCAL_MAJOR);
