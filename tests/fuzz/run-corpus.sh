#!/bin/sh
# Replays each fuzz target's seed corpus (tests/fuzz/corpus/NAME) and its
# past findings (tests/fuzz/regress/NAME) through the onefile driver.
# A target that crashes, leaks (under ASan) or has no corpus fails the test.
set -eu
. "$top_srcdir/tests/setup"
fail=0
for t in $FUZZ_TARGETS; do
	name=${t#tests/fuzz/}
	dirs="$top_srcdir/tests/fuzz/corpus/$name"
	[ -d "$dirs" ] || { echo "FAIL $name: no seed corpus at $dirs"; fail=1; continue; }
	[ -d "$top_srcdir/tests/fuzz/regress/$name" ] && dirs="$dirs $top_srcdir/tests/fuzz/regress/$name"
	if ! "$top_builddir/$t" $dirs; then
		echo "FAIL $name"; fail=1
	fi
done
exit $fail
