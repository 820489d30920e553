#!/usr/bin/env bash
# Prints N generated rules on the open family, of mixed kinds (fd.name =, startswith, in lists,
# proc.name =, open flags), none of them about files outside /srv/saker-scale: what bench/scale
# compiles and loads. The same N gives the same rules.
#   usage: bench/genrules.sh N
set -eu
n=${1:?usage: genrules.sh N}
awk -v n="$n" 'BEGIN {
	print "- macro: scale_open"
	print "  condition: evt.type in (open, openat, openat2, creat)"
	for (i = 0; i < n; i++) {
		k = i % 6
		d = sprintf("/srv/saker-scale/g%d", i % 97)
		if (k == 0)
			c = sprintf("scale_open and fd.name = %s/f%d.conf", d, i)
		else if (k == 1)
			c = sprintf("scale_open and fd.name startswith %s/dir%d/", d, i)
		else if (k == 2)
			c = sprintf("scale_open and fd.name in (%s/a%d, %s/b%d, %s/c%d, %s/d%d, %s/e%d)", d, i, d, i, d, i, d, i, d, i)
		else if (k == 3)
			c = sprintf("evt.type = openat and proc.name = scale%d and fd.name startswith /srv/", i)
		else if (k == 4)
			c = sprintf("scale_open and evt.is_open_write = true and fd.name = %s/w%d", d, i)
		else
			c = sprintf("scale_open and evt.arg.flags contains O_TRUNC and fd.name startswith %s/t%d", d, i)
		printf "- rule: scale rule %d\n  desc: generated\n  condition: %s\n", i, c
		printf "  output: \"scale %d %%fd.name %%proc.name\"\n  priority: WARNING\n", i
	}
}'
