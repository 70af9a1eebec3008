/* timeline.c - one picture per migration, converged or not: the guest's
 * throughput over time from its samples file, and below it the pre-copy
 * dynamics from the job statistics (jobstats/<id>.csv): memory still to
 * send and the iteration, the guest's dirty rate against the bandwidth
 * and the auto-converge throttle; when the host sampler ran
 * (hosts/<id>.csv), QEMU's CPU by thread kind on each site and the memory
 * KSM merged.  Files are read inside their run
 * directory and written out as plain numbers; the migration window is
 * shaded, switchover and iterations marked (the study's Figs. 3-6). */
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

/* The header line of a csv file read from f into *line, and the index of
 * each of cols in it (-1: absent); the first two must be there. */
static int csv_header(FILE *f, char **line, size_t *len, const char *const *cols, int nc, int *ix)
{
	if (getline(line, len, f) < 0)
		return mb_err(MB_EINPUT, "empty file");
	for (int c = 0; c < nc; c++)
		ix[c] = header_index(*line, cols[c]);
	if (ix[0] < 0 || ix[1] < 0)
		return mb_err(MB_EINPUT, "no %s and %s columns in its header", cols[0], cols[1]);
	return MB_OK;
}

/* The numbers of a line at the header's indexes (NaN where empty or absent). */
static void csv_values(const char *line, const int *ix, int nc, double *v)
{
	for (int c = 0; c < nc; c++) {
		const char *fs = ix[c] >= 0 ? field_at(line, ix[c]) : NULL;
		if (!fs || !field_num(fs, &v[c]))
			v[c] = NAN;
	}
}

/* The job statistics' columns, scaled: "t remaining_MiB dirty_MiB/s
 * bandwidth_MiB/s throttle_pct iteration" (NaN where a field is empty). */
static int read_jobstats(FILE *f, struct rep_buf *out, int *npoints)
{
	static const char *const cols[] = { "time_s", "memory_remaining_bytes", "dirty_rate_pages_per_s",
					    "bandwidth_bytes_per_s", "throttle_pct", "iteration",
					    "page_size_bytes" };
	enum { NC = 7 };
	char *line = NULL;
	size_t len = 0;
	int ix[NC], rc = csv_header(f, &line, &len, cols, NC, ix);
	*npoints = 0;
	while (!rc && getline(&line, &len, f) >= 0) {
		double v[NC];
		csv_values(line, ix, NC, v);
		if (!isfinite(v[0]))
			continue;
		if (!isfinite(v[6]) || v[6] <= 0)
			v[6] = 4096;
		rep_bprintf(out, "%.9g %.9g %.9g %.9g %.9g %.9g\n", v[0], v[1] / 1048576.0, v[2] * v[6] / 1048576.0,
			    v[3] / 1048576.0, v[4], v[5]);
		(*npoints)++;
	}
	free(line);
	return rc;
}

/* The host sampler's file: "t vcpu% migration% other% ksm_MiB" lines, the
 * source's block, two blank lines, the destination's (gnuplot's index 0
 * and 1; NaN where a field is empty). */
static int read_hosts(FILE *f, struct rep_buf *out, int *npoints)
{
	static const char *const cols[] = { "time_s", "site", "cpu_vcpu_pct", "cpu_migration_pct",
					    "cpu_other_pct", "ksm_pages_sharing" };
	enum { NC = 6 };
	struct rep_buf site[2] = { { 0 }, { 0 } };
	char *line = NULL;
	size_t len = 0;
	int ix[NC], rc = csv_header(f, &line, &len, cols, NC, ix);
	*npoints = 0;
	while (!rc && getline(&line, &len, f) >= 0) {
		const char *where = field_at(line, ix[1]);
		double v[NC];
		csv_values(line, ix, NC, v);
		if (!where || !isfinite(v[0]))
			continue;
		rep_bprintf(&site[mb_str_starts(where, "destination")], "%.9g %.9g %.9g %.9g %.9g\n", v[0], v[2],
			    v[3], v[4], v[5] * 4096.0 / 1048576.0);
		(*npoints)++;
	}
	free(line);
	/* An empty block would shift the indexes: a NaN line keeps it. */
	for (int i = 0; i < 2; i++) {
		rep_bputs(out, site[i].n ? site[i].s : "0 nan nan nan nan\n");
		rep_bputs(out, i ? "" : "\n\n");
		rep_bfree(&site[i]);
	}
	return rc;
}

/* data/timeline-<name>.<kind>.dat from the run's file rel (a job
 * statistics or hosts file) through read: *done when written. */
static void timeline_aux(struct render *r, const struct rep_row *row, const char *rel, const char *name,
			 const char *kind, int (*read)(FILE *, struct rep_buf *, int *), bool *done)
{
	bool missing;
	FILE *f;
	struct rep_buf d = { 0 };
	int n, rc;
	char *file;
	*done = false;
	if (!rel || !(f = rep_open_confined(row->dir, rel, &missing)))
		return; /* refused files were counted when loading (check_ref) */
	rc = read(f, &d, &n);
	fclose(f);
	file = mb_xasprintf("timeline-%s.%s.dat", name, kind);
	if (!rc && n > 0)
		*done = rep_write_data(r, file, &d) == MB_OK;
	free(file);
	rep_bfree(&d);
}

/* data/timeline-<name>.dat (and .iter.dat when there are iterations:
 * *iters), .job.dat (*job): MB_OK when there is something to draw. */
static int timeline_data(struct render *r, const struct rep_row *row, const char *name, double div, bool *iters,
			 bool *job)
{
	bool missing;
	FILE *f;
	struct rep_buf d = { 0 };
	int n, rc;
	char *file;
	*iters = false;
	timeline_aux(r, row, row->jobstats_file, name, "job", read_jobstats, job);
	if (!row->samples_file)
		return *job ? MB_OK : mb_err(MB_EINPUT, "no samples file and no job statistics");
	f = rep_open_confined(row->dir, row->samples_file, &missing);
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
	int o = rep_row_outcome(row);
	rep_bprintf(t, "%s: %s, RTT ", row->id, row->workload ? row->workload : "?");
	rep_human(t, row->delay_ms / 1e3, "s");
	if (o == REP_O_CONVERGED) {
		rep_bputs(t, ", migration ");
		rep_human(t, row->total_s, "s");
		rep_bputs(t, ", downtime ");
		rep_human(t, row->downtime_s, "s");
	} else {
		rep_bprintf(t, ", %s", rep_outcome_names[o]);
		if (isfinite(row->prog_time_s)) {
			rep_bputs(t, " after ");
			rep_human(t, row->prog_time_s, "s");
		}
		if (isfinite(row->prog_remaining)) {
			rep_bputs(t, ", ");
			rep_human(t, row->prog_remaining, "B");
			rep_bputs(t, " still to send");
		}
	}
}

/* The end of the migration window: the resume on the target, else the
 * end of the attempt. */
static double window_end(const struct rep_row *row)
{
	if (isfinite(row->resume_s))
		return row->resume_s;
	if (isfinite(row->end_s))
		return row->end_s;
	return row->prog_time_s;
}

/* The two job statistics panels under the guest's. */
static void job_panels(struct rep_buf *gp, const char *name, bool iters)
{
	rep_bputs(gp, "set title 'pre-copy: memory still to send' offset 0,-0.8\nset ylabel 'MiB'\n"
		      "set y2label 'iteration'\nset y2tics\nset y2range [0:*]\nunset label 1\n");
	rep_bprintf(gp, "plot 'data/timeline-%s.job.dat' using 1:2 with lines lw 2 lc rgb '#8e44ad' "
			"title 'memory remaining', '' using 1:6 axes x1y2 with steps lc rgb '#606060' "
			"title 'iteration (right axis)'\n",
		    name);
	rep_bputs(gp, "set title 'dirty rate against bandwidth' offset 0,-0.8\nset ylabel 'MiB/s'\n"
		      "set y2label 'throttle %'\nset y2range [0:100]\n"
		      "set xlabel 'time from migration start (s)'\n");
	rep_bprintf(gp, "plot 'data/timeline-%s.job.dat' using 1:3 with lines lw 2 lc rgb '#c0392b' "
			"title 'guest dirty rate', '' using 1:4 with lines lw 2 lc rgb '#27864a' "
			"title 'migration bandwidth', '' using 1:5 axes x1y2 with lines dt 2 lc rgb '#d35400' "
			"title 'auto-converge throttle (right axis)'\n",
		    name);
	(void)iters;
}

/* The host sampler's panel: QEMU's CPU by thread kind on each site, and
 * what KSM merged (host-wide). */
static void hosts_panel(struct rep_buf *gp, const char *name)
{
	rep_bputs(gp, "set title 'hosts: QEMU CPU by thread, KSM' offset 0,-0.8\nset ylabel '% of one core'\n"
		      "set yrange [0:*]\nset y2label 'KSM merged MiB'\nset y2tics\nset y2range [0:*]\n"
		      "unset label 1\nset xlabel 'time from migration start (s)'\n");
	rep_bprintf(gp, "plot 'data/timeline-%s.hosts.dat' index 0 using 1:2 with lines lw 2 "
			"lc rgb '#1f5fa8' title 'source vCPUs', '' index 0 using 1:3 with lines lw 2 "
			"lc rgb '#c0392b' title 'source migration thread', '' index 0 using 1:4 "
			"with lines dt 2 lc rgb '#1f5fa8' title 'source other threads', "
			"'' index 1 using 1:2 with lines lw 2 lc rgb '#27864a' "
			"title 'destination vCPUs', '' index 1 using 1:3 with lines lw 2 "
			"lc rgb '#d35400' title 'destination migration', '' index 1 using 1:4 "
			"with lines dt 2 lc rgb '#27864a' title 'destination other threads', "
			"'' index 0 using 1:5 axes x1y2 with lines lw 1.5 lc rgb '#8e44ad' "
			"title 'KSM merged (right axis)'\n",
		    name);
}

static void timeline_script(struct rep_buf *gp, const struct rep_row *row, const char *name, const char *ylabel,
			    bool iters, bool guest, bool job, bool hosts)
{
	struct rep_buf title = { 0 };
	double wend = window_end(row);
	int panels = 1 + (job ? 2 : 0) + (hosts ? 1 : 0);
	timeline_title(&title, row);
	rep_bprintf(gp, "reset\nset terminal pngcairo size 960,%d font 'sans,10' noenhanced\n"
			"set output 'timeline-%s.png'\nset grid\nset key outside right top vertical\n",
		    panels > 1 ? 160 + 290 * panels : 460, name);
	if (panels > 1) {
		rep_bprintf(gp, "set multiplot layout %d,1 title ", panels);
		rep_gp_quote(gp, title.s);
		rep_bputs(gp, "\nset title 'guest throughput' offset 0,-0.8\nset lmargin 10\nset rmargin 44\n");
	} else {
		rep_bputs(gp, "set key outside below\nset title ");
		rep_gp_quote(gp, title.s);
		rep_bputs(gp, "\nset xlabel 'time from migration start (s)'\n");
	}
	rep_bputs(gp, "set ylabel ");
	rep_gp_quote(gp, ylabel);
	rep_bputs(gp, "\nset yrange [0:*]\nset y2range [0:1]\n");
	if (isfinite(wend) && wend > 0)
		rep_bprintf(gp, "set object 1 rect from 0, graph 0 to %.6f, graph 1 fc rgb '#fde6c4' "
				"fs solid 1.0 noborder behind\n"
				"set label 1 '%s' at %.6f, graph 0.95 center tc rgb '#a05a00'\n",
			    wend, isfinite(row->resume_s) ? "migration" : "migration attempt (did not complete)",
			    wend / 2);
	if (isfinite(row->pause_s))
		rep_bprintf(gp, "set arrow 1 from %.6f, graph 0 to %.6f, graph 1 nohead lc rgb '#c00000' "
				"dt 2 lw 1.5\nset label 2 'switchover' at %.6f, graph 0.88 left offset 0.5,0 "
				"tc rgb '#c00000'\n",
			    row->pause_s, row->pause_s, row->pause_s);
	if (guest) {
		rep_bprintf(gp, "plot 'data/timeline-%s.dat' using 1:2 with linespoints pt 7 ps 0.4 lc rgb '#1f5fa8' "
				"title 'guest throughput (per sample interval)'",
			    name);
		if (iters)
			rep_bprintf(gp, ", 'data/timeline-%s.iter.dat' using 1:(0):(0):(0.08) axes x1y2 with vectors "
					"nohead lc rgb '#606060' title 'pre-copy iteration (ticks at the bottom)'",
				    name);
	} else {
		rep_bputs(gp, "set label 3 'no guest samples recorded' at graph 0.5, graph 0.5 center\n"
			      "plot [0:1] 0 lc rgb '#ffffff' notitle");
	}
	rep_bputs(gp, "\n");
	if (panels > 1) {
		/* The panels below share the guest panel's time axis. */
		rep_bputs(gp, "set xrange [GPVAL_X_MIN:GPVAL_X_MAX]\nunset label 2\nunset label 3\n");
		if (job)
			job_panels(gp, name, iters);
		if (hosts)
			hosts_panel(gp, name);
		rep_bputs(gp, "unset multiplot\n");
	}
	rep_bfree(&title);
}

void rep_timelines(struct render *r)
{
	for (int i = 0; i < r->set->n; i++) {
		const struct rep_row *row = &r->set->rows[i];
		char *name;
		const char *ylabel;
		double div;
		bool iters, job, hosts;
		/* Every migration tried, converged or not (a testbed failure
		 * mid-migration too: its job statistics). */
		if (!strcmp(row->status, "skipped") || (!row->samples_file && !row->jobstats_file))
			continue;
		name = rep_safe_name(row->id);
		unit_scale(row->unit, &div, &ylabel);
		if (timeline_data(r, row, name, div, &iters, &job) != MB_OK) {
			char *f = rep_printable(row->samples_file);
			rep_problem(r->set, "%s/scenarios.jsonl:%d: no timeline for samples file '%s': %s", row->dir,
				    row->line, f, mb_errmsg());
			free(f);
		} else {
			struct plot *p = rep_new_plot(r, mb_xasprintf("timeline-%s.png", name), i, -1);
			timeline_aux(r, row, row->hosts_file, name, "hosts", read_hosts, &hosts);
			timeline_script(&p->gp, row, name, ylabel, iters, row->samples_file != NULL, job, hosts);
		}
		free(name);
	}
}
