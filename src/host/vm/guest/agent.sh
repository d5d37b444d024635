#!/bin/sh
# Host command loop on ttyS1. Request: "C <id> <base64 of a shell script>".
# Reply: "@@OUT <id>", the script's output, then "@@RC <id> <exit code>".
echo "@@READY"
while read -r tag id b64; do
  [ "$tag" = C ] || continue
  echo "$b64" | base64 -d > /tmp/cmd.sh
  sh /tmp/cmd.sh > /tmp/out 2>&1 < /dev/null
  rc=$?
  echo "@@OUT $id"
  cat /tmp/out
  echo
  echo "@@RC $id $rc"
done
