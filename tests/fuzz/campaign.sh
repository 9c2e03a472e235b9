#!/bin/sh
# tests/fuzz/campaign.sh - runs libFuzzer targets one at a time, each on a
# copy of its seed corpus and past findings, and prints one table row per
# target for docs/fuzzing.md.
#
#   tests/fuzz/campaign.sh BUILD_DIR SECONDS [fuzz_NAME...]
#
# BUILD_DIR is configured with `CC=clang ../configure --enable-fuzz-targets
# --enable-sanitizers`; the targets are built here when missing.  Without
# names every target of tests/fuzz runs.  Logs, grown corpora and crash
# inputs stay in the work directory printed at the start.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -ge 2 ] || { echo "usage: $0 BUILD_DIR SECONDS [fuzz_NAME...]" >&2; exit 2; }
build=$(cd "$1" && pwd)
secs=$2
shift 2
# shellcheck disable=SC2046 # target names have no spaces
[ $# -gt 0 ] || set -- $(cd "$top/tests/fuzz" && ls fuzz_*.c | sed 's/\.c$//')
work=$(mktemp -d "${TMPDIR:-/tmp}/revwire-fuzz.XXXXXX")
echo "work directory: $work"
for t in "$@"; do
	make -s -C "$build" -j2 "tests/fuzz/$t" >/dev/null
done
echo "| target | executions | exec/s | coverage (cov / ft) | corpus in -> out | finding |"
echo "| --- | ---: | ---: | --- | --- | --- |"
for t in "$@"; do
	mkdir -p "$work/$t"
	cp "$top/tests/fuzz/corpus/$t"/* "$work/$t/"
	if [ -d "$top/tests/fuzz/regress/$t" ]; then
		cp "$top/tests/fuzz/regress/$t"/* "$work/$t/"
	fi
	n_in=$(ls "$work/$t" | wc -l)
	rc=0
	(cd "$work" && "$build/tests/fuzz/$t" -max_total_time="$secs" \
	    -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$work/$t-" \
	    "$work/$t" >"$work/$t.log" 2>&1) || rc=$?
	runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$work/$t.log")
	last=$(grep -E '^#[0-9]+' "$work/$t.log" | tail -1)
	cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\).*/\1 \/ \2/p')
	eps=$(printf '%s\n' "$last" | sed -n 's/.* exec\/s: \([0-9]*\).*/\1/p')
	finding=none
	if [ "$rc" != 0 ]; then
		finding=$(grep -m1 -E '^(==[0-9]+==ERROR|SUMMARY)|runtime error|ALARM' \
		    "$work/$t.log" | cut -c1-80)
		runs=${runs:-$(printf '%s\n' "$last" | sed 's/^#\([0-9]*\).*/\1/')}
	fi
	echo "| $t | ${runs:-?} | ${eps:-?} | ${cov:-?} | $n_in -> $(ls "$work/$t" | wc -l) | $finding |"
done
