#!/usr/bin/env bash
# i386 socket calls are the network family's events too: a 32-bit program (built here with
# gcc -m32) makes socket and connect through socketcall(2) (102, the multiplexer 32-bit C
# libraries use) and through the direct i386 numbers (359, 362); each alerts as its x86-64
# counterpart would, with the record's ABI i386, and with the socket's fields read from the
# kernel. An AF_PACKET socket through socketcall alerts the packet rule; the same program's
# AF_INET sockets do not.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/checks.sh"
need_root

build_i386_net "$E2E_TMP/i386_net" ||
	skip "cannot build 32-bit programs (gcc -m32: install gcc-multilib): $(head -n 3 "$E2E_TMP/gcc-m32.err")"
NET="$E2E_TMP/i386_net"

cat > "$E2E_TMP/rules.yaml" <<YAML
- rule: i386 connect
  desc: a TCP connect of the 32-bit test program
  condition: evt.type = connect and proc.exepath = $NET and fd.typechar = 4 and fd.l4proto = tcp
  output: connect name=%fd.name sport=%fd.sport lport=%fd.lport fd=%evt.arg.fd res=%evt.res pid=%proc.pid
  priority: NOTICE
- rule: i386 socket
  desc: a socket of the 32-bit test program
  condition: evt.type = socket and proc.exepath = $NET
  output: socket domain=%evt.arg.domain type=%evt.arg.type fd=%fd.num typechar=%fd.typechar pid=%proc.pid
  priority: NOTICE
- rule: i386 packet
  desc: an AF_PACKET socket of the 32-bit test program
  condition: evt.type = socket and proc.exepath = $NET and evt.arg.domain contains AF_PACKET
  output: packet pid=%proc.pid
  priority: NOTICE
YAML
compile_bundle "$E2E_TMP/rules.yaml" "$E2E_TMP/net.saker"
start_sakerd --json "$E2E_TMP/net.saker"

of() { jq -c --arg p "$1" 'select((.output_fields["proc.pid"] | tostring) == $p)' "$SAKERD_OUT"; }
wait_of() {
	local i
	for i in $(seq 200); do
		[ "$(of "$1" | wc -l)" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "expected $2 alert(s) of pid $1 within 20 s, got $(of "$1" | wc -l)"
}
f() { jq -r ".output_fields[\"$2\"] | tostring" <<< "$1"; }

for mode in socketcall direct; do
	out=$("$NET" pair "$mode") || fail "i386_net pair $mode failed: $out"
	pid=$(sed -n 's/^pid=//p' <<< "$out") lport=$(sed -n 's/^lport=//p' <<< "$out")
	sport=$(sed -n 's/^sport=//p' <<< "$out")
	wait_of "$pid" 2
	sleep 0.3
	# the listener is the C library's (64-bit-style socketcall too on i386): only the
	# hand-made socket and connect are counted by rule
	c=$(of "$pid" | jq -c 'select(.rule == "i386 connect")')
	expect_eq "$mode: connect alerts" "$(grep -c . <<< "$c")" 1
	expect_eq "$mode: fd.name" "$(f "$c" fd.name)" "127.0.0.1:$lport->127.0.0.1:$sport"
	expect_eq "$mode: fd.sport" "$(f "$c" fd.sport)" "$sport"
	expect_eq "$mode: evt.res" "$(f "$c" evt.res)" SUCCESS
	s=$(of "$pid" | jq -c 'select(.rule == "i386 socket")' | grep -c '"evt.arg.domain":"AF_INET"')
	[ "$s" -ge 2 ] || fail "$mode: expected the listener's and the hand-made AF_INET sockets, got $s"
	expect_eq "$mode: packet alerts" "$(of "$pid" | jq -c 'select(.rule == "i386 packet")' | grep -c .)" 0
	out=$("$NET" packet "$mode") || fail "i386_net packet $mode failed"
	pid=$(sed -n 's/^pid=//p' <<< "$out")
	wait_of "$pid" 2
	p=$(of "$pid" | jq -c 'select(.rule == "i386 socket")')
	expect_eq "$mode: packet domain" "$(f "$p" evt.arg.domain)" AF_PACKET
	expect_eq "$mode: packet type" "$(f "$p" evt.arg.type)" 3
done
stop_sakerd
echo "PASS ($E2E_NAME): i386 socket and connect through socketcall and the direct numbers alerted with the socket's fields"
