#!/bin/bash
# A silent install of tlsward.msi on an unpatched Windows 10 client, as
# Configuration Manager runs it, creates a running service that remediates:
# exit code 0, service RUNNING with the contract's configuration, event
# source and Parameters written, seed policy laid down, Status Compliant=1.
. "$(dirname "$0")/lib.sh" "$@"
. "$(dirname "$0")/msi-lib.sh"

msi_prepare win10

# The policy says audit; MODE=enforce on the command line must win.
put_policy_at 'C:\policies\tlsward.yaml' <<'YAML'
version: 1
mode: audit
restart:
  mode: never
YAML

msi_expect 0 /i "$MSI_WIN" /qn /norestart 'POLICYPATH=C:\policies\tlsward.yaml' MODE=enforce
wait_state RUNNING 30

# The service as the contract describes it.
assert_eq 'REG_SZ tlsward TLS 1.2 remediation' "$(reg_get "$K_SERVICE" DisplayName)" \
	"service display name"
assert_match 'tlsward\.exe"? service run$' "$(reg_sz "$K_SERVICE" ImagePath)" \
	"service command line"
assert_match 'Program Files\\tlsward\\tlsward\.exe' "$(reg_sz "$K_SERVICE" ImagePath)" \
	"service program path"
# Once started, the service quotes its own path (it has a space in it).
assert_match '^"C:\\Program Files\\tlsward\\tlsward\.exe" service run$' \
	"$(reg_sz "$K_SERVICE" ImagePath)" "service path quoted by the service"
assert_eq 0x2 "$(reg_dword "$K_SERVICE" Start)" "service start type (auto)"
assert_eq LocalSystem "$(reg_sz "$K_SERVICE" ObjectName)" "service account"
assert_match '.' "$(reg_sz "$K_SERVICE" Description)" "service description"

# Event source.
assert_eq "REG_EXPAND_SZ $PROGRAM_WIN" "$(reg_get "$K_EVENTSRC" EventMessageFile)" \
	"event source message file"
assert_eq 0x7 "$(reg_dword "$K_EVENTSRC" TypesSupported)" "event source types"

# Parameters from the command line, the version for detection.
assert_eq 'C:\policies\tlsward.yaml' "$(reg_sz "$K_PARAMS" PolicyPath)" "PolicyPath"
assert_eq enforce "$(reg_sz "$K_PARAMS" Mode)" "Mode"
assert_eq '' "$(reg_sz "$K_PARAMS" Floor)" "Floor (reserved, empty)"
version=$(msiinfo export "$TLSR_MSI" Property | tr -d '\r' | sed -n 's/^ProductVersion\t//p')
assert_eq "$version" "$(reg_sz "$K_TLSWARD" InstalledVersion)" "InstalledVersion"

# The seed policy where no policy was.
cmp -s "$SOURCE_ROOT/policy/examples/seed.yaml" "$POLICY_UNIX" ||
	fail "C:\\ProgramData\\tlsward\\policy.yaml is not the seed policy"

# The service remediates under MODE=enforce although its policy says audit.
wait_dword "$K_STATUS" Compliant 64 0x1 60
assert_eq enforce "$(reg_sz "$K_STATUS" Mode)" "Status Mode"
while IFS='|' read -r key name view want; do
	assert_eq "$want" "$(reg_dword "$key" "$name" "$view")" "HKLM\\$key\\$name (view $view)"
done < <(managed_values win10)
assert_ge 1 "$(event_count 2002)" "remediated events (2002)"

# Delayed auto start, failure actions and required privileges (set by the
# service itself) are not observable here: Wine 8's ChangeServiceConfig2W
# refuses those levels (ERROR_INVALID_LEVEL) or keeps nothing.

pass
