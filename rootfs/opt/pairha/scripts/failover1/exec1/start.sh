#!/bin/sh
# exec1 of the example group failover1: a small web service the client reaches on the
# floating IP; its page names the server it runs on.
www=/run/pairha-exec1
mkdir -p "$www"
echo "pairha $(hostname)" > "$www/index.html"
exec start-stop-daemon -S -b -m -p "$www.pid" -x /bin/busybox -- httpd -f -p 80 -h "$www"
