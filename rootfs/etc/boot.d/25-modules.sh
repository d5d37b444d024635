# Drivers of the board (virtio, USB storage, LED triggers): /etc/modules, one per line.
[ -f /etc/modules ] && grep -v '^#' /etc/modules | while read -r m args; do
  [ -n "$m" ] && modprobe "$m" $args 2>/dev/null
done
