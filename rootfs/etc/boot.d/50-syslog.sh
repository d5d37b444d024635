# The system logger the runtime's syslog sink writes to (/dev/log). Its file is on the config
# partition (/var/log is /config/log), kept by logkeep.sh: synced every 2 s, rotated over a cap
# (docs/logs.md). The kernel's messages reach it through klogd.
grep -q " /config " /proc/mounts && ! grep -q "tmpfs /config " /proc/mounts && mount -o bind /config/log /var/log || boot_warn "/var/log is not on the config partition: logs will not persist"
syslogd -O /var/log/messages
klogd
/opt/pairha/lib/sh/logkeep.sh /config/log </dev/null >/dev/null 2>&1 &
echo $! > /var/run/logkeep.pid
# (syslogd makes its socket after it forks: wait for it, or the line is lost)
for i in 1 2 3 4 5; do [ -S /dev/log ] && break; sleep 1; done
[ -f /config/log/resets ] && logger -t boot "$(tail -n 1 /config/log/resets | cut -d' ' -f2-)"
