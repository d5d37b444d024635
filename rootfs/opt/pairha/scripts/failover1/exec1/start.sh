#!/bin/sh
# exec1 of the example group failover1: a small web service the client reaches on the
# floating IP. It serves the mirror disk md1 (/mnt/md1/www), so what was written there on
# one server is served after a failover by the other; its index page names the server.
www=/mnt/md1/www
mkdir -p "$www"
echo "pairha $(hostname)" > "$www/index.html"
exec start-stop-daemon -S -b -m -p /run/pairha-exec1.pid -x /bin/busybox -- httpd -f -p 80 -h "$www"
