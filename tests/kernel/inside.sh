#!/bin/bash
# tests/kernel/inside.sh - runs inside the kernel test VM (tests/sys/kernel.sh
# boots it): netem through `migbench link` on a veth pair between two network
# namespaces, and open-iscsi through `migbench storage` against a tgtd LUN,
# on a real Debian kernel that has sch_netem and iscsi_tcp.
#
# Prints ok/FAIL/skip lines (tests/lib.sh) on stdout, named "kernel", and
# "info kernel: ..." lines with measurements; the exit status is 1 if any
# check failed.  iproute2's tc is called by its path: busybox has a tc
# applet of its own.
. /mb/lib.sh
TEST_NAME=kernel
MIGBENCH=/mb/migbench
TC=/usr/sbin/tc
IP=/usr/sbin/ip
info() { printf 'info %s: %s\n' "$TEST_NAME" "$1"; }
mb() { "$MIGBENCH" "$@"; }

# ---- netem --------------------------------------------------------------------
# RTT of COUNT pings at INTERVAL from mbk1 to mbk2: "min avg max received".
ping_stats() { # $1 = count, $2 = interval
	ip netns exec mbk1 ping -q -c "$1" -i "$2" -W 2 10.77.0.2 2>&1 | awk '
		/packets received/ { for (i = 1; i <= NF; i++) if ($(i+1) == "packets" && $(i+2) == "received,") r = $i }
		/round-trip/ { split($4, a, "/"); mn = a[1]; av = a[2]; mx = a[3] }
		END { printf "%s %s %s %s\n", mn == "" ? "nan" : mn, av == "" ? "nan" : av, mx == "" ? "nan" : mx, r == "" ? 0 : r }'
}
within() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v + 0 == v && v >= lo && v <= hi) }'; }
qd() { $TC -n "$1" qdisc show dev "$1"; }

netem_tests() {
	local spec=/tmp/mbk/spec.json out rc st s
	$IP netns add mbk1 && $IP netns add mbk2 &&
		$IP link add mbk1 netns mbk1 type veth peer name mbk2 netns mbk2 &&
		$IP -n mbk1 addr add 10.77.0.1 peer 10.77.0.2/32 dev mbk1 &&
		$IP -n mbk2 addr add 10.77.0.2 peer 10.77.0.1/32 dev mbk2 &&
		$IP -n mbk1 link set mbk1 up && $IP -n mbk2 link set mbk2 up &&
		$IP -n mbk1 link set lo up && $IP -n mbk2 link set lo up ||
		{ fail "a veth pair between two network namespaces"; return; }
	ok "a veth pair between two network namespaces (ip netns, veth.ko)"
	mkdir -p /tmp/mbk
	# The link as the lab describes its links; backend auto: migbench chooses.
	cat > $spec <<-EOF
	{ "version": 1, "name": "wan", "backend": "auto", "statedir": "/tmp/mbk",
	  "a": { "netns": "/run/netns/mbk1", "ifname": "mbk1", "addr": "10.77.0.1" },
	  "b": { "netns": "/run/netns/mbk2", "ifname": "mbk2", "addr": "10.77.0.2" } }
	EOF
	read -r mn0 av0 mx0 r0 <<<"$(ping_stats 20 0.05)"
	info "RTT without netem: min $mn0 avg $av0 max $mx0 ms ($r0/20 replies)"

	# Delay alone: the RTT accuracy.
	out=$(mb link set --spec $spec --delay 20ms 2>&1); rc=$?
	if [ $rc -eq 0 ] && [[ $out == *"(netem)"* ]]; then
		ok "backend auto picks netem on this kernel: $out"
	else
		fail "backend auto picks netem" "exit $rc: $out"; return
	fi
	st=$(mb link show --spec $spec --json 2>&1)
	check "link show reads netem back: backend netem, installed, RTT 20 ms" \
		jq -e '.[0].backend == "netem" and .[0].installed and (.[0].delay_s - 0.020 | fabs) < 1e-6' <<<"$st"
	s=$(qd mbk1; qd mbk2)
	[[ $(grep -c 'qdisc netem 4d42: root .*delay 10ms' <<<"$s") -eq 2 ]] &&
		ok "tc (iproute2) shows netem 4d42: delay 10ms on each end" || fail "tc shows netem delay 10ms on both ends" "$s"
	read -r mn av mx r <<<"$(ping_stats 50 0.05)"
	info "RTT with netem delay 20ms: min $mn avg $av max $mx ms ($r/50 replies); error of avg $(awk -v a="$av" 'BEGIN{printf "%+.2f", a - 20}') ms, of min $(awk -v a="$mn" 'BEGIN{printf "%+.2f", a - 20}') ms"
	within "$mn" 19.9 1e9 && ok "netem never delivers early: min RTT $mn ms >= 20 ms" ||
		fail "min RTT >= 20 ms" "min $mn"
	within "$av" 19.9 40 && ok "RTT avg $av ms for 20 ms configured (TCG timers: within -0.1..+20 ms)" ||
		fail "RTT avg within 20 -0.1..+20 ms" "avg $av"

	for d in 4 64; do
		mb link set --spec $spec --delay ${d}ms >/dev/null || { fail "link set --delay ${d}ms"; continue; }
		read -r mn av mx r <<<"$(ping_stats 30 0.05)"
		info "RTT with netem delay ${d}ms: min $mn avg $av max $mx ms ($r/30 replies); error of avg $(awk -v a="$av" -v d=$d 'BEGIN{printf "%+.2f", a - d}') ms, of min $(awk -v a="$mn" -v d=$d 'BEGIN{printf "%+.2f", a - d}') ms"
		within "$mn" $((d - 1)).9 1e9 && within "$av" $((d - 1)).9 $((d + 20)) &&
			ok "RTT at ${d} ms: min $mn, avg $av ms (never early, at most +20 ms)" || fail "RTT at ${d} ms" "min $mn avg $av"
	done

	# Everything at once: delay, jitter, loss, queue limit and a tbf rate child.
	out=$(mb link set --spec $spec --delay 20ms --jitter 2ms --loss 20% --queue 3000000B --rate 10Mbit 2>&1) ||
		{ fail "link set with delay, jitter, loss, queue and rate" "$out"; return; }
	ok "link set with delay, jitter, loss, queue and rate: $out"
	st=$(mb link show --spec $spec --json 2>&1)
	info "link show: $(jq -c '.[0] | {backend, installed, delay_s, jitter_s, loss, rate_bytes_per_s, queue_limit}' <<<"$st")"
	check "link show reads back delay 20 ms, jitter 2 ms, loss 20%, queue 2000 packets, rate 10 Mbit/s" \
		jq -e '.[0] | .installed and (.delay_s - 0.020 | fabs) < 1e-6 and (.jitter_s - 0.002 | fabs) < 1e-6
			and (.loss - 0.2 | fabs) < 1e-6 and .queue_limit == 2000 and (.rate_bytes_per_s - 1250000 | fabs) < 1' <<<"$st"
	s=$(qd mbk1; qd mbk2)
	info "tc: $(tr '\n' ';' <<<"$s")"
	[[ $(grep -c 'qdisc netem 4d42: root .*limit 2000 delay 10ms  2ms loss 20%' <<<"$s") -eq 2 ]] &&
		ok "tc shows netem limit 2000 delay 10ms 2ms loss 20% on each end" || fail "tc shows the netem parameters" "$s"
	[[ $(grep -c 'qdisc tbf 4d43: parent 4d42:1 rate 10Mbit' <<<"$s") -eq 2 ]] &&
		ok "tc shows the tbf 4d43: rate 10Mbit child under netem on each end" || fail "tc shows the tbf child" "$s"
	# Loss: each direction drops 20%, a ping needs both: 0.8^2 = 64% answered.
	read -r mn av mx r <<<"$(ping_stats 200 0.01)"
	info "200 pings with loss 20% each way: $r answered (expected 128, binomial sd 6.8); RTT avg $av ms"
	within "$r" 100 156 && ok "measured loss: $r/200 answered, within 4 sd of 128" ||
		fail "answered pings within 100..156 of 200" "$r"
	s=$($TC -s -n mbk1 qdisc show dev mbk1)
	grep -q 'dropped [1-9]' <<<"$s" && ok "tc -s counts netem's drops on mbk1" || fail "tc -s shows drops" "$s"

	# Clear: nothing of ours left.
	check "link clear" mb link clear --spec $spec
	st=$(mb link show --spec $spec --json 2>&1)
	check "link show after clear: nothing installed" jq -e '.[0].installed == false' <<<"$st"
	s=$(qd mbk1; qd mbk2)
	grep -q 'netem\|tbf\|4d4' <<<"$s" && fail "tc shows no netem or tbf after clear" "$s" ||
		ok "tc shows no netem or tbf after clear: $(tr '\n' ';' <<<"$s")"

	# A qdisc migbench did not install is never replaced, on either end.
	$TC -n mbk2 qdisc add dev mbk2 root handle 1: tbf rate 1mbit burst 32k latency 50ms
	out=$(mb link set --spec $spec --delay 10ms 2>&1); rc=$?
	[ $rc -eq 2 ] && [[ $out == *"mbk2 already has a root qdisc (tbf 1:) that migbench did not install"* ]] &&
		ok "link set refuses to replace a foreign tbf (exit 2: $out)" || fail "link set refuses a foreign qdisc with exit 2" "exit $rc: $out"
	s=$(qd mbk1; qd mbk2)
	grep -q 'qdisc tbf 1: root' <<<"$s" && ! grep -q netem <<<"$s" &&
		ok "after the refusal: the foreign tbf stays, the other end was rolled back" || fail "foreign tbf kept, no netem left" "$s"
	check "link clear leaves the foreign qdisc" mb link clear --spec $spec
	grep -q 'qdisc tbf 1: root' <<<"$(qd mbk2)" && ok "the foreign tbf is still there after link clear" ||
		fail "foreign tbf survives link clear" "$(qd mbk2)"
	$TC -n mbk2 qdisc del dev mbk2 root
	$IP netns del mbk1; $IP netns del mbk2
}

# ---- open-iscsi ----------------------------------------------------------------
IQN=iqn.2026-12.org.migbench:kvm
start_tgtd() {
	mkdir -p /run/tgtd
	tgtd -f --iscsi portal=127.0.0.1:3260 > /tmp/tgtd.log 2>&1 &
	for _ in $(seq 100); do [ -S /run/tgtd/socket.0 ] && break; sleep 0.1; done
	tgtadm --lld iscsi --op new --mode target --tid 1 -T $IQN &&
		tgtadm --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b /tmp/lun.img &&
		tgtadm --lld iscsi --op bind --mode target --tid 1 -I ALL
}

iscsi_tests() {
	local out rc dev sum want bypath
	dd if=/dev/urandom of=/tmp/lun.img bs=1M count=16 2>/dev/null
	want=$(sha256sum < /tmp/lun.img | cut -d' ' -f1)
	start_tgtd && ok "tgtd exports a 16 MiB file-backed LUN on 127.0.0.1:3260" ||
		{ fail "tgtd exports a LUN" "$(tail -3 /tmp/tgtd.log)"; return; }
	A=(--portal 127.0.0.1 --iqn $IQN --lun 1 --storage open-iscsi)

	# The mode needs iscsid running (a host's init starts it).
	out=$(mb storage attach "${A[@]}" 2>&1); rc=$?
	[ $rc -ne 0 ] && [[ $out == *"iscsid"* ]] && ok "without iscsid, attach says so (exit $rc: $out)" ||
		fail "attach without iscsid fails naming iscsid" "exit $rc: $out"
	iscsid -f > /tmp/iscsid.log 2>&1 &
	for _ in $(seq 50); do [ -S /run/iscsid.sock ] || grep -q iscsid /proc/net/unix 2>/dev/null && break; sleep 0.1; done
	sleep 0.5

	out=$(mb storage attach "${A[@]}" 2>&1); rc=$?
	[ $rc -eq 0 ] && ok "storage attach (open-iscsi: discovery, login): $out" ||
		{ fail "storage attach" "exit $rc: $out"; return; }
	bypath=/dev/disk/by-path/ip-127.0.0.1:3260-iscsi-$IQN-lun-1
	dev=$(readlink -f "$bypath")
	[ -b "$dev" ] && ok "the block device appears: $bypath -> $dev" || fail "by-path block device" "$(ls -l /dev/disk/by-path 2>&1)"
	iscsiadm -m session 2>&1 | grep -q "$IQN" && ok "iscsiadm -m session shows the session" ||
		fail "a session after attach" "$(iscsiadm -m session 2>&1)"
	sum=$(sha256sum < "$dev" | cut -d' ' -f1)
	[ "$sum" = "$want" ] && ok "reading $dev returns the LUN's bytes (sha256 ${sum:0:16}...)" ||
		fail "the device's bytes are the LUN's" "sha256 $sum, wanted $want"
	out=$(mb storage detach "${A[@]}" 2>&1); rc=$?
	[ $rc -eq 0 ] && ok "storage detach: $out" || fail "storage detach" "exit $rc: $out"
	out=$(iscsiadm -m session 2>&1)
	[[ $out == *"No active sessions"* ]] && ok "no session left after detach" || fail "no session after detach" "$out"
	out=$(iscsiadm -m node 2>&1)
	[[ $out == *"No records found"* ]] && ok "no node record left after detach" || fail "no node record after detach" "$out"
	[ ! -e "$bypath" ] && ok "the by-path link is gone" || fail "by-path link gone after detach" "$(ls -l $bypath)"
	check "storage detach again: nothing to do, exit 0" mb storage detach "${A[@]}"

	# Failures: the portal has no such target; nothing listens at the portal.
	out=$(mb storage attach --portal 127.0.0.1 --iqn iqn.2026-12.org.migbench:nope --lun 1 --storage open-iscsi 2>&1); rc=$?
	[ $rc -eq 4 ] && [[ $out == *"offers no target iqn.2026-12.org.migbench:nope (it offers: "*"$IQN"* ]] &&
		ok "wrong IQN: exit 4, $out" || fail "wrong IQN gives a clear error with exit 4" "exit $rc: $out"
	out=$(mb storage attach --portal 127.0.0.1:3261 --iqn $IQN --lun 1 --storage open-iscsi 2>&1); rc=$?
	[ $rc -eq 4 ] && [[ $out == *"iscsiadm -m discovery -t sendtargets -p 127.0.0.1:3261"*"failed"* ]] &&
		ok "portal down: exit 4, $out" || fail "portal down gives a clear error with exit 4" "exit $rc: $out"
	out=$(iscsiadm -m node 2>&1)
	[[ $out == *"No records found"* ]] && ok "the failed attaches left no node record" || fail "no node record after failures" "$out"
	tgtadm --lld iscsi --op delete --mode target --tid 1 --force >/dev/null 2>&1
	tgtadm --op delete --mode system >/dev/null 2>&1
}

netem_tests
iscsi_tests
finish
