/* predicted.c - predicted-vs-measured.png: for every finished migration
 * with a prediction, the pre-copy model's transfer time against QEMU's
 * measured one (left) and the predicted downtime against libvirt's (right),
 * each with the line where they agree.  Points above it: the migration took
 * longer than the model says.  Numbers only reach gnuplot through a data
 * file; the script is the report's own text. */
#define _GNU_SOURCE
#include "report/internal.h"

#include <math.h>
#include <string.h>

#include "core/util.h"

#define PRED_PNG "predicted-vs-measured.png"
#define PRED_DAT "predicted-vs-measured.dat"

/* One panel: columns x:y of the data file against the line y = x up to max. */
static void panel(struct rep_buf *gp, const char *what, int x, int y, double max)
{
	rep_bprintf(gp, "set title '%s: measured against predicted'\n", what);
	rep_bprintf(gp, "set xlabel 'predicted %s (s)'\nset ylabel 'measured %s (s)'\n", what, what);
	rep_bprintf(gp, "set xrange [0:%.9g]\nset yrange [0:%.9g]\n", max, max);
	rep_bprintf(gp, "plot 'data/" PRED_DAT "' using %d:%d with points pt 7 lc rgb '#1f5fa8' "
			"title 'scenarios', x with lines dt 2 lc rgb '#555555' title 'measured = predicted'\n",
		    x, y);
}

void rep_predicted(struct render *r)
{
	const struct rep_set *set = r->set;
	struct rep_buf d = { 0 };
	struct plot *p;
	double tmax = 0, dmax = 0;
	int n = 0;

	rep_bputs(&d, "# predicted_transfer_s measured_transfer_s predicted_downtime_s measured_downtime_s\n");
	for (int i = 0; i < set->n; i++) {
		const struct rep_row *row = &set->rows[i];
		if (strcmp(row->status, "ok") || !isfinite(row->pred_transfer_s) || !isfinite(row->transfer_s))
			continue;
		rep_bprintf(&d, "%.9g %.9g ", row->pred_transfer_s, row->transfer_s);
		tmax = fmax(tmax, fmax(row->pred_transfer_s, row->transfer_s));
		if (isfinite(row->pred_downtime_s) && isfinite(row->downtime_s)) {
			rep_bprintf(&d, "%.9g %.9g\n", row->pred_downtime_s, row->downtime_s);
			dmax = fmax(dmax, fmax(row->pred_downtime_s, row->downtime_s));
		} else {
			rep_bputs(&d, "NaN NaN\n");
		}
		n++;
	}
	if (!n || rep_write_data(r, PRED_DAT, &d) != MB_OK) {
		if (n)
			rep_problem(r->set, "plots/" PRED_PNG ": %s", mb_errmsg());
		rep_bfree(&d);
		return;
	}
	rep_bfree(&d);
	p = rep_new_plot(r, mb_xstrdup(PRED_PNG), -1, -1);
	rep_bprintf(&p->gp, "reset\nset terminal pngcairo size 1000,480 font 'sans,10' noenhanced\n"
			    "set output '%s'\nset grid\nset key bottom right\nset size ratio -1\n"
			    "set multiplot layout 1,2 title 'pre-copy rounds model (%d migration%s)'\n",
		    p->png, n, n == 1 ? "" : "s");
	panel(&p->gp, "transfer time", 1, 2, tmax > 0 ? tmax * 1.1 : 1);
	panel(&p->gp, "downtime", 3, 4, dmax > 0 ? dmax * 1.1 : 1);
	rep_bputs(&p->gp, "unset multiplot\n");
}
