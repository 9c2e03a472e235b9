#!/bin/sh
# revwire ingest end to end: the seed fixtures through the command line
# give the expected rows byte for byte; stdin, --json, --help, bad options.
. "$top_srcdir/tests/setup"
D="$top_srcdir/tests/data/endpoint"
fail=0
check() {	# name, command output file, expected file
	if cmp -s "$2" "$3"; then echo "ok $1"; else
		echo "FAIL $1"; diff "$3" "$2" | head -20; fail=1; fi
}
"$REVWIRE" ingest --no-redis -r "$D/seed_sysmon7.jsonl" --profile splunk > "$TMP/spl"
check splunk "$TMP/spl" "$D/seed_sysmon7.splunk.expected"
"$REVWIRE" ingest --no-redis --profile qradar --json "$TMP/aql" < "$D/seed_sysmon7.jsonl"
check qradar-stdin "$TMP/aql" "$D/seed_sysmon7.qradar.expected"
"$REVWIRE" ingest --no-redis -r "$D/seed_sysmon7.xml" --format xml --profile splunk > "$TMP/splx"
check splunk-xml "$TMP/splx" "$D/seed_sysmon7.splunk.expected"
# profile from the config file, the same file format as revwire.conf
printf 'scoring-profile qradar\nqradar-weights "revoked=3,expired-invalid=2,other=1,unknown-publisher=1"\n' > "$TMP/rw.conf"
"$REVWIRE" ingest --no-redis --config "$TMP/rw.conf" -r - < "$D/seed_sysmon7.jsonl" > "$TMP/aql2"
check qradar-config "$TMP/aql2" "$D/seed_sysmon7.qradar.expected"
# counters: 14 events, 13 Sysmon 7 + 1 Sysmon 1 kept, nothing rejected
"$REVWIRE" ingest --no-redis -r "$D/seed_sysmon7.jsonl" --stats 2> "$TMP/stats" > /dev/null
grep -qx 'endpoint_events_kept 14' "$TMP/stats" || { echo "FAIL stats"; cat "$TMP/stats"; fail=1; }
"$REVWIRE" ingest --help | grep -q 'usage: revwire ingest' || { echo "FAIL --help"; fail=1; }
if "$REVWIRE" ingest --no-redis --profile elastic < /dev/null 2> /dev/null; then
	echo "FAIL bad profile accepted"; fail=1; fi
if "$REVWIRE" ingest --no-redis -r "$TMP/no-such-file" 2> /dev/null; then
	echo "FAIL missing input accepted"; fail=1; fi
exit $fail
