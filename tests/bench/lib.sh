# shellcheck shell=sh
# tests/bench/lib.sh - sourced by the bench scripts that need a Redis.
# bench_redis: a work dir ($work, removed on exit) and a throwaway
# redis-server on the unix socket $sock in it (no TCP port, no
# persistence), stopped on exit.
bench_redis() {
	work=$(mktemp -d "${TMPDIR:-/tmp}/revwire-bench.XXXXXX")
	sock="$work/redis.sock"
	trap bench_cleanup EXIT
	trap 'exit 1' INT TERM
	redis-server --port 0 --unixsocket "$sock" --dir "$work" --save "" \
	    --appendonly no --daemonize yes --pidfile "$work/redis.pid" \
	    --logfile "$work/redis.log"
	_i=0
	until redis-cli -s "$sock" PING >/dev/null 2>&1; do
		_i=$((_i + 1))
		[ $_i -lt 100 ] || { echo "redis-server did not start"; exit 1; }
		sleep 0.05
	done
}

bench_cleanup() {
	[ ! -f "$work/redis.pid" ] || kill "$(cat "$work/redis.pid")" 2>/dev/null || true
	rm -rf "$work"
}
