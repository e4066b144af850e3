#!/usr/bin/env bash
# Scenario: the service's own life cycle. `tlsward service install` creates
# it (configuration, event source, Parameters), it runs and says so (1000),
# reports its own memory in Status (PrivateBytes, WorkingSet, shown by
# `tlsward status`), stops cleanly (1001), `service stop` returns only once
# its process has exited, and `service uninstall` removes it and the event
# source.
. "$(dirname "$0")/lib.sh" "$@"

K_SVC='SYSTEM\CurrentControlSet\Services\tlsward'

# status_qword NAME: the REG_QWORD Status value NAME in decimal, from a
# regedit export (Wine's reg.exe does not print a REG_QWORD's data), or
# "absent" when it is absent or of another type.
status_qword()
{
	local hex

	hex=$(reg_dump "$K_STATUS" |
		sed -nE "s/^\"$1\"=hex\\(b\\):(([0-9a-f]{2},){7}[0-9a-f]{2})\$/\\1/p")
	[ -n "$hex" ] || {
		echo absent
		return 0
	}
	printf '%d\n' "0x$(tr ',' '\n' <<<"$hex" | tac | tr -d '\n')"
}

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

log "Status: the service process's memory, and \`tlsward status\` shows it"
check_now_and_wait 30
svc=$(service_pids | head -n 1)
[ -n "$svc" ] || fail "no tlsward.exe service process"
pb=$(status_qword PrivateBytes) ws=$(status_qword WorkingSet)
assert_match '^[0-9]+$' "$pb" "Status\\PrivateBytes, a REG_QWORD"
assert_match '^[0-9]+$' "$ws" "Status\\WorkingSet, a REG_QWORD"
pb_kib=$((pb / 1024)) ws_kib=$((ws / 1024))
# Under Wine both are Linux's figures for the process (RssAnon + VmSwap,
# VmRSS): the same order as /proc's now, a pass later.
anon=$(awk '$1 == "RssAnon:" { print $2 }' "/proc/$svc/status")
rss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$svc/status")
log "PrivateBytes $pb_kib KiB (RssAnon $anon KiB), WorkingSet $ws_kib KiB (VmRSS $rss KiB)"
assert_ge $((anon / 2)) "$pb_kib" "PrivateBytes in KiB against RssAnon/2"
assert_le $((anon * 2)) "$pb_kib" "PrivateBytes in KiB against 2 RssAnon"
assert_ge $((rss / 2)) "$ws_kib" "WorkingSet in KiB against VmRSS/2"
assert_le $((rss * 2)) "$ws_kib" "WorkingSet in KiB against 2 VmRSS"
run_cli status
assert_eq 0 "$RC" "exit code of tlsward status"
assert_match "^private bytes +$pb_kib KiB \([0-9]+\.[0-9] MiB\)$" \
	"$(grep '^private bytes' <<<"$OUT")" "tlsward status: private bytes"
assert_match "^working set +$ws_kib KiB \([0-9]+\.[0-9] MiB\)$" \
	"$(grep '^working set' <<<"$OUT")" "tlsward status: working set"
run_cli status --format json
assert_match "\"PrivateBytes\": $pb[,}]" "$OUT" \
	"tlsward status --format json: PrivateBytes in bytes"
assert_match "\"WorkingSet\": $ws[,}]" "$OUT" \
	"tlsward status --format json: WorkingSet in bytes"

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
