#!/bin/sh
# A start or stop script the campaign makes slow: sleeps as many seconds as the lab's "slow"
# file holds (none when there is no such file).
f="$PAIRHA_ROOT/../slow"
[ -e "$f" ] && sleep "$(cat "$f")"
exit 0
