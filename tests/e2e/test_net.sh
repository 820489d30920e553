#!/usr/bin/env bash
# The network and dup families end to end, on this test's own rules: a TCP connect to a listener
# on 127.0.0.1 and on ::1, its accept, a refused connect, a UDP sendto, an AF_PACKET socket and a
# dup2 of a connected socket onto 0, 1 and 2 each alert once per rule with the fd.* fields the
# kernel read from the socket (compared with what the program itself saw); a dup2 of a file and
# a connect of a program the rules do not name stay quiet.
. "$(dirname "$0")/lib.sh"
need_root

NET="$SAKER_BINARY_DIR/tests/saker_net"
[ -x "$NET" ] || fail "missing $NET"
# A copy under a name of this test's own: other tests' programs never match these rules.
cp "$NET" "$E2E_TMP/e2e_net"
NET="$E2E_TMP/e2e_net"
OTHER="$E2E_TMP/other_net"
cp "$NET" "$OTHER"

cat > "$E2E_TMP/rules.yaml" <<YAML
- macro: mine
  condition: proc.exepath = $NET

- rule: Test connect
  desc: a connect of the test program
  condition: evt.type = connect and mine and fd.typechar in (4, 6)
  output: >
    connect name=%fd.name type=%fd.type typechar=%fd.typechar proto=%fd.l4proto lport=%fd.lport
    rport=%fd.rport sport=%fd.sport cport=%fd.cport sip=%fd.sip cip=%fd.cip connected=%fd.connected
    num=%fd.num argfd=%evt.arg.fd res=%evt.res pid=%proc.pid
  priority: NOTICE

- rule: Test accept
  desc: an accept of the test program
  condition: evt.type in (accept, accept4) and mine and fd.sport > 0
  output: accept name=%fd.name sport=%fd.sport cport=%fd.cport sip=%fd.sip pid=%proc.pid
  priority: NOTICE

- rule: Test packet socket
  desc: an AF_PACKET socket of the test program
  condition: evt.type = socket and mine and evt.arg.domain contains AF_PACKET
  output: packet domain=%evt.arg.domain type=%evt.arg.type proto=%evt.arg.proto pid=%proc.pid
  priority: NOTICE

- rule: Test UDP send
  desc: a UDP send of the test program outside 10.0.0.0/8
  condition: evt.type in (sendto, sendmsg) and mine and fd.l4proto = udp and not fd.snet in ("10.0.0.0/8") and fd.connected = false
  output: udp name=%fd.name sip=%fd.sip sport=%fd.sport changed=%fd.name_changed pid=%proc.pid
  priority: NOTICE

- rule: Test redirect
  desc: a descriptor of an IP socket duplicated onto 0, 1 or 2
  condition: evt.type in (dup, dup2, dup3) and mine and evt.rawres in (0, 1, 2) and fd.type in (ipv4, ipv6)
  output: redirect name=%fd.name res=%evt.rawres old=%evt.arg.oldfd new=%evt.arg.newfd type=%fd.type pid=%proc.pid
  priority: NOTICE
YAML
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/net.saker"
"$SAKER" check "$E2E_TMP/rules.yaml" > "$E2E_TMP/check.out" 2>&1 || fail "saker check failed: $(cat "$E2E_TMP/check.out")"
grep -q "rule 'Test connect' .*exact, in kernel on connect" "$E2E_TMP/check.out" ||
	fail "the connect rule does not run whole in the kernel: $(cat "$E2E_TMP/check.out")"
grep -q "rule 'Test UDP send' .*partial, in kernel on sendmsg, sendto; sakerd tests fd.snet" "$E2E_TMP/check.out" ||
	fail "the UDP rule's split is not the expected one: $(cat "$E2E_TMP/check.out")"
start_sakerd --json "$E2E_TMP/net.saker"

# val OUT KEY: the value KEY=... that the program printed
val() { sed -n "s/^$2=//p" <<< "$1" | head -n 1; }
# of PID: this run's alerts of process PID
of() { jq -c --arg p "$1" 'select((.output_fields["proc.pid"] | tostring) == $p)' "$SAKERD_OUT"; }
wait_of() {
	local i
	for i in $(seq 200); do
		[ "$(of "$1" | wc -l)" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "expected $2 alert(s) of pid $1 within 20 s, got $(of "$1" | wc -l)"
}
# check_field LINE FIELD WANT
check_field() {
	expect_eq "$2 in $(jq -r .rule <<< "$1")" "$(jq -r ".output_fields[\"$2\"] | tostring" <<< "$1")" "$3"
}

# A connected pair on each address family: one connect and one accept alert.
for ip in 127.0.0.1 ::1; do
	out=$("$NET" pair "$ip") || fail "saker_net pair $ip failed"
	pid=$(val "$out" pid) lport=$(val "$out" lport) sport=$(val "$out" sport)
	wait_of "$pid" 2
	sleep 0.3
	expect_eq "alerts of the pair on $ip" "$(of "$pid" | wc -l)" 2
	c=$(of "$pid" | jq -c 'select(.rule == "Test connect")')
	a=$(of "$pid" | jq -c 'select(.rule == "Test accept")')
	name="$ip:$lport->$ip:$sport"
	check_field "$c" fd.name "$name"
	check_field "$c" fd.lport "$lport"
	check_field "$c" fd.rport "$sport"
	check_field "$c" fd.cport "$lport"
	check_field "$c" fd.sport "$sport"
	check_field "$c" fd.sip "$ip"
	check_field "$c" fd.cip "$ip"
	check_field "$c" fd.l4proto tcp
	check_field "$c" fd.connected true
	check_field "$c" evt.res SUCCESS
	if [ "$ip" = ::1 ]; then
		check_field "$c" fd.type ipv6
		check_field "$c" fd.typechar 6
	else
		check_field "$c" fd.type ipv4
		check_field "$c" fd.typechar 4
	fi
	[ "$(jq -r '.output_fields["fd.num"]' <<< "$c")" = "$(jq -r '.output_fields["evt.arg.fd"]' <<< "$c")" ] ||
		fail "fd.num and evt.arg.fd differ on connect: $c"
	# the accepted socket: the local side is the server, its name the same tuple
	check_field "$a" fd.name "$name"
	check_field "$a" fd.sport "$sport"
	check_field "$a" fd.cport "$lport"
	check_field "$a" fd.sip "$ip"
done

# A refused connect (nothing listens on port 1): the peer the call named, not connected.
out=$("$NET" connect 127.0.0.1 1) || fail "saker_net connect failed"
pid=$(val "$out" pid)
expect_eq "connect to port 1" "$(val "$out" res)" 111
wait_of "$pid" 1
c=$(of "$pid" | head -n 1)
check_field "$c" evt.res ECONNREFUSED
check_field "$c" fd.rport 1
check_field "$c" fd.sip 127.0.0.1
check_field "$c" fd.connected false

# UDP to 127.0.0.1 from an unconnected socket: the peer is the call's address; one to 10.1.2.3
# is filtered out by sakerd (fd.snet).
out=$("$NET" udp 127.0.0.1 9) || fail "saker_net udp failed"
pid=$(val "$out" pid)
out2=$("$NET" udp 10.1.2.3 9) || true
pid2=$(val "$out2" pid)
wait_of "$pid" 1
c=$(of "$pid" | head -n 1)
check_field "$c" fd.sip 127.0.0.1
check_field "$c" fd.sport 9

# Three sends on one UDP socket: a new peer, the same peer again, another port (fd.name_changed).
out=$("$NET" udp3 127.0.0.1 9 10) || fail "saker_net udp3 failed"
pid=$(val "$out" pid)
wait_of "$pid" 3
expect_eq "fd.name_changed of three sends" \
	"$(of "$pid" | jq -r '.output_fields["fd.name_changed"]' | tr '\n' ' ')" "true false true "
expect_eq "ports of three sends" "$(of "$pid" | jq -r '.output_fields["fd.sport"]' | tr '\n' ' ')" "9 9 10 "

# An AF_PACKET socket (created or refused: the call is what the rule looks at).
out=$("$NET" packet) || fail "saker_net packet failed"
pid=$(val "$out" pid)
wait_of "$pid" 1
c=$(of "$pid" | head -n 1)
check_field "$c" evt.arg.domain AF_PACKET
check_field "$c" evt.arg.type 3

# A connected socket duplicated onto 0, 1 and 2: three redirect alerts (and the pair's two).
out=$("$NET" redirect 127.0.0.1 < /dev/null) || fail "saker_net redirect failed"
pid=$(val "$out" pid) lport=$(val "$out" lport) sport=$(val "$out" sport)
wait_of "$pid" 5
r=$(of "$pid" | jq -c 'select(.rule == "Test redirect")')
expect_eq "redirect alerts" "$(wc -l <<< "$r")" 3
expect_eq "new descriptors" "$(jq -r '.output_fields["evt.rawres"]' <<< "$r" | tr '\n' ' ')" "0 1 2 "
check_field "$(head -n 1 <<< "$r")" fd.name "127.0.0.1:$lport->127.0.0.1:$sport"
check_field "$(head -n 1 <<< "$r")" evt.arg.newfd 0

# Near misses: a file duplicated onto 1; the same calls by a program the rules do not name.
out=$("$NET" dupfile "$E2E_TMP/rules.yaml") || fail "saker_net dupfile failed"
qpid=$(val "$out" pid)
out=$("$OTHER" redirect 127.0.0.1 < /dev/null) || fail "other_net redirect failed"
opid=$(val "$out" pid)
sleep 1
expect_eq "alerts of the file dup2" "$(of "$qpid" | wc -l)" 0
expect_eq "alerts of the other program" "$(of "$opid" | wc -l)" 0
expect_eq "alerts of the UDP send to 10.1.2.3" "$(of "$pid2" | wc -l)" 0
stop_sakerd
echo "PASS ($E2E_NAME): connect/accept on IPv4 and IPv6, a refused connect, UDP, AF_PACKET and dup2 redirects alerted with the socket's fields; near misses stayed quiet"
