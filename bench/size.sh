#!/usr/bin/env bash
# Size of tlsward as shipped: the tlsward.exe inside the MSI (extracted with
# msiextract, so the figure is what Windows Installer lays down) and the MSI
# itself, against the goals (exe <= 1 MiB, MSI <= 2 MiB). The baseline is
# the tlsward.exe of the build, before the MSI's strip.
#
#   bench/size.sh TLSWARD.MSI BUILT_TLSWARD.EXE
#
# Prints one line per figure; exits 1 when a goal is exceeded, 2 on usage
# or when the MSI holds no tlsward.exe.
set -euo pipefail

if [ $# -ne 2 ] || [ ! -f "$1" ] || [ ! -f "$2" ]; then
	echo "usage: $0 TLSWARD.MSI BUILT_TLSWARD.EXE" >&2
	exit 2
fi
msi=$1
built=$2
EXE_GOAL=$((1024 * 1024))
MSI_GOAL=$((2 * 1024 * 1024))

dir=$(mktemp -d "${TMPDIR:-/tmp}/tlsward-size.XXXXXX")
trap 'rm -rf "$dir"' EXIT
msi_abs=$(realpath "$msi")
(cd "$dir" && msiextract "$msi_abs" >/dev/null)
shipped=$(find "$dir" -type f -name tlsward.exe | head -n 1)
if [ -z "$shipped" ]; then
	echo "$0: $msi holds no tlsward.exe" >&2
	exit 2
fi

exe_bytes=$(stat -c %s "$shipped")
msi_bytes=$(stat -c %s "$msi")
built_bytes=$(stat -c %s "$built")
kib() { awk -v b="$1" 'BEGIN { printf "%.0f KiB", b / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

printf 'size  tlsward.exe in the MSI  %s (%s bytes), goal <= %s; %sx the built exe (%s)\n' \
	"$(kib "$exe_bytes")" "$exe_bytes" "$(kib $EXE_GOAL)" \
	"$(ratio "$exe_bytes" "$built_bytes")" "$(kib "$built_bytes")"
printf 'size  tlsward.msi             %s (%s bytes), goal <= %s\n' \
	"$(kib "$msi_bytes")" "$msi_bytes" "$(kib $MSI_GOAL)"
verdict() { [ "$1" -le "$2" ] && echo met || echo missed; }
printf 'ROW\tsize, tlsward.exe as shipped in the MSI\t%s\tbuilt exe %s\t%sx\t<= 1 MiB\t%s\n' \
	"$(kib "$exe_bytes")" "$(kib "$built_bytes")" \
	"$(ratio "$exe_bytes" "$built_bytes")" "$(verdict "$exe_bytes" $EXE_GOAL)"
printf 'ROW\tsize, tlsward.msi\t%s\tthe shipped exe %s\t%sx\t<= 2 MiB\t%s\n' \
	"$(kib "$msi_bytes")" "$(kib "$exe_bytes")" \
	"$(ratio "$msi_bytes" "$exe_bytes")" "$(verdict "$msi_bytes" $MSI_GOAL)"
rc=0
if [ "$exe_bytes" -gt "$EXE_GOAL" ]; then
	echo "size: tlsward.exe as shipped is over its goal" >&2
	rc=1
fi
if [ "$msi_bytes" -gt "$MSI_GOAL" ]; then
	echo "size: tlsward.msi is over its goal" >&2
	rc=1
fi
exit $rc
