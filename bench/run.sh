#!/usr/bin/env bash
# bench/run.sh - `make bench`: every benchmark.  Each measures its figures
# in several rounds against a baseline of the same run (the machines are
# shared and noisy, so absolute numbers from another day mean little),
# prints medians with their range, and judges a target met / MISSED /
# inconclusive on the whole range (bench/lib.sh).  The last line counts
# the verdicts; the exit status is 1 when a bench could not run to the end.
#   bench/run.sh [NAME...]     names: lab guest link sweep study (default: all)
#   BENCH_ROUNDS=N             rounds per figure (default: each bench's own)
set -u
cd "$(dirname "$0")/.." || exit 1
names=("$@")
[ ${#names[@]} -eq 0 ] && names=(lab guest link sweep study)
st=0 met=0 missed=0 inconc=0 skipped=0 failed=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for n in "${names[@]}"; do
	if [ -x "bench/$n.sh" ]; then
		echo "=== bench/$n.sh"
		"bench/$n.sh" | tee "$tmp"
		rc=${PIPESTATUS[0]}
		if [ "$rc" -ne 0 ]; then echo "bench/$n.sh failed (exit $rc)"; st=1; failed=$((failed + 1)); fi
		grep -q '^skip' "$tmp" && skipped=$((skipped + 1))
		met=$((met + $(grep -o ': met\b' "$tmp" | wc -l)))
		missed=$((missed + $(grep -o ': MISSED\b' "$tmp" | wc -l)))
		inconc=$((inconc + $(grep -o ': inconclusive\b' "$tmp" | wc -l)))
	else
		echo "=== bench/$n.sh: not present"; st=1; failed=$((failed + 1))
	fi
	echo
done
echo "targets: $met met, $missed MISSED, $inconc inconclusive; benches: $skipped skipped, $failed failed"
exit $st
