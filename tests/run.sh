#!/usr/bin/env bash
# tests/run.sh - the one test runner behind `make check`.
#
#   tests/run.sh [GROUP...]     groups: unit profiles sys (default: all)
#   MIGBENCH_BUILD=build/asan   test the sanitizer build instead
#   MIGBENCH_TESTS=regex        only sys tests whose file name matches
#
# Unit tests are cmocka programs (TAP output); system tests are scripts in
# tests/sys that print "ok|FAIL|skip <test>: <what>" lines (tests/lib.sh).
# The last line is the total: "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.."
BUILD_DIR=${MIGBENCH_BUILD:-build}
export MIGBENCH_BUILD=$BUILD_DIR
groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(unit profiles sys)
pass=0 failn=0 skipn=0
failures=()

count_lines() { # $1 = output of a test, $2 = its name, $3 = its exit status
	local out=$1 name=$2 st=$3 p f s
	p=$(grep -c '^ok ' <<<"$out"); f=$(grep -c '^FAIL \|^not ok ' <<<"$out"); s=$(grep -c '^skip \|# SKIP' <<<"$out")
	# TAP "ok N # SKIP" lines are skips, not passes.
	p=$((p - $(grep -c '^ok .*# SKIP' <<<"$out")))
	if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; failures+=("$name: exited $st without reporting a failure"); fi
	while IFS= read -r l; do failures+=("$l"); done < <(grep '^FAIL \|^not ok ' <<<"$out")
	pass=$((pass + p)); failn=$((failn + f)); skipn=$((skipn + s))
}

run_unit() {
	local t out st
	for t in "$BUILD_DIR"/tests/test_*; do
		[ -x "$t" ] || continue
		out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$t" 2>&1); st=$?
		printf '%s\n' "$out" | grep -E '^(ok|not ok|# )' | sed "s|^|  $(basename "$t"): |"
		count_lines "$out" "$(basename "$t")" "$st"
	done
}

run_profiles() {
	local bin=./migbench out st
	[ "$BUILD_DIR" != build ] && bin=$BUILD_DIR/migbench
	out=$("$bin" check profiles/*.ini 2>&1); st=$?
	printf '%s\n' "$out" | sed 's/^/  profiles: /'
	if [ $st -eq 0 ]; then count_lines "ok profiles: every file in profiles/ checks" profiles 0
	else count_lines "FAIL profiles: migbench check profiles/*.ini failed" profiles 0; fi
}

run_sys() {
	local t out st tmp
	tmp=$(mktemp)
	for t in tests/sys/*.sh; do
		[ -f "$t" ] || continue
		if [ -n "${MIGBENCH_TESTS:-}" ] && ! [[ "$(basename "$t" .sh)" =~ ^(${MIGBENCH_TESTS})$ ]]; then continue; fi
		echo "== $t"
		{ timeout 1800 bash "$t" 2>&1; echo "__status=$?"; } | tee "$tmp" | grep -v '^__status='
		st=$(sed -n 's/^__status=//p' "$tmp")
		out=$(grep -v '^__status=' "$tmp")
		count_lines "$out" "$(basename "$t")" "${st:-1}"
	done
	rm -f "$tmp"
}

for g in "${groups[@]}"; do
	case $g in
	unit) echo "== unit tests"; run_unit ;;
	profiles) echo "== profiles"; run_profiles ;;
	sys) run_sys ;;
	*) echo "unknown test group $g (unit, profiles, sys)"; exit 2 ;;
	esac
done

if [ ${#failures[@]} -gt 0 ]; then
	echo; echo "Failures:"; printf '  %s\n' "${failures[@]}"
fi
echo
echo "$pass passed, $failn failed, $skipn skipped"
[ "$failn" -eq 0 ]
