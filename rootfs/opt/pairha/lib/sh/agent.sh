#!/bin/sh
# The guest agent, on the virtio serial port named $1: the virtual pair's command port
# (pairha pair run) and, copied into their initramfs, the test VMs' (src/host/vm/agent.ts).
# Request, one line: "<id> <base64 of a shell command>". Reply: "@@OUT <id>", base64 of
# stdout, "@@ERR <id>", base64 of stderr, "@@END <id> <exit code>".
name=$1
dev=
for p in /sys/class/virtio-ports/*; do
  [ "$(cat "$p/name" 2>/dev/null)" = "$name" ] && dev=/dev/$(basename "$p")
done
[ -n "$dev" ] || { echo "agent: no virtio port named $name" >/dev/console; exit 1; }
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:/opt/pairha/bin HOME=/root
work=/run/pairha-agent
mkdir -p "$work"
exec 3<>"$dev"
while true; do
  # Reads return end-of-file while no host is connected: poll.
  while read -r id b64 <&3; do
    [ -n "$id" ] || continue
    echo "$b64" | base64 -d > "$work/cmd" 2>/dev/null
    (cd /root && sh "$work/cmd") </dev/null >"$work/out" 2>"$work/err"
    rc=$?
    { echo "@@OUT $id"; base64 "$work/out"; echo "@@ERR $id"; base64 "$work/err"; echo "@@END $id $rc"; } >&3
  done
  sleep 0.2
done
