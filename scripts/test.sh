#!/usr/bin/env bash
# Runs every test: unit tests in parallel, then the lab tests one at a time (they share
# the lab's namespaces), then the VM tests one at a time. Ends with a "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1

out=$(mktemp -d)
status=0
run() { # name, tap args...
  local name=$1; shift
  npx tap --disable-coverage --reporter=tap "$@" > "$out/$name.tap" 2>&1
  local rc=$?
  cat "$out/$name.tap"
  [ $rc -eq 0 ] || status=1
}
run unit --jobs=2 --timeout=300 'test/unit/**/*.test.ts'
if compgen -G 'test/lab/*.test.ts' >/dev/null; then
  run lab --jobs=1 --timeout=900 'test/lab/**/*.test.ts'
fi
if compgen -G 'test/vm/*.test.ts' >/dev/null; then
  # One VM file at a time: two at once (four TCG boxes on two cores) saved a quarter of the
  # time but made a failover miss its deadline once. What they share is built here first:
  # the liscal module, the image (only as root with qemu, as the VM tests themselves; they
  # say why they skip).
  if [ "$(id -u)" = 0 ] && command -v qemu-system-x86_64 >/dev/null; then
    { compgen -G '/usr/src/linux-headers-*-amd64' >/dev/null && make -s -C kmod; node dist/host/pairha-host.js pair image; } \
      || echo "test.sh: building the liscal module or the image failed; the VM tests will say more" >&2
  fi
  run vm --jobs=1 --timeout=2400 'test/vm/**/*.test.ts'
fi

# Top-level test points of each file: "ok N - file" / "not ok N - file".
node scripts/tap-summary.js "$out"/*.tap
exit $status
