/* report.c - summary.csv, gnuplot plots and index.html from scenario records.
 *
 * Plots are made by gnuplot from data files written next to them
 * (plots/data/), so every picture can be regenerated or restyled by hand:
 *   timeline-<id>.png             the guest's throughput over time, the
 *                                 migration window shaded, switchover and
 *                                 iterations marked (the study's Figs. 3-6)
 *   migration-time-vs-delay.png   mean and 95% CI over repetitions, one line
 *   downtime-vs-delay.png         per workload / pre-copy setting, with the
 *   relative-performance-vs-delay.png  RAM / link bandwidth lower bound
 */
#define _GNU_SOURCE
#include "report/report.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/exec.h"
#include "core/log.h"
#include "core/util.h"
#include "profile/options.h"
#include "record/record.h"

/* ---- loading ------------------------------------------------------------- */

int rep_load(const char *const *dirs, int n, struct rep_set *set)
{
	memset(set, 0, sizeof(*set));
	for (int d = 0; d < n; d++) {
		json_object **objs;
		int k, bad, rc = res_read_scenarios(dirs[d], &objs, &k, &bad);
		char *rp = mb_xasprintf("%s/run.json", dirs[d]);
		if (!mb_path_exists(rp)) {
			free(rp);
			if (!rc)
				res_free_scenarios(objs, k);
			rep_free(set);
			return mb_err(MB_EINPUT, "%s: not a migbench run directory (no run.json)", dirs[d]);
		}
		if (!set->run)
			set->run = json_object_from_file(rp);
		free(rp);
		if (rc) {
			rep_free(set);
			return rc;
		}
		set->bad_lines += bad;
		set->objs = mb_xrealloc(set->objs, (size_t)(set->nobjs + k) * sizeof(*set->objs));
		for (int i = 0; i < k; i++) {
			json_object *rec = objs[i];
			const char *id = rep_str(rec, "id");
			int found = -1;
			set->objs[set->nobjs++] = rec;
			if (!id)
				continue;
			for (int j = 0; j < set->n && found < 0; j++)
				if (!strcmp(rep_str(set->rows[j].rec, "id"), id))
					found = j;
			if (found >= 0) {
				if (strcmp(set->rows[found].dir, dirs[d])) {
					mb_warn("scenario %s is recorded in both %s and %s; using the one in %s",
						id, set->rows[found].dir, dirs[d], dirs[d]);
					set->duplicates++;
				}
				/* The same run: a retried scenario; the last record wins. */
				set->rows[found].rec = rec;
				set->rows[found].dir = dirs[d];
			} else {
				set->rows = mb_xrealloc(set->rows, (size_t)(set->n + 1) * sizeof(*set->rows));
				set->rows[set->n++] = (struct rep_row){ rec, dirs[d] };
			}
		}
		free(objs); /* the records now belong to set->objs */
	}
	return MB_OK;
}

void rep_free(struct rep_set *set)
{
	for (int i = 0; i < set->nobjs; i++)
		json_object_put(set->objs[i]);
	free(set->objs);
	free(set->rows);
	json_object_put(set->run);
	memset(set, 0, sizeof(*set));
}

const char *rep_str(json_object *rec, const char *path);
static json_object *jpath(json_object *o, const char *path);
static const char *S(json_object *rec, const char *path);

static json_object *jpath(json_object *o, const char *path)
{
	char key[128];
	while (o && *path) {
		size_t n = strcspn(path, ".");
		snprintf(key, sizeof(key), "%.*s", (int)(n < 127 ? n : 127), path);
		if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		path += n + (path[n] == '.');
	}
	return o;
}

double rep_num(json_object *rec, const char *path)
{
	json_object *o = jpath(rec, path);
	if (!o || json_object_is_type(o, json_type_null))
		return NAN;
	if (json_object_is_type(o, json_type_boolean))
		return json_object_get_boolean(o);
	if (!json_object_is_type(o, json_type_double) && !json_object_is_type(o, json_type_int))
		return NAN;
	return json_object_get_double(o);
}

/* rep_str or "" */
static const char *S(json_object *rec, const char *path)
{
	const char *s = rep_str(rec, path);
	return s ? s : "";
}

const char *rep_str(json_object *rec, const char *path)
{
	json_object *o = jpath(rec, path);
	if (!o || json_object_is_type(o, json_type_null))
		return NULL;
	return json_object_get_string(o);
}

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

/* ---- a growing string ---------------------------------------------------- */

struct buf {
	char *s;
	size_t n, cap;
};

static void bprintf(struct buf *b, const char *fmt, ...) MB_PRINTF(2, 3);
static void bprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int k;
	for (;;) {
		size_t room = b->cap - b->n;
		va_start(ap, fmt);
		k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? room : 0, fmt, ap);
		va_end(ap);
		if (k >= 0 && b->s && (size_t)k < room) {
			b->n += (size_t)k;
			return;
		}
		b->cap = (b->cap ? b->cap * 2 : 4096) + (size_t)(k > 0 ? k : 0);
		b->s = mb_xrealloc(b->s, b->cap);
		if (b->n == 0)
			b->s[0] = '\0';
	}
}

static void bnum(struct buf *b, double v)
{
	if (isnan(v))
		bprintf(b, ",");
	else
		bprintf(b, ",%.9g", v);
}

/* CSV field: quoted when it has a comma, quote or newline. */
static void bstr(struct buf *b, const char *s, bool first)
{
	if (!first)
		bprintf(b, ",");
	if (!s)
		return;
	if (!strpbrk(s, ",\"\n")) {
		bprintf(b, "%s", s);
		return;
	}
	bprintf(b, "\"");
	for (; *s; s++)
		bprintf(b, *s == '"' ? "\"\"" : *s == '\n' ? " " : "%c", *s);
	bprintf(b, "\"");
}

/* ---- summary.csv ------------------------------------------------------------ */

static const struct col {
	const char *name, *path;
	bool text;
} cols[] = {
	{ "id", "id", true },
	{ "experiment", "experiment", true },
	{ "repetition", "repetition", false },
	{ "status", "status", true },
	{ "workload", "workload", true },
	{ "delay_s", "delay_s", false },
	{ "jitter_s", "config.jitter", false },
	{ "loss", "config.loss", false },
	{ "rate_bytes_per_s", "config.rate", false },
	{ "link_path", "config.link_path", true },
	{ "max_downtime_s", "precopy.max_downtime_s", false },
	{ "bandwidth_bytes_per_s", "precopy.bandwidth_bytes_per_s", false },
	{ "auto_converge", "precopy.auto_converge", false },
	{ "xbzrle", "precopy.xbzrle", false },
	{ "compression", "precopy.compression", true },
	{ "multifd", "precopy.multifd", false },
	{ "postcopy_after", "precopy.postcopy_after", false },
	{ "memory_bytes", "config.memory", false },
	{ "migration_total_s", "migration.total_s", false },
	{ "migration_downtime_s", "migration.downtime_s", false },
	{ "migration_setup_s", "migration.setup_s", false },
	{ "migration_bytes", "migration.bytes", false },
	{ "migration_iterations", "migration.iterations", false },
	{ "migration_bandwidth_bytes_per_s", "migration.bandwidth_bytes_per_s", false },
	{ "observed_downtime_s", "migration.observed_downtime_s", false },
	{ "postcopy", "migration.postcopy", false },
	{ "unit", "phases.before.unit", true },
	{ "before_rate", "phases.before.rate", false },
	{ "before_stddev", "phases.before.stddev", false },
	{ "before_n", "phases.before.n", false },
	{ "during_rate", "phases.during.rate", false },
	{ "during_stddev", "phases.during.stddev", false },
	{ "during_n", "phases.during.n", false },
	{ "after_rate", "phases.after.rate", false },
	{ "after_stddev", "phases.after.stddev", false },
	{ "after_n", "phases.after.n", false },
	{ "ratio_during", "ratio.during", false },
	{ "ratio_after", "ratio.after", false },
	{ "guest_gap_s", "guest_gap_s", false },
	{ "samples_lost", "samples.lost", false },
	{ "probe_rtt_avg_s", "link.probe.rtt_avg_s", false },
	{ "probe_rtt_p99_s", "link.probe.rtt_p99_s", false },
	{ "probe_tcp_bytes_per_s", "link.probe.tcp_bytes_per_s", false },
	{ "link_backend", "link.backend", true },
	{ "storage_mode", "storage.mode", true },
	{ "source", "source", true },
	{ "destination", "destination", true },
	{ "error", "error", true },
};

char *rep_summary_csv(const struct rep_set *set)
{
	struct buf b = { 0 };
	for (size_t c = 0; c < MB_ARRAY_SIZE(cols); c++)
		bprintf(&b, "%s%s", c ? "," : "", cols[c].name);
	bprintf(&b, "\n");
	for (int i = 0; i < set->n; i++) {
		json_object *rec = set->rows[i].rec;
		for (size_t c = 0; c < MB_ARRAY_SIZE(cols); c++) {
			if (cols[c].text)
				bstr(&b, rep_str(rec, cols[c].path), c == 0);
			else
				bnum(&b, rep_num(rec, cols[c].path));
		}
		bprintf(&b, "\n");
	}
	return b.s;
}

/* ---- plots ------------------------------------------------------------------ */

static int write_str(const char *path, const char *s)
{
	return mb_write_file_atomic(path, s, strlen(s));
}

/* Scale and label for a workload unit. */
static void unit_scale(const char *unit, double *div, const char **label)
{
	if (unit && !strcmp(unit, "B")) {
		*div = 1048576.0;
		*label = "MiB/s";
	} else if (unit && !strcmp(unit, "add")) {
		*div = 1e6;
		*label = "million additions/s";
	} else {
		*div = 1;
		*label = unit && !strcmp(unit, "beat") ? "heartbeats/s" : "per second";
	}
}

static void timeline_script(struct buf *gp, json_object *rec, const char *dir, const char *out)
{
	const char *id = S(rec, "id"), *unit = rep_str(rec, "phases.before.unit");
	const char *label;
	double div, resume = rep_num(rec, "migration.resume_s"), pause = rep_num(rec, "migration.pause_s");
	json_object *iters = jpath(rec, "migration.iteration_events_s");
	char *csv = mb_xasprintf("%s/%s", dir, S(rec, "samples.file"));

	unit_scale(unit, &div, &label);
	bprintf(gp, "reset\nset terminal pngcairo size 960,460 font 'sans,10'\n");
	bprintf(gp, "set output '%s/timeline-%s.png'\n", out, id);
	bprintf(gp, "set datafile separator ','\nset grid\nset key outside below\n");
	bprintf(gp, "set title \"%s: %s, RTT %g ms, migration %.2f s, downtime %.0f ms\" noenhanced\n", id,
		S(rec, "workload"), rep_num(rec, "delay_ms"), rep_num(rec, "migration.total_s"),
		rep_num(rec, "migration.downtime_s") * 1e3);
	bprintf(gp, "set xlabel 'time from migration start (s)'\nset ylabel '%s'\nset yrange [0:*]\n", label);
	if (!isnan(resume))
		bprintf(gp, "set object 1 rect from 0, graph 0 to %.6f, graph 1 fc rgb '#fde6c4' "
			    "fs solid 1.0 noborder behind\n"
			    "set label 1 'migration' at %.6f, graph 0.95 center tc rgb '#a05a00'\n",
			resume, resume / 2);
	if (!isnan(pause))
		bprintf(gp, "set arrow 1 from %.6f, graph 0 to %.6f, graph 1 nohead lc rgb '#c00000' "
			    "dt 2 lw 1.5\nset label 2 'switchover' at %.6f, graph 0.88 left offset 0.5,0 "
			    "tc rgb '#c00000'\n",
			pause, pause, pause);
	for (size_t i = 0; iters && i < json_object_array_length(iters); i++) {
		double t = json_object_get_double(json_object_array_get_idx(iters, i));
		bprintf(gp, "set arrow %zu from %.6f, graph 0 to %.6f, graph 0.08 nohead lc rgb '#606060'\n",
			i + 10, t, t);
	}
	bprintf(gp, "plot '%s' every ::1 using 1:($7/%g) with linespoints pt 7 ps 0.4 lc rgb '#1f5fa8' "
		    "title 'guest throughput (per sample interval)', "
		    "NaN with lines lc rgb '#606060' title 'pre-copy iteration (ticks at the bottom)'\n",
		csv, div);
	free(csv);
}

struct series {
	char key[256];   /* label */
	double delay[64];
	double vals[3][64][32]; /* metric x delay x repetition */
	int nrep[3][64];
	int ndelay;
	double lower[64]; /* RAM / probed bandwidth at that delay (mean) */
	int nlower[64];
};

enum { M_TOTAL, M_DOWNTIME, M_RATIO };

/* The label of a record's series: workload, experiment section, and the
 * matrix keys (list keys, but delay) whose value differs from the most
 * common one among the records, e.g. "memdirty downtime max_downtime=0.1". */
static void series_key(const struct rep_set *set, json_object *rec, char *out, size_t len)
{
	json_object *cfg = jpath(rec, "config");
	const char *exp = rep_str(rec, "experiment");
	size_t n = (size_t)snprintf(out, len, "%s", S(rec, "workload"));
	if (exp && strcmp(exp, "global") && n < len)
		n += (size_t)snprintf(out + n, len - n, " %s", exp);
	if (!cfg)
		return;
	json_object_object_foreach(cfg, k, v)
	{
		const char *mine = json_object_get_string(v), *modal = NULL;
		const struct mb_option *o = opt_find_full(k);
		int best = 0;
		if (!o || !(o->flags & OPT_LIST) || !strcmp(k, "delay") || !strcmp(k, "workload"))
			continue;
		for (int i = 0; i < set->n; i++) {
			json_object *ci = jpath(set->rows[i].rec, "config");
			json_object *wi = ci ? json_object_object_get(ci, k) : NULL;
			int count = 0;
			if (!wi)
				continue;
			for (int j = 0; j < set->n; j++) {
				json_object *cj = jpath(set->rows[j].rec, "config");
				json_object *wj = cj ? json_object_object_get(cj, k) : NULL;
				count += wj && !strcmp(json_object_get_string(wj), json_object_get_string(wi));
			}
			if (count > best) {
				best = count;
				modal = json_object_get_string(wi);
			}
		}
		if (modal && strcmp(modal, mine) && n < len)
			n += (size_t)snprintf(out + n, len - n, " %s=%s", k, mine);
	}
}

static int delay_slot(struct series *s, double d)
{
	for (int i = 0; i < s->ndelay; i++)
		if (s->delay[i] == d)
			return i;
	if (s->ndelay == 64)
		return -1;
	s->delay[s->ndelay] = d;
	return s->ndelay++;
}

static void stats(const double *v, int n, double *mean, double *ci)
{
	double sum = 0, sum2 = 0;
	for (int i = 0; i < n; i++) {
		sum += v[i];
		sum2 += v[i] * v[i];
	}
	*mean = n ? sum / n : NAN;
	if (n >= 2) {
		double var = (sum2 - n * *mean * *mean) / (n - 1);
		*ci = rep_t95(n - 1) * sqrt(var > 0 ? var : 0) / sqrt(n);
	} else {
		*ci = 0;
	}
}

static int sweep_plots(const struct rep_set *set, const char *plots, struct buf *gp)
{
	struct buf xaxis = { 0 };
	struct series *ser = NULL;
	int nser = 0;
	static const char *const files[3] = { "migration-time-vs-delay", "downtime-vs-delay",
					      "relative-performance-vs-delay" };
	static const char *const ylabels[3] = { "migration time (s)", "downtime (s)",
						"throughput during migration / before" };
	static const char *const colors[] = { "#1f5fa8", "#c0392b", "#27864a", "#8e44ad",
					      "#d35400", "#16a085", "#7f8c8d", "#2c3e50" };

	for (int i = 0; i < set->n; i++) {
		json_object *rec = set->rows[i].rec;
		const char *st = rep_str(rec, "status");
		char key[256];
		struct series *s = NULL;
		int slot;
		double m[3];
		if (!st || strcmp(st, "ok"))
			continue;
		series_key(set, rec, key, sizeof(key));
		for (int k = 0; k < nser && !s; k++)
			if (!strcmp(ser[k].key, key))
				s = &ser[k];
		if (!s) {
			ser = mb_xrealloc(ser, (size_t)(nser + 1) * sizeof(*ser));
			s = &ser[nser++];
			memset(s, 0, sizeof(*s));
			snprintf(s->key, sizeof(s->key), "%s", key);
		}
		slot = delay_slot(s, rep_num(rec, "delay_ms"));
		if (slot < 0)
			continue;
		m[M_TOTAL] = rep_num(rec, "migration.total_s");
		m[M_DOWNTIME] = rep_num(rec, "migration.downtime_s");
		m[M_RATIO] = rep_num(rec, "ratio.during");
		for (int k = 0; k < 3; k++)
			if (!isnan(m[k]) && s->nrep[k][slot] < 32)
				s->vals[k][slot][s->nrep[k][slot]++] = m[k];
		{
			double mem = rep_num(rec, "config.memory"), bw = rep_num(rec, "link.probe.tcp_bytes_per_s");
			if (!isnan(mem) && bw > 0) {
				s->lower[slot] += mem / bw;
				s->nlower[slot]++;
			}
		}
	}
	if (!nser) {
		free(ser);
		return 0;
	}
	/* x axis: ticks at the delays measured, a little room at both ends. */
	{
		double lo = INFINITY, hi = -INFINITY, pad;
		for (int si = 0; si < nser; si++)
			for (int i = 0; i < ser[si].ndelay; i++) {
				lo = fmin(lo, ser[si].delay[i]);
				hi = fmax(hi, ser[si].delay[i]);
			}
		pad = fmax(1, (hi - lo) * 0.05);
		xaxis.n = 0;
		bprintf(&xaxis, "set xrange [%g:%g]\nset xtics (", lo - pad, hi + pad);
		for (int si = 0, first = 1; si < nser; si++)
			for (int i = 0; i < ser[si].ndelay; i++) {
				bprintf(&xaxis, "%s%g", first ? "" : ", ", ser[si].delay[i]);
				first = 0;
			}
		bprintf(&xaxis, ")\n");
	}
	for (int k = 0; k < 3; k++) {
		bool any_lower = false;
		bprintf(gp, "reset\nset terminal pngcairo size 800,520 font 'sans,10'\n");
		bprintf(gp, "set output '%s/%s.png'\nset grid\nset key outside below noenhanced\n%s", plots,
			files[k], xaxis.s);
		bprintf(gp, "set xlabel 'emulated RTT (ms)'\nset ylabel '%s'\n", ylabels[k]);
		bprintf(gp, "set title '%s (mean and 95%% CI over repetitions)'\n", ylabels[k]);
		bprintf(gp, "set offsets graph 0.05, graph 0.05, graph 0.05, 0\nset yrange [0:*]\nplot ");
		for (int si = 0; si < nser; si++) {
			struct series *s = &ser[si];
			char *dat = mb_xasprintf("%s/data/%s-%d.dat", plots, files[k], si);
			struct buf d = { 0 };
			/* Rows sorted by delay. */
			int order[64];
			for (int i = 0; i < s->ndelay; i++)
				order[i] = i;
			for (int i = 1; i < s->ndelay; i++)
				for (int j = i; j > 0 && s->delay[order[j]] < s->delay[order[j - 1]]; j--) {
					int t = order[j];
					order[j] = order[j - 1];
					order[j - 1] = t;
				}
			bprintf(&d, "# delay_ms mean ci95 n lower_bound_s\n");
			for (int oi = 0; oi < s->ndelay; oi++) {
				int i = order[oi];
				double mean, ci;
				if (!s->nrep[k][i])
					continue;
				stats(s->vals[k][i], s->nrep[k][i], &mean, &ci);
				bprintf(&d, "%g %.9g %.9g %d %.9g\n", s->delay[i], mean, ci, s->nrep[k][i],
					s->nlower[i] ? s->lower[i] / s->nlower[i] : NAN);
				any_lower |= s->nlower[i] > 0;
			}
			if (write_str(dat, d.s ? d.s : "") != MB_OK)
				mb_warn("%s", mb_errmsg());
			bprintf(gp, "%s'%s' using 1:2:3 with yerrorlines pt 7 lc rgb '%s' title \"%s\"", si ? ", " : "",
				dat, colors[si % MB_ARRAY_SIZE(colors)], s->key);
			free(d.s);
			free(dat);
		}
		if (k == M_TOTAL && any_lower) {
			char *dat = mb_xasprintf("%s/data/%s-0.dat", plots, files[k]);
			bprintf(gp, ", '%s' using 1:5 with lines dt 2 lc rgb '#555555' "
				    "title 'lower bound: guest RAM / probed link throughput'", dat);
			free(dat);
		}
		bprintf(gp, "\n");
	}
	free(xaxis.s);
	free(ser);
	return nser;
}

/* ---- index.html ------------------------------------------------------------- */

static void hesc(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': bprintf(b, "&lt;"); break;
		case '>': bprintf(b, "&gt;"); break;
		case '&': bprintf(b, "&amp;"); break;
		case '"': bprintf(b, "&quot;"); break;
		default: bprintf(b, "%c", *s);
		}
	}
}

static void prov_row(struct buf *b, const char *k, const char *v)
{
	bprintf(b, "<tr><th>%s</th><td>", k);
	hesc(b, v ? v : "");
	bprintf(b, "</td></tr>\n");
}

/* A number cell: prec >= 0 fixed decimals, -1 four significant digits. */
static void fmt_cell(struct buf *b, double v, int prec)
{
	if (isnan(v))
		bprintf(b, "<td>&ndash;</td>");
	else if (prec < 0)
		bprintf(b, "<td>%.4g</td>", v);
	else
		bprintf(b, "<td>%.*f</td>", prec, v);
}

static char *index_html(const struct rep_set *set, const char *const *dirs, int ndirs, int nser,
			bool plots)
{
	struct buf b = { 0 };
	json_object *run = set->run;
	bprintf(&b, "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>migbench report</title>\n"
		    "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}"
		    "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;"
		    "padding:3px 6px;text-align:left}.failed{background:#fdd}img{max-width:100%%;"
		    "border:1px solid #eee;margin:4px 0}</style></head><body>\n"
		    "<h1>migbench report</h1>\n<p>Runs: ");
	for (int i = 0; i < ndirs; i++) {
		hesc(&b, dirs[i]);
		bprintf(&b, i + 1 < ndirs ? ", " : "");
	}
	bprintf(&b, ". %d scenario%s", set->n, set->n == 1 ? "" : "s");
	if (set->duplicates)
		bprintf(&b, "; %d scenario id%s recorded in more than one run", set->duplicates,
			set->duplicates == 1 ? "" : "s");
	bprintf(&b, ". Data: <a href='summary.csv'>summary.csv</a>.</p>\n<h2>Provenance</h2>\n<table>\n");
	prov_row(&b, "migbench", run ? rep_str(run, "host.migbench.version") : NULL);
	prov_row(&b, "git revision", run ? rep_str(run, "host.migbench.git_revision") : NULL);
	prov_row(&b, "controller kernel", run ? rep_str(run, "host.kernel") : NULL);
	prov_row(&b, "QEMU", run ? rep_str(run, "host.qemu") : NULL);
	prov_row(&b, "libvirt", run ? rep_str(run, "host.libvirt") : NULL);
	prov_row(&b, "testbed", run ? rep_str(run, "testbed.kind") : NULL);
	prov_row(&b, "link backend", run ? rep_str(run, "testbed.link_backend") : NULL);
	prov_row(&b, "why this backend", run ? rep_str(run, "testbed.link_why") : NULL);
	prov_row(&b, "delay semantics", run ? rep_str(run, "testbed.link_semantics") : NULL);
	prov_row(&b, "storage attach mode", set->n ? rep_str(set->rows[0].rec, "storage.mode") : NULL);
	prov_row(&b, "why this mode", set->n ? rep_str(set->rows[0].rec, "storage.why") : NULL);
	prov_row(&b, "guest kernel", run ? rep_str(run, "testbed.guest_image.kernel_version") : NULL);
	prov_row(&b, "started", run ? rep_str(run, "start_time") : NULL);
	prov_row(&b, "command", run ? rep_str(run, "command") : NULL);
	bprintf(&b, "</table>\n");
	if (plots && nser) {
		bprintf(&b, "<h2>Sweep</h2>\n<p><img src='plots/migration-time-vs-delay.png'>"
			    "<img src='plots/downtime-vs-delay.png'>"
			    "<img src='plots/relative-performance-vs-delay.png'></p>\n");
	}
	bprintf(&b, "<h2>Scenarios</h2>\n<table><tr><th>id</th><th>status</th><th>RTT ms</th>"
		    "<th>workload</th><th>migration s</th><th>downtime ms</th><th>MiB sent</th>"
		    "<th>iterations</th><th>before</th><th>during/before</th><th>after/before</th>"
		    "<th>guest gap s</th><th>probe RTT ms</th><th>probe MB/s</th></tr>\n");
	for (int i = 0; i < set->n; i++) {
		json_object *r = set->rows[i].rec;
		const char *st = rep_str(r, "status");
		const char *id = S(r, "id");
		bool ok = st && !strcmp(st, "ok");
		bprintf(&b, "<tr class='%s'><td>", ok ? "ok" : "failed");
		if (ok && plots)
			bprintf(&b, "<a href='plots/timeline-%s.png'>", id);
		hesc(&b, id);
		bprintf(&b, "%s</td><td>", ok && plots ? "</a>" : "");
		hesc(&b, st);
		if (!ok) {
			bprintf(&b, ": ");
			hesc(&b, rep_str(r, "error"));
		}
		bprintf(&b, "</td>");
		fmt_cell(&b, rep_num(r, "delay_ms"), -1);
		bprintf(&b, "<td>");
		hesc(&b, rep_str(r, "workload"));
		bprintf(&b, "</td>");
		fmt_cell(&b, rep_num(r, "migration.total_s"), 2);
		fmt_cell(&b, rep_num(r, "migration.downtime_s") * 1e3, 0);
		fmt_cell(&b, rep_num(r, "migration.bytes") / 1048576.0, 1);
		fmt_cell(&b, rep_num(r, "migration.iterations"), 0);
		fmt_cell(&b, rep_num(r, "phases.before.rate"), -1);
		fmt_cell(&b, rep_num(r, "ratio.during"), 3);
		fmt_cell(&b, rep_num(r, "ratio.after"), 3);
		fmt_cell(&b, rep_num(r, "guest_gap_s"), 3);
		fmt_cell(&b, rep_num(r, "link.probe.rtt_avg_s") * 1e3, 2);
		fmt_cell(&b, rep_num(r, "link.probe.tcp_bytes_per_s") / 1e6, 1);
		bprintf(&b, "</tr>\n");
	}
	bprintf(&b, "</table>\n");
	if (plots) {
		bprintf(&b, "<h2>Timelines</h2>\n");
		for (int i = 0; i < set->n; i++) {
			const char *st = rep_str(set->rows[i].rec, "status");
			if (st && !strcmp(st, "ok"))
				bprintf(&b, "<p><img src='plots/timeline-%s.png'></p>\n",
					S(set->rows[i].rec, "id"));
		}
	}
	bprintf(&b, "</body></html>\n");
	return b.s;
}

/* ---- the report ---------------------------------------------------------------- */

int report_runs(const char *const *dirs, int n, const char *out, bool summary_only)
{
	struct rep_set set;
	char *outdir, *plots = NULL, *path, *csv, *html;
	struct buf gp = { 0 };
	int rc, nser = 0, nplots = 0;
	bool have_plots = false;

	rc = rep_load(dirs, n, &set);
	if (rc)
		return rc;
	if (out) {
		outdir = mb_xstrdup(out);
	} else if (n == 1) {
		outdir = mb_xstrdup(dirs[0]);
	} else {
		char ts[32];
		time_t t = time(NULL);
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", &tm);
		outdir = mb_xasprintf("results/merged-%s", ts);
	}
	rc = mb_mkdir_p(outdir, 0755);
	if (rc)
		goto out;
	csv = rep_summary_csv(&set);
	path = mb_xasprintf("%s/summary.csv", outdir);
	rc = write_str(path, csv);
	free(path);
	free(csv);
	if (rc)
		goto out;

	if (!summary_only) {
		plots = mb_xasprintf("%s/plots", outdir);
		path = mb_xasprintf("%s/data", plots);
		rc = mb_mkdir_p(path, 0755);
		free(path);
		if (rc)
			goto out;
		for (int i = 0; i < set.n; i++) {
			const char *st = rep_str(set.rows[i].rec, "status");
			if (st && !strcmp(st, "ok") && rep_str(set.rows[i].rec, "samples.file")) {
				timeline_script(&gp, set.rows[i].rec, set.rows[i].dir, plots);
				nplots++;
			}
		}
		nser = sweep_plots(&set, plots, &gp);
		if (gp.s) {
			const char *argv[] = { "gnuplot", NULL, NULL };
			char *script = mb_xasprintf("%s/plots.gp", plots);
			struct mb_exec_opts o = { .timeout_ms = 120000 };
			struct mb_exec_result res = { 0 };
			rc = write_str(script, gp.s);
			argv[1] = script;
			if (!rc)
				rc = mb_exec(argv, &o, &res);
			if (!rc && res.status == 127) {
				mb_warn("gnuplot is not installed (make deps): no plots, summary.csv only");
			} else if (!rc && res.status != 0) {
				rc = mb_err(MB_EINTERNAL, "gnuplot %s failed: %s", script, res.out);
			} else if (!rc) {
				have_plots = true;
			}
			mb_exec_result_free(&res);
			free(script);
			if (rc)
				goto out;
		}
	}
	html = index_html(&set, dirs, n, nser, have_plots);
	path = mb_xasprintf("%s/index.html", outdir);
	rc = write_str(path, html);
	free(path);
	free(html);
	if (!rc)
		printf("report: %s/index.html (%d scenario%s, %d timeline%s, %d series)%s\n", outdir, set.n,
		       set.n == 1 ? "" : "s", have_plots ? nplots : 0, nplots == 1 ? "" : "s", nser,
		       set.duplicates ? "; duplicate scenario ids were reported" : "");
out:
	free(gp.s);
	free(plots);
	free(outdir);
	rep_free(&set);
	return rc;
}
