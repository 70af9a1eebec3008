# tests/lib.sh - helpers for the system tests (tests/sys/*.sh).
#
# A test script sources this file and reports each check with ok / fail /
# skip.  tests/run.sh counts those lines; a script that exits non-zero
# without reporting a failure counts as one failure.  Skips always carry
# the reason, so a missing resource is visible, never a silent pass.
#
#   . "$(dirname "$0")/../lib.sh"
#   require_root || exit 0         # prints "skip <test>: <reason>"
#   ok "lab comes up"
#   fail "lab comes up" "status said: ..."

set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${MIGBENCH_BUILD:-build}
if [ "$BUILD_DIR" = build ]; then MIGBENCH=${MIGBENCH:-$TOP/migbench}; else MIGBENCH=${MIGBENCH:-$TOP/$BUILD_DIR/migbench}; fi
TEST_NAME=$(basename "$0" .sh)
export MIGBENCH TOP

ok()   { printf 'ok %s: %s\n' "$TEST_NAME" "$1"; }
fail() { printf 'FAIL %s: %s%s\n' "$TEST_NAME" "$1" "${2:+ -- $2}"; FAILED=1; }
skip() { printf 'skip %s: %s\n' "$TEST_NAME" "$1"; }
FAILED=0

# check DESC CMD...: ok if CMD succeeds, fail (with its output) otherwise.
check() {
	local desc=$1 out; shift
	if out=$("$@" 2>&1); then ok "$desc"; else fail "$desc" "$(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"; fi
}

# expect_rc DESC RC CMD...: ok if CMD exits with RC.
expect_rc() {
	local desc=$1 want=$2 out rc; shift 2
	out=$("$@" 2>&1); rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$desc"; else fail "$desc" "exit $rc, wanted $want: $(printf '%s' "$out" | tail -n 2 | tr '\n' ' ')"; fi
}

require_root() {
	[ "$(id -u)" -eq 0 ] && return 0
	skip "needs root (namespaces, libvirtd, tgtd)"; return 1
}

require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || { skip "needs $c (not installed; run make deps)"; return 1; }
	done
}

require_guest() {
	[ -s "$TOP/build/guest/vmlinuz" ] && [ -s "$TOP/build/guest/initrd.img" ] && return 0
	skip "needs the guest image (run make guest)"; return 1
}

# Finish a test script: exit status tells run.sh whether anything failed.
finish() { exit "$FAILED"; }

# validate_run DIR...: every run.json and scenarios.jsonl line in the run
# directories matches schema/run.schema.json and schema/scenario.schema.json
# (tests/validate_run.py, python3-jsonschema).  One ok or fail line.
validate_run() {
	local out rc
	if ! python3 -c 'import jsonschema' 2>/dev/null; then
		skip "schema check of $*: needs python3-jsonschema (run make deps)"; return 0
	fi
	out=$(python3 "$TOP/tests/validate_run.py" "$@" 2>&1); rc=$?
	if [ $rc -eq 0 ]; then ok "records match the schema: $out"
	else fail "records match the schema ($*)" "$(printf '%s' "$out" | head -n 5 | tr '\n' ' ')"; fi
}
