#!/usr/bin/env bash
# Scenario: an unconfigured Windows 10 client (Wine's win10 prefix, build
# 18362, with .NET 4.8 and 3.5 registered). WinHTTP and SChannel have TLS
# 1.2 by default there, so tlsward writes no DefaultSecureProtocols and no
# SChannel key, and owes no restart for them; it writes the .NET values
# (both frameworks, both views), which do owe one. Windows 7, which needs
# all of it, is test-win7-blocked.
. "$(dirname "$0")/lib.sh" "$@"

boot_prefix win10
put_policy enforce.yaml
while IFS='|' read -r key name view want; do
	assert_ne "$want" "$(reg_dword "$key" "$name" "$view")" \
		"HKLM\\$key\\$name (view $view) before the service runs"
done < <(managed_values win10)

install_service
wait_dword "$K_STATUS" Compliant 64 0x1 30

log "the .NET values as the policy wants them, nothing else"
while IFS='|' read -r key name view want; do
	assert_eq "$want" "$(reg_dword "$key" "$name" "$view")" \
		"HKLM\\$key\\$name (view $view)"
done < <(managed_values win10)
for view in 64 32; do
	assert_eq absent "$(reg_dword "$K_WINHTTP" DefaultSecureProtocols "$view")" \
		"DefaultSecureProtocols (view $view): Windows 10 has TLS 1.2 in WinHTTP"
done
assert_eq absent "$(reg_dword "$K_TLS12_CLIENT" Enabled)" \
	"TLS 1.2\\Client Enabled: on by default on Windows 10"

log "remediation events"
wait_event 2000 10
order=$(events 2002 | json_field setting | sed -E 's/[.@].*//' | uniq | tr '\n' ' ')
assert_eq "dotnet " "$order" "components of the 2002 events"
assert_eq 0 "$(event_count 2002 '"setting":"(winhttp|schannel)')" \
	"2002 events for WinHTTP or SChannel"
assert_eq 8 "$(event_count 2002)" "2002 events (one per value written)"
assert_eq 0 "$(event_count 2003)" "2003 events (failed writes)"
assert_eq 0 "$(event_count 2004)" "2004 events on Windows 10"
wait_trace 2002 information 10

log "status"
assert_eq 0x0 "$(reg_dword "$K_STATUS" Blocked)" "Status Blocked"
assert_eq 0x1 "$(reg_dword "$K_STATUS" Tls12WinHttp)" "Status Tls12WinHttp (nothing owed)"
assert_eq 0x1 "$(reg_dword "$K_STATUS" Tls12Schannel)" "Status Tls12Schannel (nothing owed)"
assert_eq 0x0 "$(reg_dword "$K_STATUS" Tls12DotNet)" \
	"Status Tls12DotNet while its restart is owed"
assert_eq 0x1 "$(reg_dword "$K_STATUS" RestartPending)" \
	"Status RestartPending (the .NET values need a restart)"
assert_eq 0x0 "$(reg_dword "$K_STATUS" ReadyForServerTls12)" \
	"Status ReadyForServerTls12 while the restart is owed"
assert_eq enforce "$(reg_sz "$K_STATUS" Mode)" "Status Mode"
assert_eq "$(sha256sum <"$POLICY_UNIX" | cut -d' ' -f1)" \
	"$(reg_sz "$K_STATUS" PolicyHash | tr 'A-F' 'a-f')" "Status PolicyHash"
assert_match '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' \
	"$(reg_sz "$K_STATUS" LastCheck)" "Status LastCheck"
assert_eq 0 "$(event_count 3000)" "3000 events with restart mode never"
pass
