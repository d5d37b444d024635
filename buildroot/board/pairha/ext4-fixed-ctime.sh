#!/bin/sh
# genimage exec-post of the ext4 images: mke2fs -d (e2fsprogs < 1.47.1) copies each file's
# ctime (when it was staged) and atime (when it was last read, e.g. by mke2fs itself under
# relatime); set both to SOURCE_DATE_EPOCH so the image's bytes depend on the inputs only.
# genimage sets IMAGEOUTFILE and the tree.
set -eu
img=${IMAGEOUTFILE:?run by genimage}
tree=${IMAGEMOUNTPATH:-${ROOTPATH:?}}
t=${SOURCE_DATE_EPOCH:-0}
cmds=$(mktemp)
(cd "$tree" && find . | sed 's|^\.||') | while IFS= read -r p; do
  printf 'sif "%s" ctime @%s\nsif "%s" atime @%s\n' "${p:-/}" "$t" "${p:-/}" "$t"
done > "$cmds"
debugfs -w -f "$cmds" "$img" >/dev/null 2>&1
rm -f "$cmds"
