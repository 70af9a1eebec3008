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
expect_rc "a shard index out of range is bad input" 2 "$MIGBENCH" plan profiles/seed-wan.ini --shard 5/4
expect_rc "a Slurm task outside its array is bad input" 2 env SLURM_ARRAY_TASK_ID=9 SLURM_ARRAY_TASK_COUNT=4 SLURM_ARRAY_TASK_MIN=0 "$MIGBENCH" plan profiles/seed-wan.ini
out=$("$MIGBENCH" run profiles/seed-wan.ini --dry-run --shard 2/4)
[ "$(grep -c '^ *[0-9]' <<<"$out")" = 2 ] && ok "run --dry-run --shard 2/4 lists 2 of 8 scenarios" || fail "run --dry-run --shard 2/4 lists 2 of 8 scenarios" "$out"
finish
