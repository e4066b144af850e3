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

echo "== native build (ASan, UBSan)"
rm -rf build-test
meson setup build-test -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
meson compile -C build-test
meson test -C build-test --print-errorlogs --num-processes 2 || status=1
count build-test

echo "== Windows build, tests under Wine"
# Meson's cross sanity check runs a program through wine: give it a prefix
# of its own rather than the user's ~/.wine. The tests set their own.
export WINEPREFIX="$top/build-test-win.wineprefix"
rm -rf build-test-win "$WINEPREFIX"
meson setup --cross-file cross/x86_64-w64-mingw32.ini build-test-win >/dev/null
meson compile -C build-test-win
meson test -C build-test-win --print-errorlogs --num-processes 2 || status=1
count build-test-win

echo "$passed passed, $failed failed"
exit $status
