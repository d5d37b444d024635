# Helpers of the boot steps (sourced by rcS).
boot_log() { echo "boot: $*" > /dev/console; }
boot_warn() { echo "boot: warning: $*" > /dev/console; }
# The boot chart (bench/boot.ts): seconds since the kernel started, as each stage begins.
boot_mark() { read -r up _ < /proc/uptime; echo "pairha-boot: $up $*" > /dev/console; }
# The value of a pairha.* kernel argument (pairha.agent=...), empty when absent.
cmdline_arg() {
  for a in $(cat /proc/cmdline); do case $a in "$1="*) echo "${a#*=}"; return ;; esac; done
}
# A block device by GPT partition name or filesystem label.
by_partlabel() {
  for u in /sys/class/block/*/uevent; do
    grep -qx "PARTNAME=$1" "$u" 2>/dev/null && { echo "/dev/$(grep '^DEVNAME=' "$u" | cut -d= -f2)"; return 0; }
  done
  return 1
}
