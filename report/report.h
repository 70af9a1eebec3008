/* report.h - from recorded runs to pictures: summary.csv (one row per
 * scenario, every figure), plots/ (PNG through gnuplot) and index.html.
 * Several run directories (shards of one plan) are merged; a scenario id
 * recorded in two of them is reported.
 *
 * A results directory is treated as hostile: records are read through one
 * typed layer (rep_row_from_json, rep_prov_from_json) that checks every
 * type, a malformed record is skipped with a file:line warning and counted,
 * file names in records must stay inside their run directory, and nothing
 * read reaches gnuplot or HTML except through report/text.h. */
#ifndef MB_REPORT_H
#define MB_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "core/err.h"
#include "report/text.h"

/* One scenario record, typed.  Strings are owned (NULL: absent or null),
 * numbers NaN when absent or null, booleans as 0/1. */
struct rep_row {
	const char *dir; /* the run directory it came from (the caller's string) */
	int line;        /* its line in dir/scenarios.jsonl */
	char *id, *experiment, *status, *workload, *error, *link_path, *compression;
	char *outcome;             /* "converged", "not_converged", ...; NULL: none (v1, failed) */
	char *outcome_why;
	char *unit;                /* phases.before.unit: "add", "B", "beat" */
	char *link_backend, *storage_mode, *storage_why, *source, *destination;
	char *samples_file;        /* relative to dir, not yet checked */
	char *jobstats_file;
	char *hosts_file;          /* hosts/<id>.csv of the host sampler, not yet checked */
	double repetition, delay_ms, delay_s, jitter_s, loss, rate, memory;
	double max_downtime_s, bandwidth, auto_converge, xbzrle, multifd, postcopy_after;
	double total_s, downtime_s, setup_s, bytes, iterations, mig_bandwidth, observed_downtime_s;
	double postcopy, pause_s, resume_s, end_s;
	double before_rate, before_stddev, before_n, during_rate, during_stddev, during_n;
	double after_rate, after_stddev, after_n, ratio_during, ratio_after, guest_gap_s;
	double ratio_running;      /* ratio.running: during with the pause left out */
	double samples_lost, probe_rtt_avg_s, probe_rtt_p99_s, probe_tcp_bytes_per_s, probe_tcp_steady;
	double service_downtime_s; /* the echo probe's (echo_probe = yes), NaN without */
	double transfer_s;         /* QEMU's transfer time (migration.transfer_s) */
	double pred_transfer_s, pred_downtime_s; /* the pre-copy model's (prediction.*) */
	/* migration.progress: the last poll (how far a migration got) */
	double prog_time_s, prog_iteration, prog_remaining, prog_sent, prog_dirty_bps, prog_bps;
	double prog_throttle, prog_throttle_max;
	/* The studies' keys and figures (report/keyplots.c) */
	char *link;                /* config.link: the named link, "" or NULL when none */
	double neighbours, migrate_vms, seqread_size; /* config.* */
	char *ksm_mode;            /* ksm.mode: on, off (migbench set KSM) or keep */
	double ksm_after_merged;   /* ksm.after.merged_bytes */
	double migs_total_s;       /* migrations.total_s (migrate_vms > 1) */
	double *iter_s;            /* migration.iteration_events_s */
	size_t niter;
	/* The matrix settings (list options but delay and workload) as text,
	 * for series labels: cfg_opt[i] is an index into the option table. */
	int *cfg_opt;
	char **cfg_val;
	int ncfg;
};

/* run.json, typed: what the provenance table shows (NULL: absent). */
struct rep_prov {
	char *version, *git_revision, *kernel, *qemu, *libvirt, *testbed, *link_backend, *link_why;
	char *link_semantics, *guest_kernel_version, *guest_kernel_sha256, *start_time, *command;
};

/* One record's JSON object into row.  MB_EINPUT (message: the key and what
 * is wrong with it) when a value has the wrong type or id/status is missing;
 * row is then empty.  The only place that knows the record's keys. */
int rep_row_from_json(json_object *rec, struct rep_row *row) MB_WUR;
void rep_row_free(struct rep_row *row);
/* run.json into prov; a key of the wrong type is left NULL and described
 * in bad ("key is a number, not a string; ..."). */
void rep_prov_from_json(json_object *run, struct rep_prov *prov, struct rep_buf *bad);
void rep_prov_free(struct rep_prov *prov);

/* A path of the row table the record's field tables (record/result.h) do
 * not have (config.* keys: the option table), or NULL when every one is
 * there: a renamed key fails a test instead of becoming an empty column. */
const char *rep_unknown_path(void);

/* The columns of summary.csv, in order: name, and the row's field. */
size_t rep_ncolumns(void);
const char *rep_column_name(size_t c);
/* The column's text (CSV-quoted when needed; numbers in base units). */
void rep_column_csv(const struct rep_row *row, size_t c, struct rep_buf *b);

struct rep_set {
	struct rep_row *rows; /* one per scenario id, the last record of each */
	int n;
	int duplicates;       /* ids found in more than one run directory */
	int bad_lines;        /* lines that are not JSON objects (a crash mid-write) */
	int malformed;        /* records skipped for a value of the wrong type */
	int refused;          /* file names in records pointing outside their run */
	struct rep_prov prov; /* run.json of the first directory */
	char **problems;      /* every warning, for index.html */
	int nproblems;
};

/* Load and merge the runs' records (linear in records and their size). */
int rep_load(const char *const *dirs, int n, struct rep_set *set) MB_WUR;
void rep_free(struct rep_set *set);
/* A warning: printed, and kept for index.html. */
void rep_problem(struct rep_set *set, const char *fmt, ...) MB_PRINTF(2, 3);

/* summary.csv text (free it). */
char *rep_summary_csv(const struct rep_set *set);

/* Write summary.csv, plots/ and index.html into out (NULL: the first run
 * directory when there is one, else results/merged-<time>).  With
 * summary_only, no plots.  index.html is written even when records were
 * skipped or plots failed; then the result is MB_EINPUT (skipped records,
 * refused file names) after everything else was written. */
int report_runs(const char *const *dirs, int n, const char *out, bool summary_only) MB_WUR;

/* A migration's lower bound on a sweep plot, seconds: the bytes it sent
 * over the fastest the link probe carried (its whole 2 s, or its second
 * half once TCP's window has opened: at 64 ms the whole probe under-reads
 * by a quarter).  NaN when either is unknown.  Guest RAM is no bound:
 * QEMU skips zero pages. */
double rep_lower_bound(const struct rep_row *row);

/* Student t critical value for a two-sided 95% interval with df degrees. */
double rep_t95(int df);

#endif
