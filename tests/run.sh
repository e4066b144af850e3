#!/usr/bin/env bash
# Runs every tlsward test on a Debian 12 machine: installs what is missing
# (as root), then the native unit suites under ASan and UBSan, then the
# Windows build under Wine (the same unit suites, the registry contract
# against the real Win32 registry, and the `wine` integration suite).
# Prints how many Check cases the unit suites ran, then ends with Meson's
# totals as one plain line: "N passed, N failed, N skipped".
#
# Usage: tests/run.sh [--keep]
# The Wine prefixes the run makes (about 0.7 GB each) are removed when every
# test passes; they are kept, and named, when one fails. --keep keeps them
# anyway.
set -euo pipefail

keep=0
case "${1:-}" in
"") ;;
--keep) keep=1 ;;
-h | --help)
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
  exit 0
  ;;
*)
  echo "usage: tests/run.sh [--keep]" >&2
  exit 2
  ;;
esac
if [ $# -gt 1 ]; then
  echo "usage: tests/run.sh [--keep]" >&2
  exit 2
fi

cd "$(dirname "$0")/.."
top=$PWD

packages=(
  meson ninja-build pkg-config gcc libc6-dev libyaml-dev libssl-dev check python3
  clang libclang-rt-dev procps
  gcc-mingw-w64-x86-64 mingw-w64-tools binutils-mingw-w64-x86-64
  wine64 wine wixl msitools libxml2-utils openssl
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
# npm fetches the PowerShell grammar's pinned C sources (tests/powershell);
# any Node.js with npm will do, Debian's included.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "tests/run.sh: run as root to install: ${missing[*]}" >&2
    exit 2
  fi
  apt_log=${TMPDIR:-/tmp}/tlsward-tests-apt.log
  echo "   with apt-get (a few minutes on a fresh machine; its output goes to $apt_log)"
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; } >"$apt_log" 2>&1; then
    tail -n 20 "$apt_log" >&2
    echo "tests/run.sh: apt-get failed, see $apt_log" >&2
    exit 2
  fi
fi

passed=0
failed=0
skipped=0
checks=0
# Adds a finished `meson test` run's totals from its JSON log: Meson's
# results, and the "Checks: N" each Check runner prints.
count() {
  local log=$1/meson-logs/testlog.json
  local p f s c
  [ -f "$log" ] || return 0
  read -r p f s c < <(python3 -c 'import json,re,sys
p=f=s=c=0
for l in open(sys.argv[1]):
    r=json.loads(l)
    if r["result"] in ("OK","EXPECTEDFAIL"): p+=1
    elif r["result"]=="SKIP": s+=1
    else: f+=1
    c+=sum(int(n) for n in re.findall(r"Checks: (\d+)", r.get("stdout") or ""))
print(p, f, s, c)' "$log")
  passed=$((passed + p))
  failed=$((failed + f))
  skipped=$((skipped + s))
  checks=$((checks + c))
}

status=0

# The Wine prefixes this run makes: Meson's cross sanity check's, the unit
# tests' and the scenarios' templates (each scenario removes its own copy
# unless it fails).
prefixes() {
  local d
  for d in "$top/build-test-win.wineprefix" "$top/build-test-win/tests/wineprefix" \
    "$top"/build-test-win/tests/wine/wine-template-* "$top"/build-test-win/tests/wine/wine-test-*; do
    [ -e "$d" ] && echo "$d"
  done
  return 0
}

# Meson's cross sanity check boots a Wine prefix (some 700 MB) for one tiny
# program; nothing needs it after the setup.
sanity_prefix=
sanity_prefix_done() {
  [ -z "$sanity_prefix" ] || rm -rf "$sanity_prefix"
}

# build_and_test DIR SETUP-ARGS...: configures, builds and tests one build;
# a build that fails counts as a failure and its tests do not run.
build_and_test() {
  local dir=$1
  shift
  rm -rf "$dir"
  if meson setup "$dir" "$@" >/dev/null && sanity_prefix_done &&
    meson compile -C "$dir"; then
    meson test -C "$dir" --print-errorlogs --num-processes 2 || status=1
    count "$dir"
  else
    echo "tests/run.sh: the build in $dir failed" >&2
    status=1
    failed=$((failed + 1))
  fi
}

echo "== PowerShell grammar (npm ci, pinned by tests/powershell/package-lock.json)"
# A failure here leaves the native build's `configmgr` test failing.
tests/powershell/fetch.sh || status=1

echo "== native build (ASan, UBSan)"
build_and_test build-test -Db_sanitize=address,undefined -Db_lundef=false

echo "== Windows build, tests under Wine"
# Meson's cross sanity check runs a program through wine: give it a prefix
# of its own rather than the user's ~/.wine. The tests set their own.
sanity_prefix="$top/build-test-win.wineprefix"
export WINEPREFIX=$sanity_prefix
rm -rf "$WINEPREFIX"
[ $keep = 1 ] && export TLSR_WINE_KEEP=1
# The third-party sources are unpacked afresh, so that they are built with
# the overlays (subprojects/packagefiles/*/meson.build) of this checkout.
rm -rf subprojects/libyaml-*/ subprojects/check-*/
build_and_test build-test-win --cross-file cross/x86_64-w64-mingw32.ini

if [ $status = 0 ] && [ $failed = 0 ] && [ $keep = 0 ]; then
  prefixes | xargs -r rm -rf
  # The unit tests' prefix is made again by the next `meson test`.
  rm -f build-test-win/tests/wineprefix.stamp
elif [ -n "$(prefixes)" ]; then
  echo "== Wine prefixes kept (remove them with rm -rf; logs of failed scenarios in build-test-win/tests/wine/wine-logs/):"
  prefixes | sed "s|^$top/|  |"
fi
echo "== disk used: $(du -sh build-test build-test-win 2>/dev/null | awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }')"

echo "== $checks checks ran in the unit suites"
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
