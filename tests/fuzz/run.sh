#!/usr/bin/env bash
# Fuzzes tlsward's parsers for a bounded time each and fails when a crash is
# found. Usage: tests/fuzz/run.sh [SECONDS] [TARGET...]
#   SECONDS  per target (default 60, or FUZZ_SECONDS)
#   TARGET   policy, regfile, floor, sig (default: all four)
# Environment: FUZZ_BUILD (build directory, default build-fuzz),
# FUZZ_ENGINE (afl, the default, or libfuzzer: clang's -fsanitize=fuzzer).
# Installs afl++ from the distribution when it is missing (needs root).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=${1:-${FUZZ_SECONDS:-60}}
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(policy regfile floor sig)
build=${FUZZ_BUILD:-$top/build-fuzz}
engine=${FUZZ_ENGINE:-afl}

case $engine in
afl)
  if ! command -v afl-fuzz >/dev/null || ! command -v afl-clang-fast >/dev/null; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "run.sh: afl++ is missing; run as root to install it" >&2
      exit 2
    fi
    echo "== installing afl++"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
  fi
  cc=afl-clang-fast
  export AFL_USE_ASAN=1 AFL_USE_UBSAN=1 AFL_QUIET=1
  ;;
libfuzzer)
  cc=clang
  ;;
*)
  echo "run.sh: FUZZ_ENGINE must be afl or libfuzzer" >&2
  exit 2
  ;;
esac

mkdir -p "$build"
cflags=(-std=c11 -g -O1 -D_POSIX_C_SOURCE=200809L -DTLSR_PROJECT_VERSION='"fuzz"'
  -I"$top/core" -I"$top/policy" -I"$here"
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)
# Every portable core source (core/win/ is the Windows backend), and the
# tables the build generates.
python3 "$top/core/utf8_tables.py" "$build/utf8_tables.c"
core=("$top"/core/*.c "$build/utf8_tables.c")

build_target() {
  local t=$1 extra=()
  # The policy library (policy/*.c: the portable sources, with OpenSSL
  # for signatures) for every target but the .reg parser.
  [ "$t" != regfile ] && extra=("$top"/policy/*.c)
  echo "== building fuzz_$t with $cc"
  "$cc" "${cflags[@]}" "${core[@]}" "${extra[@]}" "$here/fuzz_$t.c" \
    -lyaml -lcrypto -o "$build/fuzz_$t"
}

run_afl() {
  local t=$1 out=$build/afl-$t
  rm -rf "$out"
  AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
    AFL_NO_AFFINITY=1 \
    afl-fuzz -i "$here/corpus/$t" -o "$out" -x "$here/$t.dict" -m none \
    -t 1000 -V "$secs" -- "$build/fuzz_$t" >"$build/afl-$t.log" 2>&1 || {
      echo "afl-fuzz failed for $t; see $build/afl-$t.log" >&2
      tail -n 20 "$build/afl-$t.log" >&2
      return 1
    }
  local stats=$out/default/fuzzer_stats
  local execs paths
  execs=$(awk -F': *' '$1 ~ /^execs_done/ {print $2}' "$stats")
  paths=$(awk -F': *' '$1 ~ /^corpus_count/ {print $2}' "$stats")
  crashes=$(find "$out/default/crashes" -type f ! -name README.txt | wc -l)
  hangs=$(find "$out/default/hangs" -type f | wc -l)
  echo "$t: ${secs}s, $execs execs, $paths corpus entries, $crashes crashes, $hangs hangs"
  if [ "$crashes" -gt 0 ]; then
    echo "$t: crashing inputs (replay: $build/fuzz_$t FILE):"
    find "$out/default/crashes" -type f ! -name README.txt | sed 's/^/  /'
  fi
}

run_libfuzzer() {
  local t=$1 work=$build/libfuzzer-$t
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  cp "$here/corpus/$t"/* "$work/corpus/"
  set +e
  "$build/fuzz_$t" -max_total_time="$secs" -dict="$here/$t.dict" \
    -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
    "$work/corpus" >"$build/libfuzzer-$t.log" 2>&1
  set -e
  crashes=$(find "$work/artifacts" -type f | wc -l)
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$build/libfuzzer-$t.log")
  echo "$t: ${secs}s, ${execs:-?} execs, $crashes crashes"
  if [ "$crashes" -gt 0 ]; then
    find "$work/artifacts" -type f | sed 's/^/  /'
  fi
}

failed=0
for t in "${targets[@]}"; do
  if [ ! -f "$here/fuzz_$t.c" ]; then
    echo "run.sh: unknown target $t (policy, regfile, floor, sig)" >&2
    exit 2
  fi
  build_target "$t"
  crashes=0
  if [ "$engine" = afl ]; then run_afl "$t"; else run_libfuzzer "$t"; fi
  [ "$crashes" -gt 0 ] && failed=1
done
if [ "$failed" -ne 0 ]; then
  echo "FAIL: the fuzzers found crashes"
  exit 1
fi
echo "OK: no crashes"
