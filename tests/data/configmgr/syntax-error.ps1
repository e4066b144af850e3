# A discovery script with a deliberate syntax error: the condition of the
# if statement is not closed before its block.
$props = Get-ItemProperty -Path 'HKLM:\SOFTWARE\tlsward\Status'
if ($props.Compliant -eq 1 {
	Write-Output 'Compliant'
}
exit 0
