#!/usr/bin/env bash
# Benchmark: how fast the real tlsward service heals registry drift under
# Wine, as a ratio against a minimal watcher (minheal.exe) run side by side
# in the same prefix and the same run.
#
#   bench-heal.sh TLSWARD_EXE SETVALUE_EXE MINHEAL_EXE
#
# One fresh Windows 10 prefix (tests/wine/lib.sh). tlsward is installed with
# its own "service install" on the seed policy, with conflict damping opened
# as far as the policy allows (conflict.max_reverts 1000 within 10s), started
# and left to reach compliance. minheal watches a key of its own,
# HKLM\SOFTWARE\tlsward-bench\WinHttp (64-bit view), which none of tlsward's
# watches covers. setvalue.exe then writes the drift (0xa0 over the wanted
# 0xaa0) and times the heal, in rounds that alternate between the two
# healers, so both see the same machine state; only one healer is measured
# at a time while the other sits idle on its watch.
#
# Environment: TLSR_BENCH_DRIFTS (per healer, default 200), TLSR_BENCH_ROUNDS
# (default 4), TLSR_BENCH_PAUSE (ms between drifts, default 20),
# TLSR_WINE_WORK (where the prefix and the raw figures go).
# The raw setvalue output of every round is kept in
# $TLSR_WINE_WORK/bench-heal-raw.<time>/, and the summary in
# $TLSR_WINE_WORK/bench-heal.txt.
if [ $# -ne 3 ] || [ ! -f "$3" ]; then
	echo "usage: $0 TLSWARD_EXE SETVALUE_EXE MINHEAL_EXE" >&2
	exit 2
fi
MINHEAL_EXE=$(realpath "$3")
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
SEED_POLICY="$BENCH_DIR/../policy/examples/seed.yaml"
. "$BENCH_DIR/../tests/wine/lib.sh" "$1" "$2"

DRIFTS=${TLSR_BENCH_DRIFTS:-200}
ROUNDS=${TLSR_BENCH_ROUNDS:-4}
PAUSE=${TLSR_BENCH_PAUSE:-20}
[ $((DRIFTS % ROUNDS)) -eq 0 ] ||
	fail "TLSR_BENCH_DRIFTS ($DRIFTS) must be a multiple of TLSR_BENCH_ROUNDS ($ROUNDS)"
PER_ROUND=$((DRIFTS / ROUNDS))
K_BASE='SOFTWARE\tlsward-bench\WinHttp'
MINHEAL_UNIX="$WINEPREFIX/drive_c/Program Files/tlsward/minheal.exe"
RAW_DIR="$WORK_ROOT/bench-heal-raw.$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RAW_DIR"

boot_prefix win10
cp "$MINHEAL_EXE" "$MINHEAL_UNIX"

# The seed policy with conflict damping out of the way: 200 heals of one
# value are 200 reverts, and the seed's 5 within 10m would back off after
# the fifth. 1000 is the most the schema allows, 10s the shortest window.
awk '
	/^conflict:/ { sect = 1; print; next }
	/^[^ #]/ { sect = 0 }
	sect && /^  max_reverts:/ { sub(/max_reverts: *[0-9]+/, "max_reverts: 1000") }
	sect && /^  window:/ { sub(/window: *[^ ]+/, "window: 10s") }
	{ print }
' "$SEED_POLICY" | put_policy -
grep -q '^  max_reverts: 1000' "$POLICY_UNIX" &&
	grep -q '^  window: 10s' "$POLICY_UNIX" ||
	fail "could not set conflict.max_reverts/window in the seed policy copy"
cp "$POLICY_UNIX" "$RAW_DIR/policy.yaml"

log "installing tlsward (seed policy, conflict.max_reverts 1000, window 10s)"
install_service
wait_dword "$K_STATUS" Compliant 64 0x1 60
log "tlsward compliant: DefaultSecureProtocols $(reg_dword "$K_WINHTTP" DefaultSecureProtocols 64)"
assert_eq 0xaa0 "$(reg_dword "$K_WINHTTP" DefaultSecureProtocols 64)" \
	"DefaultSecureProtocols after compliance"

log "starting minheal on HKLM\\$K_BASE"
wine "$MINHEAL_UNIX" "$K_BASE" DefaultSecureProtocols 0xaa0 --view 64 \
	--count "$DRIFTS" >"$RAW_DIR/minheal.out" 2>&1 &
minheal_pid=$!
for ((i = 0; i < 100; i++)); do
	grep -q 'minheal: watching' "$RAW_DIR/minheal.out" && break
	kill -0 "$minheal_pid" 2>/dev/null ||
		fail "minheal exited: $(tr -d '\r' <"$RAW_DIR/minheal.out")"
	sleep 0.2
done
grep -q 'minheal: watching' "$RAW_DIR/minheal.out" ||
	fail "minheal did not arm its watch within 20 s"

# measure WHO KEY ROUND: one round of drifts against one healer.
measure()
{
	local out="$RAW_DIR/$1-round$3.txt"

	setvalue heal "$2" DefaultSecureProtocols 0xa0 --view 64 \
		--count "$PER_ROUND" --timeout 5000 --pause "$PAUSE" \
		>"$out" 2>&1 || {
		tail -n 5 "$out"
		fail "$1, round $3: a drift was not healed within 5 s"
	}
	log "$1 round $3: $(grep '^heal latency:' "$out")"
}

for ((r = 1; r <= ROUNDS; r++)); do
	# Alternating the order cancels whatever the first of a pair pays.
	if ((r % 2)); then
		measure tlsward "$K_WINHTTP" "$r"
		measure minheal "$K_BASE" "$r"
	else
		measure minheal "$K_BASE" "$r"
		measure tlsward "$K_WINHTTP" "$r"
	fi
done

for ((i = 0; i < 50; i++)); do
	kill -0 "$minheal_pid" 2>/dev/null || break
	sleep 0.1
done
wait "$minheal_pid" || fail "minheal exited $?"
healed=$(tr -d '\r' <"$RAW_DIR/minheal.out" | sed -nE 's/^minheal: ([0-9]+) heals$/\1/p')
assert_eq "$DRIFTS" "$healed" "drifts minheal healed"
assert_eq RUNNING "$(svc_state)" "tlsward's state after the drifts"
conflicts=$(event_count 2005)
assert_eq 0 "$conflicts" "2005 (conflict, backing off) events"
cp "$EVENTS" "$RAW_DIR/events.jsonl" 2>/dev/null || true
remediations=$(($(reg_dword "$K_STATUS" Remediations)))
remediated=$(event_count 2002 '"setting":"winhttp\.default_secure_protocols"')

# stats WHO: "n p50 p99 max" in microseconds over every round, with
# setvalue's own percentile ranks.
stats()
{
	cat "$RAW_DIR/$1"-round*.txt | tr -d '\r' |
		sed -nE 's/^drift [0-9]+: healed in ([0-9]+) us$/\1/p' | sort -n |
		awk '{ v[NR] = $1 }
		END {
			n = NR
			if (!n) exit 1
			p99 = int((n * 99 + 99) / 100)
			printf "%d %d %d %d\n", n, v[int((n - 1) / 2) + 1], v[p99], v[n]
		}'
}

read -r tn tp50 tp99 tmax <<<"$(stats tlsward)" || fail "no tlsward figures"
read -r bn bp50 bp99 bmax <<<"$(stats minheal)" || fail "no minheal figures"
assert_eq "$DRIFTS" "$tn" "tlsward drifts measured"
assert_eq "$DRIFTS" "$bn" "minheal drifts measured"

ms() { awk -v u="$1" 'BEGIN { printf "%.3f", u / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

summary=$(
	cat <<EOF
heal latency over $DRIFTS drifts each (Wine $(wine --version 2>/dev/null | tr -d '\r'), win10 prefix, 64-bit view, $ROUNDS alternating rounds of $PER_ROUND, ${PAUSE} ms pause):
  tlsward service      p50 $(ms "$tp50") ms  p99 $(ms "$tp99") ms  max $(ms "$tmax") ms  (HKLM\\$K_WINHTTP)
  baseline minheal     p50 $(ms "$bp50") ms  p99 $(ms "$bp99") ms  max $(ms "$bmax") ms  (HKLM\\$K_BASE, same prefix)
  ratio tlsward/baseline  p50 $(ratio "$tp50" "$bp50")x  p99 $(ratio "$tp99" "$bp99")x  max $(ratio "$tmax" "$bmax")x
  tlsward's own count: Status Remediations $remediations, 2002 events for winhttp.default_secure_protocols in the mirror (rotates at 1 MiB) $remediated
  damping: seed policy with conflict.max_reverts 1000, window 10s; 2005 events: $conflicts
  raw figures: $RAW_DIR/{tlsward,minheal}-round*.txt (setvalue heal output, one line per drift)
EOF
)
printf '%s\n' "$summary"
printf '%s\n' "$summary" >"$WORK_ROOT/bench-heal.txt"
pass
