#!/bin/bash
# tlsward end to end, on Debian 12 as root, in a few minutes:
#   1. build tlsward.exe and tlsward.msi (MinGW-w64 cross build, wixl)
#   2. a Windows 10 client (a throwaway Wine prefix): the MSI installed
#      silently, in audit mode
#   3. "tlsward check" and "tlsward plan" on its live registry: what is
#      missing, and what enforcing will write, in order
#   4. switch to enforce: the service writes what the plan said
#   5. another tool weakens WinHTTP; the service heals it at once and
#      schedules the restart the value needs (event 3000)
#   6. the restart (simulated): now ready for servers to require TLS 1.2
#   7. a Windows 7 client cut off from a TLS 1.2-only "management point"
#      (openssl s_server on 127.0.0.1): "tlsward probe" fails; the service
#      remediates, proves TLS 1.2 on the wire (event 4000), and the client
#      reaches the server again
#
# Usage: installer/demo.sh   (TLSR_DEMO_KEEP=1 keeps the Wine prefixes)
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
	wine64 wine wixl msitools jq openssl'

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
say "$(stat -c %s "$BUILD/service/tlsward.exe") bytes  $BUILD/service/tlsward.exe"
say "$(stat -c %s "$MSI") bytes  $MSI (version $(msiinfo export "$MSI" Property |
	tr -d '\r' | sed -n 's/^ProductVersion\t//p'))"

# ---- the machines ----

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tlsward-demo.XXXXXX")
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY WAYLAND_DISPLAY
TLS_PID=
BOOT_PID=
cleanup()
{
	local p

	[ -z "$TLS_PID" ] || kill "$TLS_PID" 2>/dev/null || true
	[ -z "$BOOT_PID" ] || wait "$BOOT_PID" 2>/dev/null || true
	for p in "$WORK"/win10 "$WORK"/win7; do
		[ -d "$p" ] && WINEPREFIX=$p wineserver -k >/dev/null 2>&1 || true
	done
	if [ "${TLSR_DEMO_KEEP:-0}" = 1 ]; then
		echo "prefixes kept: $WORK/win10 $WORK/win7"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT

# make_prefix DIR VERSION: boots a Wine prefix that reports that Windows.
# A started service gets 60 s to connect to the service control manager
# (Wine's default is 10 s, Windows' 30 s): a busy machine can be slower.
# Wine has no .NET Framework; the prefix gets the setup key of .NET 4.8
# (Release 528372), which Windows 10 ships and most Windows 7 clients have.
make_prefix()
{
	export WINEPREFIX=$1
	wineboot -i >/dev/null 2>&1 || return 1
	wineserver -w
	wine winecfg /v "$2" >/dev/null 2>&1 || return 1
	wine reg add 'HKLM\System\CurrentControlSet\Control' /v ServicesPipeTimeout \
		/t REG_DWORD /d 60000 /f >/dev/null 2>&1 || return 1
	wine reg add "$NDP4" /v Release /t REG_DWORD /d 528372 /f >/dev/null 2>&1 || return 1
	wine reg add "$NDP4" /v Install /t REG_DWORD /d 1 /f >/dev/null 2>&1 || return 1
	wineserver -w
}

NDP4='HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full'

# The Windows 7 machine of step 7 boots while the Windows 10 one is shown.
(make_prefix "$WORK/win7" win7 >"$WORK/win7-boot.log" 2>&1) &
BOOT_PID=$!

EXE='C:\Program Files\tlsward\tlsward.exe'
WINHTTP='HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp'
TLS12_CLIENT='HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Client'

# use_prefix DIR: the machine the next commands run on.
use_prefix()
{
	export WINEPREFIX=$1
	DATA=$WINEPREFIX/drive_c/ProgramData/tlsward
	EVENTS=$DATA/events.jsonl
	wineserver -p
}

# write_policy [PROOF_URL]: the demo's policy, C:\demo\policy.yaml. The
# central policy would be on a share; here it is a local file.
write_policy()
{
	mkdir -p "$WINEPREFIX/drive_c/demo"
	cp "$MSI" "$WINEPREFIX/drive_c/demo/tlsward.msi"
	cat >"$WINEPREFIX/drive_c/demo/policy.yaml" <<-'YAML'
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
	if [ -n "${1:-}" ]; then
		printf 'proof:\n  endpoints:\n    - "%s"\n  interval: 1h\n' "$1" \
			>>"$WINEPREFIX/drive_c/demo/policy.yaml"
	fi
}

# install_msi: the silent install Configuration Manager runs, in audit mode.
install_msi()
{
	local cmdline t rc

	cmdline='msiexec /i C:\demo\tlsward.msi /qn /norestart POLICYPATH=C:\demo\policy.yaml MODE=audit'
	say "$cmdline"
	t=$SECONDS
	rc=$(wine cmd /c "$cmdline /l*v C:\\demo\\install.log & echo rc=%ERRORLEVEL%" 2>/dev/null |
		tr -d '\r' | sed -n 's/^rc=//p')
	say "exit code $rc in $((SECONDS - t)) s"
	[ "$rc" = 0 ] || die "msiexec failed ($rc), see $WINEPREFIX/drive_c/demo/install.log"
	wait_for 20 "the service running" service_running
	say "service: RUNNING"
	wait_for 60 "the first check (Status LastCheck)" has_value LastCheck
}

service_running()
{
	wine sc query tlsward 2>/dev/null | grep -q RUNNING
}

# waits until CMD succeeds, up to SECONDS of wall time (a reg.exe query
# alone can take a second on a busy machine): wait_for SECONDS WHAT CMD...
wait_for()
{
	local secs=$1 what=$2 end=$((SECONDS + $1))

	shift 2
	while [ "$SECONDS" -lt "$end" ]; do
		"$@" && return 0
		sleep 0.2
	done
	"$@" && return 0
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

# Number of the events file's next line: events after a mark.
mark_events()
{
	mark=$(($(wc -l <"$EVENTS" 2>/dev/null || echo 0) + 1))
}

# has_event ID: an event ID was written since the mark.
has_event()
{
	tail -n +"$mark" "$EVENTS" 2>/dev/null | jq -c --argjson id "$1" 'select(.id == $id)' |
		grep -q .
}

# prints events with id $1 (from line $2 on) as readable lines
show_events()
{
	tail -n +"${2:-1}" "$EVENTS" 2>/dev/null | jq -r --argjson id "$1" '
		select(.id == $id) |
		"  \(.time)  \(.id) \(.event)  \(.setting // .endpoint // "")" +
		(if .key then "\n      \(.key)\\\(.name // "")" +
			(if (.view // "-") == "-" then "" else " (\(.view)-bit view)" end) +
			": \(.actual // "absent") -> \(.expected // "")" else "" end) +
		(if .protocol then "\n      protocol: \(.protocol)" else "" end) +
		(if .reason then "\n      reason: \(.reason)" else "" end) +
		(if .restart_time then "\n      restart begins at \(.restart_time) (users are warned; the computer restarts after restart.grace)" else "" end)'
}

# Runs a tlsward command (check by default) on the live registry, its
# output indented; sets rc to its exit code.
live()
{
	set +e
	wine "$EXE" "${@:-check}" | tr -d '\r' | sed 's/^/  /'
	rc=${PIPESTATUS[0]}
	set -e
}

# What an exit code of check or plan says.
exit_meaning()
{
	case $1 in
	0) echo "compliant" ;;
	1) echo "not compliant, and all of it can be remediated" ;;
	3) echo "not compliant: something is blocked by a missing prerequisite" ;;
	5) echo "a critical risk" ;;
	*) echo "an error" ;;
	esac
}

# enforce: what the "tlsward mode" configuration item does on Windows
# (there with sc.exe control tlsward paramchange; Wine's sc.exe has no
# "control").
enforce()
{
	say "reg add HKLM\\SOFTWARE\\tlsward\\Parameters /v Mode /d enforce"
	say "tlsward service control reload   (SERVICE_CONTROL_PARAMCHANGE)"
	wine reg add 'HKLM\SOFTWARE\tlsward\Parameters' /v Mode /t REG_SZ /d enforce /f >/dev/null 2>&1
	wine "$EXE" service control reload >/dev/null 2>&1 || die "tlsward service control reload failed"
	wait_for 60 "a pass in enforce mode (Status Mode)" enforced
}

# The service has made a pass in enforce mode (Status was audit before).
enforced()
{
	[ "$(status_value Mode)" = enforce ]
}

# Prints how many values the service wrote since the mark.
written_since_mark()
{
	tail -n +"$mark" "$EVENTS" | jq -c 'select(.id == 2002)' | grep -c . || true
}

# ---- 2. Windows 10 ----

heading "2. A Windows 10 client (Wine) and a silent install, audit mode"
make_prefix "$WORK/win10" win10 || die "booting the Windows 10 prefix failed"
use_prefix "$WORK/win10"
say "Windows $(wine cmd /c ver 2>/dev/null | tr -d '\r' | grep -o '[0-9][0-9.]*' | head -n 1)," \
	"WinHTTP DefaultSecureProtocols: $(wine reg query "$WINHTTP" /v DefaultSecureProtocols \
		>/dev/null 2>&1 && echo set || echo 'not set'), .NET Framework 4.8 (its setup key)"
write_policy
say "policy C:\\demo\\policy.yaml: WinHTTP 0xAA0, SChannel TLS 1.2 for clients, .NET strong crypto"
say "its restart window, 00:00-23:59, is the demo's own choice, so that the restart is"
say "scheduled while you watch; a real policy names the estate's maintenance window"
install_msi

# ---- 3. check and plan ----

heading "3. tlsward check and tlsward plan, live registry, before enforcing"
live check
say "exit code $rc: $(exit_meaning "$rc")"
say "audit mode changes nothing; differences reported: $(show_events 2001 | grep -c ' 2001 ' || true) event(s) 2001"
echo
live plan
say "(tlsward plan shows what enforcing will write, in order)"

# ---- 4. enforce ----

heading "4. Enforce: the service writes what the plan said"
mark_events
mark4=$mark
enforce
n=$(written_since_mark)
show_events 2002 "$mark"
say "$n value(s) written"

# ---- 5. drift ----

heading "5. Drift: another tool writes DefaultSecureProtocols=0xA0 (no TLS 1.2)"
mark_events
t=$(date +%s%N)
wine reg add "$WINHTTP" /v DefaultSecureProtocols /t REG_DWORD /d 0xa0 /f >/dev/null 2>&1
wait_for 30 "the heal of DefaultSecureProtocols (event 2002)" has_event 2002
say "healed after $((($(date +%s%N) - t) / 1000000)) ms (including reg.exe start-up)"
show_events 2001 "$mark"
show_events 2002 "$mark"
# The restart is scheduled once, for every change that owes it: here or
# in step 4.
mark=$mark4
wait_for 30 "the scheduled restart (event 3000)" has_event 3000
show_events 3000 "$mark"
echo
live check
say "exit code $rc: $(exit_meaning "$rc")"

# ---- 6. restart ----

heading "6. The restart (simulated: every process ends, the next session starts the service)"
wine "$EXE" service stop >/dev/null 2>&1 || true
wineserver -k >/dev/null 2>&1 || true
wineserver -w
wineserver -p
mark_events
wine cmd /c exit 0 >/dev/null 2>&1
service_running || wine sc start tlsward >/dev/null 2>&1 || true
wait_for 60 "the service's start (event 1000)" has_event 1000
restart_done()
{
	[ "$(status_value RestartPending)" = 0x0 ]
}
wait_for 60 "Status RestartPending=0" restart_done
say "Status\\RestartPending = 0 (the restart the changes needed has happened)"
live check
say "exit code $rc: $(exit_meaning "$rc")"
[ "$rc" = 0 ] || die "the Windows 10 client is not compliant after its restart"

# ---- 7. Windows 7 and the management point ----

heading "7. A Windows 7 client cut off from a TLS 1.2-only management point"
wait "$BOOT_PID" || die "booting the Windows 7 prefix failed, see $WORK/win7-boot.log"
BOOT_PID=
use_prefix "$WORK/win7"
# Windows 7 keeps TLS 1.2 off for clients unless the registry turns it on;
# Wine's SChannel has it on, so the prefix is given Windows 7's default.
wine reg add "$TLS12_CLIENT" /v DisabledByDefault /t REG_DWORD /d 1 /f >/dev/null 2>&1
say "Windows $(wine cmd /c ver 2>/dev/null | tr -d '\r' | grep -o '[0-9][0-9.]*' | head -n 1)," \
	"SChannel TLS 1.2\\Client DisabledByDefault=1 (Windows 7's default: TLS 1.2 off for clients)"

# The management point: openssl s_server speaking TLS 1.2 only, on
# 127.0.0.1, with a certificate made now; it lives at most 5 minutes.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -keyout "$WORK/key.pem" \
	-out "$WORK/cert.pem" -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 >"$WORK/openssl.log" 2>&1 ||
	die "openssl could not make a certificate, see $WORK/openssl.log"
port_open()
{
	(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
}
for _ in $(seq 20); do
	PORT=$((20000 + RANDOM % 30000))
	port_open && continue
	timeout 300 openssl s_server -accept "127.0.0.1:$PORT" -cert "$WORK/cert.pem" \
		-key "$WORK/key.pem" -www -quiet -tls1_2 </dev/null >>"$WORK/openssl.log" 2>&1 &
	TLS_PID=$!
	for _ in $(seq 50); do
		port_open && break
		sleep 0.1
	done
	port_open && break
	kill "$TLS_PID" 2>/dev/null || true
	TLS_PID=
done
[ -n "$TLS_PID" ] || die "the TLS 1.2 server did not start, see $WORK/openssl.log"
URL="https://127.0.0.1:$PORT/SMS_MP/.sms_aut?mplist"
say "management point: openssl s_server -tls1_2 on 127.0.0.1:$PORT (TLS 1.2 only)"

write_policy "$URL"
say "policy: as before, and proof.endpoints: the management point's $URL"
install_msi
echo
say "tlsward probe $URL"
live probe "$URL"
say "exit code $rc: $([ "$rc" = 0 ] && echo proven || echo 'not proven: this client would be cut off')"
echo
live check
say "exit code $rc: $(exit_meaning "$rc")"
say "(Wine's winhttp.dll is older than KB3140245, as on an unpatched Windows 7)"
echo
live plan

heading "7b. Enforce on Windows 7: the service remediates and proves TLS 1.2 on the wire"
mark_events
enforce
show_events 2002 "$mark"
wait_for 90 "the proof (event 4000)" has_event 4000
show_events 4000 "$mark"
say "Status: Proven $([ "$(status_value Proven)" = 0x1 ] && echo yes || echo no)," \
	"ProofResult $(status_value ProofResult), ProofProtocol $(status_value ProofProtocol)"
say "(the demo's certificate is self-signed: the probe reports it as a trust"
say " error, apart from the protocol, which is what the proof is about)"
echo
say "tlsward probe $URL"
live probe "$URL"
say "exit code $rc: $([ "$rc" = 0 ] && echo 'proven: the client reaches the management point with TLS 1.2' || echo 'not proven')"
[ "$rc" = 0 ] || die "the Windows 7 client still cannot reach the TLS 1.2 server"
say "(under Wine, WinHTTP follows SChannel's keys: Wine's WinHTTP does not read"
say " DefaultSecureProtocols; a real Windows 7 also needs KB3140245 for WinHTTP)"
echo
live check
say "exit code $rc: $(exit_meaning "$rc")"
printf '\n%sdemo finished in %s s%s\n' "$G" $((SECONDS - T0)) "$N"
