#!/bin/sh
# Validates the JSON lines test_eve writes (events built from real DER)
# and the sensor's events on tests/data/gen/timestamp.pcap and cryptoapi.pcap
# against docs/eve.schema.json with python3-jsonschema, and checks that the
# schema catches a renamed field, so this test can fail.
. "$top_srcdir/tests/setup"

PY=
for py in python3 /usr/bin/python3; do
	if command -v "$py" >/dev/null 2>&1 &&
	    "$py" -c 'import jsonschema' 2>/dev/null; then
		PY=$py
		break
	fi
done
[ -n "$PY" ] || skip "python3 jsonschema module absent (Debian: python3-jsonschema)"

RW_EVE_OUT="$TMP/eve.json" "$top_builddir/tests/unit/test_eve" >"$TMP/unit.out"
[ -s "$TMP/eve.json" ] || { echo "FAIL: test_eve wrote no events"; exit 1; }
# and the sensor's own events on the RFC 3161 and CryptoAPI captures
for t in timestamp cryptoapi_other; do
	p=$t
	[ "$t" = cryptoapi_other ] && p=cryptoapi
	"$top_builddir/revwire" sensor -r "$top_srcdir/tests/data/gen/$p.pcap" \
	    --no-redis --json - >>"$TMP/eve.json" 2>"$TMP/sensor.err"
	grep -q "\"event_type\":\"$t\"" "$TMP/eve.json" ||
	    { echo "FAIL: no $t event to validate"; cat "$TMP/sensor.err"; exit 1; }
done

cat >"$TMP/validate.py" <<'PYEOF'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator.check_schema(schema)
v = jsonschema.Draft7Validator(schema,
    format_checker=jsonschema.FormatChecker())
bad = 0
n = 0
for lineno, line in enumerate(open(sys.argv[2]), 1):
    n += 1
    for e in v.iter_errors(json.loads(line)):
        bad += 1
        print("%s:%d: %s at %s" % (sys.argv[2], lineno, e.message,
              "/".join(str(p) for p in e.absolute_path)))
print("%d events, %d violations" % (n, bad))
sys.exit(1 if bad or n == 0 else 0)
PYEOF

SCHEMA="$top_srcdir/docs/eve.schema.json"
"$PY" "$TMP/validate.py" "$SCHEMA" "$TMP/eve.json"

# Every event the sensor writes for the real-tool captures: ocsp, crl,
# ca_cert, tls and cryptoapi_other, with issuers and OCSP verdicts.
for p in "$top_srcdir"/tests/data/gen/*.pcap; do
	"$REVWIRE" sensor -r "$p" --no-redis --json - 2>/dev/null >>"$TMP/sensor.json"
done
for t in ocsp crl ca_cert tls cryptoapi_other; do
	grep -q "\"event_type\":\"$t\"" "$TMP/sensor.json" ||
	    { echo "FAIL: no $t event in the sensor sample"; exit 1; }
done
"$PY" "$TMP/validate.py" "$SCHEMA" "$TMP/sensor.json"

# The schema must reject a renamed field at every level we define.
for rename in 's/"cert_status"/"certStatus"/' 's/"src_ip"/"source_ip"/' \
    's/"revoked_count"/"revokedCount"/' 's/"http_user_agent"/"user_agent"/' \
    's/"message_imprint"/"messageImprint"/' 's/"gen_time"/"genTime"/' \
    's/"body_magic"/"magic"/' 's/"cryptoapi_other":{/"capi":{/' \
    's/"event_type":"cryptoapi_other"/"event_type":"ocsp"/'; do
	sed "$rename" "$TMP/eve.json" >"$TMP/broken.json"
	if cmp -s "$TMP/eve.json" "$TMP/broken.json"; then
		echo "FAIL: '$rename' changed nothing: the sample lacks that field"
		exit 1
	fi
	if "$PY" "$TMP/validate.py" "$SCHEMA" "$TMP/broken.json" >"$TMP/broken.out"; then
		echo "FAIL: schema accepted events after $rename"
		exit 1
	fi
	echo "ok: schema rejects $rename ($(tail -1 "$TMP/broken.out"))"
done
