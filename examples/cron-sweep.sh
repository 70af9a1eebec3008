#!/bin/sh
# cron-sweep.sh - a nightly sweep from cron, with the report, keeping going
# after a crash or reboot: the run of the day is resumed if it exists.
#
# crontab line (root; the lab needs namespaces):
#   30 2 * * *  cd /opt/migbench && examples/cron-sweep.sh profiles/seed-wan.ini >> /var/log/migbench-cron.log 2>&1
#
# Exit status is migbench's: 0 all ok, 3 a scenario failed, 4 cannot run
# here, 130 interrupted; cron mails the output of a failed night.
set -eu
profile=${1:?usage: cron-sweep.sh PROFILE}
migbench=${MIGBENCH:-./migbench}
name=$(basename "$profile" .ini)
out="results/nightly-$name-$(date +%Y%m%d)"
if [ -f "$out/run.json" ]; then
	exec "$migbench" run --resume "$out"
else
	exec "$migbench" run "$profile" --out "$out"
fi
