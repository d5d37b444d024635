# The writable config area (GPT partition "config") on /config; first boot fills it with the
# factory defaults. Without it the box still runs, from a tmpfs that forgets at power-off.
cfgdev=$(by_partlabel config)
if [ -n "$cfgdev" ]; then
  e2fsck -p "$cfgdev" >/dev/null 2>&1
  [ $? -le 1 ] || boot_warn "fsck of $cfgdev reported errors"
  mount -t ext4 -o rw,noatime "$cfgdev" /config || boot_warn "cannot mount $cfgdev on /config"
fi
grep -q " /config " /proc/mounts || { boot_warn "no config partition: settings will not persist"; mount -t tmpfs -o mode=0755 tmpfs /config; }
for d in etc license scripts rc.d messages; do
  [ -e "/config/$d" ] || cp -a "/usr/share/pairha/factory/$d" "/config/$d"
done
for d in log alert work tmp; do mkdir -p "/config/$d"; done
chmod 0700 /config/etc /config/log /config/alert /config/work /config/tmp
