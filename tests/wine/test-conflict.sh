#!/usr/bin/env bash
# Scenario: a tug-of-war. Another agent (setvalue.exe fight) writes
# DefaultSecureProtocols back every time tlsward heals it. The first revert
# of tlsward's write starts a conflict (one 2005); its reverts and
# put-backs are counted, not reported one by one (no 2001, 2002, 2003 each);
# past conflict.max_reverts (3 within 60 s) tlsward reports the back-off
# (one more 2005) and stops writing that value: its writes stay bounded, and
# other values are still healed.
. "$(dirname "$0")/lib.sh" "$@"

MAX_REVERTS=3
SETTING='"setting":"winhttp\.default_secure_protocols"'

# Every registry write of the service is traced, so its writes of the
# fought value are counted whether it reported them or not.
# shellcheck disable=SC2034 # read by lib.sh's start_session
SERVICE_TRACE=+reg
boot_prefix win10
# Windows 10 needs no DefaultSecureProtocols; one without TLS 1.2 (the
# Windows 7 default pushed in) is written in both views at the first pass.
reg_set "$K_WINHTTP" DefaultSecureProtocols REG_DWORD 0xa0 64
reg_set "$K_WINHTTP" DefaultSecureProtocols REG_DWORD 0xa0 32
put_policy conflict.yaml
grep -q "max_reverts: $MAX_REVERTS" "$POLICY_UNIX" || fail "conflict.yaml changed"
install_service
wait_dword "$K_STATUS" Compliant 64 0x1 30
r0=$(event_count 2002 "$SETTING")
d0=$(event_count 2001 "$SETTING")
w0=$(writes_traced DefaultSecureProtocols)
[ "$w0" -ge 2 ] || fail "the +reg trace shows $w0 writes of DefaultSecureProtocols, expected the first two"

log "fight for 8 s"
out=$(setvalue fight "$K_WINHTTP" DefaultSecureProtocols 0xa0 --duration 8000) ||
	fail "setvalue fight failed: $out"
log "$out"
wait_event 2005 10 "$SETTING" 2
assert_eq 2 "$(event_count 2005)" "2005 events for one tug-of-war (its start, its back-off)"
line=$(events 2005 | head -n 1)
assert_eq warning "$(json_field level <<<"$line")" "level of the 2005 event"
assert_match 'a0' "$(json_field actual <<<"$line")" \
	"actual of the 2005 event (what the other agent writes)"
assert_match 'puts it back up to 3 times within 60 s' "$(json_field reason <<<"$line")" \
	"reason of the first 2005 (the conflict starts)"
line=$(events 2005 | tail -n 1)
assert_match 'stops rewriting it for 60 s, until ' "$(json_field reason <<<"$line")" \
	"reason of the second 2005 (the back-off)"
wait_trace 2005 warning 10
healed=$(($(event_count 2002 "$SETTING") - r0))
log "tlsward reported $healed heals (2002) of the value during the fight"
# The first revert may come after the 60 s window of the first pass's
# write (a first drift: 2001, 2002); every later one is the conflict's.
assert_le 1 "$healed" "2002 events for the fought value during the conflict"
assert_le 1 "$(($(event_count 2001 "$SETTING") - d0))" \
	"2001 events for the fought value during the conflict"
assert_eq 0 "$(event_count 2003 "$SETTING")" \
	"2003 events (a write overwritten before its read-back is a revert)"
# Every revert of the conflict counts in Status, reported one by one or
# not: from the one that started it to the one past max_reverts.
assert_ge "$MAX_REVERTS" "$(($(reg_dword "$K_STATUS" Conflicts)))" \
	"Status Conflicts (the reverts of the conflict)"
written=$(($(writes_traced DefaultSecureProtocols) - w0))
log "tlsward wrote the value $written times during the fight (+reg trace)"
# A write the other agent overwrites before tlsward's read-back is a revert
# like any other: tlsward writes until the limit is passed, then stops.
assert_ge "$MAX_REVERTS" "$written" "writes before backing off"
assert_le $((3 * MAX_REVERTS)) "$written" \
	"writes of the fought value during the fight (bounded by the back-off)"
reverts=$(sed -nE 's/.* ([0-9]+) reverts.*/\1/p' <<<"$out")
assert_le $((3 * MAX_REVERTS)) "$reverts" \
	"times the other agent had to revert (tlsward stopped fighting)"
assert_eq 0xa0 "$(reg_dword "$K_WINHTTP" DefaultSecureProtocols 64)" \
	"the fought value is left to the other agent during the back-off"

log "other values are still healed"
reg_set "$K_TLS12_CLIENT" Enabled REG_DWORD 0
wait_dword "$K_TLS12_CLIENT" Enabled 64 0x1 10
# TLS 1.0 only: healed back to what tlsward wrote at the first pass.
reg_set "$K_WINHTTP" DefaultSecureProtocols REG_DWORD 0x80 32
wait_dword "$K_WINHTTP" DefaultSecureProtocols 32 0xaa0 10
assert_eq 2 "$(event_count 2005)" "2005 events after healing other values"
assert_eq RUNNING "$(svc_state)" "service state"
pass
