#!/bin/sh
# The lab's service: answers every TCP connection on the floating address, port 8080,
# with the name of the server it runs on. Runs as an asynchronous exec resource.
# A file named "broken" in the lab directory makes it die at once (tests of recovery).
[ -e "$PAIRHA_ROOT/../broken" ] && exit 1
exec socat TCP-LISTEN:8080,bind=10.77.1.50,reuseaddr,fork SYSTEM:"echo $CLP_SERVERNAME"
