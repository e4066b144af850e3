# tlsward compliance discovery script for a Configuration Manager
# configuration item (setting type: Script, data type: String).
#
# Prints one word, read from HKLM\SOFTWARE\tlsward\Status as written by the
# tlsward service (first match wins):
#   NotInstalled    no status: tlsward is missing or has never run
#   Stale           the service has not checked for more than 24 hours
#   AtRisk          a critical risk: a legacy protocol is already off while
#                   TLS 1.2 does not work yet; the client is cut off at its
#                   next restart (see Risks)
#   Blocked         a prerequisite is missing (see BlockedReasons)
#   RestartPending  settings hold, a change waits for the restart that
#                   activates it (see RestartOwed, RestartTime)
#   Ready           ready for server-side TLS 1.2 (ReadyForServer = 1)
#   Unproven        settings hold, but the last TLS 1.2 proof to the proof
#                   endpoints failed (see ProofResult, ProofEndpoint)
#   Compliant       every setting holds; something for "ready" is still open
#   NonCompliant    drift the service has not (yet) remediated, or audit mode
#
# The values it reads (a DWORD counts only when it is 1; absent is 0):
#   LastCheck       SZ        time of the last check, ISO 8601 UTC
#   Compliant       DWORD     1: every setting of the policy holds
#   Blocked         DWORD     1: a prerequisite is missing
#   RestartPending  DWORD     1: a change waits for a restart
#   RestartOwed     MULTI_SZ  the items waiting for a restart; any entry
#                             counts as waiting, even if RestartPending is 0
#   RiskCritical    DWORD     1: a critical risk exists
#   Risks           MULTI_SZ  "critical|warning|info ID: message"; any line
#                             starting "critical " counts as a critical risk
#   ReadyForServer  DWORD     1: TLS 1.2 holds in WinHTTP, SChannel and .NET,
#                             nothing waits for a restart, no critical risk
#                             and, with a proof section, Proven is 1
#   Proven          DWORD     1: every proof endpoint answered over TLS 1.2
#                             since this boot
#   ProofTime       SZ        time of the last proof (absent: none yet)
# "Ready" needs ReadyForServer = 1 and, checked here again, no restart
# waiting and no critical risk. A tlsward too old to write ReadyForServer is
# never "Ready". ReadyForServerTls12 (older versions) is not read.
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

# True when a DWORD value is present and 1.
function Test-One($value) {
	if ($value -eq $null) { return $false }
	return ([int64]$value -eq 1)
}

# True when a MULTI_SZ value has a line; with a prefix, a line that starts
# with it (case-insensitive).
function Test-AnyLine($value, $prefix) {
	foreach ($line in @($value)) {
		if ($line -eq $null -or [string]$line -eq '') { continue }
		if ($prefix -eq $null -or ([string]$line).ToLowerInvariant().StartsWith($prefix)) {
			return $true
		}
	}
	return $false
}

$props = Get-ItemProperty -Path $key -ErrorAction SilentlyContinue
if ($props -eq $null) {
	Write-Output 'NotInstalled'
	exit 0
}

$lastCheck = Get-StatusValue $props 'LastCheck'
$compliant = Get-StatusValue $props 'Compliant'
$blocked = Get-StatusValue $props 'Blocked'
$restartPending = Get-StatusValue $props 'RestartPending'
$restartOwed = Get-StatusValue $props 'RestartOwed'
$riskCritical = Get-StatusValue $props 'RiskCritical'
$risks = Get-StatusValue $props 'Risks'
$ready = Get-StatusValue $props 'ReadyForServer'
$proven = Get-StatusValue $props 'Proven'
$proofTime = Get-StatusValue $props 'ProofTime'

if ($compliant -eq $null -or $lastCheck -eq $null) {
	Write-Output 'NotInstalled'
	exit 0
}

$critical = (Test-One $riskCritical) -or (Test-AnyLine $risks 'critical ')
$waiting = (Test-One $restartPending) -or (Test-AnyLine $restartOwed $null)
$proofFailed = ($proofTime -ne $null -and [string]$proofTime -ne '' -and
	-not (Test-One $proven))

$checked = [DateTime]::MinValue
$styles = [Globalization.DateTimeStyles]::AdjustToUniversal -bor `
	[Globalization.DateTimeStyles]::AssumeUniversal
$parsed = [DateTime]::TryParseExact([string]$lastCheck, "yyyy-MM-dd'T'HH:mm:ss'Z'",
	[Globalization.CultureInfo]::InvariantCulture, $styles, [ref]$checked)
if (-not $parsed -or $checked -lt [DateTime]::UtcNow.AddHours(-$maxAgeHours)) {
	Write-Output 'Stale'
} elseif ($critical) {
	Write-Output 'AtRisk'
} elseif (Test-One $blocked) {
	Write-Output 'Blocked'
} elseif ($waiting) {
	Write-Output 'RestartPending'
} elseif ((Test-One $compliant) -and (Test-One $ready)) {
	Write-Output 'Ready'
} elseif ((Test-One $compliant) -and $proofFailed) {
	Write-Output 'Unproven'
} elseif (Test-One $compliant) {
	Write-Output 'Compliant'
} else {
	Write-Output 'NonCompliant'
}
exit 0
