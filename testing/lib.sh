# Shared helpers of the integration tests: readable assertions with one
# PASS/FAIL line each, a closing "N passed, M failed" line, bounded waits.

passed=0
failed=0

# check DESCRIPTION COMMAND...: run COMMAND, report PASS or FAIL
check() {
	local what=$1; shift
	if "$@" >/dev/null 2>&1; then
		echo "PASS: $what"
		passed=$((passed + 1))
	else
		echo "FAIL: $what"
		failed=$((failed + 1))
	fi
}

# wait_for SECONDS COMMAND...: poll COMMAND every 0.1 s until it succeeds
wait_for() {
	local tries=$(($1 * 10)); shift
	while [ "$tries" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}

need_root() {
	[ "$(id -u)" -eq 0 ] || fail_all "must run as root (network namespaces, mounts)"
}

skip_all() {
	echo "SKIP: $*"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
}

fail_all() {
	echo "FAIL: $*"
	echo "$passed passed, $((failed + 1)) failed"
	exit 1
}

# finish: the closing line; the exit status says whether all passed
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
