#!/bin/bash
# Builds tlsward.msi with wixl: build-msi.sh VERSION EXE POLICY OUT.msi
# wixl 0.101 only finds sources relative to its working directory and has
# no Permanent/NeverOverwrite attributes, so the sources are staged in a
# temporary directory and the seed policy's component attributes are set
# afterwards with msibuild.
set -euo pipefail

if [ $# -ne 4 ]; then
	echo "usage: $0 VERSION EXE POLICY OUT.msi" >&2
	exit 2
fi
version=$1
exe=$2
policy=$3
out=$4
here=$(cd "$(dirname "$0")" && pwd)

for f in "$exe" "$policy" "$here/tlsward.wxs"; do
	if [ ! -f "$f" ]; then
		echo "$0: $f: no such file" >&2
		exit 1
	fi
done

# Prints the file version (a.b.c.d) in EXE's VS_FIXEDFILEINFO, or nothing.
file_version()
{
	local off ms_lo ms_hi ls_lo ls_hi

	off=$(LC_ALL=C grep -obUaP '\xbd\x04\xef\xfe' "$1" | head -n 1 | cut -d: -f1 || true)
	[ -n "$off" ] || return 0
	# dwSignature, dwStrucVersion, then dwFileVersionMS and LS (LE words).
	# shellcheck disable=SC2046 # four numbers, split on purpose
	set -- $(od -An -tu2 -j $((off + 8)) -N 8 "$1")
	ms_lo=$1 ms_hi=$2 ls_lo=$3 ls_hi=$4
	echo "$ms_hi.$ms_lo.$ls_hi.$ls_lo"
}

stage=$(mktemp -d "${TMPDIR:-/tmp}/tlsward-msi.XXXXXX")
trap 'rm -rf "$stage"' EXIT INT TERM
cp "$exe" "$stage/tlsward.exe"
cp "$policy" "$stage/policy.yaml"
cp "$here/tlsward.wxs" "$stage/tlsward.wxs"

(cd "$stage" && wixl -a x64 -D Version="$version" -D ExeSource=tlsward.exe \
	-D PolicySource=policy.yaml -o tlsward.msi tlsward.wxs)

# wixl 0.101 places custom actions loosely around their Before/After
# anchors (even after InstallFinalize) and searches the 32-bit registry
# view: pin what the package relies on.
# Component attributes: 16 Permanent | 128 NeverOverwrite | 256 64-bit.
# Upgrade attributes: 1 migrate features | 256 min and 512 max inclusive.
# RegLocator type: 2 raw | 16 64-bit view.
# File version: wixl leaves tlsward.exe unversioned, and Windows Installer
# then applies the rules for data files to a program.
# Same-version upgrades (wixl has no AllowSameVersionUpgrades): a rebuild
# of the same version replaces the installed one instead of installing
# beside it.
exe_version=$(file_version "$exe")
upgrade_code=$(msiinfo export "$stage/tlsward.msi" Property | tr -d '\r' |
	sed -n 's/^UpgradeCode\t//p')
secure=$(msiinfo export "$stage/tlsward.msi" Property | tr -d '\r' |
	sed -n 's/^SecureCustomProperties\t//p')
set -- \
	"UPDATE Component SET Attributes = 400 WHERE Component = 'SeedPolicy'" \
	"UPDATE RegLocator SET Type = 18" \
	"INSERT INTO Upgrade (UpgradeCode, VersionMin, VersionMax, Attributes, ActionProperty) VALUES ('$upgrade_code', '$version', '$version', 769, 'WIX_SAME_VERSION_UPGRADE_DETECTED')" \
	"UPDATE Property SET Value = '$secure;WIX_SAME_VERSION_UPGRADE_DETECTED' WHERE Property = 'SecureCustomProperties'"
if [ -n "$exe_version" ]; then
	set -- "$@" "UPDATE File SET Version = '$exe_version' WHERE File = 'tlsward.exe'"
fi
for seq in InstallExecuteSequence InstallUISequence; do
	set -- "$@" \
		"UPDATE $seq SET Sequence = 41 WHERE Action = 'SaveCmdPolicyPath'" \
		"UPDATE $seq SET Sequence = 42 WHERE Action = 'SaveCmdMode'" \
		"UPDATE $seq SET Sequence = 43 WHERE Action = 'SaveCmdFloor'" \
		"UPDATE $seq SET Sequence = 51 WHERE Action = 'UseCmdPolicyPath'" \
		"UPDATE $seq SET Sequence = 52 WHERE Action = 'UseCmdMode'" \
		"UPDATE $seq SET Sequence = 53 WHERE Action = 'UseCmdFloor'"
done
set -- "$@" \
	"UPDATE InstallExecuteSequence SET Sequence = 1001 WHERE Action = 'DefaultPolicyPath'" \
	"UPDATE InstallExecuteSequence SET Sequence = 1901 WHERE Action = 'WaitServiceStopped'" \
	"UPDATE InstallExecuteSequence SET Sequence = 1902 WHERE Action = 'RollbackJournal'"
for q in "$@"; do
	msibuild "$stage/tlsward.msi" -q "$q"
done

mv "$stage/tlsward.msi" "$out"
