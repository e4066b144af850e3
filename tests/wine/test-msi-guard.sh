#!/bin/bash
# The MSI's FLOOR and POLICYKEY: a silent install with the path of a local
# floor (forbid ssl3) and of a policy key (ECDSA P-256) writes them to
# Parameters; the service loads a correctly signed policy above the floor
# (1100), then refuses a signed policy that keeps SSL 3.0 (1101 naming the
# floor) and an unsigned one, and keeps the first.
. "$(dirname "$0")/lib.sh" "$@"
. "$(dirname "$0")/msi-lib.sh"

hash_of() { sha256sum <"$1" | cut -d' ' -f1; }
msi_prepare win10
KEYS="$WORK_DIR/keys"
mkdir -p "$KEYS" "$WINEPREFIX/drive_c/admin"
openssl ecparam -name prime256v1 -genkey -noout -out "$KEYS/key.pem" 2>/dev/null
openssl pkey -in "$KEYS/key.pem" -pubout -out "$WINEPREFIX/drive_c/admin/key.pub"
cat >"$WINEPREFIX/drive_c/admin/floor.yaml" <<'Y'
version: 1
floor:
  forbid: [ssl3]
Y
POL_UNIX="$WINEPREFIX/drive_c/policies/tlsward.yaml"
mkdir -p "$(dirname "$POL_UNIX")"
# publish SERIAL DSP KEEP DISABLE [nosig]
publish()
{
	cat >"$WORK_DIR/p.yaml" <<Y
version: 1
serial: $1
winhttp:
  default_secure_protocols: $2
  keep: $3
schannel:
  disable: $4
restart:
  mode: never
Y
	rm -f "$POL_UNIX.sig"
	[ "${5:-}" = nosig ] ||
		openssl dgst -sha256 -sign "$KEYS/key.pem" -out "$POL_UNIX.sig" "$WORK_DIR/p.yaml"
	cp "$WORK_DIR/p.yaml" "$POL_UNIX"
}
publish 1 0xA00 '[]' '[ssl3]'
good=$(hash_of "$POL_UNIX")

msi_expect 0 /i "$MSI_WIN" /qn /norestart 'POLICYPATH=C:\policies\tlsward.yaml' \
	'FLOOR=C:\admin\floor.yaml' 'POLICYKEY=C:\admin\key.pub'
wait_state RUNNING 30
assert_eq 'C:\admin\floor.yaml' "$(reg_sz "$K_PARAMS" Floor)" "Parameters Floor"
assert_eq 'C:\admin\key.pub' "$(reg_sz "$K_PARAMS" PolicyKey)" "Parameters PolicyKey"
wait_event 1100 30 "$good"
assert_match 'forbid \[ssl3\]' "$(tlsward status)" "tlsward status shows the floor"

log "signed, keeps SSL 3.0"
publish 2 0xAA0 '[ssl3]' '[]'
wait_event 1101 30 'local floor: forbid ssl3, C:\\\\admin\\\\floor\.yaml'
log "unsigned"
publish 3 0xA00 '[]' '[ssl3]' nosig
wait_event 1101 30 'unsigned'
assert_eq "$good" "$(reg_sz "$K_STATUS" PolicyHash | tr 'A-F' 'a-f')" \
	"PolicyHash: the first policy stays"
pass
