/* sweep.c - the sweep plots: migration time, downtime and relative
 * performance against the emulated RTT, mean and 95% CI over repetitions,
 * one line per series (workload, experiment and the matrix settings that
 * differ from the most common).  Linear: labels through hashes, points
 * grouped by one sort; no cap on repetitions, delays or series. */
#define _GNU_SOURCE
#include "report/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "profile/options.h"

/* ---- series labels -------------------------------------------------------------- */

/* " key value" with the value in human units ("max_downtime 2 s"); text
 * that is not a number of the option's kind stays as it is. */
static void label_setting(struct rep_buf *b, const struct mb_option *o, const char *text)
{
	static const struct { enum opt_type t; const char *unit; } units[] = {
		{ OPT_DURATION, "s" }, { OPT_SIZE, "B" }, { OPT_RATE, "B/s" }
	};
	char *end;
	double v = strtod(text, &end);
	rep_bprintf(b, " %s ", o->full);
	for (size_t i = 0; end != text && !*end && isfinite(v) && i < MB_ARRAY_SIZE(units); i++)
		if (units[i].t == o->type) {
			rep_human(b, v, units[i].unit);
			return;
		}
	if (o->type == OPT_BOOL && (!strcmp(text, "true") || !strcmp(text, "false")))
		rep_bputs(b, text[0] == 't' ? "yes" : "no");
	else
		rep_bputs(b, text);
}

/* named[i][j]: whether row i's setting j is in its label (free with
 * named_free). */
static bool **named_new(const struct rep_set *set)
{
	bool **named = mb_xcalloc(set->n ? (size_t)set->n : 1, sizeof(*named));
	for (int i = 0; i < set->n; i++)
		named[i] = mb_xcalloc(set->rows[i].ncfg ? (size_t)set->rows[i].ncfg : 1, sizeof(**named));
	return named;
}

static void named_free(bool **named, int n)
{
	for (int i = 0; i < n; i++)
		free(named[i]);
	free(named);
}

/* The settings whose value differs from the most common one among all the
 * rows (on a tie, the one of the earliest row). */
static bool **modal_named(const struct rep_set *set)
{
	json_object **count = mb_xcalloc(mb_noptions, sizeof(*count)); /* value -> rows, per option */
	const char **modal = mb_xcalloc(mb_noptions, sizeof(*modal));
	int *best = mb_xcalloc(mb_noptions, sizeof(*best));
	bool **named = named_new(set);
	json_object *c;

	for (int i = 0; i < set->n; i++)
		for (int j = 0; j < set->rows[i].ncfg; j++) {
			int o = set->rows[i].cfg_opt[j];
			if (!count[o])
				count[o] = json_object_new_object();
			if (json_object_object_get_ex(count[o], set->rows[i].cfg_val[j], &c))
				json_object_int_inc(c, 1);
			else
				json_object_object_add(count[o], set->rows[i].cfg_val[j], json_object_new_int(1));
		}
	for (int i = 0; i < set->n; i++)
		for (int j = 0; j < set->rows[i].ncfg; j++) {
			int o = set->rows[i].cfg_opt[j], k;
			json_object_object_get_ex(count[o], set->rows[i].cfg_val[j], &c);
			k = json_object_get_int(c);
			if (k > best[o]) {
				best[o] = k;
				modal[o] = set->rows[i].cfg_val[j];
			}
		}
	for (int i = 0; i < set->n; i++)
		for (int j = 0; j < set->rows[i].ncfg; j++)
			named[i][j] = strcmp(modal[set->rows[i].cfg_opt[j]], set->rows[i].cfg_val[j]) != 0;
	for (size_t o = 0; o < mb_noptions; o++)
		json_object_put(count[o]);
	free(count);
	free(modal);
	free(best);
	return named;
}

/* The settings that take more than one value among the rows of the same
 * experiment section, but the option skip. */
static bool **varying_named(const struct rep_set *set, int skip)
{
	json_object *first = json_object_new_object(); /* "experiment\037option" -> first value */
	json_object *varies = json_object_new_object(); /* the same keys, when another value was seen */
	bool **named = named_new(set);
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < set->n; i++)
			for (int j = 0; j < set->rows[i].ncfg; j++) {
				const struct rep_row *row = &set->rows[i];
				char *key = mb_xasprintf("%s\037%d", row->experiment ? row->experiment : "",
							 row->cfg_opt[j]);
				json_object *v;
				if (pass == 1)
					named[i][j] = row->cfg_opt[j] != skip &&
						      json_object_object_get_ex(varies, key, NULL);
				else if (!json_object_object_get_ex(first, key, &v))
					json_object_object_add(first, key, json_object_new_string(row->cfg_val[j]));
				else if (strcmp(json_object_get_string(v), row->cfg_val[j]))
					json_object_object_add(varies, key, NULL);
				free(key);
			}
	json_object_put(first);
	json_object_put(varies);
	return named;
}

/* Each row's label: experiment section, the named settings, and the
 * workload when it tells rows apart (or nothing else does). */
static char **labels_of(const struct rep_set *set, bool **named)
{
	char **labels = mb_xcalloc(set->n ? (size_t)set->n : 1, sizeof(*labels));
	bool one_workload = false;
	for (int i = 1; i < set->n && !one_workload; i++)
		one_workload = !set->rows[i].workload || !set->rows[0].workload ||
			       strcmp(set->rows[i].workload, set->rows[0].workload);
	one_workload = !one_workload;
	for (int i = 0; i < set->n; i++) {
		const struct rep_row *row = &set->rows[i];
		struct rep_buf b = { 0 };
		if (row->experiment && strcmp(row->experiment, "global"))
			rep_bprintf(&b, " %s", row->experiment);
		for (int j = 0; j < row->ncfg; j++)
			if (named[i][j])
				label_setting(&b, &mb_options[row->cfg_opt[j]], row->cfg_val[j]);
		if (!one_workload || !b.n) {
			struct rep_buf w = { 0 };
			rep_bprintf(&w, "%s%s", row->workload ? row->workload : "?", rep_bstr(&b));
			rep_bfree(&b);
			b = w;
		}
		labels[i] = mb_xstrdup(rep_bstr(&b) + (one_workload && b.n && b.s[0] == ' '));
		rep_bfree(&b);
	}
	return labels;
}

char **rep_series_labels(const struct rep_set *set)
{
	bool **named = modal_named(set);
	char **labels = labels_of(set, named);
	named_free(named, set->n);
	return labels;
}

char **rep_series_labels_without(const struct rep_set *set, const char *key)
{
	const struct mb_option *o = key ? opt_find_full(key) : NULL;
	bool **named = varying_named(set, o ? opt_index(o) : -1);
	char **labels = labels_of(set, named);
	named_free(named, set->n);
	return labels;
}

void rep_labels_free(char **labels, int n)
{
	for (int i = 0; labels && i < n; i++)
		free(labels[i]);
	free(labels);
}

/* ---- sweep plots ---------------------------------------------------------------- */

const char *const rep_sweep_file[REP_NMETRIC] = { "migration-time-vs-delay", "downtime-vs-delay",
						  "relative-performance-vs-delay",
						  "relative-performance-running-vs-delay" };
static const char *const sweep_ylabel[REP_NMETRIC] = { "migration time (s)", "downtime (s)",
						       "throughput during migration / before",
						       "throughput during migration, pause left out / before" };
static const char *const colors[] = { "#1f5fa8", "#c0392b", "#27864a", "#8e44ad",
				      "#d35400", "#16a085", "#7f8c8d", "#2c3e50" };

/* One finished scenario on a sweep plot. */
struct point {
	int series;
	double delay_ms;
	double m[REP_NMETRIC];
	double lower; /* bytes sent / probed link throughput (s), NaN: unknown */
};

double rep_lower_bound(const struct rep_row *row)
{
	double bw = row->probe_tcp_bytes_per_s;
	if (!(bw >= row->probe_tcp_steady)) /* NaN-safe: the larger known one */
		bw = row->probe_tcp_steady;
	return row->bytes > 0 && bw > 0 ? row->bytes / bw : NAN;
}

static int point_cmp(const void *a, const void *b)
{
	const struct point *p = a, *q = b;
	if (p->series != q->series)
		return p->series < q->series ? -1 : 1;
	return p->delay_ms < q->delay_ms ? -1 : p->delay_ms > q->delay_ms;
}

const char *rep_color(int series)
{
	return colors[(size_t)series % MB_ARRAY_SIZE(colors)];
}

int rep_double_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The points of the ok rows, sorted by series and delay; the series' labels
 * in *names (free both). */
static struct point *sweep_points(const struct rep_set *set, int *npts, char ***names, int *nseries)
{
	char **labels = rep_series_labels(set);
	json_object *ids = json_object_new_object(); /* label -> series */
	struct point *pts = mb_xcalloc(set->n ? (size_t)set->n : 1, sizeof(*pts));
	*npts = *nseries = 0;
	*names = mb_xcalloc(set->n ? (size_t)set->n : 1, sizeof(**names));
	for (int i = 0; i < set->n; i++) {
		const struct rep_row *row = &set->rows[i];
		struct point *p = &pts[*npts];
		json_object *s;
		if (rep_row_outcome(row) != REP_O_CONVERGED || !isfinite(row->delay_ms))
			continue; /* the unfinished ones: the comparison plot and table */
		if (!json_object_object_get_ex(ids, labels[i], &s)) {
			s = json_object_new_int(*nseries);
			json_object_object_add(ids, labels[i], s);
			(*names)[(*nseries)++] = mb_xstrdup(labels[i]);
		}
		p->series = json_object_get_int(s);
		p->delay_ms = row->delay_ms;
		p->m[REP_M_TOTAL] = row->total_s;
		p->m[REP_M_DOWNTIME] = row->downtime_s;
		p->m[REP_M_RATIO] = row->ratio_during;
		p->m[REP_M_RATIO_RUN] = row->ratio_running;
		p->lower = rep_lower_bound(row);
		(*npts)++;
	}
	qsort(pts, (size_t)*npts, sizeof(*pts), point_cmp);
	json_object_put(ids);
	rep_labels_free(labels, set->n);
	return pts;
}

/* Mean and 95% CI of metric k over pts[from, to) (one series, one delay). */
static int group_stats(const struct point *pts, int from, int to, int k, double *mean, double *ci, double *lower)
{
	double sum = 0, sum2 = 0, lsum = 0;
	int n = 0, nl = 0;
	for (int i = from; i < to; i++) {
		double v = pts[i].m[k];
		if (isfinite(v)) {
			sum += v;
			sum2 += v * v;
			n++;
		}
		if (isfinite(pts[i].lower)) {
			lsum += pts[i].lower;
			nl++;
		}
	}
	*mean = n ? sum / n : NAN;
	*ci = 0;
	if (n >= 2) {
		double var = (sum2 - n * *mean * *mean) / (n - 1);
		*ci = rep_t95(n - 1) * sqrt(var > 0 ? var : 0) / sqrt(n);
	}
	*lower = nl ? lsum / nl : NAN;
	return n;
}

/* "set xrange ... set xtics (...)": ticks at the delays measured (when
 * there are few), a little room at both ends. */
static void sweep_xaxis(struct rep_buf *gp, const struct point *pts, int npts)
{
	double *d = mb_xcalloc((size_t)npts, sizeof(*d)), pad;
	int nd = 0;
	for (int i = 0; i < npts; i++)
		d[i] = pts[i].delay_ms;
	qsort(d, (size_t)npts, sizeof(*d), rep_double_cmp);
	for (int i = 0; i < npts; i++)
		if (!nd || d[nd - 1] != d[i])
			d[nd++] = d[i];
	pad = fmax(1, (d[nd - 1] - d[0]) * 0.05);
	rep_bprintf(gp, "set xrange [%.9g:%.9g]\n", d[0] - pad, d[nd - 1] + pad);
	if (nd <= 20) {
		rep_bputs(gp, "set xtics (");
		for (int i = 0; i < nd; i++)
			rep_bprintf(gp, "%s%.9g", i ? ", " : "", d[i]);
		rep_bputs(gp, ")\n");
	}
	free(d);
}

/* data/<file>-<series>.dat for metric k: "delay mean ci95 n lower" rows.
 * Whether the series has a point for k (*lower: and a lower bound). */
static bool sweep_data(struct render *r, const struct point *pts, int from, int to, int k, int si, bool *lower)
{
	struct rep_buf d = { 0 };
	char *name = mb_xasprintf("%s-%d.dat", rep_sweep_file[k], si);
	bool any = false;
	*lower = false;
	rep_bputs(&d, "# delay_ms mean ci95 n lower_bound_s\n");
	for (int g = from, e; g < to; g = e) {
		double mean, ci, lo;
		int n;
		for (e = g; e < to && pts[e].delay_ms == pts[g].delay_ms; e++)
			;
		n = group_stats(pts, g, e, k, &mean, &ci, &lo);
		if (!n || !isfinite(mean) || !isfinite(ci))
			continue;
		rep_bprintf(&d, "%.9g %.9g %.9g %d ", pts[g].delay_ms, mean, ci, n);
		if (isfinite(lo))
			rep_bprintf(&d, "%.9g\n", lo);
		else
			rep_bputs(&d, "NaN\n");
		*lower |= isfinite(lo);
		any = true;
	}
	if (any && rep_write_data(r, name, &d) != MB_OK) {
		rep_problem(r->set, "sweep plot data %s: %s", name, mb_errmsg());
		any = false;
	}
	free(name);
	rep_bfree(&d);
	return any;
}

static void sweep_plot(struct render *r, const struct point *pts, int npts, char **names, int k)
{
	struct plot *p = rep_new_plot(r, mb_xasprintf("%s.png", rep_sweep_file[k]), -1, k);
	struct rep_buf *gp = &p->gp;
	int lower_series = -1, drawn = 0;
	rep_bprintf(gp, "reset\nset terminal pngcairo size 800,520 font 'sans,10' noenhanced\n"
			"set output '%s'\nset grid\nset key outside below\n",
		    p->png);
	sweep_xaxis(gp, pts, npts);
	rep_bprintf(gp, "set xlabel 'emulated RTT (ms)'\nset ylabel '%s'\n", sweep_ylabel[k]);
	rep_bprintf(gp, "set title '%s (mean and 95%% CI over repetitions)'\n", sweep_ylabel[k]);
	rep_bputs(gp, "set offsets graph 0.05, graph 0.05, graph 0.05, 0\nset yrange [0:*]\nplot ");
	for (int from = 0, to; from < npts; from = to) {
		int si = pts[from].series;
		bool lower;
		for (to = from; to < npts && pts[to].series == si; to++)
			;
		if (!sweep_data(r, pts, from, to, k, si, &lower))
			continue;
		if (lower && lower_series < 0)
			lower_series = si;
		rep_bprintf(gp, "%s'data/%s-%d.dat' using 1:2:3 with yerrorlines pt 7 lc rgb '%s' title ",
			    drawn++ ? ", " : "", rep_sweep_file[k], si, rep_color(si));
		rep_gp_quote(gp, names[si]);
	}
	if (k == REP_M_TOTAL && lower_series >= 0)
		rep_bprintf(gp, ", 'data/%s-%d.dat' using 1:5 with lines dt 2 lc rgb '#555555' "
				"title 'lower bound: bytes sent / probed link throughput'",
			    rep_sweep_file[k], lower_series);
	rep_bputs(gp, "\n");
	if (!drawn) { /* nothing to draw for this metric */
		rep_bfree(gp);
		free(p->png);
		r->nplots--;
	}
}

/* The three sweep plots (only when the delay varies: one x point says
 * nothing, the comparison plot shows it). */
void rep_sweep(struct render *r, bool delay_varies)
{
	int npts, nseries;
	char **names;
	struct point *pts = sweep_points(r->set, &npts, &names, &nseries);
	for (int k = 0; delay_varies && npts && k < REP_NMETRIC; k++)
		sweep_plot(r, pts, npts, names, k);
	for (int i = 0; i < nseries; i++)
		free(names[i]);
	free(names);
	free(pts);
}
