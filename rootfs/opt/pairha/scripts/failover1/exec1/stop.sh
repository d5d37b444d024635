#!/bin/sh
# exec1 of the example group failover1: stop the web service (nothing to do when not running).
start-stop-daemon -K -q -p /run/pairha-exec1.pid
rm -f /run/pairha-exec1.pid
exit 0
