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
  echo "Figures are recorded here, never asserted in tests."
  echo
  echo "## Membership (issue 2): \`npx tsx bench/membership.ts\`"
  echo
  npx tsx bench/membership.ts
} > "$out"
mv "$out" docs/performance.md
cat docs/performance.md
