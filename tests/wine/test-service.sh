#!/usr/bin/env bash
# Scenario: the service's own life cycle. `tlsward service install` creates
# it (configuration, event source, Parameters), it runs and says so (1000),
# stops cleanly (1001), `service stop` returns only once its process has
# exited, and `service uninstall` removes it and the event source.
. "$(dirname "$0")/lib.sh" "$@"

K_SVC='SYSTEM\CurrentControlSet\Services\tlsward'

boot_prefix win10
put_policy enforce.yaml
install_service
assert_eq RUNNING "$(svc_state)" "sc query tlsward after install and start"

log "service configuration"
assert_match 'tlsward\.exe"? +service run$' "$(reg_sz "$K_SVC" ImagePath)" \
	"ImagePath runs 'tlsward.exe service run'"
assert_eq 0x2 "$(reg_dword "$K_SVC" Start)" "Start (auto start)"
assert_eq "tlsward TLS 1.2 remediation" "$(reg_sz "$K_SVC" DisplayName)" \
	"DisplayName"
assert_ne absent "$(reg_sz "$K_SVC" Description)" "service description"
assert_eq "$POLICY_WIN" "$(reg_sz "$K_PARAMS" PolicyPath)" \
	"Parameters\\PolicyPath"
assert_match 'tlsward\.exe' "$(reg_sz "$K_EVENTSRC" EventMessageFile)" \
	"event source EventMessageFile"
assert_eq 0x7 "$(reg_dword "$K_EVENTSRC" TypesSupported)" \
	"event source TypesSupported"
[ -d "$DATA_UNIX" ] || fail "$DATA_WIN was not created"

log "event 1000 (mirror and event log)"
wait_event 1000 20
line=$(events 1000 | head -n 1)
assert_eq information "$(json_field level <<<"$line")" "level of event 1000"
assert_eq service_started "$(json_field event <<<"$line")" "name of event 1000"
assert_match 'policy\.yaml' "$line" "event 1000 names the policy"
wait_trace 1000 information 10

log "stop"
stop_service
wait_event 1001 10
assert_eq 1 "$(event_count 1000)" "events 1000 after one start"
wait_trace 1001 information 10

log "start again; \`service stop\` returns once the process has exited"
start_service
wait_event 1000 20 . 2
[ -n "$(service_pids)" ] || fail "no tlsward.exe process while RUNNING"
out=$(tlsward service stop 2>&1) || fail "service stop exited $?: $out"
assert_match 'service stopped' "$out" "message of service stop"
assert_eq STOPPED "$(svc_state)" "state right after service stop"
assert_eq "" "$(service_pids)" "tlsward.exe processes right after service stop"
wait_event 1001 10 . 2
out=$(tlsward service stop 2>&1) ||
	fail "service stop of a stopped service exited $?: $out"

log "\`service stop\` right after a start (the service may still be starting)"
wine sc start tlsward >/dev/null 2>&1 || true
out=$(tlsward service stop 2>&1) ||
	fail "service stop right after a start exited $?: $out"
assert_eq STOPPED "$(svc_state)" "state after service stop of a starting service"
assert_eq "" "$(service_pids)" "tlsward.exe processes after that stop"

log "uninstall"
out=$(tlsward service uninstall 2>&1) || fail "service uninstall exited $?: $out"
assert_eq ABSENT "$(svc_state)" "sc query tlsward after uninstall"
key_exists "$K_EVENTSRC" && fail "the event source key is still there after uninstall"
key_exists "$K_SVC" && fail "the service key is still there after uninstall"

out=$(tlsward service uninstall 2>&1) || true
assert_match 'not installed' "$out" "message of a second uninstall (nothing to remove)"
out=$(tlsward service stop 2>&1) || fail "service stop when not installed exited $?: $out"
assert_match 'not installed' "$out" "message of service stop when not installed"
pass
