#!/usr/bin/env bash
# Runs the benchmarks and rewrites docs/performance.md with their results.
# Not part of the tests: figures are recorded, not asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
out=$(mktemp)
{
  echo "# Performance"
  echo
  echo "Measured by \`npm run bench\` (scripts/bench.sh) on $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -r), node $(node --version)."
  echo "Figures are recorded here, never asserted in tests. The mirror driver against DRBD (issue 4):"
  echo "[performance-liscal.md](performance-liscal.md) (\`npm run bench:liscal\`)."
  echo
  echo "## Membership (issue 2): \`npx tsx bench/membership.ts\`"
  echo
  npx tsx bench/membership.ts
  echo
  echo "The runtime runs SCHED_RR (\`rt_priority\`, default 10). The lab's COM cable is a socat relay at normal"
  echo "priority, so under load a COM heartbeat can miss its 300 ms; a real null-modem cable has no relay."
  echo
  echo "## Failover (issue 3): \`npx tsx bench/failover.ts\`"
  echo
  echo "The active box loses power (every process of its namespace SIGKILLed, its floating address gone at"
  echo "once); timed until the client, polling TCP every 5 ms, is answered by the other box. Both systems"
  echo "announce the address with gratuitous ARP."
  echo
  npx tsx bench/failover.ts
} > "$out"
mv "$out" docs/performance.md
cat docs/performance.md
