#!/bin/bash
# tlsward end to end, on Debian 12 as root, in a few minutes:
#   1. build tlsward.exe and tlsward.msi (MinGW-w64 cross build, wixl)
#   2. install the MSI silently, in audit mode, into a throwaway Wine prefix
#      that looks like an unpatched Windows 10 client (no TLS values set)
#   3. "tlsward check" against the live registry: what is missing
#   4. switch to enforce: the service remediates, in order (events 2002)
#   5. the restart those settings need is scheduled (event 3000, Status)
#   6. drift injected with reg.exe, healed by the service
#   7. "tlsward check" again: compliant
#
# Usage: installer/demo.sh   (TLSR_DEMO_KEEP=1 keeps the Wine prefix)
# Missing Debian packages are installed with apt-get.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${TLSR_DEMO_BUILD:-$ROOT/build-demo}
BUILD_LOG=${TMPDIR:-/tmp}/tlsward-demo-build.log
T0=$SECONDS

if [ -t 1 ]; then
	B=$'\e[1m' G=$'\e[32m' R=$'\e[31m' N=$'\e[0m'
else
	B='' G='' R='' N=''
fi

heading()
{
	printf '\n%s==== %s ====%s  (%ss)\n' "$B" "$*" "$N" $((SECONDS - T0))
}

say()
{
	printf '  %s\n' "$*"
}

die()
{
	printf '%sdemo: %s%s\n' "$R" "$*" "$N" >&2
	if [ -n "${EVENTS:-}" ] && [ -f "$EVENTS" ]; then
		echo "last events:" >&2
		tail -n 10 "$EVENTS" | jq -r '"  \(.time) \(.id) \(.event): \(.message)"' >&2 || true
	fi
	exit 1
}

# ---- 0. packages ----

PACKAGES='meson ninja-build pkg-config gcc libc6-dev libyaml-dev check
	gcc-mingw-w64-x86-64 mingw-w64-tools binutils-mingw-w64-x86-64
	wine64 wine wixl msitools jq'

heading "0. Debian packages"
missing=
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	[ "$(id -u)" = 0 ] || die "run as root to install:$missing"
	APT_LOG=${TMPDIR:-/tmp}/tlsward-demo-apt.log
	say "installing:$missing"
	say "with apt-get (a few minutes on a fresh machine; its output goes to $APT_LOG)"
	apt-get update >"$APT_LOG" 2>&1 || die "apt-get update failed, see $APT_LOG"
	# shellcheck disable=SC2086 # one word per package
	DEBIAN_FRONTEND=noninteractive apt-get install -y \
		--no-install-recommends $missing >>"$APT_LOG" 2>&1 ||
		die "apt-get install failed, see $APT_LOG"
	say "installed"
else
	say "all present"
fi

# ---- 1. build ----

heading "1. Build tlsward.exe and tlsward.msi (cross build)"
if [ ! -f "$BUILD/build.ninja" ]; then
	say "meson setup (log: $BUILD_LOG)"
	# Meson's cross sanity check runs through wine: not in ~/.wine, and
	# the prefix it boots (some 700 MB) is not needed afterwards.
	WINEPREFIX=$BUILD.wineprefix \
		meson setup --cross-file "$ROOT/cross/x86_64-w64-mingw32.ini" \
		"$BUILD" "$ROOT" >"$BUILD_LOG" 2>&1 ||
		die "meson setup failed, see $BUILD_LOG"
	rm -rf "$BUILD.wineprefix"
fi
say "meson compile: tlsward.exe and tlsward.msi (log: $BUILD_LOG)"
meson compile -C "$BUILD" service/tlsward installer/tlsward.msi \
	>>"$BUILD_LOG" 2>&1 ||
	die "meson compile failed, see $BUILD_LOG"
MSI=$BUILD/installer/tlsward.msi
say "$(ls -l "$BUILD/service/tlsward.exe" | awk '{ print $5 }') bytes  $BUILD/service/tlsward.exe"
say "$(ls -l "$MSI" | awk '{ print $5 }') bytes  $MSI (version $(msiinfo export "$MSI" Property |
	tr -d '\r' | sed -n 's/^ProductVersion\t//p'))"

# ---- 2. prefix + install ----

heading "2. A fresh Windows 10 client (Wine) and a silent install, audit mode"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tlsward-demo.XXXXXX")
export WINEPREFIX=$WORK/prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY WAYLAND_DISPLAY
cleanup()
{
	wineserver -k >/dev/null 2>&1 || true
	if [ "${TLSR_DEMO_KEEP:-0}" = 1 ]; then
		echo "prefix kept: $WINEPREFIX"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT

wineboot -i >/dev/null 2>&1 || die "wineboot failed"
wineserver -w
wine winecfg /v win10 >/dev/null 2>&1 || die "winecfg /v win10 failed"
# A started service gets 60 s to connect to the service control manager
# (Wine's default is 10 s, Windows' 30 s): a busy machine can be slower.
wine reg add 'HKLM\System\CurrentControlSet\Control' /v ServicesPipeTimeout \
	/t REG_DWORD /d 60000 /f >/dev/null 2>&1 || die "setting ServicesPipeTimeout failed"
wineserver -w
wineserver -p
EXE='C:\Program Files\tlsward\tlsward.exe'
DATA=$WINEPREFIX/drive_c/ProgramData/tlsward
EVENTS=$DATA/events.jsonl
WINHTTP='HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp'
say "Windows $(wine cmd /c ver 2>/dev/null | tr -d '\r' | grep -o '[0-9][0-9.]*' | head -n 1)," \
	"WinHTTP DefaultSecureProtocols: $(wine reg query "$WINHTTP" /v DefaultSecureProtocols \
		>/dev/null 2>&1 && echo set || echo 'not set')"

# The central policy would be on a share; here it is a local file.
mkdir -p "$WINEPREFIX/drive_c/demo"
cp "$MSI" "$WINEPREFIX/drive_c/demo/tlsward.msi"
cat >"$WINEPREFIX/drive_c/demo/policy.yaml" <<'YAML'
version: 1
mode: enforce
winhttp:
  default_secure_protocols: 0xAA0
schannel:
  enable: [tls1.2]
  sides: [client]
dotnet:
  strong_crypto: true
  system_default_tls_versions: true
restart:
  mode: schedule
  window: "00:00-23:59"
  grace: 15m
YAML
say "policy C:\\demo\\policy.yaml: WinHTTP 0xAA0, SChannel TLS 1.2 for clients, .NET strong crypto"
say "its restart window, 00:00-23:59, is the demo's own choice, so that the restart is"
say "scheduled while you watch; a real policy names the estate's maintenance window"

cmdline='msiexec /i C:\demo\tlsward.msi /qn /norestart POLICYPATH=C:\demo\policy.yaml MODE=audit'
say "$cmdline"
t=$SECONDS
rc=$(wine cmd /c "$cmdline /l*v C:\\demo\\install.log & echo rc=%ERRORLEVEL%" 2>/dev/null |
	tr -d '\r' | sed -n 's/^rc=//p')
say "exit code $rc in $((SECONDS - t)) s"
[ "$rc" = 0 ] || die "msiexec failed ($rc), see $WINEPREFIX/drive_c/demo/install.log"
for i in $(seq 100); do
	wine sc query tlsward 2>/dev/null | grep -q RUNNING && break
	sleep 0.2
done
say "service: $(wine sc query tlsward | tr -d '\r' | sed -n 's/^ *STATE *: *[0-9]* *//p')"

# waits until CMD succeeds, up to SECONDS: wait_for SECONDS WHAT CMD...
wait_for()
{
	local secs=$1 what=$2 i

	shift 2
	for ((i = 0; i < secs * 5; i++)); do
		"$@" && return 0
		sleep 0.2
	done
	die "$what not seen within $secs s"
}

status_value()
{
	wine reg query 'HKLM\SOFTWARE\tlsward\Status' /v "$1" 2>/dev/null | tr -d '\r' |
		sed -nE 's/^ +[^ ]+ +REG_[A-Z_]+ +//p'
}

has_value()
{
	[ -n "$(status_value "$1")" ]
}

# prints events with id $1 (from line $2 on) as readable lines
show_events()
{
	tail -n +"${2:-1}" "$EVENTS" 2>/dev/null | jq -r --argjson id "$1" '
		select(.id == $id) |
		"  \(.time)  \(.id) \(.event)  \(.setting // "")" +
		(if .key then "\n      \(.key)\\\(.name // "")" +
			(if (.view // "-") == "-" then "" else " (\(.view)-bit view)" end) +
			": \(.actual // "absent") -> \(.expected // "")" else "" end) +
		(if .reason then "\n      reason: \(.reason)" else "" end) +
		(if .restart_time then "\n      restart begins at \(.restart_time) (users are warned; the computer restarts after restart.grace)" else "" end)'
}

wait_for 60 "the first check (Status LastCheck)" has_value LastCheck

# Runs `tlsward check` (or the command given) on the live registry, its
# report indented; sets rc to its exit code.
live_check()
{
	set +e
	wine "$EXE" "${1:-check}" | tr -d '\r' | sed 's/^/  /'
	rc=${PIPESTATUS[0]}
	set -e
}

# ---- 3. check before ----

heading "3. tlsward check, live registry, before"
live_check
say "exit code $rc (non-zero: not compliant)"
say "audit mode changed nothing; drift reported: $(show_events 2001 | grep -c ' 2001 ' || true) event(s) 2001"

heading "3b. tlsward plan: what enforcing will write, in order"
live_check plan

# ---- 4. enforce ----

heading "4. Enforce: the service remediates, in order"
mark=$(($(wc -l <"$EVENTS") + 1))
# What the "tlsward mode" configuration item does on Windows (there with
# sc.exe control tlsward paramchange; Wine's sc.exe has no "control").
say "reg add HKLM\\SOFTWARE\\tlsward\\Parameters /v Mode /d enforce"
say "tlsward service control reload   (SERVICE_CONTROL_PARAMCHANGE)"
wine reg add 'HKLM\SOFTWARE\tlsward\Parameters' /v Mode /t REG_SZ /d enforce /f >/dev/null 2>&1
wine "$EXE" service control reload >/dev/null 2>&1 || die "tlsward service control reload failed"
compliant()
{
	[ "$(status_value Compliant)" = 0x1 ]
}
wait_for 60 "Status Compliant=1" compliant
show_events 2002 "$mark"

# ---- 5. restart ----

heading "5. The restart the settings need is scheduled"
has_3000()
{
	tail -n +"$mark" "$EVENTS" | jq -c 'select(.id == 3000)' | grep -q .
}
wait_for 30 "event 3000" has_3000
show_events 3000 "$mark"
for v in RestartPending RestartReason RestartTime Compliant ReadyForServerTls12; do
	say "Status\\$v = $(status_value $v)"
done

# ---- 6. drift ----

heading "6. Drift: another tool writes DefaultSecureProtocols=0xA0"
mark=$(($(wc -l <"$EVENTS") + 1))
t=$(date +%s%N)
wine reg add "$WINHTTP" /v DefaultSecureProtocols /t REG_DWORD /d 0xa0 /f >/dev/null 2>&1
healed()
{
	wine reg query "$WINHTTP" /v DefaultSecureProtocols 2>/dev/null | grep -q 0xaa0
}
wait_for 30 "the heal of DefaultSecureProtocols" healed
say "back to 0xaa0 after $((($(date +%s%N) - t) / 1000000)) ms (including reg.exe start-up)"
has_2002()
{
	tail -n +"$mark" "$EVENTS" | jq -c 'select(.id == 2002)' | grep -q .
}
wait_for 10 "event 2002 for the drift" has_2002
show_events 2001 "$mark"
show_events 2002 "$mark"

# ---- 7. check after ----

heading "7. tlsward check, live registry, after"
live_check
say "exit code $rc"
[ "$rc" = 0 ] || die "the client is not compliant after remediation"
printf '\n%sdemo finished in %s s%s\n' "$G" $((SECONDS - T0)) "$N"
