#!/usr/bin/env bash
# tests/sys/bad_input.sh - table-driven: malformed profiles and command
# lines each get exit 2 and a message naming file:line and the key (never a
# crash); a host that cannot be reached is "cannot run here" (exit 4); no
# code path hands anything to a shell.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
tmp=$(mktemp -d /tmp/mbtest-bad-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# name | profile text | what the message must contain
cases=(
"typo'd key|[global]\ndealy = 16ms|bad.ini:2: unknown key 'dealy' in [global], did you mean 'delay'?"
"bad unit|[global]\ndelay = 16xs|bad.ini:2: delay: '16xs': unknown unit 'xs'"
"missing unit|[global]\ntimeout = 30|bad.ini:2: timeout: '30' has no unit"
"out of range|[global]\nmax_downtime = 0ms|bad.ini:2: max_downtime: 0ms is out of range"
"huge value|[global]\nmemory = 99999999999999999999TiB|bad.ini:2: memory:"
"huge integer|[global]\nrepeat = 99999999999999999999999|bad.ini:2: repeat:"
"negative|[global]\nvcpus = -1|bad.ini:2: vcpus: -1 is out of range"
"not a number|[global]\nloss = lots|bad.ini:2: loss: 'lots' is not a number"
"bad enum|[global]\nworkload = cpuad|did you mean 'cpuadd'"
"bad bool|[global]\nxbzrle = maybe|bad.ini:2: xbzrle: 'maybe' is not yes/no"
"list for a single key|[global]\nrepeat = 1,2|bad.ini:2: repeat takes a single value"
"duplicate list value|[global]\ndelay = 4,4ms|appears twice in the list"
"empty list element|[global]\ndelay = 4,,8ms|empty element"
"key set twice|[global]\ndelay = 4ms\ndelay = 8ms|bad.ini:3: 'delay' is set twice in [global] (first at line 2)"
"syntax|[global]\nthis is not ini|bad.ini:2: syntax error"
"unclosed section|[global\ndelay=1ms|bad.ini:1: syntax error"
"lab key in global|[global]\nlun_size = 1GiB|'lun_size' does not belong in [global]: it is a [lab] key"
"run key in experiment|[x]\norder = random|'order' applies to the whole run"
"bad section name|[a b]\ndelay=1ms|section name [a b]"
"bad lab name|[lab]\nname = my-lab!|lab.name 'my-lab!'"
"relative lab dir|[lab]\ndir = relative/path|lab.dir must be an absolute path of at most 200"
"hosts half set|[hosts]\nsource = qemu+ssh://a/system|[hosts] source is set, so hosts.dest must be set"
"contradiction zlib|[global]\ncompression = zlib|bad.ini:2: compression=zlib needs multifd > 0"
"contradiction postcopy|[global]\npostcopy_after = 2\nmultifd = 2|postcopy_after cannot be combined with multifd"
"contradiction memdirty|[global]\nmemory = 128MiB\nmemdirty_size = 120MiB|memdirty_size (120 MiB) must leave at least 48 MiB"
"contradiction jitter|[global]\ndelay = 4ms\njitter = 3ms|jitter (3000 us) must not exceed half the delay"
"seqread beyond the LUN|[global]\nseqread_size = 1GiB\n[lab]\nlun_size = 512MiB|is beyond the lab's LUN"
"xbzrle cache not a power of two|[global]\nxbzrle = yes\nxbzrle_cache = 96MiB|bad.ini:3: xbzrle_cache must be a power of two"
"O_DIRECT block|[global]\nseqread_block = 1000B|multiple of 512"
"control characters|[global]\nguest_args = a\x01b|guest_args: value contains control characters"
"link names nothing|[global]\nlink = nope|bad.ini:2: link 'nope': no [link.nope] section in the profile and no built-in link"
"link with a rate but no delay|[global]\nlink = x\n[link.x]\nrate = 10Mbit|bad.ini:3: [link.x] has no delay: a link needs its round-trip time, not only a rate"
"unknown key in a link|[global]\nlink = x\n[link.x]\ndelay = 4ms\nworkload = idle|bad.ini:5: 'workload' is not a link key: [link.x] takes delay"
"misspelt link key|[link.x]\ndelai = 4ms|bad.ini:2: 'delai' is not a link key: [link.x] takes delay, jitter, jitter_dist, loss, rate, rate_up, rate_down (did you mean 'delay'?)"
"bad link section name|[link.a!b]\ndelay = 1ms|bad.ini:1: link name [link.a!b]: use 1-40 letters"
"link section without a name|[link]\ndelay = 1ms|bad.ini:1: a link section needs a name: [link.NAME]"
"bad link name in link=|[global]\nlink = a/b|bad.ini:2: link 'a/b': a link name has 1-40 letters"
"list in a link section|[link.x]\ndelay = 4,16ms|bad.ini:2: delay: a link has one value per key, not a list"
"link section twice|[link.x]\ndelay = 1ms\n[link.x]\ndelay = 2ms|bad.ini:3: section [link.x] appears twice"
"delay beside link|[global]\nlink = study4\ndelay = 4ms|bad.ini:3: delay cannot be set beside link (link = study4 at bad.ini:2)"
"rate in global beside an experiment's link|[global]\nrate = 1Gbit\n[e1]\nlink = study16|bad.ini:2: rate cannot be set beside link (link = study16 at bad.ini:4)"
"jitter of a link above half its delay|[global]\nlink = x\n[link.x]\ndelay = 4ms\njitter = 3ms|bad.ini:5: jitter (3000 us) must not exceed half the delay"
"tcp_buffers not a size|[global]\ntcp_buffers = lots|bad.ini:2: tcp_buffers: 'lots' is not os, bdp or a size"
"tcp_buffers too small|[global]\ntcp_buffers = 1KiB|bad.ini:2: tcp_buffers: 1KiB is out of range (64KiB..1GiB)"
"retired tcp_buffer_max|[global]\ntcp_buffer_max = 64MiB|bad.ini:2: tcp_buffer_max was replaced by tcp_buffers: write tcp_buffers = SIZE"
"resident larger than memory|[global]\nmemory = 512MiB\nresident = 1GiB|bad.ini:3: resident (1024 MiB) is larger than the guest's memory (512 MiB)"
"resident leaves no room|[global]\nmemory = 1GiB\nresident = 0.95|bad.ini:3: resident (972 MiB) must leave at least 176 MiB of the guest's memory (1024 MiB)"
"resident fraction above 1|[global]\nresident = 1.5|bad.ini:2: resident: 1.5 is neither a fraction in (0,1]"
"resident percent above 100|[global]\nresident = 120%%|bad.ini:2: resident: 120% is neither a fraction in (0,1]"
"resident negative|[global]\nresident = -0.2|bad.ini:2: resident: -0.2 is neither a fraction in (0,1]"
"resident below a page|[global]\nresident = 100B|bad.ini:2: resident: 100B is out of range"
"resident in bits|[global]\nresident = 800Mbit|bad.ini:2: resident: '800Mbit': a lowercase b means bits"
"resident in an experiment|[big]\nmemory = 256MiB\nresident = 200MiB|bad.ini:3: resident (200 MiB) must leave at least 80 MiB"
"resident with memdirty|[global]\nmemory = 512MiB\nresident = 360MiB\nworkload = memdirty\nmemdirty_size = 64MiB|resident (360 MiB) and memdirty_size (64 MiB) together must leave"
"unknown resident pattern|[global]\nresident = 0.5\nresident_pattern = randm|bad.ini:3: resident_pattern: unknown value 'randm', did you mean 'random'?"
)
for c in "${cases[@]}"; do
	IFS='|' read -r name text want <<<"$c"
	printf "$text\n" > "$tmp/bad.ini"
	out=$(cd "$tmp" && "$MIGBENCH" check bad.ini 2>&1); rc=$?
	if [ $rc -eq 2 ] && [[ $out == *"$want"* ]]; then ok "$name: exit 2, '$want'"
	else fail "$name" "exit $rc: $(head -c 300 <<<"$out" | tr '\n' ' ')"; fi
done

# Binary junk and empty files.
head -c 4096 /dev/urandom > "$tmp/junk.ini"
expect_rc "binary junk: exit 2" 2 "$MIGBENCH" check "$tmp/junk.ini"
printf '[global]\ndelay=\0\n' > "$tmp/nul.ini"
out=$("$MIGBENCH" check "$tmp/nul.ini" 2>&1)
[[ $out == *"nul.ini:2: contains a NUL byte"* ]] && ok "NUL byte named at file:line" || fail "NUL byte named at file:line" "$out"
head -c 20000 /dev/zero | tr '\0' 'a' | sed 's/^/delay=/' > "$tmp/long.ini"
out=$("$MIGBENCH" check "$tmp/long.ini" 2>&1); rc=$?
[ $rc -eq 2 ] && [[ $out == *"line longer than"* ]] && ok "an overlong line is refused" || fail "an overlong line is refused" "exit $rc $out"
: > "$tmp/empty.ini"
expect_rc "an empty profile is one default scenario (exit 0)" 0 "$MIGBENCH" check "$tmp/empty.ini"
expect_rc "a missing profile: exit 2" 2 "$MIGBENCH" check "$tmp/none.ini"

# Command lines.
expect_rc "unknown command: exit 2" 2 "$MIGBENCH" chek
out=$("$MIGBENCH" chek 2>&1); [[ $out == *"did you mean 'check'"* ]] && ok "unknown command suggests check" || fail "unknown command suggests check" "$out"
out=$("$MIGBENCH" plan profiles/smoke.ini --dealy=4ms 2>&1); rc=$?
[ $rc -eq 2 ] && [[ $out == *"did you mean --delay"* ]] && ok "unknown option suggests --delay" || fail "unknown option suggests --delay" "$out"
expect_rc "bad override value: exit 2" 2 "$MIGBENCH" plan profiles/smoke.ini --delay=soon
expect_rc "flag without its argument: exit 2" 2 "$MIGBENCH" run profiles/smoke.ini --out
expect_rc "--retry-failed without --resume: exit 2" 2 "$MIGBENCH" run profiles/smoke.ini --retry-failed
expect_rc "--only with an unknown id: exit 2" 2 "$MIGBENCH" plan profiles/smoke.ini --only d4ms-cpuad-r1
expect_rc "--resume of a directory that is no run: exit 2" 2 "$MIGBENCH" run --resume "$tmp"
expect_rc "report of a directory that is no run: exit 2" 2 "$MIGBENCH" report "$tmp"
expect_rc "lab with an unknown action: exit 2" 2 "$MIGBENCH" lab upp

# A host that cannot be reached (no traffic leaves the machine: a unix socket).
cat > "$tmp/hosts.ini" <<EOI
[hosts]
source = qemu+unix:///system?socket=$tmp/nope-src
dest = qemu+unix:///system?socket=$tmp/nope-dst
migrate_host = 198.18.0.2
iscsi_portal = 198.18.3.1
iscsi_iqn = iqn.2026-11.org.migbench:none
[lab]
dir = $tmp/labdir
[global]
probe = no
EOI
out=$("$MIGBENCH" run "$tmp/hosts.ini" --out "$tmp/r" 2>&1); rc=$?
[ $rc -eq 4 ] && [[ $out == *"cannot connect to libvirt at qemu+unix"* ]] && ok "unreachable host: exit 4 naming the URI" || fail "unreachable host: exit 4 naming the URI" "exit $rc: $out"
sed -i 's/^probe = no/delay = 16ms/' "$tmp/hosts.ini"
out=$("$MIGBENCH" run "$tmp/hosts.ini" --out "$tmp/r2" 2>&1); rc=$?
[ $rc -eq 4 ] && [[ $out == *"no hosts.netem_dev"* ]] && ok "delay on real hosts without netem_dev: exit 4 saying why" || fail "delay on real hosts without netem_dev" "exit $rc: $out"

# No shell anywhere: external tools run from argv vectors only.
hits=$(grep -rnE '\b(system|popen|execl)\s*\(|"/bin/sh"' --include='*.c' core profile plan lab netem storage migrate run record report samples guest 2>/dev/null || true)
[ -z "$hits" ] && ok "no system(), popen() or /bin/sh in the controller" || fail "no system(), popen() or /bin/sh in the controller" "$hits"
finish
