#!/bin/sh
# Live capture on loopback: `revwire sensor -i lo` sees a real curl fetch
# a real CRL from a real HTTP server, drops to nobody after opening the
# interface, prints counters on SIGUSR1, reloads on SIGHUP and drains on
# SIGTERM (the event of the still-open flow is written before exit).
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup"
. "$top_srcdir/tests/events.sh"
[ "$(id -u)" = 0 ] || skip "live capture needs root"
need_tool curl openssl python3
PORT=${REVWIRE_TEST_PORT:-$(free_port)}

mkdir -p "$TMP/www"
openssl crl -in "$top_srcdir/tests/data/gen/inter.crl.pem" -outform DER \
    -out "$TMP/www/inter.crl"
want_number=$(openssl crl -in "$TMP/www/inter.crl" -inform DER -noout -crlnumber |
    sed 's/crlNumber=0x//' | tr 'a-f' 'A-F')
want_revoked=$(openssl crl -in "$TMP/www/inter.crl" -inform DER -noout -text |
    grep -c 'Serial Number:')
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$TMP/www" \
    >"$TMP/httpd.log" 2>&1 &
httpd=$!
chmod 0777 "$TMP"
"$REVWIRE" sensor -i lo -f "tcp port $PORT" -u nobody --no-redis \
    --json "$TMP/live.json" 2>"$TMP/sensor.err" &
sensor=$!
cleanup() { kill "$httpd" "$sensor" 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT INT TERM

wait_for() {	# wait_for FILE PATTERN: up to 10 s
	i=0
	until grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "FAIL: no '$2' in $1"; cat "$1"; exit 1; }
		sleep 0.1
	done
}
wait_for "$TMP/sensor.err" "capturing on lo"
wait_for "$TMP/httpd.log" "Serving HTTP"
# keep-alive off by default in http.server: the flow closes after the body
curl -sf -A 'Microsoft-CryptoAPI/10.0' -H 'Pragma: no-cache' \
    "http://127.0.0.1:$PORT/inter.crl" -o "$TMP/got.crl"
cmp -s "$TMP/got.crl" "$TMP/www/inter.crl" || { echo "FAIL: curl fetch"; exit 1; }

[ "$(ps -o user= -p "$sensor" | tr -d ' ')" = nobody ] ||
    { echo "FAIL: sensor did not drop to nobody"; failures=$((failures + 1)); }
# packets reach us when the kernel retires a ring block (the capture
# timeout): ask again until the counters include them
i=0
until grep -q '^packets [1-9]' "$TMP/sensor.err"; do
	i=$((i + 1))
	[ $i -lt 20 ] || { echo "FAIL: SIGUSR1 printed no packet counter"; exit 1; }
	kill -USR1 "$sensor"
	sleep 0.5
done
kill -HUP "$sensor"
wait_for "$TMP/sensor.err" "configuration reloaded"
kill -TERM "$sensor"
rc=0
wait "$sensor" || rc=$?
[ "$rc" = 0 ] || { echo "FAIL: sensor exited $rc"; cat "$TMP/sensor.err"; exit 1; }

cat >"$TMP/want.json" <<JSON
[{"event_type": "crl", "src_ip": "127.0.0.1", "dest_port": $PORT,
  "http": {"url": "/inter.crl", "http_method": "GET", "status": 200,
           "http_user_agent": "Microsoft-CryptoAPI/10.0"},
  "crl": {"crl_number": "$(python3 -c "print(int('$want_number', 16))")",
          "revoked_count": $want_revoked}}]
JSON
if "$PYTHON" "$CHECK_EVENTS" --actual "$TMP/live.json" "$TMP/want.json"; then
	echo "ok live capture"
else
	failures=$((failures + 1))
fi
grep -q '^pcap_received ' "$TMP/sensor.err" ||
    { echo "FAIL: no pcap_received counter at exit"; failures=$((failures + 1)); }
finish
