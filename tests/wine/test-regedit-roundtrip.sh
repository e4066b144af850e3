#!/usr/bin/env bash
# Scenario: tlsward reads a .reg file as the real regedit imports it.
# Each tricky file of tests/data/regfile/roundtrip is imported with
# `regedit /S` and its tree dumped exactly (RegEnumKeyExW/RegEnumValueW,
# `setvalue.exe dump`); then `tlsward apply --out` writes what tlsward read
# from the file, regedit imports that instead, and the two dumps must be
# identical. For fail-closed.reg, whose lines Windows' reading of is
# unverified, tlsward's tree must hold nothing regedit's lacks (it counts
# less, never more) and every line it does not count is a warning.
. "$(dirname "$0")/lib.sh" "$@"

RT_DATA=$(cd "$(dirname "$0")/../data/regfile/roundtrip" && pwd)
BASE='SOFTWARE\tlswardrt'

boot_prefix
put_policy enforce.yaml
mkdir -p "$WINEPREFIX/drive_c/rt"
cp "$RT_DATA"/*.reg "$WINEPREFIX/drive_c/rt/"

# import FILE.reg: a clean import of the file under $BASE; prints the dump.
import_dump()
{
	setvalue delete "$BASE" >/dev/null || fail "setvalue delete failed"
	wine regedit /S "C:\\rt\\$1" >/dev/null 2>&1 ||
		fail "regedit /S $1 failed"
	setvalue dump "$BASE" | LC_ALL=C sort || fail "setvalue dump failed"
}

# What regedit imports from FILE, and from tlsward's apply --out of FILE.
both_dumps()
{
	local f=$1

	REGEDIT=$(import_dump "$f")
	run_cli apply --policy "$POLICY_WIN" --registry "C:\\rt\\$f" \
		--out "C:\\rt\\$f.out.reg"
	# 3: these files name no Windows and no .NET 4.6.2, so the client
	# stays blocked after apply; what is compared is the file it wrote.
	assert_match '^[03]$' "$RC" "exit code of apply --out on $f: $OUT"
	WARNINGS=$(grep -c ': warning: ' <<<"$OUT" || true)
	TLSWARD=$(import_dump "$f.out.reg")
}

# file : warnings expected (lines regedit does not import)
while IFS=: read -r f want_warnings; do
	log "$f"
	both_dumps "$f"
	assert_eq "$want_warnings" "$WARNINGS" "warnings of tlsward on $f: $OUT"
	if [ "$REGEDIT" != "$TLSWARD" ]; then
		diff <(echo "$REGEDIT") <(echo "$TLSWARD") || true
		fail "$f: regedit's import and tlsward's apply --out differ"
	fi
	log "$f: $(wc -l <<<"$REGEDIT") keys and values, identical"
done <<'LIST'
unicode-case.reg:0
regedit4-ansi.reg:0
syntax.reg:5
header-with-text.reg:1
utf8-bom.reg:1
LIST

log "sanity: what regedit built from unicode-case.reg"
REGEDIT=$(import_dump unicode-case.reg)
# One key for Jürgen/JÜRGEN (\Jürgen: 005c 004a 00fc ...), Œuvre deleted
# through œUVRE, ÿves through Ÿves, and seven values under Values.
assert_eq 1 "$(grep -c '^K 005c004a00fc' <<<"$REGEDIT" || true)" \
	"keys spelled Jürgen in any case"
assert_eq 0 "$(grep -c '^K 005c0152' <<<"$REGEDIT" || true)" "key Œuvre"
assert_eq 7 "$(grep -c '^V 005c00560061006c007500650073 ' <<<"$REGEDIT" || true)" \
	"values under Values"
assert_match '^V 005c00560061006c007500650073 0065007800700061006e0064 2 2500500041005400480025000000$' \
	"$REGEDIT" "hex(2) data terminated"

log "fail-closed.reg: tlsward counts less than regedit imports, never more"
both_dumps fail-closed.reg
assert_eq 5 "$WARNINGS" "warnings of tlsward on fail-closed.reg: $OUT"
extra=$(LC_ALL=C comm -13 <(echo "$REGEDIT") <(echo "$TLSWARD"))
assert_eq '' "$extra" "lines in tlsward's tree that regedit's lacks"
missing=$(LC_ALL=C comm -23 <(echo "$REGEDIT") <(echo "$TLSWARD") | wc -l)
assert_ge 5 "$missing" "keys and values regedit imports and tlsward does not count"
pass
