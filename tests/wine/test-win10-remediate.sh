#!/usr/bin/env bash
# Scenario: an unconfigured Windows 10 client. The service brings every
# managed value to the policy (both registry views), in the seed's order
# (WinHTTP, then SChannel, then .NET), and records the client as compliant.
. "$(dirname "$0")/lib.sh" "$@"

boot_prefix win10
put_policy enforce.yaml
while IFS='|' read -r key name view want; do
	assert_ne "$want" "$(reg_dword "$key" "$name" "$view")" \
		"HKLM\\$key\\$name (view $view) before the service runs"
done < <(managed_values)

install_service
wait_dword "$K_STATUS" Compliant 64 0x1 30

log "every value as the policy wants it"
while IFS='|' read -r key name view want; do
	assert_eq "$want" "$(reg_dword "$key" "$name" "$view")" \
		"HKLM\\$key\\$name (view $view)"
done < <(managed_values)

log "remediation order and events"
wait_event 2000 10
order=$(events 2002 | json_field setting | sed -E 's/[.@].*//' | uniq | tr '\n' ' ')
assert_eq "winhttp schannel dotnet " "$order" \
	"components of the 2002 events, in the order they were reported"
assert_eq 1 "$(event_count 2002 '"setting":"winhttp\.default_secure_protocols"')" \
	"2002 events for DefaultSecureProtocols (64-bit view)"
assert_eq 1 "$(event_count 2002 '"setting":"winhttp\.default_secure_protocols@32"')" \
	"2002 events for DefaultSecureProtocols (32-bit view)"
assert_eq 12 "$(event_count 2002)" "2002 events (one per value written)"
assert_eq 0 "$(event_count 2003)" "2003 events (failed writes)"
assert_eq 0 "$(event_count 2004)" "2004 events on Windows 10"
line=$(events 2002 '"setting":"winhttp\.default_secure_protocols@32"')
assert_eq 32 "$(json_field view <<<"$line")" "view of the 32-bit DSP event"
assert_match 'aa0' "$(json_field expected <<<"$line")" "expected of the DSP event"
wait_trace 2002 information 10

log "status"
assert_eq 0x0 "$(reg_dword "$K_STATUS" Blocked)" "Status Blocked"
# Every value written owes a restart: no component counts before it.
assert_eq 0x0 "$(reg_dword "$K_STATUS" Tls12WinHttp)" "Status Tls12WinHttp before the restart"
assert_eq 0x0 "$(reg_dword "$K_STATUS" Tls12Schannel)" "Status Tls12Schannel before the restart"
assert_eq 0x0 "$(reg_dword "$K_STATUS" Tls12DotNet)" "Status Tls12DotNet before the restart"
assert_eq 0x1 "$(reg_dword "$K_STATUS" RestartPending)" \
	"Status RestartPending (a DefaultSecureProtocols change needs a restart)"
assert_eq 0x0 "$(reg_dword "$K_STATUS" ReadyForServerTls12)" \
	"Status ReadyForServerTls12 while the restart is owed"
assert_eq enforce "$(reg_sz "$K_STATUS" Mode)" "Status Mode"
assert_eq "$(sha256sum <"$POLICY_UNIX" | cut -d' ' -f1)" \
	"$(reg_sz "$K_STATUS" PolicyHash | tr 'A-F' 'a-f')" "Status PolicyHash"
assert_match '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' \
	"$(reg_sz "$K_STATUS" LastCheck)" "Status LastCheck"
assert_eq 0 "$(event_count 3000)" "3000 events with restart mode never"
pass
