/* report.h - from recorded runs to pictures: summary.csv (one row per
 * scenario, every figure), plots/ (PNG through gnuplot) and index.html.
 * Several run directories (shards of one plan) are merged; a scenario id
 * recorded in two of them is reported. */
#ifndef MB_REPORT_H
#define MB_REPORT_H

#include <stdbool.h>

#include <json-c/json.h>

#include "core/err.h"

/* One scenario record, the last one of its id across the runs. */
struct rep_row {
	json_object *rec;   /* borrowed from the loaded records */
	const char *dir;    /* the run directory it came from */
};

struct rep_set {
	struct rep_row *rows;
	int n;
	json_object **objs; /* every record loaded (owned) */
	int nobjs;
	int duplicates;     /* ids found in more than one run directory */
	int bad_lines;      /* unreadable jsonl lines skipped */
	json_object *run;   /* run.json of the first directory (owned) */
};

/* Load and merge the runs' records. */
int rep_load(const char *const *dirs, int n, struct rep_set *set) MB_WUR;
void rep_free(struct rep_set *set);

/* The number at a dotted path ("migration.total_s"), NaN if absent/null. */
double rep_num(json_object *rec, const char *path);
const char *rep_str(json_object *rec, const char *path);

/* summary.csv text (free it). */
char *rep_summary_csv(const struct rep_set *set);

/* Write summary.csv, plots/ and index.html into out (NULL: the first run
 * directory when there is one, else results/merged-<time>).  With
 * summary_only, no plots. */
int report_runs(const char *const *dirs, int n, const char *out, bool summary_only) MB_WUR;

/* Student t critical value for a two-sided 95% interval with df degrees. */
double rep_t95(int df);

#endif
