#!/bin/sh
# cron-sweep.sh - a nightly sweep from cron, with the report, keeping going
# after a crash or reboot: the run of the day is resumed if it exists.
#
# crontab lines (root; the lab needs namespaces): the nightly start, and
# after a reboot the day's run continued (only if there is one to continue):
#   30 2 * * *  cd /opt/migbench && examples/cron-sweep.sh profiles/seed-wan.ini >> /var/log/migbench-cron.log 2>&1
#   @reboot     cd /opt/migbench && RESUME_ONLY=1 examples/cron-sweep.sh profiles/seed-wan.ini >> /var/log/migbench-cron.log 2>&1
#
# Options after the profile (--KEY=VALUE overrides, e.g. --lab.name=night)
# apply to the first start of the day; a resumed run re-reads them from its
# run.json.  tests/sys/cron.sh runs both lines, with a kill -9 between.
#
# Exit status is migbench's: 0 all ok, 3 a scenario failed, 4 cannot run
# here, 130 interrupted; cron mails the output of a failed night.
set -eu
profile=${1:?usage: cron-sweep.sh PROFILE [--KEY=VALUE...]}
shift
migbench=${MIGBENCH:-./migbench}
name=$(basename "$profile" .ini)
out="results/nightly-$name-$(date +%Y%m%d)"
if [ -f "$out/run.json" ]; then
	exec "$migbench" run --resume "$out"
elif [ -n "${RESUME_ONLY:-}" ]; then
	echo "cron-sweep.sh: no run of today ($out) to resume"
else
	exec "$migbench" run "$profile" "$@" --out "$out"
fi
