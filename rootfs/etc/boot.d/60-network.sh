# LAN heartbeat addresses of this server from clp.conf, in configuration order: the first
# LAN heartbeat on eth0, the next on eth1 ... (the board's ports in that order). Prefix /24.
. /opt/pairha/lib/sh/conf.sh
ip link set lo up
i=0
conf_lan_addresses "$(hostname)" | while read -r hb addr; do
  ip addr add "$addr/24" dev "eth$i" 2>/dev/null || boot_warn "$hb: cannot set $addr on eth$i"
  ip link set "eth$i" up
  i=$((i + 1))
done
