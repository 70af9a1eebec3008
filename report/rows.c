/* rows.c - the one typed view of the records: a table of (key path, type,
 * field) turns a scenario record into a struct rep_row and run.json into a
 * struct rep_prov, checking every type on the way; loading and merging the
 * runs' scenarios.jsonl with line numbers for every complaint.
 *
 * The key paths below are the only place in report/ that knows the record's
 * layout. */
#define _GNU_SOURCE
#include "report/internal.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "profile/options.h"
#include "record/result.h"

enum fkind { F_STR, F_NUM };

struct field {
	const char *col;  /* summary.csv column, NULL: not a column */
	const char *path; /* dotted key path in the JSON object */
	enum fkind kind;
	size_t off;       /* offset of the char * or double in the struct */
};

#define RS(f) F_STR, offsetof(struct rep_row, f)
#define RN(f) F_NUM, offsetof(struct rep_row, f)

/* summary.csv columns first, in their order; then fields only read. */
static const struct field row_fields[] = {
	{ "id", "id", RS(id) },
	{ "experiment", "experiment", RS(experiment) },
	{ "repetition", "repetition", RN(repetition) },
	{ "status", "status", RS(status) },
	{ "outcome", "outcome", RS(outcome) },
	{ "workload", "workload", RS(workload) },
	{ "delay_s", "delay_s", RN(delay_s) },
	{ "jitter_s", "config.jitter", RN(jitter_s) },
	{ "loss", "config.loss", RN(loss) },
	{ "rate_bytes_per_s", "config.rate", RN(rate) },
	{ "link_path", "config.link_path", RS(link_path) },
	{ "max_downtime_s", "precopy.max_downtime_s", RN(max_downtime_s) },
	{ "bandwidth_bytes_per_s", "precopy.bandwidth_bytes_per_s", RN(bandwidth) },
	{ "auto_converge", "precopy.auto_converge", RN(auto_converge) },
	{ "xbzrle", "precopy.xbzrle", RN(xbzrle) },
	{ "compression", "precopy.compression", RS(compression) },
	{ "multifd", "precopy.multifd", RN(multifd) },
	{ "postcopy_after", "precopy.postcopy_after", RN(postcopy_after) },
	{ "memory_bytes", "config.memory", RN(memory) },
	{ "migration_total_s", "migration.total_s", RN(total_s) },
	{ "migration_downtime_s", "migration.downtime_s", RN(downtime_s) },
	{ "migration_setup_s", "migration.setup_s", RN(setup_s) },
	{ "migration_bytes", "migration.bytes", RN(bytes) },
	{ "migration_iterations", "migration.iterations", RN(iterations) },
	{ "migration_bandwidth_bytes_per_s", "migration.bandwidth_bytes_per_s", RN(mig_bandwidth) },
	{ "observed_downtime_s", "migration.observed_downtime_s", RN(observed_downtime_s) },
	{ "postcopy", "migration.postcopy", RN(postcopy) },
	{ "progress_time_s", "migration.progress.time_s", RN(prog_time_s) },
	{ "progress_iteration", "migration.progress.iteration", RN(prog_iteration) },
	{ "progress_memory_remaining_bytes", "migration.progress.memory_remaining_bytes", RN(prog_remaining) },
	{ "progress_data_sent_bytes", "migration.progress.data_processed_bytes", RN(prog_sent) },
	{ "progress_dirty_rate_bytes_per_s", "migration.progress.dirty_rate_bytes_per_s", RN(prog_dirty_bps) },
	{ "progress_bandwidth_bytes_per_s", "migration.progress.bandwidth_bytes_per_s", RN(prog_bps) },
	{ "progress_throttle_pct", "migration.progress.throttle_pct", RN(prog_throttle) },
	{ "progress_throttle_max_pct", "migration.progress.throttle_max_pct", RN(prog_throttle_max) },
	{ "unit", "phases.before.unit", RS(unit) },
	{ "before_rate", "phases.before.rate", RN(before_rate) },
	{ "before_stddev", "phases.before.stddev", RN(before_stddev) },
	{ "before_n", "phases.before.n", RN(before_n) },
	{ "during_rate", "phases.during.rate", RN(during_rate) },
	{ "during_stddev", "phases.during.stddev", RN(during_stddev) },
	{ "during_n", "phases.during.n", RN(during_n) },
	{ "after_rate", "phases.after.rate", RN(after_rate) },
	{ "after_stddev", "phases.after.stddev", RN(after_stddev) },
	{ "after_n", "phases.after.n", RN(after_n) },
	{ "ratio_during", "ratio.during", RN(ratio_during) },
	{ "ratio_after", "ratio.after", RN(ratio_after) },
	{ "ratio_running", "ratio.running", RN(ratio_running) },
	{ "guest_gap_s", "guest_gap_s", RN(guest_gap_s) },
	{ "service_downtime_s", "service_downtime_s", RN(service_downtime_s) },
	{ "samples_lost", "samples.lost", RN(samples_lost) },
	{ "probe_rtt_avg_s", "link.probe.rtt_avg_s", RN(probe_rtt_avg_s) },
	{ "probe_rtt_p99_s", "link.probe.rtt_p99_s", RN(probe_rtt_p99_s) },
	{ "probe_tcp_bytes_per_s", "link.probe.tcp_bytes_per_s", RN(probe_tcp_bytes_per_s) },
	{ "link_backend", "link.backend", RS(link_backend) },
	{ "storage_mode", "storage.mode", RS(storage_mode) },
	{ "source", "source", RS(source) },
	{ "destination", "destination", RS(destination) },
	{ "error", "error", RS(error) },
	{ "outcome_why", "outcome_why", RS(outcome_why) },
	{ NULL, "delay_ms", RN(delay_ms) },
	{ NULL, "link.probe.tcp_steady_bytes_per_s", RN(probe_tcp_steady) },
	{ NULL, "storage.why", RS(storage_why) },
	{ NULL, "samples.file", RS(samples_file) },
	{ NULL, "jobstats_file", RS(jobstats_file) },
	{ NULL, "hosts.file", RS(hosts_file) },
	{ NULL, "migration.pause_s", RN(pause_s) },
	{ NULL, "migration.resume_s", RN(resume_s) },
	{ NULL, "migration.transfer_s", RN(transfer_s) },
	{ NULL, "prediction.transfer_s", RN(pred_transfer_s) },
	{ NULL, "prediction.downtime_s", RN(pred_downtime_s) },
	{ NULL, "migration.end_s", RN(end_s) },
	{ NULL, "config.link", RS(link) },
	{ NULL, "config.neighbours", RN(neighbours) },
	{ NULL, "config.migrate_vms", RN(migrate_vms) },
	{ NULL, "config.seqread_size", RN(seqread_size) },
	{ NULL, "ksm.mode", RS(ksm_mode) },
	{ NULL, "ksm.after.merged_bytes", RN(ksm_after_merged) },
	{ NULL, "migrations.total_s", RN(migs_total_s) },
};
#define ITER_PATH "migration.iteration_events_s"
#define CONFIG_PATH "config"

#define PS(f) F_STR, offsetof(struct rep_prov, f)

static const struct field prov_fields[] = {
	{ NULL, "host.migbench.version", PS(version) },
	{ NULL, "host.migbench.git_revision", PS(git_revision) },
	{ NULL, "host.kernel", PS(kernel) },
	{ NULL, "host.qemu", PS(qemu) },
	{ NULL, "host.libvirt", PS(libvirt) },
	{ NULL, "testbed.kind", PS(testbed) },
	{ NULL, "testbed.link_backend", PS(link_backend) },
	{ NULL, "testbed.link_why", PS(link_why) },
	{ NULL, "testbed.link_semantics", PS(link_semantics) },
	{ NULL, "testbed.guest_image.kernel_version", PS(guest_kernel_version) },
	{ NULL, "testbed.guest_image.kernel_sha256", PS(guest_kernel_sha256) },
	{ NULL, "start_time", PS(start_time) },
	{ NULL, "command", PS(command) },
};

/* ---- typed access ------------------------------------------------------------ */

/* "a string", "an array", ... for messages. */
static const char *type_name(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_int:
	case json_type_double: return "a number";
	case json_type_string: return "a string";
	case json_type_array: return "an array";
	case json_type_object: return "an object";
	}
	return "of an unknown type";
}

/* The value at a dotted path into *out (NULL: absent or null).  MB_EINPUT
 * when a step on the way is not an object. */
static int jget(json_object *o, const char *path, json_object **out)
{
	char key[64];
	const char *p = path;
	*out = NULL;
	while (o && *p) {
		size_t n = strcspn(p, ".");
		assert(n < sizeof(key)); /* the paths are the constants above */
		if (!json_object_is_type(o, json_type_object))
			return mb_err(MB_EINPUT, "%.*s is %s, not an object", (int)(p - path - 1), path,
				      type_name(o));
		memcpy(key, p, n);
		key[n] = '\0';
		if (!json_object_object_get_ex(o, key, &o))
			return MB_OK;
		p += n + (p[n] == '.');
	}
	if (o && !json_object_is_type(o, json_type_null))
		*out = o;
	return MB_OK;
}

static bool is_number(json_object *o)
{
	return json_object_is_type(o, json_type_int) || json_object_is_type(o, json_type_double) ||
	       json_object_is_type(o, json_type_boolean);
}

/* The field at off in a row or provenance struct (through void *: the
 * offsets come from offsetof, so the alignment is right). */
static double *num_at(const void *base, size_t off)
{
	return (double *)(void *)((char *)(uintptr_t)base + off);
}

static char **str_at(const void *base, size_t off)
{
	return (char **)(void *)((char *)(uintptr_t)base + off);
}

static int read_field(json_object *o, const struct field *f, void *base)
{
	json_object *v;
	int rc = jget(o, f->path, &v);
	if (rc)
		return rc;
	if (f->kind == F_NUM) {
		if (v && !is_number(v))
			return mb_err(MB_EINPUT, "%s is %s, not a number", f->path,
				      type_name(v));
		*num_at(base, f->off) = v ? json_object_get_double(v) : NAN;
	} else {
		if (v && !json_object_is_type(v, json_type_string))
			return mb_err(MB_EINPUT, "%s is %s, not a string", f->path,
				      type_name(v));
		*str_at(base, f->off) = v ? mb_xstrdup(json_object_get_string(v)) : NULL;
	}
	return MB_OK;
}

static int read_iterations(json_object *rec, struct rep_row *row)
{
	json_object *a;
	size_t n;
	int rc = jget(rec, ITER_PATH, &a);
	if (rc || !a)
		return rc;
	if (!json_object_is_type(a, json_type_array))
		return mb_err(MB_EINPUT, ITER_PATH " is %s, not an array",
			      type_name(a));
	n = json_object_array_length(a);
	row->iter_s = mb_xcalloc(n ? n : 1, sizeof(*row->iter_s));
	for (size_t i = 0; i < n; i++) {
		json_object *t = json_object_array_get_idx(a, i);
		if (!t || json_object_is_type(t, json_type_null))
			continue;
		if (!is_number(t))
			return mb_err(MB_EINPUT, ITER_PATH "[%zu] is %s, not a number", i,
				      type_name(t));
		row->iter_s[row->niter++] = json_object_get_double(t);
	}
	return MB_OK;
}

/* A setting as label text: numbers by value (the writer's 0.29999999999999999
 * and another tool's 0.3 are one setting). */
static char *value_text(json_object *v)
{
	if (!v)
		return mb_xstrdup("null");
	if (json_object_is_type(v, json_type_double))
		return mb_xasprintf("%.15g", json_object_get_double(v));
	return mb_xstrdup(json_object_get_string(v));
}

/* The matrix settings of the record's config, as text. */
static int read_config(json_object *rec, struct rep_row *row)
{
	json_object *cfg;
	int rc = jget(rec, CONFIG_PATH, &cfg), cap = 0;
	if (rc || !cfg)
		return rc;
	if (!json_object_is_type(cfg, json_type_object))
		return mb_err(MB_EINPUT, CONFIG_PATH " is %s, not an object",
			      type_name(cfg));
	json_object *lk = json_object_object_get(cfg, "link");
	/* A named link is the x axis like the delay: its name and the values it
	 * bundles are not a series of their own. */
	bool named = lk && json_object_is_type(lk, json_type_string) && json_object_get_string_len(lk);
	json_object_object_foreach(cfg, k, v)
	{
		static const char *const bundled[] = { "link", "jitter", "jitter_dist", "loss", "rate",
						       "rate_up", "rate_down" };
		const struct mb_option *o = opt_find_full(k);
		bool skip = !o || !(o->flags & OPT_LIST) || !strcmp(k, "delay") || !strcmp(k, "workload");
		for (size_t i = 0; named && !skip && i < MB_ARRAY_SIZE(bundled); i++)
			skip = !strcmp(k, bundled[i]);
		if (skip)
			continue;
		if (json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array))
			return mb_err(MB_EINPUT, CONFIG_PATH ".%s is %s, not a value", o->full, type_name(v));
		if (row->ncfg == cap) {
			cap = cap ? cap * 2 : 8;
			row->cfg_opt = mb_xrealloc(row->cfg_opt, (size_t)cap * sizeof(*row->cfg_opt));
			row->cfg_val = mb_xrealloc(row->cfg_val, (size_t)cap * sizeof(*row->cfg_val));
		}
		row->cfg_opt[row->ncfg] = opt_index(o);
		row->cfg_val[row->ncfg++] = value_text(v);
	}
	return MB_OK;
}

const char *rep_unknown_path(void)
{
	for (size_t i = 0; i < MB_ARRAY_SIZE(row_fields); i++) {
		const char *p = row_fields[i].path;
		size_t off;
		if (!strncmp(p, CONFIG_PATH ".", sizeof(CONFIG_PATH)) ? !opt_find_full(p + sizeof(CONFIG_PATH))
								     : !res_field(p, &off))
			return p;
	}
	return res_field(ITER_PATH, &(size_t){ 0 }) ? NULL : ITER_PATH;
}

/* A schema 1 record of a migration that did not complete holds 0 for the
 * completed job's figures (never measured): blank them, as schema 2 does. */
static void blank_unmeasured(struct rep_row *row)
{
	bool done = row->outcome ? !strcmp(row->outcome, "converged") : !strcmp(row->status, "ok");
	if (done)
		return;
	row->total_s = row->downtime_s = row->setup_s = row->bytes = NAN;
	row->iterations = row->mig_bandwidth = NAN;
}

int rep_row_from_json(json_object *rec, struct rep_row *row)
{
	int rc = MB_OK;
	memset(row, 0, sizeof(*row));
	for (size_t i = 0; i < MB_ARRAY_SIZE(row_fields) && !rc; i++)
		rc = read_field(rec, &row_fields[i], row);
	if (!rc)
		rc = read_iterations(rec, row);
	if (!rc)
		rc = read_config(rec, row);
	if (!rc && (!row->id || !*row->id))
		rc = mb_err(MB_EINPUT, "no scenario id");
	if (!rc && !row->status)
		rc = mb_err(MB_EINPUT, "no status");
	if (rc)
		rep_row_free(row);
	else
		blank_unmeasured(row);
	return rc;
}

static void free_fields(const struct field *f, size_t n, void *base)
{
	for (size_t i = 0; i < n; i++)
		if (f[i].kind == F_STR)
			free(*str_at(base, f[i].off));
}

void rep_row_free(struct rep_row *row)
{
	free_fields(row_fields, MB_ARRAY_SIZE(row_fields), row);
	for (int i = 0; i < row->ncfg; i++)
		free(row->cfg_val[i]);
	free(row->cfg_val);
	free(row->cfg_opt);
	free(row->iter_s);
	memset(row, 0, sizeof(*row));
}

void rep_prov_from_json(json_object *run, struct rep_prov *prov, struct rep_buf *bad)
{
	memset(prov, 0, sizeof(*prov));
	for (size_t i = 0; i < MB_ARRAY_SIZE(prov_fields); i++)
		if (read_field(run, &prov_fields[i], prov) != MB_OK)
			rep_bprintf(bad, "%s%s", bad->n ? "; " : "", mb_errmsg());
}

void rep_prov_free(struct rep_prov *prov)
{
	free_fields(prov_fields, MB_ARRAY_SIZE(prov_fields), prov);
	memset(prov, 0, sizeof(*prov));
}

/* ---- summary.csv columns ------------------------------------------------------ */

size_t rep_ncolumns(void)
{
	size_t n = 0;
	while (n < MB_ARRAY_SIZE(row_fields) && row_fields[n].col)
		n++;
	return n;
}

const char *rep_column_name(size_t c)
{
	return row_fields[c].col;
}

void rep_column_csv(const struct rep_row *row, size_t c, struct rep_buf *b)
{
	const struct field *f = &row_fields[c];
	const char *s;
	if (f->kind == F_NUM) {
		double v = *num_at(row, f->off);
		if (!isnan(v))
			rep_bprintf(b, "%.9g", v);
		return;
	}
	s = *str_at(row, f->off);
	if (!s)
		return;
	if (!strpbrk(s, ",\"\n\r")) {
		rep_bputs(b, s);
		return;
	}
	rep_csv_quoted(b, s);
}

void rep_csv_quoted(struct rep_buf *b, const char *s)
{
	rep_bputs(b, "\"");
	for (; *s; s++)
		rep_bputs(b, *s == '"' ? "\"\"" : *s == '\n' || *s == '\r' ? " " : (char[]){ *s, 0 });
	rep_bputs(b, "\"");
}

void rep_csv_num(struct rep_buf *b, double v)
{
	rep_bputs(b, ",");
	if (isfinite(v))
		rep_bprintf(b, "%.9g", v);
}
