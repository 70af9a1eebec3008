/* record.h - the results store: one directory per run.
 *
 *   run.json          schema_version, versions, host facts, effective profile,
 *                     start/end time, status (rewritten atomically)
 *   scenarios.jsonl   one JSON object per finished scenario, appended and
 *                     fsynced when the scenario ends (a crash can only leave
 *                     a truncated last line, which readers skip)
 *   samples/<id>.csv  the scenario's samples (written before its jsonl line)
 *   jobstats/<id>.csv libvirt job statistics over time
 *   summary.csv, plots/, index.html   written by `migbench report`
 * Values are in base units: seconds, bytes, bytes/s, fractions.
 */
#ifndef MB_RECORD_H
#define MB_RECORD_H

#include <stdint.h>

#include <json-c/json.h>

#include "record/result.h"

struct res_run {
	char *dir;
	json_object *run; /* contents of run.json */
};

/* What run.json records about the plan (res_run_create takes the JSON). */
struct res_run_info {
	const char *profile_path; /* names the default directory */
	json_object *profile;     /* opt_profile_json() */
	json_object *planned;     /* array of the planned scenario ids */
	int planned_total;        /* before sharding and --only */
	uint64_t seed;
};

/* Create dir (or results/<profile>-<time> when dir is NULL; the chosen path
 * is in r->dir), write run.json with status "running".  Takes info's JSON
 * (also on failure). */
int res_run_create(struct res_run *r, const char *dir, struct res_run_info *info,
		   const char *cmdline) MB_WUR;
/* Open an existing run directory (for --resume); loads run.json. */
int res_run_open(struct res_run *r, const char *dir) MB_WUR;
/* Add or replace a top-level member of run.json and rewrite it. */
int res_run_set(struct res_run *r, const char *key, json_object *val) MB_WUR;
/* Record the end: status ("ok", "failed", "interrupted"), end time, counts. */
int res_run_finish(struct res_run *r, const char *status, int ok, int failed,
		   int skipped) MB_WUR;
void res_run_close(struct res_run *r);

/* Append one scenario object (one line) to scenarios.jsonl, fsynced. */
int res_append_scenario(struct res_run *r, json_object *obj) MB_WUR;
/* The same for a typed record (written by res_scenario_json). */
int res_append_result(struct res_run *r, const struct res_scenario *rec) MB_WUR;
/* Write a file inside the run directory atomically (subdirs are created). */
int res_write(struct res_run *r, const char *relpath, const char *data, size_t len) MB_WUR;

/* Read scenarios.jsonl of dir.  Objects in file order, each checked against
 * the record's field tables (res_scenario_read): a line that does not parse
 * (a crash mid-write) or has a key of the wrong type is skipped with a
 * warning naming file:line and the key, and counted in *bad. */
int res_read_scenarios(const char *dir, json_object ***objs, int *n, int *bad) MB_WUR;
void res_free_scenarios(json_object **objs, int n);
/* The same, typed: *recs holds n records (res_free_results). */
int res_read_results(const char *dir, struct res_scenario **recs, int *n, int *bad) MB_WUR;
void res_free_results(struct res_scenario *recs, int n);

/* What `run --resume` takes from run.json, type-checked. */
struct res_resume {
	const char *profile_path, *profile_text; /* NULL when not recorded */
	const char *shard;                      /* "I/N" or NULL */
	int noverrides;
	const char **override_keys, **override_values;
};
/* Read r's run.json for a resume: MB_EINPUT naming run.json and the key
 * when a value has the wrong type (then out holds nothing to free).
 * Strings point into r->run. */
int res_resume_info(const struct res_run *r, struct res_resume *out) MB_WUR;
void res_resume_free(struct res_resume *ri);

/* Facts about this machine and build: kernel, QEMU, libvirt, json-c,
 * migbench version, git revision, build flags. */
json_object *res_host_facts(void);

/* A number as JSON: null when NaN or infinite (the one policy, jf_num). */
json_object *res_num(double v);

#endif
