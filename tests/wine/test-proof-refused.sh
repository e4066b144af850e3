#!/usr/bin/env bash
# Scenario: a proof failure is loud. The only endpoint refuses TLS 1.2 (a
# TLS 1.0-only server): event 4001 comes once however often the service
# probes, Status says so, and nothing legacy is touched although the policy
# turns TLS 1.0 off and everything else holds (no restart owed).
. "$(dirname "$0")/lib.sh" "$@"
. "$(dirname "$0")/proof-lib.sh"

boot_prefix win10
start_tls_server tls10 -tls1 -cipher 'DEFAULT:@SECLEVEL=0'
URL10="https://127.0.0.1:$TLS_PORT/"

put_legacy_off_policy "$URL10" 5m

install_service
wait_event 4001 60
line=$(events 4001)
assert_eq "$URL10" "$(json_field endpoint <<<"$line")" "endpoint of event 4001"
assert_match 'negotiated tls1\.0, older than TLS 1\.2' \
	"$(json_field reason <<<"$line")" "reason of event 4001"
wait_trace 4001 warning 10

log "after the owed restart the service probes again: same outcome, no new event"
stop_service
reboot_prefix
[ "$(svc_state)" = RUNNING ] || start_service
wait_event 1000 30 . 2
wait_dword "$K_STATUS" RestartPending 64 0x0 30
# Each start probes; the ProofTime moves on, the outcome does not.
t1=$(reg_sz "$K_STATUS" ProofTime)
stop_service
sleep 1
start_service
wait_event 1000 30 . 3
for ((i = 0; i < 100; i++)); do
	[ "$(reg_sz "$K_STATUS" ProofTime)" != "$t1" ] && break
	sleep 0.2
done
assert_ne "$t1" "$(reg_sz "$K_STATUS" ProofTime)" "Status ProofTime after another probe"
check_now
sleep 2
assert_eq 1 "$(event_count 4001)" "4001 events for one failing outcome"
assert_eq 0 "$(event_count 4000)" "4000 events"
assert_eq 0x0 "$(reg_dword "$K_STATUS" Proven)" "Status Proven"
assert_eq "$URL10" "$(reg_sz "$K_STATUS" ProofEndpoint)" "Status ProofEndpoint"
assert_eq tls1.0 "$(reg_sz "$K_STATUS" ProofProtocol)" "Status ProofProtocol"
assert_match "^failed: .*negotiated tls1\\.0, older than TLS 1\\.2" \
	"$(reg_sz "$K_STATUS" ProofResult)" "Status ProofResult"
assert_eq 0x0 "$(reg_dword "$K_STATUS" ReadyForServerTls12)" \
	"Status ReadyForServerTls12 without a proof"

log "nothing legacy touched"
for p in 'SSL 3.0' 'TLS 1.0' 'TLS 1.1'; do
	for side in Client Server; do
		assert_eq absent "$(reg_dword "$K_SCHANNEL\\$p\\$side" Enabled)" \
			"$p $side Enabled"
		assert_eq absent "$(reg_dword "$K_SCHANNEL\\$p\\$side" DisabledByDefault)" \
			"$p $side DisabledByDefault"
	done
done
assert_eq 0 "$(event_count 2002 'TLS 1\.0')" "2002 events for TLS 1.0"
pass
