# Shared set-up for the end-to-end tests (sourced, not run): root check, temp dir, starting and
# stopping sakerd with bounded waits, and small assertions. Every wait has a deadline, and sakerd
# is always killed on exit.
set -u

E2E_NAME=$(basename "$0" .sh)

fail() {
	echo "FAIL ($E2E_NAME): $*" >&2
	if [ -n "${SAKERD_ERR:-}" ] && [ -s "$SAKERD_ERR" ]; then
		echo "--- sakerd stderr ---" >&2
		cat "$SAKERD_ERR" >&2
	fi
	exit 1
}

skip() {
	if [ "${SAKER_REQUIRE_E2E:-0}" = 1 ]; then
		fail "cannot run: $* (SAKER_REQUIRE_E2E=1 forbids skipping)"
	fi
	echo "SKIPPED ($E2E_NAME): $*" >&2
	exit 77
}

# loud_skip REASON: a skip nobody can miss in the log (a failure under SAKER_REQUIRE_E2E=1).
loud_skip() {
	echo "*************************************************************" >&2
	echo "*** SKIPPED ($E2E_NAME): $*" >&2
	echo "*************************************************************" >&2
	skip "$*"
}

# static_busybox: prints the path of a statically linked busybox (busybox-static), or nothing.
static_busybox() {
	local b
	for b in /bin/busybox /usr/bin/busybox; do
		# ldd fails on a static executable.
		if [ -x "$b" ] && ! LC_ALL=C ldd "$b" > /dev/null 2>&1; then
			echo "$b"
			return 0
		fi
	done
}

need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "*************************************************************" >&2
		echo "*** SKIPPED: needs root (loads BPF programs into the kernel) ***" >&2
		echo "*************************************************************" >&2
		skip "needs root"
	fi
}

: "${SAKER:?set SAKER to the saker binary}"
: "${SAKERD:?set SAKERD to the sakerd binary}"
: "${SAKER_SOURCE_DIR:?set SAKER_SOURCE_DIR}"
: "${SAKER_BINARY_DIR:?set SAKER_BINARY_DIR}"
OPENER="$SAKER_BINARY_DIR/tests/saker_opener"
command -v jq >/dev/null || fail "jq is needed to read JSON alerts"

E2E_TMP=$(mktemp -d "/tmp/saker-e2e-$E2E_NAME.XXXXXX")
SAKERD_PID=
SAKERD_ERR=
SAKERD_OUT=

cleanup() {
	if [ -n "$SAKERD_PID" ] && kill -0 "$SAKERD_PID" 2>/dev/null; then
		kill -KILL "$SAKERD_PID" 2>/dev/null
		wait "$SAKERD_PID" 2>/dev/null
	fi
	rm -rf "$E2E_TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# The rule the tests exercise: an open of /etc/shadow for writing, by any of the open calls.
write_shadow_rules() {
	cat > "$1" <<'YAML'
- macro: open_write
  condition: evt.type in (open, openat, openat2, creat) and evt.is_open_write = true

- rule: Write to shadow
  desc: a process opened /etc/shadow for writing
  condition: open_write and fd.name = /etc/shadow
  output: >
    File /etc/shadow opened for writing (user=%user.name uid=%user.uid process=%proc.name
    pid=%proc.pid file=%fd.name flags=%evt.arg.flags container_id=%container.id)
  priority: CRITICAL
  tags: [filesystem, mitre_credential_access]
YAML
}

# write_target_rules RULES PATH: the shadow rule's shape on the test's own file PATH, so that
# other tests writing /etc/shadow at the same time on this machine give no alert here (nor
# their writes to paths the kernel cuts, which "may match" a rule on a path: fd.name_cut).
write_target_rules() {
	cat > "$1" <<YAML
- rule: Write to target
  desc: a process opened the test's target file for writing
  condition: >
    evt.type in (open, openat, openat2, creat) and evt.is_open_write = true and fd.name = $2
    and fd.name_cut = false
  output: File $2 opened for writing (user=%user.name uid=%user.uid process=%proc.name pid=%proc.pid)
  priority: CRITICAL
  tags: [filesystem]
YAML
	: > "$2"
}

# compile_bundle RULES OUT: compiles with saker, failing the test with its diagnostics.
compile_bundle() {
	"$SAKER" compile -o "$2" "$1" 2> "$E2E_TMP/compile.err" ||
		fail "saker compile $1 failed: $(cat "$E2E_TMP/compile.err")"
	[ -s "$2" ] || fail "saker compile wrote no bundle"
}

# start_sakerd ARGS...: runs sakerd in the background (alerts to $SAKERD_OUT, stderr to
# $SAKERD_ERR) and waits up to 60 s for "sakerd: ready".
start_sakerd() {
	SAKERD_OUT="$E2E_TMP/alerts.out"
	SAKERD_ERR="$E2E_TMP/sakerd.err"
	# both emptied before the start: the wait below must not find an earlier sakerd's "ready"
	# before the new one's redirection truncated the file
	: > "$SAKERD_OUT"
	: > "$SAKERD_ERR"
	"$SAKERD" "$@" > "$SAKERD_OUT" 2> "$SAKERD_ERR" &
	SAKERD_PID=$!
	local i
	for i in $(seq 600); do
		grep -q '^sakerd: ready$' "$SAKERD_ERR" && return 0
		kill -0 "$SAKERD_PID" 2>/dev/null || {
			wait "$SAKERD_PID"
			fail "sakerd exited with status $? before it was ready"
		}
		sleep 0.1
	done
	fail "sakerd was not ready within 60 s"
}

# stop_sakerd [SIGNAL]: signals sakerd (TERM by default), waits up to 20 s, and expects exit 0
# and the counters line.
stop_sakerd() {
	local sig=${1:-TERM} i status
	kill -"$sig" "$SAKERD_PID" || fail "cannot signal sakerd"
	for i in $(seq 200); do
		kill -0 "$SAKERD_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$SAKERD_PID" 2>/dev/null && fail "sakerd did not stop within 20 s of SIG$sig"
	wait "$SAKERD_PID"
	status=$?
	SAKERD_PID=
	[ "$status" = 0 ] || fail "sakerd exited with status $status after SIG$sig"
	grep -Eq '^sakerd: events received [0-9]+, lost [0-9]+, alerts [0-9]+$' "$SAKERD_ERR" ||
		fail "sakerd did not print its counters after SIG$sig"
}

# wait_lines FILE N: waits up to 20 s for FILE to have at least N lines.
wait_lines() {
	local i
	for i in $(seq 200); do
		[ "$(wc -l < "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "expected $2 alert line(s) in $1 within 20 s, got $(wc -l < "$1")"
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}
