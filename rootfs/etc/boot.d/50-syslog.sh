# The system logger the runtime's syslog sink writes to (/dev/log). Its file is on the config
# partition (/var/log is /config/log), kept by logkeep.sh: synced every 2 s, rotated over a cap
# (docs/logs.md). The kernel's messages reach it through klogd.
grep -q " /config " /proc/mounts && ! grep -q "tmpfs /config " /proc/mounts && mount -o bind /config/log /var/log || boot_warn "/var/log is not on the config partition: logs will not persist"
syslogd -O /var/log/messages
klogd
/opt/pairha/lib/sh/logkeep.sh /config/log </dev/null >/dev/null 2>&1 &
echo $! > /var/run/logkeep.pid
[ -f /config/log/resets ] && logger -t boot "$(tail -n 1 /config/log/resets | cut -d' ' -f2-)"
