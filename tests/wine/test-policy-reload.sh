#!/usr/bin/env bash
# Scenario: the policy file changes under a running service. A valid new
# policy is reloaded (1100 with its hash) and applied; a broken one is
# rejected (1101 with FILE:LINE:COL) and the last good policy stays in
# force: values unchanged, drift still healed against it. So it does when
# the file disappears (1102).
. "$(dirname "$0")/lib.sh" "$@"

hash_of() { sha256sum <"$1" | cut -d' ' -f1; }

# The first policy leaves SchUseStrongCrypto alone; the reloaded one (the
# seed) wants it, which Windows 10 takes at once (no legacy step to gate).
boot_prefix win10
sed -e 's/^  strong_crypto: true/  strong_crypto: false/' \
	"$WINE_DATA/enforce.yaml" | put_policy -
grep -q 'strong_crypto: false' "$POLICY_UNIX" || fail "could not write the first policy"
h1=$(hash_of "$POLICY_UNIX")
install_service
wait_dword "$K_STATUS" Compliant 64 0x1 30
wait_event 1100 10 "$h1"
assert_eq absent "$(reg_dword "$K_NET4" SchUseStrongCrypto 64)" \
	"SchUseStrongCrypto under the first policy"

log "new policy: SchUseStrongCrypto 1"
put_policy enforce.yaml
h2=$(hash_of "$POLICY_UNIX")
wait_event 1100 20 "$h2"
wait_dword "$K_NET4" SchUseStrongCrypto 64 0x1 20
wait_dword "$K_NET4" SchUseStrongCrypto 32 0x1 20
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
assert_eq 0x1 "$(reg_dword "$K_NET4" SchUseStrongCrypto 64)" \
	"SchUseStrongCrypto after a rejected policy"

log "drift is still healed against the last good policy"
reg_set "$K_NET4" SchUseStrongCrypto REG_DWORD 0 64
wait_event 2001 10 '"setting":"dotnet\.v4\.0\.30319\.strong_crypto"' 1
wait_dword "$K_NET4" SchUseStrongCrypto 64 0x1 10
check_now_and_wait
assert_eq 0x1 "$(reg_dword "$K_NET4" SchUseStrongCrypto 64)" \
	"SchUseStrongCrypto after check now"

log "policy file gone: unreachable, the last good policy stays"
rm -f "$POLICY_UNIX"
wait_event 1102 20
line=$(events 1102 | tail -n 1)
assert_eq warning "$(json_field level <<<"$line")" "level of the 1102 event"
assert_match 'policy\.yaml' "$(json_field policy_source <<<"$line")" \
	"policy_source of the 1102 event"
reg_set "$K_NET4" SchUseStrongCrypto REG_DWORD 0 32
wait_dword "$K_NET4" SchUseStrongCrypto 32 0x1 10
assert_eq "$h2" "$(reg_sz "$K_STATUS" PolicyHash | tr 'A-F' 'a-f')" \
	"Status PolicyHash while the source is unreachable"
assert_eq RUNNING "$(svc_state)" "service state"
pass
