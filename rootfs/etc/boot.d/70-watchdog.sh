# softdog with the margin of [watchdog] (ms, 45-settings.sh); the runtime's userw keeps
# /dev/watchdog alive.
if [ "$PAIRHA_WATCHDOG_ENABLED" = true ]; then
  margin=$(( (PAIRHA_WATCHDOG_MARGIN + 999) / 1000 ))
  modprobe softdog soft_margin="$margin" || boot_warn "softdog did not load"
fi
