#!/bin/sh
# exec1 of the example group failover1: stop the web service (nothing to do when not running)
# and wait for it to be gone, so that md1 (its document root) can be unmounted next.
exec sh /opt/pairha/lib/sh/stop-pidfile.sh /run/pairha-exec1.pid
