################################################################################
#
# pairha-leds
#
################################################################################

PAIRHA_LEDS_VERSION = local
PAIRHA_LEDS_SITE = $(BR2_EXTERNAL_PAIRHA_PATH)/../kmod/leds
PAIRHA_LEDS_SITE_METHOD = local
PAIRHA_LEDS_LICENSE = GPL-2.0-only

$(eval $(kernel-module))
$(eval $(generic-package))
