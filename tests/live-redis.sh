#!/bin/sh
# A sensor that dropped privileges keeps writing to the private Redis
# across a restart of that server: root starts `revwire sensor -i lo -u
# nobody` with no --redis (the private redis-server under state-dir),
# curl fetches a real CRL, the redis-server is SIGKILLed, a second fetch
# happens while it is away (spooled by the sensor, now nobody), `revwire
# redis start` (root) brings it back, a third fetch follows.  All three CRL
# events are then in rw:{wire}:events (URL, CRL number, revoked count, the
# serials and reasons of openssl's view of the CRL) and the correlation
# recorded the CRL's serials (rw:{rw}:crl:<serial>), so the sensor
# reconnected as nobody and loaded the library.  The state directory is
# shared with nobody's group only: mode 2750, socket 770, spool nobody's;
# a link planted in the (now nobody's) spool is neither given to nobody
# nor written through by a later root process.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup"
. "$top_srcdir/tests/events.sh"
[ "$(id -u)" = 0 ] || skip "live capture needs root"
need_tool curl openssl python3 redis-server redis-cli
case "$(redis-server --version)" in
*v=[0-6].*) skip "redis-server older than 7 (no FUNCTION/FCALL)" ;;
esac
PORT=${REVWIRE_TEST_PORT:-$(free_port)}
STATE="$TMP/state"
SOCK="$STATE/redis.sock"
fail=0

mkdir -p "$TMP/www"
openssl crl -in "$top_srcdir/tests/data/gen/inter.crl.pem" -outform DER \
    -out "$TMP/www/a.crl"
cp "$TMP/www/a.crl" "$TMP/www/b.crl"
cp "$TMP/www/a.crl" "$TMP/www/c.crl"
# serial:reason pairs as openssl reads the CRL (reason "" when none)
openssl crl -in "$TMP/www/a.crl" -inform DER -noout -text | awk '
/Serial Number:/ { if (s != "") print s ":" r; s = $3; r = "" }
/CRL Reason Code:/ { getline; gsub(/^ +| +$/, ""); r = $0 }
END { if (s != "") print s ":" r }' > "$TMP/want.serials"
[ -s "$TMP/want.serials" ] || { echo "FAIL openssl listed no serial"; exit 1; }
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$TMP/www" \
    >"$TMP/httpd.log" 2>&1 &
httpd=$!
chmod 0711 "$TMP"	# nobody may pass through to the state dir, not read it
"$REVWIRE" sensor -i lo -f "tcp port $PORT" -u nobody --set state-dir="$STATE" \
    --json "$TMP/live.json" 2>"$TMP/sensor.err" &
sensor=$!
cleanup() {
	kill "$httpd" "$sensor" 2>/dev/null || true
	"$REVWIRE" redis stop --set state-dir="$STATE" >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

wait_for() {	# wait_for FILE PATTERN: up to 10 s
	i=0
	until grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "FAIL: no '$2' in $1"; cat "$1"; exit 1; }
		sleep 0.1
	done
}
xlen() { redis-cli -s "$SOCK" XLEN 'rw:{wire}:events' 2>/dev/null || echo 0; }
wait_xlen() {	# N: up to 30 s (the sensor retries with backoff)
	i=0
	until [ "$(xlen)" = "$1" ]; do
		i=$((i + 1))
		[ $i -lt 300 ] || { echo "FAIL: rw:{wire}:events has $(xlen), want $1"; cat "$TMP/sensor.err"; exit 1; }
		sleep 0.1
	done
}
fetch() {	# NAME: the flow closes after the body (no keep-alive)
	curl -sf -A 'Microsoft-CryptoAPI/10.0' "http://127.0.0.1:$PORT/$1" -o "$TMP/got" &&
	    cmp -s "$TMP/got" "$TMP/www/$1" || { echo "FAIL: curl $1"; exit 1; }
}
wait_for "$TMP/sensor.err" "capturing on lo"
wait_for "$TMP/httpd.log" "Serving HTTP"
[ "$(ps -o user= -p "$sensor" | tr -d ' ')" = nobody ] ||
    { echo "FAIL: sensor did not drop to nobody"; fail=1; }
[ "$(stat -c '%a %U %G' "$STATE")" = "2750 root nogroup" ] &&
    [ "$(stat -c '%a %G' "$SOCK")" = "770 nogroup" ] &&
    [ "$(stat -c '%a %U' "$STATE/spool")" = "700 nobody" ] &&
    echo "ok state dir shared with nogroup, not with others" ||
    { echo "FAIL modes"; stat -c "%n %a %U %G" "$STATE" "$SOCK" "$STATE/spool" || true; fail=1; }

fetch a.crl
wait_xlen 1
echo "ok event before the restart"
pid=$(cat "$STATE/redis.pid")
kill -9 "$pid"
i=0
while kill -0 "$pid" 2>/dev/null; do i=$((i + 1)); [ $i -lt 100 ] || break; sleep 0.05; done
fetch b.crl
# the sensor tries, fails and spools (as nobody, into STATE/spool)
i=0
until [ -s "$STATE/spool/redis.spool" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "FAIL: nothing spooled"; ls -la "$STATE/spool" || true; fail=1; break; }
	sleep 0.1
done
"$REVWIRE" redis start --set state-dir="$STATE" >/dev/null ||
    { echo "FAIL: redis start"; exit 1; }
[ "$(stat -c '%a %G' "$SOCK")" = "770 nogroup" ] && echo "ok the new socket is nogroup's" ||
    { echo "FAIL new socket $(stat -c '%a %G' "$SOCK")"; fail=1; }
fetch c.crl
wait_xlen 3
echo "ok events during and after the restart"

# what Redis holds: the three fetches, each with the CRL's content
redis-cli -s "$SOCK" --raw XRANGE 'rw:{wire}:events' - + | grep '^{' > "$TMP/stream.json"
python3 - "$TMP/stream.json" "$TMP/want.serials" <<'PY' && echo "ok the CRL events in Redis" || fail=1
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
want = {}
for l in open(sys.argv[2]):
    s, r = l.strip().split(":", 1)
    want[s.upper().lstrip("0") or "0"] = r
urls = sorted(e["http"]["url"] for e in evs)
assert urls == ["/a.crl", "/b.crl", "/c.crl"], urls
for e in evs:
    c = e["crl"]
    got = {x["serial"].lstrip("0") or "0": x.get("reason") or "" for x in c["revoked"]}
    norm = lambda r: r.replace(" ", "").lower()
    if {k: norm(v) for k, v in got.items()} != {k: norm(v) for k, v in want.items()}:
        print("FAIL", e["http"]["url"], "serials/reasons", got, "want", want)
        sys.exit(1)
    assert c["revoked_count"] == len(want), c
PY
for s in $(cut -d: -f1 "$TMP/want.serials" | tr 'a-f' 'A-F'); do
	[ -n "$(redis-cli -s "$SOCK" GET "rw:{rw}:crl:$s")" ] ||
	    { echo "FAIL: rw:{rw}:crl:$s missing"; fail=1; }
done
[ "$(redis-cli -s "$SOCK" HGET 'rw:{rw}:stats' wire_events)" = 3 ] &&
    echo "ok correlation saw the three events" ||
    { echo "FAIL correlation stats"; redis-cli -s "$SOCK" HGETALL 'rw:{rw}:stats'; fail=1; }
kill -TERM "$sensor"
rc=0
wait "$sensor" || rc=$?
[ "$rc" = 0 ] || { echo "FAIL: sensor exited $rc"; cat "$TMP/sensor.err"; fail=1; }
grep -q '^redis_connects [2-9]' "$TMP/sensor.err" && echo "ok reconnected" ||
    { echo "FAIL no reconnect"; grep redis_ "$TMP/sensor.err"; fail=1; }

# the spool is now nobody's: links planted there are never followed by root
echo "root's file" > "$TMP/victim"
ln -sf "$TMP/victim" "$STATE/spool/redis.spool"
rc=0
timeout 20 "$REVWIRE" sensor -i lo -f "tcp port $PORT" -u nobody \
    --set state-dir="$STATE" --json /dev/null 2>"$TMP/sensor2.err" || rc=$?
[ "$rc" = 1 ] && grep -q "sharing the private Redis.*redis.spool: " "$TMP/sensor2.err" &&
    [ "$(stat -c '%U' "$TMP/victim")" = root ] &&
    echo "ok a planted link stops the sensor, its target stays root's" ||
    { echo "FAIL planted link: exit $rc"; cat "$TMP/sensor2.err"; fail=1; }
"$REVWIRE" sensor -r "$top_srcdir/tests/data/gen/real-tools.pcap" \
    --set state-dir="$STATE" --json /dev/null 2>"$TMP/sensor3.err" || true
[ "$(cat "$TMP/victim")" = "root's file" ] &&
    grep -q '^redis_spool_unavailable 1$' "$TMP/sensor3.err" &&
    echo "ok root's spool does not follow it" ||
    { echo "FAIL the spool wrote through a link"; fail=1; }
rm -f "$STATE/spool/redis.spool"
exit $fail
