# Configuration import from a stick (filesystem label PAIRHA-CFG, ext2/ext4 or FAT):
# clp.conf and cluster.key found at its top replace those of the config area unless the box
# holds a newer generation (a clpcfctrl push, docs/config.md); hostname and dmtab replace the box's;
# licences in its license/ directory are added to /config/license once each (a licence removed
# with clplcncs -d stays removed while the stick stays in).
sleep 0.5
# [cluster] generation of a clp.conf (0 when absent).
generation() { sed -n '/^\[cluster\]/,/^\[/s/^[[:space:]]*generation[[:space:]]*=[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$1" 2>/dev/null | head -n 1 | grep . || echo 0; }
stick=$(findfs LABEL=PAIRHA-CFG 2>/dev/null)
if [ -n "$stick" ] && mount -o ro "$stick" /mnt/usb 2>/dev/null; then
  files="hostname dmtab"
  if [ -f /mnt/usb/clp.conf ] && [ -f /config/etc/clp.conf ] && [ "$(generation /mnt/usb/clp.conf)" -lt "$(generation /config/etc/clp.conf)" ]; then
    boot_log "the stick's configuration (generation $(generation /mnt/usb/clp.conf)) is older than this box's ($(generation /config/etc/clp.conf)): kept this box's"
  else
    files="clp.conf cluster.key hostname dmtab"
  fi
  for f in $files; do
    [ -f "/mnt/usb/$f" ] && cp "/mnt/usb/$f" "/config/etc/$f.new" && mv "/config/etc/$f.new" "/config/etc/$f"
  done
  chmod 0600 /config/etc/cluster.key 2>/dev/null
  # Licences on the stick are registered as clplcncs -i would leave them (docs/licences.md),
  # each once: the names imported are kept in /config/license/.imported.
  for f in /mnt/usb/license/*.lic; do
    [ -f "$f" ] || continue
    name=$(basename "$f")
    grep -qxF "$name" /config/license/.imported 2>/dev/null && continue
    cp "$f" "/config/license/$name" && echo "$name" >> /config/license/.imported
  done
  umount /mnt/usb
  boot_log "configuration imported from $stick"
fi
