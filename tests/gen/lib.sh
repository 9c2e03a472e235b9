# shellcheck shell=sh disable=SC2154
# tests/gen/lib.sh - sourced by the capture generators (make-captures.sh,
# make-tsp-capture.sh, make-capi-capture.sh).  gen_begin sets W (work dir),
# PIDS and ME (the name in messages); tx also needs TX (the transaction
# list).

# gen_begin NAME TOOL...: a private work dir removed (and every process
# started with bg ended) on exit; exit 77 (skip) unless every TOOL is on
# PATH and we are root (tcpdump on lo).
gen_begin() {
	ME=$1
	shift
	for _t in "$@"; do
		command -v "$_t" >/dev/null 2>&1 || { echo "$ME: $_t not found" >&2; exit 77; }
	done
	[ "$(id -u)" = 0 ] || { echo "$ME: tcpdump on lo needs root" >&2; exit 77; }
	W=$(mktemp -d "${TMPDIR:-/tmp}/revwire-$ME.XXXXXX")
	PIDS=""
	trap gen_cleanup EXIT
	trap 'exit 1' INT TERM
}

gen_cleanup() {
	for _p in $PIDS; do
		kill "$_p" 2>/dev/null || true
	done
	rm -rf "$W"
}

# bg LOG CMD...: start CMD in the background, remember its pid in $BG.
# LOG is emptied here, not by the child's redirection: the child may run
# late, and wait_log would then find the line a previous process with the
# same LOG wrote (three tcpdumps share one log in make-captures.sh).
bg() {
	_log=$1
	shift
	: >"$_log"
	"$@" >>"$_log" 2>&1 &
	BG=$!
	PIDS="$PIDS $BG"
}

# wait_log LOG TEXT: poll (15 s at most: CI runs it beside the sanitizer
# build's tests) until LOG contains TEXT.
wait_log() {
	_i=0
	until grep -q "$2" "$1" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -le 150 ] || { echo "$ME: timeout waiting for '$2' in $1" >&2; cat "$1" >&2; exit 1; }
		sleep 0.1
	done
}

# stop PID: end a process this script started and wait for it.
stop() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# capture_start FILE FILTER / capture_stop: tcpdump on lo, ready when it
# says it is listening.
capture_start() {
	bg "$W/tcpdump.log" tcpdump -i lo -U --immediate-mode -w "$1" "$2"
	TCPDUMP=$BG
	wait_log "$W/tcpdump.log" "listening on"
	sleep 0.5
}
# capture_stop NAME: stop tcpdump, keep its packet count in $W/NAME.packets
# (the `packets` counter the sensor must report).
capture_stop() {
	sleep 0.5
	kill -INT "$TCPDUMP"
	wait "$TCPDUMP" 2>/dev/null || true
	grep -q "^0 packets dropped by kernel" "$W/tcpdump.log" ||
	    { echo "$ME: tcpdump dropped packets" >&2; cat "$W/tcpdump.log" >&2; exit 1; }
	sed -n 's/^\([0-9]*\) packets captured$/\1/p' "$W/tcpdump.log" >"$W/$1.packets"
	[ -s "$W/$1.packets" ] || { echo "$ME: no packet count" >&2; exit 1; }
}

# tx KIND METHOD HOST URL UA PORT REQ RESP CTYPE LABEL: one line of the
# transaction list that tests/gen/expected.py turns into expected events,
# on TCP connection number $CONN (call newconn before each new one).
CONN=0
newconn() { CONN=$((CONN + 1)); }
# EXPECT (JSON, optional) adds what the script knows by construction:
# {"issuer": {...}, "verdict": {...}} (see expected.py).
tx() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" "$CONN" \
	    "${EXPECT:--}" >>"$TX"
}

