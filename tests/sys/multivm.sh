#!/usr/bin/env bash
# tests/sys/multivm.sh - several guests in a scenario, on a lab of its own:
# one cpuadd neighbour on each site beside the migrated guest (each one's
# before/during/after rates recorded, its samples file written), two guests
# migrated together 1 s apart (both converged, both running on the destination alone:
# libvirt on both sites is watched while it runs), a scenario without a
# migration (recorded as such), two that cannot finish in time (the
# scenario fails naming the guest and hosts, nothing left behind), and the
# capacity check refusing a plan that does not fit.  Heavy (boots up to three 160 MiB guests), about 2 minutes.
. "$(dirname "$0")/../lib.sh"
require_cmd jq || exit 0
cd "$TOP"

out=$(mktemp -d /tmp/mbtest-multivm-XXXXXX)
LAB=${MIGBENCH_MULTIVM_LAB:-mv}
trap '[ -n "${watcher:-}" ] && kill "$watcher" 2>/dev/null; "$MIGBENCH" lab down --lab.name=$LAB >/dev/null 2>&1; rm -rf "$out"' EXIT

# The capacity check (no lab needed): 3 guests of 1 GiB (+ 64 MiB each for
# QEMU) where the machine can give 2 GiB.
cat > "$out/big.ini" <<EOF2
[global]
memory = 1GiB
neighbours = 1
EOF2
for cmd in check plan; do
	MIGBENCH_MEM_AVAILABLE=$((2 << 30)) "$MIGBENCH" $cmd "$out/big.ini" > "$out/cap.log" 2>&1
	rc=$?
	check "capacity: $cmd refuses a plan that does not fit (exit 2, got $rc)" test $rc -eq 2
	check "capacity: $cmd names the figures" grep -q 'need 3264 MiB.*can give: 2048 MiB' "$out/cap.log"
done
MIGBENCH_MEM_AVAILABLE=$((4 << 30)) "$MIGBENCH" check "$out/big.ini" > "$out/cap.log" 2>&1
check "capacity: the same plan fits in 4 GiB" test $? -eq 0
check "capacity: the default profiles fit this machine" "$MIGBENCH" check --quiet profiles/*.ini

require_root || { finish; }
require_cmd libvirtd tgtd qemu-system-x86_64 virsh || { finish; }
require_guest || { finish; }

cat > "$out/multi.ini" <<EOF2
[global]
workload = cpuadd
memory = 160MiB
before = 2s
after = 2s
probe = no
dirty_rate_time = 0
[lab]
lun_size = 32MiB
[nb]
neighbours = 1
neighbour_workload = cpuadd
neighbour_site = both
vcpu_pin = spread
[two]
migrate_vms = 2
migrate_stagger = 1s
[nomig]
migrate = no
[fail]
migrate_vms = 2
workload = memdirty
memdirty_size = 64MiB
bandwidth = 2MiB/s
timeout = 4s
EOF2
"$MIGBENCH" lab up --lab.name=$LAB > "$out/up.log" 2>&1 || { fail "lab up" "$(tail -2 "$out/up.log" | tr '\n' ' ')"; finish; }
status=$("$MIGBENCH" lab status --json --lab.name=$LAB)
src_uri=$(jq -r '.sites[0].uri' <<<"$status")
dst_uri=$(jq -r '.sites[1].uri' <<<"$status")
# What libvirt says runs where, every 0.3 s: "<guests on src> <guests on dst>".
( while :; do
	echo "$(virsh -c "$src_uri" list --name 2>/dev/null | grep -c '^migbench-') $(virsh -c "$dst_uri" list --name 2>/dev/null | grep -c '^migbench-')"
	sleep 0.3
  done > "$out/where.log" ) &
watcher=$!
"$MIGBENCH" run "$out/multi.ini" --lab.name=$LAB --out "$out/run" > "$out/log" 2>&1
rc=$?
kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null; watcher=
# The fail section fails (its migrations cannot finish in time): exit 3.
[ $rc -eq 3 ] && ok "migbench run exits 3 (one scenario failed)" || fail "migbench run exits 3 (one scenario failed)" "exit $rc: $(tail -3 "$out/log" | tr '\n' ' ')"
J="$out/run/scenarios.jsonl"
rec() { jq -c "select(.experiment == \"$1\")" "$J"; }

r=$(rec nb)
check "neighbours: status ok" jq -e '.status == "ok" and .outcome == "converged"' <<<"$r"
check "neighbours: one on each site" jq -e '[.neighbours[].host] == ["'"$LAB"'-src", "'"$LAB"'-dst"]' <<<"$r"
check "neighbours: each one's before/during/after rates" jq -e '[.neighbours[] | .phases.before.rate, .phases.during.rate, .phases.after.rate] | length == 6 and all(. > 0)' <<<"$r"
check "neighbours: each one's ratios" jq -e '[.neighbours[] | .ratio.during, .ratio.after] | all(. > 0)' <<<"$r"
check "neighbours: workload cpuadd, vCPUs pinned" jq -e '(.vcpu_pin | test("^[0-9]+$")) and ([.neighbours[] | .workload == "cpuadd" and (.vcpu_pin | test("^[0-9]+$"))] | all)' <<<"$r"
for f in $(jq -r '.neighbours[] | .samples_file, .console_file' <<<"$r"); do
	check "neighbours: $f written" test -s "$out/run/$f"
done

r=$(rec two)
check "migrate_vms=2: status ok" jq -e '.status == "ok" and .outcome == "converged"' <<<"$r"
check "migrate_vms=2: both converged onto the destination" jq -e '.migrations.vms == 2 and ([.migrations.each[] | .outcome == "converged" and .host_after == .destination] | length == 2 and all)' <<<"$r"
check "migrate_vms=2: the aggregate (first start to last end, bytes summed)" jq -e '.migrations.total_s >= ([.migrations.each[].total_s] | max) - 0.5 and .migrations.bytes == ([.migrations.each[].bytes] | add)' <<<"$r"
check "migrate_vms=2: the second started migrate_stagger (1 s) after the first" jq -e '.migrations.stagger_s == 1 and (.migrations.each[1].start_s - .migrations.each[0].start_s) > 0.8' <<<"$r"
check "migrate_vms=2: libvirt showed both on the destination and none on the source" grep -qx '0 2' "$out/where.log"

r=$(rec nomig)
check "migrate=no: status ok, no outcome, recorded as no migration" jq -e '.status == "ok" and (has("outcome") | not) and .migration_tried == false' <<<"$r"
check "migrate=no: migration figures null" jq -e '.migration.total_s == null and .migration.bytes == null' <<<"$r"
check "migrate=no: the three windows measured" jq -e '[.phases.before.n, .phases.during.n, .phases.after.n] | all(. >= 5)' <<<"$r"
check "migrate=no: the guest stayed on the source" jq -e '.guest_host_after == "'"$LAB"'-src"' <<<"$r"
r=$(rec fail)
echo "# the failed scenario's error: $(jq -r .error <<<"$r")"
check "a failed one of migrate_vms=2: status failed, no outcome" jq -e '.status == "failed" and (has("outcome") | not)' <<<"$r"
check "a failed one of migrate_vms=2: the error names the guest and hosts" jq -e '.error | test("migrate_vms = 2: vm2 \\(migbench-[0-9-]+\\): its migration from '"$LAB"'-src to '"$LAB"'-dst did not complete.*it runs on '"$LAB"'-src")' <<<"$r"
check "a failed one of migrate_vms=2: each recorded, vm2 stayed on the source" jq -e '.migrations.each[1].label == "vm2" and .migrations.each[1].host_after == "'"$LAB"'-src"' <<<"$r"
check "after the run: no guest left on either site" test "$(virsh -c "$src_uri" list --all --name | grep -c '^migbench-') $(virsh -c "$dst_uri" list --all --name | grep -c '^migbench-')" = "0 0"
validate_run "$out/run"
finish
