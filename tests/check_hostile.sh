#!/usr/bin/env bash
# Hostile policies on the command line: every fixture a policy writer could
# throw at tlsward (tests/data/policies/bad; below-floor, with the floor;
# the refused signature cases, with their key) must make `tlsward policy
# validate` exit 2 with FILE:LINE:COL: reason on stderr, and nothing on
# stdout. Prints the count; fails under 40.
# Usage: check_hostile.sh TLSWARD DATA_DIR
set -uo pipefail
tlsward=$1
data=$2
tried=0
failed=0

# expect_refused FILE [ARGS...]
expect_refused()
{
	local f=$1 out err rc
	shift
	err=$("$tlsward" policy validate "$f" "$@" 2>&1 >/dev/null)
	rc=$?
	out=$("$tlsward" policy validate "$f" "$@" 2>/dev/null)
	tried=$((tried + 1))
	if [ "$rc" -ne 2 ] || [ -n "$out" ] ||
		! grep -qE "^$(printf '%s' "$f" | sed 's/[][\.*^$/]/\\&/g'):[0-9]+:[0-9]+: " <<<"$err"; then
		echo "FAIL: $f $*: exit $rc, stderr: $err, stdout: $out"
		failed=$((failed + 1))
	fi
}

for f in "$data"/policies/bad/*.yaml; do
	expect_refused "$f"
done
for f in "$data"/policies/below-floor/*.yaml; do
	expect_refused "$f" --floor "$data/floors/floor.yaml"
done
s="$data/signed"
expect_refused "$s/ec-tampered.yaml" --key "$s/ec.pub"
expect_refused "$s/ec-unsigned.yaml" --key "$s/ec.pub"
expect_refused "$s/ec-otherkey.yaml" --key "$s/ec.pub"
expect_refused "$s/ec-truncated.yaml" --key "$s/ec.pub"
expect_refused "$s/ec-garbage.yaml" --key "$s/ec.pub"
expect_refused "$s/rsa-with-ec-sig.yaml" --key "$s/rsa.pub"
expect_refused "$s/ec-noserial.yaml" --key "$s/ec.pub"
expect_refused "$s/ec-below-floor.yaml" --key "$s/ec.pub" --floor "$data/floors/floor.yaml"
echo "hostile policies tried: $tried, refused as expected: $((tried - failed))"
[ "$failed" -eq 0 ] && [ "$tried" -ge 40 ]
