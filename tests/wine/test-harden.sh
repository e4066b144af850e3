#!/usr/bin/env bash
# Scenario: the hardened service. After `service install` and after the
# service's own start (an MSI install never runs `service install`), the
# state tlsward keeps is ACL'd to SYSTEM and Administrators only, with
# nothing inherited: HKLM\SOFTWARE\tlsward and its Parameters, Status and
# Journal keys, and %ProgramData%\tlsward with its files. sddl.exe (in
# setvalue.exe's place) reads the DACLs back through the Win32 API.
# What Wine 8 cannot show, and Windows does itself: Wine keeps a key's
# DACL but drops its "protected" flag (D: rather than D:P) and does not
# propagate or inherit it to subkeys; it keeps no DACL on files at all (it
# maps them to Unix modes and reads back its own default), so the data
# directory's DACL is only logged here; and every Wine process holds one
# administrator token, so no non-administrator can be shown refused.
. "$(dirname "$0")/lib.sh" "$@"

sddl() { wine "$SETVALUE_UNIX" "$@" | tr -d '\r'; }
# Both ACEs, protected, and no third one.
want_locked()
{
	local got
	got=$(sddl "$1") || fail "sddl.exe $1: $got"
	assert_match '^D:P?\(' "$got" "$1 has a DACL"
	assert_ne "$BASELINE" "$got" "$1's DACL differs from Wine's default"
	assert_match '\(A;[A-Z]*;(GA|FA|KA);;;SY\)' "$got" "$1 grants SYSTEM"
	assert_match '\(A;[A-Z]*;(GA|FA|KA);;;BA\)' "$got" "$1 grants Administrators"
	assert_eq 2 "$(grep -o '(A;' <<<"$got" | wc -l | tr -d ' ')" \
		"access-allowed entries on $1"
}

boot_prefix win10
put_policy enforce.yaml
BASELINE=$(sddl 'reg:SOFTWARE\Microsoft')
log "Wine's default DACL of a key: $BASELINE"
install_service
wait_dword "$K_STATUS" Compliant 64 0x1 30
for k in 'SOFTWARE\tlsward' 'SOFTWARE\tlsward\Parameters' \
	'SOFTWARE\tlsward\Status' 'SOFTWARE\tlsward\Journal'; do
	want_locked "reg:$k"
done
# Files: the call succeeds (service install would exit 2), Wine keeps
# nothing to read back.
log "data directory as Wine reads it back: $(sddl "file:$DATA_WIN")"

log "a key replaced by hand is locked again when the service starts"
stop_service
wine reg delete 'HKLM\SOFTWARE\tlsward\Status' /f >/dev/null 2>&1 || true
wine reg add 'HKLM\SOFTWARE\tlsward\Status' /f >/dev/null 2>&1 || true
assert_eq "$BASELINE" "$(sddl 'reg:SOFTWARE\tlsward\Status')" \
	"a new Status key has Wine's default DACL"
start_service
wait_dword "$K_STATUS" Compliant 64 0x1 30
want_locked 'reg:SOFTWARE\tlsward\Status'
want_locked 'reg:SOFTWARE\tlsward\Journal'
pass
