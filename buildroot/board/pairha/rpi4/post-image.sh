#!/bin/sh
# Buildroot post-image for the Raspberry Pi 4: kernel command line, then the disk.
set -eu
BOARD_DIR=$(dirname "$0")
echo "root=PARTLABEL=system rootwait ro console=ttyS0,115200 console=tty1" > "$BINARIES_DIR/rpi-firmware/cmdline.txt"
exec support/scripts/genimage.sh -c "$BOARD_DIR/genimage.cfg"
