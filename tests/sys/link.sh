#!/usr/bin/env bash
# tests/sys/link.sh - the emulated link for real, on a lab of its own:
# netem where the kernel has it (else: the clear refusal and the fallback),
# the delay line's RTT accuracy at 4/16/64 ms, a rate cap, jitter, a cut
# (100% loss) and its repair, a bounded queue under overload, restart of a
# killed delay line, read-back, and teardown.
. "$(dirname "$0")/../lib.sh"
require_root || exit 0
require_cmd libvirtd tgtd qemu-system-x86_64 jq || exit 0
LAB=mbtlnk
L=(--lab.name=$LAB)
trap '"$MIGBENCH" lab down "${L[@]}" >/dev/null 2>&1' EXIT
"$MIGBENCH" lab down "${L[@]}" >/dev/null 2>&1

# netem: the kernel decides.
out=$("$MIGBENCH" lab up "${L[@]}" --lab.link=netem 2>&1); rc=$?
if [ $rc -eq 4 ]; then
	[[ $out == *"no sch_netem"* ]] && ok "lab.link=netem refused with the reason (no sch_netem here)" || fail "netem refusal says why" "$out"
	skip "a real netem test: this kernel has no sch_netem ($(grep -o 'adding a netem qdisc: [^)]*' <<<"$out"))"
	expect_rc "nothing was left by the refused lab up" 4 "$MIGBENCH" lab status "${L[@]}"
elif [ $rc -eq 0 ]; then
	ok "lab up with netem (the kernel has sch_netem)"
	"$MIGBENCH" link set "${L[@]}" --delay 16ms >/dev/null
	p=$("$MIGBENCH" link probe "${L[@]}" --json)
	check "netem: RTT within 16 +/- 0.5 ms" jq -e '.rtt_avg_s > 0.0155 and .rtt_avg_s < 0.0165' <<<"$p"
	check "netem: the qdisc reads back" jq -e '.[0].installed and (.[0].delay_s - 0.016 | fabs) < 0.0005' <<<"$("$MIGBENCH" link show "${L[@]}" --json)"
	"$MIGBENCH" link clear "${L[@]}" >/dev/null
	"$MIGBENCH" lab down "${L[@]}" >/dev/null
else
	fail "lab up --lab.link=netem: exit 0 or 4" "exit $rc: $out"
fi

# auto: netem where it works, else the delay line - and says why.
check "lab up (auto)" "$MIGBENCH" lab up "${L[@]}"
st=$("$MIGBENCH" lab status --json "${L[@]}")
backend=$(jq -r .link_backend <<<"$st")
why=$(jq -r .link_why <<<"$st")
if [ "$backend" = delayline ]; then
	[[ $why == *"no sch_netem"* ]] && ok "auto fell back to the delay line, saying why: $why" || fail "auto says why it fell back" "$why"
else
	ok "auto chose $backend ($why)"
fi
[ "$backend" = delayline ] || { finish; }

probe() { "$MIGBENCH" link probe "${L[@]}" --json "$@"; }
# On a busy shared machine a ping can be held up by other processes (one
# of 50 at 67.9 ms for 64 ms was seen; it moves the average by 0.08 ms):
# the median is what the link does, the minimum says it is never early,
# and the closest of up to three probes counts.  On this VM the delay line
# adds 0.15-0.26 ms to a ping's RTT (its thread wakes when a packet reaches
# an idle line: the stamp is that late) and the probe's own threads up to
# 0.3 ms more: medians of +0.15 to +0.57 ms were seen, hence +0.75.
best_p50() { # $1 = target ms; prints "p50 min" in s
	local best="" a
	for _ in 1 2 3; do
		a=$(probe --probe_time 0.5s | jq -r '"\(.rtt_p50_s) \(.rtt_min_s)"')
		best=$(awk -v a="${a% *}" -v b="${best%% *}" -v d="$1" -v line="$a" -v old="$best" \
			'BEGIN{ if (old == "" || (a*1000-d)^2 < (b*1000-d)^2) print line; else print old }')
		awk -v a="${best% *}" -v d="$1" 'BEGIN{exit !(a * 1000 > d - 0.05 && a * 1000 < d + 0.75)}' && break
	done
	echo "$best"
}
# The jitter test's: the mean of the closest of up to three probes.
best_avg() { # $1 = target ms
	local best="" a
	for _ in 1 2 3; do
		a=$(probe --probe_time 0.5s | jq .rtt_avg_s)
		best=$(awk -v a="$a" -v b="${best:-1e9}" -v d="$1" 'BEGIN{ if ((a*1000-d)^2 < (b*1000-d)^2) print a; else print b }')
		awk -v a="$best" -v d="$1" 'BEGIN{exit !(a * 1000 > d - 1 && a * 1000 < d + 1)}' && break
	done
	echo "$best"
}
for d in 4 16 64; do
	"$MIGBENCH" link set "${L[@]}" --delay ${d}ms >/dev/null
	read -r p50 min < <(best_p50 "$d")
	awk -v a="$p50" -v m="$min" -v d="$d" 'BEGIN{exit !(a * 1000 < d + 0.75 && m * 1000 >= d - 0.05)}' &&
		ok "delay line: RTT median $(awk -v a="$p50" 'BEGIN{printf "%.3f", a*1000}') ms, min $(awk -v a="$min" 'BEGIN{printf "%.3f", a*1000}') ms for ${d} ms (median within +0.75, never early)" ||
		fail "delay line: RTT median within +0.75 ms of $d ms, min not early" "median $p50 s, min $min s"
done
check "show reads back the 64 ms setting" jq -e '.[0].installed and .[0].delay_s == 0.064' <<<"$("$MIGBENCH" link show "${L[@]}" --json)"

"$MIGBENCH" link clear "${L[@]}" >/dev/null
check "clear: RTT under 1 ms again" jq -e '.rtt_avg_s < 0.001' <<<"$(probe --probe_time 0.5s)"

# A rate cap: 200 Mbit/s = 25 MB/s; TCP goodput a little below it.
"$MIGBENCH" link set "${L[@]}" --delay 4ms --rate 200Mbit >/dev/null
tp=$(probe --probe_time 2s | jq .tcp_steady_bytes_per_s)
awk -v t="$tp" 'BEGIN{exit !(t > 0.85 * 25e6 && t < 1.03 * 25e6)}' && ok "rate cap 200 Mbit/s: TCP gets $(awk -v t="$tp" 'BEGIN{printf "%.1f", t/1e6}') MB/s" || fail "rate cap 200 Mbit/s honoured" "$tp B/s"

# Jitter spreads the RTT but keeps its mean.
"$MIGBENCH" link set "${L[@]}" --delay 16ms --jitter 2ms >/dev/null
p=$(probe --probe_time 0.5s)
avg=$(best_avg 16)
awk -v a="$avg" 'BEGIN{exit !(a > 0.015 && a < 0.017)}' && ok "jitter 2 ms: mean RTT 16 +/- 1 ms" || fail "jitter 2 ms: mean RTT 16 +/- 1 ms" "$avg s"
check "jitter 2 ms: RTTs spread by more than 1 ms" jq -e '.rtt_max_s - .rtt_min_s > 0.001' <<<"$p"

# A cut link: the probe fails fast with a reason, clear repairs it.
"$MIGBENCH" link set "${L[@]}" --loss 100% >/dev/null
t0=$(date +%s)
out=$("$MIGBENCH" link probe "${L[@]}" 2>&1); rc=$?
[ $rc -eq 3 ] && [ $(( $(date +%s) - t0 )) -lt 20 ] && ok "100% loss: probe fails (exit 3) in time: $(tail -1 <<<"$out")" || fail "100% loss cuts the link" "exit $rc: $out"
"$MIGBENCH" link clear "${L[@]}" >/dev/null
check "after clear the link works again" probe --probe_time 0.3s

# Overload: a small queue behind a slow rate drops (counted), memory stays bounded.
"$MIGBENCH" link set "${L[@]}" --delay 16ms --rate 20Mbit --queue 16KiB --tcp_buffers 64MiB >/dev/null
probe --probe_time 2s >/dev/null
sh=$("$MIGBENCH" link show "${L[@]}" --json)
check "bounded queue: drops are counted" jq -e '.[0].drops_queue > 0' <<<"$sh"
pid=$(cat /var/lib/migbench/$LAB/links/wan/delayline.pid)
rss=$(awk '/VmRSS/{print $2}' /proc/$pid/status)
[ "${rss:-999999}" -lt 65536 ] && ok "bounded queue: the delay line's memory stays small (${rss} kB)" || fail "delay line memory bounded" "${rss} kB"
check "the lateness histogram is recorded" jq -e '(.[0].lateness_hist | add) > 0' <<<"$sh"

# Per-direction rates: each end's egress gets its own cap, read back; the
# probe (a -> b) sees the up rate.
"$MIGBENCH" link set "${L[@]}" --delay 4ms --rate_up 80Mbit --rate_down 400Mbit >/dev/null
sh=$("$MIGBENCH" link show "${L[@]}" --json)
check "rate_up/rate_down: both directions read back" jq -e '.[0].rate_bytes_per_s == 10000000 and .[0].rate_ba_bytes_per_s == 50000000' <<<"$sh"
pr=$("$MIGBENCH" link probe "${L[@]}" --probe_time 2s --json)
check "rate_up: the probe (source -> destination) carries 0.8-1.05 x 10 MB/s" jq -e '.tcp_steady_bytes_per_s > 8e6 and .tcp_steady_bytes_per_s < 10.5e6' <<<"$pr"

# A killed delay line is a cut link; the next set restarts it.
kill -9 "$pid"
out=$("$MIGBENCH" link set "${L[@]}" --delay 4ms 2>&1)
[[ $out == *"restarting it"* ]] && ok "a killed delay line is restarted by the next set" || fail "a killed delay line is restarted" "$out"
check "and the link works" probe --probe_time 0.3s

# Teardown.
"$MIGBENCH" lab down "${L[@]}" >/dev/null
left=$(pgrep -f "delayline --dir /var/lib/migbench/$LAB/" || true)
[ -z "$left" ] && ok "lab down: no delay line process left" || fail "lab down: no delay line process left" "$left"
finish
