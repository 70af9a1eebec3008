#!/usr/bin/env bash
# tests/sys/examples.sh - the batch examples parse, and the shard arithmetic
# they rely on covers every plan exactly once (through --shard and through
# the Slurm variables), for several shard counts.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
check "slurm-sweep.sh is valid bash" bash -n examples/slurm-sweep.sh
check "cron-sweep.sh is valid sh" sh -n examples/cron-sweep.sh
grep -q '^#SBATCH --requeue' examples/slurm-sweep.sh && ok "slurm example requeues dead tasks" || fail "slurm example requeues dead tasks"

ids() { "$MIGBENCH" plan --json "$@" | jq -r '.[].id'; }
for prof in profiles/seed-wan.ini profiles/precopy-compare.ini; do
	all=$(ids "$prof" | sort)
	n=$(wc -l <<<"$all")
	for count in 1 2 3 5 8; do
		got=""
		for i in $(seq 1 $count); do got+=$(ids "$prof" --shard "$i/$count")$'\n'; done
		got=$(grep -v '^$' <<<"$got" | sort)
		if [ "$got" = "$all" ]; then ok "$(basename "$prof"): $count shards cover its $n scenarios exactly once"
		else fail "$(basename "$prof"): $count shards cover its $n scenarios exactly once" "$(diff <(echo "$all") <(echo "$got") | head -3 | tr '\n' ' ')"; fi
	done
	# The same through a Slurm array 0-3 (what slurm-sweep.sh runs).
	got=""
	for t in 0 1 2 3; do
		got+=$(SLURM_ARRAY_TASK_ID=$t SLURM_ARRAY_TASK_COUNT=4 SLURM_ARRAY_TASK_MIN=0 ids "$prof")$'\n'
	done
	got=$(grep -v '^$' <<<"$got" | sort)
	[ "$got" = "$all" ] && ok "$(basename "$prof"): a Slurm array 0-3 covers it exactly once" || fail "$(basename "$prof"): a Slurm array 0-3 covers it exactly once"
done
# slurm-sweep.sh itself, with SLURM_ARRAY_* set by hand and a stub for
# migbench that logs its arguments (tests/sys/slurm.sh runs it under a real
# slurmctld): each task gets a lab name migbench accepts, distinct from its
# neighbours' and from another array's, the same one again when requeued
# (the resume branch), and that lab is taken down when the task ends.
stub=$(mktemp -d /tmp/mbtest-examples-XXXXXX)
trap 'rm -rf "$stub"' EXIT
printf '#!/bin/sh\necho "$*" >> "$STUB_LOG"\n' > "$stub/migbench"
chmod +x "$stub/migbench"
sweep() { (cd "$stub" && STUB_LOG=$stub/log MIGBENCH=$stub/migbench SLURM_ARRAY_JOB_ID=$1 SLURM_ARRAY_TASK_ID=$2 bash "$TOP/examples/slurm-sweep.sh" "$TOP/profiles/smoke.ini" --repeat=2); }
lab_of() { : > "$stub/log"; sweep "$@" >/dev/null || return; sed -n 's/^lab down --lab.name=//p' "$stub/log"; }
labs=""
for jt in "1 0" "1 1" "1 2" "2 0" "46655 1295" "46656 0" "987654321 999"; do
	set -- $jt
	l=$(lab_of "$1" "$2")
	if grep -qx "run $TOP/profiles/smoke.ini --lab.name=$l --repeat=2 --out results/slurm-$1/shard-$2 --no-report" "$stub/log" &&
		"$MIGBENCH" plan profiles/smoke.ini --lab.name="$l" >/dev/null 2>&1; then
		ok "slurm-sweep.sh: task $2 of job $1 runs its shard on lab '$l' and takes it down"
	else fail "slurm-sweep.sh: task $2 of job $1 runs its shard on its own lab" "lab '$l', log: $(tr '\n' ';' < "$stub/log")"; fi
	labs+="$l"$'\n'
done
[ "$(grep -c . <<<"$labs")" = 7 ] && [ "$(sort -u <<<"$labs" | grep -c .)" = 7 ] && ok "slurm-sweep.sh: 7 tasks of 5 arrays, 7 distinct labs" ||
	fail "slurm-sweep.sh: 7 tasks of 5 arrays, 7 distinct labs" "$(tr '\n' ' ' <<<"$labs")"
fresh=$(lab_of 7 1)
mkdir -p "$stub/results/slurm-7/shard-1" && echo '{}' > "$stub/results/slurm-7/shard-1/run.json"
again=$(lab_of 7 1)
grep -qx "run --resume results/slurm-7/shard-1 --no-report" "$stub/log" && [ "$fresh" = "$again" ] &&
	ok "slurm-sweep.sh: a requeued task resumes its shard and downs the same lab ('$again')" ||
	fail "slurm-sweep.sh: a requeued task resumes its shard on the same lab" "$(tr '\n' ';' < "$stub/log")"
: > "$stub/log"
expect_rc "slurm-sweep.sh: a task id with no lab name (1296) is refused" 2 sweep 1 1296
grep -q . "$stub/log" && fail "slurm-sweep.sh: nothing runs for task 1296" "$(cat "$stub/log")" || ok "slurm-sweep.sh: nothing runs for task 1296"

expect_rc "a shard index out of range is bad input" 2 "$MIGBENCH" plan profiles/seed-wan.ini --shard 5/4
expect_rc "a Slurm task outside its array is bad input" 2 env SLURM_ARRAY_TASK_ID=9 SLURM_ARRAY_TASK_COUNT=4 SLURM_ARRAY_TASK_MIN=0 "$MIGBENCH" plan profiles/seed-wan.ini
out=$("$MIGBENCH" run profiles/seed-wan.ini --dry-run --shard 2/4)
[ "$(grep -c '^ *[0-9]' <<<"$out")" = 2 ] && ok "run --dry-run --shard 2/4 lists 2 of 8 scenarios" || fail "run --dry-run --shard 2/4 lists 2 of 8 scenarios" "$out"
finish
