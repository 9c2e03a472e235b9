#!/bin/sh
# The private redis-server: `revwire sensor -r` with no redis-url starts
# one under state-dir (one, even when two sensors start at once), writes
# every wire event to it once (the same capture read again, or by two
# processes at once, adds nothing: the write is idempotent on the event's
# content id), reuses it on the next run; `revwire redis
# status|stop|start` manage it and its data survives a stop.  --redis URL
# uses that server and starts nothing; bad URLs and refused servers give
# a one-line error without the password.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup"
command -v redis-cli >/dev/null || skip "redis-cli is not installed (apt install redis-server)"
"$REVWIRE" redis --help | grep -q "usage: revwire redis" || { echo "FAIL: --help"; exit 1; }
CAP="$top_srcdir/tests/data/gen/real-tools.pcap"
ST="$TMP/st"
SOCK="$ST/redis.sock"
KEY='rw:{wire}:events'
trap '"$REVWIRE" redis stop --set state-dir="$ST" >/dev/null 2>&1; rm -rf "$TMP"' EXIT INT TERM
fail=0
servers() {	# redis-server processes serving our socket (no procps needed)
	n=0
	for c in /proc/[0-9]*/cmdline; do
		case $(tr '\0' ' ' < "$c" 2>/dev/null) in
		*redis-server*"$SOCK"*) n=$((n + 1)) ;;
		esac
	done
	echo $n
}

rc=0; "$REVWIRE" redis status --set state-dir="$ST" >"$TMP/st0" || rc=$?
check "status before any run (exit)" 3 "$rc"
check "status before any run" "not running" "$(head -n 1 "$TMP/st0")"

# two sensors at once: one server
"$REVWIRE" sensor -q -r "$CAP" --set state-dir="$ST" & p1=$!
"$REVWIRE" sensor -q -r "$CAP" --set state-dir="$ST" & p2=$!
rc1=0; wait $p1 || rc1=$?
rc2=0; wait $p2 || rc2=$?
check "two concurrent sensors exit" "0 0" "$rc1 $rc2"
check "redis-server processes" 1 "$(servers)"
check "wire events of two concurrent runs of one capture" 17 "$(redis-cli -s "$SOCK" XLEN "$KEY")"
pid=$(cat "$ST/redis.pid")
"$REVWIRE" redis status --set state-dir="$ST" >"$TMP/st1"
check "status pid" "$pid" "$(sed -n 's/^running: pid \([0-9]*\),.*/\1/p' "$TMP/st1")"
check "status socket" "socket: $SOCK" "$(grep '^socket' "$TMP/st1")"
check "status data" "data:   $ST/redis" "$(grep '^data' "$TMP/st1")"
first=$(redis-cli -s "$SOCK" XRANGE "$KEY" - + COUNT 1 | sed -n 2p)
check "first entry's event_type field" event_type "$first"

# the next run reuses it
"$REVWIRE" sensor -q -r "$CAP" --set state-dir="$ST"
check "reused server pid" "$pid" "$(cat "$ST/redis.pid")"
check "wire events after a third run" 17 "$(redis-cli -s "$SOCK" XLEN "$KEY")"
stats=$(redis-cli -s "$SOCK" --scan --pattern 'rw:{stats}:sensor:*' | wc -l)
check "stats hashes (one per sensor process)" 3 "$stats"

# stop keeps the data (append-only file)
"$REVWIRE" redis stop --set state-dir="$ST" >/dev/null
check "socket after stop" absent "$([ -S "$SOCK" ] && echo present || echo absent)"
rc=0; "$REVWIRE" redis status --set state-dir="$ST" >/dev/null || rc=$?
check "status after stop (exit)" 3 "$rc"
[ -d "$ST/redis/appendonlydir" ] || { echo "FAIL: no AOF in $ST/redis"; fail=1; }
"$REVWIRE" redis start --set state-dir="$ST" >/dev/null
check "wire events after stop/start" 17 "$(redis-cli -s "$SOCK" XLEN "$KEY")"
check "content-id marks after stop/start" 17 \
    "$(redis-cli -s "$SOCK" --scan --pattern 'rw:{wire}:seen:*' | wc -l)"
"$REVWIRE" redis stop --set state-dir="$ST" >/dev/null

# --redis URL: that server or an error, nothing started
rc=0
NOPORT=$(free_port)
"$REVWIRE" sensor -q -r "$CAP" --set state-dir="$TMP/st2" \
    --redis "redis://alice:hunter2@127.0.0.1:$NOPORT/1" 2>"$TMP/err" || rc=$?
check "unreachable --redis (exit)" 1 "$rc"
check "unreachable --redis (message)" \
    "revwire sensor: redis 127.0.0.1:$NOPORT: Connection refused (--no-redis runs without Redis)" \
    "$(cat "$TMP/err")"
check "nothing started for --redis" absent \
    "$([ -e "$TMP/st2/redis.sock" ] && echo present || echo absent)"
rc=0
"$REVWIRE" sensor -q -r "$CAP" --set state-dir="$TMP/st3" --redis 'http://u:hunter2@h/' 2>"$TMP/err" || rc=$?
check "bad --redis (exit)" 1 "$rc"
grep -q "want redis://" "$TMP/err" || { echo "FAIL: bad URL message: $(cat "$TMP/err")"; fail=1; }
if grep -q hunter2 "$TMP/err"; then echo "FAIL: password in a message"; fail=1; fi
exit $fail
