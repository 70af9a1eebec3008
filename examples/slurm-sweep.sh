#!/bin/bash
# slurm-sweep.sh - run one profile as a Slurm job array, one shard per task,
# then merge the shards into one report.
#
#   sbatch --array=0-7 examples/slurm-sweep.sh profiles/seed-wan.ini [--KEY=VALUE...]
#   scontrol requeue JOBID_TASK      # if you must: the task resumes its shard
#   # when all tasks are done:
#   migbench report results/slurm-<jobid>/shard-*
#
# Each task runs `migbench run --shard I/N`, where I/N come from
# SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT (migbench reads them itself),
# so the array covers the plan exactly once.  A task that dies (node
# failure, time limit, scontrol requeue) is re-queued by Slurm (--requeue)
# and continues its own shard with --resume: finished scenarios are not run
# twice.  Options after the profile (--KEY=VALUE overrides) apply to the
# first start; a resumed task re-reads them from its run.json.
#
# Every task drives its own testbed.  On one machine, that is a lab named
# after the task (lab_name below: unique within an array, stable across a
# requeue) and taken down when the task ends, so several tasks can share a
# node (give each --cpus-per-task; two TCG guests per 2 cores is the most
# that makes sense).  For real hosts, give each task its own [hosts] (one
# profile per pair of hosts): the lab is then not used, and migbench refuses
# to drive the same lab or hosts twice at once.
#
#SBATCH --job-name=migbench
#SBATCH --requeue
#SBATCH --open-mode=append
#SBATCH --time=04:00:00
#SBATCH --output=migbench-%A_%a.log
set -euo pipefail

# The lab of array task $2 of job $1: "s", the job id modulo 36^3 in 3
# base-36 digits, the task id in 2 (lab names are 1-6 letters or digits).
# Distinct for every task of an array (Slurm's default MaxArraySize keeps
# task ids below 36^2 = 1296) and for arrays whose job ids differ by less
# than 46656; should two ever meet, the lab lock refuses the second (exit 4).
lab_name() {
	local job=$1 task=$2 digits=0123456789abcdefghijklmnopqrstuvwxyz name="" n k
	if [ "$task" -ge 1296 ]; then
		echo "slurm-sweep.sh: array task id $task is above 1295: no lab name for it" >&2
		return 2
	fi
	n=$((job % 46656))
	for k in 1 2 3; do name=${digits:n%36:1}$name; n=$((n / 36)); done
	echo "s$name${digits:task/36:1}${digits:task%36:1}"
}

profile=${1:?usage: sbatch --array=0-N examples/slurm-sweep.sh PROFILE [--KEY=VALUE...]}
shift
: "${SLURM_ARRAY_JOB_ID:?run me with sbatch --array}"
: "${SLURM_ARRAY_TASK_ID:?run me with sbatch --array}"
migbench=${MIGBENCH:-migbench}
out="results/slurm-${SLURM_ARRAY_JOB_ID}/shard-${SLURM_ARRAY_TASK_ID}"
lab=$(lab_name "$SLURM_ARRAY_JOB_ID" "$SLURM_ARRAY_TASK_ID")

# Take the lab down however the task ends.  Slurm signals a cancelled or
# requeued task with SIGTERM (SIGKILL KillWait seconds later): the trap lets
# migbench stop (it keeps what it finished) before the lab goes down.
echo "slurm-sweep.sh: task $SLURM_ARRAY_TASK_ID on lab $lab, shard $out (start $((${SLURM_RESTART_COUNT:-0} + 1)))"
trap 'exit 143' TERM INT
trap '"$migbench" lab down --lab.name="$lab" || true' EXIT
if [ -f "$out/run.json" ]; then
	# A requeued task: continue where it stopped (same shard, same lab).
	"$migbench" run --resume "$out" --no-report
else
	"$migbench" run "$profile" --lab.name="$lab" "$@" --out "$out" --no-report
fi
