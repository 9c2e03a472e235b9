# shellcheck shell=sh disable=SC2154
# (top_srcdir, REVWIRE, TMP and skip come from tests/setup.)
# tests/events.sh - sourced after tests/setup by the scripts that run the
# sensor on a capture and compare its JSON lines with an expected file.
PYTHON=${PYTHON:-python3}
CHECK_EVENTS="$top_srcdir/tests/check_events.py"
failures=0

# sensor_check PCAP EXPECTED [PACKETS]: run the sensor offline on PCAP, want
# exit 0, every event of EXPECTED (tests/check_events.py), and when PACKETS
# is given the stderr counter line "packets PACKETS".  Counts failures.
sensor_check() {
	_name=$(basename "$2" .json)
	_out="$TMP/$_name.$$.$(basename "$1").json"
	_err="$_out.err"
	set +e
	"$REVWIRE" sensor -r "$1" --no-redis --json - >"$_out" 2>"$_err"
	_rc=$?
	set -e
	if [ "$_rc" != 0 ]; then
		echo "FAIL $_name: revwire sensor -r $(basename "$1") exited $_rc"
		sed 's/^/  stderr: /' "$_err" | head -20
		failures=$((failures + 1))
		return 0
	fi
	if [ -n "${3:-}" ] && ! grep -qx "packets $3" "$_err"; then
		echo "FAIL $_name: stderr lacks the counter line 'packets $3'"
		sed 's/^/  stderr: /' "$_err" | head -20
		failures=$((failures + 1))
	fi
	if "$PYTHON" "$CHECK_EVENTS" --actual "$_out" "$2"; then
		echo "ok $_name ($(basename "$1"))"
	else
		echo "FAIL $_name ($(basename "$1"))"
		failures=$((failures + 1))
	fi
}

# need_tool NAME...: skip unless every program is on PATH.
need_tool() {
	for _t in "$@"; do
		command -v "$_t" >/dev/null 2>&1 || skip "$_t is not installed"
	done
}

# find_scapy_python: print a python3 that imports scapy, or nothing.
find_scapy_python() {
	for _p in ${PYTHON_SCAPY:-} python3 /usr/bin/python3; do
		if "$_p" -c 'import scapy.all' >/dev/null 2>&1; then
			echo "$_p"
			return 0
		fi
	done
}

# finish: the exit status of the script.
finish() {
	if [ "$failures" != 0 ]; then
		echo "$failures failure(s)"
		exit 1
	fi
	exit 0
}
