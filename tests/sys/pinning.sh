#!/usr/bin/env bash
# tests/sys/pinning.sh - vcpu_pin, emulator_pin and lab_pin as the kernel
# sees them, on a lab of its own: while a scenario migrates a guest, every
# thread of its QEMU (on the source, then on the destination) is watched in
# /proc: the vCPU thread ("CPU 0/TCG" or "CPU 0/KVM") allowed only on CPU 1, every other
# thread (the migration thread among them) only on CPU 0; tgtd, both
# libvirtds, the delay line and migbench itself only on CPU 0 while it
# runs, and on every CPU again after it; after a run killed while pinning,
# the next run puts them back.  Needs 2 CPUs.  About a minute and a half.
. "$(dirname "$0")/../lib.sh"
require_root || exit 0
require_cmd jq libvirtd tgtd qemu-system-x86_64 || exit 0
require_guest || exit 0
cd "$TOP"
[ "$(nproc)" -ge 2 ] || { skip "needs 2 CPUs to pin vCPUs and the rest apart (this machine has $(nproc))"; exit 0; }

out=$(mktemp -d /tmp/mbtest-pinning-XXXXXX)
LAB=${MIGBENCH_PINNING_LAB:-pn}
trap '[ -n "${watcher:-}" ] && kill "$watcher" 2>/dev/null; "$MIGBENCH" lab down --lab.name=$LAB >/dev/null 2>&1; rm -rf "$out"' EXIT
all=$(awk '/^Cpus_allowed_list/ {print $2}' /proc/self/status)

cat > "$out/pin.ini" <<EOF2
[global]
workload = cpuadd
memory = 160MiB
delay = 4ms
# Long enough (several seconds) for the watcher to see the migration thread.
rate = 200Mbit
before = 3s
after = 3s
probe_time = 1s
dirty_rate_time = 0
vcpu_pin = 1
emulator_pin = 0
lab_pin = 0
EOF2
"$MIGBENCH" lab up --lab.name=$LAB > "$out/up.log" 2>&1 || { fail "lab up" "$(tail -2 "$out/up.log" | tr '\n' ' ')"; finish; }
st=$("$MIGBENCH" lab status --json --lab.name=$LAB)
daemons=$(jq -r '[.sites[].libvirtd_pid, .storage.tgtd_pid] | join(" ")' <<<"$st")
# Each thread of the lab's QEMUs and daemons and of the run, every 0.2 s:
# "<kind> <pid> <thread name> <allowed CPUs>".
tasks() {
	local kind=$1 p=$2 t
	for t in /proc/"$p"/task/*; do
		printf '%s %s %s %s\n' "$kind" "$p" "$(tr ' ' _ < "$t/comm" 2>/dev/null)" \
			"$(awk '/^Cpus_allowed_list/ {print $2}' "$t/status" 2>/dev/null)"
	done
}
( while :; do
	for p in $(pgrep -f "guest=migbench-" 2>/dev/null); do
		grep -qs "$LAB" /proc/"$p"/cmdline && tasks qemu "$p"
	done
	for p in $daemons; do tasks daemon "$p"; done
	for p in $(pgrep -f "migbench delayline --dir /var/lib/migbench/$LAB/" 2>/dev/null); do tasks delayline "$p"; done
	for p in $(pgrep -f "migbench run $out/pin.ini" 2>/dev/null); do tasks run "$p"; done
	sleep 0.2
  done > "$out/tasks.log" 2>/dev/null ) &
watcher=$!
"$MIGBENCH" run "$out/pin.ini" --lab.name=$LAB --out "$out/run" --no-report > "$out/log" 2>&1
rc=$?
kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null; watcher=
check "the run exits 0" test $rc -eq 0
echo "# $(awk '{print $1}' "$out/tasks.log" | sort | uniq -c | tr '\n' ' ')"
check "QEMU seen on both sites (its threads watched)" test "$(awk '$1 == "qemu" {print $2}' "$out/tasks.log" | sort -u | wc -l)" -ge 2
# "thread=CPUs" as seen, each once (a thread that ended while it was read
# leaves a line without its name or CPUs: not a sighting).
seen() { awk 'NF == 4 && '"$1"' { print $3 "=" $4 }' "$out/tasks.log" | sort -u | tr '\n' ' '; }
# A vCPU thread starts with the emulator's CPUs and libvirt pins it before
# the guest runs: per QEMU, its CPUs seen in order, repeats folded, must
# end on 1 and stay there ("0 1" or "1").
got=$(awk 'NF == 4 && $1 == "qemu" && $3 ~ /^CPU_[0-9]+\/(TCG|KVM)$/ { if ($4 != last[$2]) seq[$2] = seq[$2] " " $4; last[$2] = $4 }
	END { for (p in seq) print p ":" seq[p] }' "$out/tasks.log" | tr '\n' ';')
[ -n "$got" ] && [ -z "$(tr ';' '\n' <<<"$got" | grep . | grep -Ev ':( 0)? 1$')" ] &&
	ok "the vCPU thread on CPU 1 once pinned, on both sites (vcpu_pin = 1)" ||
	fail "the vCPU thread on CPU 1 once pinned, on both sites (vcpu_pin = 1)" "seen, per QEMU: $got"
check "the migration thread was seen" grep -q '^qemu [0-9]* live_migration ' "$out/tasks.log"
got=$(seen '$1 == "qemu" && $3 !~ /^CPU_[0-9]+\/(TCG|KVM)$/')
[ -n "$got" ] && [ -z "$(tr ' ' '\n' <<<"$got" | grep -v '=0$' | grep .)" ] &&
	ok "every other QEMU thread only on CPU 0 (emulator_pin = 0)" || fail "every other QEMU thread only on CPU 0 (emulator_pin = 0)" "seen: $got"
for k in daemon delayline run; do
	if ! grep -q "^$k " "$out/tasks.log"; then
		skip "$k: none seen (with netem there is no delay line)"
		continue
	fi
	# Before the first scenario pins them the lab's daemons are unpinned.
	check "$k: pinned to CPU 0 while the scenario ran (lab_pin = 0)" \
		awk -v k=$k 'NF == 4 && $1 == k && $4 == "0" { n++ } END { exit !(n > 0) }' "$out/tasks.log"
done
# The daemons' threads not allowed every CPU: " pid:cpus ..." (empty: none).
pinned_left() {
	local p t a left=""
	for p in $daemons; do
		for t in /proc/"$p"/task/*; do
			a=$(awk '/^Cpus_allowed_list/ {print $2}' "$t/status")
			[ "$a" = "$all" ] || left="$left $p:$a"
		done
	done
	echo "$left"
}
check "after the run the daemons may run on every CPU again ($all)" test -z "$(pinned_left)"
check "the record has the pins in its config" \
	jq -e '.config.vcpu_pin == "1" and .config.emulator_pin == "0" and .config.lab_pin == "0" and .vcpu_pin == "1"' "$out/run/scenarios.jsonl"
check "after the run no undo note is left (<lab dir>/lab_pin)" test ! -e "/var/lib/migbench/$LAB/lab_pin"

# A run killed (SIGKILL) while it had the lab pinned: its note stays, the
# daemons stay pinned, and the next run puts them back before it measures.
tgtd=$(jq -r .storage.tgtd_pid <<<"$st")
"$MIGBENCH" run "$out/pin.ini" --lab.name=$LAB --out "$out/killed" --no-report > "$out/killed.log" 2>&1 &
run=$!
for _ in $(seq 150); do
	[ "$(awk '/^Cpus_allowed_list/ {print $2}' /proc/"$tgtd"/status)" = 0 ] && break
	sleep 0.2
done
kill -9 $run 2>/dev/null; wait $run 2>/dev/null
check "killed: tgtd was pinned to CPU 0 and stays so" test "$(awk '/^Cpus_allowed_list/ {print $2}' /proc/"$tgtd"/status)" = 0
check "killed: the note says what to undo to ($(cat "/var/lib/migbench/$LAB/lab_pin" 2>/dev/null))" \
	test "$(cat "/var/lib/migbench/$LAB/lab_pin" 2>/dev/null | tr -d '\n')" = "$(awk -v a="$all" 'BEGIN { n = split(a, r, "-"); if (n == 2) { for (i = r[1]; i <= r[2]; i++) s = s (i > r[1] ? "," : "") i; print s } else print a }')"
cat > "$out/next.ini" <<EOF2
[global]
workload = idle
memory = 160MiB
migrate = no
before = 1s
after = 1s
probe = no
dirty_rate_time = 0
EOF2
"$MIGBENCH" run "$out/next.ini" --lab.name=$LAB --out "$out/next" --no-report > "$out/next.log" 2>&1
check "the next run exits 0" test $? -eq 0
check "the next run says it undid the killed run's pinning" grep -q "lab_pin: an earlier run ended without undoing its pinning.*back on CPUs" "$out/next.log"
check "after it the daemons may run on every CPU again ($all)" test -z "$(pinned_left)"
check "and the note is gone" test ! -e "/var/lib/migbench/$LAB/lab_pin"
finish
