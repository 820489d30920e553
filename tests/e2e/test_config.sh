#!/usr/bin/env bash
# The configuration file at work: --validate-config (exit 0, or 1 with located errors), rules
# turned off by tag and by name and by minimum priority without recompiling, Falco's JSON
# options, a per-rule rate limit with its "suppressed N alerts" record, and command-line options
# overriding the file.
. "$(dirname "$0")/lib.sh"

# Validation needs no root.
cat > "$E2E_TMP/bad.yaml" <<'YAML'
json_output: true
stdout_outptu:
  enabled: false
YAML
out=$("$SAKERD" --validate-config "$E2E_TMP/bad.yaml" 2>&1)
expect_eq "exit status for a bad configuration" "$?" 1
expect_eq "diagnostics" "$out" "$E2E_TMP/bad.yaml:2:1: error: unknown key 'stdout_outptu'
    2 | stdout_outptu:
      | ^~~~~~~~~~~~~
$E2E_TMP/bad.yaml:2:1: note: did you mean 'stdout_output'?
    2 | stdout_outptu:
      | ^~~~~~~~~~~~~"
"$SAKERD" -c "$E2E_TMP/bad.yaml" x.saker > /dev/null 2>&1
expect_eq "sakerd -c with a bad configuration" "$?" 1
"$SAKERD" --validate-config "$E2E_TMP/missing.yaml" > /dev/null 2>&1
expect_eq "--validate-config of a missing file" "$?" 2
# Not a file one can read as a configuration: refused at once, never waited on.
mkfifo "$E2E_TMP/fifo.yaml"
for f in /dev/zero "$E2E_TMP/fifo.yaml"; do
	out=$(timeout 10 "$SAKERD" --validate-config "$f" 2>&1)
	expect_eq "--validate-config $f" "$?" 2
	expect_eq "message for $f" "$out" "saker: error: $f: not a regular file"
done
"$SAKERD" --validate-config "$SAKER_BINARY_DIR/runtime/sakerd.yaml" > /dev/null ||
	fail "the default configuration does not validate"

need_root
cat > "$E2E_TMP/rules.yaml" <<YAML
- rule: Loud
  desc: opens of the loud file
  condition: evt.type in (open, openat, openat2, creat) and fd.name = $E2E_TMP/loud and fd.name_cut = false
  output: loud open by %proc.name
  priority: WARNING
  tags: [noisy]
- rule: Quiet
  desc: opens of the quiet file
  condition: evt.type in (open, openat, openat2, creat) and fd.name = $E2E_TMP/quiet and fd.name_cut = false
  output: quiet open by %proc.name
  priority: INFO
- rule: Named
  desc: opens of the named file
  condition: evt.type in (open, openat, openat2, creat) and fd.name = $E2E_TMP/named and fd.name_cut = false
  output: named open by %proc.name
  priority: ERROR
- rule: Limited
  desc: opens of the limited file
  condition: evt.type in (open, openat, openat2, creat) and fd.name = $E2E_TMP/limited and fd.name_cut = false
  output: limited open by %proc.name
  priority: ERROR
YAML
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/rules.saker"
touch "$E2E_TMP/loud" "$E2E_TMP/quiet" "$E2E_TMP/named" "$E2E_TMP/limited"
cat > "$E2E_TMP/sakerd.yaml" <<YAML
bundles: [$E2E_TMP/rules.saker]
priority: notice
json_output: true
json_include_output_property: false
json_include_tags_property: false
json_include_message_property: true
rules:
  - disable: {tag: noisy}
rate_limit: {rate: 0.001, max_burst: 2}
stdout_output: {enabled: true}
YAML
"$SAKERD" --validate-config "$E2E_TMP/sakerd.yaml" | grep -q 'the configuration is valid' || fail "validate"
start_sakerd -c "$E2E_TMP/sakerd.yaml" --disable-rule 'Nam*'
grep -q "4 rules (1 enabled)" "$SAKERD_ERR" || fail "expected 1 rule of 4 enabled: $(cat "$SAKERD_ERR")"
for f in loud quiet named limited limited limited limited; do "$OPENER" write "$E2E_TMP/$f" > /dev/null; done
wait_lines "$SAKERD_OUT" 2
sleep 0.5
expect_eq "rules that alerted" "$(jq -r .rule "$SAKERD_OUT" | sort | uniq -c | tr -s ' ')" " 2 Limited"
line=$(head -n 1 "$SAKERD_OUT")
expect_eq "JSON keys" "$(jq -c keys <<< "$line")" '["hostname","message","output_fields","priority","rule","source","time"]'
expect_eq "message" "$(jq -r .message <<< "$line")" "limited open by saker_opener"
# The bucket is empty; it holds back 2 more, and says so when an alert goes out again. With a
# rate of one per 1000 s that is never within this test, so SIGUSR1 shows the count instead.
kill -USR1 "$SAKERD_PID"
sleep 0.3
stop_sakerd TERM
grep -q 'suppressed by the rate limit 2' "$SAKERD_ERR" || fail "suppressed count: $(cat "$SAKERD_ERR")"

# The suppressed record itself: a faster bucket refills within the test. How many alerts pass
# depends on how fast the opens come (the machine may be loaded), so the test checks the sums:
# every open is an alert or suppressed, and a record reports what was held back.
cat > "$E2E_TMP/fast.yaml" <<YAML
json_output: true
rate_limit: {rate: 1, max_burst: 1}
stats_file: $E2E_TMP/fast-stats.json
YAML
start_sakerd -c "$E2E_TMP/fast.yaml" "$E2E_TMP/rules.saker"
for i in 1 2 3 4; do "$OPENER" write "$E2E_TMP/limited" > /dev/null; done
sleep 1.5
"$OPENER" write "$E2E_TMP/limited" > /dev/null
for i in $(seq 100); do grep -q '"saker internal: rate limit"' "$SAKERD_OUT" && break; sleep 0.1; done
stop_sakerd TERM
alerts=$(jq -c 'select(.rule == "Limited")' "$SAKERD_OUT" | wc -l)
suppressed=$(jq -r .suppressed "$E2E_TMP/fast-stats.json")
expect_eq "alerts + suppressed" "$((alerts + suppressed))" 5
[ "$suppressed" -ge 1 ] || fail "nothing was suppressed"
rec=$(jq -c 'select(.rule == "saker internal: rate limit")' "$SAKERD_OUT" | head -n 1)
[ -n "$rec" ] || fail "no suppressed record: $(cat "$SAKERD_OUT")"
expect_eq "suppressed rule" "$(jq -r '.output_fields.rule' <<< "$rec")" "Limited"
reported=$(jq -s '[.[] | select(.rule == "saker internal: rate limit") | .output_fields.suppressed] | add' "$SAKERD_OUT")
expect_eq "suppressed reported by records" "$reported" "$suppressed"
echo "PASS ($E2E_NAME)"
