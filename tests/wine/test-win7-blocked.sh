#!/usr/bin/env bash
# Scenario: an unpatched Windows 7 SP1 client (Wine's default prefix:
# winhttp.dll 5.1.2600.2180, KB3140245 missing). WinHTTP is blocked and
# reported (2004 naming the update) but pre-staged; SChannel and .NET are
# remediated; Status says why the client is not compliant.
. "$(dirname "$0")/lib.sh" "$@"

boot_prefix
assert_eq 6.1 "$(reg_sz 'SOFTWARE\Microsoft\Windows NT\CurrentVersion' CurrentVersion)" \
	"the prefix's Windows version"
put_policy enforce.yaml
install_service

wait_event 2004 30 'KB3140245'
wait_dword "$K_STATUS" Blocked 64 0x1 30
assert_match 'KB3140245' "$(reg_sz "$K_STATUS" BlockedReasons)" \
	"Status BlockedReasons"
assert_eq 0x0 "$(reg_dword "$K_STATUS" Compliant)" "Status Compliant"
assert_eq 0x0 "$(reg_dword "$K_STATUS" Tls12WinHttp)" "Status Tls12WinHttp"
line=$(events 2004 | head -n 1)
assert_match '^winhttp\.default_secure_protocols' "$(json_field setting <<<"$line")" \
	"setting of the 2004 event"
assert_eq warning "$(json_field level <<<"$line")" "level of the 2004 event"
wait_trace 2004 warning 10

log "SChannel and .NET remediated, DefaultSecureProtocols pre-staged"
while IFS='|' read -r key name view want; do
	wait_dword "$key" "$name" "$view" "$want" 20
done < <(managed_values)
assert_eq 0 "$(event_count 2004 '"setting":"(schannel|dotnet)')" \
	"2004 events for SChannel or .NET"
assert_eq 0 "$(event_count 2003)" "2003 events (failed writes)"
pass
