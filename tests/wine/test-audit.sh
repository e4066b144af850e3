#!/usr/bin/env bash
# Scenario: audit mode, from the policy and from Parameters\Mode. tlsward
# reports what differs (2001) and writes nothing it manages: the managed
# keys export the same before and after, and drift stays as it is. Clearing
# Parameters\Mode (back to the policy's enforce) makes it write, which shows
# the audit runs were really holding back.
. "$(dirname "$0")/lib.sh" "$@"

boot_prefix win10
put_policy audit.yaml
reg_set "$K_WINHTTP" DefaultSecureProtocols REG_DWORD 0xa0 64
before=$(snapshot_managed)
install_service
wait_event 2001 30 '"setting":"winhttp\.default_secure_protocols"'
wait_dword "$K_STATUS" Compliant 64 0x0 20
assert_eq audit "$(reg_sz "$K_STATUS" Mode)" "Status Mode"
line=$(events 2001 '"setting":"winhttp\.default_secure_protocols"' | head -n 1)
assert_match 'a0' "$(json_field actual <<<"$line")" "actual of the 2001 event"
line=$(events 1000 | head -n 1)
assert_eq audit "$(json_field mode <<<"$line")" "mode in the 1000 event"

log "drift while auditing"
reg_set "$K_TLS12_CLIENT" Enabled REG_DWORD 0
before=$(snapshot_managed)
wait_event 2001 10 '"setting":"schannel\.tls1\.2\.client\.enabled"'
check_now_and_wait
assert_eq "$before" "$(snapshot_managed)" \
	"managed keys (regedit export) after audit checks"
assert_eq 0 "$(event_count 2002)" "2002 events in audit mode"

log "Parameters\\Mode=audit overrides an enforce policy"
reg_set "$K_PARAMS" Mode REG_SZ audit
put_policy enforce.yaml
h=$(sha256sum <"$POLICY_UNIX" | cut -d' ' -f1)
wait_event 1100 20 "$h"
line=$(events 1100 "$h" | tail -n 1)
assert_eq audit "$(json_field mode <<<"$line")" "mode of the reloaded policy"
check_now_and_wait
assert_eq "$before" "$(snapshot_managed)" \
	"managed keys after a check with Parameters\\Mode=audit"
assert_eq 0 "$(event_count 2002)" "2002 events with Parameters\\Mode=audit"

log "tlsward apply refuses while Parameters\\Mode is audit"
run_cli apply
assert_eq 2 "$RC" "exit code of apply with Parameters\\Mode=audit"
assert_match 'audit mode' "$OUT" "apply's refusal"
assert_eq "$before" "$(snapshot_managed)" \
	"managed keys after the refused apply"

log "Parameters\\Mode cleared: the policy's enforce applies"
reg_set "$K_PARAMS" Mode REG_SZ ""
check_now
wait_dword "$K_WINHTTP" DefaultSecureProtocols 64 0xaa0 20
wait_dword "$K_TLS12_CLIENT" Enabled 64 0x1 20
assert_eq enforce "$(reg_sz "$K_STATUS" Mode)" "Status Mode after clearing Parameters\\Mode"
pass
