# Staging steps of image/build.sh: each fills one part of a root tree. Sourced, not run.

# The directories every tree needs (FHS subset busybox init and the runtime use).
stage_base() {
  local r=$1 d
  for d in bin sbin usr/bin usr/sbin lib lib64 etc proc sys dev run tmp var mnt/usb root config; do
    mkdir -p "$r/$d"
  done
  chmod 1777 "$r/tmp"
  chmod 0700 "$r/root"
}

# busybox-static and one symlink per applet, where no real program is staged.
stage_busybox() {
  local r=$1 bb=$2 a
  install -m 0755 "$bb" "$r/bin/busybox"
  "$bb" --list-full | while read -r a; do
    [ -e "$r/$a" ] || [ -L "$r/$a" ] || { mkdir -p "$r/$(dirname "$a")"; ln -s /bin/busybox "$r/$a"; }
  done
}

# A dynamically linked program and the shared libraries ldd finds for it, at the same paths.
stage_binary() {
  local r=$1 src=$2 dest=$3 lib
  mkdir -p "$r/$(dirname "$dest")"
  rm -f "$r/$dest"
  install -m 0755 "$src" "$r/$dest"
  for lib in $(ldd "$src" | grep -o '/[^ ]*'); do
    [ -e "$r$lib" ] && continue
    mkdir -p "$r/$(dirname "$lib")"
    cp -L "$lib" "$r$lib"
  done
}

# The compiled runtime, its message files and production dependencies (pruned copy of
# node_modules: no network needed). serialport keeps only its linux-x64 glibc binding.
stage_runtime() {
  local r=$1 repo=$2 npmwork=$3 dist=$4 keys=$5 app=$1/opt/pairha/lib/pairha
  mkdir -p "$app" "$npmwork"
  cp "$repo/package.json" "$repo/package-lock.json" "$npmwork/"
  cp -a "$repo/node_modules" "$npmwork/"
  (cd "$npmwork" && npm prune --omit=dev --offline --no-audit --no-fund --loglevel=error >/dev/null)
  find "$npmwork/node_modules" -path '*/prebuilds/*' -mindepth 1 -maxdepth 4 -type d ! -name linux-x64 -prune -exec rm -rf {} +
  find "$npmwork/node_modules" -path '*/prebuilds/linux-x64/*musl*' -delete
  rm -rf "$npmwork/node_modules/.cache"
  cp -a "$npmwork/node_modules" "$npmwork/package.json" "$app/"
  cp -a "$repo/messages" "$app/messages"
  cp -a "$repo/web" "$app/web" # the web manager's pages (src/web/paths.ts)
  # The public keys licences must be signed by (docs/licences.md); never a private key.
  mkdir -p "$app/trusted-keys"
  for k in "$keys"/*.pub; do [ -f "$k" ] && install -m 0644 "$k" "$app/trusted-keys/"; done
  # The appliance needs neither the host tools (dist/host: lab, pair, qemu harness) nor
  # source maps; it needs the native addons (dist/native/*.node).
  (cd "$dist" && find . -type f \( -name '*.js' -o -name '*.node' \) ! -path './host/*') | while read -r f; do
    mkdir -p "$app/dist/$(dirname "$f")"; cp "$dist/$f" "$app/dist/$f"
  done
}

# Kernel modules of image/modules.list for the given stages, with their dependencies.
stage_modules() {
  local r=$1 kver=$2; shift 2
  local stages=" $* " names m
  names=$(grep -v '^#' "$here/modules.list" | awk -v s="$stages" 'NF >= 2 && index(s, " " $2 " ") { print $1 }')
  [ -n "$names" ] || return 0
  for m in $(modprobe -S "$kver" --show-depends -a $names | awk '$1 == "insmod" { print $2 }' | sort -u); do
    mkdir -p "$r/$(dirname "$m")"
    cp "$m" "$r$m"
  done
  for m in modules.order modules.builtin modules.builtin.modinfo; do cp "/lib/modules/$kver/$m" "$r/lib/modules/$kver/"; done
  depmod -b "$r" "$kver"
}

# Out-of-tree modules built by kmod/ (liscal, the LED panel): included when built for $kver.
stage_extra_modules() {
  local r=$1 kver=$2 repo=$3 ko magic
  mkdir -p "$r/lib/modules/$kver/extra"
  local liscal=${PAIRHA_LISCAL_KO:-$repo/kmod/liscal/liscal.ko}
  # kmod/ may have built liscal for another kernel: build a copy of its source for this one.
  if [ -z "${PAIRHA_LISCAL_KO:-}" ] && [ -f "$repo/kmod/liscal/Kbuild" ] && [ -d "/lib/modules/$kver/build" ] &&
     { [ ! -f "$liscal" ] || [ "$(modinfo -F vermagic "$liscal" | cut -d' ' -f1)" != "$kver" ]; }; then
    rm -rf "$work/liscal" && mkdir -p "$work/liscal"
    cp "$repo"/kmod/liscal/*.[ch] "$repo/kmod/liscal/Kbuild" "$work/liscal/"
    if make -s -C "/lib/modules/$kver/build" M="$work/liscal" -j2 modules >"$work/liscal.log" 2>&1; then liscal=$work/liscal/liscal.ko
    else say "note: kmod/liscal does not build for $kver (see $work/liscal.log)"; fi
  fi
  for ko in "$liscal" "$repo"/kmod/leds/pairha_leds.ko; do
    if [ ! -f "$ko" ]; then say "note: $ko not built (make -C kmod), left out"; continue; fi
    magic=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
    if [ "$magic" != "$kver" ]; then say "note: $ko is built for $magic, not $kver, left out"; continue; fi
    cp "$ko" "$r/lib/modules/$kver/extra/"
  done
  depmod -b "$r" "$kver"
}

# The rootfs/ overlay shared with the Buildroot build.
stage_overlay() {
  local r=$1 overlay=$2
  (cd "$overlay" && find . -mindepth 1 ! -name README.md | sort) | while read -r f; do
    if [ -d "$overlay/$f" ] && [ ! -L "$overlay/$f" ]; then mkdir -p "$r/$f"
    else rm -f "$r/$f"; cp -a "$overlay/$f" "$r/$f"; fi
  done
}

# Owner root, timestamps from SOURCE_DATE_EPOCH: the bytes depend only on the inputs.
normalize() {
  chown -R -h 0:0 "$1"
  find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
}
