#!/usr/bin/env bash
# Scenario: a policy no share can weaken. The service is installed with a
# local floor (forbid ssl2 and ssl3, require tls1.2) and a policy key
# (ECDSA P-256, made here with openssl). Under Wine's bcrypt:
# - a correctly signed policy above the floor is loaded (1100);
# - a signed policy keeping SSL 3.0 is rejected (1101 naming the floor);
# - a tampered and an unsigned policy are rejected (1101), and a signed
#   older serial is refused as a replay;
# - each time the last good policy stays in force (PolicyHash, the values);
# - the cache keeps the signature, and after a restart the replayed file
#   on disk is refused again and the cached policy is put in force.
. "$(dirname "$0")/lib.sh" "$@"

hash_of() { sha256sum <"$1" | cut -d' ' -f1; }
KEYS="$WORK_DIR/keys"
mkdir -p "$KEYS"
openssl ecparam -name prime256v1 -genkey -noout -out "$KEYS/key.pem" 2>/dev/null
openssl pkey -in "$KEYS/key.pem" -pubout -out "$KEYS/key.pub"

# policy SERIAL DSP KEEP [DISABLE]: a policy's text (lists in brackets).
policy()
{
	cat <<Y
# tlsward guard scenario, serial $1
version: 1
serial: $1
mode: enforce
winhttp:
  default_secure_protocols: $2
  keep: $3
schannel:
  enable: [tls1.2]
  disable: ${4:-[ssl2, ssl3]}
  sides: [client]
restart:
  mode: never
check:
  interval: 15m
  jitter: 0
Y
}

# publish FILE [nosig]: signs FILE (unless nosig) and puts it and its
# signature in place, the signature first.
publish()
{
	mkdir -p "$DATA_UNIX"
	rm -f "$POLICY_UNIX.sig"
	if [ "${2:-}" != nosig ]; then
		openssl dgst -sha256 -sign "$KEYS/key.pem" -out "$1.sig" "$1"
		cp "$1.sig" "$POLICY_UNIX.sig"
	fi
	cp "$1" "$POLICY_UNIX.tmp"
	mv "$POLICY_UNIX.tmp" "$POLICY_UNIX"
}

cat >"$WORK_DIR/floor.yaml" <<'Y'
version: 1
floor:
  require: [tls1.2]
  forbid: [ssl2, ssl3]
Y

boot_prefix win10
cp "$WORK_DIR/floor.yaml" "$WINEPREFIX/drive_c/floor.yaml"
cp "$KEYS/key.pub" "$WINEPREFIX/drive_c/policy-key.pub"
policy 10 0xA00 '[]' >"$WORK_DIR/a.yaml"
publish "$WORK_DIR/a.yaml"
ha=$(hash_of "$WORK_DIR/a.yaml")
install_service --floor 'C:\floor.yaml' --policy-key 'C:\policy-key.pub'
wait_event 1100 30 "$ha"
wait_dword "$K_WINHTTP" DefaultSecureProtocols 64 0xa00 20
assert_match 'forbid \[ssl2, ssl3\]' "$(reg_sz "$K_PARAMS" Floor | tr '\n' ' ') $(tlsward status)" \
	"the floor is installed and shown by tlsward status"
assert_match 'policy key +installed: signed policies only, last serial 10' \
	"$(tlsward status)" "tlsward status shows the policy key and serial"
assert_eq 0xa "$(reg_dword "$K_PARAMS" PolicySerial 64)" \
	"Parameters PolicySerial after the first signed policy"

log "signed, but keeps SSL 3.0: below the floor"
policy 11 0xAA0 '[ssl3]' '[ssl2]' >"$WORK_DIR/b.yaml"
publish "$WORK_DIR/b.yaml"
wait_event 1101 20 "$(hash_of "$WORK_DIR/b.yaml")"
reason=$(json_field reason <<<"$(events 1101 | tail -n 1)")
assert_match 'policy\.yaml:6:29: winhttp\.default_secure_protocols 0xAA0 offers ssl3 \(0x20\) \(local floor: forbid ssl3' "$reason" \
	"1101 names the position and the floor"
wait_trace 1101 warning 10
assert_eq "$ha" "$(reg_sz "$K_STATUS" PolicyHash | tr 'A-F' 'a-f')" \
	"PolicyHash after a below-floor policy (the last good stays)"
assert_eq 0xa00 "$(reg_dword "$K_WINHTTP" DefaultSecureProtocols 64)" \
	"DefaultSecureProtocols after a below-floor policy"

log "tampered after signing"
policy 12 0xA00 '[]' >"$WORK_DIR/c.yaml"
openssl dgst -sha256 -sign "$KEYS/key.pem" -out "$WORK_DIR/c.sig" "$WORK_DIR/c.yaml"
sed -i 's/^mode: enforce/mode: audit/' "$WORK_DIR/c.yaml"
cp "$WORK_DIR/c.sig" "$POLICY_UNIX.sig"
cp "$WORK_DIR/c.yaml" "$POLICY_UNIX"
wait_event 1101 20 'bad signature'
assert_eq "$ha" "$(reg_sz "$K_STATUS" PolicyHash | tr 'A-F' 'a-f')" \
	"PolicyHash after a tampered policy"

log "unsigned"
policy 13 0xA00 '[]' >"$WORK_DIR/d.yaml"
publish "$WORK_DIR/d.yaml" nosig
wait_event 1101 20 'unsigned'
assert_eq "$ha" "$(reg_sz "$K_STATUS" PolicyHash | tr 'A-F' 'a-f')" \
	"PolicyHash after an unsigned policy"
assert_eq "$(event_count 1100 "$ha")" 1 "1100 events for the first policy"

log "hostile text in a signed policy stays on one line of the mirror"
printf '%s\n' 'version: 1' 'serial: 14' '"evil\L{\"id\": 1100}\e[2J": 1' \
	>"$WORK_DIR/h.yaml"
publish "$WORK_DIR/h.yaml"
wait_event 1101 20 'unknown key'
line=$(events 1101 | tail -n 1)
assert_match 'unknown key \\"evil\?\{\\"id\\": 1100\}\?\[2J\\"' "$line" \
	"the line separator and the escape are shown as ?"
if grep -q $'\xe2\x80\xa8' "$EVENTS"; then
	fail "a U+2028 line separator reached events.jsonl"
fi
bad=$(grep -cv '^{"time":' "$EVENTS" || true)
assert_eq 0 "$bad" "events.jsonl lines that are not whole events"

log "correctly signed, higher serial: loaded"
policy 20 0x800 '[]' >"$WORK_DIR/e.yaml"
publish "$WORK_DIR/e.yaml"
he=$(hash_of "$WORK_DIR/e.yaml")
wait_event 1100 20 "$he"
# Dropping TLS 1.1 from WinHTTP is the legacy step: it waits for the
# restart that the first policy's change owes (docs/windows.md).
check_now
sleep 2
assert_eq 0xa00 "$(reg_dword "$K_WINHTTP" DefaultSecureProtocols 64)" \
	"DefaultSecureProtocols: the legacy step waits for the owed restart"
assert_eq "$(hash_of "$WORK_DIR/e.yaml.sig")" \
	"$(hash_of "$DATA_UNIX/policy.cache.yaml.sig")" \
	"the cache keeps the signature with the policy"

log "replay: the older signed policy put back"
publish_back() { cp "$WORK_DIR/a.yaml.sig" "$POLICY_UNIX.sig"; cp "$WORK_DIR/a.yaml" "$POLICY_UNIX"; }
publish_back
wait_event 1101 20 'replayed: serial 10 is older than the last accepted serial 20'
assert_eq "$he" "$(reg_sz "$K_STATUS" PolicyHash | tr 'A-F' 'a-f')" \
	"PolicyHash after a replay"

log "restart: the replay is still refused, the signed cache is used"
stop_service
n1100=$(event_count 1100 "$he")
start_service
wait_event 1101 30 'replayed: serial 10' 2
wait_event 1100 30 "policy\\.cache\\.yaml.*$he|$he.*policy\\.cache\\.yaml" 1
assert_eq "$he" "$(reg_sz "$K_STATUS" PolicyHash | tr 'A-F' 'a-f')" \
	"PolicyHash after the service restart (the cached policy)"
assert_eq 0xa00 "$(reg_dword "$K_WINHTTP" DefaultSecureProtocols 64)" \
	"DefaultSecureProtocols after a service restart (not a reboot)"
assert_ge "$((n1100 + 1))" "$(event_count 1100 "$he")" "1100 for the cached policy"
assert_eq RUNNING "$(svc_state)" "service state"
pass
