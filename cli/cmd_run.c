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
#include "core/util.h"
#include "plan/plan.h"
#include "record/record.h"
#include "report/report.h"
#include "run/scenario.h"
#include "run/testbed.h"

static volatile int stop_flag;

static void on_signal(int sig)
{
	if (stop_flag) {
		/* A second ^C: the user means it; leave the cleanup to lab down. */
		static const char msg[] = "\nmigbench: interrupted again, exiting now\n";
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
	json_object *prof = json_object_object_get(rr->run, "profile");
	json_object *text = prof ? json_object_object_get(prof, "text") : NULL;
	json_object *path = prof ? json_object_object_get(prof, "path") : NULL;
	json_object *ov = json_object_object_get(rr->run, "overrides");
	struct profile *p = NULL;
	int rc;
	if (!text || !path)
		return mb_err(MB_EINPUT, "%s/run.json does not hold the profile text; give the profile "
					 "file too",
			      rr->dir);
	rc = profile_load_string(json_object_get_string(path), json_object_get_string(text), &p);
	for (size_t i = 0; !rc && ov && i < json_object_array_length(ov); i++) {
		json_object *kv = json_object_array_get_idx(ov, i);
		rc = profile_override(p, json_object_get_string(json_object_array_get_idx(kv, 0)),
				      json_object_get_string(json_object_array_get_idx(kv, 1)));
	}
	if (rc && p && p->nerrors)
		profile_print_errors(p, stderr);
	*out = p;
	return rc;
}

/* Drop from the plan what the run directory already has a final record of. */
static int skip_finished(struct plan *pl, const char *dir, bool retry_failed, int *skipped)
{
	json_object **objs;
	int n, bad, k = 0, rc = res_read_scenarios(dir, &objs, &n, &bad);
	if (rc)
		return rc;
	if (bad)
		mb_warn("%s/scenarios.jsonl: %d unreadable line%s (a crash mid-write); ignored", dir,
			bad, bad == 1 ? "" : "s");
	*skipped = 0;
	for (int i = 0; i < pl->n; i++) {
		bool done = false;
		for (int j = 0; j < n && !done; j++) {
			json_object *id = json_object_object_get(objs[j], "id");
			const char *st = json_object_get_string(json_object_object_get(objs[j], "status"));
			if (!id || strcmp(json_object_get_string(id), pl->sc[i].id))
				continue;
			done = st && (!strcmp(st, "ok") || !strcmp(st, "skipped") ||
				      (!strcmp(st, "failed") && !retry_failed));
		}
		if (done)
			(*skipped)++;
		else
			pl->sc[k++] = pl->sc[i];
	}
	pl->n = k;
	res_free_scenarios(objs, n);
	return MB_OK;
}

static void end_line(struct runner *r, json_object *rec, int idx)
{
	const char *st = json_object_get_string(json_object_object_get(rec, "status"));
	json_object *m = json_object_object_get(rec, "migration");
	json_object *ratio = json_object_object_get(rec, "ratio");
	if (r->json_events)
		return;
	if (r->tty)
		printf("\r\033[K");
	printf("[%d/%d] %-34s %s", idx, r->total, json_object_get_string(json_object_object_get(rec, "id")),
	       st);
	if (!strcmp(st, "ok") && m && ratio) {
		printf("  migration %.2f s, downtime %.0f ms, %.0f MiB, %lld iter; during %.2fx, after %.2fx",
		       json_object_get_double(json_object_object_get(m, "total_s")),
		       json_object_get_double(json_object_object_get(m, "downtime_s")) * 1e3,
		       (double)json_object_get_int64(json_object_object_get(m, "bytes")) / 1048576.0,
		       (long long)json_object_get_int64(json_object_object_get(m, "iterations")),
		       json_object_get_double(json_object_object_get(ratio, "during")),
		       json_object_get_double(json_object_object_get(ratio, "after")));
	} else {
		printf(": %s", json_object_get_string(json_object_object_get(rec, "error")));
	}
	printf("\n");
	fflush(stdout);
}

int cmd_run(int argc, char **argv)
{
	struct cli_args a;
	struct profile *p = NULL;
	struct plan pl = { 0 };
	struct res_run rr = { 0 };
	struct testbed tb;
	struct runner r;
	const char *resume, *profile_path;
	char **only = NULL, *cmdline = NULL;
	int nonly = 0, sidx = 0, scount = 0, done_before = 0, ok = 0, failed = 0, skipped = 0;
	bool help, tb_open_ok = false;
	double t0 = mb_real_s();
	int rc = cli_parse(argc - 1, argv + 1, flags, true, &a, &help);

	memset(&tb, 0, sizeof(tb));
	tb.lockfd = -1;
	memset(&r, 0, sizeof(r));
	if (rc)
		return rc;
	resume = cli_get(&a, "resume");
	if (help || a.npos > 1 || (a.npos == 0 && !resume)) {
		cmd_usage("run", flags, true, help ? stdout : stderr);
		if (help)
			printf("\nEach finished scenario is appended to DIR/scenarios.jsonl at once; kill the\n"
			       "run any time and continue it with --resume DIR.  Shards of one plan\n"
			       "(--shard I/N) cover it exactly once; merge them with migbench report.\n");
		cli_free(&a);
		return help ? MB_OK : mb_err(MB_EINPUT, "run: give one profile (or --resume DIR)");
	}
	if (cli_has(&a, "retry-failed") && !resume) {
		cli_free(&a);
		return mb_err(MB_EINPUT, "--retry-failed only makes sense with --resume DIR");
	}
	profile_path = a.npos ? a.pos[0] : NULL;
	rc = plan_check_out_dir(cli_get(&a, "out"), resume);
	if (rc)
		goto out;
	if (resume) {
		rc = res_run_open(&rr, resume);
		if (!rc && !profile_path)
			rc = profile_from_run(&rr, &p);
		if (rc)
			goto out;
	}
	if (profile_path) {
		rc = cmd_load_profile(profile_path, &a, &p);
		if (rc)
			goto out;
	}
	rc = plan_build(p, &pl);
	if (rc) {
		profile_print_errors(p, stderr);
		goto out;
	}
	if (resume && !cli_get(&a, "shard")) {
		json_object *sh = json_object_object_get(rr.run, "shard");
		if (sh)
			rc = plan_parse_shard(json_object_get_string(sh), &sidx, &scount);
	} else {
		rc = plan_parse_shard(cli_get(&a, "shard"), &sidx, &scount);
	}
	if (!rc)
		rc = plan_shard(&pl, sidx, scount);
	nonly = cli_get_all(&a, "only", &only);
	if (!rc)
		rc = plan_only(&pl, only, nonly);
	if (!rc && resume)
		rc = skip_finished(&pl, resume, cli_has(&a, "retry-failed"), &done_before);
	if (rc)
		goto out;

	if (cli_has(&a, "dry-run")) {
		printf("# would run %d scenario%s", pl.n, pl.n == 1 ? "" : "s");
		if (resume)
			printf(" (%d already recorded in %s)", done_before, resume);
		if (scount)
			printf(", shard %d/%d", sidx, scount);
		printf("\n");
		for (int i = 0; i < pl.n; i++)
			printf("%3d  %s\n", pl.sc[i].index + 1, pl.sc[i].id);
		goto out;
	}
	if (pl.n == 0) {
		printf("nothing to run%s\n", resume ? ": every scenario is already recorded" : "");
		if (resume && !cli_has(&a, "no-report"))
			rc = report_runs((const char *const[]){ resume }, 1, NULL, false);
		goto out;
	}

	/* Build the command line for the record and the lock's holder. */
	{
		size_t len = 16;
		for (int i = 0; i < argc; i++)
			len += strlen(argv[i]) + 1;
		cmdline = mb_xmalloc(len);
		strcpy(cmdline, "migbench");
		for (int i = 0; i < argc; i++) {
			strcat(cmdline, " ");
			strcat(cmdline, argv[i]);
		}
	}
	rc = tb_open(&tb, &pl, cmdline);
	if (rc)
		goto out;
	tb_open_ok = true;
	if (!resume) {
		rc = res_run_create(&rr, cli_get(&a, "out"), &pl, cmdline);
		if (!rc)
			rc = res_run_set(&rr, "overrides", overrides_json(&a));
		if (!rc && scount) {
			char sh[32];
			snprintf(sh, sizeof(sh), "%d/%d", sidx, scount);
			rc = res_run_set(&rr, "shard", json_object_new_string(sh));
		}
	} else {
		rc = res_run_set(&rr, "status", json_object_new_string("running"));
	}
	if (!rc)
		rc = res_run_set(&rr, "testbed", tb_json(&tb));
	if (rc)
		goto out;
	mb_info("results: %s", rr.dir);

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	r.tb = &tb;
	r.res = &rr;
	r.pl = &pl;
	r.stop = &stop_flag;
	r.json_events = cli_has(&a, "json");
	r.tty = isatty(STDOUT_FILENO);
	r.total = pl.n;
	{
		json_object *e = json_object_new_object();
		json_object_object_add(e, "event", json_object_new_string("run_start"));
		json_object_object_add(e, "dir", json_object_new_string(rr.dir));
		json_object_object_add(e, "scenarios", json_object_new_int(pl.n));
		runner_event(&r, e);
	}
	for (int i = 0; i < pl.n && !stop_flag; i++) {
		json_object *rec = NULL;
		int src = scenario_run(&r, &pl.sc[i], i + 1, &rec);
		if (src == MB_EINTR)
			break;
		if (res_append_scenario(&rr, rec) != MB_OK) {
			rc = MB_EINTERNAL;
			json_object_put(rec);
			break;
		}
		end_line(&r, rec, i + 1);
		{
			const char *st = json_object_get_string(json_object_object_get(rec, "status"));
			ok += !strcmp(st, "ok");
			failed += !strcmp(st, "failed");
			skipped += !strcmp(st, "skipped");
			if (r.json_events) {
				json_object *e = json_object_new_object();
				json_object_object_add(e, "event", json_object_new_string("scenario_end"));
				json_object_object_add(e, "record", json_object_get(rec));
				runner_event(&r, e);
			}
		}
		json_object_put(rec);
	}
	runner_finish(&r);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	{
		const char *status = stop_flag ? "interrupted" : rc ? "error" : failed ? "failed" : "ok";
		int frc = res_run_finish(&rr, status, ok + done_before, failed, skipped);
		if (!rc)
			rc = frc;
	}
	if (!rc && !stop_flag && !cli_has(&a, "no-report")) {
		const char *dirs[] = { rr.dir };
		if (report_runs(dirs, 1, NULL, false) != MB_OK)
			mb_warn("report: %s", mb_errmsg());
	}
	if (!r.json_events) {
		double secs = mb_real_s() - t0;
		printf("%d scenario%s: %d ok, %d failed, %d skipped%s in %dm%02ds; results in %s\n",
		       ok + failed + skipped, ok + failed + skipped == 1 ? "" : "s", ok, failed, skipped,
		       stop_flag ? " (interrupted)" : "", (int)secs / 60, (int)secs % 60, rr.dir);
	}
	if (!rc && stop_flag)
		rc = mb_err(MB_EINTR, "interrupted by signal %d; continue with: migbench run --resume %s",
			    stop_flag, rr.dir);
	else if (!rc && failed)
		rc = mb_err(MB_EFAILED, "%d scenario%s failed", failed, failed == 1 ? "" : "s");
	else if (!rc && skipped)
		rc = mb_err(MB_EUNSUPP, "%d scenario%s could not run here (see their errors)", skipped,
			    skipped == 1 ? "" : "s");
out:
	(void)tb_open_ok;
	tb_close(&tb);
	res_run_close(&rr);
	free(only);
	free(cmdline);
	plan_free(&pl);
	profile_free(p);
	cli_free(&a);
	return rc;
}
