/* record.c - run directories, run.json and scenarios.jsonl (see record.h). */
#define _GNU_SOURCE
#include "record/record.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "mb_version.h"
#include "core/exec.h"
#include "core/jfield.h"
#include "core/log.h"
#include "core/util.h"

json_object *res_num(double v)
{
	return jf_num(v);
}

static char *first_line(const char *s)
{
	size_t n = strcspn(s, "\n");
	return mb_xstrndup(s, n);
}

json_object *res_host_facts(void)
{
	json_object *o = json_object_new_object(), *b = json_object_new_object();
	struct utsname u;
	unsigned long libver = 0;
	char host[256] = "";
	const char *qemu_argv[] = { "qemu-system-x86_64", "--version", NULL };
	struct mb_exec_result res = { 0 };
	struct mb_exec_opts eo = { .timeout_ms = 10000, .quiet = true };

	if (uname(&u) == 0) {
		json_object_object_add(o, "kernel", json_object_new_string(u.release));
		json_object_object_add(o, "kernel_version", json_object_new_string(u.version));
		json_object_object_add(o, "machine", json_object_new_string(u.machine));
	}
	if (gethostname(host, sizeof(host) - 1) == 0)
		json_object_object_add(o, "hostname", json_object_new_string(host));
	if (virGetVersion(&libver, NULL, NULL) == 0) {
		char v[32];
		snprintf(v, sizeof(v), "%lu.%lu.%lu", libver / 1000000, libver / 1000 % 1000,
			 libver % 1000);
		json_object_object_add(o, "libvirt", json_object_new_string(v));
	}
	if (mb_exec(qemu_argv, &eo, &res) == MB_OK && res.status == 0) {
		char *l = first_line(res.out);
		json_object_object_add(o, "qemu", json_object_new_string(l));
		free(l);
	} else {
		json_object_object_add(o, "qemu", NULL);
	}
	mb_exec_result_free(&res);
	json_object_object_add(o, "json_c", json_object_new_string(json_c_version()));
	json_object_object_add(o, "cpus", json_object_new_int64(sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_object_add(o, "memory_bytes",
			       json_object_new_int64((int64_t)sysconf(_SC_PHYS_PAGES) *
						     sysconf(_SC_PAGESIZE)));
	json_object_object_add(b, "version", json_object_new_string(MB_VERSION));
	json_object_object_add(b, "git_revision", json_object_new_string(MB_GIT_REV));
	json_object_object_add(b, "cflags", json_object_new_string(MB_BUILD_FLAGS));
	json_object_object_add(b, "compiler", json_object_new_string(__VERSION__));
	json_object_object_add(o, "migbench", b);
	return o;
}

static int write_run_json(struct res_run *r)
{
	char *path = mb_xasprintf("%s/run.json", r->dir);
	const char *s = json_object_to_json_string_ext(r->run, JSON_C_TO_STRING_PRETTY |
								       JSON_C_TO_STRING_NOSLASHESCAPE);
	int rc;
	char *withnl = mb_xasprintf("%s\n", s);
	rc = mb_write_file_atomic(path, withnl, strlen(withnl));
	free(withnl);
	free(path);
	return rc;
}

/* results/<profile stem>-<time>[-k], a directory that does not exist yet. */
static char *default_dir(const char *profile_path, double now)
{
	time_t t = (time_t)now;
	struct tm tm;
	char ts[32], *dir;
	const char *base = strrchr(profile_path, '/');
	char *stem = mb_xstrdup(base ? base + 1 : profile_path);
	char *dot = strrchr(stem, '.');
	if (dot)
		*dot = '\0';
	localtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", &tm);
	dir = mb_xasprintf("results/%s-%s", stem, ts);
	for (int k = 2; mb_path_exists(dir) && k < 1000; k++) {
		free(dir);
		dir = mb_xasprintf("results/%s-%s-%d", stem, ts, k);
	}
	free(stem);
	return dir;
}

static void info_drop(struct res_run_info *info)
{
	json_object_put(info->profile);
	json_object_put(info->planned);
	info->profile = info->planned = NULL;
}

int res_run_create(struct res_run *r, const char *dir, struct res_run_info *info, const char *cmdline)
{
	char when[32];
	double now = mb_real_s();
	int rc;

	memset(r, 0, sizeof(*r));
	r->dir = dir ? mb_xstrdup(dir) : default_dir(info->profile_path, now);
	if (mb_path_exists(r->dir)) {
		char *p = mb_xasprintf("%s/run.json", r->dir);
		bool exists = mb_path_exists(p);
		free(p);
		if (exists) {
			rc = mb_err(MB_EINPUT,
				    "%s already holds a run: use --resume %s to continue it, or "
				    "another --out",
				    r->dir, r->dir);
			free(r->dir);
			r->dir = NULL;
			info_drop(info);
			return rc;
		}
	}
	rc = mb_mkdir_p(r->dir, 0755);
	if (rc) {
		info_drop(info);
		return rc;
	}
	mb_iso8601(now, when, sizeof(when));
	r->run = json_object_new_object();
	json_object_object_add(r->run, "schema_version", json_object_new_int(MB_SCHEMA_VERSION));
	json_object_object_add(r->run, "tool", json_object_new_string("migbench"));
	json_object_object_add(r->run, "status", json_object_new_string("running"));
	json_object_object_add(r->run, "start_time", json_object_new_string(when));
	json_object_object_add(r->run, "start_epoch_s", res_num(now));
	json_object_object_add(r->run, "end_time", NULL);
	json_object_object_add(r->run, "command", json_object_new_string(cmdline ? cmdline : ""));
	json_object_object_add(r->run, "host", res_host_facts());
	json_object_object_add(r->run, "profile", info->profile);
	json_object_object_add(r->run, "seed", json_object_new_int64((int64_t)info->seed));
	json_object_object_add(r->run, "planned", info->planned ? info->planned : json_object_new_array());
	json_object_object_add(r->run, "planned_total", json_object_new_int(info->planned_total));
	info->profile = info->planned = NULL; /* r->run holds them now */
	return write_run_json(r);
}

int res_run_open(struct res_run *r, const char *dir)
{
	char *path = mb_xasprintf("%s/run.json", dir);
	json_object *o;
	memset(r, 0, sizeof(*r));
	if (!mb_path_exists(path)) {
		int rc = mb_err(MB_EINPUT, "%s: not a migbench run directory (no run.json)", dir);
		free(path);
		return rc;
	}
	o = json_object_from_file(path);
	if (!o || !json_object_is_type(o, json_type_object)) {
		int rc = mb_err(MB_EINPUT, "%s: cannot parse (%s)", path, json_util_get_last_err());
		json_object_put(o);
		free(path);
		return rc;
	}
	free(path);
	r->dir = mb_xstrdup(dir);
	r->run = o;
	return MB_OK;
}

int res_run_set(struct res_run *r, const char *key, json_object *val)
{
	json_object_object_add(r->run, key, val);
	return write_run_json(r);
}

int res_run_finish(struct res_run *r, const char *status, int ok, int failed, int skipped)
{
	char when[32];
	double now = mb_real_s();
	json_object *c = json_object_new_object();
	mb_iso8601(now, when, sizeof(when));
	json_object_object_add(r->run, "status", json_object_new_string(status));
	json_object_object_add(r->run, "end_time", json_object_new_string(when));
	json_object_object_add(r->run, "end_epoch_s", res_num(now));
	json_object_object_add(c, "ok", json_object_new_int(ok));
	json_object_object_add(c, "failed", json_object_new_int(failed));
	json_object_object_add(c, "skipped", json_object_new_int(skipped));
	json_object_object_add(r->run, "counts", c);
	return write_run_json(r);
}

void res_run_close(struct res_run *r)
{
	json_object_put(r->run);
	free(r->dir);
	memset(r, 0, sizeof(*r));
}

int res_append_scenario(struct res_run *r, json_object *obj)
{
	char *path = mb_xasprintf("%s/scenarios.jsonl", r->dir);
	const char *s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
								    JSON_C_TO_STRING_NOSLASHESCAPE);
	char *line = mb_xasprintf("%s\n", s);
	int rc = mb_append_fsync(path, line, strlen(line));
	free(line);
	free(path);
	return rc;
}

int res_write(struct res_run *r, const char *relpath, const char *data, size_t len)
{
	char *path = mb_xasprintf("%s/%s", r->dir, relpath);
	char *slash = strrchr(path, '/');
	int rc = MB_OK;
	*slash = '\0';
	rc = mb_mkdir_p(path, 0755);
	*slash = '/';
	if (!rc)
		rc = mb_write_file_atomic(path, data, len);
	free(path);
	return rc;
}

int res_append_result(struct res_run *r, const struct res_scenario *rec)
{
	json_object *o = res_scenario_json(rec);
	int rc = res_append_scenario(r, o);
	json_object_put(o);
	return rc;
}

/* Each well-formed record of dir/scenarios.jsonl, in file order, to fn (which
 * takes the object and the typed record); the others are skipped with a
 * warning naming file:line and counted in *bad. */
typedef void (*record_fn)(void *ctx, json_object *o, struct res_scenario *rec);

static int each_record(const char *dir, record_fn fn, void *ctx, int *bad)
{
	char *path = mb_xasprintf("%s/scenarios.jsonl", dir);
	char *buf = NULL, *line, *next;
	size_t len;
	int rc, lineno = 0;

	*bad = 0;
	if (!mb_path_exists(path)) {
		free(path);
		return MB_OK; /* no scenario finished yet */
	}
	rc = mb_read_file(path, &buf, &len);
	if (rc) {
		free(path);
		return rc;
	}
	for (line = buf; line < buf + len; line = next) {
		json_object *o;
		struct res_scenario rec;
		char *nl = memchr(line, '\n', (size_t)(buf + len - line));
		next = nl ? nl + 1 : buf + len;
		if (nl)
			*nl = '\0';
		lineno++;
		if (!line[strspn(line, " \t\r")])
			continue;
		if (strlen(line) != (size_t)(next - line - (nl ? 1 : 0))) {
			mb_warn("%s:%d: a NUL byte in the line; record skipped", path, lineno);
			(*bad)++;
			continue;
		}
		o = json_tokener_parse(line);
		if (!o) {
			mb_warn("%s:%d: not JSON (a crash mid-write?); record skipped", path, lineno);
			(*bad)++;
			continue;
		}
		if (res_scenario_read(o, &rec) != MB_OK) {
			mb_warn("%s:%d: %s; record skipped", path, lineno, mb_errmsg());
			(*bad)++;
			res_scenario_free(&rec);
			json_object_put(o);
			continue;
		}
		fn(ctx, o, &rec);
	}
	free(buf);
	free(path);
	return MB_OK;
}

/* The records read so far: as JSON objects, or typed. */
struct acc {
	bool typed;
	json_object **objs;
	struct res_scenario *recs;
	int n, cap;
};

static void keep(void *ctx, json_object *o, struct res_scenario *rec)
{
	struct acc *a = ctx;
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 16;
		if (a->typed)
			a->recs = mb_xrealloc(a->recs, (size_t)a->cap * sizeof(*a->recs));
		else
			a->objs = mb_xrealloc(a->objs, (size_t)a->cap * sizeof(*a->objs));
	}
	if (a->typed) {
		a->recs[a->n++] = *rec;
		json_object_put(o);
	} else {
		a->objs[a->n++] = o;
		res_scenario_free(rec);
	}
}

int res_read_scenarios(const char *dir, json_object ***objs, int *n, int *bad)
{
	struct acc a = { .typed = false };
	int rc = each_record(dir, keep, &a, bad);
	*objs = a.objs;
	*n = a.n;
	return rc;
}

void res_free_scenarios(json_object **objs, int n)
{
	for (int i = 0; i < n; i++)
		json_object_put(objs[i]);
	free(objs);
}

int res_read_results(const char *dir, struct res_scenario **recs, int *n, int *bad)
{
	struct acc a = { .typed = true };
	int rc = each_record(dir, keep, &a, bad);
	*recs = a.recs;
	*n = a.n;
	return rc;
}

void res_free_results(struct res_scenario *recs, int n)
{
	for (int i = 0; i < n; i++)
		res_scenario_free(&recs[i]);
	free(recs);
}

/* ---- run.json for --resume ------------------------------------------------------ */

/* The string at key of o (absent or null: NULL); else MB_EINPUT. */
static int opt_string(const struct res_run *r, json_object *o, const char *path, const char *key,
		      const char **out)
{
	json_object *v = NULL;
	*out = NULL;
	if (!o || !json_object_object_get_ex(o, key, &v) || !v)
		return MB_OK;
	if (!json_object_is_type(v, json_type_string))
		return mb_err(MB_EINPUT, "%s/run.json: key '%s': expected a string", r->dir, path);
	*out = json_object_get_string(v);
	return MB_OK;
}

static int read_overrides(const struct res_run *r, json_object *ov, struct res_resume *out)
{
	size_t n;
	if (!ov)
		return MB_OK;
	if (!json_object_is_type(ov, json_type_array))
		return mb_err(MB_EINPUT, "%s/run.json: key 'overrides': expected an array of [key, value] "
					 "string pairs", r->dir);
	n = json_object_array_length(ov);
	out->override_keys = mb_xcalloc(n ? n : 1, sizeof(char *));
	out->override_values = mb_xcalloc(n ? n : 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		json_object *kv = json_object_array_get_idx(ov, i), *k, *v;
		if (!json_object_is_type(kv, json_type_array) || json_object_array_length(kv) != 2 ||
		    !json_object_is_type(k = json_object_array_get_idx(kv, 0), json_type_string) ||
		    !json_object_is_type(v = json_object_array_get_idx(kv, 1), json_type_string))
			return mb_err(MB_EINPUT, "%s/run.json: key 'overrides[%zu]': expected [key, value], "
						 "two strings", r->dir, i);
		out->override_keys[out->noverrides] = json_object_get_string(k);
		out->override_values[out->noverrides++] = json_object_get_string(v);
	}
	return MB_OK;
}

int res_resume_info(const struct res_run *r, struct res_resume *out)
{
	json_object *prof = NULL, *ov = NULL;
	int rc;
	memset(out, 0, sizeof(*out));
	json_object_object_get_ex(r->run, "profile", &prof);
	if (prof && !json_object_is_type(prof, json_type_object))
		return mb_err(MB_EINPUT, "%s/run.json: key 'profile': expected an object", r->dir);
	rc = opt_string(r, prof, "profile.path", "path", &out->profile_path);
	if (!rc)
		rc = opt_string(r, prof, "profile.text", "text", &out->profile_text);
	if (!rc)
		rc = opt_string(r, r->run, "shard", "shard", &out->shard);
	json_object_object_get_ex(r->run, "overrides", &ov);
	if (!rc)
		rc = read_overrides(r, ov, out);
	if (rc)
		res_resume_free(out);
	return rc;
}

void res_resume_free(struct res_resume *ri)
{
	free(ri->override_keys);
	free(ri->override_values);
	memset(ri, 0, sizeof(*ri));
}
