#!/usr/bin/env bash
# Reload without a gap: while a process opens a sequence of files without pause, sakerd is sent
# 20 SIGHUPs; each reload loads the bundle again and swaps it in. Every open must give exactly
# one alert: none missing across a switch, none doubled. Then a bad bundle is refused and the
# running one keeps alerting, and the digest of the bundle in force is logged.
. "$(dirname "$0")/lib.sh"
need_root

mkdir "$E2E_TMP/seq"
cat > "$E2E_TMP/rules.yaml" <<YAML
- rule: Open in the sequence dir
  desc: every open of the test's numbered files
  condition: evt.type in (open, openat, openat2, creat) and fd.directory = $E2E_TMP/seq
  output: open of %fd.name
  priority: NOTICE
YAML
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/seq.saker"
start_sakerd --json --stats-file "$E2E_TMP/stats.json" "$E2E_TMP/seq.saker"
digest=$(tail -c 32 "$E2E_TMP/seq.saker" | od -An -tx1 | tr -d ' \n')
grep -q "loaded, digest $digest" "$SAKERD_ERR" || fail "the digest $digest was not logged"

# The opener runs until the 20 reloads are done (at most 1,000,000 opens, 500 us apart), then
# is stopped; the files it created say how many opens happened (a signal is taken on the way
# back to user space: an open that created its file completed, and its event was made).
"$OPENER" seq 1000000 "$E2E_TMP/seq/f" 500 > /dev/null &
opener=$!
for r in $(seq 20); do
	kill -HUP "$SAKERD_PID"
	for i in $(seq 200); do
		[ "$(grep -c 'reloaded, digest' "$SAKERD_ERR")" -ge "$r" ] && break
		sleep 0.05
	done
	[ "$(grep -c 'reloaded, digest' "$SAKERD_ERR")" -ge "$r" ] || fail "reload $r did not happen"
	kill -0 $opener 2>/dev/null || fail "the opener ended before reload $r"
done
kill -TERM $opener
wait $opener
N=$(find "$E2E_TMP/seq" -name 'f.*' | wc -l)
[ "$N" -gt 0 ] || fail "no open happened"
[ -e "$E2E_TMP/seq/f.$((N - 1))" ] || fail "the opener's files are not f.0 .. f.$((N - 1))"
sleep 0.5
stop_sakerd TERM

jq -r 'select(.rule == "Open in the sequence dir") | .output_fields."fd.name"' "$SAKERD_OUT" |
	sed 's/.*\.//' | sort -n > "$E2E_TMP/seen"
lost=$(jq -r .lost "$E2E_TMP/stats.json")
expect_eq "kernel losses" "$lost" 0
expect_eq "reloads" "$(jq -r .reloads "$E2E_TMP/stats.json")" 20
doubled=$(uniq -d "$E2E_TMP/seen" | head -n 5 | tr '\n' ' ')
[ -z "$doubled" ] || fail "alerted twice: $doubled"
seq 0 $((N - 1)) > "$E2E_TMP/want"
missing=$(comm -23 "$E2E_TMP/want" "$E2E_TMP/seen" | head -n 5 | tr '\n' ' ')
[ -z "$missing" ] || fail "missing: $missing"
expect_eq "alerts" "$(wc -l < "$E2E_TMP/seen")" $N
# the rule's kernel counters survive the reloads: every open counted once, across 21 objects
expect_eq "the rule's kernel matches" "$(jq -r '.rules[0].kernel_matched' "$E2E_TMP/stats.json")" $N
expect_eq "the rule's records sent" "$(jq -r '.rules[0].kernel_emitted' "$E2E_TMP/stats.json")" $N

# A bad bundle at the same path: refused, and the old one keeps running.
start_sakerd --json "$E2E_TMP/seq.saker"
cp "$E2E_TMP/seq.saker" "$E2E_TMP/good.saker"
head -c 100 "$E2E_TMP/good.saker" > "$E2E_TMP/seq.saker"
kill -HUP "$SAKERD_PID"
for i in $(seq 100); do grep -q 'reload refused' "$SAKERD_ERR" && break; sleep 0.1; done
grep -q "reload refused, the running bundles stay: $E2E_TMP/seq.saker: truncated" "$SAKERD_ERR" ||
	fail "the bad bundle was not refused with its reason"
: > "$E2E_TMP/after"; mv "$E2E_TMP/after" "$E2E_TMP/seq/after"
"$OPENER" write "$E2E_TMP/seq/after" > /dev/null || fail "open failed"
wait_lines "$SAKERD_OUT" 1
expect_eq "alert after a refused reload" "$(jq -r '.output_fields."fd.name"' "$SAKERD_OUT")" "$E2E_TMP/seq/after"
stop_sakerd TERM
echo "PASS ($E2E_NAME): $N opens across 20 reloads, each alerted once; a bad bundle refused"
