#!/bin/sh
# Stop the daemon of pid file $1 and wait up to 10 s for it to be gone (then SIGKILL), so the
# group's next resource (md1's unmount) never finds it running. Nothing to do when it is not
# running; exits 0 (a resource stop script of the example groups and the campaign's writer).
pidf=$1
pid=$(cat "$pidf" 2>/dev/null)
start-stop-daemon -K -q -p "$pidf"
i=0
while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.2; i=$((i+1)); done
[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
rm -f "$pidf"
exit 0
