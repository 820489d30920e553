#!/usr/bin/env bash
# Metrics scraped over HTTP while sakerd runs: alerts per rule, events seen and received, drops
# by cause, output queues, program run counts, the bundle's digest; /healthz and --health say
# healthy once events flow; a slow client does not block the server; and sakerd runs as an
# unprivileged user (--user) with only CAP_BPF and CAP_PERFMON left, alerts still flow, and a
# reload still works.
. "$(dirname "$0")/lib.sh"
need_root
command -v curl > /dev/null || fail "curl is needed to scrape the metrics"

TARGET="$E2E_TMP/target"
write_target_rules "$E2E_TMP/rules.yaml" "$TARGET"
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/target.saker"
digest=$(tail -c 32 "$E2E_TMP/target.saker" | od -An -tx1 | tr -d ' \n')
# nobody reads the bundle again on reload
chmod o+x "$E2E_TMP"
chmod o+r "$E2E_TMP/target.saker"

# A free port: try a few, sakerd refuses to start on one in use.
for try in $(seq 10); do
	port=$((20000 + RANDOM % 40000))
	addr=127.0.0.1:$port
	"$SAKERD" --json --metrics-addr "$addr" --user nobody "$E2E_TMP/target.saker" > "$E2E_TMP/alerts.out" 2> "$E2E_TMP/sakerd.err" &
	SAKERD_PID=$! SAKERD_ERR="$E2E_TMP/sakerd.err" SAKERD_OUT="$E2E_TMP/alerts.out"
	for i in $(seq 600); do
		grep -q '^sakerd: ready$' "$SAKERD_ERR" && break
		kill -0 "$SAKERD_PID" 2>/dev/null || break
		sleep 0.1
	done
	grep -q '^sakerd: ready$' "$SAKERD_ERR" && break
	wait "$SAKERD_PID" 2>/dev/null
	SAKERD_PID=
	grep -q 'cannot listen' "$SAKERD_ERR" || fail "sakerd did not start: $(cat "$SAKERD_ERR")"
done
[ -n "$SAKERD_PID" ] || fail "no free port found"

# The process now belongs to nobody and holds CAP_BPF (39) and CAP_PERFMON (38) only.
uid=$(awk '/^Uid:/ {print $2}' /proc/$SAKERD_PID/status)
expect_eq "uid after --user nobody" "$uid" "$(id -u nobody)"
capeff=$(awk '/^CapEff:/ {print $2}' /proc/$SAKERD_PID/status)
expect_eq "effective capabilities" "$capeff" "000000c000000000"
capbnd=$(awk '/^CapBnd:/ {print $2}' /proc/$SAKERD_PID/status)
expect_eq "bounding set" "$capbnd" "000000c000000000"

"$OPENER" write "$TARGET" > /dev/null || fail "write open failed"
wait_lines "$SAKERD_OUT" 1
expect_eq "alert as nobody" "$(jq -r .rule "$SAKERD_OUT")" "Write to target"

# A client that connects and sends nothing must not stop the scrape.
exec 3<>/dev/tcp/127.0.0.1/$port
m=$(curl -sf --max-time 10 "http://$addr/metrics") || fail "scrape failed"
exec 3>&-
metric() { # NAME{LABELS} -> value
	printf '%s\n' "$m" | awk -v k="$1 " 'index($0, k) == 1 {print $NF}'
}
expect_eq "alerts of the rule" "$(metric "saker_alerts_total{bundle=\"$E2E_TMP/target.saker\",rule=\"Write to target\",priority=\"Critical\",enabled=\"true\"}")" 1
expect_eq "bundle digest" "$(metric "saker_bundle_info{bundle=\"$E2E_TMP/target.saker\",digest=\"$digest\"}")" 1
expect_eq "events received" "$(metric saker_events_received_total)" 1
# the load time, in the metrics and the log: the same figure, above 0
load=$(metric "saker_bundle_load_seconds{bundle=\"$E2E_TMP/target.saker\"}")
awk -v t="$load" 'BEGIN { exit !(t > 0) }' || fail "bundle load seconds: '$load'"
logged=$(sed -n "s/.*: loaded, digest $digest, .*, in \([0-9.]*\) s\$/\1/p" "$SAKERD_ERR")
awk -v a="$load" -v b="$logged" 'BEGIN { d = a - b; exit !(b != "" && d < 0.006 && d > -0.006) }' ||
	fail "the log says a load time of '$logged' s, the metrics $load s: $(cat "$SAKERD_ERR")"
expect_eq "ring buffer drops" "$(metric 'saker_drops_total{cause="ring_buffer_full"}')" 0
[ "$(metric saker_events_seen_total)" -ge 1 ] || fail "events seen: $(metric saker_events_seen_total)"
expect_eq "stdout delivered" "$(metric 'saker_output_delivered_total{output="stdout"}')" 1
expect_eq "stdout queue depth" "$(metric 'saker_output_queue_depth{output="stdout"}')" 0
printf '%s\n' "$m" | grep -Eq '^saker_bpf_program_runs_total\{bundle="[^"]*",program="saker_sys_exit"\} [0-9]+$' ||
	fail "no run count of the dispatcher"
printf '%s\n' "$m" | grep -Eq '^saker_bpf_stats_enabled [01]$' || fail "no saker_bpf_stats_enabled"
rss=$(metric saker_resident_memory_bytes)
ring=$(metric saker_ring_buffer_resident_bytes)
[ "$rss" -gt 0 ] && [ "$ring" -ge 0 ] || fail "resident memory: $rss, ring $ring"
# Every line is a comment or NAME{LABELS} VALUE.
bad=$(printf '%s\n' "$m" | grep -Ev '^(# (HELP|TYPE) [a-z_]+ .*|[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9.e+-]+)$' | head -n 3)
[ -z "$bad" ] || fail "not Prometheus text: $bad"

# Healthy: attached and the kernel saw events (the opens above, and every other process's).
for i in $(seq 50); do [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$addr/healthz")" = 200 ] && break; sleep 0.1; done
expect_eq "/healthz" "$(curl -s -o /dev/null -w '%{http_code}' "http://$addr/healthz")" 200
"$SAKERD" --health --metrics-addr "$addr" > /dev/null || fail "--health says unhealthy"
expect_eq "unknown path" "$(curl -s -o /dev/null -w '%{http_code}' "http://$addr/nope")" 404
# As nobody with CAP_BPF and CAP_PERFMON, a reload still loads and swaps the bundle.
kill -HUP "$SAKERD_PID"
for i in $(seq 100); do grep -q 'reloaded, digest' "$SAKERD_ERR" && break; sleep 0.1; done
grep -q "reloaded, digest $digest" "$SAKERD_ERR" || fail "no reload as nobody: $(cat "$SAKERD_ERR")"
"$OPENER" write "$TARGET" > /dev/null || fail "write open failed"
wait_lines "$SAKERD_OUT" 2
# A stopped sakerd answers nothing: --health fails.
kill -STOP "$SAKERD_PID"
"$SAKERD" --health --metrics-addr "$addr" > /dev/null
st=$?
kill -CONT "$SAKERD_PID"
expect_eq "--health of a stopped sakerd" "$st" 1
# Nobody listening: unhealthy too.
stop_sakerd TERM
"$SAKERD" --health --metrics-addr "$addr" > /dev/null
expect_eq "--health with no sakerd" "$?" 1
echo "PASS ($E2E_NAME)"
