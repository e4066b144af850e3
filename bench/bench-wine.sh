#!/usr/bin/env bash
# The Wine benchmarks of docs/performance.md, with the real tlsward service,
# each against a baseline measured in the same prefix and the same run:
#
#   bench-wine.sh TLSWARD_EXE SETVALUE_EXE MINHEAL_EXE BENCH_CHECK_EXE
#
# One Windows 10 prefix (tests/wine/lib.sh); tlsward installed with its own
# `service install` on a bench policy (below); drift.exe injects drift and
# times heals; minheal.exe, the least a watcher can do, heals the same kind
# of drift on a mirror of the same keys under HKLM\SOFTWARE\tlsward-bench
# (which no tlsward watch covers). In order:
#   idle     the service's CPU time and wakeups over an idle period
#            (/proc/PID/task/*/schedstat), beside minheal's, both watching;
#   check    one full check on the live registry (bench_check.exe --live),
#            against reading the managed values;
#   heal     drift-to-heal for a value (64-bit view), a value in the 32-bit
#            view, a deleted key and a burst of every managed value at
#            once (with the events per burst), in rounds alternating tlsward
#            and minheal; p50, p99 and their ratios;
#   memory   the service's private bytes (RssAnon, the resident anonymous
#            memory) and working set (VmRSS) at start and after HEALS
#            heals, beside minheal's and those of minsvc.exe, the least a
#            service can be (run as a second service), with where each
#            process's private memory lies (smaps.py);
#   flap     an adversary rewrites a value RATE times a second for FLAP ms,
#            on the policy's damping (5 reverts in 10 minutes): the
#            service's CPU share and events, against minheal fighting the
#            same adversary without damping.
# Each figure is printed as a row of bench/run.sh's table (ROW<tab>...).
#
# Environment: TLSR_BENCH_SMOKE=1 (small sizes for CI), TLSR_WINE_WORK
# (where the prefix, raw figures and logs go), TLSR_BENCH_PART=idle (only
# the idle measurement), flap (only the flapping) or active (everything
# but the idle measurement), so that bench/run.sh
# can run the ten idle minutes in a prefix of their own beside the rest:
# CPU time and wakeups are counted per process, so the other prefix's work
# does not enter them.
if [ $# -ne 4 ] || [ ! -f "$3" ] || [ ! -f "$4" ]; then
	echo "usage: $0 TLSWARD_EXE SETVALUE_EXE MINHEAL_EXE BENCH_CHECK_EXE" >&2
	exit 2
fi
MINHEAL_EXE=$(realpath "$3")
BENCH_CHECK_EXE=$(realpath "$4")
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
DRIFT_EXE=$(dirname "$MINHEAL_EXE")/drift.exe
MINSVC_EXE=$(dirname "$MINHEAL_EXE")/minsvc.exe
. "$BENCH_DIR/../tests/wine/lib.sh" "$1" "$2"

# The smoke size proves the benchmarks run; its timeout is generous, as a
# loaded CI machine may be slow, and a timing is never its verdict.
if [ "${TLSR_BENCH_SMOKE:-0}" = 1 ]; then
	IDLE=15 DRIFTS=20 OTHER=20 ROUNDS=2 HEALS=200 FLAP=2000 CHECKS=20 TIMEOUT=30000
else
	IDLE=600 DRIFTS=500 OTHER=100 ROUNDS=10 HEALS=10000 FLAP=10000 CHECKS=50 TIMEOUT=5000
fi
PART=${TLSR_BENCH_PART:-all}
RATE=1000
PAUSE=${TLSR_BENCH_PAUSE:-100}
PROG_DIR="$(dirname "$PROGRAM_UNIX")"
RAW_DIR="$WORK_ROOT/bench-wine-raw.$(date -u +%Y%m%dT%H%M%SZ).${TLSR_BENCH_PART:-all}"
mkdir -p "$RAW_DIR"
K_BENCH='SOFTWARE\tlsward-bench'

# row FIGURE VALUE BASELINE RATIO GOAL VERDICT
row() { printf 'ROW\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else printf "inf" }'; }
ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
verdict() { if le "$1" "$2"; then echo met; else echo missed; fi; }

# cpu_ns PID: CPU time of every live thread of PID, in ns.
cpu_ns() { { cat /proc/"$1"/task/*/schedstat 2>/dev/null || true; } | awk '{ s += $1 } END { printf "%d\n", s }'; }
# wakeups PID: times the threads of PID were scheduled in (schedstat).
wakeups() { { cat /proc/"$1"/task/*/schedstat 2>/dev/null || true; } | awk '{ s += $3 } END { printf "%d\n", s }'; }
# mem_kib PID FIELD: a /proc/PID/status field (RssAnon, VmRSS) in KiB.
mem_kib() { awk -v f="$2:" '$1 == f { print $2 }' /proc/"$1"/status 2>/dev/null || echo 0; }
# all_events: how many events the mirror holds (with its rotated file).
all_events() { { cat "$EVENTS.1" "$EVENTS" 2>/dev/null || true; } | wc -l | tr -d " "; }
# events_since UTC: the events the mirror (with its rotated file) holds
# stamped at or after UTC (YYYY-MM-DDTHH:MM:SSZ). One burst writes a few
# dozen, which the two files always hold together.
events_since()
{
	{ cat "$EVENTS.1" "$EVENTS" 2>/dev/null || true; } |
		sed -nE 's/^\{"time":"([^"]+)".*/\1/p' |
		awk -v t="$1" '$1 >= t { n++ } END { print n + 0 }'
}
# quiet_burst LIST OUT: waits out the policy's conflict window, so that the
# burst meets values no agent is fighting over (a Group Policy refresh
# comes every 90 minutes), then has drift.exe rewrite every value of LIST
# once; prints the events tlsward wrote for it once they stop coming.
quiet_burst()
{
	local t0 n prev rc=0

	sleep $((CONFLICT_WINDOW + 1))
	sleep 1
	t0=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	sleep 1
	wine "$PROGRAM_DIR_WIN\\drift.exe" "$(to_win "$1")" burst \
		--count 1 --timeout 10000 >"$2" 2>&1 || rc=$?
	n=-1 prev=-2
	while [ "$n" != "$prev" ]; do
		prev=$n
		sleep 2
		n=$(events_since "$t0")
	done
	echo "$n"
	return $rc
}
# win_pid EXE_NAME: the Unix pid of this prefix's process running EXE_NAME.
win_pid()
{
	local dir

	for dir in /proc/[0-9]*; do
		tr '\0' ' ' 2>/dev/null <"$dir/cmdline" | grep -qF "$1" || continue
		tr '\0' '\n' 2>/dev/null <"$dir/environ" |
			grep -qxF "WINEPREFIX=$WINEPREFIX" && echo "${dir#/proc/}" && return 0
	done
	return 0
}

boot_prefix win10
cp "$MINHEAL_EXE" "$DRIFT_EXE" "$MINSVC_EXE" "$BENCH_CHECK_EXE" "$PROG_DIR/"

# The bench policy: every SChannel protocol managed on both sides (the
# legacy ones turned off once TLS 1.2 holds and a restart happened), so a
# burst covers as many values as a Group Policy refresh rewrites; conflict
# damping opened as far as the schema allows for the heal rounds.
bench_policy()
{
	cat <<EOF
version: 1
mode: enforce
winhttp:
  default_secure_protocols: 0xA00
  keep: []
schannel:
  enable: [tls1.2]
  disable: [ssl2, ssl3, tls1.0, tls1.1]
  sides: [client, server]
dotnet:
  strong_crypto: true
  system_default_tls_versions: true
restart:
  mode: notify
check:
  interval: 15m
  jitter: 3m
conflict:
  max_reverts: $1
  window: $2
EOF
}
CONFLICT_WINDOW=10
bench_policy 1000 ${CONFLICT_WINDOW}s | put_policy -
cp "$POLICY_UNIX" "$RAW_DIR/policy.yaml"
log "installing tlsward (bench policy, conflict.max_reverts 1000 in 10s)"
install_service
# The legacy protocols go off only after a restart with TLS 1.2 in effect.
for ((i = 0; i < 150; i++)); do
	[ "$(reg_dword "$K_STATUS" RestartPending 64 2>/dev/null)" = 0x1 ] && break
	[ "$(reg_dword "$K_STATUS" Compliant 64 2>/dev/null)" = 0x1 ] && break
	sleep 0.2
done
reboot_prefix
wait_state RUNNING 60
wait_dword "$K_STATUS" Compliant 64 0x1 90
svc=$(service_pids 2>/dev/null | head -n 1)
[ -n "$svc" ] || fail "no tlsward service process"

# The managed values, as tlsward reports them: VIEW KEY NAME DWORD.
tlsward check --policy "$POLICY_WIN" --format json >"$RAW_DIR/check.json" ||
	fail "tlsward check on the live registry exited $? (not compliant?)"
python3 - "$RAW_DIR/check.json" >"$RAW_DIR/managed.tsv" <<'PY'
import json, sys
for s in json.load(open(sys.argv[1]))["settings"]:
    # Only values present in the registry: a value left absent as the OS
    # default (TLS 1.2 in SChannel on Windows 10) is not one tlsward heals.
    if s["state"] == "ok" and s["actual"] is not None:
        key = s["key"].split("\\", 1)[1]
        print("%s\t%s\t%s\t%d" % (s["view"] or "64", key, s["name"], s["expected"]))
PY
managed=$(wc -l <"$RAW_DIR/managed.tsv")
log "tlsward holds $managed managed values"
# minheal's mirror of them, in its own tree.
K_BENCH="$K_BENCH" awk -F'\t' 'BEGIN { OFS = "\t"; b = ENVIRON["K_BENCH"] } { $2 = b "\\" $2; print }' \
	"$RAW_DIR/managed.tsv" >"$RAW_DIR/mirror.tsv"
to_win() { cp "$1" "$PROG_DIR/$(basename "$1")"; echo "$PROGRAM_DIR_WIN\\$(basename "$1")"; }
# One-line lists, per kind: VIEW KEY NAME DWORD.
pick() { grep -P "$2" "$RAW_DIR/$1.tsv" | head -n 1; }
pick managed '^64\t.*WinHttp\tDefaultSecureProtocols\t' >"$RAW_DIR/t-value.tsv"
pick managed '^32\t.*WinHttp\tDefaultSecureProtocols\t' >"$RAW_DIR/t-value32.tsv"
# The deleted key: .NET v4.0.30319 in the 64-bit view, with both its
# values; each healer must put the key back with both.
grep -P '^64\t.*\\v4\.0\.30319\t' "$RAW_DIR/managed.tsv" >"$RAW_DIR/t-key.tsv"
grep -vP '\\(SSL [23]\.0|TLS 1\.[01])\\' "$RAW_DIR/managed.tsv" >"$RAW_DIR/t-burst.tsv"
cp "$RAW_DIR/managed.tsv" "$RAW_DIR/t-burstall.tsv"
burst=$(wc -l <"$RAW_DIR/t-burst.tsv")
for k in value value32 key burst burstall; do
	[ -s "$RAW_DIR/t-$k.tsv" ] || fail "no managed value for the $k drift"
	K_BENCH="$K_BENCH" awk -F'\t' 'BEGIN { OFS = "\t"; b = ENVIRON["K_BENCH"] } { $2 = b "\\" $2; print }' \
		"$RAW_DIR/t-$k.tsv" >"$RAW_DIR/m-$k.tsv"
done

# minheal watchers, one per kind, started before the measurements so that
# both healers sit on their watches the whole time.
declare -A mh_pid
for k in value value32 key burst burstall; do
	args=()
	[ "$k" = key ] && args=(--parent)
	wine "$PROGRAM_DIR_WIN\\minheal.exe" "$(to_win "$RAW_DIR/m-$k.tsv")" \
		"${args[@]}" >"$RAW_DIR/minheal-$k.out" 2>&1 &
	mh_pid[$k]=$!
done
for k in value value32 key burst burstall; do
	for ((i = 0; i < 100; i++)); do
		grep -qs 'minheal: watching' "$RAW_DIR/minheal-$k.out" && break
		kill -0 "${mh_pid[$k]}" 2>/dev/null ||
			fail "minheal ($k) exited: $(tr -d '\r' <"$RAW_DIR/minheal-$k.out")"
		sleep 0.2
	done
done
mh=$(win_pid 'm-value.tsv')
[ -n "$mh" ] || fail "no minheal process"

# ---- idle ----
if [ "$PART" = all ] || [ "$PART" = idle ]; then
log "idle: $IDLE s"
s0=$(cpu_ns "$svc") w0=$(wakeups "$svc") b0=$(cpu_ns "$mh") v0=$(wakeups "$mh")
e0=$(all_events)
sleep "$IDLE"
s1=$(cpu_ns "$svc") w1=$(wakeups "$svc") b1=$(cpu_ns "$mh") v1=$(wakeups "$mh")
idle_ms=$(awk -v a="$s0" -v b="$s1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
base_ms=$(awk -v a="$b0" -v b="$b1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
goal_ms=$(awk -v t="$IDLE" 'BEGIN { printf "%.1f", 50 * t / 600 }')
row "idle CPU of the service over $IDLE s" "$idle_ms ms" "minheal $base_ms ms" \
	"$(ratio "$idle_ms" "$base_ms")x" "<= 50 ms per 10 min ($goal_ms ms)" \
	"$(verdict "$idle_ms" "$goal_ms")"
row "idle wakeups of the service over $IDLE s (threads scheduled in)" \
	"$((w1 - w0))" "minheal $((v1 - v0))" "$(ratio $((w1 - w0)) $((v1 - v0)))x" \
	"only the timer and the watches" \
	"$([ $((w1 - w0)) -le $((2 * (v1 - v0) + 20)) ] && echo met || echo missed)"
log "idle: $((${e0:-0})) -> $(all_events) events"
fi
[ "$PART" = idle ] && pass

if [ "$PART" != flap ]; then
# ---- check cost on the live registry ----
line=$(wine "$PROGRAM_DIR_WIN\\bench_check.exe" "$POLICY_WIN" --live "$CHECKS" | tr -d '\r') ||
	fail "bench_check --live failed: $line"
echo "$line"
read -r cv cb cr cc bc <<<"$(sed -E 's/.*full check ([0-9.]+) us.*\) ([0-9.]+) us; ratio ([0-9.]+).*registry calls ([0-9]+) against ([0-9]+).*/\1 \2 \3 \4 \5/' <<<"$line")"
bare=$(sed -nE 's/.*bare RegQueryValueExW of a DWORD ([0-9.]+) us a call.*/\1/p' <<<"$line")
row "full check, live Win32 registry under Wine" "$cv us ($cc registry calls; a bare call $bare us)" \
	"read the managed values $cb us ($bc calls)" \
	"${cr}x" "<= 2 ms" "$(verdict "$cv" 2000)"
co=$(sed -nE 's/.*on facts read before: ([0-9.]+) us.*/\1/p' <<<"$line")
row "the check alone (facts read before), live Win32 registry under Wine" "$co us" \
	"read the managed values $cb us" "$(ratio "$co" "$cb")x" "(reported)" "-"
# Each registry call is a round trip to wineserver. On a virtual machine a
# round trip between two cores waits for the other core to wake, which
# costs more than the call: the same check with bench_check and this
# prefix's wineserver on one core measures the calls themselves.
ws=$(for d in /proc/[0-9]*; do
	[ "$(cat "$d/comm" 2>/dev/null)" = wineserver64 ] || [ "$(cat "$d/comm" 2>/dev/null)" = wineserver ] || continue
	tr '\0' '\n' 2>/dev/null <"$d/environ" | grep -qxF "WINEPREFIX=$WINEPREFIX" && echo "${d#/proc/}"
done | head -n 1)
if [ -n "$ws" ] && command -v taskset >/dev/null; then
	all=$(taskset -p "$ws" | sed -nE 's/.*: ([0-9a-f]+)$/\1/p')
	taskset -a -p 1 "$ws" >/dev/null
	line=$(taskset 1 wine "$PROGRAM_DIR_WIN\\bench_check.exe" "$POLICY_WIN" --live "$CHECKS" | tr -d '\r') ||
		fail "bench_check --live on one core failed: $line"
	taskset -a -p "$all" "$ws" >/dev/null
	echo "$line"
	read -r cv cb cr cc bc <<<"$(sed -E 's/.*full check ([0-9.]+) us.*\) ([0-9.]+) us; ratio ([0-9.]+).*registry calls ([0-9]+) against ([0-9]+).*/\1 \2 \3 \4 \5/' <<<"$line")"
	bare=$(sed -nE 's/.*bare RegQueryValueExW of a DWORD ([0-9.]+) us a call.*/\1/p' <<<"$line")
	row "full check, live Win32 registry under Wine, bench_check and wineserver on one core" \
		"$cv us ($cc registry calls; a bare call $bare us)" \
		"read the managed values $cb us ($bc calls)" \
		"${cr}x" "<= 2 ms" "$(verdict "$cv" 2000)"
fi

# ---- drift to heal ----
# measure WHO KIND ROUND MODE LIST COUNT
measure()
{
	local out="$RAW_DIR/$1-$2-round$3.txt"

	wine "$PROGRAM_DIR_WIN\\drift.exe" "$(to_win "$5")" "$4" \
		--count "$6" --timeout "$TIMEOUT" --pause "$PAUSE" \
		>"$out" 2>&1 || {
		tail -n 3 "$out"
		fail "$1 $2, round $3: a drift was not healed within $TIMEOUT ms"
	}
}
# stats FILES...: "n p50 p99 max" in microseconds.
stats()
{
	cat "$@" | tr -d '\r' |
		sed -nE 's/^drift [0-9]+: healed in ([0-9]+) us$/\1/p' | sort -n |
		awk '{ v[NR] = $1 }
		END {
			n = NR
			if (!n) exit 1
			p99 = int((n * 99 + 99) / 100)
			printf "%d %d %d %d\n", n, v[int((n - 1) / 2) + 1], v[p99], v[n]
		}'
}
for kind in value value32 key burst; do
	case $kind in
	value32) mode=value ;;
	*) mode=$kind ;;
	esac
	# At least 500 drifts of a value; fewer of the other kinds.
	rounds=$ROUNDS per=$((DRIFTS / ROUNDS))
	if [ "$kind" != value ]; then
		rounds=2 per=$((OTHER / 2))
	fi
	for ((r = 1; r <= rounds; r++)); do
		if ((r % 2)); then
			measure tlsward "$kind" "$r" "$mode" "$RAW_DIR/t-$kind.tsv" "$per"
			measure minheal "$kind" "$r" "$mode" "$RAW_DIR/m-$kind.tsv" "$per"
		else
			measure minheal "$kind" "$r" "$mode" "$RAW_DIR/m-$kind.tsv" "$per"
			measure tlsward "$kind" "$r" "$mode" "$RAW_DIR/t-$kind.tsv" "$per"
		fi
	done
	read -r tn tp50 tp99 tmax <<<"$(stats "$RAW_DIR"/tlsward-"$kind"-round*.txt)" ||
		fail "no tlsward figures for $kind"
	read -r bn bp50 bp99 bmax <<<"$(stats "$RAW_DIR"/minheal-"$kind"-round*.txt)" ||
		fail "no minheal figures for $kind"
	case $kind in
	value) what="value, 64-bit view ($tn drifts)" ;;
	value32) what="value, 32-bit view ($tn drifts)" ;;
	key) what="deleted key recreated with its 2 values ($tn drifts)" ;;
	burst) what="burst of the $burst values healed without a restart ($tn bursts, until all healed)" ;;
	esac
	r50=$(ratio "$tp50" "$bp50") r99=$(ratio "$tp99" "$bp99")
	row "drift to heal, $what, p50" "$(ms "$tp50") ms" "minheal $(ms "$bp50") ms" \
		"${r50}x" "<= 2x" "$(verdict "$r50" 2)"
	row "drift to heal, $what, p99" "$(ms "$tp99") ms (max $(ms "$tmax"))" \
		"minheal $(ms "$bp99") ms (max $(ms "$bmax"))" "${r99}x" "<= 4x" \
		"$(verdict "$r99" 4)"
	if [ "$kind" = burst ]; then
		# The rounds rewrite the same values every 100 ms: under the
		# event contract that is a fight, counted in Status without an
		# event each. A Group Policy refresh meets values at rest.
		n=$(quiet_burst "$RAW_DIR/t-$kind.tsv" "$RAW_DIR/tlsward-burst-quiet.txt") ||
			fail "a burst after a quiet window was not healed: $(cat "$RAW_DIR/tlsward-burst-quiet.txt")"
		row "events for a burst of $burst values at rest (a Group Policy refresh)" "$n" "$burst values" \
			"$(ratio "$n" "$burst")x" "(reported)" "-"
	fi
	log "$kind: tlsward p50 $(ms "$tp50") p99 $(ms "$tp99"); minheal p50 $(ms "$bp50") p99 $(ms "$bp99")"
done
# Every managed value at once, the legacy step's included, after a quiet
# window. Putting back the values in effect owes no restart, so the legacy
# step's values are put back with the rest.
rc=0
ev_all=$(quiet_burst "$RAW_DIR/t-burstall.tsv" "$RAW_DIR/tlsward-burstall.txt") || rc=$?
wine "$PROGRAM_DIR_WIN\\drift.exe" "$(to_win "$RAW_DIR/m-burstall.tsv")" burst \
	--count 1 --timeout 10000 >"$RAW_DIR/minheal-burstall.txt" 2>&1 ||
	fail "minheal did not heal a burst of every value: $(cat "$RAW_DIR/minheal-burstall.txt")"
read -r _ _ bp50 _ <<<"$(stats "$RAW_DIR/minheal-burstall.txt")"
if [ $rc = 0 ]; then
	read -r _ tp50 _ _ <<<"$(stats "$RAW_DIR/tlsward-burstall.txt")"
	row "drift to heal, burst of all $managed managed values (legacy step included), until all healed" \
		"$(ms "$tp50") ms" "minheal $(ms "$bp50") ms" "$(ratio "$tp50" "$bp50")x" "<= 2x" \
		"$(verdict "$(ratio "$tp50" "$bp50")" 2)"
else
	left=$(tr -d '\r' <"$RAW_DIR/tlsward-burstall.txt" | sed -nE 's/.*: ([0-9]+) of [0-9]+ values still drifted/\1/p')
	row "drift to heal, burst of all $managed managed values (legacy step included), until all healed" \
		"${left:-?} of $managed still drifted after 10 s" "minheal $(ms "$bp50") ms" "-" "<= 2x" "missed"
fi
row "events for that burst" "$ev_all" "$managed values" "$(ratio "$ev_all" "$managed")x" "(reported)" "-"
# Drifts in a row of one value are a conflict (2005, docs/events.md), but
# none goes past the damping opened for them: no back-off.
assert_eq 0 "$(event_count 2005 'reverted [0-9]+ times? within')" "2005 (back-off) events during the heal rounds"
assert_eq RUNNING "$(svc_state)" "tlsward's state after the heal rounds"

# ---- memory ----
# The second baseline: minsvc.exe, the least a service can be, run as a
# service of its own in the same prefix. Its process holds what every
# service process holds under Wine (three threads, sechost, the loader),
# so the service's figure less minsvc's is what tlsward adds.
wine sc create minsvc binPath= "\"$PROGRAM_DIR_WIN\\minsvc.exe\"" >/dev/null 2>&1 ||
	fail "sc create minsvc failed"
wine sc start minsvc >/dev/null 2>&1 || true
ms=
for ((i = 0; i < 100; i++)); do
	ms=$(win_pid minsvc.exe)
	[ -n "$ms" ] && break
	sleep 0.2
done
[ -n "$ms" ] || fail "minsvc did not start"
p0=$(mem_kib "$svc" RssAnon) ws0=$(mem_kib "$svc" VmRSS)
log "memory: $HEALS heals"
# Paced below the damping (1000 reverts in 10 s).
wine "$PROGRAM_DIR_WIN\\drift.exe" "$(to_win "$RAW_DIR/t-value.tsv")" value \
	--count "$HEALS" --timeout "$TIMEOUT" --pause 11 >"$RAW_DIR/memory-heals.txt" 2>&1 ||
	fail "a heal of the memory run was not done within $TIMEOUT ms"
p1=$(mem_kib "$svc" RssAnon) ws1=$(mem_kib "$svc" VmRSS)
mp=$(mem_kib "$mh" RssAnon) mws=$(mem_kib "$mh" VmRSS)
sp=$(mem_kib "$ms" RssAnon) sws=$(mem_kib "$ms" VmRSS)
# Where each process's private memory lies (thread stacks, DLLs, heaps).
for who in tlsward:$svc minsvc:$ms minheal:$mh; do
	python3 "$BENCH_DIR/smaps.py" "${who#*:}" --all \
		>"$RAW_DIR/smaps-${who%%:*}.txt" 2>&1 || true
done
row "private bytes of the service at start / after $HEALS heals" \
	"$p0 / $p1 KiB" "minheal $mp KiB (after its drift rounds)" "$(ratio "$p1" "$mp")x" \
	"<= 4096 KiB, no growth" \
	"$([ "$p1" -le 4096 ] && [ "$p1" -le $((p0 + 64)) ] && echo met || echo missed)"
row "private bytes of the service above a minimal service, after $HEALS heals" \
	"$((p1 - sp)) KiB" "minsvc $sp KiB" "$(ratio "$p1" "$sp")x" "(reported)" "-"
row "working set of the service at start / after $HEALS heals" \
	"$ws0 / $ws1 KiB" "minheal $mws KiB, minsvc $sws KiB" "$(ratio "$ws1" "$mws")x" \
	"(reported)" "-"
log "memory: where it lies in $RAW_DIR/smaps-{tlsward,minsvc,minheal}.txt"
wine sc stop minsvc >/dev/null 2>&1 || true

fi
# ---- flapping ----
log "flapping: the policy's damping (5 reverts in 10m), $RATE writes/s for $FLAP ms"
loads=$(event_count 1100)
bench_policy 5 10m | put_policy -
check_now
for ((i = 0; i < 150; i++)); do
	[ "$(event_count 1100)" -gt "$loads" ] && break
	sleep 0.2
done
[ "$(event_count 1100)" -gt "$loads" ] ||
	fail "the service did not load the damped policy within 30 s"
# The load's pass and check now's (2000 each) are done before the count
# starts: no event for 2 s.
e0=$(all_events)
for ((i = 0; i < 30; i++)); do
	sleep 2
	[ "$(all_events)" = "$e0" ] && break
	e0=$(all_events)
done
e0=$(all_events) s0=$(cpu_ns "$svc")
t0=$(date +%s%N)
wine "$PROGRAM_DIR_WIN\\drift.exe" "$(to_win "$RAW_DIR/t-value.tsv")" flap \
	--duration "$FLAP" --rate "$RATE" >"$RAW_DIR/flap.txt" 2>&1 ||
	fail "the adversary failed: $(cat "$RAW_DIR/flap.txt")"
t1=$(date +%s%N) s1=$(cpu_ns "$svc") e1=$(all_events)
b0=$(cpu_ns "$mh")
u0=$(date +%s%N)
wine "$PROGRAM_DIR_WIN\\drift.exe" "$(to_win "$RAW_DIR/m-value.tsv")" flap \
	--duration "$FLAP" --rate "$RATE" >"$RAW_DIR/flap-minheal.txt" 2>&1 ||
	fail "the adversary failed: $(cat "$RAW_DIR/flap-minheal.txt")"
u1=$(date +%s%N) b1=$(cpu_ns "$mh")
share=$(awk -v c=$((s1 - s0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.1f", 100 * c / t }')
bshare=$(awk -v c=$((b1 - b0)) -v t=$((u1 - u0)) 'BEGIN { printf "%.1f", 100 * c / t }')
writes=$(tr -d '\r' <"$RAW_DIR/flap.txt" | sed -nE 's/^flap: ([0-9]+) writes.*/\1/p')
row "flapping, $writes writes in $FLAP ms: service CPU" "$share% of one core" \
	"minheal (no damping) $bshare%" "$(ratio "$share" "$bshare")x" "<= 10%" \
	"$(verdict "$share" 10)"
row "flapping: events written" "$((e1 - e0))" "$writes writes" "-" "<= 5" \
	"$([ $((e1 - e0)) -le 5 ] && echo met || echo missed)"
cp "$EVENTS" "$RAW_DIR/events.jsonl" 2>/dev/null || true
log "raw figures in $RAW_DIR"
pass
