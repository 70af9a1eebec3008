/* keyplots.c - the neighbouring studies' plots: one figure of the record
 * against one scenario key, mean and 95% CI over repetitions, one line per
 * series (the series labels without the key on the x axis, plus the link
 * or RTT when the delay varies).  Table-driven: each plot is a row of
 * keyplots[] (x key, x and y of a row, axis texts, file); it is drawn only
 * when its key takes more than one value among the rows that have its
 * figure.
 *
 *   neighbour-slowdown-vs-neighbours.png  the main guest's before-window
 *       rate over its series' 0-neighbour cell (isolation.ini)
 *   ksm-merged-vs-guests.png   KSM's merged MiB at the end of the after
 *       window against 1 + neighbours, where ksm = on|off (ksm.ini)
 *   throughput-vs-data-size.png  seqread's before-window rate against
 *       seqread_size (memcache.ini)
 *   migration-time-vs-vms.png  the migrations' total time against
 *       migrate_vms (multi-migrate.ini) */
#define _GNU_SOURCE
#include "report/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#define MIB 1048576.0

static double x_neighbours(const struct rep_row *r) { return r->neighbours; }
static double x_guests(const struct rep_row *r) { return 1 + r->neighbours; }
static double x_size_mib(const struct rep_row *r) { return r->seqread_size / MIB; }
static double x_vms(const struct rep_row *r) { return r->migrate_vms; }

static bool ok(const struct rep_row *r)
{
	return !strcmp(r->status, "ok");
}

static double y_before_rate(const struct rep_row *r)
{
	return ok(r) ? r->before_rate : NAN;
}

/* Only where migbench set KSM (ksm = on|off): with keep the figure is
 * whatever the host was doing. */
static double y_merged_mib(const struct rep_row *r)
{
	bool set = r->ksm_mode && (!strcmp(r->ksm_mode, "on") || !strcmp(r->ksm_mode, "off"));
	return ok(r) && set ? r->ksm_after_merged / MIB : NAN;
}

static double y_read_mbps(const struct rep_row *r)
{
	return ok(r) && r->workload && !strcmp(r->workload, "seqread") ? r->before_rate / 1e6 : NAN;
}

/* The aggregate of migrate_vms > 1, the one migration's time for 1. */
static double y_total(const struct rep_row *r)
{
	if (rep_row_outcome(r) != REP_O_CONVERGED)
		return NAN;
	if (isfinite(r->migs_total_s))
		return r->migs_total_s;
	return r->migrate_vms == 1 ? r->total_s : NAN;
}

static const struct keyplot {
	const char *file, *title, *xkey, *xlabel, *ylabel;
	const char *ylabel_rel;                 /* with relative0, when every series has an x = 0 cell */
	double (*x)(const struct rep_row *);
	double (*y)(const struct rep_row *);    /* NaN: no point for this row */
	bool relative0, logx;
} keyplots[REP_NKEYPLOT] = {
	{ "neighbour-slowdown-vs-neighbours", "the main guest beside its neighbours", "neighbours",
	  "neighbours (same kind of load)", "before-window rate (the workload's unit per second)",
	  "before-window rate / the same setting's with 0 neighbours", x_neighbours, y_before_rate, true,
	  false },
	{ "ksm-merged-vs-guests", "KSM merged memory at the end of the after window", "neighbours",
	  "identical guests (1 + neighbours)", "merged (MiB, pages_sharing x page size)", NULL, x_guests,
	  y_merged_mib, false, false },
	{ "throughput-vs-data-size", "seqread throughput against the data set", "seqread_size",
	  "data size (MiB, seqread_size)", "before-window read rate (MB/s)", NULL, x_size_mib, y_read_mbps,
	  false, true },
	{ "migration-time-vs-vms", "VMs migrating together", "migrate_vms", "VMs migrating together (migrate_vms)",
	  "total migration time (s, the first start to the last end)", NULL, x_vms, y_total, false, false },
};

const char *rep_keyplot_file(int k)
{
	return keyplots[k].file;
}

const char *rep_keyplot_title(int k)
{
	return keyplots[k].title;
}

/* ---- the series ---------------------------------------------------------------- */

struct kraw {
	int series;
	double x, y;
};

static int kraw_cmp(const void *a, const void *b)
{
	const struct kraw *p = a, *q = b;
	if (p->series != q->series)
		return p->series < q->series ? -1 : 1;
	return p->x < q->x ? -1 : p->x > q->x;
}

/* Whether the rows with a point (y finite) differ in delay. */
static bool delay_varies(const struct rep_set *set, const struct keyplot *kp)
{
	double first = NAN;
	for (int i = 0; i < set->n; i++) {
		const struct rep_row *row = &set->rows[i];
		if (!isfinite(kp->x(row)) || !isfinite(kp->y(row)))
			continue;
		if (isnan(first))
			first = row->delay_ms;
		else if (row->delay_ms != first && (isfinite(row->delay_ms) || isfinite(first)))
			return true;
	}
	return false;
}

/* The points of the rows, sorted by series and x; the labels in out. */
static struct kraw *raw_points(const struct rep_set *set, const struct keyplot *kp, int *npts,
			       struct rep_kplot_data *out)
{
	char **labels = rep_series_labels_without(set, kp->xkey);
	bool by_delay = delay_varies(set, kp);
	json_object *ids = json_object_new_object(); /* label -> series */
	struct kraw *pts = mb_xcalloc(set->n ? (size_t)set->n : 1, sizeof(*pts));
	out->s = mb_xcalloc(set->n ? (size_t)set->n : 1, sizeof(*out->s));
	*npts = 0;
	for (int i = 0; i < set->n; i++) {
		const struct rep_row *row = &set->rows[i];
		double x = kp->x(row), y = kp->y(row);
		struct rep_buf l = { 0 };
		json_object *s;
		if (!isfinite(x) || !isfinite(y))
			continue;
		rep_bputs(&l, labels[i]);
		if (by_delay && row->link && *row->link)
			rep_bprintf(&l, " %s", row->link);
		else if (by_delay)
			rep_bprintf(&l, " RTT %.9g ms", row->delay_ms);
		if (!json_object_object_get_ex(ids, rep_bstr(&l), &s)) {
			s = json_object_new_int(out->n);
			json_object_object_add(ids, rep_bstr(&l), s);
			out->s[out->n++].label = mb_xstrdup(rep_bstr(&l));
		}
		pts[*npts].series = json_object_get_int(s);
		pts[*npts].x = x;
		pts[(*npts)++].y = y;
		rep_bfree(&l);
	}
	qsort(pts, (size_t)*npts, sizeof(*pts), kraw_cmp);
	json_object_put(ids);
	rep_labels_free(labels, set->n);
	return pts;
}

/* pts[from, to): one series; its cells (one per x) into s. */
static void series_cells(const struct kraw *pts, int from, int to, struct rep_kseries *s)
{
	s->pts = mb_xcalloc((size_t)(to - from), sizeof(*s->pts));
	for (int g = from, e; g < to; g = e) {
		struct rep_kpoint *c = &s->pts[s->n++];
		double sum = 0, sum2 = 0;
		for (e = g; e < to && pts[e].x == pts[g].x; e++) {
			sum += pts[e].y;
			sum2 += pts[e].y * pts[e].y;
		}
		c->x = pts[g].x;
		c->n = e - g;
		c->mean = sum / c->n;
		c->ci = 0;
		if (c->n >= 2) {
			double var = (sum2 - c->n * c->mean * c->mean) / (c->n - 1);
			c->ci = rep_t95(c->n - 1) * sqrt(var > 0 ? var : 0) / sqrt(c->n);
		}
	}
}

/* Every series over its x = 0 cell, when every one has a non-zero one. */
static void relative_to_zero(struct rep_kplot_data *d)
{
	for (int i = 0; i < d->n; i++)
		if (!d->s[i].n || d->s[i].pts[0].x != 0 || !(d->s[i].pts[0].mean > 0))
			return;
	for (int i = 0; i < d->n; i++) {
		double base = d->s[i].pts[0].mean;
		for (int j = 0; j < d->s[i].n; j++) {
			d->s[i].pts[j].mean /= base;
			d->s[i].pts[j].ci /= base;
		}
	}
	d->relative = true;
}

int rep_keyplot_series(const struct rep_set *set, int k, struct rep_kplot_data *out)
{
	const struct keyplot *kp = &keyplots[k];
	int npts, nx = 0;
	struct kraw *pts;
	memset(out, 0, sizeof(*out));
	pts = raw_points(set, kp, &npts, out);
	for (int i = 0; i < npts && nx < 2; i++)
		if (!i || pts[i].x != pts[0].x)
			nx++;
	for (int from = 0, to; from < npts; from = to) {
		for (to = from; to < npts && pts[to].series == pts[from].series; to++)
			;
		series_cells(pts, from, to, &out->s[pts[from].series]);
	}
	free(pts);
	if (nx < 2) { /* one x value says nothing: the comparison shows it */
		rep_kplot_data_free(out);
		return 0;
	}
	if (kp->relative0)
		relative_to_zero(out);
	return out->n;
}

void rep_kplot_data_free(struct rep_kplot_data *d)
{
	for (int i = 0; i < d->n; i++) {
		free(d->s[i].label);
		free(d->s[i].pts);
	}
	free(d->s);
	memset(d, 0, sizeof(*d));
}

/* ---- the plots ------------------------------------------------------------------ */

/* The x axis: ticks at the values measured (when there are few). */
static void kaxis(struct rep_buf *gp, const struct keyplot *kp, const struct rep_kplot_data *d)
{
	double lo = INFINITY, hi = -INFINITY, ticks[21];
	int nt = 0;
	for (int i = 0; i < d->n; i++)
		for (int j = 0; j < d->s[i].n; j++) {
			double x = d->s[i].pts[j].x;
			int t = 0;
			lo = fmin(lo, x);
			hi = fmax(hi, x);
			while (t < nt && ticks[t] != x)
				t++;
			if (t == nt && nt < (int)MB_ARRAY_SIZE(ticks))
				ticks[nt++] = x;
		}
	if (kp->logx && lo > 0)
		rep_bprintf(gp, "set logscale x 2\nset xrange [%.9g:%.9g]\n", lo / 1.3, hi * 1.3);
	else
		rep_bprintf(gp, "set xrange [%.9g:%.9g]\n", lo - fmax(0.5, (hi - lo) * 0.05),
			    hi + fmax(0.5, (hi - lo) * 0.05));
	if (nt <= 20) {
		qsort(ticks, (size_t)nt, sizeof(*ticks), rep_double_cmp);
		rep_bputs(gp, "set xtics (");
		for (int t = 0; t < nt; t++)
			rep_bprintf(gp, "%s%.9g", t ? ", " : "", ticks[t]);
		rep_bputs(gp, ")\n");
	}
}

/* data/<file>-<series>.dat: "x mean ci95 n" rows. */
static bool kdata(struct render *r, const struct keyplot *kp, const struct rep_kseries *s, int si)
{
	struct rep_buf d = { 0 };
	char *name = mb_xasprintf("%s-%d.dat", kp->file, si);
	bool done;
	rep_bputs(&d, "# x mean ci95 n\n");
	for (int j = 0; j < s->n; j++)
		rep_bprintf(&d, "%.9g %.9g %.9g %d\n", s->pts[j].x, s->pts[j].mean, s->pts[j].ci, s->pts[j].n);
	done = rep_write_data(r, name, &d) == MB_OK;
	if (!done)
		rep_problem(r->set, "plot data %s: %s", name, mb_errmsg());
	free(name);
	rep_bfree(&d);
	return done;
}

static void keyplot(struct render *r, int k)
{
	const struct keyplot *kp = &keyplots[k];
	struct rep_kplot_data d;
	struct plot *p;
	char *title;
	int drawn = 0;
	if (!rep_keyplot_series(r->set, k, &d))
		return;
	p = rep_new_plot(r, mb_xasprintf("%s.png", kp->file), -1, -1);
	p->keyplot = k;
	rep_bprintf(&p->gp, "reset\nset terminal pngcairo size 800,520 font 'sans,10' noenhanced\n"
			    "set output '%s'\nset grid\nset key outside below\n",
		    p->png);
	kaxis(&p->gp, kp, &d);
	/* The texts go through rep_gp_quote too: an apostrophe in one would
	 * end the literal. */
	rep_bputs(&p->gp, "set xlabel ");
	rep_gp_quote(&p->gp, kp->xlabel);
	rep_bputs(&p->gp, "\nset ylabel ");
	rep_gp_quote(&p->gp, d.relative ? kp->ylabel_rel : kp->ylabel);
	title = mb_xasprintf("%s (mean and 95%% CI over repetitions)", kp->title);
	rep_bputs(&p->gp, "\nset title ");
	rep_gp_quote(&p->gp, title);
	rep_bputs(&p->gp, "\n");
	free(title);
	rep_bputs(&p->gp, "set offsets 0, 0, graph 0.05, 0\nset yrange [0:*]\nplot ");
	for (int i = 0; i < d.n; i++) {
		if (!kdata(r, kp, &d.s[i], i))
			continue;
		rep_bprintf(&p->gp, "%s'data/%s-%d.dat' using 1:2:3 with yerrorlines pt 7 lc rgb '%s' title ",
			    drawn++ ? ", " : "", kp->file, i, rep_color(i));
		rep_gp_quote(&p->gp, d.s[i].label);
	}
	rep_bputs(&p->gp, "\n");
	if (!drawn) {
		rep_bfree(&p->gp);
		free(p->png);
		r->nplots--;
	}
	rep_kplot_data_free(&d);
}

void rep_keyplots(struct render *r)
{
	for (int k = 0; k < REP_NKEYPLOT; k++)
		keyplot(r, k);
}
