#!/bin/sh
# A server whose reply header claims 668000000 elements or bytes (a broken
# Redis, or anyone on the path to a TCP one; tests/redis-huge.py): `revwire
# query stats` and `revwire ingest` stop with one line naming the limit,
# count it, and stay small (ingest spools its writes, as for a Redis that is
# away), where hiredis alone would calloc 5 GB for the
# array or buffer the 668 MB the server streams after the bulk header.
# REVWIRE_HUGE_PORT (default: a free one): the TCP port of the TCP case.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup"
EP="$top_srcdir/tests/data/endpoint/seed_sysmon7.jsonl"
SOCK="$TMP/fake.sock"
PORT=${REVWIRE_HUGE_PORT:-$(free_port)}
fake=""
stop_fake() {
	[ -n "$fake" ] || return 0
	kill "$fake" 2>/dev/null || true
	wait "$fake" 2>/dev/null || true
	fake=""
}
trap 'stop_fake; rm -rf "$TMP"' EXIT INT TERM
fail=0
serve() {	# serve WHERE MODE
	stop_fake
	rm -f "$TMP/ready"
	python3 "$top_srcdir/tests/redis-huge.py" "$1" "$2" >"$TMP/ready" &
	fake=$!
	i=0; until grep -q ready "$TMP/ready" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 200 ] || { echo "fake server did not start"; exit 1; }
		sleep 0.05
	done
}
# run ARGS...: revwire's exit code in $rc, stderr in $TMP/err, its peak
# resident size in kB in $rss
run() {
	python3 -c 'import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:], stdout=subprocess.DEVNULL,
    stderr=open(sys.argv[1], "w"))
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' \
	    "$TMP/err" "$REVWIRE" "$@" >"$TMP/run"
	read -r rc rss <"$TMP/run"
}
small() {	# small WHAT: the peak stayed under 150 MB
	if [ "$rss" -lt 153600 ]; then echo "ok $1: peak $rss kB"
	else echo "FAIL: $1: peak $rss kB"; fail=1; fi
}
ELEMENTS="reply refused: 668000000 elements > redis-max-reply-elements 4000000"
BYTES="reply refused: 668000000 string bytes > redis-max-reply-bytes 536870912"

serve "$SOCK" array
run query stats --redis "unix://$SOCK"
check "query, array (exit)" 1 "$rc"
check "query, array (message)" "revwire query: redis unix:$SOCK: $ELEMENTS" \
    "$(cat "$TMP/err")"
small "query, array"
run ingest -r "$EP" --redis "unix://$SOCK" --set state-dir="$TMP/st" --stats
# as with a Redis that is away: the run ends, its writes wait in the spool
check "ingest, array (exit)" 0 "$rc"
check "ingest, array (message)" 1 \
    "$(grep -c "^revwire ingest: .*redis unix:$SOCK: $ELEMENTS; unsent events are spooled$" "$TMP/err")"
# each connection revwire made met the header; how many it made depends
# on the reconnect backoff, each refusal is counted
n=$(sed -n 's/^redis_reply_too_large //p' "$TMP/err")
check "ingest, array (counted)" yes "$([ "${n:-0}" -ge 2 ] && echo yes)"
check "ingest, array (counted = connections refused)" \
    "$(sed -n 's/^redis_connect_failed //p' "$TMP/err")" "$((n - 1))"
check "ingest, array (events kept)" 14 "$(sed -n 's/^endpoint_events_kept //p' "$TMP/err")"
n=$(sed -n 's/^redis_spooled //p' "$TMP/err")
check "ingest, array (writes spooled)" yes "$([ "${n:-0}" -ge 1 ] && echo yes)"
check "ingest, array (none dropped)" "" "$(sed -n 's/^redis_spool_dropped //p' "$TMP/err")"
small "ingest, array"

serve "$SOCK" bulk
run query stats --redis "unix://$SOCK"
check "query, bulk (exit)" 1 "$rc"
check "query, bulk (message)" "revwire query: redis unix:$SOCK: $BYTES" \
    "$(cat "$TMP/err")"
small "query, bulk"
# a lower limit from the config
printf 'redis-max-reply-elements 1024\n' >"$TMP/rw.conf"
serve "$SOCK" array
run ingest -r "$EP" --redis "unix://$SOCK" --config "$TMP/rw.conf" \
    --set state-dir="$TMP/st2"
check "ingest, configured limit" yes "$(grep -q "redis unix:$SOCK: reply refused: 668000000 elements > redis-max-reply-elements 1024" "$TMP/err" && echo yes)"

# the same over TCP, as from a man in the middle
serve "tcp:$PORT" array
run query stats --redis "redis://127.0.0.1:$PORT"
check "query, TCP (exit)" 1 "$rc"
check "query, TCP (message)" "revwire query: redis 127.0.0.1:$PORT: $ELEMENTS" \
    "$(cat "$TMP/err")"
small "query, TCP"
exit $fail
