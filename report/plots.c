/* plots.c - gnuplot pictures from the typed rows.
 *
 * Data is data: the report writes every number gnuplot draws into data
 * files of its own (plots/data/), names them itself (rep_safe_name), and
 * puts text from records into the script only through rep_gp_quote.
 * gnuplot runs in a fresh private directory (plots/.render-XXXXXX) with
 * names relative to it; the finished files are renamed into plots/, so a
 * symlink planted in plots/ is replaced, never written through.  The whole
 * script passes rep_gp_check before gnuplot sees it.
 *
 *   timeline-<id>.png             the guest's throughput over time, the
 *                                 migration window shaded, switchover and
 *                                 iterations marked (the study's Figs. 3-6)
 *   migration-time-vs-delay.png   mean and 95% CI over repetitions, one line
 *   downtime-vs-delay.png         per workload / pre-copy setting, with the
 *   relative-performance-vs-delay.png  RAM / link bandwidth lower bound
 *
 * A plot gnuplot fails on is reported and left out; the others are drawn
 * (gnuplot stops at an error, so the rest of the script runs again). */
#define _GNU_SOURCE
#include "report/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/exec.h"
#include "core/util.h"
#include "profile/options.h"

/* One picture and the commands that draw it. */
struct plot {
	char *png;         /* file name, relative to the render directory */
	struct rep_buf gp; /* its gnuplot commands */
	int row;           /* the timeline's row, else -1 */
	int metric;        /* the sweep metric, else -1 */
	bool failed;
	int first_line, nlines; /* where it is in the script gnuplot runs now */
};

struct render {
	struct rep_set *set;
	char *dir;          /* absolute path of the private render directory */
	struct plot *plots;
	int nplots, cap;
	char **data;        /* data files written, relative to dir */
	int ndata, datacap;
};

static struct plot *new_plot(struct render *r, char *png, int row, int metric)
{
	struct plot *p;
	if (r->nplots == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->plots = mb_xrealloc(r->plots, (size_t)r->cap * sizeof(*r->plots));
	}
	p = &r->plots[r->nplots++];
	memset(p, 0, sizeof(*p));
	p->png = png;
	p->row = row;
	p->metric = metric;
	return p;
}

/* Write data/<name> in the render directory (a new file: two rows whose
 * names collide do not overwrite each other). */
static int write_data(struct render *r, const char *name, const struct rep_buf *b)
{
	char *rel = mb_xasprintf("data/%s", name), *path = mb_xasprintf("%s/%s", r->dir, rel);
	int rc = MB_OK, fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = mb_err_errno(MB_EINPUT, "cannot create %s", rel);
	} else {
		if (write(fd, rep_bstr(b), b->n) != (ssize_t)b->n)
			rc = mb_err_errno(MB_EINTERNAL, "cannot write %s", rel);
		close(fd);
	}
	if (rc) {
		free(rel);
	} else {
		if (r->ndata == r->datacap) {
			r->datacap = r->datacap ? r->datacap * 2 : 64;
			r->data = mb_xrealloc(r->data, (size_t)r->datacap * sizeof(*r->data));
		}
		r->data[r->ndata++] = rel;
	}
	free(path);
	return rc;
}

/* ---- timelines ----------------------------------------------------------------- */

/* Scale and axis label for a workload unit. */
static void unit_scale(const char *unit, double *div, const char **label)
{
	*div = 1;
	*label = "per second";
	if (unit && !strcmp(unit, "B")) {
		*div = 1e6;
		*label = "MB/s";
	} else if (unit && !strcmp(unit, "add")) {
		*div = 1e6;
		*label = "million additions/s";
	} else if (unit && !strcmp(unit, "beat")) {
		*label = "heartbeats/s";
	}
}

static bool field_num(const char *s, double *v)
{
	char *end;
	if (!*s || *s == ',' || *s == '\n')
		return false;
	*v = strtod(s, &end);
	return end != s && (*end == ',' || *end == '\n' || *end == '\r' || !*end) && isfinite(*v);
}

/* The start of field i of a CSV line (no quoted fields in samples files). */
static const char *field_at(const char *line, int i)
{
	for (; i > 0 && line; i--) {
		line = strchr(line, ',');
		if (line)
			line++;
	}
	return line;
}

static int header_index(const char *header, const char *name)
{
	size_t n = strlen(name);
	for (int i = 0; header; i++, header = field_at(header, 1))
		if (!strncmp(header, name, n) && strchr(",\r\n", header[n]))
			return i;
	return -1;
}

/* The samples file's time_s and rate columns into "t rate/div" lines. */
static int read_samples(FILE *f, double div, struct rep_buf *out, int *npoints)
{
	char *line = NULL;
	size_t len = 0;
	int ti = -1, ri = -1;
	*npoints = 0;
	if (getline(&line, &len, f) >= 0) {
		ti = header_index(line, "time_s");
		ri = header_index(line, "rate");
	}
	if (ti < 0 || ri < 0) {
		free(line);
		return mb_err(MB_EINPUT, "no time_s and rate columns in its header");
	}
	while (getline(&line, &len, f) >= 0) {
		const char *ts = field_at(line, ti), *rs = field_at(line, ri);
		double t, v;
		if (ts && rs && field_num(ts, &t) && field_num(rs, &v)) {
			rep_bprintf(out, "%.9g %.9g\n", t, v / div);
			(*npoints)++;
		}
	}
	free(line);
	return MB_OK;
}

/* data/timeline-<name>.dat (and .iter.dat): MB_OK when there is something to draw. */
static int timeline_data(struct render *r, const struct rep_row *row, const char *name, double div)
{
	bool missing;
	FILE *f = rep_open_confined(row->dir, row->samples_file, &missing);
	struct rep_buf d = { 0 };
	int n, rc;
	char *file;
	if (!f) {
		if (!missing)
			r->set->refused++;
		return mb_err_ctx(MB_EINPUT, "samples.file");
	}
	rc = read_samples(f, div, &d, &n);
	fclose(f);
	if (!rc && n == 0)
		rc = mb_err(MB_EINPUT, "no sample with a rate in the samples file");
	file = mb_xasprintf("timeline-%s.dat", name);
	if (!rc)
		rc = write_data(r, file, &d);
	free(file);
	rep_bfree(&d);
	for (size_t i = 0; !rc && i < row->niter; i++)
		if (isfinite(row->iter_s[i]))
			rep_bprintf(&d, "%.9g\n", row->iter_s[i]);
	if (!rc && d.n) {
		file = mb_xasprintf("timeline-%s.iter.dat", name);
		rc = write_data(r, file, &d);
		free(file);
	}
	rep_bfree(&d);
	return rc;
}

static void timeline_title(struct rep_buf *t, const struct rep_row *row)
{
	rep_bprintf(t, "%s: %s, RTT ", row->id, row->workload ? row->workload : "?");
	rep_human(t, row->delay_ms / 1e3, "s");
	rep_bputs(t, ", migration ");
	rep_human(t, row->total_s, "s");
	rep_bputs(t, ", downtime ");
	rep_human(t, row->downtime_s, "s");
}

static void timeline_script(struct rep_buf *gp, const struct rep_row *row, const char *name, const char *ylabel,
			    bool iters)
{
	struct rep_buf title = { 0 };
	timeline_title(&title, row);
	rep_bprintf(gp, "reset\nset terminal pngcairo size 960,460 font 'sans,10' noenhanced\n"
			"set output 'timeline-%s.png'\nset grid\nset key outside below\nset title ",
		    name);
	rep_gp_quote(gp, title.s);
	rep_bputs(gp, "\nset xlabel 'time from migration start (s)'\nset ylabel ");
	rep_gp_quote(gp, ylabel);
	rep_bputs(gp, "\nset yrange [0:*]\nset y2range [0:1]\n");
	if (isfinite(row->resume_s))
		rep_bprintf(gp, "set object 1 rect from 0, graph 0 to %.6f, graph 1 fc rgb '#fde6c4' "
				"fs solid 1.0 noborder behind\n"
				"set label 1 'migration' at %.6f, graph 0.95 center tc rgb '#a05a00'\n",
			    row->resume_s, row->resume_s / 2);
	if (isfinite(row->pause_s))
		rep_bprintf(gp, "set arrow 1 from %.6f, graph 0 to %.6f, graph 1 nohead lc rgb '#c00000' "
				"dt 2 lw 1.5\nset label 2 'switchover' at %.6f, graph 0.88 left offset 0.5,0 "
				"tc rgb '#c00000'\n",
			    row->pause_s, row->pause_s, row->pause_s);
	rep_bprintf(gp, "plot 'data/timeline-%s.dat' using 1:2 with linespoints pt 7 ps 0.4 lc rgb '#1f5fa8' "
			"title 'guest throughput (per sample interval)'",
		    name);
	if (iters)
		rep_bprintf(gp, ", 'data/timeline-%s.iter.dat' using 1:(0):(0):(0.08) axes x1y2 with vectors "
				"nohead lc rgb '#606060' title 'pre-copy iteration (ticks at the bottom)'",
			    name);
	rep_bputs(gp, "\n");
	rep_bfree(&title);
}

static void timelines(struct render *r)
{
	for (int i = 0; i < r->set->n; i++) {
		const struct rep_row *row = &r->set->rows[i];
		char *name, *iter;
		const char *ylabel;
		double div;
		if (strcmp(row->status, "ok") || !row->samples_file)
			continue;
		name = rep_safe_name(row->id);
		unit_scale(row->unit, &div, &ylabel);
		if (timeline_data(r, row, name, div) != MB_OK) {
			char *f = rep_printable(row->samples_file);
			rep_problem(r->set, "%s/scenarios.jsonl:%d: no timeline for samples file '%s': %s", row->dir,
				    row->line, f, mb_errmsg());
			free(f);
			free(name);
			continue;
		}
		iter = mb_xasprintf("data/timeline-%s.iter.dat", name);
		timeline_script(&new_plot(r, mb_xasprintf("timeline-%s.png", name), i, -1)->gp, row, name, ylabel,
				r->ndata && !strcmp(r->data[r->ndata - 1], iter));
		free(iter);
		free(name);
	}
}

/* ---- series labels -------------------------------------------------------------- */

char **rep_series_labels(const struct rep_set *set)
{
	json_object **count = mb_xcalloc(mb_noptions, sizeof(*count)); /* value -> rows, per option */
	const char **modal = mb_xcalloc(mb_noptions, sizeof(*modal));
	int *best = mb_xcalloc(mb_noptions, sizeof(*best));
	char **labels = mb_xcalloc(set->n ? (size_t)set->n : 1, sizeof(*labels));
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
	/* The most common value; on a tie, the one of the earliest row. */
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
	for (int i = 0; i < set->n; i++) {
		const struct rep_row *row = &set->rows[i];
		struct rep_buf b = { 0 };
		rep_bputs(&b, row->workload ? row->workload : "?");
		if (row->experiment && strcmp(row->experiment, "global"))
			rep_bprintf(&b, " %s", row->experiment);
		for (int j = 0; j < row->ncfg; j++)
			if (strcmp(modal[row->cfg_opt[j]], row->cfg_val[j]))
				rep_bprintf(&b, " %s=%s", mb_options[row->cfg_opt[j]].full, row->cfg_val[j]);
		labels[i] = b.s;
	}
	for (size_t o = 0; o < mb_noptions; o++)
		json_object_put(count[o]);
	free(count);
	free(modal);
	free(best);
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
						  "relative-performance-vs-delay" };
static const char *const sweep_ylabel[REP_NMETRIC] = { "migration time (s)", "downtime (s)",
						       "throughput during migration / before" };
static const char *const colors[] = { "#1f5fa8", "#c0392b", "#27864a", "#8e44ad",
				      "#d35400", "#16a085", "#7f8c8d", "#2c3e50" };

/* One finished scenario on a sweep plot. */
struct point {
	int series;
	double delay_ms;
	double m[REP_NMETRIC];
	double lower; /* RAM / probed link throughput (s), NaN: unknown */
};

static int point_cmp(const void *a, const void *b)
{
	const struct point *p = a, *q = b;
	if (p->series != q->series)
		return p->series < q->series ? -1 : 1;
	return p->delay_ms < q->delay_ms ? -1 : p->delay_ms > q->delay_ms;
}

static int double_cmp(const void *a, const void *b)
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
		if (strcmp(row->status, "ok") || !isfinite(row->delay_ms))
			continue;
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
		p->lower = isfinite(row->memory) && row->probe_tcp_bytes_per_s > 0
				   ? row->memory / row->probe_tcp_bytes_per_s : NAN;
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
	qsort(d, (size_t)npts, sizeof(*d), double_cmp);
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
	if (any && write_data(r, name, &d) != MB_OK) {
		rep_problem(r->set, "sweep plot data %s: %s", name, mb_errmsg());
		any = false;
	}
	free(name);
	rep_bfree(&d);
	return any;
}

static void sweep_plot(struct render *r, const struct point *pts, int npts, char **names, int k)
{
	struct plot *p = new_plot(r, mb_xasprintf("%s.png", rep_sweep_file[k]), -1, k);
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
			    drawn++ ? ", " : "", rep_sweep_file[k], si, colors[si % MB_ARRAY_SIZE(colors)]);
		rep_gp_quote(gp, names[si]);
	}
	if (k == REP_M_TOTAL && lower_series >= 0)
		rep_bprintf(gp, ", 'data/%s-%d.dat' using 1:5 with lines dt 2 lc rgb '#555555' "
				"title 'lower bound: guest RAM / probed link throughput'",
			    rep_sweep_file[k], lower_series);
	rep_bputs(gp, "\n");
	if (!drawn) { /* nothing to draw for this metric */
		rep_bfree(gp);
		free(p->png);
		r->nplots--;
	}
}

/* The three sweep plots; the number of series. */
static int sweep(struct render *r)
{
	int npts, nseries;
	char **names;
	struct point *pts = sweep_points(r->set, &npts, &names, &nseries);
	for (int k = 0; npts && k < REP_NMETRIC; k++)
		sweep_plot(r, pts, npts, names, k);
	for (int i = 0; i < nseries; i++)
		free(names[i]);
	free(names);
	free(pts);
	return nseries;
}

/* ---- running gnuplot ------------------------------------------------------------ */

/* The plot (from start on) that holds line of the script gnuplot ran. */
static int plot_at_line(const struct render *r, int start, int line)
{
	int lo = start, hi = r->nplots - 1;
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		const struct plot *p = &r->plots[mid];
		if (line < p->first_line)
			hi = mid - 1;
		else if (line >= p->first_line + p->nlines)
			lo = mid + 1;
		else
			return mid;
	}
	return -1;
}

/* gnuplot's messages ("run.gp" line N: ...): warnings become problems; the
 * plot of the last error, or -1. */
static int gnuplot_messages(struct render *r, int start, const char *out)
{
	int failed = -1;
	for (const char *l = out, *next; l && *l; l = next) {
		const char *nl = strchr(l, '\n'), *m;
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		char *text, *msg;
		int p;
		next = nl ? nl + 1 : NULL;
		m = memmem(l, len, "\" line ", 7);
		if (!m || (p = plot_at_line(r, start, atoi(m + 7))) < 0)
			continue;
		msg = mb_xstrndup(l, len);
		text = rep_printable(msg);
		if (memmem(l, len, "warning:", 8)) {
			rep_problem(r->set, "plots/%s: gnuplot %s", r->plots[p].png, text);
		} else {
			rep_problem(r->set, "plots/%s: gnuplot failed (the plot is left out): %s", r->plots[p].png, text);
			failed = p;
		}
		free(text);
		free(msg);
	}
	return failed;
}

static void fail_rest(struct render *r, int start, const char *why)
{
	char *text = rep_printable(why);
	rep_problem(r->set, "gnuplot: %s: %d plot%s left out", text, r->nplots - start,
		    r->nplots - start == 1 ? "" : "s");
	for (int i = start; i < r->nplots; i++)
		r->plots[i].failed = true;
	free(text);
}

/* Run gnuplot in the render directory on the plots from start on. */
static int gnuplot_run(struct render *r, int start, struct mb_exec_result *res)
{
	struct rep_buf s = { 0 }, cd = { 0 };
	char *path = mb_xasprintf("%s/run.gp", r->dir);
	const char *argv[] = { "gnuplot", "-d", "-e", NULL, "run.gp", NULL };
	struct mb_exec_opts o = { .quiet = true };
	long timeout = 60000L + 2000L * (r->nplots - start);
	int line = 1, rc;
	for (int i = start; i < r->nplots; i++) {
		struct plot *p = &r->plots[i];
		p->first_line = line;
		p->nlines = 0;
		for (const char *c = rep_bstr(&p->gp); *c; c++)
			p->nlines += *c == '\n';
		line += p->nlines;
		rep_bputs(&s, rep_bstr(&p->gp));
	}
	rep_bputs(&cd, "cd ");
	rep_gp_quote(&cd, r->dir);
	argv[3] = cd.s;
	o.timeout_ms = timeout > 3600000L ? 3600000 : (int)timeout;
	rc = rep_write_file(path, rep_bstr(&s), s.n);
	if (!rc)
		rc = mb_exec(argv, &o, res);
	rep_bfree(&s);
	rep_bfree(&cd);
	free(path);
	return rc;
}

/* Every plot, leaving out those gnuplot fails on. */
static void gnuplot_all(struct render *r)
{
	int start = 0;
	while (start < r->nplots) {
		struct mb_exec_result res = { 0 };
		int failed, rc = gnuplot_run(r, start, &res);
		if (rc) {
			fail_rest(r, start, mb_errmsg());
		} else if (res.status == 127) {
			fail_rest(r, start, "gnuplot is not installed (make deps)");
		} else {
			failed = gnuplot_messages(r, start, res.out);
			if (res.status && failed < 0) {
				char last[512];
				mb_last_line(res.out ? res.out : "", last, sizeof(last));
				fail_rest(r, start, last);
			} else if (res.status) {
				r->plots[failed].failed = true;
				start = failed + 1;
				mb_exec_result_free(&res);
				continue;
			}
		}
		mb_exec_result_free(&res);
		break;
	}
}

/* Move what was drawn from the render directory into plots/. */
static void publish(struct render *r, const char *plots, struct rep_plotted *out)
{
	for (int i = 0; i < r->nplots; i++) {
		struct plot *p = &r->plots[i];
		char *src = mb_xasprintf("%s/%s", r->dir, p->png), *dst = mb_xasprintf("%s/%s", plots, p->png);
		if (!p->failed && rename(src, dst) < 0) {
			rep_problem(r->set, "plots/%s: %s", p->png,
				    errno == ENOENT ? "gnuplot drew nothing" : strerror(errno));
			p->failed = true;
		}
		if (p->failed)
			out->nfailed++;
		else if (p->row >= 0) {
			out->timeline[p->row] = mb_xstrdup(p->png);
			out->ntimelines++;
		} else
			out->sweep[p->metric] = true;
		free(src);
		free(dst);
	}
	for (int i = 0; i <= r->ndata; i++) {
		const char *name = i < r->ndata ? r->data[i] : "plots.gp";
		char *src = mb_xasprintf("%s/%s", r->dir, name), *dst = mb_xasprintf("%s/%s", plots, name);
		if (rename(src, dst) < 0)
			rep_problem(r->set, "plots/%s: %s", name, strerror(errno));
		free(src);
		free(dst);
	}
}

/* The whole script: checked, written as plots.gp for redrawing by hand. */
static int full_script(struct render *r)
{
	struct rep_buf s = { 0 };
	char *path = mb_xasprintf("%s/plots.gp", r->dir);
	int rc;
	rep_bputs(&s, "# plots.gp - written by migbench report; to redraw, run gnuplot plots.gp in this "
		      "directory\n");
	for (int i = 0; i < r->nplots; i++)
		rep_bputs(&s, rep_bstr(&r->plots[i].gp));
	rc = rep_gp_check(rep_bstr(&s));
	if (rc)
		rep_problem(r->set, "the plot script failed its safety check, no plots: %s", mb_errmsg());
	else
		rc = rep_write_file(path, rep_bstr(&s), s.n);
	rep_bfree(&s);
	free(path);
	return rc;
}

static void render_free(struct render *r)
{
	if (r->dir && mb_rm_rf(r->dir) != MB_OK)
		rep_problem(r->set, "%s", mb_errmsg());
	for (int i = 0; i < r->nplots; i++) {
		free(r->plots[i].png);
		rep_bfree(&r->plots[i].gp);
	}
	free(r->plots);
	for (int i = 0; i < r->ndata; i++)
		free(r->data[i]);
	free(r->data);
	free(r->dir);
}

int rep_plots(struct rep_set *set, const char *outdir, struct rep_plotted *out)
{
	char *plots = mb_xasprintf("%s/plots", outdir), *data = mb_xasprintf("%s/plots/data", outdir), *real = NULL;
	struct render r = { .set = set };
	int rc;
	memset(out, 0, sizeof(*out));
	out->timeline = mb_xcalloc(set->n ? (size_t)set->n : 1, sizeof(*out->timeline));
	rc = rep_real_dir(plots);
	if (!rc)
		rc = rep_real_dir(data);
	if (!rc && !(real = realpath(plots, NULL)))
		rc = mb_err_errno(MB_EINTERNAL, "cannot resolve %s", plots);
	if (!rc) {
		r.dir = mb_xasprintf("%s/.render-XXXXXX", real);
		if (!mkdtemp(r.dir)) {
			rc = mb_err_errno(MB_EINTERNAL, "cannot create %s", r.dir);
			free(r.dir);
			r.dir = NULL;
		}
	}
	if (!rc) {
		char *d = mb_xasprintf("%s/data", r.dir);
		if (mkdir(d, 0755) < 0)
			rc = mb_err_errno(MB_EINTERNAL, "cannot create %s", d);
		free(d);
	}
	if (!rc) {
		timelines(&r);
		out->nseries = sweep(&r);
		if (r.nplots && full_script(&r) == MB_OK) {
			gnuplot_all(&r);
			publish(&r, plots, out);
		}
	}
	render_free(&r);
	free(real);
	free(data);
	free(plots);
	return rc;
}

void rep_plotted_free(struct rep_plotted *p, int nrows)
{
	for (int i = 0; p->timeline && i < nrows; i++)
		free(p->timeline[i]);
	free(p->timeline);
	memset(p, 0, sizeof(*p));
}
