#!/usr/bin/env bash
# bench/sweep.sh - what the controller costs and what the migration gets:
#  * wall time of a sweep vs the sum of its measurement windows and
#    migration times, for pingpong mode (one guest migrated back and
#    forth), fresh mode (a clean guest per scenario, restored from one saved
#    boot: guest_start = restore) and fresh mode booting every scenario
#    (guest_start = boot); guest boots, link probes and dirty-rate
#    measurements (each as its record times it) are listed apart from
#    migbench's own overhead (target: <= 15%);
#  * the fresh-mode overhead: a fresh sweep's wall time over the pingpong
#    sweep's of the same round, the cost of a clean guest per scenario
#    (target: <= 15%);
#  * migration bandwidth achieved vs the link's probed TCP throughput, per
#    delay (the baseline measured in the same run, moments before);
#  * whether a restored guest is in its steady state at once (no settle
#    after a restore): the first second of its baseline window over the
#    rest of it, against the same for the pingpong guest.
# BENCH_ROUNDS (3) rounds, each one sweep (2 delays x 2 repetitions, about
# a minute) per mode, the order rotating from round to round;
# figures are medians with their range, and the overhead target is judged
# like a cost against a baseline: "met" only when the noise between rounds
# is below the target and every round meets it (bench/lib.sh).
set -u
cd "$(dirname "$0")/.." || exit 1
. bench/lib.sh
mb=./migbench
lab=mbbnch
target=15
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 0; }
[ -s build/guest/vmlinuz ] || { echo "skip: no guest image (make guest)"; exit 0; }
command -v jq >/dev/null || { echo "skip: no jq"; exit 0; }
tmp=$(mktemp -d /tmp/mbbench-XXXXXX)
trap '$mb lab down --lab.name=$lab >/dev/null 2>&1; rm -rf "$tmp"' EXIT
$mb lab up --lab.name=$lab >/dev/null 2>&1 || { echo "lab up failed"; exit 1; }
declare -A n wall total boot probe dirty self mig link ratio w1 first
all_modes=(pingpong fresh fresh-boot)
for ((i = 1; i <= BENCH_ROUNDS; i++)); do
	modes="${all_modes[*]:$((i % 3))} ${all_modes[*]:0:$((i % 3))}"
	for mode in $modes; do
		out=$tmp/$mode-$i
		gm=${mode%-boot} gs=restore
		[ "$mode" = fresh-boot ] && gs=boot
		cat > "$out.ini" <<EOI
[global]
guest_mode = $gm
guest_start = $gs
delay = 0,16ms
workload = cpuadd
before = 5s
after = 5s
probe_time = 1s
repeat = 2
EOI
		$mb run "$out.ini" --lab.name=$lab --out "$out" --no-report >/dev/null 2>"$out.log" \
			|| { echo "round $i: $mode sweep failed: $(tail -n 1 "$out.log")"; exit 1; }
		# One line: scenarios wall windows+migrations boots probes
		# dirty-rate overhead% self%.
		line=$(jq -s --slurpfile run "$out/run.json" -r '
			($run[0].end_epoch_s - $run[0].start_epoch_s) as $wall
			| (map(.config.before + .migration.resume_s + .config.after) | add) as $meas
			| (map(.guest_boot_s // 0) | add) as $boot
			| (map(.link.probe.took_s // (.config.probe_time + 0.1)) | add) as $probe
			| (map(.dirty_rate.took_s // 0) | add) as $dirty
			| [length, $wall, $meas, $boot, $probe, $dirty, (($wall / $meas) - 1) * 100,
			   (($wall - $meas - $boot - $probe - $dirty) / $meas) * 100] | map(tostring) | join(" ")
		' "$out/scenarios.jsonl" 2>/dev/null)
		# shellcheck disable=SC2086
		all_num $line || { echo "round $i: $mode sweep left no usable record ($out/scenarios.jsonl)"; exit 1; }
		read -r k w _ b p dr o s <<<"$line"
		n[$mode]=$k; wall[$mode]+="$w "; w1[$mode,$i]=$w; total[$mode]+="$o "; boot[$mode]+="$b "; probe[$mode]+="$p "; dirty[$mode]+="$dr "; self[$mode]+="$s "
		# The baseline's first second over the rest of it, per scenario
		# past the first (whose guest is booted in every mode).
		for f in "$out"/samples/*-r2.csv; do
			r=$(awk -F, 'NR > 1 && $2 == "before" && $7 != "" {
				if ($1 < -4) { a += $7; na++ } else { b += $7; nb++ } }
				END { if (na && nb && b) printf "%.3f", (a / na) / (b / nb) }' "$f")
			is_num "$r" && first[$mode]+="$r "
		done
		# Per delay: migration MB/s, probed link MB/s, their ratio.
		while read -r d mm lm r; do
			mig[$mode,$d]+="$mm " link[$mode,$d]+="$lm "
			is_num "$r" && ratio[$mode,$d]+="$r "
		done < <(jq -r '[(.config.delay * 1000 | round), (.migration.bytes / .migration.total_s / 1e6),
				((.link.probe.tcp_bytes_per_s // 0) / 1e6),
				(if (.link.probe.tcp_bytes_per_s // 0) > 0
				 then .migration.bytes / .migration.total_s / .link.probe.tcp_bytes_per_s else "n/a" end)]
				| map(tostring) | join(" ")' "$out/scenarios.jsonl")
	done
done
# shellcheck disable=SC2086 # the lists are space-separated numbers
for mode in "${all_modes[@]}"; do
	echo "$mode: ${n[$mode]} scenarios a sweep, $BENCH_ROUNDS sweep(s)"
	echo "  wall $(spread %.1f s ${wall[$mode]}); overhead over windows+migrations $(spread %.0f % ${total[$mode]})"
	echo "  of it guest boots $(spread %.1f s ${boot[$mode]}), probes $(spread %.1f s ${probe[$mode]}), dirty-rate measurements $(spread %.1f s ${dirty[$mode]})"
	[ -n "${first[$mode]:-}" ] && echo "  baseline's first second / the rest of it $(spread %.3f "" ${first[$mode]})"
	echo "  migbench itself $(spread %.1f % ${self[$mode]}) (target <= $target %): $(cost_verdict $target ${self[$mode]})"
	for d in 0 16; do
		[ -n "${mig[$mode,$d]:-}" ] || continue
		r="n/a (no link probe)"
		[ -n "${ratio[$mode,$d]:-}" ] && r=$(spread %.3f "" ${ratio[$mode,$d]})
		echo "  ${d} ms: migration $(spread %.1f MB/s ${mig[$mode,$d]}); probed link $(spread %.0f MB/s ${link[$mode,$d]}); ratio $r"
	done
done
# The cost of a clean guest per scenario: each round's fresh sweep against
# the pingpong sweep of the same round.
for mode in fresh fresh-boot; do
	c=""
	for ((i = 1; i <= BENCH_ROUNDS; i++)); do
		c+="$(awk -v f="${w1[$mode,$i]}" -v p="${w1[pingpong,$i]}" 'BEGIN { printf "%.3f", (f / p - 1) * 100 }') "
	done
	# shellcheck disable=SC2086
	echo "fresh-mode overhead ($mode over pingpong, wall time) $(spread %.1f % $c) (target <= $target %): $(cost_verdict $target $c)"
done
