#!/usr/bin/env bash
# tests/sys/lab.sh - the lab for real: up, status, a guest on the source site
# booting from the iSCSI LUN, the one lock of a lab (a run holds it: down
# and up are refused naming the run, status works), down leaving nothing,
# recovery from kill -9, a symlink planted at the lock path refused.
# Uses its own lab name so a user's lab is not touched.
. "$(dirname "$0")/../lib.sh"
require_root || exit 0
require_cmd libvirtd tgtd tgtadm qemu-system-x86_64 iscsi-inq virsh jq || exit 0
require_guest || exit 0

LAB=mbtlab
L=(--lab.name=$LAB)
LOCK=/var/lib/migbench/$LAB.lock
tmp=$(mktemp -d /tmp/mbtest-lab-XXXXXX)
trap '[ -L "$LOCK" ] && rm -f "$LOCK"; "$MIGBENCH" lab down "${L[@]}" >/dev/null 2>&1; rm -rf "$tmp"' EXIT

"$MIGBENCH" lab down "${L[@]}" >/dev/null 2>&1
t0=$(date +%s.%N)
if out=$("$MIGBENCH" lab up "${L[@]}" 2>&1); then
	ok "lab up ($(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t0}") s)"
else
	fail "lab up" "$out"; finish
fi
expect_rc "a second lab up reports the existing lab" 0 "$MIGBENCH" lab up "${L[@]}"
out=$("$MIGBENCH" lab up "${L[@]}" 2>&1)
[[ $out == *"already up"* ]] && ok "second up says the lab is already up" || fail "second up says the lab is already up" "$out"

st=$("$MIGBENCH" lab status --json "${L[@]}")
check "status: healthy" test "$(jq -r .healthy <<<"$st")" = true
check "status: both sites reachable by libvirt" test "$(jq '[.sites[] | select(.reachable == true)] | length' <<<"$st")" = 2
check "status: sites report their own hostnames" test "$(jq -r '[.sites[].reported_hostname] | join(" ")' <<<"$st")" = "$LAB-src $LAB-dst"
check "status: the LUN answers an iSCSI inquiry from both sites" test "$(jq '[.storage.inquiry[] | select(.ok == true)] | length' <<<"$st")" = 2
check "status: the links are listed" test "$(jq '.links | length' <<<"$st")" = 3

# Security: daemons listen only on lab addresses, inside lab namespaces.
listen=$(ip netns exec migbench-$LAB-src ss -Hltn 2>/dev/null | awk '{print $4}' | sort -u | tr '\n' ' ')
[[ $listen == "198.18.0.1:16509 " ]] && ok "src libvirtd listens only on its lab address" || fail "src libvirtd listens only on its lab address" "$listen"
root_listen=$(ss -Hltn | awk '{print $4}' | grep -E ':(16509|3260)$' || true)
[ -z "$root_listen" ] && ok "nothing of the lab listens in the root namespace" || fail "nothing of the lab listens in the root namespace" "$root_listen"
ww=$(find "/var/lib/migbench/$LAB" -perm -o+w ! -type l ! -type s 2>/dev/null | head -3)
[ -z "$ww" ] && ok "no world-writable files in the lab" || fail "no world-writable files in the lab" "$ww"

# A guest on the source site with the LUN as its disk (QEMU's libiscsi).
src_uri=$(jq -r '.sites[0].uri' <<<"$st")
iqn=$(jq -r .storage.iqn <<<"$st")
portal=$(jq -r .storage.portal <<<"$st")
kernel=$(jq -r .guest.kernel <<<"$st")
initrd=$(jq -r .guest.initrd <<<"$st")
xml=$(mktemp)
cat > "$xml" <<EOF
<domain type='qemu'><name>migbench-labtest</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type><kernel>$kernel</kernel><initrd>$initrd</initrd>
<cmdline>console=ttyS0 quiet migbench.wl=seqread</cmdline></os>
<devices><disk type='network' device='disk'><driver name='qemu' type='raw' cache='none'/>
<source protocol='iscsi' name='$iqn/1'><host name='$portal' port='3260'/></source>
<target dev='vda' bus='virtio'/></disk>
<serial type='pty'/><console type='pty'/><memballoon model='none'/></devices></domain>
EOF
if out=$(virsh -c "$src_uri" create "$xml" 2>&1); then ok "guest with the iSCSI disk starts on the source site"; else fail "guest with the iSCSI disk starts on the source site" "$out"; fi
rm -f "$xml"
reads=0
for _ in $(seq 1 60); do
	reads=$(virsh -c "$src_uri" domblkstat migbench-labtest vda 2>/dev/null | awk '/rd_bytes/{print $3}')
	[ "${reads:-0}" -gt 1048576 ] && break
	sleep 0.5
done
check "guest runs on the source site" test "$(virsh -c "$src_uri" domstate migbench-labtest 2>&1)" = running
[ "${reads:-0}" -gt 1048576 ] && ok "guest reads its disk over iSCSI ($reads bytes)" || fail "guest reads its disk over iSCSI" "rd_bytes=${reads:-none}"

pids=$(jq -r '[.sites[].libvirtd_pid, .storage.tgtd_pid] | join(" ")' <<<"$st")
qpid=$(pgrep -f 'guest=migbench-labtest' | head -1)
# Each daemon under its own reaper, which also reaps the QEMU libvirtd
# daemonizes: libvirt waits for a killed QEMU to be reaped, and this
# machine's PID 1 may reap only every few seconds (lab/ns.c).
reapers="" bad=""
for p in $pids; do
	rp=$(ps -o ppid= -p "$p" | tr -d ' ')
	reapers="$reapers $rp"
	[ "$(cat "/proc/$rp/comm" 2>/dev/null)" = mb-reaper ] || bad="$bad $p(parent $rp $(cat "/proc/$rp/comm" 2>/dev/null))"
done
[ -z "$bad" ] && ok "libvirtd and tgtd each run under their own reaper" || fail "libvirtd and tgtd each run under their own reaper" "$bad"
qparent=$(ps -o ppid= -p "${qpid:-0}" | tr -d ' ')
src_pid=$(jq -r '.sites[0].libvirtd_pid' <<<"$st")
check "the guest's QEMU is the source site's reaper's, not PID 1's" \
	test "${qparent:-none}" = "$(ps -o ppid= -p "$src_pid" | tr -d ' ')"
expect_rc "lab down" 0 "$MIGBENCH" lab down "${L[@]}"
left=$(ls /run/netns 2>/dev/null | grep "^migbench-$LAB-" || true)
[ -z "$left" ] && ok "down: no lab namespace left" || fail "down: no lab namespace left" "$left"
alive=""
# A zombie waiting for init to reap it is not running.
for p in $pids $qpid $reapers; do
	state=$(awk '{print $3}' /proc/$p/stat 2>/dev/null)
	[ -n "$state" ] && [ "$state" != Z ] && alive="$alive $p($(cat /proc/$p/comm 2>/dev/null))"
done
[ -z "$alive" ] && ok "down: no lab process left (libvirtd, tgtd, qemu, the reapers)" || fail "down: no lab process left" "$alive"
mnt=$(grep -l "/var/lib/migbench/$LAB" /proc/[0-9]*/mountinfo 2>/dev/null | head -3)
[ -z "$mnt" ] && ok "down: no lab mount left in any mount namespace" || fail "down: no lab mount left" "$mnt"
[ ! -e "/var/lib/migbench/$LAB" ] && ok "down: the lab directory is gone" || fail "down: the lab directory is gone"

# Recovery: kill -9 everything, then up again.
check "up again" "$MIGBENCH" lab up "${L[@]}"
st=$("$MIGBENCH" lab status --json "${L[@]}")
for p in $(jq -r '[.sites[].libvirtd_pid, .storage.tgtd_pid] | join(" ")' <<<"$st"); do kill -9 "$p"; done
sleep 0.3
expect_rc "status after kill -9 says not healthy (exit 3)" 3 "$MIGBENCH" lab status "${L[@]}"
check "up after kill -9 rebuilds the lab" "$MIGBENCH" lab up "${L[@]}"
check "and it is healthy" test "$("$MIGBENCH" lab status --json "${L[@]}" | jq -r .healthy)" = true

# One lock per lab: a run holds it from start to end; lab down and lab up are
# refused naming the run, lab status reads without it.
printf '[global]\nworkload = cpuadd\nbefore = 2s\nafter = 2s\nprobe_time = 0.5s\n' > "$tmp/short.ini"
"$MIGBENCH" run "$tmp/short.ini" "${L[@]}" --out "$tmp/run" > "$tmp/run.log" 2>&1 &
rpid=$!
held=""
for _ in $(seq 1 100); do
	held=$(cat "$LOCK" 2>/dev/null)
	[[ $held == *"migbench run"* ]] && break
	sleep 0.1
done
[[ $held == "pid $rpid: migbench run"* ]] && ok "the run holds the lab's lock" || fail "the run holds the lab's lock" "lock says: $held"
out=$("$MIGBENCH" lab down "${L[@]}" 2>&1); rc=$?
[ $rc -eq 4 ] && [[ $out == *"busy"*"held by pid $rpid: migbench run"* ]] && ok "lab down during a run is refused, naming the run (exit 4)" ||
	fail "lab down during a run is refused, naming the run" "exit $rc: $out"
out=$("$MIGBENCH" lab up "${L[@]}" 2>&1); rc=$?
[ $rc -eq 4 ] && [[ $out == *"held by pid $rpid: migbench run"* ]] && ok "lab up during a run is refused, naming the run (exit 4)" ||
	fail "lab up during a run is refused, naming the run" "exit $rc: $out"
out=$("$MIGBENCH" link set --delay 50ms "${L[@]}" 2>&1); rc=$?
[ $rc -eq 4 ] && [[ $out == *"held by pid $rpid: migbench run"* ]] && ok "link set during a run is refused, naming the run (exit 4)" ||
	fail "link set during a run is refused, naming the run" "exit $rc: $out"
rst=$("$MIGBENCH" lab status --json "${L[@]}" 2>&1)
check "lab status during the run works and names the holder" jq -e '.healthy and .lock.held and (.lock.holder | startswith("pid '"$rpid"': migbench run"))' <<<"$rst"
wait $rpid; rc=$?
[ $rc -eq 0 ] && ok "the run was not disturbed (exit 0)" || fail "the run was not disturbed" "exit $rc: $(tail -3 "$tmp/run.log" | tr '\n' ' ')"
check "after the run the lock is free" jq -e '.lock.held == false' <<<"$("$MIGBENCH" lab status --json "${L[@]}")"
expect_rc "lab down" 0 "$MIGBENCH" lab down "${L[@]}"
expect_rc "status of a lab that is down: cannot run here (exit 4)" 4 "$MIGBENCH" lab status "${L[@]}"

# A symlink planted at the lock path is refused, and its target untouched.
echo precious > "$tmp/target"
rm -f "$LOCK"
ln -s "$tmp/target" "$LOCK"
out=$("$MIGBENCH" lab up "${L[@]}" 2>&1); rc=$?
[ $rc -eq 4 ] && [[ $out == *"$LOCK is a symbolic link"* ]] && ok "lab up refuses a symlinked lock (exit 4, says why)" ||
	fail "lab up refuses a symlinked lock" "exit $rc: $out"
expect_rc "lab down refuses a symlinked lock (exit 4)" 4 "$MIGBENCH" lab down "${L[@]}"
check "the symlink's target is untouched" test "$(cat "$tmp/target")" = precious
check "and no lab was made" test ! -e "/var/lib/migbench/$LAB"
rm -f "$LOCK"
finish
