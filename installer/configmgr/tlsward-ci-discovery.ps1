# tlsward compliance discovery script for a Configuration Manager
# configuration item (setting type: Script, data type: String).
#
# Prints one word, read from HKLM\SOFTWARE\tlsward\Status as written by the
# tlsward service:
#   Ready           compliant and ready for server-side TLS 1.2 (restart done)
#   Compliant       every setting holds; a prerequisite for "ready" is still open
#   RestartPending  settings hold, the restart that activates them is owed
#   Blocked         a prerequisite is missing (see BlockedReasons)
#   NonCompliant    drift the service has not (yet) remediated, or audit mode
#   Stale           the service has not checked for more than 24 hours
#   NotInstalled    no status: tlsward is missing or has never run
#
# Compliance rule in the CI: value "equals one of" Ready;Compliant
# (add RestartPending during a rollout wave if restarts are handled by
# maintenance windows). Runs on Windows PowerShell 2.0 (Windows 7 SP1).

$key = 'HKLM:\SOFTWARE\tlsward\Status'
$maxAgeHours = 24

function Get-StatusValue($props, $name) {
	$p = $props.PSObject.Properties[$name]
	if ($p -eq $null) { return $null }
	return $p.Value
}

$props = Get-ItemProperty -Path $key -ErrorAction SilentlyContinue
if ($props -eq $null) {
	Write-Output 'NotInstalled'
	exit 0
}

$compliant = Get-StatusValue $props 'Compliant'
$blocked = Get-StatusValue $props 'Blocked'
$restart = Get-StatusValue $props 'RestartPending'
$ready = Get-StatusValue $props 'ReadyForServerTls12'
$lastCheck = Get-StatusValue $props 'LastCheck'

if ($compliant -eq $null -or $lastCheck -eq $null) {
	Write-Output 'NotInstalled'
	exit 0
}

$checked = [DateTime]::MinValue
$styles = [Globalization.DateTimeStyles]::AdjustToUniversal -bor `
	[Globalization.DateTimeStyles]::AssumeUniversal
$parsed = [DateTime]::TryParseExact([string]$lastCheck, "yyyy-MM-dd'T'HH:mm:ss'Z'",
	[Globalization.CultureInfo]::InvariantCulture, $styles, [ref]$checked)
if (-not $parsed -or $checked -lt [DateTime]::UtcNow.AddHours(-$maxAgeHours)) {
	Write-Output 'Stale'
} elseif ($blocked -eq 1) {
	Write-Output 'Blocked'
} elseif ($restart -eq 1) {
	Write-Output 'RestartPending'
} elseif ($compliant -eq 1 -and $ready -eq 1) {
	Write-Output 'Ready'
} elseif ($compliant -eq 1) {
	Write-Output 'Compliant'
} else {
	Write-Output 'NonCompliant'
}
exit 0
