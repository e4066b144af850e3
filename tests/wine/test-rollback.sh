#!/usr/bin/env bash
# Scenario: rollback restores the machine as it was. The managed keys start
# with values of odd types (REG_SZ, REG_QWORD, REG_MULTI_SZ, REG_BINARY),
# plain dwords and absent values; the service remediates; after it stops,
# `tlsward rollback` brings every value back bit-exactly and deletes the
# ones that were absent.
. "$(dirname "$0")/lib.sh" "$@"

# Values under the managed keys, one per line "[key] name=data", keys
# without values left out (tlsward may leave an empty key it created).
values_of()
{
	awk '/^\[/ { key = $0; next } /^"/ || /^@/ { print key " " $0 }'
}

boot_prefix win10
put_policy enforce.yaml
reg_set "$K_WINHTTP" DefaultSecureProtocols REG_DWORD 0xa0 64
reg_set "$K_WINHTTP" DefaultSecureProtocols REG_SZ 0xa0 32
reg_set "$K_TLS12_CLIENT" Enabled REG_DWORD 0
reg_set "$K_TLS12_CLIENT" DisabledByDefault REG_QWORD 1
reg_set "$K_NET4" SchUseStrongCrypto REG_DWORD 0 64
reg_set "$K_NET4" SystemDefaultTlsVersions REG_MULTI_SZ 'one\0two' 32
reg_set "$K_NET4" SchUseStrongCrypto REG_BINARY 01000000ff 32
reg_set "$K_NET4" Unmanaged REG_EXPAND_SZ '%SystemRoot%\x' 64
before=$(snapshot_managed | values_of)
grep -q 'hex(b):01,00,00,00,00,00,00,00' <<<"$before" ||
	fail "the REG_QWORD original was not set up"

install_service
wait_dword "$K_STATUS" Compliant 64 0x1 30
while IFS='|' read -r key name view want; do
	assert_eq "$want" "$(reg_dword "$key" "$name" "$view")" \
		"HKLM\\$key\\$name (view $view) after remediation"
done < <(managed_values)
stop_service
journal=$(reg_dump 'SOFTWARE\tlsward\Journal' | grep -c '^"' || true)
assert_eq 12 "$journal" "journal entries (one per value changed)"

log "rollback"
out=$(tlsward rollback 2>&1) || fail "tlsward rollback exited $?: $out"
log "$out"
after=$(snapshot_managed | values_of)
if [ "$before" != "$after" ]; then
	diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") >&2 || true
	fail "managed values after rollback differ from before (diff above)"
fi
assert_eq absent "$(reg_dword "$K_NET2" SchUseStrongCrypto 64)" \
	"a value that was absent before"
assert_eq "REG_SZ 0xa0" "$(reg_get "$K_WINHTTP" DefaultSecureProtocols 32)" \
	"the REG_SZ original of DefaultSecureProtocols (32-bit view)"
journal=$(reg_dump 'SOFTWARE\tlsward\Journal' | grep -c '^"' || true)
assert_eq 0 "$journal" "journal entries after rollback"

log "a second rollback has nothing to do"
out=$(tlsward rollback 2>&1) || fail "second tlsward rollback exited $?: $out"
assert_eq "$before" "$(snapshot_managed | values_of)" "values after a second rollback"
pass
