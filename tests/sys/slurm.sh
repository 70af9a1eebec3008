#!/usr/bin/env bash
# tests/sys/slurm.sh - examples/slurm-sweep.sh on a real Slurm: a single-node
# cluster on this machine (slurmctld, slurmd and munged with their config,
# key, state and logs in a temporary directory), the smoke profile twice over
# (4 scenarios) as a job array of 2 tasks running at the same time on their
# own labs, one task requeued after its first scenario, and the two shards
# merged by `migbench report` into one report with every scenario once.
# The daemons are stopped and the labs taken down at the end.
#
# The node has CPUs=2 and every task asks for one, so both tasks run at
# once: that is what shows their labs do not collide (one TCG guest per
# core; the numbers measured are not the point here).
. "$(dirname "$0")/../lib.sh"
require_root || exit 0
require_cmd slurmctld slurmd sbatch scontrol squeue sinfo scancel munged mungekey munge unmunge || exit 0
require_cmd libvirtd tgtd qemu-system-x86_64 jq || exit 0
require_guest || exit 0
cd "$TOP"
start=$(date +%s)
tmp=$(mktemp -d /tmp/mbtest-slurm-XXXXXX)
chmod 755 "$tmp"         # munged wants every directory above its socket searchable
conf=$tmp/slurm.conf
sock=$tmp/munge/sock
work=$tmp/work           # the job's working directory: results/ and logs
export SLURM_CONF=$conf
P=("$TOP/profiles/smoke.ini" --repeat=2 --before=2s --after=2s)
jobid=""

# Every process started for this cluster carries SLURM_CONF=$conf in its
# environment (the daemons, slurmstepd, the job scripts, migbench): that is
# how strays are found, never by a process name.
ours() {
	local e
	for e in /proc/[0-9]*/environ; do
		tr '\0' '\n' 2>/dev/null < "$e" | grep -qxF "SLURM_CONF=$conf" && { e=${e#/proc/}; echo "${e%/environ}"; }
	done
}
labs() { sed -n 's/^slurm-sweep.sh: task .* on lab \([a-z0-9]*\),.*/\1/p' "$work"/migbench-*.log 2>/dev/null | sort -u; }
# The pid in pid file $1 if that process runs (a zombie waiting for PID 1 to
# reap it does not count).
pid_of() {
	local p
	p=$(cat "$1" 2>/dev/null) && [ -n "$p" ] && [ -e "/proc/$p" ] || return 1
	[ "$(sed 's/.*) //; s/ .*//' "/proc/$p/stat" 2>/dev/null)" != Z ] && echo "$p"
}
stop_all() {
	local p l i
	if [ -n "$jobid" ] && pid_of "$tmp/slurmctld.pid" >/dev/null; then
		scancel "$jobid" 2>/dev/null
		for i in $(seq 1 90); do [ -z "$(squeue -h -j "$jobid" 2>/dev/null)" ] && break; sleep 0.5; done
	fi
	pid_of "$tmp/slurmctld.pid" >/dev/null && scontrol shutdown >/dev/null 2>&1
	for i in $(seq 1 40); do pid_of "$tmp/slurmctld.pid" >/dev/null || pid_of "$tmp/slurmd.pid" >/dev/null || break; sleep 0.25; done
	for p in $(ours); do kill -9 "$p" 2>/dev/null; done
	p=$(pid_of "$tmp/munge/munged.pid") && { munged -s -S "$sock" >/dev/null 2>&1 || kill "$p"; }
	for i in $(seq 1 20); do pid_of "$tmp/munge/munged.pid" >/dev/null || break; sleep 0.25; done
	for l in $(labs); do "$MIGBENCH" lab down --lab.name="$l" >/dev/null 2>&1; done
}
# On a failure, the tasks' logs say what happened.
show_logs() { [ "$FAILED" = 0 ] || tail -n 20 "$work"/migbench-*.log 2>/dev/null | sed 's/^/  | /'; }
trap 'show_logs; stop_all; rm -rf "$tmp"' EXIT

# munged with its own key, socket, pid and log files.
mkdir -p "$tmp/munge/key" "$tmp/state" "$tmp/spool" "$work"
chmod 700 "$tmp/munge/key"
mungekey --create --keyfile="$tmp/munge/key/munge.key" 2>"$tmp/mungekey.err" || { skip "mungekey failed: $(cat "$tmp/mungekey.err")"; exit 0; }
if ! munged --socket="$sock" --key-file="$tmp/munge/key/munge.key" --pid-file="$tmp/munge/munged.pid" \
	--log-file="$tmp/munge/munged.log" --seed-file="$tmp/munge/seed" 2>"$tmp/munged.err" ||
	! munge -n -S "$sock" | unmunge -S "$sock" >/dev/null 2>&1; then
	skip "munged does not start here: $(tail -n 1 "$tmp/munged.err")"; exit 0
fi

# Two free TCP ports for slurmctld and slurmd (the default 6817/6818 may
# belong to a real cluster on this machine).
ports=()
for p in $(seq 16817 16899); do
	ss -Htln "sport = :$p" | grep -q . || ports+=("$p")
	[ ${#ports[@]} -eq 2 ] && break
done
host=$(hostname -s)
cat > "$conf" <<EOF
# A single-node cluster for tests/sys/slurm.sh: no systemd, no cgroups, no accounting.
ClusterName=mbtest
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
SlurmctldPort=${ports[0]}
SlurmdPort=${ports[1]}
# cred_expire is also how long a requeued job waits before it may start again (default 120 s).
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock,cred_expire=10
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
PlugStackConfig=$tmp/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
NodeName=$host CPUs=2 RealMemory=2000 State=UNKNOWN
PartitionName=mbtest Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
: > "$tmp/plugstack.conf"
slurmctld -i 2>"$tmp/slurmctld.err" && slurmd 2>"$tmp/slurmd.err"
for _ in $(seq 1 60); do [ "$(sinfo -h -n "$host" -o %t 2>/dev/null)" = idle ] && break; sleep 0.5; done
if [ "$(sinfo -h -n "$host" -o %t 2>/dev/null)" != idle ]; then
	why=$(cat "$tmp"/slurm*.err; grep -h -i 'error\|fatal' "$tmp"/slurm*.log 2>/dev/null | grep -v pmix | tail -n 2)
	skip "Slurm does not come up here: $(printf '%s' "$why" | tail -n 2 | tr '\n' ' ')"; exit 0
fi
ok "a single-node cluster is up: node $host idle (slurmctld :${ports[0]}, slurmd :${ports[1]}, own munged) after $(( $(date +%s) - start )) s"

planned=$("$MIGBENCH" plan --json "${P[@]}" | jq -r '.[].id' | sort)
shard2=$("$MIGBENCH" plan --json "${P[@]}" --shard 2/2 | jq -r '.[].id')
# The heavy part (two labs, two guests at a time); the lock is the caller's:
# flock /tmp/migbench-heavy.lock bash tests/sys/slurm.sh
jobid=$(cd "$work" && sbatch --parsable --array=0-1 --cpus-per-task=1 "$TOP/examples/slurm-sweep.sh" "${P[@]}" 2>&1)
[[ $jobid =~ ^[0-9]+$ ]] && ok "sbatch --array=0-1 submitted job $jobid" || { fail "sbatch --array=0-1" "$jobid"; jobid=""; finish; }

# Requeue task 1 as soon as its shard has a first scenario recorded.
s1=$work/results/slurm-$jobid/shard-1
both=0 requeued=0
for _ in $(seq 1 600); do
	st=$(squeue -h -j "$jobid" -o '%i=%T' 2>/dev/null | sort | tr '\n' ' ')
	[[ $st == *"${jobid}_0=RUNNING"* && $st == *"${jobid}_1=RUNNING"* ]] && both=1
	if [ -s "$s1/scenarios.jsonl" ] && [[ $st == *"${jobid}_1=RUNNING"* ]]; then
		head -n 1 "$s1/scenarios.jsonl" > "$tmp/first.jsonl"
		out=$(scontrol requeue "${jobid}_1" 2>&1) && requeued=1
		break
	fi
	[ -z "$st" ] && break
	sleep 0.5
done
[ $both = 1 ] && ok "both tasks ran at the same time" || fail "both tasks ran at the same time" "last squeue: $st"
[ $requeued = 1 ] && ok "scontrol requeue ${jobid}_1 after its first scenario ($(jq -r .id "$tmp/first.jsonl"))" ||
	fail "scontrol requeue ${jobid}_1 after its first scenario" "squeue: $st; ${out:-}"

# Wait for the array to end (the requeued task waits ~cred_expire first).
for _ in $(seq 1 480); do [ -z "$(squeue -h -j "$jobid" 2>/dev/null)" ] && break; sleep 0.5; done
for t in 0 1; do
	info=$(scontrol -o show job "${jobid}_$t" 2>&1)
	state=$(grep -o 'JobState=[A-Z_]*' <<<"$info") rc=$(grep -o ' ExitCode=[0-9:]*' <<<"$info") restarts=$(grep -o 'Restarts=[0-9]*' <<<"$info")
	[ "$state" = JobState=COMPLETED ] && [ "$rc" = " ExitCode=0:0" ] && ok "task $t completed, exit 0 ($restarts)" ||
		fail "task $t completed, exit 0" "$state$rc $restarts; log: $(tail -n 3 "$work/migbench-${jobid}_$t.log" | tr '\n' ' ')"
done
[ "$(scontrol -o show job "${jobid}_1" | grep -o 'Restarts=[0-9]*')" = Restarts=1 ] &&
	[ "$(grep -c '^slurm-sweep.sh: task 1 ' "$work/migbench-${jobid}_1.log")" = 2 ] &&
	ok "task 1 ran twice (Restarts=1, two starts in its log)" || fail "task 1 ran twice" "$(grep '^slurm-sweep.sh' "$work/migbench-${jobid}_1.log" | tr '\n' ' ')"
log1=$work/migbench-${jobid}_1.log
lab1=$(sed -n 's/^slurm-sweep.sh: task 1 on lab \([a-z0-9]*\),.*/\1/p' "$log1" | head -n 1)
grep -q 'interrupted by signal 15' "$log1" && [ "$(grep -c "^lab '$lab1' is down" "$log1")" = 2 ] &&
	ok "the requeue stopped task 1 with SIGTERM and its trap took its lab down" ||
	fail "the requeue stopped task 1 with SIGTERM and its trap took its lab down" "$(grep -i 'interrupt\|is down' "$log1" | tr '\n' ' ')"
# Its second start runs only what its first left: one scenario, not the first one.
again=$(sed -n '/^slurm-sweep.sh: task 1 .*(start 2)$/,$p' "$log1" | grep '^\[[0-9]*/[0-9]*\] ')
first=$(jq -r .id "$tmp/first.jsonl")
[ "$(grep -c . <<<"$again")" = 1 ] && [[ $again == "[1/1] "* && $again != *"$first"* ]] &&
	ok "the requeued task resumed its shard: its second start ran only $(awk '{print $2}' <<<"$again")" ||
	fail "the requeued task resumed its shard, running only what was left" "$(tr '\n' ';' <<<"$again") / $(tail -n 5 "$log1" | tr '\n' ' ')"

# Shard 1: each of its scenarios once, the first line unchanged.
got=$(jq -r .id "$s1/scenarios.jsonl" 2>/dev/null)
[ "$(sort <<<"$got")" = "$(sort <<<"$shard2")" ] && ok "shard 1 holds its $(wc -l <<<"$shard2") scenarios, each once: $(tr '\n' ' ' <<<"$got")" ||
	fail "shard 1 holds each of its scenarios once" "planned: $(tr '\n' ' ' <<<"$shard2") got: $(tr '\n' ' ' <<<"$got")"
head -n 1 "$s1/scenarios.jsonl" | cmp -s - "$tmp/first.jsonl" && ok "its first record is byte-identical after the requeue" ||
	fail "its first record is byte-identical after the requeue"

# Each task on its own lab, recorded in its run.json and named in its log.
l0=$(jq -r '.overrides[] | select(.[0]=="lab.name") | .[1]' "$work/results/slurm-$jobid/shard-0/run.json" 2>/dev/null)
l1=$(jq -r '.overrides[] | select(.[0]=="lab.name") | .[1]' "$s1/run.json" 2>/dev/null)
[ -n "$l0" ] && [ -n "$l1" ] && [ "$l0" != "$l1" ] && [ "$(labs | tr '\n' ' ')" = "$(printf '%s\n' "$l0" "$l1" | sort | tr '\n' ' ')" ] &&
	ok "the tasks ran on labs $l0 and $l1" || fail "the tasks ran on labs of their own" "run.json: '$l0' '$l1', logs: $(labs | tr '\n' ' ')"

# The merged report: every planned scenario exactly once.
rep=$tmp/report
out=$("$MIGBENCH" report "$work/results/slurm-$jobid"/shard-* --out "$rep" 2>&1); rc=$?
[ $rc -eq 0 ] && ok "migbench report merges the 2 shards (exit 0)" || fail "migbench report merges the 2 shards" "exit $rc: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
merged=$(tail -n +2 "$rep/summary.csv" 2>/dev/null | cut -d, -f1 | sort)
[ "$merged" = "$planned" ] && ok "summary.csv has each of the $(wc -l <<<"$planned") planned scenarios once" ||
	fail "summary.csv has each planned scenario once" "planned: $(tr '\n' ' ' <<<"$planned") summary: $(tr '\n' ' ' <<<"$merged")"
[[ $out != *"recorded in both"* ]] && ok "no scenario id found twice" || fail "no scenario id found twice" "$out"
validate_run "$work/results/slurm-$jobid"/shard-*

# Nothing left behind.
stop_all
left=$(ours; pid_of "$tmp/munge/munged.pid")
[ -z "$left" ] && ok "slurmctld, slurmd, slurmstepd and munged are stopped" || fail "every daemon is stopped" "left: $(ps -o pid,args -p "$(echo $left | tr ' ' ,)" | tail -n +2 | tr '\n' ';')"
for l in $l0 $l1; do
	ns=$(ip netns list | grep "^migbench-$l-")
	[ -z "$ns" ] && [ ! -e "/var/lib/migbench/$l" ] && ok "lab $l is down" || fail "lab $l is down" "$(tr '\n' ' ' <<<"$ns") $(ls -d "/var/lib/migbench/$l" 2>/dev/null)"
done
ok "took $(( $(date +%s) - start )) s"
finish
