#!/usr/bin/env bash
# bench/lab.sh - how long `migbench lab up` takes (target: under 10 s with a
# built guest), and `lab status` (which checks every part for real).
# Median of 3 after a warm-up up/down (the first up on a machine also probes
# QEMU's capabilities, ~7 s, cached in <lab.dir>/cache; shown separately).
set -u
cd "$(dirname "$0")/.."
mb=./migbench
lab=--lab.name=mbbnch
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 0; }
now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", a - b}'; }
$mb lab down $lab >/dev/null 2>&1
cold=""
if [ ! -d /var/lib/migbench/cache/qemu ]; then
	t0=$(now); $mb lab up $lab >/dev/null 2>&1; cold=$(sub "$(now)" "$t0"); $mb lab down $lab >/dev/null 2>&1
fi
ups=() stats=() downs=()
for i in 1 2 3; do
	t0=$(now); $mb lab up $lab >/dev/null 2>&1 || { echo "lab up failed"; exit 1; }
	t1=$(now); $mb lab status $lab >/dev/null 2>&1
	t2=$(now); $mb lab down $lab >/dev/null 2>&1
	t3=$(now)
	ups+=("$(sub "$t1" "$t0")"); stats+=("$(sub "$t2" "$t1")"); downs+=("$(sub "$t3" "$t2")")
done
med() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
up=$(med "${ups[@]}")
printf 'lab up       %6.2f s median of 3 (%s)  target < 10 s: %s\n' "$up" "$(printf '%.2f ' "${ups[@]}")" \
	"$(awk -v u="$up" 'BEGIN{print (u < 10) ? "met" : "MISSED"}')"
[ -n "$cold" ] && printf 'lab up, first on this machine (QEMU probe): %.2f s\n' "$cold"
printf 'lab status   %6.2f s median (2 libvirt connections, 2 iSCSI inquiries)\n' "$(med "${stats[@]}")"
printf 'lab down     %6.2f s median\n' "$(med "${downs[@]}")"
