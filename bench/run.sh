#!/usr/bin/env bash
# Runs every benchmark of docs/performance.md and prints their figures as
# one table: each figure beside the baseline measured in the same run, the
# ratio, the goal and whether it is met.
#
#   bench/run.sh [--smoke] [--native BUILDDIR] [--win BUILDDIR] [--only LIST]
#
# Without a build directory it builds its own: build-bench (native,
# release, no sanitizers) and, when the MinGW cross compiler is installed,
# build-bench-win (the Windows build, whose benchmarks run under Wine).
# --native or --win alone runs that build's benchmarks only. --smoke runs
# every benchmark at a small size (CI: `meson test --suite bench-smoke`): it
# proves they run and print their figures, and says nothing about speed.
# --only takes a comma-separated list of: offline regfile check fleet size
# wine.
# Exit: 0 when every benchmark ran and printed its figures (a missed goal
# is a figure, not a failure), 1 when one broke, 2 on usage.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
smoke=0
native=
win=
only=
while [ $# -gt 0 ]; do
	case $1 in
	--smoke) smoke=1 ;;
	--native) native=$(realpath "$2"); shift ;;
	--win) win=$(realpath "$2"); shift ;;
	--only) only=$2; shift ;;
	*) echo "usage: $0 [--smoke] [--native BUILDDIR] [--win BUILDDIR] [--only LIST]" >&2
	   exit 2 ;;
	esac
	shift
done

if [ -z "$native" ] && [ -z "$win" ]; then
	native=$top/build-bench
	[ -f "$native/build.ninja" ] ||
		meson setup "$native" "$top" --buildtype=release >/dev/null
	meson compile -C "$native" >/dev/null
	if command -v x86_64-w64-mingw32-gcc >/dev/null; then
		win=$top/build-bench-win
		export WINEPREFIX="$win.wineprefix"
		[ -f "$win/build.ninja" ] ||
			meson setup "$win" "$top" \
				--cross-file "$top/cross/x86_64-w64-mingw32.ini" \
				>/dev/null
		meson compile -C "$win" >/dev/null
	fi
fi

want() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }

out_dir=${native:-$win}/bench
mkdir -p "$out_dir"
rows=$out_dir/figures.rows
: >"$rows"
broken=0
policy=$top/policy/examples/seed.yaml
machine=$top/tests/data/machines/win10-22h2.reg

# bench NAME CMD...: runs one benchmark, shows its output and keeps its rows.
bench() {
	local name=$1 rc=0
	shift
	want "$name" || return 0
	echo "== $name: $*"
	"$@" >"$out_dir/$name.log" 2>&1 || rc=$?
	collect "$name" "$rc"
}

# collect NAME RC: shows a finished benchmark's output and keeps its rows.
collect() {
	local log=$out_dir/$1.log
	if [ "$2" = 0 ]; then
		grep -v '^ROW' "$log" || true
		grep '^ROW' "$log" >>"$rows" || {
			echo "bench/run.sh: $1 printed no figures" >&2
			broken=1
		}
	else
		cat "$log"
		echo "bench/run.sh: $1 failed" >&2
		broken=1
	fi
}

# row FIGURE VALUE BASELINE RATIO GOAL VERDICT
row() { printf 'ROW\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@"; }

# A one-line figure of a C benchmark as a row.
check_row() {
	local line
	line=$("$@") || return 1
	echo "$line"
	# "check cost on the B: full check X us; baseline (...) Y us; ratio R"
	awk -v goal="$CHECK_GOAL" -v limit="$CHECK_LIMIT" '{
		match($0, /on the [^:]*/); b = substr($0, RSTART + 7, RLENGTH - 7)
		match($0, /full check [0-9.]+ us/); v = substr($0, RSTART + 11, RLENGTH - 14)
		match($0, /\) [0-9.]+ us; ratio/); base = substr($0, RSTART + 2, RLENGTH - 12)
		match($0, /ratio [0-9.]+/); r = substr($0, RSTART + 6, RLENGTH - 6)
		match($0, /calls [0-9]+ against [0-9]+/); split(substr($0, RSTART, RLENGTH), c, " ")
		printf "ROW\tfull check, %s (CPU time)\t%s us (%s registry calls)\tread the managed values %s us (%s calls)\t%sx\t%s\t%s\n",
			b, v, c[2], base, c[4], r, goal, (v + 0 <= limit ? "met" : "missed")
		match($0, /alone, on facts read before: [0-9.]+/); o = substr($0, RSTART + 29, RLENGTH - 29)
		printf "ROW\tthe check alone (facts read before), %s\t%s us\tread the managed values %s us\t%.1fx\t(reported)\t-\n",
			b, o, base, (base > 0 ? o / base : 0)
	}' <<<"$line"
}

if [ -n "$native" ]; then
	if [ $smoke = 1 ]; then
		sizes=1 repeats=3 iters=50 instr=
	else
		sizes=1,5,20,100 repeats=9 iters=2000 instr=--instructions
	fi
	bench offline python3 "$here/offline.py" "$native/service/tlsward" \
		"$policy" "$out_dir/exports" --sizes "$sizes" --repeats "$repeats" ${instr:+"$instr"}
	CHECK_GOAL="<= 20 us" CHECK_LIMIT=20 \
		bench check check_row "$native/bench/bench_check" "$policy" \
		"$machine" "$iters"
	if [ -x "$native/bench/bench_fleet" ]; then
		if [ $smoke = 1 ]; then
			bench fleet "$native/bench/bench_fleet" "$policy" --clients 2000 --hours 6
		else
			bench fleet "$native/bench/bench_fleet" "$policy"
		fi
	fi
fi

if [ -n "$win" ]; then
	export WINEPREFIX=${WINEPREFIX:-$win.wineprefix}
	bench size bash "$here/size.sh" "$win/installer/tlsward.msi" \
		"$win/service/tlsward.exe"
	if [ $smoke = 1 ]; then
		export TLSR_BENCH_SMOKE=1
	fi
	# The service as shipped: the MSI's stripped tlsward.exe. The idle
	# minutes run in a prefix of their own beside the rest.
	wine_args=("$here/bench-wine.sh" "$win/installer/tlsward-shipped.exe"
		"$win/tests/wine/setvalue.exe" "$win/bench/minheal.exe"
		"$win/bench/bench_check.exe")
	if want wine; then
		echo "== wine-idle: ${wine_args[*]}"
		TLSR_WINE_WORK=$out_dir TLSR_BENCH_PART=idle \
			bash "${wine_args[@]}" >"$out_dir/wine-idle.log" 2>&1 &
		idle_pid=$!
		# The active part starts once the idle prefix has booted and
		# its ten minutes have begun: a prefix booting beside it would
		# slow the active part's registry calls.
		for ((i = 0; i < 600; i++)); do
			grep -q '] idle: [0-9]* s$' "$out_dir/wine-idle.log" 2>/dev/null && break
			kill -0 "$idle_pid" 2>/dev/null || break
			sleep 1
		done
		TLSR_WINE_WORK=$out_dir TLSR_BENCH_PART=active \
			bench wine bash "${wine_args[@]}"
		idle_rc=0
		wait "$idle_pid" || idle_rc=$?
		collect wine-idle "$idle_rc"
	fi
fi

# The table.
{
	echo "figures of bench/run.sh$([ $smoke = 1 ] && echo ' --smoke (smoke sizes: not figures to quote)'), $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME"), load average $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
	echo "| figure | value | baseline (same run) | ratio | goal | |"
	echo "|---|---|---|---|---|---|"
	awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s |\n", $2, $3, $4, $5, $6, $7 }' "$rows"
} >"$out_dir/figures.md"
echo
cat "$out_dir/figures.md"
if [ ! -s "$rows" ]; then
	echo "bench/run.sh: no figures" >&2
	exit 1
fi
exit $broken
