#!/bin/sh
# Ensures the pinned PowerShell grammar sources are in tests/powershell/
# node_modules: the tree-sitter C runtime (npm package tree-sitter) and the
# PowerShell grammar's generated C parser (tree-sitter-powershell), at the
# exact versions and integrity hashes of package-lock.json.
#
# Usage: tests/powershell/fetch.sh
#
# `npm ci --ignore-scripts` downloads and verifies the packages and runs
# none of their install scripts: nothing is built by npm, the C sources are
# compiled by Meson. A tree already installed from the same lockfile is kept.
set -eu

cd "$(dirname "$0")"
stamp=node_modules/.tlsward-lock.sha256

die() {
	echo "tests/powershell/fetch.sh: $*" >&2
	exit 1
}

want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
	[ -f node_modules/tree-sitter-powershell/src/parser.c ] &&
	[ -f node_modules/tree-sitter/vendor/tree-sitter/lib/src/lib.c ]; then
	exit 0
fi
command -v npm >/dev/null 2>&1 ||
	die "npm not found: install nodejs and npm (tests/run.sh does)"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2 ||
	die "npm ci failed"
for f in tree-sitter-powershell/src/parser.c \
	tree-sitter-powershell/src/scanner.c \
	tree-sitter/vendor/tree-sitter/lib/src/lib.c; do
	[ -f "node_modules/$f" ] || die "node_modules/$f is missing after npm ci"
done
echo "$want" >"$stamp"
