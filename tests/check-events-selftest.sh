#!/bin/sh
# shellcheck disable=SC2016  # the JSON holds literal $ operators
# check_events.py must pass on a correct output and fail, naming the field,
# on each kind of wrong value a decoder could produce.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup"
PYTHON=${PYTHON:-python3}
CHECK="$PYTHON $top_srcdir/tests/check_events.py"

cat >"$TMP/actual.json" <<'JSON'
{"timestamp":"2015-07-07T16:28:34.123456Z","event_type":"ocsp","src_ip":"192.168.6.109","src_port":41812,"http":{"http_method":"POST","status":200},"ocsp":{"request":{"requests":[{"issuer_name_hash":"74241467069ff5e0983f5e3e1a6ba0652a541575","serial":"010BF45E184C4169AB61B41168DF802E"}]},"response":{"status":"successful","responses":[{"serial":"010BF45E184C4169AB61B41168DF802E","cert_status":"revoked","revocation_time":"2015-05-14T14:58:49Z","revocation_reason":"superseded","this_update":"2015-07-07T16:28:34Z"}]}}}
{"timestamp":"2015-07-07T16:28:35.000001Z","event_type":"crl","http":{"url":"/x.crl"},"crl":{"crl_number":101,"revoked_count":1,"revoked":[{"serial":"939285","revocation_date":"2015-01-01T00:00:00Z","reason":null}]}}
JSON

good='[
 {"_label":"revoked","event_type":"ocsp","src_port":41812,"ocsp":{"response":{"status":"successful","responses":[{"serial":"010BF45E184C4169AB61B41168DF802E","cert_status":"revoked","revocation_time":"2015-05-14T14:58:49Z","revocation_reason":"superseded"}]}}},
 {"event_type":"crl","http":{"url":{"$re":".*\\.crl"}},"crl":{"crl_number":{"$in":[101,"101"]},"revoked":[{"serial":"939285","reason":null}]},"ocsp":{"$absent":true}},
 {"count":1,"where":{"event_type":"crl"}},
 {"count":2,"where":{}}
]'

# expect_rc RC NAME EXPECTED-JSON [ACTUAL-FILE]: run the checker, want RC.
n=0
expect_rc() {
	n=$((n + 1))
	printf '%s\n' "$3" >"$TMP/exp$n.json"
	set +e
	$CHECK --actual "${4:-$TMP/actual.json}" "$TMP/exp$n.json" >"$TMP/out$n" 2>&1
	rc=$?
	set -e
	if [ "$1" = 0 ] && [ "$rc" != 0 ] || [ "$1" != 0 ] && [ "$rc" = 0 ]; then
		echo "FAIL: $2: checker exit $rc, want $1"
		cat "$TMP/out$n"
		exit 1
	fi
	echo "ok $n - $2 (exit $rc)"
}

# expect_fail NAME SED-EXPR [MESSAGE]: the good expectation edited by sed must fail
# and the output must mention MESSAGE.
expect_fail() {
	e=$(printf '%s' "$good" | sed "$2")
	[ "$e" != "$good" ] || { echo "FAIL: $1: sed did not change anything"; exit 1; }
	expect_rc 1 "$1" "$e"
	grep -q -- "$3" "$TMP/out$n" || { echo "FAIL: $1: output lacks '$3'"; cat "$TMP/out$n"; exit 1; }
}

expect_rc 0 "correct expectation passes" "$good"
expect_fail "wrong serial" 's/"serial":"010BF45E184C4169AB61B41168DF802E"/"serial":"010BF45E184C4169AB61B41168DF802F"/' 'responses\[0\].serial: want "010BF45E184C4169AB61B41168DF802F"'
expect_fail "wrong reason" 's/"superseded"/"keyCompromise"/' 'revocation_reason: want "keyCompromise", have "superseded"'
expect_fail "wrong time" 's/2015-05-14T14:58:49Z/2015-05-14T14:58:48Z/' 'revocation_time: want'
expect_fail "wrong status" 's/"cert_status":"revoked"/"cert_status":"good"/' 'cert_status: want "good"'
expect_fail "null reason vs a reason" 's/"reason":null/"reason":"unspecified"/' 'reason: want "unspecified", have null'
expect_fail "number vs string" 's/{"\$in":\[101,"101"\]}/"101"/' 'crl_number: want "101", have 101'
expect_fail "absent object present" 's/"ocsp":{"\$absent":true}/"crl":{"$absent":true}/' '\$absent'
expect_fail "wrong count" 's/"count":1,/"count":2,/' 'count where'
expect_fail "list length" 's/"revoked":\[{"serial":"939285","reason":null}\]/"revoked":[]/' 'crl.revoked'
expect_rc 1 "missing event" '[{"event_type":"ocsp","src_port":41813}]'
grep -q 'missing; closest is actual 0: .src_port: want 41813, have 41812' "$TMP/out$n" || { cat "$TMP/out$n"; exit 1; }
expect_rc 1 "two expectations, one event" '[{"event_type":"ocsp"},{"event_type":"ocsp"}]'
head -1 "$TMP/actual.json" >"$TMP/dup.json"
cat "$TMP/actual.json" >>"$TMP/dup.json"
expect_rc 1 "duplicate event" "$good" "$TMP/dup.json"
grep -q 'want exactly 1 (duplicate event?)' "$TMP/out$n" || { cat "$TMP/out$n"; exit 1; }
expect_rc 0 "two identical expectations, two events" '[{"event_type":"ocsp"},{"event_type":"ocsp"}]' "$TMP/dup.json"
sed 's/"serial":"939285"/"serial":"00939285"/' "$TMP/actual.json" >"$TMP/pad.json"
expect_rc 1 "00-padded serial is a format error" '[]' "$TMP/pad.json"
sed 's/010BF45E184C4169AB61B41168DF802E/010bf45e184c4169ab61b41168df802e/g' "$TMP/actual.json" >"$TMP/lc.json"
expect_rc 1 "lower-case serial is a format error" '[]' "$TMP/lc.json"
sed 's/\.123456Z/Z/' "$TMP/actual.json" >"$TMP/ts.json"
expect_rc 1 "timestamp without microseconds is a format error" '[]' "$TMP/ts.json"
sed 's/\.123456Z/.123456+0000/' "$TMP/actual.json" >"$TMP/ts.json"
expect_rc 1 "timestamp with a +0000 offset is a format error" '[]' "$TMP/ts.json"
sed 's/\.123456Z/.123456+00:00/' "$TMP/actual.json" >"$TMP/ts.json"
expect_rc 0 "timestamp with +00:00 is RFC 3339" '[]' "$TMP/ts.json"
sed 's/"superseded"/"4"/' "$TMP/actual.json" >"$TMP/rc.json"
expect_rc 1 "reason code instead of name is a format error" '[]' "$TMP/rc.json"
printf 'not json\n' >>"$TMP/dup.json"
expect_rc 1 "a line that is not JSON" '[]' "$TMP/dup.json"
: >"$TMP/empty.json"
expect_rc 1 "no events at all" '[{"event_type":"crl"}]' "$TMP/empty.json"
# RFC 3161 events: serial/nonce text, imprint case, genTime, status names
cat >"$TMP/tsp.json" <<'JSON'
{"timestamp":"2026-11-30T05:13:13.357183Z","event_type":"timestamp","tsp":{"request":{"hash_algorithm":"sha256","message_imprint":"9f6d4ede","nonce":"6FCD62A4376D6E68","cert_req":true},"response":{"status":"granted","serial":"9F01","gen_time":"2026-11-30T05:13:13.429Z","policy":"1.3.6.1.4.1.55555.1.1","signer_serial":"8A5A"},"signing_activity":"x"}}
JSON
tgood='[{"event_type":"timestamp","tsp":{"response":{"serial":"9F01","gen_time":"2026-11-30T05:13:13.429Z"}}}]'
expect_rc 0 "timestamp event" "$tgood" "$TMP/tsp.json"
for e in 's/"9F01"/"9f01"/' 's/"6FCD62A4376D6E68"/"006FCD62A4376D6E68"/' \
    's/9f6d4ede/9F6D4EDE/' 's/05:13:13.429Z/05:13:13.429+0000/' \
    's/"granted"/"Granted"/' 's/1.3.6.1.4.1.55555.1.1/tsaPolicy/'; do
	sed "$e" "$TMP/tsp.json" >"$TMP/tsp-bad.json"
	expect_rc 1 "timestamp format: $e" '[]' "$TMP/tsp-bad.json"
done
# cryptoapi_other events: hash case and length, magic names, body_len
cat >"$TMP/capi.json" <<'JSON'
{"timestamp":"2026-11-30T06:15:27.963408Z","event_type":"cryptoapi_other","http":{"url":"/update.exe","status":200},"cryptoapi_other":{"body_len":4059,"body_sha256":"309c6918fa562ac2da805992b168f5f650c4ced94ac61d709772cea0467a1e09","body_magic":"pe","ua_version":"10.0"}}
JSON
expect_rc 0 "cryptoapi_other event" '[{"event_type":"cryptoapi_other","cryptoapi_other":{"body_magic":"pe"}}]' "$TMP/capi.json"
for e in 's/309c6918fa/309C6918FA/' 's/a1e09"/a1e0"/' 's/"pe"/"exe"/' \
    's/"body_len":4059/"body_len":"4059"/' 's/"body_len":4059/"body_len":0/' \
    's/"body_magic":"pe",//' 's/"10.0"/"10.0 (x)"/' 's/\.963408Z/Z/'; do
	sed "$e" "$TMP/capi.json" >"$TMP/capi-bad.json"
	expect_rc 1 "cryptoapi_other format: $e" '[]' "$TMP/capi-bad.json"
done
echo "all $n checker self-tests passed"
