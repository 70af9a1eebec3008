#!/usr/bin/env bash
# bench/study.sh - do the study's figures repeat, and does the link set the
# pace when it is the limit?
#  * profiles/seed-wan.ini (the study's 8 cells: 4 links x cpuadd/seqread,
#    1 GiB guests with 768 MiB resident) with 3 repetitions, interleaved so
#    that the machine's drift spreads over every cell instead of landing on
#    one; per cell the coefficient of variation (sample standard deviation
#    / mean, from summary.csv's cell columns) of the migration time and of
#    the during/before ratio, with and without the stop-and-copy pause
#    (target: CV <= 5% in every cell).  A CV from 3 repetitions is itself
#    uncertain: the line also prints its 95% upper bound (chi-square on
#    2 degrees of freedom: 4.4 x the estimate), and the verdict is "met"
#    only when every cell's estimate is within the target, "MISSED" when one
#    is not.  About 15 minutes.
#  * the noise floor, measured in the same run: how steady this machine's
#    CPUs are (a fixed native add loop on one CPU, 5-s windows, 6 before and
#    6 after the study: CV of its rate), how steady the guest is with no
#    migration at all (CV of the cpuadd baseline rate over every cpuadd
#    scenario of the study: the same saved guest, the same work), and the
#    CPU time the hypervisor took away (steal, /proc/stat) over the study
#    and, from the records, in each scenario's during window.
#    A CPU-share figure cannot repeat better than its floor.
#  * link-limited: a 200 Mbit/s (25 MB/s) cap on the migration path, a
#    256 MiB resident guest, BENCH_ROUNDS migrations: migration bandwidth
#    (bytes / total time) over the cap (target: >= 0.8).
#   BENCH_STUDY_REPEAT=N   repetitions of the study profile (default 3)
#   BENCH_STUDY_KEEP=DIR   keep the study sweep's run directory and report there
#   BENCH_STUDY_ARGS="--KEY=VALUE ..."  overrides for the study profile (to
#                          compare settings, e.g. --vcpu_pin=none)
set -u
cd "$(dirname "$0")/.." || exit 1
. bench/lib.sh
mb=./migbench
lab=mbstdy
target=5
reps=${BENCH_STUDY_REPEAT:-3}
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 0; }
[ -s build/guest/vmlinuz ] || { echo "skip: no guest image (make guest)"; exit 0; }
command -v jq >/dev/null || { echo "skip: no jq"; exit 0; }
tmp=$(mktemp -d /tmp/mbbench-study-XXXXXX)
trap '$mb lab down --lab.name=$lab >/dev/null 2>&1; rm -rf "$tmp"' EXIT

study=${BENCH_STUDY_KEEP:-$tmp/study}
# The native loop: additions a second over 5 s on the last CPU, N times.
native() {
	local cpu=$(($(nproc) - 1))
	for ((k = 0; k < $1; k++)); do
		taskset -c "$cpu" build/guest/mbguest migbench.wl=cpuadd migbench.duration=5s migbench.interval=0 2>&1 |
			awk '$4 == "cpuadd" && $5 ~ /^[0-9]+$/ { print $5 / 5 }'
	done
}
# steal and all jiffies since boot (user..steal: guest time is in user), over every CPU.
steal() { awk '$1 == "cpu" { t = 0; for (i = 2; i <= 9; i++) t += $i; print $9, t }' /proc/stat; }
command -v taskset > /dev/null && loop=$(native 6 | tr '\n' ' ')
read -r s0 t0 < <(steal)
# shellcheck disable=SC2086 # the overrides are words
$mb run profiles/seed-wan.ini --lab.name=$lab --repeat="$reps" --order=interleaved --out "$study" ${BENCH_STUDY_ARGS:-} \
	> "$tmp/study.log" 2>&1 || { echo "the study sweep failed: $(tail -n 2 "$tmp/study.log" | tr '\n' ' ')"; exit 1; }
echo "seed-wan.ini${BENCH_STUDY_ARGS:+ $BENCH_STUDY_ARGS}, $reps repetitions interleaved: $(jq -s 'length' "$study/scenarios.jsonl") scenarios in $(jq -r '.end_epoch_s - .start_epoch_s | floor' "$study/run.json") s"
# One line per cell: cell n, then mean and CV of each figure.
python3 - "$study/summary.csv" > "$tmp/cells" <<'PY'
import csv, sys
seen = {}
for r in csv.DictReader(open(sys.argv[1])):
    c = r["cell"]
    if c in seen:
        continue
    seen[c] = 1
    f = lambda k: r.get(k) or "nan"
    print("\t".join([c.replace("\t", " "), r["cell_repetitions"],
                     f("cell_migration_total_s_mean"), f("cell_migration_total_s_cv"),
                     f("cell_ratio_during_mean"), f("cell_ratio_during_cv"),
                     f("cell_ratio_running_mean"), f("cell_ratio_running_cv")]))
PY
read -r s1 t1 < <(steal)
command -v taskset > /dev/null && loop+=$(native 6 | tr '\n' ' ')
printf '  %-24s %3s %22s %22s %22s\n' cell n "migration time (CV)" "during/before (CV)" "pause left out (CV)"
cv_t="" cv_r="" cv_p=""
while IFS=$'\t' read -r cell k mt ct mr cr mp cp; do
	printf '  %-24s %3s %12.2f s (%5.1f%%) %14.3f (%5.1f%%) %14.3f (%5.1f%%)\n' "$cell" "$k" "$mt" \
		"$(awk -v v="$ct" 'BEGIN{print v*100}')" "$mr" "$(awk -v v="$cr" 'BEGIN{print v*100}')" \
		"$mp" "$(awk -v v="$cp" 'BEGIN{print v*100}')"
	cv_t+="$(awk -v v="$ct" 'BEGIN{print v*100}') " cv_r+="$(awk -v v="$cr" 'BEGIN{print v*100}') "
	cv_p+="$(awk -v v="$cp" 'BEGIN{print v*100}') "
done < "$tmp/cells"
# shellcheck disable=SC2086
{
echo "  CV of migration time over cells: $(spread %.1f % $cv_t); 95% upper bound of the worst $(printf '%s\n' $cv_t | sort -g | tail -1 | awk '{printf "%.1f", $1 * 4.40}') % (target <= $target %): $(each_verdict $target $cv_t)"
echo "  CV of during/before over cells: $(spread %.1f % $cv_r); 95% upper bound of the worst $(printf '%s\n' $cv_r | sort -g | tail -1 | awk '{printf "%.1f", $1 * 4.40}') % (target <= $target %): $(each_verdict $target $cv_r)"
echo "  CV of during/before, pause left out, over cells: $(spread %.1f % $cv_p) (no target: for comparison)"
}
# The floor.  cv V...: the sample CV in %, with n.
cv() { printf '%s\n' "$@" | awk '{ s += $1; q += $1 * $1; n++ }
	END { if (n > 1 && s) { m = s / n; printf "%.1f %% (n=%d)", sqrt((q - n * m * m) / (n - 1)) / m * 100, n } else print "n/a" }'; }
base=$(jq -r 'select(.workload == "cpuadd" and .status == "ok") | .phases.before.rate' "$study/scenarios.jsonl" | tr '\n' ' ')
# shellcheck disable=SC2086
{
echo "  noise floor: the guest's cpuadd baseline over the study's cpuadd scenarios (same saved guest, no migration yet): $(spread %.0f "M adds/s" $(printf '%s\n' $base | awk '{ print $1 / 1e6 }')), CV $(cv $base)"
[ -n "${loop:-}" ] && echo "  noise floor: a native add loop on one CPU of this machine, 5-s windows before and after the study: $(spread %.0f "M adds/s" $(printf '%s\n' $loop | awk '{ print $1 / 1e6 }')), CV $(cv $loop)"
echo "  noise floor: CPU time taken by the hypervisor (steal) during the study: $(awk -v a="$s0" -v b="$s1" -v c="$t0" -v d="$t1" 'BEGIN { printf "%.1f", (d > c) ? (b - a) / (d - c) * 100 : 0 }') % of all CPUs' time"
steal_w=$(jq -r 'select(.status == "ok") | .hosts.sites[0].during.host_steal_pct // empty' "$study/scenarios.jsonl" | tr '\n' ' ')
[ -n "$steal_w" ] && echo "  noise floor: steal in each scenario's during window (hosts.sites[0].during.host_steal_pct): $(spread %.1f % $steal_w)"
}

# Link-limited migrations.
cat > "$tmp/ll.ini" <<EOI
[global]
workload = idle
memory = 1GiB
resident = 256MiB
rate = 200Mbit
delay = 4ms
before = 2s
after = 2s
dirty_rate_time = 0
repeat = $BENCH_ROUNDS
[lab]
lun_size = 64MiB
EOI
$mb run "$tmp/ll.ini" --lab.name=$lab --out "$tmp/ll" --no-report > "$tmp/ll.log" 2>&1 \
	|| { echo "the link-limited runs failed: $(tail -n 2 "$tmp/ll.log" | tr '\n' ' ')"; exit 1; }
r=$(jq -r 'select(.status == "ok") | .migration.bytes / .migration.total_s / 25e6' "$tmp/ll/scenarios.jsonl" | tr '\n' ' ')
# shellcheck disable=SC2086
all_num $r || { echo "the link-limited runs left no usable record"; exit 1; }
# shellcheck disable=SC2086
echo "link-limited (200 Mbit/s cap): migration bandwidth / cap $(spread %.3f "" $r) (target >= 0.8): $(verdict ge 0.8 $r)"
