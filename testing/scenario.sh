# The common start of the scenarios in testing/scenarios/, sourced first
# thing by each ('. "$(dirname "$0")/../scenario.sh"'): set -u, the
# helpers (lib.sh, netns.sh, charon.sh), root, the build directory and a
# kernel with ESP.  Sets here (testing/), top, builddir (MIKE_BUILDDIR,
# default build/), tools (its sam-tools) and py (python3, if there is one).
# scenario_hint: what the skip for want of ESP suggests (set before
# sourcing; default: testing/vm/run).
#
#   need_python               skip unless python3 is there
#   need_charon               skip unless charon and pki are installed
#   scenario_tmp LAN NAME     lan=LAN$$, tmp=/tmp/mike-NAME.XXXXXX, pids=(),
#                             and the cleanup on exit: the pids killed,
#                             every node's charon stopped, the LAN gone,
#                             $tmp removed (kept on a failure or with
#                             MIKE_KEEP)
#   scenario_nodes            certificates (node_pki), the LAN and the
#                             plugins for the nodes in ${nodes[@]}
#   dump_logs [NODE...]       the lines of the nodes' charon.log (default
#                             ${nodes[@]}) that match $log_pattern ('mike'),
#                             the last $log_lines (40) of each
#   wire_capture [EXCLUDE...] (after scenario_nodes, before the charons
#                             start) capture the LAN's bridge to
#                             $tmp/wire.pcap and log the IKE keys
#                             (charon_log_extra gets "ike = 4"); the nodes
#                             named are attackers whose messages the check
#                             leaves out
#   scenario_finish           the G-IKEv2 wire check if wire_capture ran
#                             (one more check: testing/gikev2/gikev2.py over
#                             the capture with the nodes' charon.logs;
#                             MIKE_WIRE_KEEP=DIR copies capture, logs and
#                             report to DIR; MIKE_WIRE_CFG4=1 logs cfg = 4
#                             for its keying material cross-check),
#                             dump_logs if anything failed,
#                             then finish
#
# Counters (mikectl --json, see src/libcharon/plugins/mike/control/mike_commands.c):
#
#   json_get KEY...           the value at KEY... of the JSON on stdin: a
#                             string as it is, the items of a list or the
#                             keys of an object one a line; fails if absent
#   mike_stat N GROUP KEY...  a counter of N's mikectl --stats for GROUP
#   mike_count N GROUP KEY... the same, 0 where mikectl leaves it out (the
#                             rejections by reason); nothing if mikectl fails
#   mike_list N GROUP KEY...  a key of N's mikectl --list-groups for GROUP
#   stat_reach N GROUP KEY MIN  predicate: the counter is MIN or more

set -u

here=$(cd "$(dirname "$0")/.." && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib.sh"
. "$here/netns.sh"
. "$here/charon.sh"

need_root
builddir=$(cd "${MIKE_BUILDDIR:-$top/build}" 2>/dev/null && pwd) ||
	builddir=${MIKE_BUILDDIR:-$top/build}
tools=$builddir/src/sam-tools
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3) || py=
unshare --net ip xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp \
	spi 0x100 mode transport \
	aead 'rfc4106(gcm(aes))' 0x0102030405060708090a0b0c0d0e0f1011121314 128 \
	>/dev/null 2>&1 ||
	skip_all "this kernel has no ESP (${scenario_hint:-use testing/vm/run})"

need_python() {
	[ -n "$py" ] || skip_all "python3 not found"
}

need_charon() {
	[ -x "$CHARON" ] || skip_all "charon not installed"
	command -v pki >/dev/null || skip_all "pki not installed (strongswan-pki)"
}

scenario_tmp() {
	lan=$1$$
	tmp=$(mktemp -d "/tmp/mike-$2.XXXXXX")
	pids=()
	trap scenario_cleanup EXIT
}

scenario_cleanup() {
	local pid dir
	# only the scenario's own shell tears the LAN down, never a subshell
	# that exits (set -u ends one on an unset variable)
	[ "$BASHPID" = "$$" ] || return 0
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
	# charon_stop passes over a node without a charon
	for dir in "$tmp"/*/; do charon_stop "${dir%/}"; done
	wait 2>/dev/null
	lan_destroy "$lan"
	if [ "$failed" -eq 0 ] && [ -z "${MIKE_KEEP:-}" ]; then
		rm -rf "$tmp"
	fi
}

scenario_nodes() {
	node_pki "${nodes[@]}" || fail_all "cannot make certificates"
	lan_create "$lan" "${nodes[@]}" || fail_all "cannot create the LAN"
	charon_plugins "$builddir" "$tmp/plugins" ||
		fail_all "cannot stage the plugins"
}

log_pattern=mike
log_lines=40
dump_logs() {
	local n
	[ $# -gt 0 ] || set -- "${nodes[@]}"
	for n in "$@"; do
		echo "--- $n: lines of charon.log matching '$log_pattern' ---"
		grep -E "$log_pattern" "$tmp/$n/charon.log" 2>/dev/null |
			tail -n "$log_lines"
	done
}

wire_pid=
wire_exclude=()
wire_capture() {
	# MIKE_WIRE_CHECK=0 turns it off (to look at a scenario alone)
	[ "${MIKE_WIRE_CHECK:-1}" = 1 ] || return 0
	wire_exclude=("$@")
	charon_log_extra="${charon_log_extra:-}
			ike = 4"
	# MIKE_WIRE_CFG4=1: the members' rekey SA keying material too, which
	# the check compares with what it unwraps
	[ -z "${MIKE_WIRE_CFG4:-}" ] || charon_log_extra="$charon_log_extra
			cfg = 4"
	if ! command -v tcpdump >/dev/null; then
		check "G-IKEv2 wire check: tcpdump is installed" false
		return 0
	fi
	ip netns exec "$lan-lan" tcpdump -i br0 -U -s 0 -w "$tmp/wire.pcap" \
		> "$tmp/tcpdump.out" 2>&1 &
	wire_pid=$!
	pids+=("$wire_pid")
	wait_for 10 grep -q 'listening on' "$tmp/tcpdump.out" ||
		check "G-IKEv2 wire check: tcpdump captures the bridge" false
}

# wire_check: stop the capture, decode and check it (testing/gikev2/README.md)
wire_check() {
	local args=() n i=1 out rc summary
	kill -INT "$wire_pid" 2>/dev/null
	wait "$wire_pid" 2>/dev/null
	for n in "${nodes[@]}"; do
		args+=(--node "$n=10.99.0.$i,fd99::$i")
		[ -f "$tmp/$n/charon.log" ] && args+=(--log "$n=$tmp/$n/charon.log")
		i=$((i + 1))
	done
	for n in "${wire_exclude[@]}"; do args+=(--exclude "$n"); done
	out=$("$py" "$here/gikev2/gikev2.py" "${args[@]}" \
		--scenario "$(basename "$0")" \
		--deviations "$here/gikev2/deviations" "$tmp/wire.pcap" 2>&1)
	rc=$?
	echo "$out" > "$tmp/wire-check.out"
	if [ -n "${MIKE_WIRE_KEEP:-}" ]; then
		mkdir -p "$MIKE_WIRE_KEEP/$(basename "$0")"
		cp "$tmp/wire.pcap" "$tmp/wire-check.out" "$MIKE_WIRE_KEEP/$(basename "$0")/"
		for n in "${nodes[@]}"; do
			[ -f "$tmp/$n/charon.log" ] &&
				cp "$tmp/$n/charon.log" "$MIKE_WIRE_KEEP/$(basename "$0")/$n.log"
		done
	fi
	# the mismatches (deviations too, marked), then the summary as the check
	echo "$out" | grep -E '^(MISMATCH|ERROR)' | head -n 40 | sed 's/^/     /'
	summary=$(echo "$out" | sed -n 's/^SUMMARY: //p' | tail -n 1)
	# no summary: the checker itself failed, its last words say why
	[ -n "$summary" ] || echo "$out" | tail -n 15 | sed 's/^/     /'
	check "G-IKEv2 wire check: ${summary:-the checker failed (exit $rc)}" \
		test "$rc" -eq 0
}

scenario_finish() {
	[ -z "$wire_pid" ] || wire_check
	[ "$failed" -eq 0 ] || dump_logs "$@"
	finish
}

json_get() {
	"$py" -I -S -c '
import json, sys
try:
    v = json.load(sys.stdin)
    for k in sys.argv[1:]:
        v = v[k]
except (ValueError, KeyError, TypeError):
    sys.exit(1)
if isinstance(v, str):
    print(v)
else:
    for item in v:
        print(item)
' "$@"
}

mike_stat() {
	local n=$1; shift
	node_mikectl "$n" --json --stats 2>/dev/null | json_get groups "$@"
}

mike_count() {
	local n=$1 out; shift
	out=$(node_mikectl "$n" --json --stats 2>/dev/null) || return 1
	json_get groups "$@" <<< "$out" || { json_get groups "$1" <<< "$out" > /dev/null && echo 0; }
}

mike_list() {
	local n=$1 g=$2; shift 2
	node_mikectl "$n" --json --list-groups --group "$g" 2>/dev/null |
		json_get groups "$g" "$@"
}

stat_reach() {
	local v
	v=$(mike_stat "$1" "$2" "$3") && [ -n "$v" ] && [ "$v" -ge "$4" ]
}
