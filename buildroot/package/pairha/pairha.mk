################################################################################
#
# pairha
#
################################################################################

PAIRHA_VERSION = local
PAIRHA_SITE = $(BR2_EXTERNAL_PAIRHA_PATH)/..
PAIRHA_SITE_METHOD = local
PAIRHA_LICENSE = GPL-2.0-only
PAIRHA_DEPENDENCIES = host-nodejs nodejs
PAIRHA_NPM = $(HOST_DIR)/bin/npm
PAIRHA_NPM_ENV = PATH=$(BR_PATH) npm_config_arch=$(NODEJS_CPU) npm_config_target_arch=$(NODEJS_CPU)
PAIRHA_INSTALL_DIR = $(TARGET_DIR)/opt/pairha/lib/pairha
PAIRHA_TRUSTED_KEYS = $(call qstrip,$(BR2_PACKAGE_PAIRHA_TRUSTED_KEYS))

# npm ci fetches the dependencies pinned in package-lock.json: this step needs the network
# (or a populated npm cache), see docs/image.md.
define PAIRHA_BUILD_CMDS
	cd $(@D) && $(PAIRHA_NPM_ENV) $(PAIRHA_NPM) ci --no-audit --no-fund
	cd $(@D) && $(PAIRHA_NPM_ENV) $(PAIRHA_NPM) run build
	cd $(@D) && $(PAIRHA_NPM_ENV) $(PAIRHA_NPM) prune --omit=dev --no-audit --no-fund
endef

define PAIRHA_INSTALL_TARGET_CMDS
	rm -rf $(PAIRHA_INSTALL_DIR)
	mkdir -p $(PAIRHA_INSTALL_DIR)
	cp -a $(@D)/dist $(@D)/messages $(@D)/node_modules $(@D)/package.json $(PAIRHA_INSTALL_DIR)/
	rm -rf $(PAIRHA_INSTALL_DIR)/dist/lab $(PAIRHA_INSTALL_DIR)/dist/pair
	find $(PAIRHA_INSTALL_DIR)/dist -name '*.map' -delete
	rm -rf $(PAIRHA_INSTALL_DIR)/dist/host
	mkdir -p $(PAIRHA_INSTALL_DIR)/trusted-keys
	$(if $(PAIRHA_TRUSTED_KEYS),install -m 0644 $(PAIRHA_TRUSTED_KEYS)/*.pub $(PAIRHA_INSTALL_DIR)/trusted-keys/)
endef

$(eval $(generic-package))
