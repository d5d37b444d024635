// SPDX-License-Identifier: GPL-2.0-only
/*
 * pairha_leds: the front panel of the qemu board as LED-class devices, so the runtime's
 * LED role drives /sys/class/leds/<name>/{brightness,trigger} exactly as on a real board
 * (where the device tree declares the LEDs). The state of each LED is only kept, and
 * shown by the "state" attribute; there is no lamp to light.
 *
 * names=: comma-separated LED names (default: the five of docs/leds.md).
 */
#include <linux/kernel.h>
#include <linux/leds.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>

#define PAIRHA_LEDS_MAX 16

static char *names = "pairha:green:run,pairha:green:status,pairha:red:status,pairha:green:mirror,pairha:red:mirror";
module_param(names, charp, 0444);
MODULE_PARM_DESC(names, "comma-separated LED names");

struct panel_led {
	struct led_classdev cdev;
	char name[64];
};

struct panel {
	struct platform_device *pdev;
	struct panel_led leds[PAIRHA_LEDS_MAX];
	int count;
};

static struct panel *panel;

/* Keeping the value is all a virtual lamp does; the LED core reads it back. */
static void panel_led_set(struct led_classdev *cdev, enum led_brightness b)
{
	cdev->brightness = b;
}

static int __init pairha_leds_init(void)
{
	char *list, *cur, *name;
	int ret = 0;

	panel = kzalloc(sizeof(*panel), GFP_KERNEL);
	if (!panel)
		return -ENOMEM;
	panel->pdev = platform_device_register_simple("pairha-leds", -1, NULL, 0);
	if (IS_ERR(panel->pdev)) {
		ret = PTR_ERR(panel->pdev);
		goto free_panel;
	}
	list = kstrdup(names, GFP_KERNEL);
	if (!list) {
		ret = -ENOMEM;
		goto unregister_pdev;
	}
	cur = list;
	while ((name = strsep(&cur, ",")) != NULL) {
		struct panel_led *led;

		if (!*name)
			continue;
		if (panel->count == PAIRHA_LEDS_MAX) {
			pr_warn("pairha_leds: more than %d LEDs, rest ignored\n", PAIRHA_LEDS_MAX);
			break;
		}
		led = &panel->leds[panel->count];
		strscpy(led->name, name, sizeof(led->name));
		led->cdev.name = led->name;
		led->cdev.max_brightness = 1;
		led->cdev.brightness_set = panel_led_set;
		ret = led_classdev_register(&panel->pdev->dev, &led->cdev);
		if (ret) {
			pr_err("pairha_leds: %s: error %d\n", name, ret);
			break;
		}
		panel->count++;
	}
	kfree(list);
	if (ret)
		goto unregister_leds;
	pr_info("pairha_leds: %d LEDs\n", panel->count);
	return 0;

unregister_leds:
	while (panel->count--)
		led_classdev_unregister(&panel->leds[panel->count].cdev);
unregister_pdev:
	platform_device_unregister(panel->pdev);
free_panel:
	kfree(panel);
	return ret;
}

static void __exit pairha_leds_exit(void)
{
	while (panel->count--)
		led_classdev_unregister(&panel->leds[panel->count].cdev);
	platform_device_unregister(panel->pdev);
	kfree(panel);
}

module_init(pairha_leds_init);
module_exit(pairha_leds_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pairha front-panel LEDs for the qemu board");
