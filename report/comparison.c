/* comparison.c - settings side by side: the rows grouped by (delay, setting),
 * outcome counts over the repetitions, means with 95% CIs of the converged
 * ones, and how far the others got.  One source for the comparison plot
 * (one per delay: migration time, downtime, bytes, during/before; settings
 * that did not converge marked where they were aborted), the comparison
 * table of index.html and comparison.csv (base units, empty when not
 * measured). */
#define _GNU_SOURCE
#include "report/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

const char *const rep_outcome_names[REP_NOUT] = { "converged", "not_converged", "aborted",
						  "refused",   "failed",        "skipped" };

int rep_row_outcome(const struct rep_row *row)
{
	if (!strcmp(row->status, "failed"))
		return REP_O_FAILED;
	if (strcmp(row->status, "ok"))
		return REP_O_SKIPPED;
	if (!row->outcome) /* schema 1: ok means it migrated */
		return REP_O_CONVERGED;
	for (int o = 0; o < REP_O_FAILED; o++)
		if (!strcmp(row->outcome, rep_outcome_names[o]))
			return o;
	return REP_O_FAILED;
}

static int group_cmp(const void *a, const void *b)
{
	const struct rep_group *p = a, *q = b;
	if (p->delay_ms != q->delay_ms)
		return p->delay_ms < q->delay_ms ? -1 : 1;
	return p->first < q->first ? -1 : p->first > q->first;
}

void rep_groups_build(const struct rep_set *set, struct rep_groups *out)
{
	char **labels = rep_series_labels(set);
	json_object *ids = json_object_new_object(); /* "delay label" -> group */
	memset(out, 0, sizeof(*out));
	out->g = mb_xcalloc(set->n ? (size_t)set->n : 1, sizeof(*out->g));
	for (int i = 0; i < set->n; i++) {
		const struct rep_row *row = &set->rows[i];
		char *key = mb_xasprintf("%.9g %s", row->delay_ms, labels[i]);
		json_object *k;
		struct rep_group *g;
		if (!json_object_object_get_ex(ids, key, &k)) {
			k = json_object_new_int(out->n);
			json_object_object_add(ids, key, k);
			g = &out->g[out->n++];
			g->label = mb_xstrdup(labels[i]);
			g->delay_ms = row->delay_ms;
			g->first = i;
			g->rows = mb_xcalloc((size_t)set->n, sizeof(*g->rows));
		}
		g = &out->g[json_object_get_int(k)];
		g->rows[g->n++] = i;
		g->count[rep_row_outcome(row)]++;
		free(key);
	}
	qsort(out->g, (size_t)out->n, sizeof(*out->g), group_cmp);
	for (int i = 0; i < out->n; i++)
		if (!i || out->g[i].delay_ms != out->g[i - 1].delay_ms)
			out->ndelays++;
	json_object_put(ids);
	rep_labels_free(labels, set->n);
}

void rep_groups_free(struct rep_groups *gs)
{
	for (int i = 0; i < gs->n; i++) {
		free(gs->g[i].label);
		free(gs->g[i].rows);
	}
	free(gs->g);
	memset(gs, 0, sizeof(*gs));
}

int rep_groups_nsettings(const struct rep_groups *gs)
{
	json_object *seen = json_object_new_object();
	int n = 0;
	for (int i = 0; i < gs->n; i++)
		if (!json_object_object_get_ex(seen, gs->g[i].label, NULL)) {
			json_object_object_add(seen, gs->g[i].label, NULL);
			n++;
		}
	json_object_put(seen);
	return n;
}

/* The double at off in a row. */
static double at(const struct rep_row *row, size_t off)
{
	return *(const double *)(const void *)((const char *)row + off);
}

struct rep_stat rep_group_stat(const struct rep_set *set, const struct rep_group *g, size_t off, bool converged)
{
	struct rep_stat st = { NAN, NAN, NAN, 0 };
	double sum = 0, sum2 = 0;
	for (int i = 0; i < g->n; i++) {
		const struct rep_row *row = &set->rows[g->rows[i]];
		int o = rep_row_outcome(row);
		double v = at(row, off);
		if ((converged ? o != REP_O_CONVERGED : o == REP_O_CONVERGED || o >= REP_O_FAILED) || !isfinite(v))
			continue;
		sum += v;
		sum2 += v * v;
		st.n++;
	}
	if (st.n)
		st.mean = sum / st.n;
	if (st.n >= 2) {
		double var = (sum2 - st.n * st.mean * st.mean) / (st.n - 1);
		double sd = sqrt(var > 0 ? var : 0);
		st.ci = rep_t95(st.n - 1) * sd / sqrt(st.n);
		st.cv = st.mean != 0 ? sd / fabs(st.mean) : NAN;
	}
	return st;
}

/* ---- comparison.csv ------------------------------------------------------------ */

#define OFF(f) offsetof(struct rep_row, f)

/* Figures of the converged repetitions (mean, ci95), then of the others. */
static const struct {
	const char *col;
	size_t off;
	bool converged;
} cmp_cols[] = {
	{ "migration_total_s", OFF(total_s), true },
	{ "migration_downtime_s", OFF(downtime_s), true },
	{ "migration_bytes", OFF(bytes), true },
	{ "migration_iterations", OFF(iterations), true },
	{ "ratio_during", OFF(ratio_during), true },
	{ "ratio_after", OFF(ratio_after), true },
	{ "ratio_running", OFF(ratio_running), true },
	{ "unfinished_time_s", OFF(prog_time_s), false },
	{ "unfinished_iteration", OFF(prog_iteration), false },
	{ "unfinished_memory_remaining_bytes", OFF(prog_remaining), false },
	{ "unfinished_data_sent_bytes", OFF(prog_sent), false },
	{ "unfinished_dirty_rate_bytes_per_s", OFF(prog_dirty_bps), false },
	{ "unfinished_bandwidth_bytes_per_s", OFF(prog_bps), false },
	{ "unfinished_throttle_max_pct", OFF(prog_throttle_max), false },
	{ "unfinished_ratio_during", OFF(ratio_during), false },
};

char *rep_comparison_csv(const struct rep_set *set, const struct rep_groups *gs)
{
	struct rep_buf b = { 0 };
	rep_bputs(&b, "delay_s,setting,repetitions");
	for (int o = 0; o < REP_NOUT; o++)
		rep_bprintf(&b, ",%s", rep_outcome_names[o]);
	for (size_t c = 0; c < MB_ARRAY_SIZE(cmp_cols); c++)
		rep_bprintf(&b, ",%s_mean,%s_ci95", cmp_cols[c].col, cmp_cols[c].col);
	rep_bputs(&b, "\n");
	for (int i = 0; i < gs->n; i++) {
		const struct rep_group *g = &gs->g[i];
		if (isfinite(g->delay_ms))
			rep_bprintf(&b, "%.9g", g->delay_ms / 1e3);
		rep_bputs(&b, ",");
		rep_csv_quoted(&b, g->label);
		rep_bprintf(&b, ",%d", g->n);
		for (int o = 0; o < REP_NOUT; o++)
			rep_bprintf(&b, ",%d", g->count[o]);
		for (size_t c = 0; c < MB_ARRAY_SIZE(cmp_cols); c++) {
			struct rep_stat st = rep_group_stat(set, g, cmp_cols[c].off, cmp_cols[c].converged);
			rep_csv_num(&b, st.mean);
			rep_csv_num(&b, st.ci);
		}
		rep_bputs(&b, "\n");
	}
	return b.s;
}

/* ---- the comparison plot ---------------------------------------------------------- */

/* One panel: metric of the converged (boxes with CIs) and, marked, the
 * value where each unfinished repetition stood when it ended. */
static const struct {
	const char *title, *ylabel;
	size_t off, unfinished_off; /* unfinished_off 0: nothing to mark */
	double div;
} panels[] = {
	{ "migration time", "s", OFF(total_s), OFF(prog_time_s), 1 },
	{ "downtime", "ms", OFF(downtime_s), 0, 1e-3 },
	{ "data sent", "MiB", OFF(bytes), OFF(prog_sent), 1048576 },
	{ "guest throughput during / before", "ratio", OFF(ratio_during), OFF(ratio_during), 1 },
};

static bool unfinished(int o)
{
	return o == REP_O_NOT_CONVERGED || o == REP_O_ABORTED || o == REP_O_REFUSED;
}

/* data/compare-<d>.dat: "x mean ci n" per panel; .nc.dat: "x v0 v1 v2 v3
 * failed" per unfinished repetition (failed 1: the testbed failed after
 * the migration had got that far). */
static int compare_data(struct render *r, const struct rep_group *g, int ng, const char *stem, bool *marks)
{
	struct rep_buf d = { 0 }, nc = { 0 };
	char *f1 = mb_xasprintf("%s.dat", stem), *f2 = mb_xasprintf("%s.nc.dat", stem);
	int rc;
	rep_bputs(&d, "# x then per panel: mean ci95 n (converged repetitions)\n");
	rep_bputs(&nc, "# x then per panel: the value when an unfinished repetition ended\n");
	for (int i = 0; i < ng; i++) {
		rep_bprintf(&d, "%d", i);
		for (size_t k = 0; k < MB_ARRAY_SIZE(panels); k++) {
			struct rep_stat st = rep_group_stat(r->set, &g[i], panels[k].off, true);
			rep_bprintf(&d, " %.9g %.9g %d", isfinite(st.mean) ? st.mean / panels[k].div : NAN,
				    isfinite(st.ci) ? st.ci / panels[k].div : 0.0, st.n);
		}
		rep_bputs(&d, "\n");
		for (int j = 0; j < g[i].n; j++) {
			const struct rep_row *row = &r->set->rows[g[i].rows[j]];
			int o = rep_row_outcome(row);
			if (!unfinished(o) && !(o == REP_O_FAILED && isfinite(row->prog_time_s)))
				continue;
			rep_bprintf(&nc, "%d", i);
			for (size_t k = 0; k < MB_ARRAY_SIZE(panels); k++) {
				double v = panels[k].unfinished_off ? at(row, panels[k].unfinished_off) : NAN;
				rep_bprintf(&nc, " %.9g", isfinite(v) ? v / panels[k].div : NAN);
			}
			rep_bprintf(&nc, " %d\n", o == REP_O_FAILED);
			*marks = true;
		}
	}
	rc = rep_write_data(r, f1, &d);
	if (!rc && *marks)
		rc = rep_write_data(r, f2, &nc);
	rep_bfree(&d);
	rep_bfree(&nc);
	free(f1);
	free(f2);
	return rc;
}

/* ytics: each setting's label with its outcome counts (first setting on
 * top). */
static void compare_ytics(struct rep_buf *gp, const struct rep_group *g, int ng)
{
	rep_bputs(gp, "set ytics nomirror (");
	for (int i = 0; i < ng; i++) {
		struct rep_buf t = { 0 };
		const char *sep = " [";
		rep_bputs(&t, g[i].label);
		for (int o = REP_O_NOT_CONVERGED; o < REP_NOUT; o++)
			if (g[i].count[o]) {
				rep_bprintf(&t, "%s%d/%d %s", sep, g[i].count[o], g[i].n, rep_outcome_names[o]);
				sep = ", ";
			}
		if (*sep == ',')
			rep_bputs(&t, "]");
		rep_bputs(gp, i ? ", " : "");
		rep_gp_quote(gp, t.s);
		rep_bprintf(gp, " %d", i);
		rep_bfree(&t);
	}
	rep_bputs(gp, ")\n");
}

/* Settings down the side, one column per metric: bars with 95% CIs of the
 * converged repetitions, a cross where each unfinished one stood. */
static void compare_plot(struct render *r, const struct rep_group *g, int ng)
{
	char *stem = mb_xasprintf("compare-%.6gms", g[0].delay_ms);
	struct plot *p;
	struct rep_buf *gp;
	bool marks = false;
	if (compare_data(r, g, ng, stem, &marks) != MB_OK) {
		rep_problem(r->set, "comparison plot data %s: %s", stem, mb_errmsg());
		free(stem);
		return;
	}
	p = rep_new_plot(r, mb_xasprintf("%s.png", stem), -1, -1);
	p->compare = r->ncompare++;
	gp = &p->gp;
	rep_bprintf(gp, "reset\nset terminal pngcairo size 1400,%d font 'sans,10' noenhanced\n"
			"set output '%s'\nset grid xtics\nset style fill solid 0.5 border\n"
			"set yrange [%d.5:-0.5]\nset xrange [0:*]\nset offsets 0, graph 0.1, 0, 0\n"
			"unset key\nset xtics font ',9'\n",
		    190 + 34 * ng, p->png, ng - 1);
	rep_bprintf(gp, "set multiplot layout 1,%d margins 0.31, 0.99, %.3f, %.3f spacing 0.015 title "
			"'settings compared at RTT %.6g ms: blue bars = mean and 95%% CI of the converged repetitions; "
			"red x = where one that did not converge stood when it was aborted; grey x = where the testbed failed'\n",
		    (int)MB_ARRAY_SIZE(panels), 85.0 / (190 + 34 * ng), 1 - 62.0 / (190 + 34 * ng), g[0].delay_ms);
	for (size_t k = 0; k < MB_ARRAY_SIZE(panels); k++) {
		int c = 2 + 3 * (int)k;
		if (k == 0)
			compare_ytics(gp, g, ng);
		else
			rep_bputs(gp, "unset ytics\n");
		rep_bprintf(gp, "set title '%s'\nset xlabel '%s'\n", panels[k].title, panels[k].ylabel);
		/* Horizontal bars: x from 0 to the mean, y the setting +- 0.3. */
		rep_bprintf(gp, "plot 'data/%s.dat' using (0):1:(0):%d:(column(1)-0.3):(column(1)+0.3) with boxxyerror "
				"lc rgb '#1f5fa8' notitle, '' using %d:1:%d with xerrorbars pt 0 lc rgb '#0b2f5a' notitle",
			    stem, c, c, c + 1);
		if (marks && panels[k].unfinished_off)
			rep_bprintf(gp, ", 'data/%s.nc.dat' using (column(%d) == 0 ? column(%d) : 1/0):1 with points "
					"pt 2 ps 2 lw 2 lc rgb '#c0392b' notitle, '' using (column(%d) == 1 ? column(%d) : 1/0):1 "
					"with points pt 2 ps 2 lw 2 lc rgb '#909090' notitle",
				    stem, 2 + (int)MB_ARRAY_SIZE(panels), 2 + (int)k, 2 + (int)MB_ARRAY_SIZE(panels),
				    2 + (int)k);
		rep_bputs(gp, "\n");
	}
	rep_bputs(gp, "unset multiplot\n");
	free(stem);
}

/* Delays with more than this many values: the lines against the delay
 * carry the comparison (one plot per delay would be too many). */
#define COMPARE_MAX_DELAYS 8

void rep_compare_plots(struct render *r, const struct rep_groups *gs)
{
	if (gs->ndelays > COMPARE_MAX_DELAYS)
		return;
	for (int from = 0, to; from < gs->n; from = to) {
		for (to = from; to < gs->n && gs->g[to].delay_ms == gs->g[from].delay_ms; to++)
			;
		/* Settings side by side; or the one setting when nothing else
		 * varies (one x point against the delay says nothing). */
		if ((to - from > 1 || gs->ndelays == 1) && isfinite(gs->g[from].delay_ms))
			compare_plot(r, &gs->g[from], to - from);
	}
}
