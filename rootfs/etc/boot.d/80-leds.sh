# The front panel: on the qemu board a module registers its LEDs (kmod/leds); a real board's
# device tree provides them. The runtime drives them (src/leds) when [leds] enabled = true.
modprobe pairha_leds 2>/dev/null
:
