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
#include "core/util.h"

json_object *res_num(double v)
{
	if (!isfinite(v))
		return NULL; /* JSON null */
	if (v == (double)(int64_t)v && fabs(v) < 9e15)
		return json_object_new_int64((int64_t)v);
	return json_object_new_double(v);
}

json_object *res_config_json(const struct mb_config *cfg, unsigned scope_mask)
{
	json_object *o = json_object_new_object();
	for (size_t i = 0; i < mb_noptions; i++) {
		const struct mb_option *opt = &mb_options[i];
		struct optval v;
		json_object *j = NULL;
		if (!(scope_mask & (1u << opt->scope)))
			continue;
		v = opt_load(opt, cfg);
		switch (opt->type) {
		case OPT_BOOL: j = json_object_new_boolean(v.b); break;
		case OPT_INT: j = json_object_new_int64(v.i); break;
		case OPT_DURATION: j = res_num((double)v.i / 1e9); break;
		case OPT_SIZE: j = json_object_new_int64((int64_t)v.u); break;
		case OPT_RATE:
		case OPT_FRACTION: j = res_num(v.d); break;
		case OPT_ENUM: j = json_object_new_string(opt->enums[v.e]); break;
		case OPT_STRING:
		case OPT_PATH: j = json_object_new_string(v.s ? v.s : ""); break;
		}
		json_object_object_add(o, opt->full, j);
	}
	return o;
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

static json_object *profile_json(const struct plan *pl)
{
	const struct profile *p = pl->prof;
	json_object *o = json_object_new_object(), *exps = json_object_new_array();

	json_object_object_add(o, "path", json_object_new_string(p->path));
	json_object_object_add(o, "text", p->text ? json_object_new_string(p->text) : NULL);
	json_object_object_add(o, "run", res_config_json(&pl->run, 1u << SCOPE_RUN));
	json_object_object_add(o, "lab", res_config_json(&pl->run, 1u << SCOPE_LAB));
	json_object_object_add(o, "hosts", res_config_json(&pl->run, 1u << SCOPE_HOSTS));
	/* Each experiment's effective settings, list keys as arrays. */
	for (int e = 0; e < (p->nexps ? p->nexps : 1); e++) {
		const struct section *sec = p->nexps ? p->exps[e] : NULL;
		json_object *x = json_object_new_object(), *set;
		struct mb_config cfg;
		profile_config(p, sec, &cfg);
		set = res_config_json(&cfg, 1u << SCOPE_SCENARIO);
		for (size_t i = 0; i < mb_noptions; i++) {
			const struct setting *st = profile_get(p, sec, (int)i);
			if (st && st->nvals > 1) {
				json_object *arr = json_object_new_array();
				for (int k = 0; k < st->nvals; k++) {
					json_object *one;
					opt_store(&mb_options[i], &cfg, &st->vals[k]);
					one = res_config_json(&cfg, 1u << SCOPE_SCENARIO);
					json_object_array_add(
						arr, json_object_get(json_object_object_get(
							     one, mb_options[i].full)));
					json_object_put(one);
				}
				json_object_object_add(set, mb_options[i].full, arr);
			}
		}
		json_object_object_add(x, "name", json_object_new_string(sec ? sec->name : "global"));
		json_object_object_add(x, "settings", set);
		json_object_array_add(exps, x);
	}
	json_object_object_add(o, "experiments", exps);
	return o;
}

int res_run_create(struct res_run *r, const char *dir, const struct plan *pl, const char *cmdline)
{
	char when[32], ts[32];
	double now = mb_real_s();
	time_t t = (time_t)now;
	struct tm tm;
	json_object *ids;
	int rc;

	memset(r, 0, sizeof(*r));
	if (dir) {
		r->dir = mb_xstrdup(dir);
	} else {
		const char *base = strrchr(pl->prof->path, '/');
		char *stem = mb_xstrdup(base ? base + 1 : pl->prof->path);
		char *dot = strrchr(stem, '.');
		if (dot)
			*dot = '\0';
		localtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", &tm);
		r->dir = mb_xasprintf("results/%s-%s", stem, ts);
		for (int k = 2; mb_path_exists(r->dir) && k < 1000; k++) {
			free(r->dir);
			r->dir = mb_xasprintf("results/%s-%s-%d", stem, ts, k);
		}
		free(stem);
	}
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
			return rc;
		}
	}
	rc = mb_mkdir_p(r->dir, 0755);
	if (rc)
		return rc;
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
	json_object_object_add(r->run, "profile", profile_json(pl));
	json_object_object_add(r->run, "seed", json_object_new_int64((int64_t)pl->seed));
	ids = json_object_new_array();
	for (int i = 0; i < pl->n; i++)
		json_object_array_add(ids, json_object_new_string(pl->sc[i].id));
	json_object_object_add(r->run, "planned", ids);
	json_object_object_add(r->run, "planned_total", json_object_new_int(pl->ntotal));
	rc = write_run_json(r);
	if (rc)
		return rc;
	return MB_OK;
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

int res_read_scenarios(const char *dir, json_object ***objs, int *n, int *bad)
{
	char *path = mb_xasprintf("%s/scenarios.jsonl", dir);
	char *buf = NULL, *line, *save = NULL;
	size_t len;
	int rc, cap = 0;

	*objs = NULL;
	*n = 0;
	*bad = 0;
	if (!mb_path_exists(path)) {
		free(path);
		return MB_OK; /* no scenario finished yet */
	}
	rc = mb_read_file(path, &buf, &len);
	free(path);
	if (rc)
		return rc;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_object *o = json_tokener_parse(line);
		if (!o || !json_object_is_type(o, json_type_object)) {
			json_object_put(o);
			(*bad)++;
			continue;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*objs = mb_xrealloc(*objs, (size_t)cap * sizeof(**objs));
		}
		(*objs)[(*n)++] = o;
	}
	free(buf);
	return MB_OK;
}

void res_free_scenarios(json_object **objs, int n)
{
	for (int i = 0; i < n; i++)
		json_object_put(objs[i]);
	free(objs);
}
