#!/usr/bin/env bash
# bench/guest.sh - what the instrumentation costs: cpuadd's additions/s in
# the TCG guest with a sample every 100 ms vs no sampling at all (one
# sample at the end), same boot, same 10 s of work, alternating 3 times;
# the ratio of the medians (target: sampling costs <= 1%).
set -u
cd "$(dirname "$0")/.."
[ -s build/guest/vmlinuz ] || { echo "skip: no guest image (make guest)"; exit 0; }
command -v qemu-system-x86_64 >/dev/null || { echo "skip: no qemu-system-x86_64"; exit 0; }
run() { # $1 = interval: additions/s over the 10 s
	./migbench guest boot --seconds 16 --json --guest_args="migbench.duration=10s migbench.interval=$1" 2>/dev/null |
		jq -s '[.[] | select(.count != null)][-1] | .count / 10'
}
on=() off=()
for i in 1 2 3; do
	on+=("$(run 100ms)")
	off+=("$(run 0)")
done
med() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
m_on=$(med "${on[@]}") m_off=$(med "${off[@]}")
awk -v a="$m_on" -v b="$m_off" 'BEGIN{
	printf "cpuadd, sampling every 100 ms: %.3g additions/s (median of 3)\n", a
	printf "cpuadd, no sampling:           %.3g additions/s (median of 3)\n", b
	r = a / b; printf "ratio sampled/unsampled %.4f: sampling costs %.2f%% (target <= 1%%): %s\n", r, (1 - r) * 100, (1 - r <= 0.01) ? "met" : "MISSED" }'
