#!/bin/sh
# Post-build of the appliance root tree, run by Buildroot (BR2_ROOTFS_POST_BUILD_SCRIPT, with
# TARGET_DIR as $1) and by image/build.sh on its staging tree. Expects the rootfs/ overlay
# and the runtime (/opt/pairha/lib/pairha) to be in place already.
#  - the writable directories of seed §7 live on the config partition (/config): the
#    overlay's versions become factory defaults, copied there at first boot;
#  - the clp* commands: links in /opt/pairha/bin and /usr/sbin (seed §7 (14));
#  - every service enabled by default, in the seed's order (chkconfig's links).
set -eu
t=${1:?usage: post-build.sh TARGET_DIR}
opt=$t/opt/pairha
factory=$t/usr/share/pairha/factory

mkdir -p "$factory" "$opt/bin" "$t/usr/sbin" "$t/config"
for d in etc license scripts; do
  mkdir -p "$opt/$d"
  if [ -d "$opt/$d" ] && [ ! -L "$opt/$d" ]; then rm -rf "${factory:?}/${d:?}"; mv "$opt/$d" "$factory/$d"; fi
done
for d in etc license scripts log alert work tmp; do
  rm -rf "${opt:?}/${d:?}"; ln -s "/config/$d" "$opt/$d"
done
rm -rf "$opt/run"; ln -s /run/pairha "$opt/run"
for d in webmgr drivers; do mkdir -p "$opt/$d"; done
# The message files are editable (seed §12.3): on /config, the shipped ones as factory defaults.
rm -rf "$opt/messages" "${factory:?}/messages"; cp -a "$opt/lib/pairha/messages" "$factory/messages"; ln -s /config/messages "$opt/messages"
rm -rf "$t/etc/rc.d"; ln -s /config/rc.d "$t/etc/rc.d"

# clp* commands: one per compiled command module, linked to the command's own entry point
# (scripts/build-cli.js: one bundled file, run by its #! line), else to the wrapper.
for js in "$opt"/lib/pairha/dist/cli/commands/clp*.js; do
  [ -f "$js" ] || continue
  name=$(basename "$js" .js)
  if [ -x "$opt/lib/pairha/dist/cli/bin/$name.js" ]; then ln -sf "../lib/pairha/dist/cli/bin/$name.js" "$opt/bin/$name"
  else ln -sf pairha "$opt/bin/$name"; fi
  ln -sf "/opt/pairha/bin/$name" "$t/usr/sbin/$name"
done
ln -sf /opt/pairha/bin/pairha "$t/usr/sbin/pairha"

# Factory service links: all enabled, S<order><name>.
rm -rf "$factory/rc.d"; mkdir -p "$factory/rc.d"
awk '!/^#/ && NF { print $2, $1 }' "$t/etc/pairha/services" | while read -r order name; do
  ln -s "/etc/init.d/$name" "$factory/rc.d/S$order$name"
done
