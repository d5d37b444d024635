#!/usr/bin/env bash
# Builds the console commands' start-up snapshot (docs/performance.md, "The start-up snapshot"):
#   scripts/build-snapshot.sh NODE DIST OUT
# NODE: the node binary the box runs (a blob loads only in the node that built it); DIST: the
# compiled tree, with the bundle (cli/clp-snapshot.js, scripts/build-cli.js) and the launcher
# (native/clp, whose pinned V8 flags the blob is built with); OUT: the blob (<dist>/cli/clp.blob).
#
# Two builds from the same inputs give the same bytes, as the image must (docs/image.md,
# Reproducibility). node writes into the blob what varies from one run to the next: the heap
# layout left by V8's own threads, its random and hash seeds (the launcher pins all three
# with --single-threaded, --random-seed and --hash-seed, on both sides), addresses (ASLR: off
# here), its pid (a pid namespace: always 1), its command line and environment (fixed paths
# in a private tmpfs, an empty environment). The host name is not in it (checked).
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: build-snapshot.sh NODE DIST OUT" >&2; exit 2; }
node=$1 dist=$2 out=$3
bundle=$dist/cli/clp-snapshot.js
[ -x "$node" ] || { echo "build-snapshot: $node is not an executable" >&2; exit 2; }
[ -f "$bundle" ] || { echo "build-snapshot: no bundle at $bundle (npm run build)" >&2; exit 2; }
[ -x "$dist/native/clp" ] || { echo "build-snapshot: no launcher at $dist/native/clp (npm run build)" >&2; exit 2; }
flags=$("$dist/native/clp" --snapshot-flags | tr '\n' ' ')
for tool in unshare setarch; do command -v "$tool" >/dev/null || { echo "build-snapshot: $tool is missing (util-linux)" >&2; exit 1; }; done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$bundle" "$work/clp-snapshot.js"
# A user namespace gives the mount and pid namespaces to a builder that is not root.
userns=()
[ "$(id -u)" -eq 0 ] || userns=(--user --map-root-user)
# In the namespaces: a tmpfs on /mnt holds the bundle and the blob at the same paths in every build.
# shellcheck disable=SC2016
if ! unshare "${userns[@]}" --mount --propagation private --pid --fork env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  NODE="$node" WORK="$work" FLAGS="$flags" sh -ec '
    mount -t tmpfs -o size=64m,mode=0700 pairha-snapshot /mnt
    cp "$WORK/clp-snapshot.js" /mnt/clp-snapshot.js
    cd /mnt
    # shellcheck disable=SC2086
    env -i setarch "$(uname -m)" -R "$NODE" $FLAGS --snapshot-blob /mnt/clp.blob --build-snapshot /mnt/clp-snapshot.js
    cp /mnt/clp.blob "$WORK/clp.blob"' >"$work/log" 2>&1; then
  echo "build-snapshot: building the blob failed:" >&2
  cat "$work/log" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
mv "$work/clp.blob" "$out"
