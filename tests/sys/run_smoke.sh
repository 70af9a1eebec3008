#!/usr/bin/env bash
# tests/sys/run_smoke.sh - the end-to-end test: profiles/smoke.ini on a lab
# of its own (cpuadd and seqread over a 4 ms link), then the report.
# Asserts what the results promise: every scenario ok with a real migration
# (time, downtime, bytes > 0), positive guest throughput before, during and
# after, the guest running on the destination afterwards (and gone from the
# source), the link probe recorded, and a report whose numbers match.
. "$(dirname "$0")/../lib.sh"
require_root || exit 0
require_cmd libvirtd tgtd qemu-system-x86_64 jq gnuplot || exit 0
require_guest || exit 0

LAB=mbtrun
out=$(mktemp -d /tmp/mbtest-smoke-XXXXXX)
trap '"$MIGBENCH" lab down --lab.name=$LAB >/dev/null 2>&1; rm -rf "$out"' EXIT

"$MIGBENCH" run profiles/smoke.ini --lab.name=$LAB --out "$out/run" > "$out/log" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "migbench run profiles/smoke.ini exits 0" || fail "migbench run profiles/smoke.ini exits 0" "exit $rc: $(tail -3 "$out/log" | tr '\n' ' ')"
J="$out/run/scenarios.jsonl"
check "scenarios.jsonl has the 2 smoke scenarios" test "$(jq -s 'map(.id) | sort | join(" ")' "$J")" = '"d4ms-cpuadd-r1 d4ms-seqread-r1"'
for wl in cpuadd seqread; do
	r=$(jq -c "select(.workload == \"$wl\")" "$J")
	[ -n "$r" ] || { fail "$wl: recorded"; continue; }
	check "$wl: status ok" test "$(jq -r .status <<<"$r")" = ok
	check "$wl: migration.total_s > 0" jq -e '.migration.total_s > 0' <<<"$r"
	check "$wl: migration.downtime_s > 0" jq -e '.migration.downtime_s > 0' <<<"$r"
	check "$wl: migration.bytes > 64 MiB" jq -e '.migration.bytes > 67108864' <<<"$r"
	check "$wl: iterations >= 1" jq -e '.migration.iterations >= 1' <<<"$r"
	check "$wl: positive rates before, during and after" jq -e '[.phases.before.rate, .phases.during.rate, .phases.after.rate] | all(. > 0)' <<<"$r"
	check "$wl: >= 20 samples in the before window" jq -e '.phases.before.n >= 20' <<<"$r"
	check "$wl: the guest runs on the destination afterwards" jq -e '.migration.guest_state_target == "running" and .migration.guest_state_source == "absent" and .guest_host_after == "'$LAB'-dst"' <<<"$r"
	check "$wl: the guest saw the pause (gap >= downtime)" jq -e '.guest_gap_s >= .migration.downtime_s' <<<"$r"
	# The link's delay is the fastest round trip (as ping's min): a busy CPU
	# (a 2-core machine writing a saved guest back) delays some round trips
	# by a millisecond and moves the mean, not the link.
	probe=$(jq -c '.link.probe | {rtt_min_s, rtt_p50_s, rtt_avg_s, rtt_max_s}' <<<"$r")
	jq -e '.rtt_min_s > 0.0035 and .rtt_min_s < 0.0045 and .rtt_p50_s < 0.006' <<<"$probe" > /dev/null &&
		ok "$wl: the link probe is recorded (RTT near 4 ms: min $(jq .rtt_min_s <<<"$probe"), median $(jq .rtt_p50_s <<<"$probe"))" ||
		fail "$wl: the link probe is recorded (RTT near 4 ms)" "$probe"
	check "$wl: samples file exists" test -s "$out/run/$(jq -r .samples.file <<<"$r")"
	check "$wl: dirty rate measured before the baseline (took_s)" jq -e '.dirty_rate.measured and .dirty_rate.bytes_per_s >= 0 and .dirty_rate.took_s > 0' <<<"$r"
	check "$wl: prediction inputs, predicted transfer time and downtime, residuals" jq -e '.prediction.predicted and (.prediction.inputs | .memory_bytes > 0 and .bandwidth_bytes_per_s > 0 and .dirty_rate_bytes_per_s >= 0 and .max_downtime_s > 0) and .prediction.transfer_s > 0 and .prediction.downtime_s >= 0 and (.prediction.residual | (.transfer_s | type) == "number" and (.downtime_s | type) == "number")' <<<"$r"
	check "$wl: QEMU's transfer time below libvirt's job time" jq -e '.migration.transfer_s > 0 and .migration.transfer_s < .migration.total_s' <<<"$r"
done
check "plots/ has predicted-vs-measured" test -s "$out/run/plots/predicted-vs-measured.png"
check "seqread reads the LUN at > 1 MiB/s" jq -e 'select(.workload=="seqread") | .phases.before.rate > 1048576' "$J"
validate_run "$out/run"
check "run.json: finished ok" test "$(jq -r .status "$out/run/run.json")" = ok
check "run.json: records kernel, QEMU and libvirt versions" jq -e '.host.kernel and .host.qemu and .host.libvirt and .testbed.hosts[0].hypervisor' "$out/run/run.json"

# The report written at the end of the run.
check "summary.csv has a row per scenario" test "$(($(wc -l < "$out/run/summary.csv") - 1))" = 2
for f in "$out"/run/plots/*.png; do
	file "$f" | grep -q 'PNG image data' || fail "valid PNG: $(basename "$f")"
done
# One delay: no plots against the delay; a timeline per migration.
n_tl=$(ls "$out"/run/plots/timeline-*.png 2>/dev/null | wc -l)
[ "$n_tl" -eq 2 ] && ok "report: a timeline per migration ($n_tl)" || fail "report: a timeline per migration" "$n_tl timelines for 2 migrations"
[ -z "$(ls "$out"/run/plots/*-vs-delay.png 2>/dev/null)" ] && ok "report: no plot against the delay when it does not vary" ||
	fail "report: no plot against the delay when it does not vary" "$(ls "$out"/run/plots/)"
# summary.csv numbers match scenarios.jsonl.
col() { head -1 "$out/run/summary.csv" | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
c_id=$(col id) c_tot=$(col migration_total_s) c_rd=$(col ratio_during)
mismatch=""
while IFS=, read -r -a f; do
	id=${f[$((c_id-1))]}
	want=$(jq -r "select(.id==\"$id\") | [.migration.total_s, .ratio.during] | @tsv" "$J")
	got="${f[$((c_tot-1))]}	${f[$((c_rd-1))]}"
	awk -v a="$want" -v b="$got" 'BEGIN{split(a,x,"\t");split(b,y,"\t");exit !(x[1]-y[1]<1e-6 && y[1]-x[1]<1e-6 && x[2]-y[2]<1e-6 && y[2]-x[2]<1e-6)}' || mismatch+=" $id"
done < <(tail -n +2 "$out/run/summary.csv")
[ -z "$mismatch" ] && ok "summary.csv matches scenarios.jsonl" || fail "summary.csv matches scenarios.jsonl" "$mismatch"
grep -q 'timeline-d4ms-cpuadd-r1.png' "$out/run/index.html" && ok "index.html shows the timelines" || fail "index.html shows the timelines"
finish
