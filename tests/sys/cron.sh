#!/usr/bin/env bash
# tests/sys/cron.sh - the crontab lines examples/cron-sweep.sh documents, run
# as cron runs them (/bin/sh -c, cron's bare environment) in a stand-in for
# /opt/migbench: the nightly line is killed with kill -9 (the whole process
# group, as a crash would) while its second scenario runs, then the @reboot
# line continues the day's run: every scenario once, the first record
# untouched, the report written.  No cron daemon: waiting for its minute
# would add up to a minute and test cron, not the example.
. "$(dirname "$0")/../lib.sh"
require_root || exit 0
require_cmd libvirtd tgtd qemu-system-x86_64 jq setsid || exit 0
require_guest || exit 0

LAB=mbtcr
cd "$TOP"
tmp=$(mktemp -d /tmp/mbtest-cron-XXXXXX)
trap '[ -n "${pid:-}" ] && kill -9 -- -"$pid" 2>/dev/null; "$MIGBENCH" lab down --lab.name=$LAB >/dev/null 2>&1; rm -rf "$tmp"' EXIT
# The install directory of the crontab lines.
opt=$tmp/opt
mkdir -p "$opt"
ln -s "$TOP/examples" "$TOP/profiles" "$opt/"
ln -s "$MIGBENCH" "$opt/migbench"
# The documented lines, with this test's directory, log and a short profile.
line() {
	sed -n "s|^#   $1 *||p" examples/cron-sweep.sh |
		sed "s|/opt/migbench|$opt|; s|/var/log/migbench-cron.log|$tmp/cron.log|; s|profiles/seed-wan.ini|$2|"
}
prof="profiles/smoke.ini --lab.name=$LAB --before=2s --after=2s"
nightly=$(line '30 2 \* \* \*' "$prof")
reboot=$(line '@reboot' "$prof")
[[ $nightly == "cd $opt && examples/cron-sweep.sh "* && $reboot == *"RESUME_ONLY=1 examples/cron-sweep.sh "* ]] &&
	ok "the example documents a nightly and an @reboot line" || { fail "the example documents its crontab lines" "'$nightly' '$reboot'"; finish; }
cronenv=(env -i PATH=/usr/bin:/bin:/usr/sbin:/sbin HOME=/root)
cron() { "${cronenv[@]}" setsid sh -c "$1"; }

planned=$("$MIGBENCH" plan --json profiles/smoke.ini | jq -r '.[].id' | sort)
out=$opt/results/nightly-smoke-$(date +%Y%m%d)
# In the background as its own session, so kill -9 -PID takes all of it.
"${cronenv[@]}" setsid sh -c "$nightly" &
pid=$!
for _ in $(seq 1 1200); do
	[ "$(wc -l 2>/dev/null < "$out/scenarios.jsonl")" = 1 ] && break
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
sleep 2   # into the second scenario
{ kill -9 -- -$pid; wait $pid; } 2>/dev/null
pid=""
cp "$out/scenarios.jsonl" "$tmp/before.jsonl" 2>/dev/null
[ "$(jq -s length "$tmp/before.jsonl" 2>/dev/null)" = 1 ] && ok "the nightly line killed (-9) with 1 of 2 scenarios recorded" ||
	fail "the nightly line killed with 1 of 2 scenarios recorded" "$(tail -n 3 "$tmp/cron.log" | tr '\n' ' ')"

cron "$reboot"; rc=$?
[ $rc -eq 0 ] && ok "the @reboot line continues the day's run (exit 0)" || fail "the @reboot line continues the day's run" "exit $rc: $(tail -n 3 "$tmp/cron.log" | tr '\n' ' ')"
got=$(jq -r .id "$out/scenarios.jsonl" 2>/dev/null | sort)
[ "$got" = "$planned" ] && ok "every scenario recorded exactly once" || fail "every scenario recorded exactly once" "planned: $(tr '\n' ' ' <<<"$planned") got: $(tr '\n' ' ' <<<"$got")"
head -n 1 "$out/scenarios.jsonl" | cmp -s - "$tmp/before.jsonl" && ok "the record from before the kill is unchanged" || fail "the record from before the kill is unchanged"
[ "$(tail -n +2 "$out/summary.csv" 2>/dev/null | cut -d, -f1 | sort)" = "$planned" ] && ok "the report (summary.csv) has both scenarios" ||
	fail "the report has both scenarios" "$(ls "$out")"
validate_run "$out"
# After a reboot on a day with no run: nothing starts.
rm -rf "$opt/results"
r=$(line '@reboot' profiles/smoke.ini)
cron "$r"; rc=$?
[ $rc -eq 0 ] && [ ! -e "$opt/results" ] && grep -q 'no run of today' "$tmp/cron.log" &&
	ok "the @reboot line on a day without a run starts nothing" || fail "the @reboot line on a day without a run starts nothing" "exit $rc: $(tail -n 1 "$tmp/cron.log")"
finish
