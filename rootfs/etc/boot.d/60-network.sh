# LAN heartbeat addresses of this server (45-settings.sh), in configuration order: the first
# LAN heartbeat on eth0, the next on eth1 ... (the board's ports in that order). Prefix /24.
ip link set lo up
i=0
printf '%s\n' "$PAIRHA_LAN_ADDRESSES" | while read -r hb addr; do
  [ -n "$addr" ] || continue
  ip addr add "$addr/24" dev "eth$i" 2>/dev/null || boot_warn "$hb: cannot set $addr on eth$i"
  ip link set "eth$i" up
  i=$((i + 1))
done
