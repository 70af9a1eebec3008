#!/usr/bin/env bash
# tests/sys/guest_fill.sh - the guest program's resident memory and page
# cache modes, run on the host (mbguest takes its kernel command line words
# as arguments): each pattern fills and holds the memory before the first
# sample (the process's resident set shows it) and reports it in a
# "resident" event; a fill larger than the memory available is an error
# event, not an OOM kill; bad words are error events; seqread with
# migbench.direct=0 reads through the page cache and with direct=1 does not
# (fincore shows the file's cached pages).  Fast: no VM.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
G=$TOP/build/guest/mbguest
[ -x "$G" ] || { skip "needs build/guest/mbguest (make build/guest/mbguest)"; exit 0; }
tmp=$(mktemp -d /tmp/mbtest-fill-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

field() { # field LINE KEY: the value of KEY=... in a protocol event line
	sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"
}

for pat in random same zero; do
	out=$("$G" migbench.wl=idle migbench.interval=100ms migbench.duration=1s \
		migbench.resident=64M migbench.resident_pattern=$pat 2>&1 &
		pid=$!; sleep 0.7; grep VmRSS /proc/$pid/status; wait $pid)
	ev=$(grep -m1 ' ev 0 .* resident ' <<<"$out")
	check "$pat: the first line is the resident event" test -n "$ev"
	check "$pat: it filled 64 MiB" test "$(field "$ev" bytes)" = 67108864
	check "$pat: it names the pattern" test "$(field "$ev" pattern)" = $pat
	check "$pat: the fill time is reported" awk -v s="$(field "$ev" seconds)" 'BEGIN { exit !(s > 0 && s < 30) }'
	check "$pat: the workload starts after the fill" grep -q ' ev 1 .* start ' <<<"$out"
	rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' <<<"$out")
	check "$pat: the memory is resident while the workload runs (RSS ${rss:-?} kB >= 64 MiB)" test "${rss:-0}" -ge 65536
done

# 1 PiB: refused by the MemAvailable check (and mmap would fail anyway).
out=$("$G" migbench.wl=idle migbench.duration=1s migbench.resident=1048576G 2>&1); rc=$?
check "a fill beyond MemAvailable: exit 2" test $rc -eq 2
check "a fill beyond MemAvailable: an error event that says so" grep -q ' error migbench.resident=.* does not fit: the guest has .* available' <<<"$out"
for w in "migbench.resident_pattern=randm" "migbench.resident=lots"; do
	out=$("$G" migbench.wl=idle migbench.duration=1s "$w" 2>&1); rc=$?
	check "$w: exit 2 with an error event naming it" test $rc -eq 2 -a -n "$(grep " error bad value ${w%%=*}" <<<"$out")"
done
out=$("$G" migbench.wl=idle migbench.duration=300ms 2>&1)
check "without resident memory there is no resident event" test -z "$(grep ' resident ' <<<"$out")"

# The page cache: direct=1 (O_DIRECT) leaves none of the file cached,
# direct=0 reads it through the cache.
if command -v fincore >/dev/null 2>&1 && python3 -c 'import os; os.posix_fadvise' 2>/dev/null; then
	f=$tmp/disk.img
	head -c $((16 << 20)) /dev/urandom > "$f" && sync "$f"
	uncache() { python3 -c 'import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$f"; }
	cached() { fincore -b -n -o RES "$f" | tr -d ' '; }
	uncache
	if [ "$(cached)" = 0 ]; then
		out=$("$G" migbench.wl=seqread migbench.dev="$f" migbench.direct=1 migbench.duration=500ms 2>&1)
		check "seqread direct=1 reads (O_DIRECT)" grep -q ' start .*direct=1' <<<"$out"
		check "seqread direct=1 leaves the file out of the page cache ($(cached) bytes cached)" test "$(cached)" -lt $((1 << 20))
		out=$("$G" migbench.wl=seqread migbench.dev="$f" migbench.direct=0 migbench.duration=500ms 2>&1)
		check "seqread direct=0 reads" grep -q ' start .*direct=0' <<<"$out"
		check "seqread direct=0 reads through the page cache ($(cached) bytes cached)" test "$(cached)" -ge $((15 << 20))
	else
		skip "page cache check: cannot drop $f from the page cache here"
	fi
else
	skip "page cache check: needs fincore (util-linux) and python3"
fi
finish
