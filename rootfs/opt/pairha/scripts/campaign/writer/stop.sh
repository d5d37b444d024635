#!/bin/sh
# Stop the writer and wait for it to be gone, so that md1 can be unmounted next.
pidf=/run/pairha-writer.pid
pid=$(cat "$pidf" 2>/dev/null)
start-stop-daemon -K -q -p "$pidf"
i=0
while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.2; i=$((i+1)); done
[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
rm -f "$pidf"
exit 0
