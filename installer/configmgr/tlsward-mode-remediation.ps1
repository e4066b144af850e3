# tlsward mode, remediation script for the "tlsward mode" configuration
# item: sets HKLM\SOFTWARE\tlsward\Parameters Mode and tells the running
# service to reload (SERVICE_CONTROL_PARAMCHANGE), so a collection moves from
# audit to enforce without reinstalling. Make one copy per mode and set
# $mode; deploy the enforce baseline only to the enforce collection.

$mode = 'enforce'

$key = 'HKLM:\SOFTWARE\tlsward\Parameters'
if (-not (Test-Path $key)) {
	Write-Error 'tlsward is not installed'
	exit 1
}
Set-ItemProperty -Path $key -Name 'Mode' -Value $mode -Type String
& "$env:SystemRoot\System32\sc.exe" control tlsward paramchange | Out-Null
exit 0
