#!/bin/sh
# The key schema on a real Redis Cluster (redis-server --cluster-enabled yes
# on 127.0.0.1, on free ports: each node's client and cluster bus port).
#
# One node owning all 16384 slots: the plain client reaches every key, and
# the node still refuses what a cluster cannot route (CROSSSLOT commands,
# script keys outside the declared key's slot: checked below on purpose),
# so the correlation end to end (real-tools.pcap + its Sysmon events, both
# orders), the CA registry (pki-wire.pcap stored, then restored by a second
# sensor), a Winlogbeat list consumed, ack, and the query commands give
# exactly tests/expected/corr/real-tools.alerts with no error reply on the
# node (INFO errorstats empty).
#
# Three masters made by redis-cli --cluster create: the same with
# redis-cluster yes (redis/cluster.c, seeded with the second master), the
# tags spread over the masters as docs/redis-schema.md says, the library
# loaded on each master; then slots moved under a connected ingester
# (MOVED for {ep}, ASK for a half-migrated {rw}), the master of {rw}
# restarted empty, and a failover to a promoted replica after the seed died
# change nothing.  A plain server with redis-cluster yes: a clear error.
. "$top_srcdir/tests/setup"
command -v redis-server >/dev/null 2>&1 ||
    skip "redis-server not found (Debian package redis-server)"
command -v redis-cli >/dev/null 2>&1 || skip "redis-cli not found"
case "$(redis-server --version)" in
*v=[0-6].*) skip "redis-server older than 7 (no FUNCTION/FCALL)" ;;
esac
# Ports nobody holds, for the six servers (fixed ones collided with other
# runs of this test and can with a user's services); bus ports are taken
# as the nodes start (Redis 7's --cluster-port).
USED=
for v in ONE M1 M2 M3 P REP; do
	_p=$(free_port $USED)
	USED="$USED $_p"
	eval "$v=\$_p"
done
PCAP="$top_srcdir/tests/data/gen/real-tools.pcap"
PKI="$top_srcdir/tests/data/gen/pki-wire.pcap"
SYSMON="$top_srcdir/tests/data/corr/real-tools.sysmon.jsonl"
WLB="$top_srcdir/tests/data/endpoint/real/winlogbeat6_sysmon3.jsonl"
EXPECTED="$top_srcdir/tests/expected/corr/real-tools.alerts"
PORTS=
fail=0

stop_nodes() {
	for p in $PORTS; do
		[ -f "$TMP/$p/pid" ] || continue
		pid=$(cat "$TMP/$p/pid")
		kill "$pid" 2>/dev/null || continue
		i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
			i=$((i + 1)); sleep 0.05
		done
	done
}
trap 'stop_nodes; rm -rf "$TMP"' EXIT INT TERM

start_node() {	# port (a restarted node keeps its bus port)
	mkdir -p "$TMP/$1"
	if [ ! -f "$TMP/$1/bus" ]; then
		free_port $USED >"$TMP/$1/bus"
		USED="$USED $(cat "$TMP/$1/bus")"
	fi
	redis-server --port "$1" --bind 127.0.0.1 --cluster-enabled yes \
	    --cluster-port "$(cat "$TMP/$1/bus")" \
	    --cluster-config-file "$TMP/$1/nodes.conf" --dir "$TMP/$1" \
	    --save '' --appendonly no --daemonize yes --cluster-node-timeout 1000 \
	    --pidfile "$TMP/$1/pid" --logfile "$TMP/$1/log" 3>&-	# not the FIFO
	case " $PORTS " in *" $1 "*) ;; *) PORTS="$PORTS $1" ;; esac
	i=0; until redis-cli -p "$1" PING >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 100 ] || { cat "$TMP/$1/log"; echo "FAIL node $1 did not start"; exit 1; }
		sleep 0.05
	done
}
R() { _p=$1; shift; redis-cli -p "$_p" "$@"; }
wait_ok() {	# port...: until every node says cluster_state:ok
	for p in "$@"; do
		i=0; until R "$p" CLUSTER INFO | grep -q '^cluster_state:ok'; do
			i=$((i + 1))
			[ $i -lt 200 ] || { echo "FAIL cluster on $p not ok"; exit 1; }
			sleep 0.05
		done
	done
}
project() {	# alerts JSON lines -> tests/corr-e2e.sh's columns
	python3 -c '
import json, sys
print("# rule\tscore\tseverity\thost\timage\tserial\tca\tcount\ttool_image\tfirst_seen\tlast_seen")
for l in sys.stdin:
    a = json.loads(l)
    print("\t".join(str(a.get(k, "-")) for k in ("rule", "score", "severity",
        "host", "image", "serial", "ca", "count", "tool_image", "first_seen",
        "last_seen")))'
}
errorstats() {	# error replies the nodes sent, "" when none
	for p in $PORTS; do R "$p" INFO errorstats | tr -d '\r' | grep '^errorstat_' |
	    sed "s/^/$p /"; done
}
flushall() {	# on the masters
	for p in ${MASTERS:-$PORTS}; do R "$p" FLUSHALL >/dev/null; done
}
# KEY: the port of the master that holds KEY
owner() {
	slot=$(R "$FIRST" CLUSTER KEYSLOT "$1")
	R "$FIRST" CLUSTER SLOTS | awk -v s="$slot" '
	    /^[0-9]+$/ { v[n++] = $1 }
	    END { for (i = 0; i + 2 < n; i += 3) if (v[i] <= s && s <= v[i+1]) { print v[i+2]; exit } }'
}

# the whole end to end against URL with the extra options in OPTS
e2e() {	# name
	_n=$1
	flushall
	"$REVWIRE" sensor -q -r "$PCAP" --redis "$URL" $OPTS --json "$TMP/$_n.s1" --set state-dir="$TMP/state"
	"$REVWIRE" ingest --redis "$URL" $OPTS -r "$SYSMON" --set state-dir="$TMP/state" > "$TMP/$_n.i1"
	"$REVWIRE" query --redis "$URL" $OPTS --json alerts > "$TMP/$_n.json"
	project < "$TMP/$_n.json" > "$TMP/$_n.alerts"
	if cmp -s "$EXPECTED" "$TMP/$_n.alerts"; then echo "ok $_n: alerts, endpoint last"; else
		echo "FAIL $_n: alerts, endpoint last"; diff "$EXPECTED" "$TMP/$_n.alerts" | head -20; fail=1; fi
	flushall
	"$REVWIRE" ingest --redis "$URL" $OPTS -r "$SYSMON" --set state-dir="$TMP/state" > "$TMP/$_n.i2"
	"$REVWIRE" sensor -q -r "$PCAP" --redis "$URL" $OPTS --json "$TMP/$_n.s2" --set state-dir="$TMP/state"
	"$REVWIRE" query --redis "$URL" $OPTS --json alerts | project > "$TMP/$_n.alerts2"
	if cmp -s "$EXPECTED" "$TMP/$_n.alerts2"; then echo "ok $_n: alerts, endpoint first"; else
		echo "FAIL $_n: alerts, endpoint first"; diff "$EXPECTED" "$TMP/$_n.alerts2" | head -20; fail=1; fi
	check "$_n: wire events in the stream" 17 "$("$REVWIRE" query --redis "$URL" $OPTS --json stats |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)["wire_events"])')"

	# the query side reads alerts, evidence, certificates, hosts, CAs
	ID=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["id"])' "$TMP/$_n.json")
	"$REVWIRE" query --redis "$URL" $OPTS alert "$ID" > "$TMP/$_n.alert"
	grep -q '"rule": "revoked_confirmed"' "$TMP/$_n.alert" &&
	    [ "$(sed -n '/^evidence:/,$p' "$TMP/$_n.alert" | sed 1d | wc -l)" = 12 ] &&
	    echo "ok $_n: alert ID with its 12 evidence events" ||
	    { echo "FAIL $_n: alert ID"; cat "$TMP/$_n.alert"; fail=1; }
	check "$_n: ack" "$ID acknowledged" "$("$REVWIRE" alert --redis "$URL" $OPTS ack "$ID")"
	check "$_n: acknowledged alerts" 1 "$("$REVWIRE" query --redis "$URL" $OPTS --json alerts --status acknowledged | wc -l)"
	"$REVWIRE" query --redis "$URL" $OPTS cert 7FFFFF > "$TMP/$_n.cert"
	grep -q '"reason":"keyCompromise"' "$TMP/$_n.cert" && grep -q revoked_confirmed "$TMP/$_n.cert" &&
	    echo "ok $_n: cert 7FFFFF" || { echo "FAIL $_n: cert"; cat "$TMP/$_n.cert"; fail=1; }
	"$REVWIRE" query --redis "$URL" $OPTS host ws-sign01 > "$TMP/$_n.host"
	grep -q certutil.exe "$TMP/$_n.host" && grep -q payload.exe "$TMP/$_n.host" &&
	    echo "ok $_n: host timeline" || { echo "FAIL $_n: host"; cat "$TMP/$_n.host"; fail=1; }
	check "$_n: cas" "2 16" "$("$REVWIRE" query --redis "$URL" $OPTS --json cas | python3 -c '
import json, sys
c = [json.loads(l) for l in sys.stdin]
print(len(c), max(x["events"] for x in c))')"

	# the CA registry: stored by one sensor, restored by the next
	"$REVWIRE" sensor -r "$PKI" --redis "$URL" $OPTS --json /dev/null \
	    --set state-dir="$TMP/state" 2>/dev/null
	"$REVWIRE" sensor -r "$PKI" --redis "$URL" $OPTS --json "$TMP/$_n.pki" \
	    --set state-dir="$TMP/state" 2>"$TMP/$_n.pki.err"
	check "$_n: CA certificates restored" "ca_registry_restored 3" \
	    "$(grep '^ca_registry_restored ' "$TMP/$_n.pki.err" || true)"

	# a Winlogbeat list consumed into the endpoint stream
	python3 -c '
import sys
for l in open(sys.argv[1]):
    l = l.strip()
    if l:
        b = l.encode()
        sys.stdout.buffer.write(b"*3\r\n$5\r\nRPUSH\r\n$10\r\nwinlogbeat\r\n$%d\r\n%s\r\n" % (len(b), b))
' "$WLB" > "$TMP/push.resp"
	nwlb=$(grep -c . "$WLB")
	R "$(owner winlogbeat)" --pipe < "$TMP/push.resp" >/dev/null
	xlen0=$(R "$(owner 'rw:{ep}:events')" XLEN 'rw:{ep}:events')
	"$REVWIRE" ingest --from-redis-list --until-empty --redis "$URL" $OPTS \
	    --set state-dir="$TMP/state" 2>/dev/null
	check "$_n: list consumed" 0 "$(R "$(owner winlogbeat)" LLEN winlogbeat)"
	check "$_n: list events in the stream" "$((xlen0 + nwlb))" \
	    "$(R "$(owner 'rw:{ep}:events')" XLEN 'rw:{ep}:events')"
	check "$_n: no error reply on any node" "" "$(errorstats)"
}

# --- one node, every slot -------------------------------------------------
FIRST=$ONE
start_node "$ONE"
R "$ONE" CLUSTER ADDSLOTSRANGE 0 16383 >/dev/null
wait_ok "$ONE"
# what the test relies on: the node refuses a multi-key command across
# slots and a script touching a key outside its declared key's slot
R "$ONE" MSET 'rw:{rw}:a' 1 'rw:{ep}:a' 1 2>&1 | grep -q CROSSSLOT &&
    echo "ok one node: CROSSSLOT refused" || { echo "FAIL no CROSSSLOT"; fail=1; }
# (scripts with a shebang, as revwire's are; one without runs in the
# compatibility mode that lets a lone node serve any local key)
R "$ONE" EVAL "#!lua
return redis.call('GET', 'rw:{ep}:x')" 1 'rw:{rw}:meta' 2>&1 |
    grep -q 'do not hash to the same slot' &&
    echo "ok one node: undeclared script key in another slot refused" ||
    { echo "FAIL undeclared key accepted"; fail=1; }
R "$ONE" CONFIG RESETSTAT >/dev/null
URL="redis://127.0.0.1:$ONE"
OPTS=
e2e one-node
stop_nodes
PORTS=

# --- three masters ----------------------------------------------------------
if ! "$REVWIRE" sensor --dump-config 2>/dev/null | grep -q '^redis-cluster '; then
	echo "SKIP three masters: this revwire has no redis-cluster"
	exit $fail
fi
FIRST=$M1
for p in $M1 $M2 $M3; do start_node "$p"; done
redis-cli --cluster create 127.0.0.1:$M1 127.0.0.1:$M2 127.0.0.1:$M3 \
    --cluster-yes >"$TMP/create.log" 2>&1 ||
    { cat "$TMP/create.log"; echo "FAIL cluster create"; exit 1; }
wait_ok $M1 $M2 $M3
for p in $PORTS; do R "$p" CONFIG RESETSTAT >/dev/null; done
# the seed is the second master: the client must find the others
URL="redis://127.0.0.1:$M2"
echo "redis-cluster yes" > "$TMP/cluster.conf"
OPTS="--config $TMP/cluster.conf"
e2e three-masters
# the schema's tags land on different masters, each master has the library
# (slots: {wire} 1178 and {ep} 2632 on the first, {rw} 8267 and {ca} 8958
# on the second, winlogbeat 11616 on the third)
check "tags spread over the masters" "$M1 $M1 $M2 $M2 $M3" "$(for k in 'rw:{wire}:events' \
    'rw:{ep}:events' 'rw:{rw}:meta' 'rw:{ca}:wire' winlogbeat; do owner "$k"; done | xargs)"
for p in $M1 $M2 $M3; do
	check "library on master $p" revwire "$(R "$p" FUNCTION LIST LIBRARYNAME revwire | sed -n 2p)"
done

# --- slots moving under a running client --------------------------------------
# An ingester is connected (its map says {rw} and {ep} are where they were)
# and waits on a FIFO; then the {ep} slot moves to another master for good
# (its writes get MOVED) and the {rw} slot is left half-migrated with every
# key already on the new master (its FCALLs get ASK); the same alerts.
node_id() { R "$1" CLUSTER MYID; }
migrate_keys() {	# slot from to
	keys=$(R "$2" CLUSTER GETKEYSINSLOT "$1" 100000)
	[ -z "$keys" ] || R "$2" MIGRATE 127.0.0.1 "$3" "" 0 5000 KEYS $keys >/dev/null
}
flushall
"$REVWIRE" sensor -q -r "$PCAP" --redis "$URL" $OPTS --json /dev/null --set state-dir="$TMP/state"
mkfifo "$TMP/fifo"
"$REVWIRE" ingest --redis "$URL" $OPTS -r "$TMP/fifo" --stats \
    --set state-dir="$TMP/state" >/dev/null 2>"$TMP/moving.err" & ingest_pid=$!
exec 3>"$TMP/fifo"	# opened: the ingester has connected (it opens its input after)
EPS=$(R $M1 CLUSTER KEYSLOT 'rw:{ep}:events'); EPF=$(owner 'rw:{ep}:events')
RWS=$(R $M1 CLUSTER KEYSLOT 'rw:{rw}:meta'); RWF=$(owner 'rw:{rw}:meta')
for p in $M1 $M2 $M3; do [ "$p" = "$EPF" ] || EPT=$p; done
for p in $M1 $M2 $M3; do [ "$p" = "$RWF" ] || [ "$p" = "$EPT" ] || RWT=$p; done
[ -n "${RWT:-}" ] || for p in $M1 $M2 $M3; do [ "$p" = "$RWF" ] || RWT=$p; done
R "$EPT" CLUSTER SETSLOT "$EPS" IMPORTING "$(node_id "$EPF")" >/dev/null
R "$EPF" CLUSTER SETSLOT "$EPS" MIGRATING "$(node_id "$EPT")" >/dev/null
migrate_keys "$EPS" "$EPF" "$EPT"
for p in $M1 $M2 $M3; do R "$p" CLUSTER SETSLOT "$EPS" NODE "$(node_id "$EPT")" >/dev/null; done
R "$RWT" CLUSTER SETSLOT "$RWS" IMPORTING "$(node_id "$RWF")" >/dev/null
R "$RWF" CLUSTER SETSLOT "$RWS" MIGRATING "$(node_id "$RWT")" >/dev/null
migrate_keys "$RWS" "$RWF" "$RWT"
cat "$SYSMON" >&3
exec 3>&-
wait $ingest_pid || { echo "FAIL ingester exit status $?"; fail=1; }
for p in $M1 $M2 $M3; do R "$p" CLUSTER SETSLOT "$RWS" NODE "$(node_id "$RWT")" >/dev/null; done
check "slots moved: {ep} now on $EPT" "$EPT" "$(owner 'rw:{ep}:events')"
check "slots moved: {rw} now on $RWT" "$RWT" "$(owner 'rw:{rw}:meta')"
grep -q '^redis_cluster_moved [1-9]' "$TMP/moving.err" && echo "ok MOVED followed" ||
    { echo "FAIL no MOVED counted"; cat "$TMP/moving.err"; fail=1; }
grep -q '^redis_cluster_ask [1-9]' "$TMP/moving.err" && echo "ok ASK followed" ||
    { echo "FAIL no ASK counted"; cat "$TMP/moving.err"; fail=1; }
check "slots moved: no error reply to the ingester" "" \
    "$(grep '^redis_reply_error ' "$TMP/moving.err" || true)"
"$REVWIRE" query --redis "$URL" $OPTS --json alerts | project > "$TMP/moving.alerts"
if cmp -s "$EXPECTED" "$TMP/moving.alerts"; then echo "ok slots moved: the same alerts"; else
	echo "FAIL slots moved: alerts"; diff "$EXPECTED" "$TMP/moving.alerts" | head -20; fail=1; fi

# --- a master restarted under a running client ---------------------------------
# The master holding {rw} restarts empty (no persistence: its data and the
# function library are gone) while an ingester is connected: its FCALL
# there fails, the whole connection is dropped, the writes are spooled,
# and the reconnect (after the backoff) loads the library on every master
# again before the spool is replayed; the sensor run after it gives the
# same alerts (endpoint events first).
flushall
RWM=$(owner 'rw:{rw}:meta')
"$REVWIRE" ingest --redis "$URL" $OPTS -r "$TMP/fifo" --stats \
    --set state-dir="$TMP/state-restart" >/dev/null 2>"$TMP/restart.err" & ingest_pid=$!
exec 3>"$TMP/fifo"
pid=$(cat "$TMP/$RWM/pid")
kill "$pid"
i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.05; done
start_node "$RWM"
wait_ok $M1 $M2 $M3
check "restarted master has no library" "" "$(R "$RWM" FUNCTION LIST LIBRARYNAME revwire)"
cat "$SYSMON" >&3
exec 3>&-
wait $ingest_pid || { echo "FAIL ingester exit status $?"; fail=1; }
# (its counters are printed before the last flush: the spool is replayed
# after them, which the alerts below show; its state-dir is its own, so no
# other process replays its spool)
check "restart: the ingester's connection broke" "redis_io_error 1" \
    "$(grep '^redis_io_error ' "$TMP/restart.err" || true)"
check "restart: no error reply to the ingester" "" "$(grep '^redis_reply_error ' "$TMP/restart.err" || true)"
check "restart: library loaded again" revwire "$(R "$RWM" FUNCTION LIST LIBRARYNAME revwire | sed -n 2p)"
"$REVWIRE" sensor -q -r "$PCAP" --redis "$URL" $OPTS --json /dev/null --set state-dir="$TMP/state"
"$REVWIRE" query --redis "$URL" $OPTS --json alerts | project > "$TMP/restart.alerts"
if cmp -s "$EXPECTED" "$TMP/restart.alerts"; then echo "ok restart: the same alerts"; else
	echo "FAIL restart: alerts"; diff "$EXPECTED" "$TMP/restart.alerts" | head -20; fail=1; fi

# --- failover: the seed and {rw}'s master die, its replica takes over ------------
# The ingester was seeded with the master of {rw}; that master is killed
# and its replica promoted.  The ingester's FCALL fails, and the reconnect
# finds the seed gone: it takes another node of its last map as the seed,
# and CLUSTER SLOTS there names the promoted replica.
RWM=$(owner 'rw:{rw}:meta')
start_node "$REP"
redis-cli --cluster add-node 127.0.0.1:$REP 127.0.0.1:$RWM --cluster-slave \
    --cluster-master-id "$(node_id "$RWM")" >"$TMP/add.log" 2>&1 ||
    { cat "$TMP/add.log"; echo "FAIL add-node"; exit 1; }
MASTERS="$M1 $M2 $M3"
i=0; until R "$REP" INFO replication | grep -q '^master_link_status:up'; do
	i=$((i + 1)); [ $i -lt 200 ] || { echo "FAIL replica never synced"; exit 1; }; sleep 0.05
done
flushall
"$REVWIRE" ingest --redis "redis://127.0.0.1:$RWM" $OPTS -r "$TMP/fifo" --stats \
    --set state-dir="$TMP/state-failover" >/dev/null 2>"$TMP/failover.err" & ingest_pid=$!
exec 3>"$TMP/fifo"
kill "$(cat "$TMP/$RWM/pid")"
MASTERS=; for p in $M1 $M2 $M3 $REP; do [ "$p" = "$RWM" ] || MASTERS="$MASTERS $p"; done
i=0; until [ "$(R "$REP" ROLE | head -n 1)" = master ]; do
	i=$((i + 1)); [ $i -lt 300 ] || { echo "FAIL no failover"; exit 1; }; sleep 0.05
done
wait_ok $MASTERS
cat "$SYSMON" >&3
exec 3>&-
wait $ingest_pid || { echo "FAIL ingester exit status $?"; fail=1; }
check "failover: the ingester's connection broke" "redis_io_error 1" \
    "$(grep '^redis_io_error ' "$TMP/failover.err" || true)"
check "failover: no error reply to the ingester" "" "$(grep '^redis_reply_error ' "$TMP/failover.err" || true)"
FIRST=$REP
check "failover: {rw} now on the promoted replica" "$REP" "$(owner 'rw:{rw}:meta')"
URL="redis://127.0.0.1:$REP"
"$REVWIRE" sensor -q -r "$PCAP" --redis "$URL" $OPTS --json /dev/null --set state-dir="$TMP/state"
"$REVWIRE" query --redis "$URL" $OPTS --json alerts | project > "$TMP/failover.alerts"
if cmp -s "$EXPECTED" "$TMP/failover.alerts"; then echo "ok failover: the same alerts"; else
	echo "FAIL failover: alerts"; diff "$EXPECTED" "$TMP/failover.alerts" | head -20; fail=1; fi

# redis-cluster yes against a server that is no cluster node: a clear error
mkdir -p "$TMP/$P"
redis-server --port "$P" --bind 127.0.0.1 --save '' --daemonize yes \
    --pidfile "$TMP/$P/pid" --logfile "$TMP/$P/log" --dir "$TMP/$P"
PORTS="$PORTS $P"
i=0; until R "$P" PING >/dev/null 2>&1; do i=$((i + 1)); [ $i -lt 100 ] || exit 1; sleep 0.05; done
if "$REVWIRE" query --redis "redis://127.0.0.1:$P" $OPTS stats 2>"$TMP/plain.err"; then
	echo "FAIL a plain server taken for a cluster"; fail=1
else
	grep -q 'CLUSTER SLOTS refused (redis-cluster yes needs a cluster node): ERR This instance has cluster support disabled' "$TMP/plain.err" &&
	    echo "ok plain server: clear error" || { echo "FAIL plain server error"; cat "$TMP/plain.err"; fail=1; }
fi
exit $fail
