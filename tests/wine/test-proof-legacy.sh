#!/usr/bin/env bash
# Scenario: legacy-off waits for the proof on the wire. A policy turns TLS
# 1.0 off and lists one endpoint whose TLS 1.2 server is not up yet: the
# service does everything else, leaves TLS 1.0 alone and says why (event
# 4001, Status, `tlsward check`), through the owed restart (a simulated
# reboot) as well. Once the server is up and the service's probe succeeds
# in this boot, TLS 1.0 is turned off; then a new process cannot reach a
# TLS 1.0-only server and still reaches the TLS 1.2 one.
. "$(dirname "$0")/lib.sh" "$@"
. "$(dirname "$0")/proof-lib.sh"

boot_prefix win10
start_tls_server tls10 -tls1 -cipher 'DEFAULT:@SECLEVEL=0'
URL10="https://127.0.0.1:$TLS_PORT/"
free_port
PORT12=$FREE_PORT
URL12="https://127.0.0.1:$PORT12/SMS_MP/.sms_aut?mplist"

put_legacy_off_policy "$URL12" 1h

log "the proof fails (no TLS 1.2 server yet): TLS 1.0 stays on"
install_service
wait_event 4001 60
line=$(events 4001)
assert_eq "$URL12" "$(json_field endpoint <<<"$line")" "endpoint of event 4001"
assert_match 'could not connect' "$(json_field reason <<<"$line")" "reason of event 4001"
assert_match 'not turned off until a proof succeeds' \
	"$(json_field in_force <<<"$line")" "consequence in event 4001"
wait_trace 4001 warning 10
assert_eq 0x0 "$(reg_dword "$K_STATUS" Proven)" "Status Proven while the proof fails"
assert_match "^failed: " "$(reg_sz "$K_STATUS" ProofResult)" "Status ProofResult"
assert_eq absent "$(reg_dword "$K_TLS10_CLIENT" Enabled)" "TLS 1.0 Client Enabled while the proof fails"
# The rest is applied: on Windows 10 that is the .NET values (SChannel's
# TLS 1.2 is on by default there).
assert_eq 0x1 "$(reg_dword "$K_NET4" SchUseStrongCrypto 64)" "SchUseStrongCrypto (the rest is applied)"

log "the owed restart (simulated reboot): still no proof, still TLS 1.0"
stop_service
reboot_prefix
[ "$(svc_state)" = RUNNING ] || start_service
wait_event 1000 30 . 2
wait_dword "$K_STATUS" RestartPending 64 0x0 30
run_cli check --policy "$POLICY_WIN"
assert_eq 1 "$RC" "tlsward check exit code while the proof fails: $OUT"
assert_match 'deferred \(legacy step waits for a TLS 1.2 proof on the wire since this boot: https://127\.0\.0\.1:[0-9]+/SMS_MP/\.sms_aut\?mplist: WinHTTP: could not connect' \
	"$OUT" "tlsward check says why TLS 1.0 stays on"
sleep 3
assert_eq absent "$(reg_dword "$K_TLS10_CLIENT" Enabled)" "TLS 1.0 Client Enabled after the reboot"
assert_eq 1 "$(event_count 4001)" "4001 events for one failing outcome (reboot included)"

log "the TLS 1.2 server comes up; the service's next probe proves it"
TLS_PORT_WANT=$PORT12 start_tls_server tls12 -tls1_2
stop_service
start_service
wait_event 4000 60
wait_dword "$K_TLS10_CLIENT" Enabled 64 0x0 30
assert_eq 0x1 "$(reg_dword "$K_TLS10_CLIENT" DisabledByDefault)" "TLS 1.0 Client DisabledByDefault"
assert_eq 0x1 "$(reg_dword "$K_STATUS" Proven)" "Status Proven"
events 2002 'TLS 1\.0' | grep -q . || fail "no 2002 event for the TLS 1.0 change"

log "TLS 1.0 is off for a new process: the TLS 1.0-only server is cut off"
run_cli probe "$URL10"
assert_eq 1 "$RC" "probe of the TLS 1.0-only server: $OUT"
assert_match 'SChannel +protocol ' "$OUT" "SChannel against the TLS 1.0-only server"
run_cli probe "$URL12"
assert_eq 0 "$RC" "probe of the TLS 1.2 server: $OUT"
assert_match 'proven \(tls1\.2\)' "$OUT" "probe verdict for the TLS 1.2 server"

log "a reboot without a proof: TLS 1.0 turned back on is not turned off again"
stop_tls_server_on "$PORT12"
stop_service
reboot_prefix
[ "$(svc_state)" = RUNNING ] || start_service
wait_event 4001 60 . 2
reg_set "$K_TLS10_CLIENT" Enabled REG_DWORD 1
sleep 3
check_now
sleep 3
assert_eq 0x1 "$(reg_dword "$K_TLS10_CLIENT" Enabled)" \
	"TLS 1.0 Client Enabled set back by hand, without a proof in this boot"
run_cli check --policy "$POLICY_WIN"
assert_match 'waits for a TLS 1\.2 proof on the wire since this boot' "$OUT" \
	"tlsward check says why TLS 1.0 is not turned off again"
pass
