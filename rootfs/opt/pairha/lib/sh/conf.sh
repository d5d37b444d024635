# Reading clp.conf (INI) from shell: the boot steps need a few keys before node runs.
PAIRHA_CONF=${PAIRHA_CONF:-/opt/pairha/etc/clp.conf}
# conf_get SECTION KEY DEFAULT: the value of KEY in [SECTION], or DEFAULT.
conf_get() {
  awk -v sec="[$1]" -v key="$2" -v def="$3" '
    /^[ \t]*[;#]/ { next }
    /^[ \t]*\[/ { gsub(/^[ \t]+|[ \t]+$/, ""); insec = ($0 == sec); next }
    insec { i = index($0, "="); if (!i) next
      k = substr($0, 1, i - 1); v = substr($0, i + 1)
      gsub(/^[ \t]+|[ \t]+$/, "", k); gsub(/^[ \t]+|[ \t]+$/, "", v)
      if (k == key) { print v; found = 1; exit } }
    END { if (!found) print def }' "$PAIRHA_CONF" 2>/dev/null || echo "$3"
}
# conf_lan_addresses SERVER: "heartbeat address" per LAN heartbeat, in configuration order.
conf_lan_addresses() {
  awk -v me="$1" '
    /^[ \t]*[;#]/ { next }
    /^[ \t]*\[/ { name = ""; if (match($0, /\[heartbeat [^]]+\]/)) { name = substr($0, RSTART + 11, RLENGTH - 12); order[++n] = name }; next }
    name != "" { i = index($0, "="); if (!i) next
      k = substr($0, 1, i - 1); v = substr($0, i + 1)
      gsub(/^[ \t]+|[ \t]+$/, "", k); gsub(/^[ \t]+|[ \t]+$/, "", v)
      if (k == "type") type[name] = v; if (k == me) addr[name] = v }
    END { for (j = 1; j <= n; j++) if (type[order[j]] == "lanhb" && addr[order[j]] != "") print order[j], addr[order[j]] }' "$PAIRHA_CONF"
}
