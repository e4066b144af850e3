#!/bin/bash
# The exit codes Configuration Manager acts on, on the default Windows 7
# SP1 prefix: 1603 for a refused install (bad MODE) with nothing left
# behind, 0 for a good install
# (Windows 7 SP1 x64 meets the requirement), and 3010 for an upgrade that
# had to leave tlsward.exe to be replaced at the next restart because a
# console copy of it was running.
. "$(dirname "$0")/lib.sh" "$@"
. "$(dirname "$0")/msi-lib.sh"

msi_prepare

msi_expect 1603 /i "$MSI_WIN" /qn MODE=bogus
assert_eq ABSENT "$(svc_state)" "service after a refused install"
assert_eq absent "$(reg_sz "$K_TLSWARD" InstalledVersion)" "InstalledVersion after a refused install"
[ -e "$PROGRAM_UNIX" ] && fail "a refused install left tlsward.exe"
key_exists "$K_EVENTSRC" && fail "a refused install left the event source"

put_policy_at 'C:\policies\tlsward.yaml' <<'YAML'
version: 1
mode: audit
restart:
  mode: never
YAML
msi_expect 0 /i "$MSI_WIN" /qn 'POLICYPATH=C:\policies\tlsward.yaml' MODE=audit
wait_state RUNNING 30

# A console copy of tlsward keeps tlsward.exe in use during the upgrade.
wine "$PROGRAM_WIN" run --console --policy 'C:\policies\tlsward.yaml' \
	>"$WORK_DIR/console.log" 2>&1 &
console_pid=$!
sleep 3
kill -0 "$console_pid" 2>/dev/null ||
	fail "tlsward run --console ended early: $(tail -n 5 "$WORK_DIR/console.log")"

old_version=$(reg_sz "$K_TLSWARD" InstalledVersion)
new_version=$(echo "$old_version" | awk -F. '{ printf "%d.%d.%d", $1, $2, $3 + 1 }')
exe_next_build "$TLSWARD_EXE" "$WORK_DIR/tlsward-next.exe"
msi_build "$new_version" tlsward-new.msi "$WORK_DIR/tlsward-next.exe"
msi_expect 3010 /i "$MSI_DIR_WIN\\tlsward-new.msi" /qn /norestart
assert_eq "$new_version" "$(reg_sz "$K_TLSWARD" InstalledVersion)" "version after a 3010 upgrade"

kill "$console_pid" 2>/dev/null || true
wait "$console_pid" 2>/dev/null || true

pass
