#!/usr/bin/env bash
# tests/sys/netwl.sh - the network workload and the service-downtime probe
# (nic, echo_probe, workload = netstream): bad combinations exit 2 naming
# file:line and the key (real hosts refused); then one netstream migration
# in a lab of its own (256 MiB guest, 3 s windows): bytes counted before,
# during and after, the sinks of both sites received the stream (the guest
# connected again on the destination), the echo probe's replies came from both
# sites and its service downtime is > 0, finite, at least libvirt's
# downtime and recorded twice (service_downtime_s, network.echo), and the
# run validates against the schema.  About a minute.
#   NETWL_LAB=name  the lab's name (default mbtnet)
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
tmp=$(mktemp -d /tmp/mbtest-netwl-XXXXXX)
LAB=${NETWL_LAB:-mbtnet}
trap '[ -n "${UP:-}" ] && "$MIGBENCH" lab down --lab.name=$LAB >/dev/null 2>&1; rm -rf "$tmp"' EXIT

# ---- bad input (no lab) ------------------------------------------------------
bad() { # bad NAME KEY-TEXT PROFILE-TEXT
	local f=$tmp/$1.ini out rc
	printf '%s\n' "$3" > "$f"
	out=$("$MIGBENCH" check "$f" 2>&1); rc=$?
	if [ $rc -eq 2 ] && grep -q "^$f:[0-9]*: .*$2" <<<"$out"; then
		ok "$1: exit 2 naming file:line and $2"
	else
		fail "$1: exit 2 naming file:line and $2" "exit $rc: $(head -2 <<<"$out" | tr '\n' ' ')"
	fi
}
bad netstream-without-nic "workload=netstream needs nic" $'[global]\nworkload = netstream'
bad echo-without-nic "echo_probe = yes needs nic" $'[global]\necho_probe = yes'
bad nic-with-neighbours "cannot be combined with neighbours" $'[global]\nnic = yes\nneighbours = 1'
bad nic-not-bool "nic: 'maybe'" $'[global]\nnic = maybe'
bad nic-on-real-hosts "nic = yes is not supported on real hosts" $'[global]\nnic = yes\n[hosts]\nsource = qemu+ssh://a/system\ndest = qemu+ssh://b/system\nmigrate_host = b\niscsi_portal = 192.0.2.1\niscsi_iqn = iqn.2026-01.org.example:x'

# ---- one netstream migration in the lab -----------------------------------------
require_root || finish
require_cmd libvirtd tgtd qemu-system-x86_64 jq || finish
require_guest || finish
grep -q net_failover "$TOP/build/guest/manifest.json" ||
	{ skip "the guest image has no virtio_net (run make guest)"; finish; }

cat > "$tmp/net.ini" <<EOP
[global]
workload = netstream
nic = yes
echo_probe = yes
memory = 256MiB
before = 3s
after = 3s
probe = no
dirty_rate_time = 0

[lab]
lun_size = 64MiB
EOP
UP=1
"$MIGBENCH" run "$tmp/net.ini" --lab.name=$LAB --out "$tmp/run" > "$tmp/log" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "run of a netstream scenario exits 0" || fail "run of a netstream scenario exits 0" "exit $rc: $(tail -3 "$tmp/log" | tr '\n' ' ')"
r=$(head -1 "$tmp/run/scenarios.jsonl" 2>/dev/null)
if [ -z "$r" ]; then
	fail "the scenario is recorded"
else
	check "status ok, converged, the guest on the destination" jq -e '.status == "ok" and .outcome == "converged" and .migration.guest_state_target == "running" and .guest_host_after == "'$LAB'-dst"' <<<"$r"
	check "netstream counts bytes before, during and after" jq -e '.workload == "netstream" and .phases.before.unit == "B" and ([.phases.before.rate, .phases.during.rate, .phases.after.rate] | all(. > 1048576))' <<<"$r"
	check "the sinks of both sites received the stream" jq -e '.network.sink_bytes_source > 1048576 and .network.sink_bytes_destination > 1048576 and .network.sink_connections_destination >= 1' <<<"$r"
	check "the echo probe was answered on both sites" jq -e '.network.echo.replies_source > 100 and .network.echo.replies_destination > 100 and .network.echo.recovered' <<<"$r"
	check "service downtime > 0, finite, below the window" jq -e '(.service_downtime_s | type) == "number" and .service_downtime_s > 0 and .service_downtime_s < (.network.echo.window_end_s - .network.echo.window_start_s)' <<<"$r"
	check "service downtime recorded next to the guest's gap and libvirt's downtime" jq -e '.service_downtime_s == .network.echo.service_downtime_s and (.guest_gap_s | type) == "number" and .migration.downtime_s > 0' <<<"$r"
	check "a client sees at least libvirt's downtime" jq -e '.service_downtime_s >= 0.9 * .migration.downtime_s' <<<"$r"
	check "the gap is around the migration" jq -e '.network.echo.gap_start_s > -0.5 and .network.echo.gap_start_s < .migration.resume_s + 0.5' <<<"$r"
	con=$tmp/run/$(jq -r .console_file <<<"$r")
	# (The "connect n=2" event right after the resume may be lost with the
	# console's reopening on the destination: the sink's count says it.)
	check "the guest streamed to the lab's sink and answered the echo port" grep -aq 'netstream start sink=198.18.4.1:5201 .* echo=7' "$con"
fi
validate_run "$tmp/run"
check "lab status: the guest network in both sites" sh -c "'$MIGBENCH' lab status --lab.name=$LAB --json | jq -e '.guest_network.src_present and .guest_network.dst_present'"
"$MIGBENCH" lab down --lab.name=$LAB >/dev/null 2>&1 && UP= && ok "lab down" || fail "lab down"
finish
