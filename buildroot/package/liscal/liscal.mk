################################################################################
#
# liscal
#
################################################################################

LISCAL_VERSION = local
LISCAL_SITE = $(BR2_EXTERNAL_PAIRHA_PATH)/../kmod/liscal
LISCAL_SITE_METHOD = local
LISCAL_LICENSE = GPL-2.0-only

$(eval $(kernel-module))
$(eval $(generic-package))
