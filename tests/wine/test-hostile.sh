#!/usr/bin/env bash
# Scenario: hostile policies against the running service. With a local
# floor installed, every bad policy fixture (tests/data/policies/bad) and
# every below-floor one (tests/data/policies/below-floor) is put on the
# policy path in turn: each must be refused with 1101 naming its hash and a
# FILE:LINE:COL reason, and the last good policy must stay in force
# (PolicyHash, DefaultSecureProtocols) with the service running.
. "$(dirname "$0")/lib.sh" "$@"

hash_of() { sha256sum <"$1" | cut -d' ' -f1; }
FIXTURES=$(cd "$WINE_DATA/../../data/policies" && pwd)

boot_prefix win10
cat >"$WINEPREFIX/drive_c/floor.yaml" <<'Y'
version: 1
floor:
  require: [tls1.2]
  forbid: [ssl2, ssl3]
  mode: enforce
  sources: ['\\cm01\tlsward$\', 'C:\ProgramData\tlsward\']
Y
put_policy - <<'Y'
version: 1
winhttp:
  default_secure_protocols: 0xA00
  keep: []
schannel:
  disable: [ssl2, ssl3]
restart:
  mode: never
Y
good=$(hash_of "$POLICY_UNIX")
install_service --floor 'C:\floor.yaml'
wait_event 1100 30 "$good"
wait_dword "$K_WINHTTP" DefaultSecureProtocols 64 0xa00 20

tried=0
for f in "$FIXTURES"/bad/*.yaml "$FIXTURES"/below-floor/*.yaml; do
	h=$(hash_of "$f")
	cp "$f" "$POLICY_UNIX.tmp"
	mv "$POLICY_UNIX.tmp" "$POLICY_UNIX"
	wait_event 1101 20 "$h"
	reason=$(json_field reason <<<"$(events 1101 "$h" | tail -n 1)")
	assert_match '^C:\\\\ProgramData\\\\tlsward\\\\policy\.yaml:[0-9]+:[0-9]+: ' \
		"$reason" "$(basename "$f"): the 1101 reason is FILE:LINE:COL"
	tried=$((tried + 1))
done
assert_eq 1 "$(event_count 1100 "$good")" "1100 events for the good policy"
assert_eq "$good" "$(reg_sz "$K_STATUS" PolicyHash | tr 'A-F' 'a-f')" \
	"PolicyHash after every hostile policy"
assert_eq 0xa00 "$(reg_dword "$K_WINHTTP" DefaultSecureProtocols 64)" \
	"DefaultSecureProtocols after every hostile policy"
assert_eq RUNNING "$(svc_state)" "service state"
log "hostile policies refused by the service: $tried, last good policy kept"
assert_ge 40 "$tried" "hostile policies tried"
pass
