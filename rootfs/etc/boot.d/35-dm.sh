# Device-mapper layers below disks, from /config/etc/dmtab (one per line, # comments):
#   NAME TARGET DEVICE [TARGET ARGS...]
# maps the whole DEVICE to /dev/mapper/NAME ("0 <size> TARGET DEVICE 0 ARGS"). A configuration
# that names /dev/mapper/NAME (an md resource's data_partition) can then have its disk slowed
# (delay) or failed (flakey) by swapping the table with dmsetup, below liscal: what the fault
# campaign does (docs/reliability.md). Created before the services start.
# (sourced by rcS: without a dmtab the step must still end with status 0, or every boot warns
# "35-dm.sh failed")
if [ -f /config/etc/dmtab ]; then
grep -v '^[[:space:]]*#' /config/etc/dmtab | while read -r name target dev args; do
  [ -n "$name" ] || continue
  if [ ! -b "$dev" ]; then boot_warn "dmtab: $name: $dev is not a block device"; continue; fi
  sz=$(blockdev --getsz "$dev") || { boot_warn "dmtab: $name: cannot read the size of $dev"; continue; }
  # (no udev in the box: the node in /dev/mapper is made by mknodes)
  dmsetup create "$name" --table "0 $sz $target $dev 0${args:+ $args}" && dmsetup mknodes "$name" \
    || boot_warn "dmtab: $name: dmsetup create failed ($target over $dev)"
done
fi
