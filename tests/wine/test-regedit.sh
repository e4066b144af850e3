#!/usr/bin/env bash
# Scenario: the auditor's offline path on a real regedit export. Wine's
# regedit exports the whole of HKEY_LOCAL_MACHINE (UTF-16LE, regedit 5);
# `tlsward check` reads it, `tlsward apply --out` writes the remediated
# export, and regedit imports that file back: the live registry is then
# compliant, as `tlsward check` against it confirms.
. "$(dirname "$0")/lib.sh" "$@"

boot_prefix win10
put_policy enforce.yaml

log "regedit /E: the whole of HKEY_LOCAL_MACHINE"
wine regedit /E 'C:\hklm.reg' HKEY_LOCAL_MACHINE >/dev/null 2>&1 ||
	fail "regedit /E failed"
export_unix="$WINEPREFIX/drive_c/hklm.reg"
size=$(stat -c %s "$export_unix")
assert_ge 1000000 "$size" "size of the HKLM export in bytes"
assert_eq 'fffe' "$(head -c 2 "$export_unix" | od -An -tx1 | tr -d ' \n')" \
	"byte order mark of the export (UTF-16LE)"
log "export: $size bytes"

log "check on the export"
run_cli check --policy "$POLICY_WIN" --registry 'C:\hklm.reg' --format json
assert_eq 1 "$RC" "exit code of check on the export (remediable): $OUT"
assert_match '"os_major": *10' "$OUT" "facts read from the export"
assert_match '"id": *"dotnet\.v4\.0\.30319\.strong_crypto@32", [^}]*"state": *"missing"' \
	"$OUT" "the 32-bit SchUseStrongCrypto is missing in the export"

log "apply --out"
run_cli apply --policy "$POLICY_WIN" --registry 'C:\hklm.reg' --out 'C:\after.reg'
assert_eq 0 "$RC" "exit code of apply --out: $OUT"
assert_eq 'fffe' "$(head -c 2 "$WINEPREFIX/drive_c/after.reg" | od -An -tx1 | tr -d ' \n')" \
	"byte order mark of the written file (same format as the input)"
run_cli check --policy "$POLICY_WIN" --registry 'C:\after.reg'
assert_eq 0 "$RC" "exit code of check on the written file"

log "the live registry is untouched so far"
assert_eq absent "$(reg_dword "$K_NET4" SchUseStrongCrypto 64)" \
	"SchUseStrongCrypto before the import"

log "regedit /S imports the written file"
wine regedit /S 'C:\after.reg' >/dev/null 2>&1 || fail "regedit /S failed"
while IFS='|' read -r key name view want; do
	assert_eq "$want" "$(reg_dword "$key" "$name" "$view")" \
		"HKLM\\$key\\$name (view $view) after the import"
done < <(managed_values win10)
run_cli check --policy "$POLICY_WIN"
assert_eq 0 "$RC" "exit code of check against the live registry: $OUT"
pass
