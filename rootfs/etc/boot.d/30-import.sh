# Configuration import from a stick (filesystem label PAIRHA-CFG, ext2/ext4 or FAT):
# clp.conf, cluster.key, hostname and dmtab found at its top replace those of the config area;
# licences in its license/ directory are added to /config/license.
sleep 0.5
stick=$(findfs LABEL=PAIRHA-CFG 2>/dev/null)
if [ -n "$stick" ] && mount -o ro "$stick" /mnt/usb 2>/dev/null; then
  for f in clp.conf cluster.key hostname dmtab; do
    [ -f "/mnt/usb/$f" ] && cp "/mnt/usb/$f" "/config/etc/$f.new" && mv "/config/etc/$f.new" "/config/etc/$f"
  done
  chmod 0600 /config/etc/cluster.key 2>/dev/null
  # Licences on the stick are registered as clplcncs -i would leave them (docs/licences.md).
  for f in /mnt/usb/license/*.lic; do
    [ -f "$f" ] && cp "$f" "/config/license/$(basename "$f")"
  done
  umount /mnt/usb
  boot_log "configuration imported from $stick"
fi
