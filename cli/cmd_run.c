/* cmd_run.c - `migbench run`: plan, resume, shard, lock the testbed, run
 * every scenario, record each as it ends, report at the end. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "core/log.h"
#include "core/str.h"
#include "core/util.h"
#include "hostmon/ksm.h"
#include "plan/plan.h"
#include "profile/options_json.h"
#include "record/record.h"
#include "report/report.h"
#include "run/labpin.h"
#include "run/scenario.h"
#include "run/testbed.h"

static volatile int stop_flag;

static void on_signal(int sig)
{
	if (stop_flag) {
		/* A second ^C: the user means it; leave the cleanup to lab down,
		 * but the host's KSM settings are no lab's: put them back. */
		static const char msg[] = "\nmigbench: interrupted again, exiting now\n";
		hm_ksm_restore_on_signal();
		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
			_exit(130);
		_exit(130);
	}
	stop_flag = sig;
}

static const struct cli_flag flags[] = {
	{ "out", "DIR", "write results to DIR (default results/<profile>-<time>)", false },
	{ "resume", "DIR", "continue the run in DIR: skip scenarios already recorded", false },
	{ "retry-failed", NULL, "with --resume: run failed scenarios again", false },
	{ "shard", "I/N", "run shard I of N (SLURM_ARRAY_* are read when absent)", false },
	{ "only", "ID", "run only this scenario (repeatable)", true },
	{ "dry-run", NULL, "print what would run, touch nothing", false },
	{ "json", NULL, "stream events as JSON lines on stdout", false },
	{ "no-report", NULL, "do not write summary.csv and plots at the end", false },
	{ NULL, NULL, NULL, false },
};

/* Overrides as [[key, value], ...] for run.json (resume re-applies them). */
static json_object *overrides_json(const struct cli_args *a)
{
	json_object *arr = json_object_new_array();
	for (int i = 0; i < a->nv; i++) {
		json_object *kv;
		if (a->v[i].flag)
			continue;
		kv = json_object_new_array();
		json_object_array_add(kv, json_object_new_string(a->v[i].key));
		json_object_array_add(kv, json_object_new_string(a->v[i].val));
		json_object_array_add(arr, kv);
	}
	return arr;
}

/* Rebuild the profile of an earlier run from what run.json recorded. */
static int profile_from_run(const struct res_run *rr, struct profile **out)
{
	struct res_resume ri;
	struct profile *p = NULL;
	int rc = res_resume_info(rr, &ri);
	*out = NULL;
	if (rc)
		return rc;
	if (!ri.profile_text || !ri.profile_path) {
		res_resume_free(&ri);
		return mb_err(MB_EINPUT, "%s/run.json does not hold the profile text; give the profile "
					 "file too", rr->dir);
	}
	rc = profile_load_string(ri.profile_path, ri.profile_text, &p);
	for (int i = 0; !rc && i < ri.noverrides; i++)
		rc = profile_override(p, ri.override_keys[i], ri.override_values[i]);
	if (rc && p && p->nerrors)
		profile_print_errors(p, stderr);
	res_resume_free(&ri);
	*out = p;
	return rc;
}

/* Drop from the plan what the run directory already has a final record of. */
static int skip_finished(struct plan *pl, const char *dir, bool retry_failed, int *skipped)
{
	struct res_scenario *recs;
	int n, bad, k = 0, rc = res_read_results(dir, &recs, &n, &bad);
	if (rc)
		return rc;
	*skipped = 0;
	for (int i = 0; i < pl->n; i++) {
		bool done = false;
		for (int j = 0; j < n && !done; j++)
			done = !strcmp(recs[j].id, pl->sc[i].id) &&
			       (recs[j].status != RES_FAILED || !retry_failed);
		if (done)
			(*skipped)++;
		else
			pl->sc[k++] = pl->sc[i];
	}
	pl->n = k;
	res_free_results(recs, n);
	return MB_OK;
}

static void end_line(struct runner *r, const struct res_scenario *rec, int idx)
{
	const struct res_migration *m = &rec->migration;
	if (r->json_events)
		return;
	if (r->tty)
		printf("\r\033[K");
	printf("[%d/%d] %-34s %s", idx, r->total, rec->id, res_status_names[rec->status]);
	if (rec->status == RES_OK && rec->has_outcome && rec->outcome != RES_CONVERGED)
		printf(", %s: %s; during %.2fx", res_outcome_names[rec->outcome],
		       rec->outcome_why ? rec->outcome_why : "(no reason recorded)", rec->ratio.during);
	else if (rec->status == RES_OK && !rec->migration_tried && rec->has_phases)
		printf("  no migration (migrate = no); during %.2fx, after %.2fx", rec->ratio.during,
		       rec->ratio.after);
	else if (rec->status == RES_OK && rec->has_migration && rec->has_phases)
		printf("  migration %.2f s, downtime %.0f ms, %.0f MiB, %.0f iter; during %.2fx, after %.2fx",
		       m->total_s, m->downtime_s * 1e3, m->bytes / 1048576.0, m->iterations,
		       rec->ratio.during, rec->ratio.after);
	else
		printf(": %s", rec->error ? rec->error : "(no error recorded)");
	printf("\n");
	fflush(stdout);
}

/* Everything one `migbench run` holds. */
struct run {
	struct cli_args a;
	struct profile *p;
	struct plan pl;
	struct res_run rr;
	struct testbed tb;
	struct runner r;
	const char *resume;      /* --resume DIR */
	char **only, *cmdline;
	int nonly, sidx, scount;
	int done_before;         /* scenarios the resumed run had already recorded */
	int ok, failed, skipped;
	int outcomes[RES_OUTCOME_LAST]; /* of the ok scenarios */
	double t0;
};

/* The plan: the profile (or the resumed run's), shard, --only, and on
 * resume what is left to do. */
static int load_plan(struct run *x)
{
	const char *profile_path = x->a.npos ? x->a.pos[0] : NULL;
	int rc;

	rc = plan_check_out_dir(cli_get(&x->a, "out"), x->resume);
	if (rc)
		return rc;
	if (x->resume) {
		rc = res_run_open(&x->rr, x->resume);
		if (!rc && !profile_path)
			rc = profile_from_run(&x->rr, &x->p);
		if (rc)
			return rc;
	}
	if (profile_path) {
		rc = cmd_load_profile(profile_path, &x->a, &x->p);
		if (rc)
			return rc;
	}
	rc = plan_build(x->p, &x->pl);
	if (rc) {
		profile_print_errors(x->p, stderr);
		return rc;
	}
	if (x->resume && !cli_get(&x->a, "shard")) {
		struct res_resume ri;
		rc = res_resume_info(&x->rr, &ri);
		if (!rc && ri.shard)
			rc = plan_parse_shard(ri.shard, &x->sidx, &x->scount);
		res_resume_free(&ri);
	} else {
		rc = plan_parse_shard(cli_get(&x->a, "shard"), &x->sidx, &x->scount);
	}
	if (!rc)
		rc = plan_shard(&x->pl, x->sidx, x->scount);
	x->nonly = cli_get_all(&x->a, "only", &x->only);
	if (!rc)
		rc = plan_only(&x->pl, x->only, x->nonly);
	if (!rc && x->resume)
		rc = skip_finished(&x->pl, x->resume, cli_has(&x->a, "retry-failed"), &x->done_before);
	return rc;
}

static void dry_run(const struct run *x)
{
	printf("# would run %d scenario%s", x->pl.n, x->pl.n == 1 ? "" : "s");
	if (x->resume)
		printf(" (%d already recorded in %s)", x->done_before, x->resume);
	if (x->scount)
		printf(", shard %d/%d", x->sidx, x->scount);
	printf("\n");
	for (int i = 0; i < x->pl.n; i++)
		printf("%3d  %s\n", x->pl.sc[i].index + 1, x->pl.sc[i].id);
}

/* "migbench run ..." for the record and the lock's holder. */
static char *command_line(int argc, char **argv)
{
	struct mb_str s = MB_STR_INIT;
	mb_str_puts(&s, "migbench");
	for (int i = 0; i < argc; i++)
		mb_str_printf(&s, " %s", argv[i]);
	return mb_str_detach(&s);
}

static struct res_run_info run_info(const struct plan *pl)
{
	struct res_run_info info = { .profile_path = pl->prof->path,
				     .profile = opt_profile_json(pl->prof, &pl->run),
				     .planned = json_object_new_array(),
				     .planned_total = pl->ntotal,
				     .seed = pl->seed };
	for (int i = 0; i < pl->n; i++)
		json_object_array_add(info.planned, json_object_new_string(pl->sc[i].id));
	return info;
}

/* Lock the testbed, then create (or reopen) the run directory. */
static int open_run(struct run *x)
{
	int rc = tb_open(&x->tb, &x->pl, x->cmdline);
	if (rc)
		return rc;
	if (!x->resume) {
		struct res_run_info info = run_info(&x->pl);
		rc = res_run_create(&x->rr, cli_get(&x->a, "out"), &info, x->cmdline);
		if (!rc)
			rc = res_run_set(&x->rr, "overrides", overrides_json(&x->a));
		if (!rc && x->scount) {
			char sh[32];
			snprintf(sh, sizeof(sh), "%d/%d", x->sidx, x->scount);
			rc = res_run_set(&x->rr, "shard", json_object_new_string(sh));
		}
	} else {
		rc = res_run_set(&x->rr, "status", json_object_new_string("running"));
	}
	if (!rc)
		rc = res_run_set(&x->rr, "testbed", tb_json(&x->tb));
	if (!rc)
		mb_info("results: %s", x->rr.dir);
	return rc;
}

static void run_event(struct runner *r, const char *type, const char *key, json_object *val)
{
	json_object *e = json_object_new_object();
	json_object_object_add(e, "event", json_object_new_string(type));
	json_object_object_add(e, key, val);
	runner_event(r, e);
}

/* Every scenario of the plan, each recorded as it ends. */
static int run_all(struct run *x)
{
	struct runner *r = &x->r;
	int rc = MB_OK;
	r->tb = &x->tb;
	r->res = &x->rr;
	r->pl = &x->pl;
	r->stop = &stop_flag;
	r->json_events = cli_has(&x->a, "json");
	r->tty = isatty(STDOUT_FILENO);
	r->total = x->pl.n;
	{
		/* A run killed while lab_pin held the lab's processes left them
		 * there: put them back before anything is measured. */
		char cpus[256];
		int tasks, k = labpin_recover(&x->tb, &tasks, cpus, sizeof(cpus));
		if (k > 0)
			mb_info("lab_pin: an earlier run ended without undoing its pinning (killed?): %d threads of "
				"the lab's processes are back on CPUs %s",
				tasks, cpus);
		else if (k < 0)
			mb_warn("%s", mb_errmsg());
	}
	if (r->json_events) {
		json_object *e = json_object_new_object();
		json_object_object_add(e, "event", json_object_new_string("run_start"));
		json_object_object_add(e, "dir", json_object_new_string(x->rr.dir));
		json_object_object_add(e, "scenarios", json_object_new_int(x->pl.n));
		runner_event(r, e);
	}
	for (int i = 0; i < x->pl.n && !stop_flag; i++) {
		struct res_scenario rec;
		if (scenario_run(r, &x->pl.sc[i], i + 1, &rec) == MB_EINTR)
			break;
		if (res_append_result(&x->rr, &rec) != MB_OK) {
			rc = MB_EINTERNAL;
			res_scenario_free(&rec);
			break;
		}
		end_line(r, &rec, i + 1);
		x->ok += rec.status == RES_OK;
		x->failed += rec.status == RES_FAILED;
		x->skipped += rec.status == RES_SKIPPED;
		if (rec.status == RES_OK && rec.has_outcome)
			x->outcomes[rec.outcome]++;
		if (r->json_events)
			run_event(r, "scenario_end", "record", res_scenario_json(&rec));
		res_scenario_free(&rec);
	}
	runner_finish(r);
	return rc;
}

/* run.json's end, the report, the summary line, and the exit code. */
static int finish_run(struct run *x, int rc)
{
	const char *status = stop_flag ? "interrupted" : rc ? "error" : x->failed ? "failed" : "ok";
	int frc = res_run_finish(&x->rr, status, x->ok + x->done_before, x->failed, x->skipped);
	int n = x->ok + x->failed + x->skipped;
	if (!rc)
		rc = frc;
	if (!rc && !stop_flag && !cli_has(&x->a, "no-report")) {
		const char *dirs[] = { x->rr.dir };
		if (report_runs(dirs, 1, NULL, false) != MB_OK)
			mb_warn("report: %s", mb_errmsg());
	}
	if (!x->r.json_events) {
		double secs = mb_real_s() - x->t0;
		printf("%d scenario%s: %d ok", n, n == 1 ? "" : "s", x->ok);
		if (x->ok > x->outcomes[RES_CONVERGED]) {
			/* Results all the same: say how the migrations ended (and
			 * how many had none: migrate = no). */
			const char *sep = " (";
			int tried = 0;
			for (int o = 0; o < RES_OUTCOME_LAST; o++)
				if (x->outcomes[o]) {
					printf("%s%d %s", sep, x->outcomes[o], res_outcome_names[o]);
					sep = ", ";
					tried += x->outcomes[o];
				}
			if (x->ok > tried)
				printf("%s%d without migration", sep, x->ok - tried);
			printf(")");
		}
		printf(", %d failed, %d skipped%s in %dm%02ds; results in %s\n", x->failed, x->skipped,
		       stop_flag ? " (interrupted)" : "", (int)secs / 60, (int)secs % 60, x->rr.dir);
	}
	if (!rc && stop_flag)
		rc = mb_err(MB_EINTR, "interrupted by signal %d; continue with: migbench run --resume %s",
			    stop_flag, x->rr.dir);
	else if (!rc && x->failed)
		rc = mb_err(MB_EFAILED, "%d scenario%s failed", x->failed, x->failed == 1 ? "" : "s");
	else if (!rc && x->skipped)
		rc = mb_err(MB_EUNSUPP, "%d scenario%s could not run here (see their errors)", x->skipped,
			    x->skipped == 1 ? "" : "s");
	return rc;
}

/* Usage errors and --help: true when cmd_run is done (*rc says how). */
static bool usage_done(struct run *x, bool help, int *rc)
{
	if (help || x->a.npos > 1 || (x->a.npos == 0 && !x->resume)) {
		cmd_usage("run", flags, true, help ? stdout : stderr);
		if (help)
			printf("\nEach finished scenario is appended to DIR/scenarios.jsonl at once; kill the\n"
			       "run any time and continue it with --resume DIR.  Shards of one plan\n"
			       "(--shard I/N) cover it exactly once; merge them with migbench report.\n");
		*rc = help ? MB_OK : mb_err(MB_EINPUT, "run: give one profile (or --resume DIR)");
		return true;
	}
	if (cli_has(&x->a, "retry-failed") && !x->resume) {
		*rc = mb_err(MB_EINPUT, "--retry-failed only makes sense with --resume DIR");
		return true;
	}
	return false;
}

int cmd_run(int argc, char **argv)
{
	struct run x;
	bool help;
	int rc;

	memset(&x, 0, sizeof(x));
	x.tb.lockfd = -1;
	x.t0 = mb_real_s();
	rc = cli_parse(argc - 1, argv + 1, flags, true, &x.a, &help);
	if (rc)
		return rc;
	x.resume = cli_get(&x.a, "resume");
	if (usage_done(&x, help, &rc))
		goto out;
	rc = load_plan(&x);
	if (rc)
		goto out;
	if (cli_has(&x.a, "dry-run")) {
		dry_run(&x);
		goto out;
	}
	if (x.pl.n == 0) {
		printf("nothing to run%s\n", x.resume ? ": every scenario is already recorded" : "");
		if (x.resume && !cli_has(&x.a, "no-report"))
			rc = report_runs((const char *const[]){ x.resume }, 1, NULL, false);
		goto out;
	}
	x.cmdline = command_line(argc, argv);
	rc = open_run(&x);
	if (rc)
		goto out;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rc = run_all(&x);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	rc = finish_run(&x, rc);
out:
	tb_close(&x.tb);
	res_run_close(&x.rr);
	free(x.only);
	free(x.cmdline);
	plan_free(&x.pl);
	profile_free(x.p);
	cli_free(&x.a);
	return rc;
}
