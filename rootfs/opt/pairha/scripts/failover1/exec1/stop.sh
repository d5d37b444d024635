#!/bin/sh
# exec1 of the example group failover1: stop the web service (nothing to do when not running)
# and wait for it to be gone, so that md1 (its document root) can be unmounted next.
pidf=/run/pairha-exec1.pid
pid=$(cat "$pidf" 2>/dev/null)
start-stop-daemon -K -q -p "$pidf"
i=0
while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.2; i=$((i+1)); done
[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
rm -f "$pidf"
exit 0
