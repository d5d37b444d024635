#!/bin/sh
# Buildroot post-image: the disk from the shared genimage configuration (the same layout as
# image/build.sh: docs/image.md).
set -eu
BOARD_DIR=$(dirname "$0")
exec support/scripts/genimage.sh -c "$BOARD_DIR/genimage.cfg"
