#!/usr/bin/env bash
# Builds the runtime's native addons (N-API, so one build serves every Node >= 20) into
# dist/native/.
# Headers come with Node itself; no download, no node-gyp.
set -euo pipefail
cd "$(dirname "$0")/.."
inc=""
for d in "$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")/include/node" /usr/include/node /usr/local/include/node; do
  [ -f "$d/node_api.h" ] && { inc=$d; break; }
done
[ -n "$inc" ] || { echo "build-native: node_api.h not found (Node's headers)" >&2; exit 1; }
mkdir -p dist/native
for src in native/*/*.c; do
  name=$(basename "$(dirname "$src")")
  out=dist/native/$name.node
  [ "$out" -nt "$src" ] && continue
  gcc -O2 -Wall -Wextra -Werror -std=gnu11 -fPIC -shared -fvisibility=hidden \
    -DNAPI_VERSION=8 -DNODE_GYP_MODULE_NAME="$name" -I"$inc" -o "$out" "$src"
done
