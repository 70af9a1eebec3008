#!/usr/bin/env bash
# tests/sys/faults.sh - faults during a sweep, on a lab of its own:
#   link cut mid-migration (100% loss), destination libvirtd killed
#   mid-migration, a guest that hangs, a guest workload that dies, a guest
#   that crashes, SIGTERM to the controller mid-migration.
# Each must end as a recorded failure with the reason (or, for SIGTERM, a
# clean exit 130), with the guest on at most one host, the link clear, and
# the next scenario running.
. "$(dirname "$0")/../lib.sh"
require_root || exit 0
require_cmd libvirtd tgtd qemu-system-x86_64 jq virsh || exit 0
require_guest || exit 0

LAB=mbtflt
tmp=$(mktemp -d /tmp/mbtest-faults-XXXXXX)
trap '"$MIGBENCH" lab down --lab.name=$LAB >/dev/null 2>&1; rm -rf "$tmp"' EXIT
"$MIGBENCH" lab up --lab.name=$LAB > /dev/null 2>&1 || { fail "lab up"; finish; }
status() { "$MIGBENCH" lab status --json --lab.name=$LAB; }
src_uri=$(status | jq -r '.sites[0].uri')
dst_uri=$(status | jq -r '.sites[1].uri')

# Wait until the run's event stream ($1) shows $2 migrate phases; then do $3.
when_migrating() {
	local events=$1 n=$2
	for _ in $(seq 1 900); do
		[ "$(jq -s "[.[] | select(.event==\"phase\" and .phase==\"migrate\")] | length" "$events" 2>/dev/null)" -ge "$n" ] && return 0
		sleep 0.1
	done
	return 1
}

# Guests of migbench running on each site: "src dst" counts.
guests() {
	local a b
	a=$(virsh -c "$src_uri" list --name 2>/dev/null | grep -c '^migbench-')
	b=$(virsh -c "$dst_uri" list --name 2>/dev/null | grep -c '^migbench-')
	echo "$a $b"
}

# A slow migration (16 MiB/s cap) so there is time to hurt it, then a
# plain one that must succeed.
cat > "$tmp/slow.ini" <<EOI
[global]
workload = cpuadd
before = 1s
after = 1s
probe = no
[a]
bandwidth = 16MiB/s
timeout = 20s
[b]
EOI

# --- destination libvirtd killed mid-migration -------------------------------
"$MIGBENCH" run "$tmp/slow.ini" --lab.name=$LAB --out "$tmp/kill" --json --no-report > "$tmp/kill.ev" 2> "$tmp/kill.log" &
run=$!
if when_migrating "$tmp/kill.ev" 1; then
	sleep 1
	kill -9 "$(status | jq -r '.sites[1].libvirtd_pid')"
	ok "dst libvirtd killed mid-migration"
else
	fail "dst libvirtd killed mid-migration" "never saw the migration start"
fi
wait $run; rc=$?
[ $rc -eq 3 ] && ok "run exits 3 (a scenario failed)" || fail "run exits 3" "exit $rc: $(tail -2 "$tmp/kill.log" | tr '\n' ' ')"
a=$(jq -c 'select(.id=="a-d0ms-cpuadd-r1")' "$tmp/kill/scenarios.jsonl")
check "killed: scenario recorded failed with the reason" jq -e '.status == "failed" and (.error | length > 10)' <<<"$a"
check "killed: the guest stayed on the source" jq -e '.migration.guest_state_source == "running" and .migration.guest_state_target != "running"' <<<"$a"
check "killed: the next scenario ran (the lab was repaired)" test "$(jq -r 'select(.id=="b-d0ms-cpuadd-r1") | .status' "$tmp/kill/scenarios.jsonl")" = ok
check "killed: lab healthy afterwards" test "$(status | jq -r .healthy)" = true
check "killed: no guest left on either site" test "$(guests)" = "0 0"

# --- SIGTERM to the controller mid-migration ---------------------------------
"$MIGBENCH" run "$tmp/slow.ini" --lab.name=$LAB --out "$tmp/term" --json --no-report > "$tmp/term.ev" 2> "$tmp/term.log" &
run=$!
when_migrating "$tmp/term.ev" 1 && sleep 1
kill -TERM $run
wait $run; rc=$?
[ $rc -eq 130 ] && ok "SIGTERM: exit 130" || fail "SIGTERM: exit 130" "exit $rc: $(tail -2 "$tmp/term.log" | tr '\n' ' ')"
check "SIGTERM: run.json says interrupted" test "$(jq -r .status "$tmp/term/run.json")" = interrupted
n=0; [ -f "$tmp/term/scenarios.jsonl" ] && n=$(jq -s length "$tmp/term/scenarios.jsonl")
check "SIGTERM: the interrupted scenario is not recorded as finished" test "$n" = 0 || jq -c "{id,status,error}" "$tmp/term/scenarios.jsonl"
check "SIGTERM: no guest left on either site" test "$(guests)" = "0 0"
check "SIGTERM: the link is clear" jq -e '[.links[] | select(.installed == true)] | length == 0' <<<"$(status)"
"$MIGBENCH" run --resume "$tmp/term" --no-report > "$tmp/term2.log" 2>&1 && ok "SIGTERM: --resume then completes" || fail "SIGTERM: --resume then completes" "$(tail -2 "$tmp/term2.log")"

# --- a guest that hangs (paused by hand) -------------------------------------
cat > "$tmp/hang.ini" <<EOI
[global]
workload = cpuadd
before = 20s
after = 1s
probe = no
EOI
"$MIGBENCH" run "$tmp/hang.ini" --lab.name=$LAB --out "$tmp/hang" --json --no-report > "$tmp/hang.ev" 2> "$tmp/hang.log" &
run=$!
for _ in $(seq 1 600); do
	[ "$(jq -s '[.[] | select(.event=="phase" and .phase=="before")] | length' "$tmp/hang.ev" 2>/dev/null)" -ge 1 ] && break
	sleep 0.1
done
sleep 1
dom=$(virsh -c "$src_uri" list --name | grep '^migbench-' | head -1)
virsh -c "$src_uri" suspend "$dom" > /dev/null 2>&1
t0=$(date +%s)
wait $run; rc=$?
took=$(( $(date +%s) - t0 ))
[ $rc -eq 3 ] && ok "hung guest: exit 3" || fail "hung guest: exit 3" "exit $rc"
check "hung guest: detected within 10 s, not at the end of the window" test "$took" -lt 10
check "hung guest: recorded with the reason" jq -e '.status == "failed" and (.error | test("no sample"))' "$tmp/hang/scenarios.jsonl"
check "hung guest: no guest left" test "$(guests)" = "0 0"

# --- the link cut mid-migration (100% loss on the migration path) -----------
cat > "$tmp/cut.ini" <<EOI
[global]
workload = cpuadd
delay = 4ms
before = 1s
after = 1s
probe = no
[a]
bandwidth = 16MiB/s
timeout = 8s
[b]
EOI
"$MIGBENCH" run "$tmp/cut.ini" --lab.name=$LAB --out "$tmp/cut" --json --no-report > "$tmp/cut.ev" 2> "$tmp/cut.log" &
run=$!
if when_migrating "$tmp/cut.ev" 1; then
	sleep 1
	# The run holds the lab's lock, so `link set` on the lab is refused while
	# it runs (as it should be for a person); the fault acts on the link
	# itself, through the spec file its delay line serves.
	out=$("$MIGBENCH" link set --spec "/var/lib/migbench/$LAB/links/wan/spec.json" --delay 4ms --loss 100% 2>&1) &&
		ok "link cut mid-migration (100% loss)" || fail "link cut mid-migration (100% loss)" "$out"
else
	fail "link cut mid-migration" "never saw the migration start"
fi
wait $run; rc=$?
[ $rc -eq 3 ] && ok "cut: run exits 3" || fail "cut: run exits 3" "exit $rc: $(tail -2 "$tmp/cut.log" | tr '\n' ' ')"
a=$(jq -c 'select(.id=="a-d4ms-cpuadd-r1")' "$tmp/cut/scenarios.jsonl")
check "cut: recorded failed, the timeout named" jq -e '.status == "failed" and (.error | test("timeout|abort"))' <<<"$a"
check "cut: the guest ran on exactly one host (the source)" jq -e '.migration.guest_state_source == "running" and .migration.guest_state_target != "running"' <<<"$a"
check "cut: the link was restored and the next scenario ran" test "$(jq -r 'select(.id=="b-d4ms-cpuadd-r1") | .status' "$tmp/cut/scenarios.jsonl")" = ok
check "cut: no shaping left after the run" jq -e '[.links[] | select(.installed == true)] | length == 0' <<<"$(status)"
check "cut: no guest left" test "$(guests)" = "0 0"

# --- the workload dies / the guest crashes (guest test hooks) ----------------
for fault in exit panic; do
	cat > "$tmp/$fault.ini" <<EOI
[global]
workload = cpuadd
before = 30s
after = 1s
probe = no
[dies]
guest_args = migbench.fault=$fault@2s
[fine]
before = 1s
EOI
	t0=$(date +%s)
	"$MIGBENCH" run "$tmp/$fault.ini" --lab.name=$LAB --out "$tmp/$fault" --no-report > /dev/null 2> "$tmp/$fault.log"
	rc=$?
	took=$(( $(date +%s) - t0 ))
	[ $rc -eq 3 ] && ok "guest fault '$fault': run exits 3" || fail "guest fault '$fault': run exits 3" "exit $rc"
	check "guest fault '$fault': recorded failed, the silence named" jq -se 'map(select(.experiment=="dies"))[0] | .status == "failed" and (.error | test("no sample"))' "$tmp/$fault/scenarios.jsonl"
	check "guest fault '$fault': detected in seconds, not at the end of the 30 s window" test "$took" -lt 40
	check "guest fault '$fault': the next scenario ran" jq -se 'map(select(.experiment=="fine"))[0] | .status == "ok"' "$tmp/$fault/scenarios.jsonl"
done
check "faults: no guest left at the end" test "$(guests)" = "0 0"
finish
