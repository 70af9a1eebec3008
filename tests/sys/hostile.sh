#!/usr/bin/env bash
# tests/sys/hostile.sh - hostile inputs: profiles, command lines and
# environment variables written to break the parser, hang it, blow up the
# plan, hide a setting or smuggle an option into ssh/iscsiadm.  Every case
# asserts the exit code AND a fragment of the message (or of the output);
# none needs root or a lab.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
tmp=$(mktemp -d /tmp/mbtest-hostile-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
NCASES=0

# run_case NAME RC WANT CMD...: CMD must exit RC and print WANT (stdout+stderr).
run_case() {
	local name=$1 want_rc=$2 want=$3 out rc; shift 3
	NCASES=$((NCASES + 1))
	out=$(timeout 20 "$@" 2>&1); rc=$?
	if [ "$rc" -eq "$want_rc" ] && [[ $out == *"$want"* ]]; then ok "$name: exit $rc, '$want'"
	else fail "$name" "exit $rc (wanted $want_rc, '$want'): $(head -c 400 <<<"$out" | tr '\n' ' ')"; fi
}

# timed_case NAME MAX_MS RC WANT CMD...: run_case, and it must take < MAX_MS.
timed_case() {
	local name=$1 max=$2 t0 ms; shift 2
	t0=$(date +%s%N)
	run_case "$name" "$@"
	ms=$(( ($(date +%s%N) - t0) / 1000000 )); NCASES=$((NCASES + 1))
	[ $ms -lt "$max" ] && ok "$name: $ms ms" || fail "$name: under $max ms" "$ms ms"
}

# Profiles given as printf text, checked with `migbench check`.
#   name | exit | message fragment | profile text (printf format)
profiles=(
"long list line, error in one element|2|bad.ini:2: delay: '7xs': unknown unit 'xs'|[global]\ndelay = $(seq -s, 100 149),7xs,$(seq -s, 151 200)ms"
"error after a long line keeps its line number|2|bad.ini:3: unknown key 'dealy'|[global]\nguest_args = $(printf 'x%.0s' $(seq 300))\ndealy = 4ms"
"line over the 16384 limit|2|bad.ini:2: line longer than 16384 characters|[global]\nguest_args = $(head -c 17000 /dev/zero | tr '\0' a)"
"section name over 40 characters|2|section name [$(printf 's%.0s' $(seq 60))]|[$(printf 's%.0s' $(seq 60))]\ndelay = 4ms"
"key of 300 characters|2|unknown key '$(printf 'k%.0s' $(seq 300))'|[global]\n$(printf 'k%.0s' $(seq 300)) = 1"
"list of 257 values|2|more than 256 values in the list|[global]\ndelay = $(seq -s, 0 256)ms"
"NUL byte|2|bad.ini:2: contains a NUL byte|[global]\ndelay = 4ms\0\n"
"a size in bits|2|memory: '256Mb': a lowercase b means bits|[global]\nmemory = 256Mb"
"a size in kbit|2|a lowercase b means bits|[global]\nxbzrle_cache = 64kbit"
"rate with no unit|2|'100' has no unit|[global]\nbandwidth = 100"
"rate in seconds|2|unknown unit 'Ms'|[global]\nbandwidth = 100Ms"
"hosts.source starting with -|2|hosts.source '-oProxyCommand=touch': only qemu URIs|[hosts]\nsource = -oProxyCommand=touch"
"ssh host starting with -|2|nor may it start with '-'|[hosts]\nsource = qemu+ssh://-oProxyCommand=x/system"
"ssh user starting with -|2|the user name must not be empty or start with '-'|[hosts]\nsource = qemu+ssh://-l@host/system"
"ssh host after user starting with -|2|start with '-'|[hosts]\nsource = qemu+ssh://root@-host/system"
"ext transport runs a command|2|unknown or unsupported transport|[hosts]\nsource = qemu+ext:///system?command=/tmp/x"
"command= parameter|2|command= and netcat= parameters|[hosts]\nsource = qemu+ssh://h/system?command=/tmp/x"
"netcat= parameter|2|command= and netcat= parameters|[hosts]\ndest = qemu+ssh://h/system?netcat=/tmp/nc"
"%-encoded command= parameter|2|URI parameter names are lowercase letters|[hosts]\nsource = qemu+ssh://h/system?no_tty=1&comm%%61nd=/tmp/x"
"URI with a space|2|contains white space|[hosts]\nsource = qemu+ssh://h/system extra"
"URI with a bad port|2|the port must be a number 1..65535|[hosts]\nsource = qemu+tcp://h:99999/system"
"not a qemu URI|2|only qemu URIs are supported|[hosts]\ndest = xen://h/"
"over-long hosts.dest|2|hosts.dest: longer than 511 characters|[hosts]\ndest = qemu+ssh://h/$(printf 'p%.0s' $(seq 600))"
"over-long ssh user@host|2|longer than 255 characters|[hosts]\ndest = qemu+ssh://$(printf 'u%.0s' $(seq 300))@h/system"
"over-long migrate_host|2|hosts.migrate_host: longer than 255 characters|[hosts]\nmigrate_host = $(printf 'h%.0s' $(seq 300))"
"migrate_host starting with -|2|hosts.migrate_host '-x': expected ADDR[:PORT]|[hosts]\nmigrate_host = -x"
"migrate_host bare IPv6|2|write an IPv6 address in brackets|[hosts]\nmigrate_host = fd00::1"
"migrate_host bad port|2|the port must be a number 1..65535|[hosts]\nmigrate_host = 10.0.0.1:0"
"migrate_host shell syntax|2|hosts.migrate_host 'h;reboot'|[hosts]\nmigrate_host = h;reboot"
"portal shell syntax|2|hosts.iscsi_portal '\$(id)'|[hosts]\niscsi_portal = \$(id)"
"portal over-long|2|hosts.iscsi_portal: longer than 255|[hosts]\niscsi_portal = $(printf 'p%.0s' $(seq 260)):3260"
"IQN upper case|2|hosts.iscsi_iqn 'IQN.2001-04.com.example:d'|[hosts]\niscsi_iqn = IQN.2001-04.com.example:d"
"IQN with a quote|2|expected iqn.YYYY-MM.domain|[hosts]\niscsi_iqn = iqn.2001-04.com.example:d'x"
"IQN over-long|2|at most 223 characters|[hosts]\niscsi_iqn = iqn.2001-04.com.$(printf 'e%.0s' $(seq 230))"
"netem_dev starting with -|2|does not start|[hosts]\nnetem_dev = -eth0"
"netem_dev three names|2|name one or two interfaces|[hosts]\nnetem_dev = a b c"
"netem_dev name over 15|2|1-15 characters|[hosts]\nnetem_dev = $(printf 'e%.0s' $(seq 20))"
"[hosts] without a source|2|hosts.dest is set but hosts.source is not|[hosts]\ndest = qemu+ssh://b/system"
"[hosts] source without the rest|2|source is set, so hosts.iscsi_iqn must be set|[hosts]\nsource = qemu+ssh://a/system"
"path beyond PATH_MAX|2|kernel: the path is longer than 4095|[global]\nkernel = /$(printf 'k%.0s' $(seq 4095))"
)
for c in "${profiles[@]}"; do
	IFS='|' read -r name want_rc want text <<<"$c"
	printf "$text\n" > "$tmp/bad.ini"
	run_case "$name" "$want_rc" "$want" bash -c 'cd "$1" && "$2" check bad.ini' _ "$tmp" "$MIGBENCH"
done

# One value per line, whatever the line length: the tail of a long line is
# never read as a key of its own.
printf '[global]\nguest_args = %s delay = 64ms\n' "$(printf 'a%.0s' $(seq 250))" > "$tmp/long.ini"
out=$("$MIGBENCH" plan --json "$tmp/long.ini" 2>&1); rc=$?; NCASES=$((NCASES + 1))
if [ $rc -eq 0 ] && [[ $out == *'"delay":0,'* ]] && [[ $out == *'delay = 64ms"'* ]]; then
	ok "250-character guest_args + 'delay = 64ms' on one line: no delay, the text stays in guest_args"
else fail "250-character guest_args line sets no delay" "exit $rc: $(grep -E '"(delay|guest_args)"' <<<"$out" | head -c 300)"; fi

# Line endings: CR-only, CRLF and mixed files keep every setting.
printf '[global]\rdelay = 16ms\rbandwidth = 100Mb/s\r' > "$tmp/cr.ini"
printf '[global]\r\ndelay = 16ms\r\nbandwidth = 100Mb/s\r\n' > "$tmp/crlf.ini"
printf '[global]\rdelay = 16ms\r\nbandwidth = 100Mb/s\n' > "$tmp/mixed.ini"
for f in cr crlf mixed; do
	run_case "$f line endings keep the settings" 0 '"bandwidth":12500000' "$MIGBENCH" plan --json "$tmp/$f.ini"
	run_case "$f line endings: delay 16 ms" 0 '"delay":0.016' "$MIGBENCH" plan --json "$tmp/$f.ini"
done
printf '\xef\xbb\xbf[global]\ndelay = 4ms\n' > "$tmp/bom.ini"
run_case "UTF-8 BOM" 0 '"delay":0.004' "$MIGBENCH" plan --json "$tmp/bom.ini"

# Units: a lowercase b is a bit, a capital B a byte.
for u in "100Mb/s:12500000" "100Mbps:12500000" "100mbit:12500000" "100MB/s:100000000" "100MBps:100000000" "1GiB/s:1073741824"; do
	printf '[global]\nbandwidth = %s\n' "${u%%:*}" > "$tmp/u.ini"
	run_case "bandwidth = ${u%%:*}" 0 "\"bandwidth\":${u##*:}" "$MIGBENCH" plan --json "$tmp/u.ini"
done
run_case "--bandwidth=800Mb/s override" 0 '"bandwidth":100000000' "$MIGBENCH" plan --json profiles/smoke.ini --bandwidth=800Mb/s

# Not regular files: refused at once (timeout 5 catches a hang; must be < 1 s).
mkfifo "$tmp/fifo.ini"
for f in "$tmp/fifo.ini:is a FIFO" "/dev/zero:character device" "$tmp:is a directory" "/dev/null:character device"; do
	timed_case "profile ${f%%:*}" 1000 2 "${f##*:}, not a regular file" timeout 5 "$MIGBENCH" check "${f%%:*}"
done
head -c $((17 << 20)) /dev/zero | tr '\0' '#' > "$tmp/big.ini"
run_case "a 17 MiB profile" 2 "larger than 16777216 bytes" "$MIGBENCH" check "$tmp/big.ini"

# Size: linear parsing, a cap on the plan, checked before allocating.
awk 'BEGIN { for (i = 0; i < 50000; i++) printf "[e%d]\ndelay = %dus\n", i, i }' > "$tmp/many.ini"
timed_case "50,000 sections" 10000 0 "ok, 50000 scenarios" "$MIGBENCH" check "$tmp/many.ini"
awk 'BEGIN { for (i = 0; i <= 100000; i++) printf "[e%d]\n", i }' > "$tmp/toomany.ini"
run_case "100,001 sections" 2 "more than 100000 experiment sections" "$MIGBENCH" check "$tmp/toomany.ini"
{ echo '[global]'; echo "delay = $(seq -s, 0 40)ms"; echo "vcpus = $(seq -s, 1 40)"; echo 'repeat = 1000'; } > "$tmp/huge.ini"
timed_case "1.64 M scenarios refused with the count" 2000 2 "the plan has 1640000 scenarios, more than the 100000" "$MIGBENCH" plan "$tmp/huge.ini"
run_case "the count's factors" 2 "delay 41 x vcpus 40 x repeat 1000" "$MIGBENCH" check "$tmp/huge.ini"
# 1000 keys and enum values of 16,000 characters: no quadratic suggestion work.
awk 'BEGIN { k = "k"; while (length(k) < 16000) k = k k; k = substr(k, 1, 16000); print "[global]";
	for (i = 0; i < 500; i++) printf "%s%d = 1\n[e%d]\nworkload = %s\n", k, i, i, k }' > "$tmp/longkeys.ini"
timed_case "1000 lines of 16,000-character keys and values" 5000 2 "unknown key 'kkkkkkkk" "$MIGBENCH" check "$tmp/longkeys.ini"
awk 'BEGIN { print "[global]"; for (i = 0; i < 200000; i++) printf "bad%d = 1\n", i }' > "$tmp/errors.ini"
run_case "200,000 bad lines: messages capped" 2 "... and 199900 more errors" "$MIGBENCH" check "$tmp/errors.ini"

# Command-line overrides get the same checks, and [hosts] is checked after them.
H=(--hosts.dest=qemu+ssh://b/system --hosts.migrate_host=10.0.0.2 --hosts.iscsi_portal=10.0.0.3:3260 --hosts.iscsi_iqn=iqn.2026-11.org.example:d)
run_case "--hosts.source starting with -" 2 "--hosts.source=-oProxyCommand=x" "$MIGBENCH" check profiles/smoke.ini --hosts.source=-oProxyCommand=x
run_case "--hosts.source with an ssh option as host" 2 "start with '-'" "$MIGBENCH" check profiles/smoke.ini --hosts.source=qemu+ssh://-oProxyCommand=x/system
run_case "--hosts.dest over-long" 2 "hosts.dest: longer than 511" "$MIGBENCH" check profiles/smoke.ini "--hosts.dest=qemu+ssh://h/$(printf 'p%.0s' $(seq 600))"
run_case "--hosts.migrate_host over-long" 2 "hosts.migrate_host: longer than 255" "$MIGBENCH" check profiles/smoke.ini "--hosts.migrate_host=$(printf 'h%.0s' $(seq 300))"
run_case "--hosts.source alone: the rest must follow" 2 "source is set, so hosts.dest must be set" "$MIGBENCH" check profiles/smoke.ini --hosts.source=qemu+ssh://a/system
run_case "--hosts.* complete on the command line" 0 "ok, 2 scenarios" "$MIGBENCH" check profiles/smoke.ini --hosts.source=qemu+ssh://root@a/system "${H[@]}"
printf '[hosts]\nsource = qemu+ssh://a/system\n' > "$tmp/half.ini"
run_case "a half [hosts] completed by overrides" 0 "ok, 1 scenario" "$MIGBENCH" check "$tmp/half.ini" "${H[@]}"
run_case "--repeat beyond int64" 2 "repeat: 99999999999999999999 is out of range" "$MIGBENCH" plan profiles/smoke.ini --repeat=99999999999999999999
run_case "--lab.name with shell syntax" 2 "lab.name 'a;b'" "$MIGBENCH" plan profiles/smoke.ini --lab.name='a;b'

# --shard: I/N, digits only.
for s in " 1/ 2" "1/2 " "+1/2" "0/2" "3/2" "1/0" "1/2x" "1/-2" "1/200000" "1/99999999999999999999" "1" "/"; do
	run_case "--shard '$s'" 2 "expected I/N" "$MIGBENCH" plan profiles/smoke.ini --shard "$s"
done
run_case "--shard 2/2" 0 "(shard 2/2 of 2)" "$MIGBENCH" plan profiles/smoke.ini --shard 2/2

# Environment: SLURM_ARRAY_* range-checked, never cast.
run_case "SLURM_ARRAY_TASK_COUNT=2147483648" 2 "SLURM_ARRAY_TASK_COUNT=2147483648: expected an integer" env SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_TASK_COUNT=2147483648 "$MIGBENCH" plan profiles/smoke.ini
run_case "SLURM_ARRAY_TASK_ID huge" 2 "SLURM_ARRAY_TASK_ID=99999999999999999999" env SLURM_ARRAY_TASK_ID=99999999999999999999 SLURM_ARRAY_TASK_COUNT=2 "$MIGBENCH" plan profiles/smoke.ini
run_case "SLURM_ARRAY_TASK_ID=2147483647, MIN huge negative" 2 "SLURM_ARRAY_TASK_MIN=-9223372036854775808" env SLURM_ARRAY_TASK_ID=2147483647 SLURM_ARRAY_TASK_MIN=-9223372036854775808 SLURM_ARRAY_TASK_COUNT=2 "$MIGBENCH" plan profiles/smoke.ini
run_case "SLURM_ARRAY_TASK_ID negative" 2 "SLURM_ARRAY_TASK_ID=-1" env SLURM_ARRAY_TASK_ID=-1 SLURM_ARRAY_TASK_COUNT=2 "$MIGBENCH" plan profiles/smoke.ini
run_case "SLURM_ARRAY_TASK_ID with a space" 2 "SLURM_ARRAY_TASK_ID= 1" env "SLURM_ARRAY_TASK_ID= 1" SLURM_ARRAY_TASK_COUNT=2 "$MIGBENCH" plan profiles/smoke.ini
run_case "SLURM_ARRAY_TASK_MIN not a number" 2 "SLURM_ARRAY_TASK_MIN=abc" env SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=2 SLURM_ARRAY_TASK_MIN=abc "$MIGBENCH" plan profiles/smoke.ini
run_case "SLURM id without count" 2 "SLURM_ARRAY_TASK_COUNT is not" env SLURM_ARRAY_TASK_ID=1 "$MIGBENCH" plan profiles/smoke.ini
run_case "SLURM id outside the array" 2 "is outside the array" env SLURM_ARRAY_TASK_ID=5 SLURM_ARRAY_TASK_COUNT=2 SLURM_ARRAY_TASK_MIN=0 "$MIGBENCH" plan profiles/smoke.ini
run_case "SLURM stepped array" 0 "(shard 2/2 of 2)" env SLURM_ARRAY_TASK_ID=4 SLURM_ARRAY_TASK_COUNT=2 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_STEP=4 "$MIGBENCH" plan profiles/smoke.ini
run_case "SLURM 1-based array" 0 "(shard 1/2 of 2)" env SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=2 SLURM_ARRAY_TASK_MIN=1 "$MIGBENCH" plan profiles/smoke.ini

# run --out is checked before anything runs, dry runs included.
mkdir -p "$tmp/full" "$tmp/prev" "$tmp/empty"; : > "$tmp/full/x"; echo '{}' > "$tmp/prev/run.json"
run_case "--dry-run --out /etc/passwd" 2 "--out /etc/passwd exists and is not a directory" "$MIGBENCH" run --dry-run --out /etc/passwd profiles/smoke.ini
run_case "--dry-run --out under a file" 2 "--out /etc/passwd/x" "$MIGBENCH" run --dry-run --out /etc/passwd/x profiles/smoke.ini
run_case "--dry-run --out a non-empty directory" 2 "is not empty" "$MIGBENCH" run --dry-run --out "$tmp/full" profiles/smoke.ini
run_case "--dry-run --out a previous run" 2 "already holds a run: use --resume" "$MIGBENCH" run --dry-run --out "$tmp/prev" profiles/smoke.ini
run_case "--dry-run --out ''" 2 "--out '': give a directory" "$MIGBENCH" run --dry-run --out '' profiles/smoke.ini
run_case "--dry-run --out an empty directory" 0 "would run 2 scenarios" "$MIGBENCH" run --dry-run --out "$tmp/empty" profiles/smoke.ini
run_case "--dry-run --out a new directory" 0 "would run 2 scenarios" "$MIGBENCH" run --dry-run --out "$tmp/new/dir" profiles/smoke.ini
NCASES=$((NCASES + 1))
[ ! -e "$tmp/new" ] && ok "a dry run creates no --out directory" || fail "a dry run creates no --out directory"

# guest parse: JSON escaped by json-c, --seconds checked.
for s in abc " 5" 0 -1 1e999 nan 5x ""; do
	run_case "guest parse --seconds='$s'" 2 "--seconds '$s'" "$MIGBENCH" guest parse --seconds="$s"
done
if command -v python3 >/dev/null; then
	cat > "$tmp/ev.py" <<'EOF'
import sys
def crc(s):
    h = 0x811c9dc5
    for b in s.encode():
        h = ((h ^ b) * 0x01000193) & 0xffffffff
    return h
for line in ['@mb1 1 1000 cpuadd 5 add', '@mb1 ev 2 2000 cpuadd error bad "quote" \\ back </script>']:
    print('%s *%08x' % (line, crc(line)))
EOF
	python3 "$tmp/ev.py" > "$tmp/console.txt"
	out=$("$MIGBENCH" guest parse --json < "$tmp/console.txt" 2>/dev/null); rc=$?; NCASES=$((NCASES + 1))
	if [ $rc -eq 3 ] && python3 -c 'import json,sys; e=[json.loads(l) for l in sys.stdin]; assert e[1]["text"] == "bad \"quote\" \\ back </script>", e' <<<"$out" 2>/dev/null; then
		ok "guest parse --json: event text with quotes and backslashes is valid JSON"
	else fail "guest parse --json escapes event text" "exit $rc: $out"; fi
else
	skip "guest parse --json escaping: needs python3"
fi

NCASES=$((NCASES + 0))
[ $NCASES -ge 60 ] && ok "$NCASES hostile cases" || fail "at least 60 hostile cases" "$NCASES"
finish
