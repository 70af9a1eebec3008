#!/usr/bin/env bash
# bench/run.sh - `make bench`: every benchmark, each printing its figures as
# ratios against a baseline measured in the same run (the machines are
# shared and noisy, so absolute numbers from another day mean little).
#   bench/run.sh [NAME...]     names: lab guest link sweep (default: all)
set -u
cd "$(dirname "$0")/.."
names=("$@")
[ ${#names[@]} -eq 0 ] && names=(lab guest link sweep)
st=0
for n in "${names[@]}"; do
	if [ -x "bench/$n.sh" ]; then
		echo "=== bench/$n.sh"
		"bench/$n.sh" || { echo "bench/$n.sh failed (exit $?)"; st=1; }
	else
		echo "=== bench/$n.sh: not present"
	fi
	echo
done
exit $st
