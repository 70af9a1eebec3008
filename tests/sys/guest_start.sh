#!/usr/bin/env bash
# tests/sys/guest_start.sh - fresh guests from one saved state, and where
# the iSCSI target sits, on a lab of its own.  Three fresh-mode cpuadd
# scenarios with guest_start = restore: the first boots, is saved and
# restored, the others are restored from that save; each starts from the
# same state (the first sample's sequence number repeats, where one guest
# kept running would have counted on), the resident memory is still there
# (the migration carries it), and no saved state is left behind.  The
# same run puts the target beside the source (target_site = source) with a
# 16 ms link: the destination's storage path gets the link, the source's
# does not.  Then guest_start = boot boots every scenario.
. "$(dirname "$0")/../lib.sh"
require_root || exit 0
require_cmd libvirtd tgtd qemu-system-x86_64 jq || exit 0
require_guest || exit 0

LAB=mbtgs
out=$(mktemp -d /tmp/mbtest-gstart-XXXXXX)
trap '"$MIGBENCH" lab down --lab.name=$LAB >/dev/null 2>&1; rm -rf "$out"' EXIT
cat > "$out/r.ini" <<'INI'
[global]
workload = cpuadd
delay = 16ms
target_site = source
memory = 256MiB
resident = 96MiB
before = 2s
after = 2s
probe = no
dirty_rate_time = 0
repeat = 3

[lab]
lun_size = 64MiB
INI
"$MIGBENCH" run "$out/r.ini" --lab.name=$LAB --out "$out/run" --no-report > "$out/log" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "restore: migbench run exits 0" || fail "restore: migbench run exits 0" "exit $rc: $(tail -3 "$out/log" | tr '\n' ' ')"
J="$out/run/scenarios.jsonl"
check "restore: every scenario ok and restored" test "$(jq -r '.status + ":" + .guest_start' "$J" | sort -u | tr '\n' ' ')" = "ok:restore "
check "restore: all from the first scenario's boot" test "$(jq -r .guest_restored_from "$J" | sort -u)" = d16ms-cpuadd-r1
check "restore: only the first scenario booted" test "$(jq -r '.guest_boot_s != null' "$J" | tr '\n' ' ')" = "true false false "
check "restore: each restore took under 20 s" jq -s -e 'map(.guest_restore_s > 0 and .guest_restore_s < 20) | all' "$J"
check "restore: the resident memory was carried (>= 96 MiB moved)" jq -s -e 'map(.migration.memory_transferred_bytes >= 96 * 1048576) | all' "$J"
# The same saved state each time: the first sample after each restore has
# about the same sequence number (10 a second: a guest that kept running
# would be tens further on at every scenario).
firsts=$(for id in d16ms-cpuadd-r1 d16ms-cpuadd-r2 d16ms-cpuadd-r3; do
	awk -F, 'NR == 2 { print $4 }' "$out/run/samples/$id.csv"; done | tr '\n' ' ')
check "restore: every scenario starts from the same state (first seq: $firsts)" \
	awk -v s="$firsts" 'BEGIN { n = split(s, v, " "); lo = hi = v[1]; for (i = 2; i <= n; i++) { if (v[i] < lo) lo = v[i]; if (v[i] > hi) hi = v[i] } exit !(n == 3 && hi - lo <= 5) }'
left=$(find /var/lib/migbench/$LAB -name '*.save' 2>/dev/null | wc -l)
check "restore: no saved state left in the lab ($left)" test "$left" -eq 0
check "target_site source: recorded, beside the source host" jq -s -e 'map(.storage.target_site == "source" and .storage.target_beside == .source and .storage.target_site_emulated) | all' "$J"
check "target_site source: the destination's storage path has the 16 ms link, the source's none" \
	jq -s -e '.[0].link.states | (map(select(.name == "sto-dst"))[0] | .installed and .delay_s == 0.016) and (map(select(.name == "sto-src"))[0] | .installed | not)' "$J"
validate_run "$out/run"

sed -e 's/^repeat = 3/repeat = 2/' -e 's/^target_site = source/target_site = lan/' "$out/r.ini" > "$out/b.ini"
"$MIGBENCH" run "$out/b.ini" --lab.name=$LAB --guest_start=boot --out "$out/boot" --no-report > "$out/blog" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "boot: migbench run exits 0" || fail "boot: migbench run exits 0" "exit $rc: $(tail -3 "$out/blog" | tr '\n' ' ')"
check "boot: every scenario booted" test "$(jq -r '.guest_start + ":" + (.guest_boot_s > 0 | tostring) + ":" + (.guest_restore_s | tostring)' "$out/boot/scenarios.jsonl" | sort -u)" = "boot:true:null"
check "target_site lan: no storage path shaped" jq -s -e '.[0].link.states | map(select(.name != "wan") | .installed | not) | all' "$out/boot/scenarios.jsonl"
validate_run "$out/boot"
finish
