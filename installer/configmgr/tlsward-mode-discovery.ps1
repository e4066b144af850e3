# tlsward mode, discovery script for the "tlsward mode" configuration item
# (setting type: Script, data type: String). Prints the override in
# HKLM\SOFTWARE\tlsward\Parameters Mode: enforce, audit, or "policy" when
# the policy file's own mode applies. Compliance rule: equals enforce (or
# audit, in the audit baseline). Windows PowerShell 2.0 compatible.

$props = Get-ItemProperty -Path 'HKLM:\SOFTWARE\tlsward\Parameters' -ErrorAction SilentlyContinue
if ($props -eq $null) {
	Write-Output 'NotInstalled'
	exit 0
}
$p = $props.PSObject.Properties['Mode']
if ($p -eq $null -or [string]$p.Value -eq '') {
	Write-Output 'policy'
} else {
	Write-Output ([string]$p.Value)
}
exit 0
