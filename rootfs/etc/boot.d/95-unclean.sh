# After an unclean end (a reset by softdog or by the mirror driver, a panic, a power cut) the
# cluster services wait one heartbeat timeout: a reset can be quicker than the peer's timeout,
# and the peer must see this server down and take its groups over before it returns.
# The timeout comes from 45-settings.sh. The marker lives on /config and is removed by a clean
# shutdown (rcK).
marker=/config/work/running
if [ -e "$marker" ]; then
  wait_s=$(( (PAIRHA_HB_TIMEOUT + 999) / 1000 + 5 ))
  boot_log "the last run did not end with a shutdown: cluster services wait ${wait_s} s for the peer to take over"
  sleep "$wait_s"
fi
touch "$marker" && sync
