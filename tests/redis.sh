# tests/redis.sh - sourced after tests/setup by the tests that need a real
# redis-server: start_redis starts a throwaway one on a unix socket in
# $TMP (no TCP port, no persistence) and sets REDIS_URL; it is killed on
# exit.  Skips when redis-server is absent or older than 7 (functions).
start_redis() {
	command -v redis-server >/dev/null 2>&1 ||
	    skip "redis-server not found (Debian package redis-server)"
	case "$(redis-server --version)" in
	*v=[0-6].*) skip "redis-server older than 7 (no FUNCTION/FCALL)" ;;
	esac
	REDIS_SOCK="$TMP/redis.sock"
	redis-server --port 0 --unixsocket "$REDIS_SOCK" --dir "$TMP" \
	    --save '' --appendonly no >"$TMP/redis.log" 2>&1 &
	REDIS_PID=$!
	trap 'kill $REDIS_PID 2>/dev/null; wait $REDIS_PID 2>/dev/null; rm -rf "$TMP"' EXIT INT TERM
	REDIS_URL="unix://$REDIS_SOCK"
	_i=0
	until redis-cli -s "$REDIS_SOCK" ping >/dev/null 2>&1; do
		_i=$((_i + 1))
		[ $_i -lt 100 ] || { cat "$TMP/redis.log"; echo "FAIL redis-server did not start"; exit 1; }
		sleep 0.05
	done
}

# stop_redis: for the tests that start a daemonized server of their own
# with $TMP/redis.pid: SIGTERM and wait, so its last log line lands before
# rm -rf.
stop_redis() {
	[ -f "$TMP/redis.pid" ] || return 0
	pid=$(cat "$TMP/redis.pid")
	kill "$pid" 2>/dev/null || return 0
	i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
		i=$((i + 1)); sleep 0.05
	done
}

# rcli ARGS...: redis-cli on the test server
rcli() {
	redis-cli -s "$REDIS_SOCK" "$@"
}
