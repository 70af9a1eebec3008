#!/usr/bin/env bash
# bench/sweep.sh - what the controller costs and what the migration gets:
#  * wall time of a sweep vs the sum of its measurement windows and
#    migration times (target: <= 15% overhead), for pingpong mode (one
#    guest migrated back and forth) and fresh mode (a boot per scenario);
#    boots and link probes are listed apart from migbench's own overhead;
#  * migration bandwidth achieved vs the link's probed TCP throughput, per
#    delay (the baseline measured in the same run, moments before).
set -u
cd "$(dirname "$0")/.."
mb=./migbench
lab=mbbnch
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 0; }
[ -s build/guest/vmlinuz ] || { echo "skip: no guest image (make guest)"; exit 0; }
tmp=$(mktemp -d /tmp/mbbench-XXXXXX)
trap '$mb lab down --lab.name=$lab >/dev/null 2>&1; rm -rf "$tmp"' EXIT
$mb lab up --lab.name=$lab >/dev/null 2>&1 || { echo "lab up failed"; exit 1; }
for mode in pingpong fresh; do
	cat > "$tmp/$mode.ini" <<EOI
[global]
guest_mode = $mode
delay = 0,16ms
workload = cpuadd
before = 5s
after = 5s
probe_time = 1s
repeat = 2
EOI
	$mb run "$tmp/$mode.ini" --lab.name=$lab --out "$tmp/$mode" --no-report >/dev/null 2>"$tmp/$mode.log" \
		|| { echo "$mode sweep failed: $(tail -1 "$tmp/$mode.log")"; continue; }
	jq -s --slurpfile run "$tmp/$mode/run.json" -r --arg mode "$mode" '
		($run[0].end_epoch_s - $run[0].start_epoch_s) as $wall
		| (map(.config.before + .migration.resume_s + .config.after) | add) as $meas
		| (map(.guest_boot_s // 0) | add) as $boot
		| (map(.config.probe_time + 0.1) | add) as $probe
		| "\($mode): \(length) scenarios, wall \($wall|.*100|round/100) s, windows+migrations \($meas|.*100|round/100) s: overhead \((($wall/$meas)-1)*100|round) %; of it guest boots \($boot|.*10|round/10) s, probes ~\($probe|.*10|round/10) s, migbench itself \((($wall-$meas-$boot-$probe)/$meas)*100|round) % (target <= 15 %)"
	' "$tmp/$mode/scenarios.jsonl"
	jq -r '"  \(.id): migration \(.migration.bytes/1048576|round) MiB in \(.migration.total_s) s = \((.migration.bytes/.migration.total_s)/1e6|.*10|round/10) MB/s; probed link \((.link.probe.tcp_bytes_per_s // 0)/1e6|round) MB/s: ratio \(if (.link.probe.tcp_bytes_per_s // 0) > 0 then ((.migration.bytes/.migration.total_s)/.link.probe.tcp_bytes_per_s*1000|round/1000) else "n/a" end)"' "$tmp/$mode/scenarios.jsonl"
done
