#!/bin/sh
# Turns a program's --help text into a man page, so that the page and --help are one text.
# Usage: help2man.sh OUT NAME SECTION "SUMMARY" COMMAND-LINE...   (each COMMAND-LINE is run
# through sh and its --help output becomes one part of the page, in order)
set -eu
out=$1 name=$2 section=$3 summary=$4
shift 4
{
	printf '.TH %s %s "" "saker" "saker"\n' "$(echo "$name" | tr a-z A-Z)" "$section"
	printf '.SH NAME\n%s \\- %s\n' "$name" "$summary"
	for cmd in "$@"; do
		sh -c "$cmd"
		printf '\001\n'
	done | awk '
	function esc(s) { gsub(/\\/, "\\e", s); gsub(/-/, "\\-", s); sub(/^[.\047]/, "\\\\\\&&", s); return s }
	BEGIN { part = 1; seen = 0 }
	/^\001$/ { part++; seen = 0; next }
	/^usage: / {
		u = substr($0, 8)
		if (seen) { print ".br\n.B " esc(u); next }
		if (part == 1) {
			print ".SH SYNOPSIS\n.B " esc(u) "\n.SH DESCRIPTION"
		} else {
			split(u, w, " ")
			print ".SH \"" toupper(esc(w[1] " " w[2])) "\"\n.B " esc(u) "\n.PP"
		}
		seen = 1; next
	}
	/^[a-zA-Z][a-zA-Z ]*:$/ { print ".SS " esc(substr($0, 1, length($0) - 1)); next }
	/^$/ { print ".PP"; opt = 0; next }
	/^  [-a-zA-Z]/ {
		line = substr($0, 3)
		# the option and its description are split by two or more spaces
		if (match(line, /  +/)) {
			print ".TP\n.B " esc(substr(line, 1, RSTART - 1)) "\n" esc(substr(line, RSTART + RLENGTH))
		} else {
			print ".TP\n.B " esc(line)
		}
		opt = 1; next
	}
	/^   +/ { s = $0; sub(/^ +/, "", s); print esc(s); next }
	{ print esc($0) }
	'
} > "$out"
