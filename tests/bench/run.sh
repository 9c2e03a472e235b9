#!/bin/sh
# tests/bench/run.sh - times revwire against the floor (libpcap reading
# every byte, no decoding) and tshark decoding OCSP, on the same capture,
# and checks that memory stays flat as the capture grows tenfold.  Each
# size is run twice: minimal TLS hellos, and TLS 1.2 handshakes carrying a
# full chain and a stapled OCSP response (gen-mixed.py --tls-certs); the
# difference, net of the floor, divided by the handshakes that carried a
# chain, is the certificate decoding cost per handshake (x509 of every
# certificate, the staple decoded, its issuer resolved and signature
# verified, the tls event written).
#
#   tests/bench/run.sh [BUILD_DIR] [PACKETS]
#
# BUILD_DIR holds the revwire binary (default build/); PACKETS sizes the
# small capture (default 200000; the large one is ten times that, skipped
# with BENCH_TENFOLD=0).  Needs GNU time (package "time") and, for the
# tshark column, tshark.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
n=${2:-200000}
work=$(mktemp -d "${TMPDIR:-/tmp}/revwire-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

[ -x /usr/bin/time ] || { echo "bench: needs GNU time (apt-get install time)"; exit 1; }
cc -O2 -o "$work/floor" "$top/tests/bench/floor.c" $(pkg-config --cflags --libs libpcap)

# measure NAME CMD...: prints "NAME wall-seconds cpu-seconds maxrss_kib",
# keeps the CPU seconds (user + sys: steadier than wall time on a shared
# machine) in $SECS
measure() {
	name=$1; shift
	/usr/bin/time -f "%e %U %S %M" -o "$work/t" "$@" >/dev/null 2>"$work/err" ||
	    { echo "bench: $name failed:"; cat "$work/err"; exit 1; }
	read -r wall usr sys rss <"$work/t"
	SECS=$(echo "$usr + $sys" | bc -l)
	printf '%-10s %7s s wall %7.2f s cpu %8s KiB\n' "$name" "$wall" "$SECS" "$rss"
}

# run_capture LABEL [GEN-ARGS...]: one capture, floor/revwire/tshark; sets
# NET (revwire minus floor, CPU seconds) and CHAINS (tls events with a chain).
run_capture() {
	label=$1; shift
	cap="$work/mixed-$size-$label.pcap"
	python3 "$top/tests/bench/gen-mixed.py" --packets "$size" --out "$cap" "$@" 2>/dev/null
	echo "== $size packets, $label, $(du -h "$cap" | cut -f1)"
	measure floor "$work/floor" "$cap"
	floor=$SECS
	measure revwire "$build/revwire" sensor -q -r "$cap" --no-redis --json /dev/null
	NET=$(echo "$SECS - $floor" | bc -l)
	if command -v tshark >/dev/null; then
		measure tshark tshark -n -r "$cap" -Y ocsp -T fields -e ocsp.serialNumber
	fi
	rm -f "$work/ev.json"
	"$build/revwire" sensor -r "$cap" --no-redis --json "$work/ev.json" 2>"$work/stats"
	CHAINS=$(grep -c '"chain":\[{' "$work/ev.json" || true)
	echo "   events $(wc -l <"$work/ev.json") (tls with a chain: $CHAINS)," \
	    "$(grep -E '^(packets|flows_created|tcp_gaps|obj_ocsp_staple|ocsp_signature_invalid) ' "$work/stats" | tr '\n' ' ')"
	rm -f "$cap"
}

sizes=$n
[ "${BENCH_TENFOLD:-1}" = 0 ] || sizes="$n $((n * 10))"
for size in $sizes; do
	run_capture hellos
	plain=$NET
	run_capture chains --tls-certs
	if [ "$CHAINS" -gt 0 ]; then
		printf '   certificate decoding: %.1f us per handshake (%s handshakes, %.2f cpu s net of the floor vs %.2f with bare hellos)\n' \
		    "$(echo "($NET - $plain) * 1000000 / $CHAINS" | bc -l)" "$CHAINS" "$NET" "$plain"
	fi
done
