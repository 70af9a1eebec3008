#!/usr/bin/env bash
# tests/sys/hosts.sh - the real-host mode end to end, on a lab's sites used as
# if they were two servers.
#
# Each site gets an sshd inside its own network + mount + UTS namespace
# (keys made for the test, root by key only, listening on the site's lab
# address only), and its own /root/.ssh (a bind mount inside the site, as
# every server has its own).  The controller is a third "machine": a
# namespace with a veth to each site (a management network; the lab itself
# never puts lab addresses in the root namespace), with its own /root/.ssh
# too.  A [hosts] profile over qemu+ssh:// (keyfile=, host keys checked
# against known_hosts, no no_verify) then runs cpuadd and seqread through
# migbench's real-host path: libvirt over ssh, the console over the libvirt
# stream, storage commands over ssh, the guest image named by path.  Then
# one scenario over qemu+tcp:// (the sites' libvirtd listen on tcp).
# Nothing is left: no sshd, no namespace, no lab, no iSCSI session.
. "$(dirname "$0")/../lib.sh"
require_root || exit 0
require_cmd libvirtd tgtd qemu-system-x86_64 jq ssh ssh-keygen nsenter ip ping || exit 0
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$SSHD" ] || { skip "needs sshd (openssh-server is not installed; run make deps)"; exit 0; }
require_guest || exit 0

LAB=mbthst
t0=$SECONDS
LABDIR=/var/lib/migbench
CTL=migbench-$LAB-ctl # the lab's prefix: `lab down` removes it too
tmp=$(mktemp -d /tmp/mbtest-hosts-XXXXXX)
chmod 755 "$tmp"
made_run_sshd=no made_dotssh=no
sshd_pids=()

cleanup() {
	local p
	for p in "${sshd_pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${sshd_pids[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	done
	ip netns del "$CTL" 2>/dev/null
	"$MIGBENCH" lab down --lab.name=$LAB >/dev/null 2>&1
	[ $made_run_sshd = yes ] && rmdir /run/sshd 2>/dev/null
	[ $made_dotssh = yes ] && rmdir /root/.ssh 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

if ! "$MIGBENCH" lab up --lab.name=$LAB > "$tmp/up.log" 2>&1; then
	fail "lab $LAB comes up" "$(tail -3 "$tmp/up.log" | tr '\n' ' ')"
	finish
fi
state=$LABDIR/$LAB/state.json
iqn=$(jq -r .storage.iqn "$state")
portal=$(jq -r '"\(.storage.portal):\(.storage.port)"' "$state")
kernel=$LABDIR/$LAB/guest/vmlinuz initrd=$LABDIR/$LAB/guest/initrd.img
declare -A pid addr
for i in 0 1; do
	role=$(jq -r ".sites[$i].role" "$state")
	pid[$role]=$(jq -r ".sites[$i].libvirtd_pid" "$state")
	addr[$role]=$(jq -r ".sites[$i].addr" "$state")
done

# Keys: one client key, a host key per site; one ~/.ssh for every machine
# (authorized_keys for the client key, known_hosts with both host keys).
ssh-keygen -q -t ed25519 -N '' -C mbtest-client -f "$tmp/client_key"
mkdir -m 700 "$tmp/dotssh"
cp "$tmp/client_key.pub" "$tmp/dotssh/authorized_keys"
for role in src dst; do
	mkdir -m 700 "$tmp/$role"
	ssh-keygen -q -t ed25519 -N '' -C mbtest-$role -f "$tmp/$role/host_key"
	echo "${addr[$role]} $(cut -d' ' -f1,2 "$tmp/$role/host_key.pub")" >> "$tmp/dotssh/known_hosts"
done
chmod 600 "$tmp/dotssh"/*

# sshd needs its privilege separation directory (Debian makes it at boot);
# the bind mounts below need a /root/.ssh to mount on (a fresh root has none).
[ -d /run/sshd ] || { mkdir -m 755 /run/sshd && made_run_sshd=yes; }
[ -d /root/.ssh ] || { mkdir -m 700 /root/.ssh && made_dotssh=yes; }
for role in src dst; do
	cat > "$tmp/$role/sshd_config" <<-EOF
	ListenAddress ${addr[$role]}:22
	HostKey $tmp/$role/host_key
	PidFile none
	PermitRootLogin prohibit-password
	PubkeyAuthentication yes
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	UsePAM no
	AuthorizedKeysFile .ssh/authorized_keys
	EOF
	if ! nsenter -t "${pid[$role]}" -m mount --bind "$tmp/dotssh" /root/.ssh; then
		fail "site $role: its own /root/.ssh"; finish
	fi
	nsenter -t "${pid[$role]}" -n -m -u "$SSHD" -D -e -f "$tmp/$role/sshd_config" > "$tmp/$role/sshd.log" 2>&1 &
	sshd_pids+=($!)
done
for role in src dst; do
	for _ in $(seq 50); do
		l=$(ip netns exec "migbench-$LAB-$role" ss -Hltn 'sport = :22' | awk '{print $4}')
		[ -n "$l" ] && break
		sleep 0.1
	done
	[ "$l" = "${addr[$role]}:22" ] && ok "site $role: sshd listens on ${addr[$role]}:22 only" ||
		fail "site $role: sshd listens on ${addr[$role]}:22 only" "listening: ${l:-nothing} $(tail -2 "$tmp/$role/sshd.log" | tr '\n' ' ')"
done

# The controller's namespace: a veth to each site, routes to their addresses.
ip netns add "$CTL"
ip -n "$CTL" link set lo up
n=1
for role in src dst; do
	ip link add "c-$role" netns "$CTL" type veth peer name ctl0 netns "migbench-$LAB-$role"
	ip -n "migbench-$LAB-$role" addr add 198.19.$n.1/24 dev ctl0
	ip -n "migbench-$LAB-$role" link set ctl0 up
	ip -n "$CTL" addr add 198.19.$n.2/24 dev "c-$role"
	ip -n "$CTL" link set "c-$role" up
	ip -n "$CTL" route add "${addr[$role]}/32" via 198.19.$n.1
	n=$((n + 1))
done
# ctl ARGS...: run in the controller (its netns, its own /root/.ssh).
ctl() { ip netns exec "$CTL" sh -c 'mount --bind "$0" /root/.ssh && exec "$@"' "$tmp/dotssh" "$@"; }

for role in src dst; do
	check "ssh root@${addr[$role]} by key, host key checked, into the site" \
		test "$(ctl ssh -o BatchMode=yes -i "$tmp/client_key" "root@${addr[$role]}" hostname 2>&1)" = "$LAB-$role"
done
expect_rc "a password login is refused" 255 ctl ssh -o BatchMode=yes -o PubkeyAuthentication=no "root@${addr[src]}" true
check "the root namespace has no lab address or route" sh -c "! ip -4 addr show | grep -q 'inet 198\.1[89]\.' && ! ip -4 route show | grep -q '^198\.1[89]\.'"

uri() { echo "qemu+$1://root@${addr[$2]}/system${3:-}"; }
kf="?keyfile=$tmp/client_key"
profile() { # profile FILE TRANSPORT WORKLOADS
	cat > "$1" <<-EOF
	[hosts]
	source = $(uri "$2" src "$3")
	dest = $(uri "$2" dst "$3")
	migrate_host = ${addr[dst]}
	iscsi_portal = $portal
	iscsi_iqn = $iqn

	[global]
	kernel = $kernel
	initrd = $initrd
	workload = $4
	before = 3s
	after = 3s
	probe_time = 1s
	EOF
}

# ---- qemu+ssh: cpuadd and seqread ------------------------------------------
profile "$tmp/ssh.ini" ssh "$kf" cpuadd,seqread
check "the [hosts] profile checks" "$MIGBENCH" check "$tmp/ssh.ini"
ctl "$MIGBENCH" run "$tmp/ssh.ini" --out "$tmp/run-ssh" --no-report > "$tmp/ssh.log" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "migbench run over qemu+ssh exits 0" || fail "migbench run over qemu+ssh exits 0" "exit $rc: $(tail -4 "$tmp/ssh.log" | tr '\n' ' ')"
J=$tmp/run-ssh/scenarios.jsonl
for wl in cpuadd seqread; do
	r=$(jq -c "select(.workload == \"$wl\")" "$J" 2>/dev/null)
	[ -n "$r" ] || { fail "ssh $wl: recorded"; continue; }
	check "ssh $wl: status ok" test "$(jq -r '.status + " " + (.error // "")' <<<"$r")" = "ok "
	check "ssh $wl: recorded as a hosts run" test "$(jq -r .testbed <<<"$r")" = hosts
	check "ssh $wl: migrated (time, downtime, bytes)" jq -e '.migration.total_s > 0 and .migration.downtime_s > 0 and .migration.bytes > 67108864' <<<"$r"
	check "ssh $wl: positive rates before, during and after" jq -e '[.phases.before.rate, .phases.during.rate, .phases.after.rate] | all(. > 0)' <<<"$r"
	check "ssh $wl: the guest runs on the destination afterwards" jq -e '.migration.guest_state_target == "running" and .migration.guest_state_source == "absent" and .guest_host_after == "'"${addr[dst]}"'"' <<<"$r"
	check "ssh $wl: the console came over the libvirt stream from both hosts" jq -e '.samples.console_opens >= 2 and .samples.console_bytes > 0' <<<"$r"
	check "ssh $wl: both hosts' TCP buffer limits read over ssh, not changed (tcp_wmem max $(jq -r '[.link.tcp_buffers.sites[].tcp_wmem[2]] | min' <<<"$r") bytes)" jq -e '.link.tcp_buffers.applied == false and (.link.tcp_buffers.sites | length == 2 and all(.tcp_wmem[2] > 0 and .tcp_rmem[2] > 0))' <<<"$r"
	check "ssh $wl: each host's CPU busy from libvirt, no steal figure (libvirt gives none)" jq -e '[.hosts.sites[] | .before, .during, .after] | all(.host_busy_pct > 0 and .host_busy_pct <= 100 and .host_steal_pct == null)' <<<"$r"
	check "ssh $wl: the link probe measured the RTT over ssh ($(jq -r '.link.probe.rtt_avg_s * 1e6 | round / 1e3' <<<"$r") ms; TCP: null)" jq -e '.link.probe.rtt_avg_s > 0 and .link.probe.rtt_samples >= 20 and .link.probe.tcp_bytes_per_s == null' <<<"$r"
done
# The sites' kernel has no iscsi_tcp: auto must have asked each host over
# ssh (with the URI's key) and been told so, not failed to log in.
check "ssh: open-iscsi was tried on the hosts over ssh" jq -se 'map(.storage.why) | all(test("iSCSI driver|iscsid|open-iscsi works"))' "$J"
check "ssh: no ssh failure behind the storage choice" jq -se 'map(.storage.why) | all(test("Permission denied|Host key|ssh:") | not)' "$J"
validate_run "$tmp/run-ssh"
check "run.json: both hosts' libvirt and hostnames over ssh" jq -e '.testbed.kind == "hosts" and .testbed.hosts[0].hostname == "'$LAB'-src" and .testbed.hosts[1].hostname == "'$LAB'-dst" and .testbed.hosts[1].libvirt' "$tmp/run-ssh/run.json"
check "run.json: the guest image checked on both hosts" jq -e '.testbed.guest_image.kernel_sha256 | length == 64' "$tmp/run-ssh/run.json"
left=$(ctl virsh -c "$(uri ssh dst "$kf")" list --all --name 2>&1 | grep -c . )
check "no guest left on the destination (fresh mode)" test "$left" = 0

# ---- qemu+tcp: the sites' libvirtd listen on tcp (auth none) ---------------
profile "$tmp/tcp.ini" tcp "" cpuadd
ctl "$MIGBENCH" run "$tmp/tcp.ini" --out "$tmp/run-tcp" --no-report > "$tmp/tcp.log" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "migbench run over qemu+tcp exits 0" || fail "migbench run over qemu+tcp exits 0" "exit $rc: $(tail -4 "$tmp/tcp.log" | tr '\n' ' ')"
check "tcp cpuadd: ok, on the destination afterwards" jq -e 'select(.workload == "cpuadd") | .status == "ok" and .migration.guest_state_target == "running"' "$tmp/run-tcp/scenarios.jsonl"
check "tcp: storage needs no shell on the hosts (libiscsi)" jq -e 'select(.workload == "cpuadd") | .storage.mode == "libiscsi"' "$tmp/run-tcp/scenarios.jsonl"
check "tcp: the probe says why not (no shell there)" jq -e 'select(.workload == "cpuadd") | .link.probe.skipped | test("ssh")' "$tmp/run-tcp/scenarios.jsonl"
validate_run "$tmp/run-tcp"

# ---- nothing left behind ------------------------------------------------------
cleanup_out=$(cleanup 2>&1)
trap - EXIT
check "no sshd of the test is left" sh -c "! ps -eo args | grep -F -- '$tmp' | grep -v grep | grep -q sshd"
check "no namespace of the lab is left" sh -c "! ip netns list | grep -q -- '-$LAB-'"
check "no lab state is left" test ! -e "$LABDIR/$LAB/state.json"
ok "took $((SECONDS - t0)) s"
finish
