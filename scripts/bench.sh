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
  echo "## Failover (issues 3 and 16): \`scripts/bench.sh failover\`"
  echo
  cat <<'EOF'
pairha and keepalived run side by side in the same lab namespaces, each at its best for fast
failover: pairha at heartbeat 100/300 ms with a floating IP and the service as an exec resource;
keepalived with VRRPv3, advert_int 0.1, both BACKUP with nopreempt, one gratuitous ARP at once
(vrrp_garp_master_delay 0, vrrp_garp_master_repeat 1) and the runtime's SCHED_RR priority 10
(vrrp_rt_priority). Each cut powers off the box holding both floating addresses (every process of
its namespace SIGKILLed and both addresses deleted within a millisecond), so both systems fail over
at the same moment under the same load; the next cut is of the other box. Probes from the client
namespace, the same for both: ICMP every 20 ms (the client's neighbour cache flushed once the cut
box is gone, so the client has to learn the new holder's MAC) and a TCP connect every 5 ms that the
service answers with its box's name. By hand: `PAIRHA_LAB_NS=<yours> SHOW_CONF=1
CONF=failover-lan.conf npx tsx bench/failover.ts` and `PAIRHA_LAB_NS=<yours> npx tsx
bench/failover.ts` (TRIALS=20 cuts, MOVES=10 by default). A third run, failover-lan-ip.conf,
gives pairha keepalived's arrangement of the service: it runs on both boxes all along and only
the floating IP moves (the group holds fip1 alone).
EOF
  echo
  SHOW_CONF=1 CONF=failover-lan.conf npx tsx bench/failover.ts
  echo
  npx tsx bench/failover.ts
  echo
  SHOW_CONF=1 CONF=failover-lan-ip.conf npx tsx bench/failover.ts
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
