#!/bin/sh
# The campaign's writer (writer.js): fsync'ed records on md1, acknowledged over the floating IP.
exec start-stop-daemon -S -b -m -p /run/pairha-writer.pid -x /usr/bin/node -- /opt/pairha/scripts/campaign/writer/writer.js /mnt/md1/campaign 7070
