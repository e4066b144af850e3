#!/bin/sh
# Creates the Wine prefix the Windows unit tests run in, inside the build
# directory, so a developer's own ~/.wine is never used.
#
# Usage: cross/wine-prefix.sh PREFIX STAMP
set -eu

[ $# -eq 2 ] || {
	echo "usage: $0 PREFIX STAMP" >&2
	exit 2
}
prefix=$1
stamp=$2

WINEPREFIX=$prefix
WINEDEBUG=-all
# No Mono or Gecko: they would ask to be downloaded and only slow the boot.
WINEDLLOVERRIDES="mscoree,mshtml="
export WINEPREFIX WINEDEBUG WINEDLLOVERRIDES
unset DISPLAY WAYLAND_DISPLAY

if [ ! -f "$prefix/system.reg" ]; then
	mkdir -p "$prefix"
	wineboot -i >/dev/null 2>&1 || {
		echo "wine-prefix: wineboot -i failed for $prefix" >&2
		exit 1
	}
fi
# Booting leaves processes behind; the first test must find them gone.
wineserver -w
touch "$stamp"
