#!/bin/sh
# The CA registry's wire-learned part survives a restart through Redis
# (rw:{ca}:wire, rw:{ca}:wire:order; docs/redis-schema.md), against a real
# redis-server.  tests/data/gen/pki-wire.pcap's first OCSP exchange (good1,
# serial 7FFFFD, client port 34780) comes before the code-signing CA's
# certificate crossed the wire, so a first run cannot resolve its issuer;
# a second process on the same Redis must, from the stored certificate,
# and verify the response with it.  Values from tests/expected/gen/pki-wire.json
# and from openssl on the PKI's own files.  Stored values are checked, not
# trusted: a corrupted one is counted, skipped and repaired by the wire;
# the store is capped at ca-registry-max, oldest first.
. "$top_srcdir/tests/setup"
. "$top_srcdir/tests/redis.sh"
start_redis
PCAP="$top_srcdir/tests/data/gen/pki-wire.pcap"
PKI="$top_srcdir/tests/data/gen/pki-wire"
CHECK_EVENTS="$top_srcdir/tests/check_events.py"
HASH='rw:{ca}:wire'
ORDER='rw:{ca}:wire:order'
fail=0

for c in inter root forged; do
	openssl x509 -in "$PKI/$c.crt" -outform DER > "$TMP/$c.der"
done
fp() {	# the SHA-256 fingerprint of a certificate's DER, as stored
	openssl dgst -sha256 -r "$TMP/$1.der" | cut -d' ' -f1
}
INTER=$(fp inter); ROOT=$(fp root); FORGED=$(fp forged)

# run NAME [sensor options]: the capture once more in a new process; the
# trust store is left out so only Redis and the wire teach the registry
run() {
	_n=$1; shift
	"$REVWIRE" sensor -r "$PCAP" --set ca-bundle= --json "$TMP/$_n.json" \
	    "$@" 2>"$TMP/$_n.err" || { echo "FAIL $_n: sensor exited $?"; cat "$TMP/$_n.err"; fail=1; }
}
t() {	# message, command...: ok when the command succeeds
	_m=$1; shift
	if "$@"; then echo "ok $_m"; else echo "FAIL $_m"; fail=1; fi
}
counter() {	# run, name: the counter line's value, 0 when absent
	_v=$(sed -n "s/^$2 //p" "$TMP/$1.err")
	echo "${_v:-0}"
}
counters() {	# run, want "stored restored bad"
	_h="$(counter "$1" ca_registry_stored) $(counter "$1" ca_registry_restored) $(counter "$1" ca_registry_restore_bad)"
	t "$1: stored restored bad = $2 (have $_h)" [ "$_h" = "$2" ]
}
stored_is() {	# field, certificate: the stored value is exactly its DER
	# (redis-cli ends the raw bytes with a newline)
	[ "$(rcli HGET "$HASH" "$1" | od -An -tx1 | tr -d ' \n')" = \
	  "$(od -An -tx1 "$TMP/$2.der" | tr -d ' \n')0a" ]
}

# good1 as a first run sees it, and as a run that knows the CA
cat > "$TMP/unknown.json" <<'EOF'
[{"_label": "good1 before the CA certificate was seen", "event_type": "ocsp",
  "src_port": 34780, "dest_port": 18101,
  "ocsp": {"response": {"responses": [{"serial": "7FFFFD", "cert_status": "good",
      "issuer_key_hash": "10071b447650923aeada1baad6d5ea0221369efe"}],
    "signature_valid": null, "responder_authorized": null}},
  "issuer": {"source": "unknown", "name": null, "code_signing": null}}]
EOF
cat > "$TMP/restored.json" <<'EOF'
[{"_label": "good1 with the CA restored from Redis", "event_type": "ocsp",
  "src_port": 34780, "dest_port": 18101,
  "ocsp": {"response": {"responses": [{"serial": "7FFFFD", "cert_status": "good",
      "issuer_key_hash": "10071b447650923aeada1baad6d5ea0221369efe"}],
    "signature_valid": true, "responder_authorized": true}},
  "issuer": {"source": "wire", "code_signing": true,
    "name": "CN=revwire Test Code Signing CA,O=revwire test PKI,C=US"}}]
EOF
good1() {	# run, unknown|restored
	t "$1: good1's issuer $2" python3 "$CHECK_EVENTS" --actual "$TMP/$1.json" \
	    "$TMP/$2.json"
}

# A: nothing stored yet; the CA certificates the wire carries are stored
# in the order they crossed it (the intermediate's AIA download, the
# root's), but not the forged CA inside the forged OCSP response: a
# response whose signature fails teaches nothing
run A --redis "$REDIS_URL"
good1 A unknown
counters A "2 0 0"
t "A: the forged response's CA not learned" \
    [ "$(counter A ocsp_forged_certs_not_learned) $(rcli HEXISTS "$HASH" "$FORGED")" = "1 0" ]
in_wire_order() {
	[ "$(rcli ZRANGE "$ORDER" 0 -1 | tr '\n' ' ')" = "$INTER $ROOT $1" ] &&
	    [ "$(rcli HLEN "$HASH")" = "$2" ]
}
t "A: 2 stored, in wire order" in_wire_order "" 2
all_der() {
	stored_is "$INTER" inter && stored_is "$ROOT" root
}
t "A: each stored value is the certificate's DER" all_der

# B: a new process restores them before the first packet
run B --redis "$REDIS_URL"
good1 B restored
counters B "0 2 0"

# without Redis nothing is restored
run N --no-redis
good1 N unknown
counters N "0 0 0"

# C: a garbage value and a certificate under another's fingerprint are
# counted and skipped; the intermediate still resolves good1; the wire
# teaches the root again and repairs its value
rcli HSET "$HASH" "$ROOT" 'not a certificate' >/dev/null
rcli -x HSET "$HASH" "$FORGED" < "$TMP/inter.der" >/dev/null
rcli ZADD "$ORDER" 3 "$FORGED" >/dev/null
run C --redis "$REDIS_URL"
good1 C restored
counters C "1 1 2"
t "C: corrupted value repaired, order kept" in_wire_order "$FORGED " 3
t "C: each stored value is the certificate's DER again" all_der

fill() {	# N: entries old1..oldN (garbage) with scores 1..N
	rcli FLUSHALL >/dev/null
	for i in $(seq 1 "$1"); do
		echo "HSET $HASH old$i garbage"
		echo "ZADD $ORDER $i old$i"
	done | rcli >/dev/null
}

# D: the cap.  16 older entries (garbage) fill a store capped at 16: all
# 16 are read and rejected, the 2 learned push the 2 oldest out of both keys
fill 16
run D --redis "$REDIS_URL" --set ca-registry-max=16
good1 D unknown
counters D "2 0 16"
capped() {
	[ "$(rcli ZCARD "$ORDER") $(rcli HLEN "$HASH")" = "16 16" ] &&
	    [ "$(rcli ZRANGE "$ORDER" 0 0)" = old3 ] &&
	    [ "$(rcli ZRANGE "$ORDER" -2 -1 | tr '\n' ' ')" = "$INTER $ROOT " ] &&
	    [ "$(rcli HMGET "$HASH" old1 old2 old3 | tr -d '\n')" = garbage ]
}
t "D: capped at 16, the oldest 2 gone from both keys" capped

# E: reading in pages keeps to the newest ca-registry-max.  Of 150 entries
# the intermediate is the 140th (second page of 64 from rank 50), the
# forged CA the 41st (older than the newest 100: never read)
fill 150
rcli ZADD "$ORDER" 140 "$INTER" 41 "$FORGED" >/dev/null
rcli ZREM "$ORDER" old140 old41 >/dev/null
rcli HDEL "$HASH" old140 old41 >/dev/null
rcli -x HSET "$HASH" "$INTER" < "$TMP/inter.der" >/dev/null
rcli -x HSET "$HASH" "$FORGED" < "$TMP/forged.der" >/dev/null
run E --redis "$REDIS_URL" --set ca-registry-max=100
good1 E restored
counters E "1 1 99"
capped100() {
	[ "$(rcli ZCARD "$ORDER") $(rcli HLEN "$HASH")" = "100 100" ]
}
t "E: trimmed to 100 in both keys" capped100
exit $fail
