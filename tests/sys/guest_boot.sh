#!/usr/bin/env bash
# tests/sys/guest_boot.sh - the guest image for real, under QEMU TCG (the
# exact command of issue 3), its console parsed by migbench's own parser:
# >= 5 samples per second starting within 10 s, counters rising, for
# cpuadd, seqread (a virtio disk image) and memdirty; the image builds
# reproducibly; cpuadd's loop survives the compiler; bad parameters are
# reported by the guest, not ignored.
. "$(dirname "$0")/../lib.sh"
require_cmd qemu-system-x86_64 jq || exit 0
require_guest || exit 0
cd "$TOP"
tmp=$(mktemp -d /tmp/mbtest-guest-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# boot NAME SECONDS APPEND [QEMU ARGS...]: console through `migbench guest parse --json`.
boot() {
	local name=$1 secs=$2 append=$3; shift 3
	timeout "$secs" qemu-system-x86_64 -accel tcg -m 256 -nographic -kernel build/guest/vmlinuz \
		-initrd build/guest/initrd.img -append "$append" "$@" < /dev/null 2>/dev/null |
		"$MIGBENCH" guest parse --json > "$tmp/$name.jsonl" 2> "$tmp/$name.err"
	true
}

# assess NAME UNIT MINRATE: samples/s, first sample time, monotonic counters.
assess() {
	local name=$1 unit=$2 min=$3 j="$tmp/$1.jsonl"
	local n first last rate mono
	n=$(jq -s '[.[] | select(.count != null)] | length' "$j")
	first=$(jq -s '[.[] | select(.count != null)][0].host_s // 999' "$j")
	last=$(jq -s '[.[] | select(.count != null)][-1].host_s // 0' "$j")
	rate=$(awk -v n="$n" -v a="$first" -v b="$last" 'BEGIN{ if (b > a) printf "%.1f", (n - 1) / (b - a); else print 0 }')
	mono=$(jq -s '[.[] | select(.count != null) | .count] as $c | [range(1; $c|length) | select($c[.] <= $c[. - 1])] | length' "$j")
	awk -v f="$first" 'BEGIN{exit !(f < 10)}' && ok "$name: first sample after $first s (< 10 s)" || fail "$name: first sample within 10 s" "$first s; $(cat "$tmp/$name.err")"
	awk -v r="$rate" 'BEGIN{exit !(r >= 5)}' && ok "$name: $rate samples/s (>= 5)" || fail "$name: >= 5 samples/s" "$rate/s, $n samples"
	[ "$mono" = 0 ] && [ "$n" -gt 5 ] && ok "$name: counter rises with every sample" || fail "$name: counter rises with every sample" "$mono non-rising of $n"
	check "$name: unit is $unit" test "$(jq -rs '[.[] | select(.count != null)][0].unit' "$j")" = "$unit"
	local r; r=$(jq -s '[.[] | select(.count != null)] | (.[-1].count - .[0].count) / (.[-1].guest_s - .[0].guest_s)' "$j")
	awk -v r="$r" -v m="$min" 'BEGIN{exit !(r > m)}' && ok "$name: $(awk -v r="$r" 'BEGIN{printf "%.3g", r}') $unit/s (> $min)" || fail "$name: rate > $min $unit/s" "$r"
}

boot cpuadd 12 "console=ttyS0 migbench.wl=cpuadd"
assess cpuadd add 50000000
check "cpuadd: the start event names the round" grep -q '"event":"start","text":"round=120000000' "$tmp/cpuadd.jsonl"

head -c 64M /dev/urandom > "$tmp/disk.img"
boot seqread 12 "console=ttyS0 migbench.wl=seqread migbench.size=32M" -drive "file=$tmp/disk.img,if=virtio,format=raw,cache=none"
assess seqread B 1048576

boot memdirty 12 "console=ttyS0 migbench.wl=memdirty migbench.wss=32M"
assess memdirty B 10485760
boot memdirty-paced 12 "console=ttyS0 migbench.wl=memdirty migbench.wss=32M migbench.rate=20M"
r=$(jq -s '[.[] | select(.count != null)] | (.[-1].count - .[0].count) / (.[-1].guest_s - .[0].guest_s) / 1048576' "$tmp/memdirty-paced.jsonl")
awk -v r="$r" 'BEGIN{exit !(r > 18 && r < 22)}' && ok "memdirty paced at 20 MiB/s: $(printf %.1f "$r") MiB/s" || fail "memdirty paced at 20 MiB/s" "$r MiB/s"

# The guest says what is wrong with its parameters.
boot bad 15 "console=ttyS0 migbench.wl=seqread migbench.dev=/dev/nothere"
check "a bad device is reported by the guest" grep -q '"event":"error","text":"cannot open /dev/nothere' "$tmp/bad.jsonl"

# cpuadd's loop is really there: a backward jump with an add in the body.
if command -v objdump >/dev/null; then
	dis=$(objdump -d --no-show-raw-insn build/guest/mbguest | awk '/<add_chunk>:/,/ret/')
	if grep -q 'add ' <<<"$dis" && grep -qE '\bj[a-z]+ ' <<<"$dis"; then ok "cpuadd: add_chunk keeps its loop (not folded)"
	else fail "cpuadd: add_chunk keeps its loop" "$dis"; fi
else
	skip "objdump not installed: cannot inspect cpuadd's loop"
fi

# Reproducible: rebuilding the initramfs gives the same bytes.
sum1=$(sha256sum build/guest/initrd.img | cut -d' ' -f1)
mkdir -p "$tmp/re"
if guest/mkimage.sh build/guest/mbguest "$tmp/re" > /dev/null 2>&1 || { cp -r build/guest/cache "$tmp/re/" && guest/mkimage.sh build/guest/mbguest "$tmp/re" > /dev/null 2>&1; }; then
	sum2=$(sha256sum "$tmp/re/initrd.img" | cut -d' ' -f1)
	[ "$sum1" = "$sum2" ] && ok "the initramfs is reproducible ($sum1)" || fail "the initramfs is reproducible" "$sum1 vs $sum2"
	check "manifest records the kernel package and sha256s" jq -e '.kernel_package and .kernel_version and (.initrd_sha256 | length == 64)' build/guest/manifest.json
else
	fail "rebuild the initramfs" "mkimage failed"
fi
finish
