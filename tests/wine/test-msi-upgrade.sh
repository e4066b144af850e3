#!/bin/bash
# Upgrading to a newer tlsward.msi keeps what the service and the admin
# built up: the admin's policy.yaml, policy.cache.yaml, the Journal, the
# Status and the install's MODE/POLICYPATH; the old product is gone, the
# service runs the new version; going back to the older MSI is refused
# with 1603.
. "$(dirname "$0")/lib.sh" "$@"
. "$(dirname "$0")/msi-lib.sh"

msi_prepare win10

msi_install_compliant MODE=enforce
for _ in $(seq 50); do
	[ -f "$DATA_UNIX/policy.cache.yaml" ] && break
	sleep 0.2
done
[ -f "$DATA_UNIX/policy.cache.yaml" ] || fail "the service wrote no policy.cache.yaml"

# The admin edits the installed default policy.
printf '# edited by the admin\n' >>"$POLICY_UNIX"
policy_before=$(cat "$POLICY_UNIX")
cache_before=$(cat "$DATA_UNIX/policy.cache.yaml")
journal_before=$(reg_dump "$K_TLSWARD\\Journal")
assert_ne '' "$journal_before" "Journal after remediation"
remediations_before=$(($(reg_dword "$K_STATUS" Remediations)))
old_code=$(msi_product_code)

# The same package with a higher version (and so a new product code).
old_version=$(reg_sz "$K_TLSWARD" InstalledVersion)
new_version=$(echo "$old_version" | awk -F. '{ printf "%d.%d.%d", $1, $2, $3 + 1 }')
msi_build "$new_version" tlsward-new.msi
new_code=$(msi_product_code "$MSI_DIR_UNIX/tlsward-new.msi")
assert_ne "$old_code" "$new_code" "product code of the newer MSI"

# No MODE or POLICYPATH this time: the earlier ones must be kept.
msi_expect 0 /i "$MSI_DIR_WIN\\tlsward-new.msi" /qn /norestart
wait_state RUNNING 30

assert_eq "$new_version" "$(reg_sz "$K_TLSWARD" InstalledVersion)" "InstalledVersion"
assert_eq 'C:\policies\tlsward.yaml' "$(reg_sz "$K_PARAMS" PolicyPath)" "PolicyPath kept"
assert_eq enforce "$(reg_sz "$K_PARAMS" Mode)" "Mode kept"
assert_eq "$policy_before" "$(cat "$POLICY_UNIX")" "the admin's policy.yaml"
assert_eq "$cache_before" "$(cat "$DATA_UNIX/policy.cache.yaml" 2>/dev/null)" "policy.cache.yaml"
assert_eq "$journal_before" "$(reg_dump "$K_TLSWARD\\Journal")" "Journal"
assert_ne absent "$(reg_dword "$K_STATUS" Compliant)" "Status kept"
assert_ge "$remediations_before" "$(($(reg_dword "$K_STATUS" Remediations)))" \
	"Remediations counter kept"

# Exactly one tlsward product is registered: the new one.
uninstall_key='SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall'
key_exists "$uninstall_key\\$new_code" || fail "the new product is not registered"
key_exists "$uninstall_key\\$old_code" && fail "the old product is still registered"

# The service still heals drift after the upgrade.
reg_set "$K_NET4" SchUseStrongCrypto REG_DWORD 0
wait_dword "$K_NET4" SchUseStrongCrypto 64 0x1 30

# A downgrade is refused and changes nothing.
msi_expect 1603 /i "$MSI_WIN" /qn
assert_eq "$new_version" "$(reg_sz "$K_TLSWARD" InstalledVersion)" "version after a refused downgrade"
assert_eq RUNNING "$(svc_state)" "service after a refused downgrade"

pass
