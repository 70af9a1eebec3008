#!/usr/bin/env bash
# bench/lab.sh - how long `migbench lab up` takes (target: under 10 s with a
# built guest), and `lab status` (which checks every part for real) and
# `lab down`.  BENCH_ROUNDS (3) up/status/down rounds after a warm-up (the
# first up on a machine also probes QEMU's capabilities, ~7 s, cached in
# <lab.dir>/cache; shown separately); median and range, and "met" only when
# every round is under the target (bench/lib.sh).
set -u
cd "$(dirname "$0")/.." || exit 1
. bench/lib.sh
mb=./migbench
lab=--lab.name=mbbnch
target=10
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 0; }
trap '$mb lab down $lab >/dev/null 2>&1' EXIT
now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", a - b}'; }
$mb lab down $lab >/dev/null 2>&1
cold=""
if [ ! -d /var/lib/migbench/cache/qemu ]; then
	t0=$(now); $mb lab up $lab >/dev/null 2>&1; cold=$(sub "$(now)" "$t0"); $mb lab down $lab >/dev/null 2>&1
fi
ups=() stats=() downs=()
for ((i = 1; i <= BENCH_ROUNDS; i++)); do
	t0=$(now); $mb lab up $lab >/dev/null 2>&1 || { echo "round $i: lab up failed"; exit 1; }
	t1=$(now); $mb lab status $lab >/dev/null 2>&1 || { echo "round $i: lab status failed"; exit 1; }
	t2=$(now); $mb lab down $lab >/dev/null 2>&1 || { echo "round $i: lab down failed"; exit 1; }
	t3=$(now)
	ups+=("$(sub "$t1" "$t0")"); stats+=("$(sub "$t2" "$t1")"); downs+=("$(sub "$t3" "$t2")")
done
printf 'lab up       %s  target <= %s s: %s\n' "$(spread %.2f s "${ups[@]}")" "$target" \
	"$(verdict le "$target" "${ups[@]}")"
[ -n "$cold" ] && printf 'lab up, first on this machine (QEMU probe): %.2f s (one run)\n' "$cold"
printf 'lab status   %s  (2 libvirt connections, 2 iSCSI inquiries)\n' "$(spread %.2f s "${stats[@]}")"
printf 'lab down     %s\n' "$(spread %.2f s "${downs[@]}")"
