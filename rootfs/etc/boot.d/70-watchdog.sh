# softdog with the margin of [watchdog] (ms); the runtime's userw keeps /dev/watchdog alive.
. /opt/pairha/lib/sh/conf.sh
if [ "$(conf_get watchdog enabled true)" = true ]; then
  margin=$(( ($(conf_get watchdog margin 60000) + 999) / 1000 ))
  modprobe softdog soft_margin="$margin" || boot_warn "softdog did not load"
fi
