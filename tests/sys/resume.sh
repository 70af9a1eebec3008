#!/usr/bin/env bash
# tests/sys/resume.sh - kill -9 the smoke sweep in the middle, then --resume it:
# every scenario ends up recorded exactly once, nothing already written is
# lost, and the lab lock and the half-run guest do not get in the way.
. "$(dirname "$0")/../lib.sh"
require_root || exit 0
require_cmd libvirtd tgtd qemu-system-x86_64 jq || exit 0
require_guest || exit 0

LAB=mbtres
cd "$TOP"
tmp=$(mktemp -d /tmp/mbtest-resume-XXXXXX)
trap '"$MIGBENCH" lab down --lab.name=$LAB >/dev/null 2>&1; rm -rf "$tmp"' EXIT
# The smoke profile (cpuadd and seqread over 4 ms), shorter windows.
P=(profiles/smoke.ini --before=2s --after=2s)
planned=$("$MIGBENCH" plan --json "${P[@]}" | jq -r '.[].id' | sort | tr '\n' ' ')

"$MIGBENCH" run "${P[@]}" --lab.name=$LAB --out "$tmp/run" --json --no-report > "$tmp/events" 2> "$tmp/log" &
pid=$!
# Kill it while the second scenario is migrating.
for _ in $(seq 1 600); do
	if [ "$(jq -s '[.[] | select(.event=="phase" and .phase=="migrate")] | length' "$tmp/events" 2>/dev/null)" -ge 2 ]; then break; fi
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
# While it runs, a second run on the same lab is refused, naming the holder.
out=$("$MIGBENCH" run "${P[@]}" --lab.name=$LAB --out "$tmp/second" 2>&1); rc=$?
[ $rc -eq 4 ] && [[ $out == *"held by pid $pid: migbench run"* ]] && ok "a second run on the same lab is refused, naming the holder" ||
	fail "a second run on the same lab is refused, naming the holder" "exit $rc: $out"
{ kill -9 $pid; wait $pid; } 2>/dev/null
before=$(jq -s length "$tmp/run/scenarios.jsonl")
[ "$before" -eq 1 ] && ok "killed mid-sweep with 1 of 2 scenarios recorded" || fail "killed mid-sweep" "$before recorded"
cp "$tmp/run/scenarios.jsonl" "$tmp/before.jsonl"
dry=$("$MIGBENCH" run --resume "$tmp/run" --dry-run)
[[ $dry == *"1 scenario"* ]] && ok "resume --dry-run lists the 1 left" || fail "resume --dry-run lists the scenario left" "$dry"
"$MIGBENCH" run --resume "$tmp/run" --no-report > "$tmp/log2" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "run --resume completes (exit 0)" || fail "run --resume completes" "exit $rc: $(tail -3 "$tmp/log2" | tr '\n' ' ')"
got=$(jq -r .id "$tmp/run/scenarios.jsonl" | sort | tr '\n' ' ')
[ "$got" = "$planned" ] && ok "every scenario recorded exactly once" || fail "every scenario recorded exactly once" "planned: $planned got: $got"
head -c "$(stat -c %s "$tmp/before.jsonl")" "$tmp/run/scenarios.jsonl" | cmp -s - "$tmp/before.jsonl" && ok "what was recorded before the kill is unchanged" || fail "what was recorded before the kill is unchanged"
check "all ok" test "$(jq -s 'map(select(.status=="ok")) | length' "$tmp/run/scenarios.jsonl")" = 2
check "run.json says ok" test "$(jq -r .status "$tmp/run/run.json")" = ok
"$MIGBENCH" run --resume "$tmp/run" --no-report > "$tmp/log3" 2>&1
validate_run "$tmp/run"
grep -q 'nothing to run' "$tmp/log3" && ok "a second resume has nothing to run" || fail "a second resume has nothing to run" "$(cat "$tmp/log3")"
finish
