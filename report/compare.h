/* compare.h - two runs compared cell by cell (`migbench compare A B`).
 *
 * A cell is a set of settings: the records' config echo (every scenario
 * key) without `repeat` and the keys the caller ignores; the repetitions
 * of a cell are its sample.  Cells of A and B with the same settings are
 * paired whatever their ids; for each metric (a numeric record key, e.g.
 * migration.total_s) the difference B - A gets a 95% confidence interval
 * from Welch's t (Welch-Satterthwaite degrees of freedom), and is
 * significant when the interval excludes 0.
 *
 * Refused with MB_EINPUT and a message naming the run (and the keys or
 * scenarios): a directory that is not a run, a schema version this
 * migbench cannot read, a half-written run (planned scenarios missing),
 * profiles that differ in how they measure (the baseline window, the
 * workload's parameters, the guest image...), runs that share no cell. */
#ifndef MB_COMPARE_H
#define MB_COMPARE_H

#include <stdbool.h>

#include <json-c/json.h>

#include "core/err.h"

/* One metric of one cell.  Means and standard deviations over the ok
 * records with a value; the rest NaN when a side has too few. */
struct cmp_stat {
	int na, nb;
	double mean_a, sd_a, mean_b, sd_b;
	double diff;                /* mean_b - mean_a */
	double ci_low, ci_high;     /* 95% CI of diff; NaN unless both n >= 2 */
	double df;                  /* Welch-Satterthwaite degrees of freedom */
	bool significant;           /* the CI excludes 0 */
};

/* Welch's t on two samples given by mean, standard deviation and count. */
void cmp_welch(double mean_a, double sd_a, int na, double mean_b, double sd_b, int nb, struct cmp_stat *out);

struct cmp_cell {
	char *name;                 /* A's scenario id without "-rN" */
	char *name_b;               /* B's */
	json_object *settings;      /* what the cell is: the shared config */
	struct cmp_stat *m;         /* one per metric */
};

/* What the comparison tells about each run (run.json). */
struct cmp_side {
	char *dir;
	int schema_version;
	char *status, *start_time, *qemu, *libvirt, *kernel, *git_revision;
	int records, ok;
};

struct cmp_result {
	struct cmp_side a, b;
	char **metrics;
	int nmetrics;
	struct cmp_cell *cells;
	int ncells;
	char **only_a, **only_b;    /* cells of one run only */
	int nonly_a, nonly_b;
	char **ignored;             /* keys left out of the pairing (asked, or in one run only) */
	int nignored;
};

struct cmp_opts {
	const char *const *metrics; /* NULL: migration.total_s, migration.transfer_s,
				     * migration.downtime_s, ratio.during */
	int nmetrics;
	const char *const *ignore;  /* config keys to pair across */
	int nignore;
};

int cmp_runs(const char *dir_a, const char *dir_b, const struct cmp_opts *o, struct cmp_result *out) MB_WUR;
void cmp_free(struct cmp_result *r);
/* The table, one block per metric, one row per common cell (free it). */
char *cmp_text(const struct cmp_result *r);
json_object *cmp_json(const struct cmp_result *r);
/* outdir/plots/compare-<metric>.png: each cell's difference and its CI. */
int cmp_plot(const struct cmp_result *r, const char *outdir) MB_WUR;

#endif
