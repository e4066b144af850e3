#!/usr/bin/env bash
# Runs every tlsward test on a Debian 12 machine: installs what is missing
# (as root), then the native unit suites under ASan and UBSan, then the
# Windows build under Wine (the same unit suites, the registry contract
# against the real Win32 registry, and the `wine` integration suite).
# Ends with one line: "N passed, N failed".
set -euo pipefail

cd "$(dirname "$0")/.."
top=$PWD

packages=(
  meson ninja-build pkg-config gcc libc6-dev libyaml-dev check python3
  gcc-mingw-w64-x86-64 mingw-w64-tools binutils-mingw-w64-x86-64
  wine64 wine wixl msitools libxml2-utils
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "tests/run.sh: run as root to install: ${missing[*]}" >&2
    exit 2
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

passed=0
failed=0
# Adds a finished `meson test` run's totals from its JSON log.
count() {
  local log=$1/meson-logs/testlog.json
  local p f
  [ -f "$log" ] || return 0
  p=$(python3 -c 'import json,sys
n=0
for l in open(sys.argv[1]):
    r=json.loads(l); n+=r["result"] in ("OK","EXPECTEDFAIL")
print(n)' "$log")
  f=$(python3 -c 'import json,sys
n=0
for l in open(sys.argv[1]):
    r=json.loads(l); n+=r["result"] not in ("OK","EXPECTEDFAIL")
print(n)' "$log")
  passed=$((passed + p))
  failed=$((failed + f))
}

status=0

# build_and_test DIR SETUP-ARGS...: configures, builds and tests one build;
# a build that fails counts as a failure and its tests do not run.
build_and_test() {
  local dir=$1
  shift
  rm -rf "$dir"
  if meson setup "$dir" "$@" >/dev/null && meson compile -C "$dir"; then
    meson test -C "$dir" --print-errorlogs --num-processes 2 || status=1
    count "$dir"
  else
    echo "tests/run.sh: the build in $dir failed" >&2
    status=1
    failed=$((failed + 1))
  fi
}

echo "== native build (ASan, UBSan)"
build_and_test build-test -Db_sanitize=address,undefined -Db_lundef=false

echo "== Windows build, tests under Wine"
# Meson's cross sanity check runs a program through wine: give it a prefix
# of its own rather than the user's ~/.wine. The tests set their own.
export WINEPREFIX="$top/build-test-win.wineprefix"
rm -rf "$WINEPREFIX"
build_and_test build-test-win --cross-file cross/x86_64-w64-mingw32.ini

echo "$passed passed, $failed failed"
exit $status
