/* timeline.c - one picture per finished scenario: the guest's throughput
 * over time from its samples file (read here, inside its run directory,
 * and written out as plain numbers), the migration window shaded,
 * switchover and pre-copy iterations marked (the study's Figs. 3-6). */
#define _GNU_SOURCE
#include "report/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

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

/* data/timeline-<name>.dat (and .iter.dat when there are iterations:
 * *iters): MB_OK when there is something to draw. */
static int timeline_data(struct render *r, const struct rep_row *row, const char *name, double div, bool *iters)
{
	bool missing;
	FILE *f = rep_open_confined(row->dir, row->samples_file, &missing);
	struct rep_buf d = { 0 };
	int n, rc;
	char *file;
	*iters = false;
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
		rc = rep_write_data(r, file, &d);
	free(file);
	rep_bfree(&d);
	for (size_t i = 0; !rc && i < row->niter; i++)
		if (isfinite(row->iter_s[i]))
			rep_bprintf(&d, "%.9g\n", row->iter_s[i]);
	if (!rc && d.n) {
		file = mb_xasprintf("timeline-%s.iter.dat", name);
		rc = rep_write_data(r, file, &d);
		*iters = !rc;
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

void rep_timelines(struct render *r)
{
	for (int i = 0; i < r->set->n; i++) {
		const struct rep_row *row = &r->set->rows[i];
		char *name;
		const char *ylabel;
		double div;
		bool iters;
		if (strcmp(row->status, "ok") || !row->samples_file)
			continue;
		name = rep_safe_name(row->id);
		unit_scale(row->unit, &div, &ylabel);
		if (timeline_data(r, row, name, div, &iters) != MB_OK) {
			char *f = rep_printable(row->samples_file);
			rep_problem(r->set, "%s/scenarios.jsonl:%d: no timeline for samples file '%s': %s", row->dir,
				    row->line, f, mb_errmsg());
			free(f);
		} else {
			struct plot *p = rep_new_plot(r, mb_xasprintf("timeline-%s.png", name), i, -1);
			timeline_script(&p->gp, row, name, ylabel, iters);
		}
		free(name);
	}
}
