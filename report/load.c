/* load.c - reading run directories: run.json for the provenance, and
 * scenarios.jsonl line by line into typed rows merged by scenario id (a
 * hash, so linear in the records).  Every line that is skipped is named by
 * file:line. */
#define _GNU_SOURCE
#include "report/internal.h"

#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"

void rep_problem(struct rep_set *set, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort(); /* out of memory */
	va_end(ap);
	mb_warn("%s", msg);
	set->problems = mb_xrealloc(set->problems, (size_t)(set->nproblems + 1) * sizeof(*set->problems));
	set->problems[set->nproblems++] = msg;
}

static json_object *parse_stream(FILE *f)
{
	struct rep_buf b = { 0 };
	char chunk[65536];
	size_t k;
	json_object *o;
	while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rep_bprintf(&b, "%.*s", (int)k, chunk);
	o = json_tokener_parse(rep_bstr(&b));
	rep_bfree(&b);
	return o;
}

static int load_run_json(struct rep_set *set, const char *dir, bool first)
{
	bool missing;
	FILE *f = rep_open_confined(dir, "run.json", &missing);
	json_object *run;
	struct rep_buf bad = { 0 };
	if (!f)
		return missing ? mb_err(MB_EINPUT, "%s: not a migbench run directory (no run.json)", dir)
			       : mb_err_ctx(MB_EINPUT, "%s/run.json", dir);
	if (!first) {
		fclose(f);
		return MB_OK;
	}
	run = parse_stream(f);
	fclose(f);
	if (!run || !json_object_is_type(run, json_type_object)) {
		rep_problem(set, "%s/run.json: not a JSON object; the provenance table is empty", dir);
	} else {
		rep_prov_from_json(run, &set->prov, &bad);
		if (bad.n)
			rep_problem(set, "%s/run.json: %s (left out of the provenance table)", dir, bad.s);
	}
	json_object_put(run);
	rep_bfree(&bad);
	return MB_OK;
}

/* Add row to the set: a new id, or the new record of one seen before. */
static void merge_row(struct rep_set *set, json_object *ids, struct rep_row *row, int *cap)
{
	json_object *idx;
	if (json_object_object_get_ex(ids, row->id, &idx)) {
		struct rep_row *old = &set->rows[json_object_get_int(idx)];
		if (strcmp(old->dir, row->dir)) {
			char *id = rep_printable(row->id);
			rep_problem(set, "scenario %s is recorded in both %s and %s; using the one in %s", id,
				    old->dir, row->dir, row->dir);
			free(id);
			set->duplicates++;
		}
		/* The same run: a retried scenario; the last record wins. */
		rep_row_free(old);
		*old = *row;
		return;
	}
	if (set->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		set->rows = mb_xrealloc(set->rows, (size_t)*cap * sizeof(*set->rows));
	}
	json_object_object_add(ids, row->id, json_object_new_int(set->n));
	set->rows[set->n++] = *row;
}

static bool blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

/* A file the record names but the report does not read (jobstats): still
 * refused, and said, when it points outside the run directory. */
static void check_ref(struct rep_set *set, const char *path, int lineno, const struct rep_row *row)
{
	bool missing;
	FILE *f;
	if (!row->jobstats_file)
		return;
	f = rep_open_confined(row->dir, row->jobstats_file, &missing);
	if (f) {
		fclose(f);
	} else if (!missing) {
		char *name = rep_printable(row->jobstats_file);
		set->refused++;
		rep_problem(set, "%s:%d: jobstats_file '%s' refused: %s", path, lineno, name, mb_errmsg());
		free(name);
	}
}

/* One line of scenarios.jsonl: a row merged into the set, or a problem. */
static void load_line(struct rep_set *set, json_object *ids, const char *dir, const char *path, int lineno,
		      const char *line, int *cap)
{
	json_object *rec = json_tokener_parse(line);
	struct rep_row row;
	if (!rec || !json_object_is_type(rec, json_type_object)) {
		set->bad_lines++;
		rep_problem(set, "%s:%d: not a JSON object (skipped; a crash mid-write leaves a truncated last line)",
			    path, lineno);
	} else if (rep_row_from_json(rec, &row) != MB_OK) {
		set->malformed++;
		rep_problem(set, "%s:%d: %s (record skipped)", path, lineno, mb_errmsg());
	} else {
		row.dir = dir;
		row.line = lineno;
		check_ref(set, path, lineno, &row);
		merge_row(set, ids, &row, cap);
	}
	json_object_put(rec);
}

static int load_scenarios(struct rep_set *set, json_object *ids, const char *dir, int *cap)
{
	bool missing;
	FILE *f = rep_open_confined(dir, "scenarios.jsonl", &missing);
	char *path = mb_xasprintf("%s/scenarios.jsonl", dir), *line = NULL;
	size_t len = 0;
	int lineno = 0;
	if (!f) {
		free(path);
		return missing ? MB_OK /* no scenario finished yet */
			       : mb_err_ctx(MB_EINPUT, "%s/scenarios.jsonl", dir);
	}
	while (getline(&line, &len, f) >= 0) {
		lineno++;
		if (!blank(line))
			load_line(set, ids, dir, path, lineno, line, cap);
	}
	free(line);
	free(path);
	fclose(f);
	return MB_OK;
}

int rep_load(const char *const *dirs, int n, struct rep_set *set)
{
	json_object *ids = json_object_new_object(); /* id -> index into rows */
	int rc = MB_OK, cap = 0;
	assert(!rep_unknown_path()); /* rows.c reads only keys the record has */
	memset(set, 0, sizeof(*set));
	for (int d = 0; d < n && !rc; d++) {
		rc = load_run_json(set, dirs[d], d == 0);
		if (!rc)
			rc = load_scenarios(set, ids, dirs[d], &cap);
	}
	json_object_put(ids);
	if (rc)
		rep_free(set);
	return rc;
}

void rep_free(struct rep_set *set)
{
	for (int i = 0; i < set->n; i++)
		rep_row_free(&set->rows[i]);
	free(set->rows);
	for (int i = 0; i < set->nproblems; i++)
		free(set->problems[i]);
	free(set->problems);
	rep_prov_free(&set->prov);
	memset(set, 0, sizeof(*set));
}
