#!/usr/bin/env bash
# The descriptor race cannot hide or rename an open: one thread opens the watched file for
# writing 20,000 times while another keeps dup2()ing /dev/null onto the descriptor number the
# opens get and closing it. Every successful open must alert: by its name, or, when the
# descriptor was replaced or closed before the exit hook read it, with the cut name
# "<cut>/<raced>" (the rule "may match"); never named /dev/null, never missing. Prints how many
# opens the race reached.
. "$(dirname "$0")/lib.sh"
need_root

RACE="$E2E_TMP/saker_race"
gcc -O1 -Wall -Wextra -Werror -pthread -o "$RACE" "$SAKER_SOURCE_DIR/tests/e2e/saker_race.c" \
	2> "$E2E_TMP/gcc.err" || fail "cannot build saker_race: $(head -n 3 "$E2E_TMP/gcc.err")"
W="$E2E_TMP/etc/shadow"
mkdir -p "$(dirname "$W")"
printf 'root:*:19000:0:99999:7:::\n' > "$W"
cat > "$E2E_TMP/rules.yaml" <<YAML
- rule: Write to the watched file
  desc: the stand-in for /etc/shadow opened for writing
  condition: >
    evt.type in (open, openat, openat2, creat) and evt.is_open_write = true and fd.name = $W
  output: file=%fd.name vpid=%proc.vpid
  priority: WARNING
YAML
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/race.saker"
# 20,000 matching opens in a burst: room for all of them even when sakerd is slow (the
# sanitizer build), so that a loss is the kernel's doing, not the consumer's
start_sakerd --json --ring-buffer-size 128M --stats-file "$E2E_TMP/stats.json" "$E2E_TMP/race.saker"
N=20000
out=$("$RACE" "$N" "$W") || fail "saker_race failed"
p=$(sed -n 1p <<< "$out")
ok=$(sed -n 2p <<< "$out")
[ "$ok" -gt 0 ] || fail "no open succeeded"
mine() { jq -r --arg p "$p" 'select(.output_fields["proc.vpid"] == ($p | tonumber)) | .output_fields["fd.name"]' "$SAKERD_OUT"; }
for i in $(seq 300); do
	[ "$(mine | wc -l)" -ge "$ok" ] && break
	sleep 0.1
done
stop_sakerd TERM
expect_eq "records lost" "$(jq -r .lost "$E2E_TMP/stats.json")" 0
named=$(mine | grep -cxF "$W" || true)
raced=$(mine | grep -cxF "<cut>/<raced>" || true)
other=$(mine | grep -vxF -e "$W" -e "<cut>/<raced>" | sort | uniq -c | head -n 3)
[ -z "$other" ] || fail "alerts with another name: $other"
expect_eq "alerts (every successful open)" "$((named + raced))" "$ok"
echo "PASS ($E2E_NAME): $ok opens succeeded of $N, $named alerted by name, $raced marked <cut>/<raced> (the race reached them), none hidden or renamed"
