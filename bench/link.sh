#!/usr/bin/env bash
# bench/link.sh - the emulated WAN, measured in one run:
#  * an unshaped veth pair between two namespaces: the machine's own TCP
#    speed, the baseline for the 0 ms ratio (target >= 0.8);
#  * the lab's link at 0/4/16/64 ms (at 0 ms nothing is shaped, so the
#    traffic takes the veth pair and bypasses the delay line; the relay's
#    own 0 ms speed is shown too): configured RTT, measured RTT (avg,
#    p99), single-stream TCP throughput (second half of 4 s, past slow
#    start), and its ratio to the veth pair and to the study's DUMMYNET
#    figures (840.2, 609.61, 151.79, 104.29 MB/s; target >= 1);
#  * installing a qdisc through libnl vs a tc subprocess.
# BENCH_ROUNDS (3) rounds, each probing the veth baseline and then every
# link setting, so a ratio pairs figures taken moments apart; each figure
# is the median with its range, and a target is "met" only when every round
# meets it (bench/lib.sh).
set -u
cd "$(dirname "$0")/.." || exit 1
. bench/lib.sh
mb=./migbench
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 0; }
command -v jq >/dev/null || { echo "skip: no jq"; exit 0; }
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

$mb lab up --lab.name=$lab >/dev/null 2>&1 || { echo "lab up failed"; exit 1; }
echo "lab link: $($mb lab status --json --lab.name=$lab | jq -r .link_backend)"

# probe WHAT ARGS...: "rtt_avg_ms rtt_p99_ms MB/s"; fails naming WHAT.
probe() {
	local what=$1 out v; shift
	# shellcheck disable=SC2086 # v holds three numbers
	out=$($mb link probe "$@" --probe_time 4s --json 2>&1) &&
		v=$(jq -r '[.rtt_avg_s * 1000, .rtt_p99_s * 1000, .tcp_steady_bytes_per_s / 1e6] | map(tostring) | join(" ")' <<<"$out" 2>/dev/null) &&
		all_num $v || { echo "probe of $what failed: $(tail -n 1 <<<"$out")" >&2; return 1; }
	echo "$v"
}
declare -A study=([0]=840.2 [4]=609.61 [16]=151.79 [64]=104.29)
declare -A avg p99 mbs xveth xstudy
veth=() relay=() xrelay=()
for ((i = 1; i <= BENCH_ROUNDS; i++)); do
	r=$(probe "the veth pair" --spec "$tmp/veth.json") || exit 1
	read -r _ _ v <<<"$r"
	veth+=("$v")
	for d in 0 4 16 64; do
		$mb link set --lab.name=$lab --delay ${d}ms >/dev/null || { echo "link set --delay ${d}ms failed"; exit 1; }
		r=$(probe "the link at $d ms" --lab.name=$lab) || exit 1
		read -r a p m <<<"$r"
		avg[$d]+="$a " p99[$d]+="$p " mbs[$d]+="$m "
		xveth[$d]+="$(awk -v m="$m" -v v="$v" 'BEGIN{printf "%.4f", m / v}') "
		xstudy[$d]+="$(awk -v m="$m" -v s="${study[$d]}" 'BEGIN{printf "%.4f", m / s}') "
	done
	# The relay itself at 0 ms: a rate cap no link reaches forces traffic through it.
	$mb link set --lab.name=$lab --delay 0ms --rate 100Gbit >/dev/null || { echo "link set --rate 100Gbit failed"; exit 1; }
	r=$(probe "the delay line at 0 ms" --lab.name=$lab) || exit 1
	read -r _ _ m <<<"$r"
	relay+=("$m") xrelay+=("$(awk -v m="$m" -v v="$v" 'BEGIN{printf "%.4f", m / v}')")
	$mb link clear --lab.name=$lab >/dev/null
done

printf 'unshaped veth pair: TCP %s\n' "$(spread %.0f MB/s "${veth[@]}")"
for d in 0 4 16 64; do
	# shellcheck disable=SC2086 # the lists are space-separated numbers
	{
		printf '%s ms RTT: measured avg %s, p99 %s\n' "$d" "$(spread %.3f ms ${avg[$d]})" "$(spread %.3f ms ${p99[$d]})"
		printf '   TCP %s; x veth %s; x study (%s MB/s) %s\n' "$(spread %.0f MB/s ${mbs[$d]})" \
			"$(spread %.2f "" ${xveth[$d]})" "${study[$d]}" "$(spread %.2f "" ${xstudy[$d]})"
		v_study=$(verdict ge 1 ${xstudy[$d]})
		if [ "$d" = 0 ]; then
			v_veth=$(verdict ge 0.8 ${xveth[$d]})
			printf '   target >= 1 x study: %s; >= 0.8 x veth: %s\n' "$v_study" "$v_veth"
		else
			printf '   target >= 1 x study: %s\n' "$v_study"
		fi
	}
done
printf '0 ms through the delay line itself (an unshaped link bypasses it): %s, %s x veth\n' \
	"$(spread %.0f MB/s "${relay[@]}")" "$(spread %.2f "" "${xrelay[@]}")"
if [ -x build/bench/nl_apply ]; then
	ip netns exec mbb-va build/bench/nl_apply veth0 200 || { echo "nl_apply failed"; exit 1; }
fi
