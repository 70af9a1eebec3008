/* internal.h - what the report's own files share (not for other folders). */
#ifndef MB_REPORT_INTERNAL_H
#define MB_REPORT_INTERNAL_H

#include <stdbool.h>
#include <stdio.h>

#include "report/report.h"

/* ---- files (files.c) ---- */

/* Open dir/rel for reading when it is a regular file inside dir: rel is
 * relative, has no ".." component, and no symlink on the way leads out of
 * dir.  NULL with the reason as the error message; *missing tells a file
 * that does not exist (often normal) from one that is refused. */
FILE *rep_open_confined(const char *dir, const char *rel, bool *missing);
/* Write path through a new temporary file in the same directory and a
 * rename: never through a symlink planted at path or path.tmp. */
int rep_write_file(const char *path, const char *data, size_t len) MB_WUR;
/* path as a real directory: created when absent, refused when it is a
 * symlink or not a directory. */
int rep_real_dir(const char *path) MB_WUR;

/* ---- plots (plots.c, timeline.c, sweep.c) ---- */

/* One picture and the commands that draw it. */
struct plot {
	char *png;         /* file name, relative to the render directory */
	struct rep_buf gp; /* its gnuplot commands */
	int row;           /* the timeline's row, else -1 */
	int metric;        /* the sweep metric, else -1 */
	int compare;       /* the comparison plot's number, else -1 */
	int keyplot;       /* the study plot's number (keyplots.c), else -1 */
	bool failed;
	int first_line, nlines; /* where it is in the script gnuplot runs now */
};

/* The pictures being made in a private render directory. */
struct render {
	struct rep_set *set;
	char *dir;          /* absolute path of the private render directory */
	struct plot *plots;
	int nplots, cap;
	char **data;        /* data files written, relative to dir */
	int ndata, datacap;
	int ncompare;       /* comparison plots made */
};

struct plot *rep_new_plot(struct render *r, char *png, int row, int metric);
/* Write data/<name> in the render directory (a new file: two rows whose
 * names collide do not overwrite each other). */
int rep_write_data(struct render *r, const char *name, const struct rep_buf *b) MB_WUR;
/* The timelines' data files and plots; the sweep's against the delay. */
void rep_timelines(struct render *r);
void rep_sweep(struct render *r, bool delay_varies);
/* predicted-vs-measured.png: the model's transfer time and downtime
 * against the measured ones (predicted.c). */
void rep_predicted(struct render *r);

enum { REP_M_TOTAL, REP_M_DOWNTIME, REP_M_RATIO, REP_M_RATIO_RUN, REP_NMETRIC };

/* The studies' plots of a figure against a scenario key (keyplots.c). */
enum { REP_K_NEIGHBOURS, REP_K_KSM, REP_K_DATASIZE, REP_K_VMS, REP_NKEYPLOT };
struct rep_kpoint {
	double x, mean, ci;    /* ci: 95%, 0 below 2 repetitions */
	int n;
};
struct rep_kseries {
	char *label;
	struct rep_kpoint *pts; /* by x */
	int n;
};
struct rep_kplot_data {
	struct rep_kseries *s;
	int n;
	bool relative;         /* y over each series' x = 0 cell */
};
/* Plot k's series from the set: their number, 0 (and out empty) when the
 * key does not vary among the rows with the plot's figure. */
int rep_keyplot_series(const struct rep_set *set, int k, struct rep_kplot_data *out);
void rep_kplot_data_free(struct rep_kplot_data *d);
const char *rep_keyplot_file(int k);  /* plots/<file>.png */
const char *rep_keyplot_title(int k);
/* Each plot whose key varies. */
void rep_keyplots(struct render *r);

/* A series' line colour; qsort's order of doubles. */
const char *rep_color(int series);
int rep_double_cmp(const void *a, const void *b);

/* What was drawn, for index.html. */
struct rep_plotted {
	char **timeline;          /* per row of the set: PNG name in plots/, or NULL */
	bool sweep[REP_NMETRIC];  /* plots/<rep_sweep_file[k]>.png was drawn */
	bool keyplot[REP_NKEYPLOT]; /* plots/<rep_keyplot_file(k)>.png was drawn */
	char **other;             /* the other PNGs drawn (row and metric -1) */
	int nother;
	char **compare;           /* comparison plots drawn (PNG names), ncompare of them */
	int ncompare;
	int ntimelines, nseries, nfailed;
};

/* ---- settings compared (comparison.c) ---- */

/* How a repetition ended: the record's outcome, or its status. */
enum { REP_O_CONVERGED, REP_O_NOT_CONVERGED, REP_O_ABORTED, REP_O_REFUSED, REP_O_FAILED,
       REP_O_SKIPPED, REP_NOUT };
extern const char *const rep_outcome_names[REP_NOUT];
int rep_row_outcome(const struct rep_row *row);

/* One setting (series label) at one delay: its repetitions. */
struct rep_group {
	char *label;
	double delay_ms;
	int first;             /* its first row: groups keep the rows' order */
	int *rows, n;          /* indices into the set's rows */
	int count[REP_NOUT];   /* repetitions by outcome */
};
struct rep_groups {
	struct rep_group *g;   /* by delay, then in the rows' order */
	int n, ndelays;
};
void rep_groups_build(const struct rep_set *set, struct rep_groups *out);
void rep_groups_free(struct rep_groups *gs);
/* Distinct settings (labels) over all delays. */
int rep_groups_nsettings(const struct rep_groups *gs);

/* CSV pieces: s in double quotes (quotes doubled, line breaks as spaces);
 * ",V" with V in base units, or "," when v is not finite (unmeasured). */
void rep_csv_quoted(struct rep_buf *b, const char *s);
void rep_csv_num(struct rep_buf *b, double v);

struct rep_stat {
	double mean, ci;       /* NaN when no repetition has it; ci NaN below 2 */
	double cv;             /* sample standard deviation / mean; NaN below 2 */
	int n;
};
/* Mean and 95% CI of the double at off in struct rep_row over the group's
 * converged repetitions (converged) or the unfinished ones (not). */
struct rep_stat rep_group_stat(const struct rep_set *set, const struct rep_group *g, size_t off,
			       bool converged);
/* comparison.csv: one row per setting and delay (free it). */
char *rep_comparison_csv(const struct rep_set *set, const struct rep_groups *gs);
/* One comparison plot per delay that has more than one setting (or for
 * the one delay there is), when there are at most 8 delays. */
void rep_compare_plots(struct render *r, const struct rep_groups *gs);

extern const char *const rep_sweep_file[REP_NMETRIC];

/* Data files, the script and the PNGs in outdir/plots.  A plot that fails
 * is a problem of the set; the others are still drawn.  MB_OK unless the
 * plots directory cannot be used (then nothing is drawn). */
int rep_plots(struct rep_set *set, const char *outdir, struct rep_plotted *out) MB_WUR;
/* The same machinery for any plots: add() puts them into r (rep_new_plot,
 * rep_write_data); they are checked, drawn into outdir/plots and listed in
 * out (whose timeline array has set->n entries). */
int rep_draw(struct rep_set *set, const char *outdir, void (*add)(struct render *r, void *ctx), void *ctx,
	     struct rep_plotted *out) MB_WUR;
void rep_plotted_free(struct rep_plotted *p, int nrows);

/* The label of each row's series ("memdirty downtime max_downtime=0.1"):
 * workload, experiment section, and the matrix settings whose value differs
 * from the most common one among the rows.  labels[i] for row i (free with
 * rep_labels_free). */
char **rep_series_labels(const struct rep_set *set);
/* The labels of plots against the option named key (NULL: none): it is
 * left out, and every other setting that varies among the rows of the
 * same experiment section is named with its value (also the common one:
 * "memory 128 MiB seqread_direct no"). */
char **rep_series_labels_without(const struct rep_set *set, const char *key);
void rep_labels_free(char **labels, int n);

/* ---- index.html (html.c) ---- */

char *rep_index_html(const struct rep_set *set, const struct rep_groups *gs, const char *const *dirs,
		     int ndirs, const struct rep_plotted *plotted);

#endif
