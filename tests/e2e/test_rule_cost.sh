#!/usr/bin/env bash
# The per-rule kernel counters a user sees: 1,000 generated rules plus three about this test's
# files, one found through the index (fd.name =) and one no index selects (endswith), and one
# whose index must be its process names rather than fd.typechar = f (never evaluated). sakerd's
# stats file must say how often each was evaluated as a candidate, how often it matched, and
# what its sampled evaluations cost; rules about files nobody opens are never evaluated; the exit
# lines name the costliest rules.
. "$(dirname "$0")/lib.sh"
need_root

target="$E2E_TMP/cost-target"
: > "$target"
"$SAKER_SOURCE_DIR/bench/genrules.sh" 1000 > "$E2E_TMP/rules.yaml"
cat >> "$E2E_TMP/rules.yaml" <<YAML
- rule: Cost indexed
  desc: found through the fd.name index
  condition: evt.type in (open, openat) and fd.name = $target
  output: "indexed %fd.name"
  priority: WARNING
- rule: Cost scanned
  desc: no index selects it, so every open evaluates it
  condition: evt.type in (open, openat) and fd.name endswith /cost-target-none
  output: "scanned %fd.name"
  priority: WARNING
- rule: Cost few-valued
  desc: fd.typechar = f holds for most opens; the index must be the process names instead
  condition: evt.type in (open, openat) and fd.typechar = f and proc.name in (skx-none-a, skx-none-b) and fd.name startswith /etc/
  output: "few-valued %fd.name"
  priority: WARNING
YAML
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/r.saker"
start_sakerd --json --stats-file "$E2E_TMP/stats.json" "$E2E_TMP/r.saker"
for i in $(seq 40); do
	"$OPENER" read "$target" > /dev/null || fail "open $i failed"
done
wait_lines "$SAKERD_OUT" 40
sleep 0.5
stop_sakerd
jq -e '.rules[] | select(.rule == "Cost indexed") | .kernel_matched == 40 and .kernel_evals == 40
	and .kernel_cost_samples >= 2 and .kernel_cost_ns > 0' "$E2E_TMP/stats.json" > /dev/null ||
	fail "wrong counters for the indexed rule: $(jq -c '.rules[] | select(.rule == "Cost indexed")' "$E2E_TMP/stats.json")"
# every open on the machine evaluates the scanned rule: at least ours, never a match
jq -e '.rules[] | select(.rule == "Cost scanned") | .kernel_matched == 0 and .kernel_evals >= 40
	and .kernel_cost_samples >= 2' "$E2E_TMP/stats.json" > /dev/null ||
	fail "wrong counters for the scanned rule: $(jq -c '.rules[] | select(.rule == "Cost scanned")' "$E2E_TMP/stats.json")"
# indexed by proc.name, not by fd.typechar: no process of those names, no evaluation
jq -e '.rules[] | select(.rule == "Cost few-valued") | .kernel_evals == 0' "$E2E_TMP/stats.json" > /dev/null ||
	fail "the rule on fd.typechar and proc.name was evaluated: $(jq -c '.rules[] | select(.rule == "Cost few-valued")' "$E2E_TMP/stats.json")"
# the generated rules are about /srv/saker-scale, which nobody opens
n=$(jq '[.rules[] | select(.rule | startswith("scale rule")) | select(.kernel_evals > 0)] | length' "$E2E_TMP/stats.json")
expect_eq "generated rules evaluated" "$n" 0
grep -Eq "^sakerd: kernel cost: rule '(Cost indexed|Cost scanned)': evaluated [0-9]+, matched [0-9]+, [0-9]+ ns per evaluation" "$SAKERD_ERR" ||
	fail "no kernel cost line at exit: $(cat "$SAKERD_ERR")"
echo "PASS ($E2E_NAME): $(grep 'kernel cost' "$SAKERD_ERR" | head -2 | tr '\n' ' ')"
