#!/bin/bash
# slurm-sweep.sh - run one profile as a Slurm job array, one shard per task,
# then merge the shards into one report.
#
#   sbatch --array=0-7 examples/slurm-sweep.sh profiles/seed-wan.ini
#   # when all tasks are done:
#   migbench report results/slurm-<jobid>/shard-*
#
# Each task runs `migbench run --shard I/N`, where I/N come from
# SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT (migbench reads them itself),
# so the array covers the plan exactly once.  A task that dies (node
# failure, time limit) is re-queued by Slurm (--requeue) and continues its
# own shard with --resume: finished scenarios are not run twice.
#
# Every task drives its own testbed: on one machine per task, the default
# lab; for real hosts, give each task its own [hosts] (one profile per pair
# of hosts) - migbench refuses to drive the same lab or hosts twice at once.
#
#SBATCH --job-name=migbench
#SBATCH --requeue
#SBATCH --time=04:00:00
#SBATCH --output=migbench-%A_%a.log
set -euo pipefail

profile=${1:?usage: sbatch --array=0-N examples/slurm-sweep.sh PROFILE}
: "${SLURM_ARRAY_JOB_ID:?run me with sbatch --array}"
: "${SLURM_ARRAY_TASK_ID:?run me with sbatch --array}"
migbench=${MIGBENCH:-migbench}
out="results/slurm-${SLURM_ARRAY_JOB_ID}/shard-${SLURM_ARRAY_TASK_ID}"

if [ -f "$out/run.json" ]; then
	# A requeued task: continue where it stopped.
	exec "$migbench" run --resume "$out" --no-report
else
	exec "$migbench" run "$profile" --out "$out" --no-report
fi
