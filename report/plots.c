/* plots.c - gnuplot pictures from the typed rows.
 *
 * Data is data: the report writes every number gnuplot draws into data
 * files of its own (plots/data/), names them itself (rep_safe_name), and
 * puts text from records into the script only through rep_gp_quote.
 * gnuplot runs in a fresh private directory (plots/.render-XXXXXX) with
 * names relative to it; the finished files are renamed into plots/, so a
 * symlink planted in plots/ is replaced, never written through.  The whole
 * script passes rep_gp_check before gnuplot sees it.  gnuplot (5.4) has no
 * restricted mode that turns its shell escapes and pipes off, so these are the
 * defences; it runs with -d (no initialisation files) and a time limit.
 *
 *   timeline-<id>.png             the guest's throughput over time, the
 *                                 migration window shaded, switchover and
 *                                 iterations marked (the study's Figs. 3-6)
 *   migration-time-vs-delay.png   mean and 95% CI over repetitions, one line
 *   downtime-vs-delay.png         per workload / pre-copy setting, with the
 *   relative-performance-vs-delay.png  bytes sent / probed link throughput
 *                                 (when the delay varies)
 *   compare-<delay>ms.png         settings side by side at one delay
 *                                 (comparison.c), when the settings vary
 *   predicted-vs-measured.png     the pre-copy model against QEMU's transfer
 *                                 time and the downtime (predicted.c)
 *   neighbour-slowdown-vs-neighbours.png, ksm-merged-vs-guests.png,
 *   throughput-vs-data-size.png, migration-time-vs-vms.png
 *                                 the neighbouring studies' figures against
 *                                 their key, when it varies (keyplots.c)
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

struct plot *rep_new_plot(struct render *r, char *png, int row, int metric)
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
	p->compare = -1;
	p->keyplot = -1;
	return p;
}

/* Write data/<name> in the render directory (a new file: two rows whose
 * names collide do not overwrite each other). */
int rep_write_data(struct render *r, const char *name, const struct rep_buf *b)
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
		if (p->failed) {
			out->nfailed++;
		} else if (p->row >= 0) {
			out->timeline[p->row] = mb_xstrdup(p->png);
			out->ntimelines++;
		} else if (p->keyplot >= 0) {
			out->keyplot[p->keyplot] = true;
		} else if (p->compare >= 0) {
			out->compare[out->ncompare++] = mb_xstrdup(p->png);
		} else if (p->metric >= 0) {
			out->sweep[p->metric] = true;
		} else {
			out->other = mb_xrealloc(out->other, (size_t)(out->nother + 1) * sizeof(*out->other));
			out->other[out->nother++] = mb_xstrdup(p->png);
		}
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

int rep_draw(struct rep_set *set, const char *outdir, void (*add)(struct render *r, void *ctx), void *ctx,
	     struct rep_plotted *out)
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
		add(&r, ctx);
		out->compare = mb_xcalloc((size_t)r.ncompare + 1, sizeof(*out->compare));
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

/* The report's plots: a timeline per migration, the sweep against the
 * delay (when it varies), settings side by side, predicted against measured. */
static void report_plots(struct render *r, void *ctx)
{
	struct rep_plotted *out = ctx;
	struct rep_groups gs;
	rep_groups_build(r->set, &gs);
	rep_timelines(r);
	rep_sweep(r, gs.ndelays > 1);
	rep_keyplots(r);
	out->nseries = rep_groups_nsettings(&gs);
	rep_compare_plots(r, &gs);
	rep_groups_free(&gs);
	rep_predicted(r);
}

int rep_plots(struct rep_set *set, const char *outdir, struct rep_plotted *out)
{
	return rep_draw(set, outdir, report_plots, out, out);
}

void rep_plotted_free(struct rep_plotted *p, int nrows)
{
	for (int i = 0; p->timeline && i < nrows; i++)
		free(p->timeline[i]);
	free(p->timeline);
	for (int i = 0; i < p->nother; i++)
		free(p->other[i]);
	free(p->other);
	for (int i = 0; i < p->ncompare; i++)
		free(p->compare[i]);
	free(p->compare);
	memset(p, 0, sizeof(*p));
}
