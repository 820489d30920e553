#!/usr/bin/env bash
# Falco's rule "Contact K8S API Server From Container", from Falco's own rules file (read from
# ../shared/falco/, never copied here), on real connects from real podman containers that carry
# Kubernetes' CRI pod labels (io.kubernetes.pod.namespace, .name, .uid):
#  - the kernel part (connect, an IP socket, in a container) runs in the kernel; sakerd decides
#    fd.sip.name = kubernetes.default.svc.cluster.local by resolving the name, and the rule's
#    exception (k8s_containers: image repositories, k8s.ns.name = kube-system);
#  - the name resolves through a hosts file of the test's own, bind-mounted over /etc/hosts in
#    a private mount namespace that only sakerd runs in: the machine's /etc/hosts is never
#    touched (its checksum is compared before and after);
#  - a container connecting to the name's address (a TCP listener on 127.0.0.2 in the container)
#    alerts, with k8s.ns.name, k8s.pod.name, k8s.pod.uid and fd.sip.name in its output (appended
#    to Falco's output by an override file, as Falco's suggested fields would be);
#  - near misses: a connect to another address (127.0.0.3), the same connect from a pod in
#    kube-system (the rule's exception) and from the host (not a container) stay quiet; the stats
#    file shows the residual rejected the first two after the kernel passed them;
#  - after a reload (SIGHUP) the name keeps its addresses: the next pod's connect alerts too.
# The podman set-up is podman_lib.sh's (runc, cgroupfs, private configuration and storage under
# the temp dir, an image imported from busybox-static with this build's saker_net linked
# statically, `podman system service` for the container lookups). Needs root, podman, runc,
# busybox-static, unshare and a static C library (libc6-dev).
. "$(dirname "$0")/lib.sh"
need_root

FALCO_RULES=${SAKER_FALCO_RULES:-$SAKER_SOURCE_DIR/../shared/falco/falco_rules.yaml}
# a worktree of the repository is not beside ../shared: the project's shared folder then
[ -r "$FALCO_RULES" ] || [ -n "${SAKER_FALCO_RULES:-}" ] || FALCO_RULES=/work/shared/falco/falco_rules.yaml
[ -r "$FALCO_RULES" ] || loud_skip "Falco's rules file is not at $FALCO_RULES (../shared/falco/)"
command -v gcc > /dev/null || loud_skip "gcc is needed to build the static test program"
command -v unshare > /dev/null || loud_skip "unshare (util-linux) is needed for sakerd's private /etc/hosts"
. "$(dirname "$0")/podman_lib.sh"

RULE="Contact K8S API Server From Container"
API_NAME=kubernetes.default.svc.cluster.local
API_IP=127.0.0.2
OTHER_IP=127.0.0.3
IMAGE=localhost/saker-e2e-k8s:latest
SOCK="$E2E_TMP/podman.sock"
HOSTS_SUM=$(sha256sum /etc/hosts | cut -d' ' -f1)
trap 'podman_cleanup; cleanup' EXIT

# ---- what saker makes of the rule ----
"$SAKER" check "$FALCO_RULES" > "$E2E_TMP/check.out" 2> "$E2E_TMP/check.err" ||
	fail "saker check of Falco's rules failed: $(tail -n 5 "$E2E_TMP/check.err")"
plan=$(grep -F "rule '$RULE' (" "$E2E_TMP/check.out")
grep -q ": partial, in kernel on connect; sakerd tests fd.sip.name, " <<< "$plan" ||
	fail "'$RULE' is not planned as a kernel part on connect and a residual testing fd.sip.name: $plan"
echo "$plan"
# Falco's suggested output fields (k8s.ns.name, k8s.pod.name) appended, as Falco appends them
cat > "$E2E_TMP/k8s-output.yaml" <<YAML
- rule: $RULE
  output: k8s_ns=%k8s.ns.name k8s_pod=%k8s.pod.name k8s_pod_uid=%k8s.pod.uid server=%fd.sip.name container_id=%container.id
  override:
    output: append
YAML
"$SAKER" compile -o "$E2E_TMP/k8s.saker" "$FALCO_RULES" "$E2E_TMP/k8s-output.yaml" 2> "$E2E_TMP/compile.err" ||
	fail "saker compile of Falco's rules failed: $(tail -n 5 "$E2E_TMP/compile.err")"

# ---- the image: busybox and this build's saker_net, static, under a name of this test's own ----
gcc -static -O1 -o "$E2E_TMP/saker_net_e2e" "$SAKER_SOURCE_DIR/tests/e2e/saker_net.c" 2> "$E2E_TMP/gcc.err" ||
	loud_skip "gcc -static failed (static libc missing?): $(tail -n 3 "$E2E_TMP/gcc.err")"
RUN_ID=$(basename "$E2E_TMP" | tr -cd 'A-Za-z0-9' | tail -c 8 | tr 'A-Z' 'a-z')
EXE=/e2e/net_$RUN_ID
podman_config
podman_rootfs
mkdir -p "$PODMAN_ROOTFS/e2e"
cp "$E2E_TMP/saker_net_e2e" "$PODMAN_ROOTFS$EXE"
podman_import "$IMAGE"
podman_service "$SOCK"

# ---- sakerd, in a mount namespace where /etc/hosts is the test's file ----
printf '127.0.0.1\tlocalhost\n%s\t%s\n' "$API_IP" "$API_NAME" > "$E2E_TMP/hosts"
cat > "$E2E_TMP/sakerd-hosts" <<'SH'
#!/bin/sh
# sakerd with the test's hosts file: a private mount namespace (nothing propagates to the host)
# in which the file is bind-mounted over /etc/hosts; exec keeps sakerd's pid this script's
exec unshare -m --propagation private sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' \
	"$SAKER_E2E_HOSTS" "$SAKER_E2E_SAKERD" "$@"
SH
chmod +x "$E2E_TMP/sakerd-hosts"
STATS="$E2E_TMP/stats.json"
SAKER_E2E_HOSTS="$E2E_TMP/hosts" SAKER_E2E_SAKERD="$SAKERD" SAKER_CONTAINER_SOCKET="$SOCK" \
	SAKERD="$E2E_TMP/sakerd-hosts" start_sakerd --json --stats-file "$STATS" "$E2E_TMP/k8s.saker"
grep -qF "sakerd: dns: '$API_NAME' resolves to $API_IP" "$SAKERD_ERR" ||
	fail "sakerd did not resolve $API_NAME through its private /etc/hosts before it was ready"
expect_eq "the machine's /etc/hosts" "$(sha256sum /etc/hosts | cut -d' ' -f1)" "$HOSTS_SUM"
grep -qF "$API_NAME" /etc/hosts && echo "*** NOTE ($E2E_NAME): this machine's /etc/hosts names $API_NAME itself" >&2

# pod NS NAME SCRIPT: runs SCRIPT in a new container labelled as Kubernetes' CRI labels a pod's
# container (kept until the end: sakerd asks the runtime about it), waits for it, and prints its
# id
pod() {
	local cid
	cid=$(pm run -d --network=none --name "k8s-$RUN_ID-$2" \
		--label io.kubernetes.pod.namespace="$1" --label io.kubernetes.pod.name="$2-$RUN_ID" \
		--label io.kubernetes.pod.uid="0b1c2d3e-$RUN_ID" --label io.kubernetes.container.name=app \
		"$IMAGE" /bin/sh -c "$3") || pm_fail "podman run of pod $2 failed"
	echo "$cid" | grep -Eq '^[0-9a-f]{64}$' || pm_fail "podman run printed no container id: '$cid'"
	pm wait "$cid" > /dev/null || pm_fail "podman wait of pod $2 failed"
	echo "${cid:0:12}"
}
# alerts CID: this run's alerts of the rule from container CID
alerts() {
	jq -c --arg r "$RULE" --arg c "$1" 'select(.rule == $r and (.output | endswith("container_id=" + $c)))' "$SAKERD_OUT"
}
# rule_stats KEY: the rule's counter KEY in a fresh stats file
rule_stats() {
	jq -r --arg r "$RULE" --arg k "$1" '.rules[] | select(.rule == $r) | .[$k]' "$STATS"
}

# ---- near misses first: another address, a pod of kube-system, the host ----
miss_addr=$(pod payments miss "$EXE connect $OTHER_IP 443") || exit 1
miss_ns=$(pod kube-system system "$EXE pair $API_IP") || exit 1
"$E2E_TMP/saker_net_e2e" pair "$API_IP" > /dev/null || fail "the host's connect to $API_IP failed"

# ---- the hit: a pod connects to the API server's address ----
hit=$(pod payments web "$EXE pair $API_IP > /tmp/out; cat /tmp/out") || exit 1
for _ in $(seq 200); do
	[ -n "$(alerts "$hit")" ] && break
	sleep 0.1
done
line=$(alerts "$hit")
[ -n "$line" ] || fail "no '$RULE' alert from pod web ($hit) within 20 s; alerts: $(jq -r '.rule' "$SAKERD_OUT" | sort | uniq -c)"
expect_eq "alerts from pod web" "$(wc -l <<< "$line")" 1
expect_eq "priority" "$(jq -r .priority <<< "$line")" Notice
expect_eq "evt.type" "$(jq -r '.output_fields["evt.type"]' <<< "$line")" connect
expect_eq "fd.sip.name" "$(jq -r '.output_fields["fd.sip.name"]' <<< "$line")" "$API_NAME"
expect_eq "k8s.ns.name" "$(jq -r '.output_fields["k8s.ns.name"]' <<< "$line")" payments
expect_eq "k8s.pod.name" "$(jq -r '.output_fields["k8s.pod.name"]' <<< "$line")" "web-$RUN_ID"
expect_eq "k8s.pod.uid" "$(jq -r '.output_fields["k8s.pod.uid"]' <<< "$line")" "0b1c2d3e-$RUN_ID"
expect_eq "proc.exepath" "$(jq -r '.output_fields["proc.exepath"]' <<< "$line")" "$EXE"
jq -r .output <<< "$line" | grep -q "^[0-9:.]*: Notice Unexpected connection to K8s API Server from container | connection=127\.0\.0\.[0-9]*:[0-9]*->$API_IP:[0-9]* .* k8s_ns=payments k8s_pod=web-$RUN_ID k8s_pod_uid=0b1c2d3e-$RUN_ID server=$API_NAME container_id=$hit$" ||
	fail "the alert's output is not Falco's with the k8s fields: $(jq -r .output <<< "$line")"

# the near misses happened before the hit: their records came first
sleep 1
expect_eq "alerts of the pod that connected to $OTHER_IP" "$(alerts "$miss_addr" | wc -l)" 0
expect_eq "alerts of the kube-system pod" "$(alerts "$miss_ns" | wc -l)" 0
expect_eq "alerts from the host" "$(jq -c --arg r "$RULE" 'select(.rule == $r and .output_fields["proc.exepath"] != "'"$EXE"'")' "$SAKERD_OUT" | wc -l)" 0
# ...and sakerd decided them: the kernel part let both pods' connects through, the residual
# rejected them (the host's connect never left the kernel)
rm -f "$STATS"
kill -USR1 "$SAKERD_PID"
for _ in $(seq 100); do [ -s "$STATS" ] && break; sleep 0.1; done
[ -s "$STATS" ] || fail "sakerd wrote no stats file on SIGUSR1"
[ "$(rule_stats residual_rejected)" -ge 2 ] || fail "the residual rejected $(rule_stats residual_rejected) events, want the 2 near misses: $(cat "$STATS")"
[ "$(rule_stats residual_matched)" -ge 1 ] || fail "the residual matched no event: $(cat "$STATS")"
# a reload keeps the name and what is known of it: the next pod's connect alerts at once
kill -HUP "$SAKERD_PID"
for _ in $(seq 300); do grep -q ': reloaded, digest ' "$SAKERD_ERR" && break; sleep 0.1; done
grep -q ': reloaded, digest ' "$SAKERD_ERR" || fail "sakerd did not reload on SIGHUP within 30 s"
again=$(pod payments again "$EXE pair $API_IP") || exit 1
for _ in $(seq 200); do [ -n "$(alerts "$again")" ] && break; sleep 0.1; done
[ -n "$(alerts "$again")" ] || fail "no '$RULE' alert from pod again ($again) after the reload"
expect_eq "lookups said after the reload" "$(grep -c "dns: '$API_NAME' resolves to" "$SAKERD_ERR")" 1
rm -f "$STATS"
kill -USR1 "$SAKERD_PID"
for _ in $(seq 100); do [ -s "$STATS" ] && break; sleep 0.1; done
expect_eq "names the resolver keeps" "$(jq .dns_names "$STATS")" 1
expect_eq "failed lookups" "$(jq .dns_failures "$STATS")" 0
[ "$(jq .dns_resolved "$STATS")" -ge 1 ] || fail "no lookup answered: $(cat "$STATS")"
[ "$(jq .dns_checks "$STATS")" -ge 2 ] || fail "fewer than 2 events checked against the name: $(cat "$STATS")"
stop_sakerd
grep -Eq '^sakerd: dns: 1 names, [1-9][0-9]* lookups answered, 0 failed; [0-9]+ event checks$' "$SAKERD_ERR" ||
	fail "sakerd did not report its resolver's counters at exit"
expect_eq "the machine's /etc/hosts after the test" "$(sha256sum /etc/hosts | cut -d' ' -f1)" "$HOSTS_SUM"
echo "PASS ($E2E_NAME): '$RULE' (Falco's own) alerted on a pod's connect to $API_NAME ($API_IP, from sakerd's private /etc/hosts) with k8s.ns.name, k8s.pod.name and fd.sip.name; a connect to $OTHER_IP, a kube-system pod's and the host's stayed quiet"
