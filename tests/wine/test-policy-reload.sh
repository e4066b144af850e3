#!/usr/bin/env bash
# Scenario: the policy file changes under a running service. A valid new
# policy is reloaded (1100 with its hash) and applied; a broken one is
# rejected (1101 with FILE:LINE:COL) and the last good policy stays in
# force: values unchanged, drift still healed against it. So it does when
# the file disappears (1102).
. "$(dirname "$0")/lib.sh" "$@"

hash_of() { sha256sum <"$1" | cut -d' ' -f1; }

boot_prefix win10
put_policy enforce.yaml
h1=$(hash_of "$POLICY_UNIX")
install_service
wait_dword "$K_STATUS" Compliant 64 0x1 30
wait_event 1100 10 "$h1"
assert_eq 0xaa0 "$(reg_dword "$K_WINHTTP" DefaultSecureProtocols 64)" \
	"DefaultSecureProtocols under the first policy"

log "new policy: DefaultSecureProtocols 0xa00"
put_policy enforce-a00.yaml
h2=$(hash_of "$POLICY_UNIX")
wait_event 1100 20 "$h2"
wait_dword "$K_WINHTTP" DefaultSecureProtocols 64 0xa00 20
wait_dword "$K_WINHTTP" DefaultSecureProtocols 32 0xa00 20
wait_dword "$K_STATUS" Compliant 64 0x1 20
assert_eq "$h2" "$(reg_sz "$K_STATUS" PolicyHash | tr 'A-F' 'a-f')" \
	"Status PolicyHash after the reload"
[ -f "$DATA_UNIX/policy.cache.yaml" ] || fail "policy.cache.yaml is missing"
assert_eq "$h2" "$(hash_of "$DATA_UNIX/policy.cache.yaml")" \
	"hash of policy.cache.yaml (the last good policy)"

log "broken policy"
n1100=$(event_count 1100)
put_policy broken.yaml
h3=$(hash_of "$POLICY_UNIX")
wait_event 1101 20 'policy\.yaml:10:3'
line=$(events 1101 | tail -n 1)
assert_eq warning "$(json_field level <<<"$line")" "level of the 1101 event"
assert_match "$h3" "$line" "the 1101 event names the rejected file's hash"
assert_match 'colour' "$(json_field reason <<<"$line")" \
	"the 1101 event's reason names the unknown key"
wait_trace 1101 warning 10
assert_eq "$n1100" "$(event_count 1100)" "1100 events after a rejected policy"
assert_eq "$h2" "$(reg_sz "$K_STATUS" PolicyHash | tr 'A-F' 'a-f')" \
	"Status PolicyHash (the last good policy stays in force)"
assert_eq "$h2" "$(hash_of "$DATA_UNIX/policy.cache.yaml")" \
	"policy.cache.yaml after a rejected policy"
assert_eq 0xa00 "$(reg_dword "$K_WINHTTP" DefaultSecureProtocols 64)" \
	"DefaultSecureProtocols after a rejected policy"

log "drift is still healed against the last good policy"
reg_set "$K_WINHTTP" DefaultSecureProtocols REG_DWORD 0xaa0 64
wait_event 2001 10 '"setting":"winhttp\.default_secure_protocols"' 1
wait_dword "$K_WINHTTP" DefaultSecureProtocols 64 0xa00 10
check_now
sleep 1
assert_eq 0xa00 "$(reg_dword "$K_WINHTTP" DefaultSecureProtocols 64)" \
	"DefaultSecureProtocols after check now"

log "policy file gone: unreachable, the last good policy stays"
rm -f "$POLICY_UNIX"
wait_event 1102 20
line=$(events 1102 | tail -n 1)
assert_eq warning "$(json_field level <<<"$line")" "level of the 1102 event"
assert_match 'policy\.yaml' "$(json_field policy_source <<<"$line")" \
	"policy_source of the 1102 event"
reg_set "$K_WINHTTP" DefaultSecureProtocols REG_DWORD 0xaa0 32
wait_dword "$K_WINHTTP" DefaultSecureProtocols 32 0xa00 10
assert_eq "$h2" "$(reg_sz "$K_STATUS" PolicyHash | tr 'A-F' 'a-f')" \
	"Status PolicyHash while the source is unreachable"
assert_eq RUNNING "$(svc_state)" "service state"
pass
