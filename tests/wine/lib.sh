# tests/wine/lib.sh: what every Wine scenario shares. Source it first:
#
#   . "$(dirname "$0")/lib.sh" "$@"      # $1 = tlsward.exe, $2 = setvalue.exe
#
# It boots a fresh Wine prefix in a temporary directory (under
# $TLSR_WINE_WORK, the build directory when Meson runs the suite), keeps its
# wineserver up so services survive between commands, and on exit kills that
# wineserver and removes the prefix (kept when the scenario fails, and with
# TLSR_WINE_KEEP=1). On a failure the events, the service's
# Wine trace and the tlsward registry keys are printed and copied to
# $TLSR_WINE_WORK/wine-logs/<scenario>/.
#
# Environment: TLSR_WINE_WORK (where prefixes go), TLSR_WINE_DATA (the
# fixtures, tests/wine/data), TLSR_WINE_KEEP=1 keeps the prefix for a look
# (tests/run.sh --keep sets it).

set -euo pipefail

SCENARIO=$(basename "$0" .sh)
if [ $# -lt 1 ] || [ ! -f "$1" ]; then
	echo "usage: $0 TLSWARD_EXE [SETVALUE_EXE]" >&2
	exit 2
fi
TLSWARD_EXE=$(realpath "$1")
SETVALUE_EXE=$(realpath "${2:-$1}")
WINE_DATA=${TLSR_WINE_DATA:-$(cd "$(dirname "$0")" && pwd)/data}
LIB_DATA=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/data
WORK_ROOT=${TLSR_WINE_WORK:-${TMPDIR:-/tmp}}
mkdir -p "$WORK_ROOT"
WORK_DIR=$(mktemp -d "$WORK_ROOT/wine-$SCENARIO.XXXXXX")
export WINEPREFIX="$WORK_DIR/prefix"
# No Mono or Gecko: they would ask to be downloaded and only slow the boot.
export WINEDLLOVERRIDES="mscoree,mshtml="
export WINEDEBUG=-all
unset DISPLAY WAYLAND_DISPLAY
SERVICES_LOG="$WORK_DIR/services.log"
START_SECONDS=$SECONDS

# Managed keys, HKLM-relative (never Wow6432Node: the view says which).
# The scenarios that source this file use the ones shellcheck thinks unused.
K_WINHTTP='SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp'
K_SCHANNEL='SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols'
K_TLS12_CLIENT="$K_SCHANNEL"'\TLS 1.2\Client'
K_NET4='SOFTWARE\Microsoft\.NETFramework\v4.0.30319'
K_NET2='SOFTWARE\Microsoft\.NETFramework\v2.0.50727'
K_TLSWARD='SOFTWARE\tlsward'
# shellcheck disable=SC2034
K_STATUS='SOFTWARE\tlsward\Status'
# shellcheck disable=SC2034
K_PARAMS='SOFTWARE\tlsward\Parameters'
# shellcheck disable=SC2034
K_EVENTSRC='SYSTEM\CurrentControlSet\Services\EventLog\Application\tlsward'

PROGRAM_DIR_WIN='C:\Program Files\tlsward'
PROGRAM_WIN="$PROGRAM_DIR_WIN"'\tlsward.exe'
PROGRAM_UNIX="$WINEPREFIX/drive_c/Program Files/tlsward/tlsward.exe"
SETVALUE_UNIX="$WINEPREFIX/drive_c/Program Files/tlsward/setvalue.exe"
DATA_WIN='C:\ProgramData\tlsward'
DATA_UNIX="$WINEPREFIX/drive_c/ProgramData/tlsward"
POLICY_WIN="$DATA_WIN"'\policy.yaml'
POLICY_UNIX="$DATA_UNIX/policy.yaml"
EVENTS="$DATA_UNIX/events.jsonl"

# ---- reporting ----

# Prints a progress line.
log()
{
	printf '[%s %3ss] %s\n' "$SCENARIO" $((SECONDS - START_SECONDS)) "$*"
}

# Prints what the service left behind, for a failure report.
dump_state()
{
	local dest="$WORK_ROOT/wine-logs/$SCENARIO"

	mkdir -p "$dest"
	echo "---- events ($EVENTS) ----"
	cat "$EVENTS.1" "$EVENTS" 2>/dev/null | tail -n 40 |
		sed -E 's/^.*"id":([0-9]+).*"message":"(([^"\\]|\\.)*)".*$/\1 \2/' ||
		true
	echo "---- HKLM\\$K_TLSWARD ----"
	wine reg query "HKLM\\$K_TLSWARD" /s 2>/dev/null | tr -d '\r' |
		grep -v '^$' | head -n 80 || true
	echo "---- service trace (last lines of $SERVICES_LOG) ----"
	grep -v ':trace:eventlog:' "$SERVICES_LOG" 2>/dev/null | tail -n 15 || true
	cp "$EVENTS" "$EVENTS.1" "$SERVICES_LOG" "$dest/" 2>/dev/null || true
	echo "---- copies in $dest ----"
}

# Stops the scenario with a message saying what was expected.
fail()
{
	echo "FAIL [$SCENARIO]: $*" >&2
	dump_state >&2
	echo "FAIL [$SCENARIO]: $*" >&2
	exit 1
}

# assert_eq EXPECTED ACTUAL WHAT
assert_eq()
{
	[ "$1" = "$2" ] ||
		fail "$3: expected '$1', got '$2'"
}

# assert_ne UNEXPECTED ACTUAL WHAT
assert_ne()
{
	[ "$1" != "$2" ] ||
		fail "$3: expected anything but '$1'"
}

# assert_match REGEX TEXT WHAT (grep -E)
assert_match()
{
	# Not a pipe: grep -q stops at the first match, and under pipefail the
	# writer's SIGPIPE would fail a match of a long text.
	grep -Eq -- "$1" <<<"$2" ||
		fail "$3: '$2' does not match /$1/"
}

# assert_le LIMIT ACTUAL WHAT (integers)
assert_le()
{
	[ "$2" -le "$1" ] || fail "$3: $2 is more than $1"
}

# assert_ge LIMIT ACTUAL WHAT (integers)
assert_ge()
{
	[ "$2" -ge "$1" ] || fail "$3: $2 is less than $1"
}

# Ends the scenario successfully.
pass()
{
	log "PASS in $((SECONDS - START_SECONDS)) s"
	exit 0
}

# ---- prefix ----

cleanup()
{
	local rc=$?

	wineserver -k >/dev/null 2>&1 || true
	wineserver -w >/dev/null 2>&1 || true
	# A failed scenario keeps its prefix for a look (77: skipped).
	if [ "${TLSR_WINE_KEEP:-0}" = 1 ] || { [ "$rc" != 0 ] && [ "$rc" != 77 ]; }; then
		echo "prefix kept: $WINEPREFIX" >&2
	else
		rm -rf "$WORK_DIR"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts a Wine session: a persistent wineserver, then a first process
# whose stderr and WINEDEBUG services.exe inherits, and the services it
# starts in turn (so their event log calls are traced in $SERVICES_LOG).
# SERVICE_TRACE adds Wine debug channels for the services (e.g. +reg, to
# count the service's registry writes with writes_traced).
start_session()
{
	wineserver -p
	WINEDEBUG="-all,+eventlog,fixme+advapi${SERVICE_TRACE:+,$SERVICE_TRACE}" \
		wine cmd /c exit 0 \
		2>>"$SERVICES_LOG" ||
		fail "the first Wine process of the session failed"
}

# Simulates a reboot: every process of the prefix ends and the wineserver
# exits (volatile registry keys go with it, as at a Windows boot), then a
# new session starts, which starts the auto-start services.
reboot_prefix()
{
	log "reboot"
	wineserver -k >/dev/null 2>&1 || true
	wineserver -w
	start_session
}

# template_prefix [win10|win7]: sets TEMPLATE to a booted prefix to copy,
# made once per work root, Wine version and Windows version, under a lock
# (Meson runs scenarios side by side). A boot writes some 700 MB and takes seconds; a copy takes a
# fraction of one. The template also gives the service control manager
# 60 s, not Wine's 10 s, for a started service to connect
# (ServicesPipeTimeout, 30 s by default on Windows): a loaded test machine
# can be slower than that to start a process.
template_prefix()
{
	local version=${1:-win7} tpl

	tpl="$WORK_ROOT/wine-template-cm2-$version-$(wine --version 2>/dev/null |
		tr -c 'A-Za-z0-9.~\n-' _)"
	(
		flock 9
		[ -f "$tpl/.tlsward-template" ] && exit 0
		rm -rf "$tpl"
		WINEPREFIX=$tpl wineboot -i >"$tpl.log" 2>&1 || exit 1
		WINEPREFIX=$tpl wineserver -w
		if [ "$version" != win7 ]; then
			WINEPREFIX=$tpl wine winecfg /v "$version" \
				>>"$tpl.log" 2>&1 || exit 1
		fi
		WINEPREFIX=$tpl wine reg add \
			'HKLM\System\CurrentControlSet\Control' \
			/v ServicesPipeTimeout /t REG_DWORD /d 60000 /f \
			>>"$tpl.log" 2>&1 || exit 1
		# A Configuration Manager client: .NET 4.8 and 3.5 registered
		# (from beside this file: the benchmarks source it too).
		[ -f "$LIB_DATA/cm-client.reg" ] || exit 1
		WINEPREFIX=$tpl wine regedit /S \
			"$(WINEPREFIX=$tpl winepath -w "$LIB_DATA/cm-client.reg")" \
			>>"$tpl.log" 2>&1 || exit 1
		WINEPREFIX=$tpl wineserver -w
		touch "$tpl/.tlsward-template"
	) 9>"$tpl.lock" ||
		fail "booting the $version template failed (see $tpl.log)"
	TEMPLATE=$tpl
}

# Boots the prefix (a copy of the template), keeps its server up and starts
# the session's services with a trace of the event log calls in
# $SERVICES_LOG. Optional argument: win10 or win7 (the prefix's default is
# Windows 7 SP1).
boot_prefix()
{
	log "booting $WINEPREFIX"
	template_prefix "${1:-win7}"
	cp -a "$TEMPLATE" "$WINEPREFIX"
	rm -f "$WINEPREFIX/.tlsward-template"
	start_session
	mkdir -p "$(dirname "$PROGRAM_UNIX")"
	cp "$TLSWARD_EXE" "$PROGRAM_UNIX"
	cp "$SETVALUE_EXE" "$SETVALUE_UNIX"
}

# set_windows win10|win7: the Windows version the prefix reports (RtlGetVersion
# and the CurrentVersion key).
set_windows()
{
	wine winecfg /v "$1" >/dev/null 2>&1 || fail "winecfg /v $1 failed"
}

# Runs tlsward.exe (the installed copy) with the arguments; CRs removed.
tlsward()
{
	wine "$PROGRAM_WIN" "$@" | tr -d '\r'
	return "${PIPESTATUS[0]}"
}

# run_cli CMD...: runs tlsward CMD; sets RC (exit code) and OUT (output).
# shellcheck disable=SC2034 # RC and OUT are the scenario's to read
run_cli()
{
	RC=0
	OUT=$(tlsward "$@" 2>&1) || RC=$?
}

# Runs setvalue.exe with the arguments; CRs removed.
setvalue()
{
	wine "$SETVALUE_UNIX" "$@" | tr -d '\r'
	return "${PIPESTATUS[0]}"
}

# Copies a fixture (tests/wine/data/NAME) to the policy path, or writes
# stdin there when NAME is "-".
put_policy()
{
	mkdir -p "$DATA_UNIX"
	if [ "$1" = - ]; then
		cat >"$POLICY_UNIX.tmp"
	else
		cp "$WINE_DATA/$1" "$POLICY_UNIX.tmp"
	fi
	mv "$POLICY_UNIX.tmp" "$POLICY_UNIX"
}

# ---- the service ----

# Prints the service's state (RUNNING, STOPPED, ...) or ABSENT.
svc_state()
{
	local out

	out=$(wine sc query tlsward 2>/dev/null | tr -d '\r') || {
		echo ABSENT
		return 0
	}
	printf '%s\n' "$out" | sed -nE 's/^ *STATE *: *[0-9]+ +([A-Z_]+).*/\1/p'
}

# wait_state STATE [SECONDS]
wait_state()
{
	local i state

	for ((i = 0; i < ${2:-20} * 5; i++)); do
		state=$(svc_state)
		[ "$state" = "$1" ] && return 0
		sleep 0.2
	done
	fail "service state: expected $1 within ${2:-20} s, got ${state:-nothing}"
}

# Installs the service with its own "service install" (extra arguments are
# passed on; the policy is $POLICY_WIN) and starts it.
install_service()
{
	local out

	out=$(tlsward service install --policy "$POLICY_WIN" "$@" 2>&1) ||
		fail "tlsward service install exited $?: $out"
	start_service
}

# Starts the service and waits for RUNNING.
start_service()
{
	wine sc start tlsward >/dev/null 2>&1 || true
	wait_state RUNNING 20
}

# Stops the service and waits for STOPPED.
stop_service()
{
	wine sc stop tlsward >/dev/null 2>&1 || true
	wait_state STOPPED 20
}

# service_pids: the Unix pids of this prefix's running `tlsward.exe service
# run` processes (other scenarios' prefixes run side by side).
service_pids()
{
	local dir

	for dir in /proc/[0-9]*; do
		tr '\0' ' ' <"$dir/cmdline" 2>/dev/null |
			grep -q 'tlsward\.exe service run' || continue
		tr '\0' '\n' <"$dir/environ" 2>/dev/null |
			grep -qxF "WINEPREFIX=$WINEPREFIX" && echo "${dir#/proc/}"
	done
	return 0
}

# Sends the "check now" control (128) as `sc control tlsward 128` would
# (Wine's sc.exe has no "control" command).
check_now()
{
	local out

	out=$(setvalue control tlsward 128 2>&1) ||
		fail "control 128 (check now) failed: $out"
}

# check_now_and_wait [TIMEOUT]: asks for a check and waits until the service
# has completed that pass (Status\Passes grew), so that an assertion of
# "nothing changed" afterwards is about a pass that really happened.
check_now_and_wait()
{
	local before i now

	before=$(reg_dword "$K_STATUS" Passes 64)
	[ "$before" = absent ] && before=0
	check_now
	for ((i = 0; i < ${1:-20} * 5; i++)); do
		now=$(reg_dword "$K_STATUS" Passes 64)
		if [ "$now" != absent ] && ((now > before)); then
			return 0
		fi
		sleep 0.2
	done
	fail "no completed pass (Status\\Passes still $before) within ${1:-20} s of check now"
}

# ---- events (the JSON-lines mirror) ----

# Prints every event line with the id (rotated file first), optionally only
# those that also match the extended regex $2.
events()
{
	cat "$EVENTS.1" "$EVENTS" 2>/dev/null |
		grep -E "\"id\": *$1[,} ]" | grep -E -- "${2:-.}" || true
}

# event_count ID [REGEX]
event_count()
{
	events "$@" | wc -l | tr -d ' '
}

# wait_event ID [SECONDS] [REGEX] [COUNT]: waits until COUNT (default 1)
# events with the id (and matching REGEX) are in the mirror.
wait_event()
{
	local id=$1 secs=${2:-30} re=${3:-.} want=${4:-1} i

	for ((i = 0; i < secs * 5; i++)); do
		[ "$(event_count "$id" "$re")" -ge "$want" ] && return 0
		sleep 0.2
	done
	fail "event $id${3:+ matching /$re/} x$want not seen within $secs s"
}

# trace_count ID LEVEL: how many ReportEventW calls with the event id and
# level (information, warning, error) Wine traced in $SERVICES_LOG.
trace_count()
{
	local type

	case $2 in
	information) type=0004 ;;
	warning) type=0002 ;;
	error) type=0001 ;;
	*) fail "trace_count: unknown level $2" ;;
	esac
	grep -Ec "ReportEventW \([^,]*,0x$type,0x[0-9a-f]{4},0x[0-9a-f]{4}$(printf '%04x' "$1")," \
		"$SERVICES_LOG" || true
}

# wait_trace ID LEVEL [SECONDS]: waits until the event log got the event.
wait_trace()
{
	local i

	for ((i = 0; i < ${3:-10} * 5; i++)); do
		[ "$(trace_count "$1" "$2")" -ge 1 ] && return 0
		sleep 0.2
	done
	fail "ReportEventW for event $1 ($2) not traced within ${3:-10} s"
}

# writes_traced NAME: how many times a service of the session wrote a
# registry value named NAME (needs SERVICE_TRACE=+reg before boot_prefix).
writes_traced()
{
	grep -Ec "trace:reg:NtSetValueKey \([^,]*,L\"$1\"," "$SERVICES_LOG" || true
}

# json_field FIELD < LINE: prints a string or number field of one JSON line.
json_field()
{
	sed -nE "s/.*\"$1\": *(\"([^\"\\\\]|\\\\.)*\"|[-0-9.a-z]+).*/\\1/p" |
		sed -E 's/^"(.*)"$/\1/'
}

# ---- registry ----

# reg_get KEY NAME [VIEW]: prints "TYPE DATA" of HKLM\KEY\NAME in the view
# (64 or 32, default 64); returns 1 when the value (or key) is absent. When
# reg.exe fails otherwise it is tried three times, each failure is reported
# on stderr, and then it prints "reg.exe failed: OUTPUT" and returns 2.
reg_get()
{
	local out try

	for try in 1 2 3; do
		if out=$(wine reg query "HKLM\\$1" /v "$2" "/reg:${3:-64}" 2>&1 |
			tr -d '\r'); then
			printf '%s\n' "$out" |
				sed -nE 's/^    .*    (REG_[A-Z_]+)    ?(.*)$/\1 \2/p' |
				head -n 1 | grep . && return 0
		else
			case $out in *"Unable to find"*) return 1 ;; esac
		fi
		log "reg query HKLM\\$1 /v $2 (try $try): ${out:-no output}" >&2
		sleep 0.5
	done
	printf 'reg.exe failed: %s\n' "$out"
	return 2
}

# reg_dword KEY NAME [VIEW]: prints the data as 0x%x, "absent", or
# "TYPE DATA" when the value is not a REG_DWORD.
reg_dword()
{
	local v rc=0

	v=$(reg_get "$@") || rc=$?
	case $rc:$v in
	1:*) echo absent ;;
	0:"REG_DWORD "*) printf '0x%x\n' "${v#REG_DWORD }" ;;
	*) printf '%s\n' "$v" ;;
	esac
}

# reg_sz KEY NAME [VIEW]: prints the string data, or "absent".
reg_sz()
{
	local v rc=0

	v=$(reg_get "$@") || rc=$?
	case $rc in
	0) printf '%s\n' "${v#* }" ;;
	1) echo absent ;;
	*) printf '%s\n' "$v" ;;
	esac
}

# reg_set KEY NAME TYPE DATA [VIEW]: writes with reg.exe (like a person or
# a script would).
reg_set()
{
	wine reg add "HKLM\\$1" /v "$2" /t "$3" /d "$4" /f "/reg:${5:-64}" \
		>/dev/null 2>&1 || fail "reg add HKLM\\$1 /v $2 /t $3 /d $4 failed"
}

# reg_del KEY NAME [VIEW]: deletes a value (absent is fine).
reg_del()
{
	wine reg delete "HKLM\\$1" /v "$2" /f "/reg:${3:-64}" >/dev/null 2>&1 ||
		true
}

# key_exists KEY [VIEW]
key_exists()
{
	wine reg query "HKLM\\$1" "/reg:${2:-64}" >/dev/null 2>&1
}

# view_path KEY VIEW: the key's path in the 64-bit view (the 32-bit view
# of a SOFTWARE key is SOFTWARE\Wow6432Node\...; SYSTEM keys have one view).
view_path()
{
	case $2:$1 in
	32:SOFTWARE\\*) printf 'SOFTWARE\\Wow6432Node\\%s\n' "${1#SOFTWARE\\}" ;;
	*) printf '%s\n' "$1" ;;
	esac
}

# reg_dump KEY [VIEW]: the key and its subkeys as `regedit /E` exports them
# (every type bit-exact, as UTF-8 text without the header), or nothing when
# the key is absent.
reg_dump()
{
	local file="$WORK_DIR/export.reg"

	rm -f "$file"
	wine regedit /E "$file" "HKEY_LOCAL_MACHINE\\$(view_path "$1" "${2:-64}")" \
		>/dev/null 2>&1 || true
	[ -f "$file" ] || return 0
	iconv -f UTF-16LE -t UTF-8 "$file" | tr -d '\r' | sed '1d'
}

# wait_dword KEY NAME VIEW WANT [SECONDS]: waits until reg_dword prints WANT.
wait_dword()
{
	local i v

	for ((i = 0; i < ${5:-30} * 5; i++)); do
		v=$(reg_dword "$1" "$2" "$3")
		[ "$v" = "$4" ] && return 0
		sleep 0.2
	done
	fail "HKLM\\$1\\$2 (view $3): expected $4 within ${5:-30} s, got $v"
}

# The managed values the default policy writes, as "KEY|NAME|VIEW|DATA":
# on Windows 7 (the default) every one; with "win10", where WinHTTP and
# SChannel have TLS 1.2 by default, the .NET values only.
managed_values()
{
	[ "${1:-win7}" = win10 ] || cat <<EOF
$K_WINHTTP|DefaultSecureProtocols|64|0xaa0
$K_WINHTTP|DefaultSecureProtocols|32|0xaa0
$K_TLS12_CLIENT|Enabled|64|0x1
$K_TLS12_CLIENT|DisabledByDefault|64|0x0
EOF
	cat <<EOF
$K_NET4|SchUseStrongCrypto|64|0x1
$K_NET4|SystemDefaultTlsVersions|64|0x1
$K_NET4|SchUseStrongCrypto|32|0x1
$K_NET4|SystemDefaultTlsVersions|32|0x1
$K_NET2|SchUseStrongCrypto|64|0x1
$K_NET2|SystemDefaultTlsVersions|64|0x1
$K_NET2|SchUseStrongCrypto|32|0x1
$K_NET2|SystemDefaultTlsVersions|32|0x1
EOF
}

# Every managed key in both views, sorted dumps concatenated: a snapshot to
# compare before and after.
snapshot_managed()
{
	local k v

	for k in "$K_WINHTTP" "$K_NET4" "$K_NET2"; do
		for v in 64 32; do
			reg_dump "$k" "$v"
		done
	done
	reg_dump "$K_SCHANNEL"
}
