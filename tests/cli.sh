#!/bin/sh
# The command line as a user meets it: --help everywhere (exit 0, on
# stdout), one-line errors with exit 2 for bad arguments and bad config
# lines (naming file:line), exit 1 for unreadable inputs, `-r -` reading
# a capture from stdin, and --dump-config echoing overrides.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup"
failures=0
CAP="$top_srcdir/tests/data/gen/real-tools.pcap"

# expect RC STDERR-REGEX -- ARGS...: exit code and the first stderr line
expect() {
	want_rc=$1 want_err=$2
	shift 3
	rc=0
	"$REVWIRE" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null || rc=$?
	first=$(head -n 1 "$TMP/err")
	if [ "$rc" != "$want_rc" ]; then
		echo "FAIL: revwire $*: exit $rc, want $want_rc ($first)"
		failures=$((failures + 1))
	elif ! printf '%s\n' "$first" | grep -Eq -- "$want_err"; then
		echo "FAIL: revwire $*: stderr '$first' !~ /$want_err/"
		failures=$((failures + 1))
	else
		echo "ok revwire $* -> $rc"
	fi
}

# --help: exit 0, usage on stdout, nothing on stderr
for cmd in "" sensor ingest; do
	rc=0
	# shellcheck disable=SC2086
	"$REVWIRE" $cmd --help >"$TMP/out" 2>"$TMP/err" || rc=$?
	if [ "$rc" != 0 ] || [ -s "$TMP/err" ] ||
	    ! grep -q "^usage: revwire $cmd" "$TMP/out"; then
		echo "FAIL: revwire $cmd --help (exit $rc)"
		failures=$((failures + 1))
	fi
done

expect 2 "^usage: revwire COMMAND" --
expect 2 "^revwire: unknown command 'frobnicate'" -- frobnicate
expect 2 "^revwire sensor: unrecognized option '--bogus'" -- sensor --bogus
expect 2 "^revwire sensor: nothing to read" -- sensor --no-redis
expect 2 "^revwire sensor: -c wants a positive count, have 'abc'" -- \
    sensor -c abc -r "$CAP"
expect 2 "^revwire sensor: snaplen: want a number from 64" -- \
    sensor -s 1 -r "$CAP"
expect 2 "^revwire sensor: unknown key 'no-such-key'" -- \
    sensor --set no-such-key=1 -r "$CAP"
expect 2 "^revwire sensor: unexpected argument 'extra'" -- \
    sensor -r "$CAP" extra
expect 1 "^revwire sensor: $TMP/absent.pcap: No such file" -- \
    sensor --no-redis -r "$TMP/absent.pcap"
expect 1 "^revwire sensor: .*root.crt: unknown file format" -- \
    sensor --no-redis -r "$top_srcdir/tests/data/gen/root.crt"
expect 1 "^revwire sensor: no-such-if0: " -- \
    sensor --no-redis -i no-such-if0
expect 2 "^revwire ingest: unexpected argument 'x'" -- ingest x
expect 2 "^revwire ingest: --format: want auto, json or xml" -- \
    ingest --format yaml
expect 1 "^revwire ingest: $TMP/absent.json: No such file" -- \
    ingest --no-redis -r "$TMP/absent.json"

printf 'flows-max 64\nreassembly-window 70000\nbogus line here\n' \
    >"$TMP/bad.conf"
expect 2 "^revwire sensor: $TMP/bad.conf:3: " -- \
    sensor -C "$TMP/bad.conf" -r "$CAP"
printf 'flows-max 8\n' >"$TMP/small.conf"
expect 2 "^revwire sensor: $TMP/small.conf:1: flows-max: want a number from 16" -- \
    sensor -C "$TMP/small.conf" -r "$CAP"

# --dump-config: the file, then --set, win over the defaults
printf 'flows-max 4096\nhttp-max-body 1m\n' >"$TMP/ok.conf"
"$REVWIRE" sensor -C "$TMP/ok.conf" --set flows-max=5000 --dump-config \
    >"$TMP/dump"
grep -qx 'flows-max 5000' "$TMP/dump" &&
    grep -qx 'http-max-body 1048576' "$TMP/dump" ||
    { echo "FAIL: --dump-config"; cat "$TMP/dump"; failures=$((failures + 1)); }

# -r - reads the capture from stdin: same events as the file
"$REVWIRE" sensor -q --no-redis -r "$CAP" --json "$TMP/file.json"
"$REVWIRE" sensor -q --no-redis -r - --json "$TMP/stdin.json" <"$CAP"
n=$(wc -l <"$TMP/file.json")
if [ "$n" -lt 10 ] || ! cmp -s "$TMP/file.json" "$TMP/stdin.json"; then
	echo "FAIL: -r - gave other events than -r FILE ($n events)"
	failures=$((failures + 1))
fi

[ "$failures" = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "ok cli"
