#!/usr/bin/env bash
# bench/link.sh - the emulated WAN, measured in one run:
#  * an unshaped veth pair between two namespaces: the machine's own TCP
#    speed, the baseline for the 0 ms ratio (target >= 0.8);
#  * the lab's link at 0/4/16/64 ms (at 0 ms nothing is shaped, so the
#    traffic takes the veth pair and bypasses the delay line; the relay's
#    own 0 ms speed is shown after the table): configured RTT, measured RTT (avg,
#    p99), single-stream TCP throughput (second half of 4 s, past slow
#    start), and its ratio to the veth pair and to the study's DUMMYNET
#    figures (840.2, 609.61, 151.79, 104.29 MB/s; target >= 1);
#  * installing a qdisc through libnl vs a tc subprocess.
set -u
cd "$(dirname "$0")/.."
mb=./migbench
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 0; }
lab=mbbnch
tmp=$(mktemp -d /tmp/mbbench-link-XXXXXX)
cleanup() { ip netns del mbb-va 2>/dev/null; ip netns del mbb-vb 2>/dev/null; $mb lab down --lab.name=$lab >/dev/null 2>&1; rm -rf "$tmp"; }
trap cleanup EXIT
cleanup; tmp=$(mktemp -d /tmp/mbbench-link-XXXXXX)

# The baseline: a plain veth pair.
ip netns add mbb-va && ip netns add mbb-vb
ip -n mbb-va link set lo up && ip -n mbb-vb link set lo up
ip -n mbb-va link add veth0 type veth peer name veth0 netns mbb-vb
ip -n mbb-va addr add 198.18.0.1 peer 198.18.0.2/32 dev veth0 && ip -n mbb-va link set veth0 up
ip -n mbb-vb addr add 198.18.0.2 peer 198.18.0.1/32 dev veth0 && ip -n mbb-vb link set veth0 up
# The same TCP buffer limits the lab uses at 0 ms (4 MiB).
for ns in mbb-va mbb-vb; do ip netns exec $ns sysctl -q -w net.ipv4.tcp_rmem="4096 131072 4194304" net.ipv4.tcp_wmem="4096 16384 4194304"; done
cat > "$tmp/veth.json" <<EOS
{ "name": "veth", "backend": "none", "statedir": "$tmp",
  "a": { "netns": "/run/netns/mbb-va", "ifname": "veth0", "addr": "198.18.0.1" },
  "b": { "netns": "/run/netns/mbb-vb", "ifname": "veth0", "addr": "198.18.0.2" } }
EOS
veth=$($mb link probe --spec "$tmp/veth.json" --probe_time 4s --json | jq .tcp_steady_bytes_per_s)
printf 'unshaped veth pair: TCP %.0f MB/s (%.2f Gbit/s)\n' "$(awk -v v="$veth" 'BEGIN{print v/1e6}')" "$(awk -v v="$veth" 'BEGIN{print v*8/1e9}')"

$mb lab up --lab.name=$lab >/dev/null 2>&1 || { echo "lab up failed"; exit 1; }
echo "lab link: $($mb lab status --json --lab.name=$lab | jq -r .link_backend)"
printf '%8s %10s %10s %10s %10s %9s %9s %8s\n' RTT avg_ms p99_ms "MB/s" "Gbit/s" "x veth" "x study" target
declare -A study=([0]=840.2 [4]=609.61 [16]=151.79 [64]=104.29)
for d in 0 4 16 64; do
	$mb link set --lab.name=$lab --delay ${d}ms >/dev/null
	p=$($mb link probe --lab.name=$lab --probe_time 4s --json)
	jq -r --arg d "$d" --argjson veth "$veth" --argjson s "${study[$d]}" '
		(.tcp_steady_bytes_per_s / 1e6) as $mb |
		"\($d|tostring + " ms")\t\(.rtt_avg_s*1000*1000|round/1000)\t\(.rtt_p99_s*1000*1000|round/1000)\t\($mb|round)\t\($mb*8/1000*100|round/100)\t\(.tcp_steady_bytes_per_s/$veth*100|round/100)\t\($mb/$s*100|round/100)\t\(if ($mb >= $s) and ($d != "0" or .tcp_steady_bytes_per_s/$veth >= 0.8) then "met" else "MISSED" end)"' <<<"$p" |
		awk -F'\t' '{printf "%8s %10s %10s %10s %10s %9s %9s %8s\n", $1, $2, $3, $4, $5, $6, $7, $8}'
done
# The relay itself at 0 ms: a rate cap no link reaches forces traffic through it.
$mb link set --lab.name=$lab --delay 0ms --rate 100Gbit >/dev/null
p=$($mb link probe --lab.name=$lab --probe_time 4s --json)
jq -r --argjson veth "$veth" '"0 ms through the delay line itself (an unshaped link bypasses it): \(.tcp_steady_bytes_per_s/1e6|round) MB/s, \(.tcp_steady_bytes_per_s/$veth*100|round/100) x veth"' <<<"$p"
$mb link clear --lab.name=$lab >/dev/null
if [ -x build/bench/nl_apply ]; then
	ip netns exec mbb-va build/bench/nl_apply veth0 200
fi
