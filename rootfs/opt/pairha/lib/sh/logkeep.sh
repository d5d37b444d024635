#!/bin/sh
# The log keeper (docs/logs.md): every 2 s puts what syslogd and the runtime wrote on the
# config partition (syncfs: a power cut loses at most the last 2 s), and rotates a log over
# its cap: FILE.0 newest ... FILE.<keep-1> oldest. syslogd reopens its file every second, so
# it is moved; the runtime keeps its file open for appending, so it is copied then truncated.
dir=${1:?usage: logkeep.sh DIR [once]}
# file          cap_kib  keep  how
rules='messages      512      4     move
pairha.log    1024     3     copy'

rotate() { # file keep how
  i=$(($2 - 1))
  while [ "$i" -gt 0 ]; do
    [ -f "$1.$((i - 1))" ] && mv -f "$1.$((i - 1))" "$1.$i"
    i=$((i - 1))
  done
  if [ "$3" = move ]; then mv -f "$1" "$1.0"; else cp "$1" "$1.0" && : > "$1"; fi
}

tick() {
  echo "$rules" | while read -r file cap keep how; do
    f=$dir/$file
    if [ -f "$f" ] && [ "$(wc -c < "$f")" -gt $((cap * 1024)) ]; then rotate "$f" "$keep" "$how"; fi
  done
  sync -f "$dir"
}
[ "${2:-}" = once ] && { tick; exit 0; }
while :; do tick; sleep 2; done
