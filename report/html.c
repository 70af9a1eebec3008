/* html.c - index.html: provenance, what was skipped and why, the scenario
 * table in human units, the plots.  Every text node and attribute value
 * from a record goes through rep_html; file names come from rep_plots. */
#include "report/internal.h"

#include <math.h>
#include <string.h>

#include "core/util.h"

/* Problems listed on the page; the rest are counted (all were printed). */
#define HTML_PROBLEMS 100

static void head(struct rep_buf *b, const struct rep_set *set, const char *const *dirs, int ndirs)
{
	rep_bputs(b, "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>migbench report</title>\n"
		     "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}"
		     "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;"
		     "padding:3px 6px;text-align:left}td.n{text-align:right}.failed{background:#fdd}"
		     ".unfinished,.none{background:#fde6c4}.some{background:#fff4d6}"
		     ".problems{background:#fff4d6}img{max-width:100%;border:1px solid #eee;margin:4px 0}"
		     "</style></head><body>\n<h1>migbench report</h1>\n<p>Runs: ");
	for (int i = 0; i < ndirs; i++) {
		rep_html(b, dirs[i]);
		rep_bputs(b, i + 1 < ndirs ? ", " : "");
	}
	rep_bprintf(b, ". %d scenario%s", set->n, set->n == 1 ? "" : "s");
	if (set->duplicates)
		rep_bprintf(b, "; %d scenario id%s recorded in more than one run", set->duplicates,
			    set->duplicates == 1 ? "" : "s");
	rep_bputs(b, ". Data: <a href='summary.csv'>summary.csv</a> (base units: s, bytes, bytes/s).</p>\n");
}

static void prov_row(struct rep_buf *b, const char *k, const char *v)
{
	rep_bprintf(b, "<tr><th>%s</th><td>", k);
	rep_html(b, v);
	rep_bputs(b, "</td></tr>\n");
}

static void provenance(struct rep_buf *b, const struct rep_set *set)
{
	const struct rep_prov *p = &set->prov;
	const struct rep_row *first = set->n ? &set->rows[0] : NULL;
	struct rep_buf guest = { 0 };
	if (p->guest_kernel_version && *p->guest_kernel_version)
		rep_bputs(&guest, p->guest_kernel_version);
	else if (p->guest_kernel_sha256)
		rep_bprintf(&guest, "version not recorded (vmlinuz sha256 %.16s...)", p->guest_kernel_sha256);
	rep_bputs(b, "<h2>Provenance</h2>\n<table>\n");
	prov_row(b, "migbench", p->version);
	prov_row(b, "git revision", p->git_revision);
	prov_row(b, "controller kernel", p->kernel);
	prov_row(b, "QEMU", p->qemu);
	prov_row(b, "libvirt", p->libvirt);
	prov_row(b, "testbed", p->testbed);
	prov_row(b, "link backend", p->link_backend);
	prov_row(b, "why this backend", p->link_why);
	prov_row(b, "delay semantics", p->link_semantics);
	prov_row(b, "storage attach mode", first ? first->storage_mode : NULL);
	prov_row(b, "why this mode", first ? first->storage_why : NULL);
	prov_row(b, "guest kernel", guest.s);
	prov_row(b, "started", p->start_time);
	prov_row(b, "command", p->command);
	rep_bputs(b, "</table>\n");
	rep_bfree(&guest);
}

static void problems(struct rep_buf *b, const struct rep_set *set, const struct rep_plotted *pl)
{
	if (!set->nproblems)
		return;
	rep_bprintf(b, "<h2>Problems</h2>\n<div class='problems'><p>%d record%s skipped as malformed, "
		       "%d unreadable line%s, %d file name%s refused, %d plot%s failed.</p>\n<ul>\n",
		    set->malformed, set->malformed == 1 ? "" : "s", set->bad_lines, set->bad_lines == 1 ? "" : "s",
		    set->refused, set->refused == 1 ? "" : "s", pl ? pl->nfailed : 0,
		    pl && pl->nfailed == 1 ? "" : "s");
	for (int i = 0; i < set->nproblems && i < HTML_PROBLEMS; i++) {
		rep_bputs(b, "<li>");
		rep_html(b, set->problems[i]);
		rep_bputs(b, "</li>\n");
	}
	if (set->nproblems > HTML_PROBLEMS)
		rep_bprintf(b, "<li>and %d more (every one was printed as a warning)</li>\n",
			    set->nproblems - HTML_PROBLEMS);
	rep_bputs(b, "</ul></div>\n");
}

/* A table cell: v in human units, a dash when unknown. */
static void cell(struct rep_buf *b, double v, const char *unit)
{
	rep_bputs(b, "<td class='n'>");
	rep_human(b, v, unit);
	rep_bputs(b, "</td>");
}

static void cell_fixed(struct rep_buf *b, double v, int prec)
{
	if (isnan(v))
		rep_bputs(b, "<td class='n'>&ndash;</td>");
	else
		rep_bprintf(b, "<td class='n'>%.*f</td>", prec, v);
}

static const char *rate_unit(const char *unit)
{
	if (unit && !strcmp(unit, "add"))
		return "additions/s";
	if (unit && !strcmp(unit, "B"))
		return "B/s";
	if (unit && !strcmp(unit, "beat"))
		return "heartbeats/s";
	return "per second";
}

static void scenario_row(struct rep_buf *b, const struct rep_row *r, const char *png)
{
	bool ok = !strcmp(r->status, "ok");
	int o = rep_row_outcome(r);
	rep_bprintf(b, "<tr class='%s'><td>", o == REP_O_CONVERGED ? "ok" : ok ? "unfinished" : "failed");
	if (png) {
		rep_bputs(b, "<a href='plots/");
		rep_html(b, png);
		rep_bputs(b, "'>");
	}
	rep_html(b, r->id);
	rep_bprintf(b, "%s</td><td>", png ? "</a>" : "");
	rep_html(b, r->status);
	if (r->outcome && ok) { /* a failed scenario's is no result (older records have one) */
		rep_bputs(b, ", ");
		rep_html(b, r->outcome);
	}
	if (!ok && r->error) {
		rep_bputs(b, ": ");
		rep_html(b, r->error);
	} else if (o != REP_O_CONVERGED && r->outcome_why) {
		rep_bputs(b, ": ");
		rep_html(b, r->outcome_why);
	}
	rep_bputs(b, "</td>");
	cell(b, r->delay_ms / 1e3, "s");
	rep_bputs(b, "<td>");
	rep_html(b, r->workload);
	rep_bputs(b, "</td>");
	cell(b, r->total_s, "s");
	cell(b, r->downtime_s, "s");
	cell(b, r->bytes, "B");
	cell_fixed(b, r->iterations, 0);
	cell(b, r->before_rate, rate_unit(r->unit));
	cell_fixed(b, r->ratio_during, 2);
	cell_fixed(b, r->ratio_after, 2);
	cell(b, r->guest_gap_s, "s");
	cell(b, r->service_downtime_s, "s");
	cell(b, r->probe_rtt_avg_s, "s");
	cell(b, r->probe_tcp_bytes_per_s, "B/s");
	rep_bputs(b, "</tr>\n");
}

static void scenarios(struct rep_buf *b, const struct rep_set *set, const struct rep_plotted *pl)
{
	rep_bputs(b, "<h2>Scenarios</h2>\n<table><tr><th>id</th><th>status</th><th>RTT</th><th>workload</th>"
		     "<th>migration</th><th>downtime</th><th>sent</th><th>iterations</th><th>before</th>"
		     "<th>during/before</th><th>after/before</th><th>guest gap</th><th>service gap</th><th>probe RTT</th>"
		     "<th>probe throughput</th></tr>\n");
	for (int i = 0; i < set->n; i++)
		scenario_row(b, &set->rows[i], pl ? pl->timeline[i] : NULL);
	rep_bputs(b, "</table>\n");
}

/* "2.41 s ± 0.12 s" or a dash. */
static void stat_cell(struct rep_buf *b, struct rep_stat st, const char *unit)
{
	rep_bputs(b, "<td class='n'>");
	rep_human(b, st.mean, unit);
	if (isfinite(st.ci)) {
		rep_bputs(b, " &plusmn; ");
		rep_human(b, st.ci, unit);
	}
	rep_bputs(b, "</td>");
}

static void stat_fixed(struct rep_buf *b, struct rep_stat st)
{
	if (!isfinite(st.mean))
		rep_bputs(b, "<td class='n'>&ndash;</td>");
	else if (isfinite(st.ci))
		rep_bprintf(b, "<td class='n'>%.2f &plusmn; %.2f</td>", st.mean, st.ci);
	else
		rep_bprintf(b, "<td class='n'>%.2f</td>", st.mean);
}

/* How far the unfinished repetitions got, in words (means). */
static void unfinished_cell(struct rep_buf *b, const struct rep_set *set, const struct rep_group *g)
{
	struct rep_stat t = rep_group_stat(set, g, offsetof(struct rep_row, prog_time_s), false),
			it = rep_group_stat(set, g, offsetof(struct rep_row, prog_iteration), false),
			left = rep_group_stat(set, g, offsetof(struct rep_row, prog_remaining), false),
			dirty = rep_group_stat(set, g, offsetof(struct rep_row, prog_dirty_bps), false),
			bw = rep_group_stat(set, g, offsetof(struct rep_row, prog_bps), false);
	rep_bputs(b, "<td>");
	if (t.n || it.n) {
		rep_bputs(b, "aborted after ");
		rep_human(b, t.mean, "s");
		rep_bprintf(b, " at iteration %.0f, ", it.mean);
		rep_human(b, left.mean, "B");
		rep_bputs(b, " still to send; dirtied ");
		rep_human(b, dirty.mean, "B/s");
		rep_bputs(b, " vs ");
		rep_human(b, bw.mean, "B/s");
		rep_bputs(b, " sent");
	}
	rep_bputs(b, "</td>");
}

/* One row per setting and delay: outcomes over the repetitions, means and
 * 95% CIs of the converged ones, how far the others got. */
static void comparison(struct rep_buf *b, const struct rep_set *set, const struct rep_groups *gs)
{
	rep_bputs(b, "<h2>Comparison</h2>\n<p>One row per setting (data: <a href='comparison.csv'>"
		     "comparison.csv</a>). Means &plusmn; 95% CI over the converged repetitions; a "
		     "migration that did not converge is a result, shown with how far it got.</p>\n"
		     "<table class='compare'><tr><th>setting</th><th>RTT</th><th>repetitions</th>"
		     "<th>outcomes</th><th>migration</th><th>downtime</th><th>sent</th><th>iterations</th>"
		     "<th>during/before</th><th>did not converge: how far</th></tr>\n");
	for (int i = 0; i < gs->n; i++) {
		const struct rep_group *g = &gs->g[i];
		const char *sep = "";
		bool all = g->count[REP_O_CONVERGED] == g->n;
		rep_bprintf(b, "<tr class='%s'><td>", all ? "ok" : g->count[REP_O_CONVERGED] ? "some" : "none");
		rep_html(b, g->label);
		rep_bputs(b, "</td>");
		cell(b, g->delay_ms / 1e3, "s");
		rep_bprintf(b, "<td class='n'>%d</td><td>", g->n);
		for (int o = 0; o < REP_NOUT; o++)
			if (g->count[o]) {
				rep_bprintf(b, "%s%d %s", sep, g->count[o], rep_outcome_names[o]);
				sep = ", ";
			}
		rep_bputs(b, "</td>");
		stat_cell(b, rep_group_stat(set, g, offsetof(struct rep_row, total_s), true), "s");
		stat_cell(b, rep_group_stat(set, g, offsetof(struct rep_row, downtime_s), true), "s");
		stat_cell(b, rep_group_stat(set, g, offsetof(struct rep_row, bytes), true), "B");
		stat_fixed(b, rep_group_stat(set, g, offsetof(struct rep_row, iterations), true));
		stat_fixed(b, rep_group_stat(set, g, offsetof(struct rep_row, ratio_during), true));
		unfinished_cell(b, set, g);
		rep_bputs(b, "</tr>\n");
	}
	rep_bputs(b, "</table>\n");
}

static void compare_pictures(struct rep_buf *b, const struct rep_plotted *pl)
{
	for (int i = 0; i < pl->ncompare; i++) {
		rep_bputs(b, "<p><img src='plots/");
		rep_html(b, pl->compare[i]);
		rep_bputs(b, "' alt='settings compared'></p>\n");
	}
}

static void sweep_pictures(struct rep_buf *b, const struct rep_plotted *pl)
{
	bool any = false;
	for (int k = 0; k < REP_NMETRIC; k++)
		if (pl->sweep[k]) {
			rep_bprintf(b, "%s<img src='plots/%s.png' alt='%s'>", any ? "" : "<h2>Sweep</h2>\n<p>",
				    rep_sweep_file[k], rep_sweep_file[k]);
			any = true;
		}
	for (int i = 0; i < pl->nother; i++) {
		rep_bprintf(b, "%s<img src='plots/", any ? "" : "<h2>Sweep</h2>\n<p>");
		rep_html(b, pl->other[i]);
		rep_bputs(b, "' alt='");
		rep_html(b, pl->other[i]);
		rep_bputs(b, "'>");
		any = true;
	}
	rep_bputs(b, any ? "</p>\n" : "");
}

/* The studies' plots (keyplots.c), titled. */
static void study_pictures(struct rep_buf *b, const struct rep_plotted *pl)
{
	bool any = false;
	for (int k = 0; k < REP_NKEYPLOT; k++)
		if (pl->keyplot[k]) {
			rep_bprintf(b, "%s<img src='plots/%s.png' alt='%s' title='%s'>",
				    any ? "" : "<h2>Studies</h2>\n<p>", rep_keyplot_file(k), rep_keyplot_file(k),
				    rep_keyplot_title(k));
			any = true;
		}
	rep_bputs(b, any ? "</p>\n" : "");
}

static void timeline_pictures(struct rep_buf *b, const struct rep_set *set, const struct rep_plotted *pl)
{
	if (pl->ntimelines)
		rep_bputs(b, "<h2>Timelines</h2>\n");
	for (int i = 0; i < set->n; i++) {
		if (!pl->timeline[i])
			continue;
		rep_bputs(b, "<p><img src='plots/");
		rep_html(b, pl->timeline[i]);
		rep_bputs(b, "' alt='timeline of ");
		rep_html(b, set->rows[i].id);
		rep_bputs(b, "'></p>\n");
	}
}

char *rep_index_html(const struct rep_set *set, const struct rep_groups *gs, const char *const *dirs, int ndirs,
		     const struct rep_plotted *pl)
{
	struct rep_buf b = { 0 };
	head(&b, set, dirs, ndirs);
	provenance(&b, set);
	problems(&b, set, pl);
	if (gs->n)
		comparison(&b, set, gs);
	if (pl)
		compare_pictures(&b, pl);
	if (pl)
		sweep_pictures(&b, pl);
	if (pl)
		study_pictures(&b, pl);
	scenarios(&b, set, pl);
	if (pl)
		timeline_pictures(&b, set, pl);
	rep_bputs(&b, "</body></html>\n");
	return b.s;
}
