# A discovery script whose if block is never closed.
$props = Get-ItemProperty -Path 'HKLM:\SOFTWARE\tlsward\Status'
if ($props.Compliant -eq 1) {
	Write-Output 'Compliant'
