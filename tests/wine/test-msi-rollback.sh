#!/bin/bash
# "msiexec /x /qn ROLLBACK=1" restores the journal before it removes
# tlsward: every managed value is back to what it was before the install,
# and the service cannot heal them back (it is stopped first, then gone).
. "$(dirname "$0")/lib.sh" "$@"
. "$(dirname "$0")/msi-lib.sh"

msi_prepare win10

# A client with a few values of its own before tlsward comes.
reg_set "$K_WINHTTP" DefaultSecureProtocols REG_DWORD 0xa0
reg_set "$K_NET4" SchUseStrongCrypto REG_DWORD 0
before=$(managed_snapshot)

msi_install_compliant
assert_eq 0xaa0 "$(reg_dword "$K_WINHTTP" DefaultSecureProtocols)" "WinHTTP after remediation"
assert_ne "$before" "$(managed_snapshot)" "settings after remediation"

msi_expect 0 /x "$MSI_WIN" /qn /norestart ROLLBACK=1

assert_eq ABSENT "$(svc_state)" "service after uninstall"
[ -e "$PROGRAM_UNIX" ] && fail "tlsward.exe is still in Program Files"
assert_eq "$before" "$(managed_snapshot)" "TLS settings after ROLLBACK=1 uninstall"
sleep 3
assert_eq "$before" "$(managed_snapshot)" "TLS settings 3 s later"

pass
