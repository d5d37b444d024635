# The values the next steps need (PAIRHA_* below), read once by the product's own reader
# (`pairha config export-sh`, after the import and the hostname). A missing or invalid
# clp.conf: the console says why and the steps get the schema's defaults and no heartbeat.
settings=/config/tmp/settings.sh
if ! errors=$(pairha config export-sh 2>&1 >"$settings"); then
  boot_warn "clp.conf not used, defaults instead: $errors"
fi
# shellcheck source=/dev/null
. "$settings"
[ -n "${PAIRHA_CONFIG_OK:-}" ] || boot_warn "no settings: pairha config export-sh did not run"
