/* report.c - `migbench report`: load the runs into typed rows (load.c,
 * rows.c), then write summary.csv (one row per scenario) and
 * comparison.csv (one per setting and delay; comparison.c), both in base
 * units, the plots (plots.c) and index.html (html.c, human units).  A bad record or a failed plot is
 * reported and left out; the rest of the report is still written. */
#define _GNU_SOURCE
#include "report/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"

double rep_t95(int df)
{
	static const double t[] = { NAN,   12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365,
				    2.306, 2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
				    2.120, 2.110,  2.101, 2.093, 2.086 };
	if (df < 1)
		return NAN;
	if (df < (int)MB_ARRAY_SIZE(t))
		return t[df];
	return df < 30 ? 2.06 : df < 60 ? 2.01 : 1.96;
}

/* The cell columns of summary.csv: each row's cell (its settings and
 * delay, the repetitions of one point) and, over the cell's converged
 * repetitions, mean, 95% CI and coefficient of variation of these. */
static const struct {
	const char *col;
	size_t off;
} cell_cols[] = {
	{ "migration_total_s", offsetof(struct rep_row, total_s) },
	{ "migration_downtime_s", offsetof(struct rep_row, downtime_s) },
	{ "ratio_during", offsetof(struct rep_row, ratio_during) },
	{ "ratio_running", offsetof(struct rep_row, ratio_running) },
};

static void cell_csv(struct rep_buf *b, const struct rep_set *set, const struct rep_group *g)
{
	struct rep_buf name = { 0 };
	if (isfinite(g->delay_ms))
		rep_bprintf(&name, "%.9g ms ", g->delay_ms);
	rep_bputs(&name, g->label);
	rep_bputs(b, ",");
	rep_csv_quoted(b, rep_bstr(&name));
	rep_bfree(&name);
	rep_bprintf(b, ",%d", g->n);
	for (size_t k = 0; k < MB_ARRAY_SIZE(cell_cols); k++) {
		struct rep_stat st = rep_group_stat(set, g, cell_cols[k].off, true);
		rep_csv_num(b, st.mean);
		rep_csv_num(b, st.ci);
		rep_csv_num(b, st.cv);
	}
}

char *rep_summary_csv(const struct rep_set *set)
{
	struct rep_buf b = { 0 };
	struct rep_groups gs;
	const struct rep_group **of = mb_xcalloc(set->n ? (size_t)set->n : 1, sizeof(*of));
	size_t nc = rep_ncolumns();
	rep_groups_build(set, &gs);
	for (int i = 0; i < gs.n; i++)
		for (int j = 0; j < gs.g[i].n; j++)
			of[gs.g[i].rows[j]] = &gs.g[i];
	for (size_t c = 0; c < nc; c++)
		rep_bprintf(&b, "%s%s", c ? "," : "", rep_column_name(c));
	rep_bputs(&b, ",cell,cell_repetitions");
	for (size_t k = 0; k < MB_ARRAY_SIZE(cell_cols); k++)
		rep_bprintf(&b, ",cell_%s_mean,cell_%s_ci95,cell_%s_cv", cell_cols[k].col, cell_cols[k].col,
			    cell_cols[k].col);
	rep_bputs(&b, "\n");
	for (int i = 0; i < set->n; i++) {
		for (size_t c = 0; c < nc; c++) {
			if (c)
				rep_bputs(&b, ",");
			rep_column_csv(&set->rows[i], c, &b);
		}
		cell_csv(&b, set, of[i]);
		rep_bputs(&b, "\n");
	}
	free(of);
	rep_groups_free(&gs);
	return b.s;
}

static char *out_dir(const char *const *dirs, int n, const char *out)
{
	char ts[32];
	time_t t = time(NULL);
	struct tm tm;
	if (out)
		return mb_xstrdup(out);
	if (n == 1)
		return mb_xstrdup(dirs[0]);
	localtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", &tm);
	return mb_xasprintf("results/merged-%s", ts);
}

static int write_text(const char *dir, const char *name, char *text)
{
	char *path = mb_xasprintf("%s/%s", dir, name);
	int rc = rep_write_file(path, text ? text : "", text ? strlen(text) : 0);
	free(path);
	free(text);
	return rc;
}

int report_runs(const char *const *dirs, int n, const char *out, bool summary_only)
{
	struct rep_set set;
	struct rep_groups gs;
	struct rep_plotted pl = { 0 };
	char *outdir;
	bool plotted = false;
	int rc;

	if (out && !*out)
		return mb_err(MB_EINPUT, "report --out: the directory name is empty");
	rc = rep_load(dirs, n, &set);
	if (rc)
		return rc;
	outdir = out_dir(dirs, n, out);
	rc = mb_mkdir_p(outdir, 0755);
	rep_groups_build(&set, &gs);
	if (!rc)
		rc = write_text(outdir, "summary.csv", rep_summary_csv(&set));
	if (!rc)
		rc = write_text(outdir, "comparison.csv", rep_comparison_csv(&set, &gs));
	if (!rc && !summary_only) {
		if (rep_plots(&set, outdir, &pl) != MB_OK)
			rep_problem(&set, "no plots: %s", mb_errmsg());
		else
			plotted = true;
	}
	if (!rc)
		rc = write_text(outdir, "index.html", rep_index_html(&set, &gs, dirs, n, plotted ? &pl : NULL));
	if (!rc) {
		printf("report: %s/index.html (%d scenario%s, %d timeline%s, %d series", outdir, set.n,
		       set.n == 1 ? "" : "s", pl.ntimelines, pl.ntimelines == 1 ? "" : "s", pl.nseries);
		if (set.nproblems)
			printf("; %d problem%s, listed there", set.nproblems, set.nproblems == 1 ? "" : "s");
		printf(")\n");
	}
	if (!rc && (set.malformed || set.refused))
		rc = mb_err(MB_EINPUT, "%d malformed record%s skipped, %d file name%s refused (see the warnings); "
				       "the report covers the rest",
			    set.malformed, set.malformed == 1 ? "" : "s", set.refused, set.refused == 1 ? "" : "s");
	rep_plotted_free(&pl, set.n);
	rep_groups_free(&gs);
	free(outdir);
	rep_free(&set);
	return rc;
}
