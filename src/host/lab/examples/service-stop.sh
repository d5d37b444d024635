#!/bin/sh
# Nothing to do: the runtime ends what is left of the start script's process group.
# A file named "stop-fails" in the lab directory makes it fail (tests of seed §10.4).
[ -e "$PAIRHA_ROOT/../stop-fails" ] && { echo "stop fails on purpose"; exit 1; }
echo "stop ($CLP_EVENT) on $CLP_SERVERNAME"
