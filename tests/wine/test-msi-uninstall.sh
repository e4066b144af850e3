#!/bin/bash
# "msiexec /x /qn" removes the service, its event source, its parameters
# and its program, and leaves the remediated TLS settings in place (and the
# admin's policy, the status and the journal for a later rollback).
. "$(dirname "$0")/lib.sh" "$@"
. "$(dirname "$0")/msi-lib.sh"

msi_prepare win10

msi_install_compliant
remediated=$(managed_snapshot)

msi_expect 0 /x "$MSI_WIN" /qn /norestart
grep -aq 'Action start .*WaitServiceStopped' "$(msi_last_log)" ||
	fail "the uninstall did not run WaitServiceStopped (tlsward service stop)"

assert_eq ABSENT "$(svc_state)" "service after uninstall"
wine sc query tlsward >/dev/null 2>&1 && fail "sc query tlsward still succeeds"
key_exists "$K_EVENTSRC" && fail "the event source is still registered"
key_exists "$K_PARAMS" && fail "Parameters are still there"
assert_eq absent "$(reg_sz "$K_TLSWARD" InstalledVersion)" "InstalledVersion"
[ -e "$PROGRAM_UNIX" ] && fail "tlsward.exe is still in Program Files"

assert_eq "$remediated" "$(managed_snapshot)" "TLS settings after uninstall"
[ -f "$POLICY_UNIX" ] || fail "the policy was removed"
key_exists "$K_TLSWARD\\Journal" || fail "the journal was removed"
key_exists "$K_STATUS" || fail "the status was removed"

pass
