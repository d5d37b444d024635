#!/usr/bin/env bash
# Runs benchmarks and rewrites their sections of docs/performance.md (each between
# <!-- bench:NAME --> markers, so one benchmark never erases another's figures).
# Usage: scripts/bench.sh [NAME...]   (default: membership failover; the qemu ones by name:
# bench/NAME.ts or bench/NAME/run.ts)
# Not part of the tests: figures are recorded, not asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
doc=docs/performance.md

section() { # name, then the command printing the section
  local name=$1; shift
  local out; out=$(mktemp)
  "$@" > "$out"
  node scripts/doc-section.js "$doc" "$name" < "$out"
  rm -f "$out"
  echo "bench: $name written to $doc"
}

membership() {
  echo "## Membership (issue 2): \`npx tsx bench/membership.ts\`"
  echo
  echo "Measured on $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -r), node $(node --version)."
  echo
  npx tsx bench/membership.ts
  echo
  echo "The runtime runs SCHED_RR (\`rt_priority\`, default 10). The lab's COM cable is a socat relay at normal"
  echo "priority, so under load a COM heartbeat can miss its 300 ms; a real null-modem cable has no relay."
}

failover() {
  echo "## Failover (issue 3): \`npx tsx bench/failover.ts\`"
  echo
  echo "Measured on $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -r), node $(node --version)."
  echo "The active box loses power (every process of its namespace SIGKILLed, its floating address gone at"
  echo "once); timed until the client, polling TCP every 5 ms, is answered by the other box. Both systems"
  echo "announce the address with gratuitous ARP."
  echo
  npx tsx bench/failover.ts
}

names=("$@")
[ ${#names[@]} -gt 0 ] || names=(membership failover)
for n in "${names[@]}"; do
  case $n in
    membership|failover) section "$n" "$n" ;;
    *) f=bench/$n.ts; [ -f "$f" ] || f=bench/$n/run.ts
       [ -f "$f" ] || { echo "bench: no benchmark '$n' (bench/$n.ts or bench/$n/run.ts)" >&2; exit 2; }
       section "$n" npx tsx "$f" ;;
  esac
done
