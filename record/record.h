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

#include <json-c/json.h>

#include "plan/plan.h"

#define MB_SCHEMA_VERSION 1

struct res_run {
	char *dir;
	json_object *run; /* contents of run.json */
};

/* Create dir (or results/<profile>-<time> when dir is NULL; the chosen path
 * is in r->dir), write run.json with status "running". */
int res_run_create(struct res_run *r, const char *dir, const struct plan *pl,
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
/* Write a file inside the run directory atomically (subdirs are created). */
int res_write(struct res_run *r, const char *relpath, const char *data, size_t len) MB_WUR;

/* Read scenarios.jsonl of dir.  Objects in file order; a line that does not
 * parse (a crash mid-write) is skipped and counted in *bad. */
int res_read_scenarios(const char *dir, json_object ***objs, int *n, int *bad) MB_WUR;
void res_free_scenarios(json_object **objs, int n);

/* Effective settings of a config as JSON, in base units; keys of the given
 * scope(s) only (mask of 1 << enum opt_scope). */
json_object *res_config_json(const struct mb_config *cfg, unsigned scope_mask);
/* Facts about this machine and build: kernel, QEMU, libvirt, json-c,
 * migbench version, git revision, build flags. */
json_object *res_host_facts(void);

/* json-c helpers that never return NULL for numbers. */
json_object *res_num(double v);

#endif
