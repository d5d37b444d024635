// SPDX-License-Identifier: GPL-2.0
/* liscal: registration at block major 218, NMP gendisks, load/unload. */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "liscal.h"

/* Module parameters, each validated where it is declared (a bad value
 * fails the load, or the write to /sys/module/liscal/parameters/, with
 * EINVAL): README §1.1. */

#define LSC_PARAM_UINT(name, var, min, max, perm, desc)				\
	static int lsc_set_##name(const char *val, const struct kernel_param *kp) \
	{									\
		return lsc_param_uint(val, &var, min, max);			\
	}									\
	static const struct kernel_param_ops lsc_ops_##name = {			\
		.set = lsc_set_##name,						\
		.get = param_get_uint,						\
	};									\
	module_param_cb(name, &lsc_ops_##name, &var, perm);			\
	MODULE_PARM_DESC(name, desc)

/* number of mirror partition devices /dev/NMP1..n */
static unsigned int nmp_count = 4;
LSC_PARAM_UINT(nmp_count, nmp_count, 1, 64, 0444, "number of NMP devices, 1-64 (default 4)");

/* a mirrored write not acked by the peer within this time breaks the mirror */
unsigned int lsc_ack_timeout_ms = 5000;
LSC_PARAM_UINT(ack_timeout_ms, lsc_ack_timeout_ms, 500, 3600000, 0644,
	       "peer ack / link silence timeout in ms, 500-3600000 (default 5000)");

/* TCP connect and handshake timeout */
unsigned int lsc_connect_timeout_ms = 3000;
LSC_PARAM_UINT(connect_timeout_ms, lsc_connect_timeout_ms, 100, 600000, 0644,
	       "connect + handshake timeout in ms, 100-600000 (default 3000)");

/* the mirror driver port of the seed's port plan (config [ports]
 * mirror_driver); a bind's drvport= overrides it for its NMP */
unsigned int lsc_drvport = 29005;
LSC_PARAM_UINT(drvport, lsc_drvport, 1, 65535, 0444,
	       "mirror driver TCP port, 1-65535 (default 29005)");

/* lower-device I/O error action: "reboot" (default) or "detach" (tests) */
static int lsc_err_action = LSC_EA_REBOOT;
static const char *const lsc_err_action_names[] = {
	[LSC_EA_REBOOT] = "reboot", [LSC_EA_DETACH] = "detach",
};

static int lsc_set_err_action(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(lsc_err_action_names, val);

	if (i < 0)
		return -EINVAL;
	lsc_err_action = i;
	return 0;
}

static int lsc_get_err_action(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", lsc_err_action_names[lsc_err_action]);
}

static const struct kernel_param_ops lsc_ops_err_action = {
	.set = lsc_set_err_action,
	.get = lsc_get_err_action,
};
module_param_cb(io_error_action, &lsc_ops_err_action, NULL, 0444);
MODULE_PARM_DESC(io_error_action, "on lower-device I/O error: reboot | detach");

/* CRC32C implementation: measured at load (auto) or forced */
static const char *const lsc_crc_names[] = { "auto", "lib", "table" };
static int lsc_crc_mode;

static int lsc_set_crc(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(lsc_crc_names, val);

	if (i < 0) {
		lsc_err("crc=%s: not auto, lib or table", val);
		return -EINVAL;
	}
	lsc_crc_mode = i;
	return 0;
}

static int lsc_get_crc(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", lsc_crc_names[lsc_crc_mode]);
}

static const struct kernel_param_ops lsc_ops_crc = {
	.set = lsc_set_crc,
	.get = lsc_get_crc,
};
module_param_cb(crc, &lsc_ops_crc, NULL, 0444);
MODULE_PARM_DESC(crc, "CRC32C implementation: auto (the faster, measured at load) | lib | table");

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

static int lsc_nmp_init(struct lsc_nmp *nmp, int idx)
{
	struct gendisk *d;
	int ret;

	nmp->idx = idx;
	mutex_init(&nmp->ctl);
	mutex_init(&nmp->bm_io);
	mutex_init(&nmp->send_lock);
	mutex_init(&nmp->sock_mutex);
	mutex_init(&nmp->link_lock);
	mutex_init(&nmp->hs_mutex);
	INIT_LIST_HEAD(&nmp->hs_list);
	init_waitqueue_head(&nmp->hs_wait);
	init_completion(&nmp->rx_done);
	init_completion(&nmp->rec_exit);
	spin_lock_init(&nmp->lock);
	init_waitqueue_head(&nmp->io_wait);
	init_waitqueue_head(&nmp->writer_wait);
	init_waitqueue_head(&nmp->rec_wait);
	INIT_LIST_HEAD(&nmp->pending);
	INIT_DELAYED_WORK(&nmp->tick, lsc_tick_fn);
	init_llist_head(&nmp->rec_written);
	INIT_WORK(&nmp->rec_commit, lsc_recovery_commit_fn);
	INIT_LIST_HEAD(&nmp->wq);
	nmp->peer_port = -1;
	nmp->rec_chunk = -1;
	nmp->err_action = lsc_err_action;
	nmp->drvport = lsc_drvport;

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
	int ret, i;

	ret = lsc_crc_select(lsc_crc_names[lsc_crc_mode]);
	if (ret)
		return ret;
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
	ret = lsc_conn_init();
	if (ret) {
		lsc_io_exit();
		return ret;
	}
	ret = register_blkdev(LISCAL_MAJOR, "liscal");
	if (ret) {
		lsc_err("unable to create major number %d", LISCAL_MAJOR);
		lsc_conn_exit();
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
		ret = lsc_nmp_init(&lsc_nmps[i], i + 1);
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
	lsc_conn_exit();
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
	lsc_conn_exit();
	lsc_io_exit();
	lsc_info("unregister blkdev successfully.");
}

module_init(liscal_init);
module_exit(liscal_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("liscal: pairha mirror driver (block major 218)");
MODULE_ALIAS_BLOCKDEV_MAJOR(LISCAL_MAJOR);
