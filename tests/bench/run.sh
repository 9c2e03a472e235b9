#!/bin/sh
# tests/bench/run.sh - times revwire against the floor (libpcap reading
# every byte, no decoding) and tshark decoding OCSP, on the same capture,
# and checks that memory stays flat as the capture grows tenfold.
#
#   tests/bench/run.sh [BUILD_DIR] [PACKETS]
#
# BUILD_DIR holds the revwire binary (default build/); PACKETS sizes the
# small capture (default 200000; the large one is ten times that, skipped
# with BENCH_TENFOLD=0).  Each size runs twice: TLS flows with bare hellos,
# then with full certificate chains and staples (gen-mixed.py --tls-certs),
# and the difference gives the cost of certificate decoding per handshake.
# Needs GNU time (package "time") and, for the tshark column, tshark;
# `scripts/setup bench` installs both.
#
# floor and revwire run three times each and the fastest run counts (the
# machine may be shared; `uptime` is printed before and after).  revwire's
# events are checked against the generator's expectation: a faster run that
# loses an OCSP or CRL event fails the bench.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
n=${2:-200000}
work=$(mktemp -d "${TMPDIR:-/tmp}/revwire-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

[ -x /usr/bin/time ] || { echo "bench: needs GNU time (apt-get install time)"; exit 1; }
make -s -C "$build" tests/bench/floor

# measure NAME RUNS CMD...: prints "NAME seconds maxrss_kib" of the fastest
# run, leaves it in $work/NAME.t and the command's stdout and stderr in
# $work/NAME.out and $work/NAME.err
measure() {
	name=$1; runs=$2; shift 2
	best=""
	while [ "$runs" -gt 0 ]; do
		/usr/bin/time -f "%e %M" -o "$work/t" "$@" >"$work/out" 2>"$work/err" ||
		    { echo "bench: $name failed:"; cat "$work/err"; exit 1; }
		if [ -z "$best" ] || awk -v a="$(cut -d' ' -f1 "$work/t")" \
		    -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$(cut -d' ' -f1 "$work/t")
			cp "$work/t" "$work/$name.t"
			cp "$work/err" "$work/$name.err"
			mv "$work/out" "$work/$name.out"
		fi
		runs=$((runs - 1))
	done
	printf '%-10s %8s s %8s KiB\n' "$name" $(cat "$work/$name.t")
}

# run_capture LABEL [GEN-ARGS...]: one capture: floor, revwire, tshark, the
# events checked; sets NET (revwire minus floor, seconds) and CHAINS (tls
# events with a chain).
run_capture() {
	label=$1; shift
	cap="$work/mixed-$size-$label.pcap"
	python3 "$top/tests/bench/gen-mixed.py" --packets "$size" --out "$cap" \
	    --expect-out "$work/expected.json" "$@" >/dev/null 2>&1
	echo "== $size packets, $label, $(du -h "$cap" | cut -f1)"
	measure floor 3 "$build/tests/bench/floor" "$cap"
	measure revwire 3 "$build/revwire" sensor -r "$cap" --no-redis --json -
	if command -v tshark >/dev/null; then
		measure tshark 1 tshark -n -r "$cap" -Y ocsp -T fields -e ocsp.serialNumber
	fi
	f=$(cut -d' ' -f1 "$work/floor.t"); r=$(cut -d' ' -f1 "$work/revwire.t")
	NET=$(awk -v f="$f" -v r="$r" 'BEGIN { print r - f }')
	awk -v f="$f" -v r="$r" -v n="$size" \
	    'BEGIN { printf "   revwire/floor %.2fx, revwire %.0f packets/s\n",
	        r / f, n / r }'
	echo "   $(grep -E '^(packets|flows_created|tcp_gaps|wire_events) ' \
	    "$work/revwire.err" | tr '\n' ' ')"
	grep -qx "packets $size" "$work/revwire.err" ||
	    { echo "bench: revwire did not count $size packets"; exit 1; }
	python3 "$top/tests/check_events.py" -q --actual "$work/revwire.out" \
	    "$work/expected.json" ||
	    { echo "bench: revwire's events differ from the expectation"; exit 1; }
	CHAINS=$(grep -c '"chain":\[{' "$work/revwire.out" || true)
	echo "   events checked: $(wc -l <"$work/revwire.out") as expected" \
	    "(tls with a chain: $CHAINS)"
	rm -f "$cap" "$work"/*.out
}

echo "uptime before: $(uptime)"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
sizes=$n
[ "${BENCH_TENFOLD:-1}" = 0 ] || sizes="$n $((n * 10))"
for size in $sizes; do
	run_capture hellos
	plain=$NET
	run_capture chains --tls-certs
	[ "$CHAINS" -gt 0 ] && awk -v a="$NET" -v b="$plain" -v c="$CHAINS" \
	    'BEGIN { printf "   certificate decoding: %.0f us per handshake (%d handshakes)\n",
	        (a - b) * 1000000 / c, c }'
done
echo "uptime after: $(uptime)"
