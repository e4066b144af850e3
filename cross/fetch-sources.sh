#!/bin/sh
# Ensures the third-party source tarballs of the Windows build are in DIR,
# checked against pinned SHA-256 hashes.
#
# Usage: cross/fetch-sources.sh DIR
#
# A tarball already in DIR with the right hash is kept. Otherwise it is
# fetched with `apt-get source --download-only` from Debian's source
# packages. The system's apt configuration is only read: its "deb" entries
# become "deb-src" entries in a private temporary configuration, so no
# mirror is named here and nothing under /etc or /var is changed.
set -eu

die() {
	echo "fetch-sources: $*" >&2
	exit 1
}

[ $# -eq 1 ] || die "usage: $0 DIR"
dir=$1
mkdir -p "$dir" || die "cannot create $dir"

# package, tarball, sha256
PINS='libyaml libyaml_0.2.5.orig.tar.gz fa240dbf262be053f3898006d502d514936c818e422afdcf33921c63bed9bf2e
check check_0.15.2.orig.tar.gz 8451b68ac5d6f3157b24f22eceff575bcf566264f6d78f3852f89d4e08cf42e1'

hash_of() {
	sha256sum "$1" | cut -d' ' -f1
}

has_good() {
	[ -f "$1" ] && [ "$(hash_of "$1")" = "$2" ]
}

missing=
while read -r pkg file sum; do
	has_good "$dir/$file" "$sum" || missing="$missing $pkg"
done <<EOT
$PINS
EOT
[ -n "$missing" ] || exit 0

command -v apt-get >/dev/null 2>&1 ||
	die "apt-get not found: put$missing source tarballs in $dir by hand"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tlsward-src.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/parts" \
	"$tmp/get"

# deb822 files: every stanza that has "deb" among its Types gets deb-src.
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	sed -E 's/^(Types:).*$/\1 deb-src/' "$f" \
		>"$tmp/parts/$(basename "$f")"
	# Stanzas that listed only deb-src already stay as they were.
done
# one-line format.
: >"$tmp/sources.list"
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
	[ -f "$f" ] || continue
	sed -n -E 's/^[[:space:]]*deb([[:space:]])/deb-src\1/p' "$f" \
		>>"$tmp/sources.list"
done
if [ ! -s "$tmp/sources.list" ] && [ -z "$(ls "$tmp/parts")" ]; then
	die "no apt sources found under /etc/apt to derive deb-src entries from"
fi

set -- -q \
	-o "Dir::Etc::SourceList=$tmp/sources.list" \
	-o "Dir::Etc::SourceParts=$tmp/parts" \
	-o "Dir::State::Lists=$tmp/lists" \
	-o "Dir::Cache=$tmp/cache" \
	-o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
# As root apt would switch to the _apt user, who cannot write to our
# private directory.
[ "$(id -u)" -ne 0 ] || set -- "$@" -o APT::Sandbox::User=root

apt-get "$@" update >"$tmp/update.log" 2>&1 || {
	cat "$tmp/update.log" >&2
	die "apt-get update with deb-src entries failed"
}

while read -r pkg file sum; do
	case " $missing " in *" $pkg "*) ;; *) continue ;; esac
	(cd "$tmp/get" && apt-get "$@" source --download-only "$pkg") \
		>"$tmp/source.log" 2>&1 || {
		cat "$tmp/source.log" >&2
		die "apt-get source --download-only $pkg failed"
	}
	[ -f "$tmp/get/$file" ] ||
		die "Debian's $pkg source package has no $file (other version?)"
	got=$(hash_of "$tmp/get/$file")
	[ "$got" = "$sum" ] ||
		die "$file: sha256 $got, expected $sum"
	cp "$tmp/get/$file" "$dir/$file.part"
	mv "$dir/$file.part" "$dir/$file"
	echo "fetch-sources: $file verified"
done <<EOT
$PINS
EOT
