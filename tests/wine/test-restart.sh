#!/usr/bin/env bash
# Scenario: the restart a change owes (on this Windows 10 prefix the .NET
# values; later a DefaultSecureProtocols drift, healed in the same boot). With
# restart.mode schedule and a window covering now, event 3000 comes exactly
# once and Status keeps RestartPending, RestartTime and RestartBootId; a
# service restart neither forgets it nor schedules a second one; after a
# reboot (the Wine session restarted) the owed restart is cleared.
. "$(dirname "$0")/lib.sh" "$@"

boot_prefix win10
# A window from an hour ago to two hours ahead (local time; Wine's is the
# host's).
now=$((10#$(date +%H) * 60 + 10#$(date +%M)))
from=$(((now + 1440 - 60) % 1440))
to=$(((now + 120) % 1440))
window=$(printf '%02d:%02d-%02d:%02d' $((from / 60)) $((from % 60)) \
	$((to / 60)) $((to % 60)))
sed -e 's/^  mode: never/  mode: schedule/' \
	-e "/^  mode: schedule/a\\  window: \"$window\"\\n  grace: 10m\\n  message: \"tlsward test restart\"" \
	"$WINE_DATA/enforce.yaml" | put_policy -
grep -q "window: \"$window\"" "$POLICY_UNIX" || fail "could not write the restart policy"

install_service
wait_event 3000 30
wait_dword "$K_STATUS" RestartPending 64 0x1 10
when=$(reg_sz "$K_STATUS" RestartTime)
assert_match '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "$when" "Status RestartTime"
boot=$(reg_sz "$K_STATUS" RestartBootId)
assert_ne absent "$boot" "Status RestartBootId"
line=$(events 3000)
assert_eq "$when" "$(json_field restart_time <<<"$line")" \
	"restart_time of the 3000 event (the same as Status RestartTime)"
wait_trace 3000 information 10

log "no second 3000: check now, drift, service restart"
check_now
reg_set "$K_WINHTTP" DefaultSecureProtocols REG_DWORD 0xa0 32
wait_dword "$K_WINHTTP" DefaultSecureProtocols 32 0xaa0 10
stop_service
start_service
wait_event 1000 20 . 2
check_now_and_wait
assert_eq 1 "$(event_count 3000)" "3000 events for one owed restart"
assert_eq 0x1 "$(reg_dword "$K_STATUS" RestartPending)" \
	"Status RestartPending after a service restart"
assert_eq "$when" "$(reg_sz "$K_STATUS" RestartTime)" \
	"Status RestartTime after a service restart"
assert_eq "$boot" "$(reg_sz "$K_STATUS" RestartBootId)" \
	"Status RestartBootId after a service restart"

log "reboot: the owed restart is done"
stop_service
reboot_prefix
svc=$(svc_state)
[ "$svc" = RUNNING ] || start_service
wait_event 1000 30 . 3
wait_dword "$K_STATUS" RestartPending 64 0x0 20
assert_eq absent "$(reg_sz "$K_STATUS" RestartTime)" \
	"Status RestartTime after the reboot"
assert_match 'restarted' "$(events 1000 | tail -n 1)" \
	"the 1000 event after the reboot says the owed restart happened"
check_now_and_wait
assert_eq 1 "$(event_count 3000)" "3000 events after the reboot (nothing new owed)"
assert_eq 0xaa0 "$(reg_dword "$K_WINHTTP" DefaultSecureProtocols 32)" \
	"DefaultSecureProtocols (32-bit view, healed before the reboot) after the reboot"
pass
