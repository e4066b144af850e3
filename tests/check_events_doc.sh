#!/usr/bin/env bash
# Keeps docs/events.md (the SOC's contract) and service/win/messages.mc in step.
#
# Usage: tests/check_events_doc.sh MESSAGES_MC EVENTS_MD [EVENTLOG_C]
#
# Fails (exit 1, one line per difference) when an id is in one file and not
# the other, when an id's SymbolicName or Severity differs between the
# messages.mc entry and the row of the doc's "Event table", when a row's
# Level does not go with its Severity, or when the doc's "### ID" section
# does not list exactly the insertion strings %1..%n the message text uses.
# With EVENTLOG_C (service/win/eventlog_win.c), the JSON mirror's event names
# there ({..., TLSR_MSG_X, "name", ...}) must match the doc's Event column,
# and each row's count of insertion strings the message text's %n.
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "usage: $0 MESSAGES_MC EVENTS_MD [EVENTLOG_C]" >&2
	exit 2
fi
mc=$1
doc=$2
code=${3:-}
for f in "$mc" "$doc" ${code:+"$code"}; do
	[ -r "$f" ] || {
		echo "check_events_doc: cannot read $f" >&2
		exit 2
	}
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# messages.mc: "id severity symbol nstrings", one line per message. The
# message text runs from Language= to a line holding only ".".
tr -d '\r' <"$mc" | awk '
	function flush() {
		if (id != "")
			print id, sev, sym, max
		id = ""; sev = "-"; sym = "-"; max = 0
	}
	BEGIN { id = ""; intext = 0 }
	intext && /^\.$/ { intext = 0; next }
	intext {
		line = $0
		while (match(line, /%[0-9]+/)) {
			n = substr(line, RSTART + 1, RLENGTH - 1) + 0
			if (n > max) max = n
			line = substr(line, RSTART + RLENGTH)
		}
		next
	}
	/^[ \t]*;/ { next }
	/^MessageId[ \t]*=/ { flush(); v = $0; sub(/^[^=]*=[ \t]*/, "", v);
		sub(/[ \t]*$/, "", v); id = v + 0; next }
	/^Severity[ \t]*=/ { v = $0; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]*$/, "", v); sev = v; next }
	/^SymbolicName[ \t]*=/ { v = $0; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]*$/, "", v); sym = v; next }
	/^Language[ \t]*=/ { if (id != "") intext = 1; next }
	END { flush() }
' | sort -n >"$tmp/mc"

# docs: the rows of the "## Event table" section: "id level severity symbol".
tr -d '\r' <"$doc" | awk -F'|' '
	/^## / { intable = ($0 ~ /^## Event table/) ; next }
	intable && /^\|[ \t]*[0-9]+[ \t]*\|/ {
		for (i = 2; i <= 6; i++) { gsub(/^[ \t`]+|[ \t`]+$/, "", $i) }
		print $2 + 0, $3, $4, $5, $6
	}
' | sort -n >"$tmp/doc"

# docs: the insertion strings each "### ID ..." section lists, as
# "id n1 n2 ..." (every %n named in a list item, sorted, unique).
tr -d '\r' <"$doc" | awk '
	function flush() { if (id != "") { printf "%s", id; for (n in seen) printf " %d", n; print "" } ; delete seen }
	/^### [0-9]+/ { flush(); id = $2 + 0; next }
	/^#/ { flush(); id = ""; next }
	id != "" && /^- / {
		line = $0
		# A range "`%1` ... `%8`" names every string in between.
		if (match(line, /%[0-9]+`? *\.\.\. *`?%[0-9]+/)) {
			r = substr(line, RSTART, RLENGTH)
			split(r, b, /[^0-9]+/)
			lo = b[2] + 0; hi = b[length(b)] + 0
			for (n = lo; n <= hi; n++) seen[n] = 1
		}
		while (match(line, /%[0-9]+/)) {
			seen[substr(line, RSTART + 1, RLENGTH - 1) + 0] = 1
			line = substr(line, RSTART + RLENGTH)
		}
	}
	END { flush() }
' >"$tmp/strings"

status=0
problem()
{
	echo "events doc: $*"
	status=1
}

[ -s "$tmp/mc" ] || problem "no MessageId found in $mc"
[ -s "$tmp/doc" ] || problem "no rows found under '## Event table' in $doc"

while read -r id sev sym max; do
	row=$(awk -v id="$id" '$1 == id' "$tmp/doc")
	if [ -z "$row" ]; then
		problem "id $id ($sym) is in $mc but not in the table of $doc"
		continue
	fi
	if [ "$(printf '%s\n' "$row" | wc -l)" -gt 1 ]; then
		problem "id $id has more than one row in $doc"
	fi
	read -r _ dlevel dsev dsym dname <<<"$(printf '%s\n' "$row" | head -n 1)"
	[ "$dsym" = "$sym" ] ||
		problem "id $id: SymbolicName is $sym in $mc but $dsym in $doc"
	[ "$dsev" = "$sev" ] ||
		problem "id $id: Severity is $sev in $mc but $dsev in $doc"
	case $sev in
	Success | Informational) want=Information ;;
	Warning) want=Warning ;;
	Error) want=Error ;;
	*) want="?" ;;
	esac
	[ "$dlevel" = "$want" ] ||
		problem "id $id: Level $dlevel in $doc does not go with Severity $sev (expected $want)"
	listed=$(awk -v id="$id" '$1 == id { $1 = ""; sub(/^ /, ""); print }' "$tmp/strings" |
		tr ' ' '\n' | grep . | sort -n | tr '\n' ' ' | sed 's/ $//' || true)
	expected=$(seq 1 "$max" | tr '\n' ' ' | sed 's/ $//')
	if ! grep -q "^$id\( \|$\)" "$tmp/strings"; then
		problem "id $id: no '### $id' section describing its insertion strings in $doc"
	elif [ "$listed" != "$expected" ]; then
		problem "id $id: the message text uses %1..%$max but $doc describes '${listed:-none}'"
	fi
	if [ -n "$code" ]; then
		cname=$(tr '\n\t' '  ' <"$code" |
			grep -oE "$sym,[[:space:]]*\"[a-z_]+\"" | head -n 1 |
			sed -E 's/.*"([a-z_]+)"/\1/' || true)
		[ "$cname" = "$dname" ] ||
			problem "id $id: the JSON event name is '${cname:-missing}' in $code but '$dname' in $doc"
		# The row's string count ({..., TYPE, N, {fields}}) is what
		# ReportEventW passes: it must be the %n the text uses.
		cn=$(tr '\n\t' '  ' <"$code" |
			grep -oE "$sym,[[:space:]]*\"[a-z_]+\",[[:space:]]*[A-Z_]+,[[:space:]]*[0-9]+" |
			head -n 1 | grep -oE '[0-9]+$' || true)
		[ "$cn" = "$max" ] ||
			problem "id $id: $code passes ${cn:-no} insertion strings but the message text uses %1..%$max"
	fi
done <"$tmp/mc"

while read -r id _ _ sym _; do
	awk -v id="$id" '$1 == id { found = 1 } END { exit !found }' "$tmp/mc" ||
		problem "id $id ($sym) is in the table of $doc but not in $mc"
done <"$tmp/doc"

n=$(wc -l <"$tmp/mc")
if [ "$status" -eq 0 ]; then
	echo "events doc: $n events agree between $(basename "$mc") and $(basename "$doc")"
fi
exit "$status"
