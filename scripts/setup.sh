#!/usr/bin/env bash
# Installs what pairha needs on a fresh Debian bookworm machine, then builds it.
# Idempotent: re-running only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(
  socat iproute2 iputils-ping arping busybox-static kmod cpio e2fsprogs util-linux
  python3-aiosmtpd stress-ng fio keepalived
  qemu-system-x86 linux-image-amd64 linux-headers-amd64 genimage
  qemu-utils bsdutils
  linux-source-6.12 flex bison python3-magic python3-flake8 shellcheck
  clang libclang-rt-14-dev drbd-utils
  chromium openssl
)

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages (run as root to install): ${missing[*]}" >&2
  fi
fi

# liscal is built and tested against both bookworm kernels: 6.1 (linux-headers-amd64) and the
# newest 6.12 of bookworm, whose package name carries its version.
if [ "$(id -u)" = 0 ] && ! compgen -G '/usr/src/linux-headers-6.12.*-amd64' >/dev/null; then
  h612=$(apt-cache search --names-only '^linux-headers-6\.12\.[0-9.]*\+deb12-amd64$' | awk '{print $1}' | sort -V | tail -1)
  if [ -n "$h612" ]; then
    echo "setup: installing $h612"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$h612" >/dev/null
  fi
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-fund --no-audit --loglevel=error
fi
npm run --silent build
