# Shared by the clusterpro* service scripts: the one runtime process and its roles.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:/opt/pairha/bin
PAIRHA_APP=/opt/pairha/lib/pairha
RUNTIME_PID=/opt/pairha/run/pairha.pid
ROLES=/run/pairha/roles

runtime_pid() { [ -f "$RUNTIME_PID" ] && kill -0 "$(cat "$RUNTIME_PID")" 2>/dev/null && cat "$RUNTIME_PID"; }

# The runtime process, with the cluster daemon stopped: the `clusterpro` service starts
# that, so disabling it leaves only the other roles (the mirror agent) running (§11.8.1).
runtime_start() {
  [ -n "$(runtime_pid)" ] && return 0
  # The runtime in one file (scripts/build-cli.js) when built, else its compiled modules.
  js=$PAIRHA_APP/dist/runtime/pairha-runtime.js
  [ -f "$js" ] || js=$PAIRHA_APP/dist/runtime/main.js
  # The message files on /config (seed §12.3), re-read at each cluster daemon start.
  PAIRHA_MESSAGES=/opt/pairha/messages PAIRHA_SERVER=$(hostname) PAIRHA_DAEMON=stopped setsid node "$js" \
    </dev/null >>/opt/pairha/log/pairha.log 2>&1 &
  child=$!
  for i in $(seq 1 150); do
    [ -S /opt/pairha/run/pairha.sock ] && [ -n "$(runtime_pid)" ] && return 0
    kill -0 "$child" 2>/dev/null || break
    sleep 0.2
  done
  echo "$SERVICE: the runtime did not start; see /opt/pairha/log/pairha.log" >&2
  return 1
}

runtime_stop() {
  pid=$(runtime_pid) || return 0
  kill -TERM "$pid"
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
}

role_on() { mkdir -p "$ROLES" && touch "$ROLES/$1"; }
role_off() { rm -f "$ROLES/$1"; }
role_status() { if [ -e "$ROLES/$1" ]; then echo "$SERVICE: running"; else echo "$SERVICE: stopped"; return 3; fi; }

# service_main ACTION: dispatch to start_role/stop_role of the sourcing script.
service_main() {
  case $1 in
    start) # syslog shows the seed's start-up lines (§11.1 (8)/(9))
      logger -t "$SERVICE" "Starting $DESCRIPTION:"
      if start_role && role_on "$SERVICE"; then logger -t rc "Starting $SERVICE: succeeded"; echo "Starting $SERVICE: succeeded"
      else logger -t rc "Starting $SERVICE: failed"; echo "Starting $SERVICE: failed"; return 1; fi ;;
    stop) echo "Stopping $SERVICE"; stop_role; role_off "$SERVICE" ;;
    restart) "$0" stop; "$0" start ;;
    status) role_status "$SERVICE" ;;
    *) echo "usage: $SERVICE start|stop|restart|status" >&2; return 2 ;;
  esac
}
