# Why the last run ended (docs/logs.md). The board keeps a RAM region across a warm reset
# (kernel arguments memmap= and ramoops.mem_address/mem_size); ramoops stores the kernel's
# last messages there on a panic, an oops, a softdog or sysrq reset. They are copied to
# /config/log/pstore/<time>/ and removed from RAM; one line per boot goes to /config/log/resets.
mkdir -p /config/log/pstore
addr=$(cmdline_arg ramoops.mem_address)
size=$(cmdline_arg ramoops.mem_size)
if [ -n "$addr" ] && [ -n "$size" ]; then
  # max_reason=3: dumps on emergency restarts too, not only oops and panic (KMSG_DUMP_EMERG)
  modprobe ramoops mem_address="$addr" mem_size="$size" record_size=0x20000 max_reason=3 || boot_warn "ramoops did not load: panic records are not kept"
  mount -t pstore pstore /sys/fs/pstore 2>/dev/null
else
  boot_warn "no ramoops region on this board (ramoops.mem_address): panic records are not kept"
fi
now=$(date -u +%Y%m%d-%H%M%S)
reason=
if ls /sys/fs/pstore/dmesg-* >/dev/null 2>&1; then
  mkdir -p "/config/log/pstore/$now"
  cp /sys/fs/pstore/* "/config/log/pstore/$now/" && rm -f /sys/fs/pstore/*
  # The cause, in the kernel's words: the runtime's own reason (written to /dev/kmsg before
  # it resets the box) first, then a panic, softdog, an oops, sysrq.
  for p in 'pairha: ' 'Kernel panic' 'softdog: ' 'BUG: |Oops' 'sysrq: '; do
    reason=$(cat "/config/log/pstore/$now"/dmesg-* | grep -E "$p" | tail -n 1 | sed 's/^<[0-9]*>//; s/^\[ *[0-9.]*\] //')
    [ -n "$reason" ] && break
  done
  reason="${reason:-a kernel record without a known cause} (pstore/$now)"
fi
if [ ! -f /config/log/resets ]; then last="is none: the config partition's first boot"
elif [ -e /config/work/running ]; then last="did not end with a shutdown: ${reason:-no kernel record (power cut, or a reset the kernel did not see)}"
else last="ended with a shutdown${reason:+; kernel record: $reason}"; fi
echo "$now boot: the last run $last" >> /config/log/resets
boot_log "the last run $last"
# (the keeper of 50-syslog.sh syncs; the resets file only grows by one line a boot)
tail -n 200 /config/log/resets > /config/log/resets.new && mv /config/log/resets.new /config/log/resets
