#!/usr/bin/env bash
# tests/sys/hostmon.sh - the host sampler, KSM control and I/O by layer,
# end to end on a lab of its own (lab.name=hm, or MB_HM_LAB):
#   ksm  a 256 MiB idle guest holding 128 MiB of one repeated page, with
#        ksm = on, ksm_sleep = 10ms, ksm_pages_to_scan = 5000: KSM merges
#        (pages_sharing > 0 in the record), the vCPU threads used CPU,
#        hosts/<id>.csv has the KSM and per-thread columns, and the host's
#        KSM settings are back as they were afterwards;
#   io   seqread: the workload's bytes, the guest block device's (its blk
#        events) and the target's (tgtd's /proc/PID/io) per phase;
#   ksm2 two identical guests (the main one and a neighbour), no migration
#        (migrate = no), the same repeated page, ksm = on: KSM merges
#        across them and the record says no migration was tried.
# Heavy (boots two guests): run it under flock /tmp/migbench-heavy.lock.
# About 1.5 minutes.
. "$(dirname "$0")/../lib.sh"
require_root || exit 0
require_cmd libvirtd tgtd qemu-system-x86_64 jq || exit 0
require_guest || exit 0
cd "$TOP"
KSM=/sys/kernel/mm/ksm
[ -e $KSM/run ] || { skip "this kernel has no KSM ($KSM)"; exit 0; }
if ! zcat build/guest/initrd.img 2>/dev/null | grep -aq 'read_bytes='; then
	skip "the guest image predates the blk event (run make guest)"; exit 0
fi

LAB=${MB_HM_LAB:-hm}
out=$(mktemp -d /tmp/mbtest-hostmon-XXXXXX)
trap '"$MIGBENCH" lab down --lab.name=$LAB >/dev/null 2>&1; rm -rf "$out"' EXIT
ksm_state() { echo "$(cat $KSM/run) $(cat $KSM/pages_to_scan) $(cat $KSM/sleep_millisecs)"; }
found=$(ksm_state)

cat > "$out/hostmon.ini" <<EOF
[global]
memory = 256MiB
before = 3s
after = 3s
interval = 200ms
probe = no
dirty_rate_time = 0

[lab]
lun_size = 64MiB

[ksm]
workload = idle
resident = 128MiB
resident_pattern = same
ksm = on
ksm_sleep = 10ms
ksm_pages_to_scan = 5000

[io]
workload = seqread
seqread_size = 48MiB

[ksm2]
workload = idle
migrate = no
neighbours = 1
neighbour_workload = idle
resident = 128MiB
resident_pattern = same
ksm = on
ksm_sleep = 10ms
ksm_pages_to_scan = 5000
EOF
"$MIGBENCH" run "$out/hostmon.ini" --lab.name=$LAB --out "$out/run" > "$out/log" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "migbench run exits 0" || fail "migbench run exits 0" "exit $rc: $(tail -3 "$out/log" | tr '\n' ' ')"
J="$out/run/scenarios.jsonl"
check "the host's KSM settings are restored (run pages_to_scan sleep: $found)" test "$(ksm_state)" = "$found"

k=$(jq -c 'select(.experiment == "ksm")' "$J" 2>/dev/null)
io=$(jq -c 'select(.experiment == "io")' "$J" 2>/dev/null)
check "ksm: status ok" test "$(jq -r .status <<<"$k")" = ok
check "ksm: the record has the hosts section from /proc, one kernel" \
	jq -e '.hosts.source == "proc" and .hosts.shared_kernel and .hosts.samples > 10 and (.hosts.sites | length) == 2' <<<"$k"
csv="$out/run/$(jq -r .hosts.file <<<"$k")"
check "ksm: hosts/<id>.csv exists" test -s "$csv"
hdr=$(head -1 "$csv" 2>/dev/null)
for col in time_s phase site host pid cpu_vcpu_pct cpu_migration_pct cpu_other_pct rss_bytes \
	mem_available_bytes mem_free_bytes host_busy_pct host_steal_pct ksm_pages_shared ksm_pages_sharing ksm_pages_unshared \
	ksm_full_scans target_rchar_bytes target_wchar_bytes target_read_bytes target_write_bytes; do
	grep -qE "(^|,)$col(,|$)" <<<"$hdr" || fail "ksm: the csv has a $col column" "header: $hdr"
done
ok "ksm: the csv header names every column with its unit"
check "ksm: every csv row has the header's number of fields" \
	awk -F, 'NR == 1 { n = NF } NF != n { exit 1 }' "$csv"
check "ksm: the vCPU threads used CPU in the csv (cpu_vcpu_pct > 0 on some row)" \
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "cpu_vcpu_pct") c = i } NR > 1 && $c > 0 { f = 1 } END { exit !f }' "$csv"
check "ksm: the source's vCPU threads used CPU before the migration" \
	jq -e '.hosts.sites[0].before.cpu_vcpu_pct > 0 and .hosts.sites[0].before.rss_bytes > 128 * 1048576' <<<"$k"
check "ksm: the destination's after the migration" jq -e '.hosts.sites[1].after.cpu_vcpu_pct > 0' <<<"$k"
# The guest's vCPU time is part of the host's busy time ($(nproc) CPUs).
ncpu=$(nproc)
check "ksm: the host's busy CPU holds the guest's vCPU time, with steal, in every window ($(jq -r '[.hosts.sites[0] | .before, .during, .after | "\(.host_busy_pct | round)%/\(.host_steal_pct * 10 | round / 10)%"] | join(" ")' <<<"$k") busy/stolen)" \
	jq -e --argjson n "$ncpu" '[.hosts.sites[] | .before, .during, .after] | all(.host_busy_pct <= 100 and .host_steal_pct >= 0 and .host_busy_pct + .host_steal_pct <= 100.5 and (.cpu_vcpu_pct == null or .host_busy_pct * $n >= 0.8 * .cpu_vcpu_pct))' <<<"$k"
# QEMU 7.2 sends from its live_migration thread and receives in the main
# thread (an "other" thread): the sending side can be cheap enough to
# round to 0 clock ticks, the receiving side is not.
check "ksm: QEMU worked on the migration (source migration thread + destination other threads > 0)" \
	jq -e '.hosts.sites[0].during.cpu_migration_pct + .hosts.sites[1].during.cpu_other_pct > 0' <<<"$k"
check "ksm: on, applied, restored, 5000 pages per 10 ms" \
	jq -e '.ksm.mode == "on" and .ksm.available and .ksm.applied and .ksm.restored and .ksm.pages_to_scan == 5000 and .ksm.sleep_s == 0.01' <<<"$k"
check "ksm: KSM merged the repeated pages (pages_sharing > 0, merged bytes = pages x page size)" \
	jq -e '[.ksm.before, .ksm.during, .ksm.after] | map(.pages_sharing) | max > 0' <<<"$k"
check "ksm: merged_bytes is pages_sharing x the page size" \
	jq -e '.ksm.after.merged_bytes == .ksm.after.pages_sharing * 4096' <<<"$k"
echo "# ksm: pages_sharing before/during/after $(jq -c '[.ksm.before.pages_sharing, .ksm.during.pages_sharing, .ksm.after.pages_sharing]' <<<"$k"), settled at $(jq .ksm.settled_s <<<"$k") s"

check "io: status ok" test "$(jq -r .status <<<"$io")" = ok
check "io: the layers moved bytes before the migration (workload, guest device, target)" \
	jq -e '.io.before | .workload_bytes > 0 and .guest_read_bytes > 0 and .target_read_bytes > 0 and .target_write_bytes > 0' <<<"$io"
check "io: the guest device read what the workload asked, within 10% (O_DIRECT)" \
	jq -e '.io.before | (.guest_read_bytes / .workload_bytes) as $r | $r > 0.9 and $r < 1.1' <<<"$io"
check "io: the target sent at least what the guest device read (after: on the destination)" \
	jq -e '.io.after | .target_write_bytes >= 0.9 * .guest_read_bytes' <<<"$io"
echo "# io before: $(jq -c .io.before <<<"$io")"
echo "# io after:  $(jq -c .io.after <<<"$io")"
k2=$(jq -c 'select(.experiment == "ksm2")' "$J" 2>/dev/null)
check "ksm2: status ok, no migration tried, one neighbour with its rates" \
	jq -e '.status == "ok" and .migration_tried == false and (.neighbours | length) == 1 and .neighbours[0].phases.before.n > 0' <<<"$k2"
check "ksm2: KSM merged the two guests' pages (pages_sharing > 0 at the end)" \
	jq -e '.ksm.mode == "on" and .ksm.applied and .ksm.restored and .ksm.after.pages_sharing > 0' <<<"$k2"
check "ksm2: hosts/<id>.csv with the KSM and per-thread CPU columns" \
	sh -c 'head -1 "$1" | grep -q ksm_pages_sharing && head -1 "$1" | grep -q cpu_vcpu' _ "$out/run/$(jq -r .hosts.file <<<"$k2")"
echo "# ksm2: pages_sharing before/during/after $(jq -c '[.ksm.before.pages_sharing, .ksm.during.pages_sharing, .ksm.after.pages_sharing]' <<<"$k2")"
validate_run "$out/run"

# Interrupted while KSM is applied: the settings are back all the same.
sed -e '/^\[io\]/,$d' "$out/hostmon.ini" > "$out/int.ini"
"$MIGBENCH" run "$out/int.ini" --lab.name=$LAB --out "$out/int" > "$out/int.log" 2>&1 &
pid=$!
for _ in $(seq 300); do [ "$(cat $KSM/run)" = 1 ] && break; sleep 0.1; done
applied=$(cat $KSM/run)
sleep 1
kill -INT $pid
wait $pid
rc=$?
check "interrupted: KSM was on while the scenario ran" test "$applied" = 1
check "interrupted: migbench exits 130" test $rc -eq 130
check "interrupted: the host's KSM settings are restored ($found)" test "$(ksm_state)" = "$found"
finish
