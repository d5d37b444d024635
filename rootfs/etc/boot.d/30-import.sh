# Configuration import from a stick (filesystem label PAIRHA-CFG, ext2/ext4 or FAT):
# clp.conf, cluster.key and hostname found at its top replace those of the config area.
sleep 0.5
stick=$(findfs LABEL=PAIRHA-CFG 2>/dev/null)
if [ -n "$stick" ] && mount -o ro "$stick" /mnt/usb 2>/dev/null; then
  for f in clp.conf cluster.key hostname; do
    [ -f "/mnt/usb/$f" ] && cp "/mnt/usb/$f" "/config/etc/$f.new" && mv "/config/etc/$f.new" "/config/etc/$f"
  done
  chmod 0600 /config/etc/cluster.key 2>/dev/null
  umount /mnt/usb
  boot_log "configuration imported from $stick"
fi
