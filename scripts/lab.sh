#!/usr/bin/env bash
# The main job until the appliance image exists: a two-server lab on this machine.
# Starts it, shows clpstat from both servers, and keeps it until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
pairha() { node dist/host/pairha-host.js "$@"; }
pairha lab down
trap 'echo; echo "stopping the lab"; pairha lab down' EXIT
pairha lab up "$@"
for s in server1 server2; do
  echo "--- clpstat on $s"
  pairha lab run "$s" -- clpstat
  pairha lab run "$s" -- clpstat -n
done
cat <<'TXT'
The lab is up. In another terminal, try for example:
  node dist/host/pairha-host.js lab cut lanhb1      # then: lab run server1 -- clpstat -n
  node dist/host/pairha-host.js lab kill server2    # then: lab run server1 -- clpalert
Press Ctrl-C to stop the lab.
TXT
while true; do sleep 3600; done
