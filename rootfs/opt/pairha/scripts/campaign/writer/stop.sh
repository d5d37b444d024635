#!/bin/sh
# Stop the writer and wait for it to be gone, so that md1 can be unmounted next.
exec sh /opt/pairha/lib/sh/stop-pidfile.sh /run/pairha-writer.pid
