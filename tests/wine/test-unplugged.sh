#!/usr/bin/env bash
# Scenario: the share unplugged. The installed policy names a source
# (source.path) in a directory standing in for the share; the service
# follows it. The directory disappears, and the service is asked to read
# the policy ten times (`tlsward service control reload`: the shortest poll
# a policy may set is 30 s, so the scenario forces the reads): the last
# good policy stays in force, and 1102 (unreachable) is logged once, not
# once per read. When the share is back with a new policy, it is loaded.
. "$(dirname "$0")/lib.sh" "$@"

hash_of() { sha256sum <"$1" | cut -d' ' -f1; }
SHARE_UNIX="$WINEPREFIX/drive_c/share"
SHARE_WIN='C:\share\policy.yaml'

boot_prefix win10
mkdir -p "$SHARE_UNIX"
share_policy()
{
	cat <<Y
version: 1
winhttp:
  default_secure_protocols: $1
  keep: []
restart:
  mode: never
source:
  path: '$SHARE_WIN'
  poll: 30s
Y
}
share_policy 0xA00 >"$SHARE_UNIX/policy.yaml"
hs=$(hash_of "$SHARE_UNIX/policy.yaml")
put_policy - <<Y
version: 1
restart:
  mode: never
source:
  path: '$SHARE_WIN'
  poll: 30s
Y
install_service
wait_event 1100 30 "$hs"
wait_dword "$K_WINHTTP" DefaultSecureProtocols 64 0xa00 20

log "share unplugged; ten reads"
rm -rf "$SHARE_UNIX"
for ((i = 1; i <= 10; i++)); do
	out=$(tlsward service control reload 2>&1) ||
		fail "reload $i: tlsward service control reload exited $?: $out"
	sleep 1
done
wait_event 1102 10 'share'
sleep 2
assert_eq 1 "$(event_count 1102 'share')" "1102 events over ten reads of the unplugged share"
assert_eq "$hs" "$(reg_sz "$K_STATUS" PolicyHash | tr 'A-F' 'a-f')" \
	"PolicyHash while the share is unplugged (the last good policy)"
assert_eq 0xa00 "$(reg_dword "$K_WINHTTP" DefaultSecureProtocols 64)" \
	"DefaultSecureProtocols while the share is unplugged"
reg_set "$K_WINHTTP" DefaultSecureProtocols REG_DWORD 0xaa0 64
wait_dword "$K_WINHTTP" DefaultSecureProtocols 64 0xa00 20
assert_eq RUNNING "$(svc_state)" "service state"

log "share back with a new policy"
mkdir -p "$SHARE_UNIX"
share_policy 0x800 >"$SHARE_UNIX/policy.yaml"
hn=$(hash_of "$SHARE_UNIX/policy.yaml")
tlsward service control reload >/dev/null 2>&1 || true
wait_event 1100 30 "$hn"
assert_eq "$hn" "$(reg_sz "$K_STATUS" PolicyHash | tr 'A-F' 'a-f')" \
	"PolicyHash: the new policy is in force"
# Dropping TLS 1.1 from WinHTTP is the legacy step: it waits for the
# restart the first policy's change owes (docs/windows.md).
assert_eq 0xa00 "$(reg_dword "$K_WINHTTP" DefaultSecureProtocols 64)" \
	"DefaultSecureProtocols: the legacy step waits for the owed restart"
assert_eq 1 "$(event_count 1102 'share')" "1102 events in all"
pass
