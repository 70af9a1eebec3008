#!/usr/bin/env bash
# bench/guest.sh - what the instrumentation costs: cpuadd's additions/s in
# the TCG guest with a sample every 100 ms vs no sampling at all (one
# sample at the end), BENCH_SECONDS (10) s of work per boot.  Each of
# BENCH_ROUNDS (5) rounds boots both, in alternating order, and gives one
# paired cost 1 - sampled/unsampled; the verdict (target: sampling costs
# <= 1%) needs the noise between rounds below the target and a cost that
# is not negative (bench/lib.sh).
set -u
cd "$(dirname "$0")/.." || exit 1
. bench/lib.sh
BENCH_ROUNDS=${BENCH_ROUNDS:-5}
secs=${BENCH_SECONDS:-10}
target=1
[ -s build/guest/vmlinuz ] || { echo "skip: no guest image (make guest)"; exit 0; }
command -v qemu-system-x86_64 >/dev/null || { echo "skip: no qemu-system-x86_64"; exit 0; }
command -v jq >/dev/null || { echo "skip: no jq"; exit 0; }
run() { # $1 = interval: additions/s over the work, or nothing if the boot failed
	./migbench guest boot --seconds $((secs + 12)) --json \
		--guest_args="migbench.duration=${secs}s migbench.interval=$1" 2>/dev/null |
		jq -s --argjson s "$secs" '[.[] | select(.count != null)][-1] | if . == null then empty else .count / $s end'
}
on=() off=() cost=()
for ((i = 1; i <= BENCH_ROUNDS; i++)); do
	if ((i % 2)); then a=$(run 100ms); b=$(run 0); else b=$(run 0); a=$(run 100ms); fi
	all_num "$a" "$b" || { echo "round $i: a guest boot gave no final sample (sampled '$a', unsampled '$b')"; exit 1; }
	on+=("$a") off+=("$b")
	cost+=("$(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.4f", (1 - a / b) * 100}')")
done
printf 'cpuadd, sampling every 100 ms: %s\n' "$(spread %.4g additions/s "${on[@]}")"
printf 'cpuadd, no sampling:           %s\n' "$(spread %.4g additions/s "${off[@]}")"
printf 'per-round cost (%%):            %s\n' "${cost[*]}"
printf 'sampling costs %s (target <= %s%%): %s\n' "$(spread %.2f % "${cost[@]}")" "$target" \
	"$(cost_verdict "$target" "${cost[@]}")"
