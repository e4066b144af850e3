# Valid PowerShell 3.0 and later, none of it available in Windows
# PowerShell 2.0 (Windows 7 SP1 as shipped).
$props = Get-ItemProperty -Path 'HKLM:\SOFTWARE\tlsward\Status'
$word = [ordered]@{ state = 'Ready' }
if ($props.Mode -in @('enforce', 'audit')) {
	Write-Output $word.state
}
$list = [System.Collections.ArrayList]::new()
Get-ChildItem | Where-Object { $PSItem.Length -gt 0 } | Out-Null
$mode = Get-ItemPropertyValue -Path 'HKLM:\SOFTWARE\tlsward\Parameters' -Name Mode
