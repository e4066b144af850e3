#!/usr/bin/env bash
# Scenario: the command line against the live registry. `check` exit codes
# (1 remediable, 0 compliant, 3 blocked on Windows 7 without KB3140245,
# 2 for a broken policy with FILE:LINE:COL), `run --console --once`
# remediating in the foreground, and `status --format json` reporting what
# it recorded.
. "$(dirname "$0")/lib.sh" "$@"

boot_prefix win10
put_policy enforce.yaml

log "check before anything is set"
run_cli check
assert_eq 1 "$RC" "exit code of check (not compliant, remediable)"
run_cli check --format json
assert_eq 1 "$RC" "exit code of check --format json"
assert_match '"compliant": *false' "$OUT" "check --format json"
assert_match '"id": *"dotnet\.v4\.0\.30319\.strong_crypto", [^}]*"state": *"missing"' "$OUT" \
	"check --format json: SchUseStrongCrypto missing"
assert_match '"id": *"winhttp\.default_secure_protocols", [^}]*"state": *"ok", [^}]*"by_default": *true' "$OUT" \
	"check --format json: DefaultSecureProtocols absent is Windows 10's default"
assert_match '"row": *"win10"' "$OUT" "check --format json: the OS model row"

log "check with a broken policy"
cp "$WINE_DATA/broken.yaml" "$DATA_UNIX/broken.yaml"
run_cli check --policy "$DATA_WIN"'\broken.yaml'
assert_eq 2 "$RC" \
	"exit code of check with a broken policy"
assert_match 'broken\.yaml:10:3: ' "$OUT" "the error of check with a broken policy"

log "a policy under a non-ASCII path (opened as UTF-16)"
mkdir -p "$WINEPREFIX/drive_c/Jürgen-测试"
cp "$WINE_DATA/enforce.yaml" "$WINEPREFIX/drive_c/Jürgen-测试/policy.yaml"
run_cli check --policy 'C:\Jürgen-测试\policy.yaml'
assert_eq 1 "$RC" "exit code of check with a policy under C:\\Jürgen-测试 (got: $OUT)"

log "run --console --once"
run_cli run --console --once
assert_eq 0 "$RC" "exit code of run --console --once, every value written (got: $OUT)"
while IFS='|' read -r key name view want; do
	assert_eq "$want" "$(reg_dword "$key" "$name" "$view")" \
		"HKLM\\$key\\$name (view $view) after run --once"
done < <(managed_values win10)
run_cli check
assert_eq 0 "$RC" "exit code of check after remediation"
wait_event 2002 5 . 8

log "status --format json"
run_cli status --format json
assert_eq 0 "$RC" "exit code of status --format json"
status_json=$(tr '[:upper:]' '[:lower:]' <<<"$OUT")
assert_match '"compliant": *true' "$status_json" "status --format json: compliant"
assert_match "$(sha256sum <"$POLICY_UNIX" | cut -d' ' -f1)" \
	"$status_json" "status --format json: policy hash"
assert_match '"restart_?pending": *true' "$status_json" \
	"status --format json: restart pending"

log "Windows 7 without KB3140245"
set_windows win7
run_cli check
assert_eq 3 "$RC" "exit code of check on Windows 7 without KB3140245"
assert_match 'KB3140245' "$OUT" "check output on Windows 7 names the update"
pass
