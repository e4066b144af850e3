#!/usr/bin/env bash
# Scenario: the command line against the live registry. `check` exit codes
# (1 remediable, 0 compliant, 3 blocked on Windows 7 without KB3140245,
# 2 for a broken policy with FILE:LINE:COL), `run --console --once`
# remediating in the foreground, and `status --format json` reporting what
# it recorded.
. "$(dirname "$0")/lib.sh" "$@"

# run_rc CMD...: prints the exit code of tlsward CMD (output in $OUT).
run_rc()
{
	local rc=0

	OUT=$(tlsward "$@" 2>&1) || rc=$?
	echo "$rc"
}

boot_prefix win10
put_policy enforce.yaml

log "check before anything is set"
assert_eq 1 "$(run_rc check)" "exit code of check (not compliant, remediable)"
assert_eq 1 "$(run_rc check --format json)" "exit code of check --format json"
assert_match '"compliant": *false' "$OUT" "check --format json"
assert_match '"default_secure_protocols' "$OUT" "check --format json lists the settings"

log "check with a broken policy"
cp "$WINE_DATA/broken.yaml" "$DATA_UNIX/broken.yaml"
assert_eq 2 "$(run_rc check --policy "$DATA_WIN"'\broken.yaml')" \
	"exit code of check with a broken policy"
assert_match 'broken\.yaml:10:3: ' "$OUT" "the error of check with a broken policy"

log "run --console --once"
rc=$(run_rc run --console --once)
assert_match '^[01]$' "$rc" "exit code of run --console --once (got: $OUT)"
while IFS='|' read -r key name view want; do
	assert_eq "$want" "$(reg_dword "$key" "$name" "$view")" \
		"HKLM\\$key\\$name (view $view) after run --once"
done < <(managed_values)
assert_eq 0 "$(run_rc check)" "exit code of check after remediation"
wait_event 2002 5 . 12

log "status --format json"
assert_eq 0 "$(run_rc status --format json)" "exit code of status --format json"
status_json=$OUT
assert_match '"compliant": *true' "$status_json" "status --format json: compliant"
assert_match "$(sha256sum <"$POLICY_UNIX" | cut -d' ' -f1)" \
	"$(tr 'A-F' 'a-f' <<<"$status_json")" "status --format json: policy hash"
assert_match '"restart_?pending": *true' \
	"$(tr 'A-Z' 'a-z' <<<"$status_json")" "status --format json: restart pending"

log "Windows 7 without KB3140245"
wine winecfg /v win7 >/dev/null 2>&1 || fail "winecfg /v win7 failed"
assert_eq 3 "$(run_rc check)" "exit code of check on Windows 7 without KB3140245"
assert_match 'KB3140245' "$OUT" "check output on Windows 7 names the update"
pass
