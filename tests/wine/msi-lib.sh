# shellcheck shell=bash disable=SC2034
# tests/wine/msi-lib.sh: what the MSI scenarios (test-msi-*.sh) share, on
# top of lib.sh. Source it after lib.sh:
#
#   . "$(dirname "$0")/lib.sh" "$@"
#   . "$(dirname "$0")/msi-lib.sh"
#
# Environment: TLSR_MSI, the tlsward.msi under test (Meson sets it).

if [ -z "${TLSR_MSI:-}" ] || [ ! -f "$TLSR_MSI" ]; then
	echo "$SCENARIO: TLSR_MSI must name the tlsward.msi under test" >&2
	exit 2
fi
SOURCE_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MSI_DIR_WIN='C:\tlsward-test'
MSI_DIR_UNIX="$WINEPREFIX/drive_c/tlsward-test"
MSI_WIN="$MSI_DIR_WIN"'\tlsward.msi'
MSI_RUNS_FILE="$WORK_DIR/msi-runs"
K_SERVICE='SYSTEM\CurrentControlSet\Services\tlsward'

# Boots the prefix (argument as for boot_prefix) and puts the MSI under
# test at $MSI_WIN. The program directory lib.sh fills is emptied of
# tlsward.exe so that only the MSI installs it.
msi_prepare()
{
	boot_prefix "$@"
	rm -f "$PROGRAM_UNIX"
	mkdir -p "$MSI_DIR_UNIX"
	cp "$TLSR_MSI" "$MSI_DIR_UNIX/tlsward.msi"
}

# msi_run ARGS...: runs "msiexec ARGS /l*v <log>" and prints its exit code in
# full (a Unix exit status keeps only 8 bits: 1603 would read 67), as
# Configuration Manager sees it. The verbose log stays in $MSI_DIR_UNIX.
msi_run()
{
	local logf out rc n t0=$SECONDS

	# Callers run this in $(...): the run count lives in a file.
	echo "$*" >>"$MSI_RUNS_FILE"
	n=$(wc -l <"$MSI_RUNS_FILE")
	logf="$MSI_DIR_WIN\\msiexec-$n.log"
	out=$(wine cmd /c "msiexec $* /l*v $logf & echo msiexec-exit=%ERRORLEVEL%" \
		2>/dev/null | tr -d '\r')
	rc=$(printf '%s\n' "$out" | sed -n 's/^msiexec-exit=//p' | tail -n 1)
	log "msiexec $* -> ${rc:-nothing} in $((SECONDS - t0)) s" >&2
	printf '%s\n' "${rc:-none}"
}

# The verbose log of the last msi_run.
msi_last_log()
{
	echo "$MSI_DIR_UNIX/msiexec-$(wc -l <"$MSI_RUNS_FILE").log"
}

# msi_install_compliant [PROPERTY=VALUE...]: writes an enforcing policy
# (restart.mode never) to C:\policies\tlsward.yaml, installs the MSI under
# test silently with POLICYPATH pointing there (and the properties given),
# and waits until the service runs and the machine is compliant.
msi_install_compliant()
{
	put_policy_at 'C:\policies\tlsward.yaml' <<'YAML'
version: 1
mode: enforce
restart:
  mode: never
YAML
	msi_expect 0 /i "$MSI_WIN" /qn 'POLICYPATH=C:\policies\tlsward.yaml' "$@"
	wait_state RUNNING 30
	wait_dword "$K_STATUS" Compliant 64 0x1 60
}

# msi_expect CODE ARGS...: msi_run that must exit CODE; on a mismatch the
# end of the verbose log is shown.
msi_expect()
{
	local want=$1 rc

	shift
	rc=$(msi_run "$@")
	if [ "$rc" != "$want" ]; then
		grep -a -E 'value 3|Error|error' "$(msi_last_log)" \
			2>/dev/null | tail -n 20 >&2 || true
		fail "msiexec $*: expected exit code $want, got $rc"
	fi
}

# Builds a copy of the MSI with another product version into $MSI_DIR_UNIX
# (file NAME), from the seed policy and the exe under test (or EXE):
# msi_build VERSION NAME [EXE].
msi_build()
{
	"$SOURCE_ROOT/installer/build-msi.sh" "$1" "${3:-$TLSWARD_EXE}" \
		"$SOURCE_ROOT/policy/examples/seed.yaml" "$MSI_DIR_UNIX/$2" ||
		fail "build-msi.sh $1 failed"
}

# exe_next_build SRC DST: DST is SRC with the build number of its file
# version one higher (a.b.c.d -> a.b.c.d+1), as the next build would be.
exe_next_build()
{
	local off build

	off=$(LC_ALL=C grep -obUaP '\xbd\x04\xef\xfe' "$1" | head -n 1 | cut -d: -f1 || true)
	[ -n "$off" ] || fail "$1 has no version resource"
	cp "$1" "$2"
	# dwFileVersionLS: its low word is the build number.
	build=$(od -An -tu2 -j $((off + 12)) -N 2 "$1" | tr -d ' ')
	build=$((build + 1))
	printf "\\$(printf '%03o' $((build & 255)))\\$(printf '%03o' $((build >> 8)))" |
		dd of="$2" bs=1 seek=$((off + 12)) conv=notrunc status=none
}

# The values under the managed keys (snapshot_managed), one per line
# "[key] name=data"; keys without values are left out (tlsward may leave an
# empty key it created).
managed_snapshot()
{
	snapshot_managed | awk '/^\[/ { key = $0; next } /^"/ || /^@/ { print key " " $0 }'
}

# Prints the MSI's ProductCode.
msi_product_code()
{
	msiinfo export "${1:-$TLSR_MSI}" Property | tr -d '\r' |
		sed -n 's/^ProductCode\t//p'
}

# Writes a policy (stdin) to the Windows path $1 (under C:\).
put_policy_at()
{
	local unix="$WINEPREFIX/drive_c/${1#C:\\}"

	unix=${unix//\\//}
	mkdir -p "$(dirname "$unix")"
	cat >"$unix"
}
