#!/bin/sh
# The campaign's writer (writer.ts): fsync'ed numbered records in the lab's shared data
# directory, each acknowledged to the client over the floating address, port 8081.
here=$(dirname "$0")
exec node "$here/../../../../dist/host/lab/examples/writer.js" "$PAIRHA_ROOT/../data/records" 10.77.1.50 8081
