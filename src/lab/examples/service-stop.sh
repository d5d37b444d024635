#!/bin/sh
# Nothing to do: the runtime ends what is left of the start script's process group.
echo "stop ($CLP_EVENT) on $CLP_SERVERNAME"
