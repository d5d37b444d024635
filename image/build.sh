#!/usr/bin/env bash
# Builds the x86_64 appliance image from what this Debian machine has: the Debian kernel and
# its modules, busybox-static, node and its libraries, the compiled runtime with its
# production dependencies, the rootfs/ overlay. Output (default build/image/):
#   disk.img            GPT disk laid out by genimage (buildroot/board/pairha/genimage.cfg)
#   vmlinuz, initramfs.cpio.gz   for qemu's direct kernel boot (-kernel/-initrd)
#   manifest.txt        inputs, sizes and sha256 of the outputs
# Same inputs give the same bytes: fixed timestamps (SOURCE_DATE_EPOCH), sorted cpio, fixed
# filesystem and GPT UUIDs. docs/image.md has the details.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
out=${PAIRHA_IMAGE_OUT:-$repo/build/image}
# The kernel of Debian's linux-image-amd64 (other kernels may be installed beside it).
kver=${PAIRHA_KVER:-$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null | sed -n 's/^linux-image-\([^ ,]*\).*/\1/p')}
kver=${kver:-$(basename "$(ls -1 /boot/vmlinuz-* | sort -V | tail -1)" | sed 's/^vmlinuz-//')}
node_bin=${PAIRHA_NODE:-$(command -v node)}
busybox_bin=${PAIRHA_BUSYBOX:-/bin/busybox}
genimage_cfg=$repo/buildroot/board/pairha/genimage.cfg
# The genimage config names its helper scripts relative to the Buildroot external tree.
export BR2_EXTERNAL_PAIRHA_PATH=$repo/buildroot
# Timestamps come from the last commit, so a rebuild of the same tree is identical.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || echo 1080691200)}
export LC_ALL=C TZ=UTC
# mke2fs stamps inode ctime/crtime with the clock unless told otherwise.
export E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH

say() { echo "image: $*" >&2; }
die() { echo "image: error: $*" >&2; exit 1; }

for t in genimage mke2fs cpio gzip depmod modprobe; do command -v "$t" >/dev/null || die "$t is missing (bash scripts/setup.sh installs it)"; done
[ -r "/boot/vmlinuz-$kver" ] || die "/boot/vmlinuz-$kver not readable (linux-image-amd64)"
[ -d "/lib/modules/$kver" ] || die "/lib/modules/$kver missing"
[ -x "$busybox_bin" ] && "$busybox_bin" --list >/dev/null || die "$busybox_bin is not busybox (busybox-static)"
# The compiled runtime (PAIRHA_DIST: another compiled tree, e.g. a snapshot).
dist=${PAIRHA_DIST:-$repo/dist}
[ -f "$dist/runtime/main.js" ] || [ -n "${PAIRHA_DIST:-}" ] || (cd "$repo" && npm run --silent build)
[ -f "$dist/runtime/main.js" ] || die "$dist/runtime/main.js missing (npm run build)"

# Licence trust: a production build names the vendor's public keys (PAIRHA_TRUSTED_KEYS_SRC);
# otherwise the development key of build/licence-dev, which the lab and the pair sign with.
if [ -n "${PAIRHA_TRUSTED_KEYS_SRC:-}" ]; then
  keys=$PAIRHA_TRUSTED_KEYS_SRC
else
  keys=$("${PAIRHA_NODE_HOST:-node}" "$repo/dist/host/pairha-host.js" licence dev-key "$repo/build") || die "cannot make the development licence key (npm run build)"
  say "development licence key $keys (set PAIRHA_TRUSTED_KEYS_SRC for a production build)"
fi
ls "$keys"/*.pub >/dev/null 2>&1 || die "no *.pub in $keys: no licence could be verified"

. "$here/lib/stage.sh"

work=$out/work
rm -rf "$work" && mkdir -p "$work" "$out"
root=$work/root
initramfs=$work/initramfs

say "kernel $kver, node $("$node_bin" --version), SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH"
stage_base "$root"
stage_busybox "$root" "$busybox_bin"
stage_binary "$root" "$node_bin" /usr/bin/node
for b in /sbin/e2fsck /sbin/mke2fs /sbin/tune2fs /usr/bin/logger /usr/sbin/dmsetup; do stage_binary "$root" "$b" "$b"; done
stage_runtime "$root" "$repo" "$work/npm" "$dist" "$keys"
stage_modules "$root" "$kver" system initramfs
stage_binary "$root" /usr/bin/openssl /usr/bin/openssl # the web manager's first certificate (src/web/tls.ts)
# The front panel module is ours to build; liscal is built by kmod/ (make -C kmod).
if [ -d "/lib/modules/$kver/build" ]; then
  make -s -C "$repo/kmod/leds" KVER="$kver" >"$work/kmod-leds.log" 2>&1 || { cat "$work/kmod-leds.log" >&2; die "kmod/leds did not build"; }
else
  say "note: no headers for $kver (linux-headers-amd64): front panel LEDs left out"
fi
stage_extra_modules "$root" "$kver" "$repo"
stage_overlay "$root" "$repo/rootfs"
# Modules loaded at boot (softdog has its own step: its margin comes from clp.conf).
{ echo "# from image/modules.list"; awk '!/^#/ && $2 == "system" && $1 != "softdog" { print $1 }' "$here/modules.list"; } > "$root/etc/modules"
# The same post-build step the Buildroot build runs: writable dirs onto /config, clp* links.
bash "$repo/buildroot/board/pairha/post-build.sh" "$root"
printf 'PAIRHA_VERSION=%s\nKERNEL=%s\nBUILD_EPOCH=%s\n' "${PAIRHA_VERSION:-$(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown)}" "$kver" "$SOURCE_DATE_EPOCH" > "$root/etc/pairha-release"

stage_base "$initramfs"
stage_busybox "$initramfs" "$busybox_bin"
stage_modules "$initramfs" "$kver" initramfs
install -m 0755 "$here/initramfs/init" "$initramfs/init"

normalize "$root"
normalize "$initramfs"
(cd "$initramfs" && find . -mindepth 1 | sort | cpio --quiet -o -H newc --reproducible -R 0:0 | gzip -9 -n) > "$out/initramfs.cpio.gz"
install -m 0644 "/boot/vmlinuz-$kver" "$out/vmlinuz"

say "genimage"
rm -rf "$work/genimage.tmp" "$out/disk.img" "$out/system.ext4" "$out/config.ext4"
genimage --config "$genimage_cfg" --rootpath "$root" --tmppath "$work/genimage.tmp" \
  --inputpath "$out" --outputpath "$out" >"$work/genimage.log" 2>&1 || { cat "$work/genimage.log" >&2; die "genimage failed"; }
rm -f "$out/system.ext4" "$out/config.ext4"

{
  echo "kernel $kver"
  echo "node $("$node_bin" --version)"
  echo "busybox $("$busybox_bin" | head -1)"
  echo "SOURCE_DATE_EPOCH $SOURCE_DATE_EPOCH"
  echo "rootfs $(du -sm --apparent-size "$root" | cut -f1) MiB"
  for k in "$keys"/*.pub; do echo "trusted-key $(basename "$k") sha256 $(sha256sum "$k" | cut -d' ' -f1)"; done
  for f in disk.img vmlinuz initramfs.cpio.gz; do
    echo "$f $(stat -c %s "$out/$f") bytes, $(du -k "$out/$f" | cut -f1) KiB allocated, sha256 $(sha256sum "$out/$f" | cut -d' ' -f1)"
  done
} > "$out/manifest.txt"
[ -n "${PAIRHA_IMAGE_KEEP_WORK:-}" ] || rm -rf "$work"
cat "$out/manifest.txt" >&2
