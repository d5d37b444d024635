include $(sort $(wildcard $(BR2_EXTERNAL_PAIRHA_PATH)/package/*/*.mk))
