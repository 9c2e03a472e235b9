#!/bin/sh
# A Redis that refuses, as the user meets it: a wrong or missing password
# stops `revwire sensor` at start with one clear line (never the
# password); a read-only replica and an out-of-memory server let the run
# finish, with every refused write counted by reason and a warning that
# quotes Redis.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup"
. "$top_srcdir/tests/redis.sh"
command -v redis-server >/dev/null || skip "redis-server is not installed"
CAP="$top_srcdir/tests/data/gen/real-tools.pcap"
EP="$top_srcdir/tests/data/endpoint/seed_sysmon7.jsonl"
SOCK="$TMP/redis.sock"
trap 'stop_redis; rm -rf "$TMP"' EXIT INT TERM
fail=0
serve() {	# serve ARGS...: a fresh server on $SOCK
	stop_redis
	redis-server --port 0 --unixsocket "$SOCK" --dir "$TMP" --save "" \
	    --daemonize yes --pidfile "$TMP/redis.pid" --logfile "$TMP/redis.log" "$@"
	i=0; until [ -S "$SOCK" ] && [ -f "$TMP/redis.pid" ]; do
		i=$((i + 1)); [ $i -lt 100 ] || { echo "redis-server did not start"; exit 1; }
		sleep 0.05
	done
}
run() {	# run WHAT ARGS...: exit code in $rc, stderr in $TMP/err
	rc=0
	"$REVWIRE" "$@" --set state-dir="$TMP/st" 2>"$TMP/err" >/dev/null || rc=$?
}

serve --requirepass 'c0rrect-horse'
run sensor -r "$CAP" --redis "unix://:wr0ng-pw@$SOCK"
check "wrong password (exit)" 1 "$rc"
check "wrong password (message)" "revwire sensor: redis unix:$SOCK: AUTH refused for user 'default': WRONGPASS invalid username-password pair or user is disabled. (--no-redis runs without Redis)" "$(cat "$TMP/err")"
run sensor -r "$CAP" --redis "unix://$SOCK"
check "no password (exit)" 1 "$rc"
check "no password (message)" "revwire sensor: redis unix:$SOCK: the server wants a password (set redis-password or put it in the URL) (--no-redis runs without Redis)" "$(cat "$TMP/err")"
run ingest -r "$EP" --redis "unix://$SOCK" --set redis-password=wr0ng-pw
check "ingest, wrong password (exit)" 1 "$rc"
if grep -q "wr0ng\|c0rrect" "$TMP/err"; then echo "FAIL: a password in a message"; fail=1; fi
run sensor -r "$CAP" --redis "unix://$SOCK" --set redis-password=c0rrect-horse
check "right password from the config (exit)" 0 "$rc"
"$REVWIRE" sensor --redis "redis://alice:c0rrect-horse@127.0.0.1:1/2" \
    --set redis-password=c0rrect-horse --dump-config >"$TMP/dump"
check "dump: URL password masked" 'redis-url "redis://alice:********@127.0.0.1:1/2"' \
    "$(grep '^redis-url ' "$TMP/dump")"
check "dump: password masked" 'redis-password "********"' \
    "$(grep '^redis-password ' "$TMP/dump")"
if grep -q c0rrect "$TMP/dump"; then echo "FAIL: a password in --dump-config"; fail=1; fi

serve --replicaof 127.0.0.1 18134
run sensor -r "$CAP" --redis "unix://$SOCK"
check "read-only replica (exit)" 0 "$rc"
# the 17 events and the one CA certificate the capture teaches (rw:{ca}:wire)
check "read-only replica (warning)" "revwire: redis: 18 writes refused (last: READONLY You can't write against a read only replica.)" "$(grep 'writes refused' "$TMP/err")"
check "read-only replica (counter)" "redis_reply_readonly 18" "$(grep '^redis_reply_readonly' "$TMP/err")"

serve --maxmemory-policy noeviction
# below what the empty server already uses: every write is refused
redis-cli -s "$SOCK" CONFIG SET maxmemory 100kb >/dev/null
run ingest -r "$EP" --redis "unix://$SOCK" --stats
check "out of memory (exit)" 0 "$rc"
grep -q "^revwire: redis: [0-9]* writes refused (last: OOM command not allowed" "$TMP/err" ||
    { echo "FAIL: no OOM warning: $(cat "$TMP/err")"; fail=1; }
check "out of memory (every kept event refused)" \
    "$(sed -n 's/^endpoint_events_kept //p' "$TMP/err")" \
    "$(sed -n 's/^ep_redis_refused //p' "$TMP/err")"
exit $fail
