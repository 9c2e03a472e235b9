#!/bin/sh
# `revwire ingest --stats` prints its counters after the final flush: the
# counters hash the ingester writes into Redis at close holds the values
# before that flush, so --stats shows exactly one batch and three writes
# (DEL, HSET, EXPIRE of that hash) more than the hash does.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup"
. "$top_srcdir/tests/redis.sh"
command -v redis-server >/dev/null || skip "redis-server is not installed"
command -v redis-cli >/dev/null || skip "redis-cli is not installed"
EP="$top_srcdir/tests/data/endpoint/seed_sysmon7.jsonl"
SOCK="$TMP/redis.sock"
trap 'stop_redis; rm -rf "$TMP"' EXIT INT TERM
fail=0
redis-server --port 0 --unixsocket "$SOCK" --dir "$TMP" --save "" \
    --daemonize yes --pidfile "$TMP/redis.pid" --logfile "$TMP/redis.log"
i=0; until [ -S "$SOCK" ] && [ -f "$TMP/redis.pid" ]; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "redis-server did not start"; exit 1; }
	sleep 0.05
done

rc=0
"$REVWIRE" ingest -r "$EP" --redis "unix://$SOCK" --set state-dir="$TMP/st" \
    --stats >/dev/null 2>"$TMP/stats" || rc=$?
check "ingest exit" 0 "$rc"
stat() { sed -n "s/^$1 //p" "$TMP/stats"; }
key=$(redis-cli -s "$SOCK" --scan --pattern 'rw:{stats}:ingest:*')
[ -n "$key" ] || { echo "FAIL: no counters hash"; cat "$TMP/stats"; exit 1; }
hash() { redis-cli -s "$SOCK" HGET "$key" "$1"; }
check "events kept" 14 "$(stat endpoint_events_kept)"
check "events kept (hash)" 14 "$(hash endpoint_events_kept)"
check "batches: the final flush counted" "$(($(hash redis_batches) + 1))" \
    "$(stat redis_batches)"
check "writes: the counters hash's own counted" \
    "$(($(hash redis_written) + 3))" "$(stat redis_written)"
check "events in the stream" 14 "$(redis-cli -s "$SOCK" XLEN 'rw:{ep}:events')"
exit $fail
