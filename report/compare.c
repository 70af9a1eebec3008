/* compare.c - two runs cell by cell, Welch's t (see compare.h).  Records
 * are read through record/'s typed reader; run.json only for what tells
 * the runs apart (versions) and whether they are complete. */
#define _GNU_SOURCE
#include "report/compare.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/str.h"
#include "core/util.h"
#include "record/record.h"
#include "report/internal.h"

static const char *const default_metrics[] = { "migration.total_s", "migration.transfer_s",
					       "migration.downtime_s", "ratio.during" };

/* Settings that change how a scenario is measured, not what is measured:
 * runs that differ in them are not comparable. */
static const char *const protocol_keys[] = { "before", "after", "interval", "virt_type", "kernel", "initrd",
					     "guest_args", "cpuadd_round", "seqread_block", "seqread_size",
					     "seqread_offset", "seqread_direct" };

#define LIST_MAX 8 /* names listed in a message before "and N more" */

/* ---- Welch's t ------------------------------------------------------------------- */

void cmp_welch(double ma, double sa, int na, double mb, double sb, int nb, struct cmp_stat *o)
{
	double va, vb, se;
	o->na = na;
	o->nb = nb;
	o->mean_a = ma;
	o->sd_a = sa;
	o->mean_b = mb;
	o->sd_b = sb;
	o->diff = na && nb ? mb - ma : NAN;
	o->ci_low = o->ci_high = o->df = NAN;
	o->significant = false;
	if (na < 2 || nb < 2)
		return;
	va = sa * sa / na;
	vb = sb * sb / nb;
	se = sqrt(va + vb);
	if (se == 0) { /* no spread at all: the difference is what it is */
		o->df = na + nb - 2;
		o->ci_low = o->ci_high = o->diff;
		o->significant = o->diff != 0;
		return;
	}
	o->df = (va + vb) * (va + vb) / (va * va / (na - 1) + vb * vb / (nb - 1));
	{
		/* rep_t95 takes whole degrees: rounding down widens the interval. */
		double t = rep_t95(o->df < 1 ? 1 : (int)floor(o->df));
		o->ci_low = o->diff - t * se;
		o->ci_high = o->diff + t * se;
	}
	o->significant = o->ci_low > 0 || o->ci_high < 0;
}

/* ---- a run -------------------------------------------------------------------------- */

struct side {
	struct res_scenario *recs;
	int n;
	json_object *run;
};

static char *run_string(json_object *run, const char *a, const char *b)
{
	json_object *o = run, *v;
	if (!json_object_object_get_ex(o, a, &v))
		return NULL;
	if (b && (!json_object_is_type(v, json_type_object) || !json_object_object_get_ex(v, b, &v)))
		return NULL;
	return json_object_is_type(v, json_type_string) ? mb_xstrdup(json_object_get_string(v)) : NULL;
}

/* "a, b, c and 4 more" of the first names (free it). */
static char *name_list(char **names, int n)
{
	struct mb_str s = MB_STR_INIT;
	for (int i = 0; i < n && i < LIST_MAX; i++)
		mb_str_printf(&s, "%s%s", i ? ", " : "", names[i]);
	if (n > LIST_MAX)
		mb_str_printf(&s, " and %d more", n - LIST_MAX);
	return mb_str_detach(&s);
}

/* Every planned scenario recorded, else MB_EINPUT naming the missing. */
static int check_complete(const char *dir, json_object *run, const struct side *s)
{
	json_object *planned, *seen = json_object_new_object();
	char **missing = NULL;
	int nmissing = 0, nplanned, rc = MB_OK;
	if (!json_object_object_get_ex(run, "planned", &planned) || !json_object_is_type(planned, json_type_array)) {
		json_object_put(seen);
		return mb_err(MB_EINPUT, "%s/run.json: no list of planned scenarios ('planned'): not a complete run", dir);
	}
	for (int i = 0; i < s->n; i++)
		json_object_object_add(seen, s->recs[i].id, NULL);
	nplanned = (int)json_object_array_length(planned);
	for (int i = 0; i < nplanned; i++) {
		json_object *id = json_object_array_get_idx(planned, (size_t)i);
		const char *ids = json_object_is_type(id, json_type_string) ? json_object_get_string(id) : NULL;
		if (ids && json_object_object_get_ex(seen, ids, NULL))
			continue;
		missing = mb_xrealloc(missing, (size_t)(nmissing + 1) * sizeof(*missing));
		missing[nmissing++] = rep_printable(ids);
	}
	if (nmissing) {
		char *list = name_list(missing, nmissing);
		rc = mb_err(MB_EINPUT, "%s is half-written: %d of %d planned scenario%s missing (%s); finish it "
				       "with 'migbench run --resume %s'",
			    dir, nmissing, nplanned, nplanned == 1 ? " is" : "s are", list, dir);
		free(list);
	}
	for (int i = 0; i < nmissing; i++)
		free(missing[i]);
	free(missing);
	json_object_put(seen);
	return rc;
}

static int open_side(const char *dir, struct side *s, struct cmp_side *info)
{
	struct res_run run;
	json_object *v;
	int bad = 0, rc = res_run_open(&run, dir);
	memset(s, 0, sizeof(*s));
	if (rc)
		return rc;
	s->run = json_object_get(run.run);
	res_run_close(&run);
	info->dir = mb_xstrdup(dir);
	if (!json_object_object_get_ex(s->run, "schema_version", &v) || !json_object_is_type(v, json_type_int))
		return mb_err(MB_EINPUT, "%s/run.json: no schema_version: not a run this migbench can read", dir);
	info->schema_version = json_object_get_int(v);
	if (info->schema_version < 1 || info->schema_version > MB_SCHEMA_VERSION)
		return mb_err(MB_EINPUT, "%s: schema version %d; this migbench reads versions 1 to %d%s", dir,
			      info->schema_version, MB_SCHEMA_VERSION,
			      info->schema_version > MB_SCHEMA_VERSION ? " (compare it with a newer migbench)" : "");
	info->status = run_string(s->run, "status", NULL);
	info->start_time = run_string(s->run, "start_time", NULL);
	info->qemu = run_string(s->run, "host", "qemu");
	info->libvirt = run_string(s->run, "host", "libvirt");
	info->kernel = run_string(s->run, "host", "kernel");
	{
		json_object *h, *m;
		if (json_object_object_get_ex(s->run, "host", &h) && json_object_is_type(h, json_type_object) &&
		    json_object_object_get_ex(h, "migbench", &m) && json_object_is_type(m, json_type_object))
			info->git_revision = run_string(m, "git_revision", NULL);
	}
	rc = res_read_results(dir, &s->recs, &s->n, &bad);
	if (rc)
		return rc;
	if (bad)
		mb_warn("%s: %d record%s skipped (see above)", dir, bad, bad == 1 ? "" : "s");
	info->records = s->n;
	for (int i = 0; i < s->n; i++)
		info->ok += s->recs[i].status == RES_OK;
	return check_complete(dir, s->run, s);
}

static void close_side(struct side *s)
{
	res_free_results(s->recs, s->n);
	json_object_put(s->run);
	memset(s, 0, sizeof(*s));
}

/* ---- settings ------------------------------------------------------------------------ */

/* A setting as text: numbers by value (0.29999999999999999 and 0.3 are one
 * setting), strings quoted. */
static char *value_text(json_object *v)
{
	if (json_object_is_type(v, json_type_double))
		return mb_xasprintf("%.15g", json_object_get_double(v));
	return mb_xstrdup(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
}

/* keys[k] -> { value text -> null } over every record of s. */
static json_object *value_sets(const struct side *s)
{
	json_object *sets = json_object_new_object();
	for (int i = 0; i < s->n; i++) {
		if (!s->recs[i].config)
			continue;
		json_object_object_foreach(s->recs[i].config, k, v)
		{
			json_object *set;
			char *t = value_text(v);
			if (!json_object_object_get_ex(sets, k, &set)) {
				set = json_object_new_object();
				json_object_object_add(sets, k, set);
			}
			json_object_object_add(set, t, NULL);
			free(t);
		}
	}
	return sets;
}

static bool same_set(json_object *x, json_object *y)
{
	if (json_object_object_length(x) != json_object_object_length(y))
		return false;
	json_object_object_foreach(x, k, v)
	{
		(void)v;
		if (!json_object_object_get_ex(y, k, NULL))
			return false;
	}
	return true;
}

static void set_text(struct mb_str *s, json_object *set)
{
	int i = 0, n = json_object_object_length(set);
	json_object_object_foreach(set, k, v)
	{
		(void)v;
		if (i < 4)
			mb_str_printf(s, "%s%s", i ? ", " : "", k);
		i++;
	}
	if (n > 4)
		mb_str_printf(s, " and %d more", n - 4);
}

/* "; key (A: x, y; B: z)" into s ("; " only after something). */
static void differ_text(struct mb_str *s, const char *key, json_object *va, json_object *vb)
{
	mb_str_printf(s, "%s%s (A: ", s->len ? "; " : "", key);
	set_text(s, va);
	mb_str_puts(s, "; B: ");
	set_text(s, vb);
	mb_str_puts(s, ")");
}

static bool in_list(const char *k, const char *const *list, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(k, list[i]))
			return true;
	return false;
}

static void push(char ***v, int *n, const char *s)
{
	*v = mb_xrealloc(*v, (size_t)(*n + 1) * sizeof(**v));
	(*v)[(*n)++] = mb_xstrdup(s);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys cells are paired on (sorted) into *keys; keys in one run only
 * and asked-for ones into out->ignored.  MB_EINPUT when a protocol key
 * differs. */
static int pairing_keys(const struct side *a, const struct side *b, const struct cmp_opts *o,
			struct cmp_result *out, char ***keys, int *nkeys)
{
	json_object *sa = value_sets(a), *sb = value_sets(b);
	struct mb_str bad = MB_STR_INIT;
	int rc = MB_OK;
	*keys = NULL;
	*nkeys = 0;
	for (int i = 0; i < o->nignore; i++)
		push(&out->ignored, &out->nignored, o->ignore[i]);
	json_object_object_foreach(sa, k, va)
	{
		json_object *vb;
		if (!strcmp(k, "repeat") || in_list(k, o->ignore, o->nignore))
			continue;
		if (!json_object_object_get_ex(sb, k, &vb)) {
			push(&out->ignored, &out->nignored, k);
			continue;
		}
		if (in_list(k, protocol_keys, (int)MB_ARRAY_SIZE(protocol_keys)) && !same_set(va, vb))
			differ_text(&bad, k, va, vb);
		push(keys, nkeys, k);
	}
	json_object_object_foreach(sb, kb, vb2)
	{
		(void)vb2;
		if (strcmp(kb, "repeat") && !in_list(kb, o->ignore, o->nignore) && !json_object_object_get_ex(sa, kb, NULL))
			push(&out->ignored, &out->nignored, kb);
	}
	if (bad.len)
		rc = mb_err(MB_EINPUT, "%s and %s measure differently: their profiles differ in %s; a comparison "
				       "would be meaningless (--ignore KEY compares across a key anyway)",
			    out->a.dir, out->b.dir, mb_str_cstr(&bad));
	if (*nkeys)
		qsort(*keys, (size_t)*nkeys, sizeof(**keys), str_cmp);
	mb_str_free(&bad);
	json_object_put(sa);
	json_object_put(sb);
	return rc;
}

/* The cell of a record: "key=value\n" over the pairing keys. */
static char *cell_key(const struct res_scenario *r, char **keys, int nkeys)
{
	struct mb_str s = MB_STR_INIT;
	for (int i = 0; i < nkeys; i++) {
		json_object *v = NULL;
		char *t;
		if (r->config)
			json_object_object_get_ex(r->config, keys[i], &v);
		t = v ? value_text(v) : mb_xstrdup("(absent)");
		mb_str_printf(&s, "%s=%s\n", keys[i], t);
		free(t);
	}
	return mb_str_detach(&s);
}

/* An id without its repetition suffix "-rN". */
static char *cell_name(const char *id)
{
	size_t n = strlen(id), k = n;
	while (k > 0 && id[k - 1] >= '0' && id[k - 1] <= '9')
		k--;
	if (k < n && k >= 2 && id[k - 1] == 'r' && id[k - 2] == '-')
		return mb_xstrndup(id, k - 2);
	return mb_xstrdup(id);
}

/* The records of one run grouped by cell, in order of first appearance. */
struct group {
	char *key, *name;
	int *rec;
	int n;
};

static struct group *group_side(const struct side *s, char **keys, int nkeys, json_object *index, int *ng)
{
	struct group *g = NULL;
	*ng = 0;
	for (int i = 0; i < s->n; i++) {
		char *k = cell_key(&s->recs[i], keys, nkeys);
		json_object *at;
		int gi;
		if (json_object_object_get_ex(index, k, &at)) {
			gi = json_object_get_int(at);
			free(k);
		} else {
			g = mb_xrealloc(g, (size_t)(*ng + 1) * sizeof(*g));
			gi = (*ng)++;
			g[gi] = (struct group){ .key = k, .name = cell_name(s->recs[i].id) };
			json_object_object_add(index, k, json_object_new_int(gi));
		}
		g[gi].rec = mb_xrealloc(g[gi].rec, (size_t)(g[gi].n + 1) * sizeof(int));
		g[gi].rec[g[gi].n++] = i;
	}
	return g;
}

static void groups_free(struct group *g, int n)
{
	for (int i = 0; i < n; i++) {
		free(g[i].key);
		free(g[i].name);
		free(g[i].rec);
	}
	free(g);
}

/* Mean and standard deviation of metric over the ok records of a group. */
static int sample(const struct side *s, const struct group *g, const char *metric, double *mean, double *sd)
{
	double sum = 0, sum2 = 0;
	int n = 0;
	for (int i = 0; i < g->n; i++) {
		const struct res_scenario *r = &s->recs[g->rec[i]];
		double v = r->status == RES_OK ? res_number(r, metric) : NAN;
		if (!isfinite(v))
			continue;
		sum += v;
		n++;
	}
	*mean = n ? sum / n : NAN;
	for (int i = 0; i < g->n; i++) {
		const struct res_scenario *r = &s->recs[g->rec[i]];
		double v = r->status == RES_OK ? res_number(r, metric) : NAN;
		if (isfinite(v))
			sum2 += (v - *mean) * (v - *mean);
	}
	*sd = n >= 2 ? sqrt(sum2 / (n - 1)) : NAN;
	return n;
}

static json_object *shared_settings(const struct res_scenario *r, char **keys, int nkeys)
{
	json_object *o = json_object_new_object(), *v;
	for (int i = 0; i < nkeys; i++)
		if (r->config && json_object_object_get_ex(r->config, keys[i], &v))
			json_object_object_add(o, keys[i], json_object_get(v));
	return o;
}

static int check_metrics(const struct cmp_opts *o, struct cmp_result *out)
{
	const char *const *m = o->metrics ? o->metrics : default_metrics;
	int n = o->metrics ? o->nmetrics : (int)MB_ARRAY_SIZE(default_metrics);
	for (int i = 0; i < n; i++) {
		size_t off;
		const struct jf_field *f = res_field(m[i], &off);
		if (!f || (f->type != JF_NUM && f->type != JF_INT && f->type != JF_I64 && f->type != JF_U64))
			return mb_err(MB_EINPUT, "compare --metric: '%s' is not a numeric key of the scenario record "
						 "(e.g. migration.total_s, migration.downtime_s, ratio.during)", m[i]);
		push(&out->metrics, &out->nmetrics, m[i]);
	}
	return MB_OK;
}

/* The cells of A and B with the same settings, and those of one run only. */
static int pair_cells(const struct side *a, const struct side *b, char **keys, int nkeys, struct cmp_result *out)
{
	json_object *ia = json_object_new_object(), *ib = json_object_new_object();
	int nga, ngb;
	struct group *ga = group_side(a, keys, nkeys, ia, &nga), *gb = group_side(b, keys, nkeys, ib, &ngb);
	int rc = MB_OK;
	for (int i = 0; i < nga; i++) {
		json_object *at;
		struct cmp_cell *c;
		const struct group *g2;
		if (!json_object_object_get_ex(ib, ga[i].key, &at)) {
			push(&out->only_a, &out->nonly_a, ga[i].name);
			continue;
		}
		g2 = &gb[json_object_get_int(at)];
		out->cells = mb_xrealloc(out->cells, (size_t)(out->ncells + 1) * sizeof(*out->cells));
		c = &out->cells[out->ncells++];
		c->name = mb_xstrdup(ga[i].name);
		c->name_b = mb_xstrdup(g2->name);
		c->settings = shared_settings(&a->recs[ga[i].rec[0]], keys, nkeys);
		c->m = mb_xcalloc((size_t)out->nmetrics, sizeof(*c->m));
		for (int k = 0; k < out->nmetrics; k++) {
			double ma, sa, mb, sb;
			int na = sample(a, &ga[i], out->metrics[k], &ma, &sa);
			int nb = sample(b, g2, out->metrics[k], &mb, &sb);
			cmp_welch(ma, sa, na, mb, sb, nb, &c->m[k]);
		}
	}
	for (int i = 0; i < ngb; i++)
		if (!json_object_object_get_ex(ia, gb[i].key, NULL))
			push(&out->only_b, &out->nonly_b, gb[i].name);
	if (!out->ncells) {
		struct mb_str why = MB_STR_INIT;
		json_object *sa = value_sets(a), *sb = value_sets(b);
		for (int i = 0; i < nkeys; i++) {
			json_object *va, *vb;
			if (json_object_object_get_ex(sa, keys[i], &va) && json_object_object_get_ex(sb, keys[i], &vb) &&
			    !same_set(va, vb))
				differ_text(&why, keys[i], va, vb);
		}
		rc = mb_err(MB_EINPUT, "%s and %s share no cell (no two scenarios with the same settings)%s%s%s",
			    out->a.dir, out->b.dir, why.len ? "; settings that differ: " : "", mb_str_cstr(&why),
			    why.len ? " (--ignore KEY pairs the cells across a key)" : "");
		mb_str_free(&why);
		json_object_put(sa);
		json_object_put(sb);
	}
	groups_free(ga, nga);
	groups_free(gb, ngb);
	json_object_put(ia);
	json_object_put(ib);
	return rc;
}

int cmp_runs(const char *dir_a, const char *dir_b, const struct cmp_opts *o, struct cmp_result *out)
{
	struct side a = { 0 }, b = { 0 };
	char **keys = NULL;
	int nkeys = 0, rc;
	memset(out, 0, sizeof(*out));
	rc = check_metrics(o, out);
	if (!rc)
		rc = open_side(dir_a, &a, &out->a);
	if (!rc)
		rc = open_side(dir_b, &b, &out->b);
	if (!rc)
		rc = pairing_keys(&a, &b, o, out, &keys, &nkeys);
	if (!rc)
		rc = pair_cells(&a, &b, keys, nkeys, out);
	for (int i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
	close_side(&a);
	close_side(&b);
	if (rc)
		cmp_free(out);
	return rc;
}

static void strs_free(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void side_free(struct cmp_side *s)
{
	free(s->dir);
	free(s->status);
	free(s->start_time);
	free(s->qemu);
	free(s->libvirt);
	free(s->kernel);
	free(s->git_revision);
}

void cmp_free(struct cmp_result *r)
{
	side_free(&r->a);
	side_free(&r->b);
	for (int i = 0; i < r->ncells; i++) {
		free(r->cells[i].name);
		free(r->cells[i].name_b);
		json_object_put(r->cells[i].settings);
		free(r->cells[i].m);
	}
	free(r->cells);
	strs_free(r->metrics, r->nmetrics);
	strs_free(r->only_a, r->nonly_a);
	strs_free(r->only_b, r->nonly_b);
	strs_free(r->ignored, r->nignored);
	memset(r, 0, sizeof(*r));
}

/* ---- output ---------------------------------------------------------------------------- */

static void num(struct mb_str *s, double v)
{
	if (isfinite(v))
		mb_str_printf(s, " %11.4g", v);
	else
		mb_str_printf(s, " %11s", "-");
}

static void side_line(struct mb_str *s, const char *tag, const struct cmp_side *d)
{
	char *dir = rep_printable(d->dir), *q = rep_printable(d->qemu), *l = rep_printable(d->libvirt);
	char *t = rep_printable(d->start_time), *g = rep_printable(d->git_revision);
	mb_str_printf(s, "%s: %s  (%d record%s, %d ok; schema %d; started %s; %s; libvirt %s; migbench %s)\n", tag,
		      dir, d->records, d->records == 1 ? "" : "s", d->ok, d->schema_version, t, q, l, g);
	free(dir);
	free(q);
	free(l);
	free(t);
	free(g);
}

char *cmp_text(const struct cmp_result *r)
{
	struct mb_str s = MB_STR_INIT;
	int w = 4;
	for (int i = 0; i < r->ncells; i++)
		w = (int)strlen(r->cells[i].name) > w ? (int)strlen(r->cells[i].name) : w;
	side_line(&s, "A", &r->a);
	side_line(&s, "B", &r->b);
	for (int k = 0; k < r->nmetrics; k++) {
		mb_str_printf(&s, "\n%s: B - A, 95%% CI by Welch's t\n", r->metrics[k]);
		mb_str_printf(&s, "%-*s %4s %11s %4s %11s %11s %25s %6s\n", w, "cell", "n_A", "mean_A", "n_B", "mean_B",
			      "diff", "95% CI", "df");
		for (int i = 0; i < r->ncells; i++) {
			const struct cmp_stat *m = &r->cells[i].m[k];
			char *name = rep_printable(r->cells[i].name);
			mb_str_printf(&s, "%-*s %4d", w, name, m->na);
			num(&s, m->mean_a);
			mb_str_printf(&s, " %4d", m->nb);
			num(&s, m->mean_b);
			num(&s, m->diff);
			if (isfinite(m->ci_low)) {
				char *ci = mb_xasprintf("[%.4g, %.4g]", m->ci_low, m->ci_high);
				mb_str_printf(&s, " %25s %6.1f%s\n", ci, m->df, m->significant ? "  *" : "");
				free(ci);
			} else
				mb_str_printf(&s, " %25s %6s\n", "(needs 2 repetitions)", "-");
			free(name);
		}
	}
	mb_str_printf(&s, "\n%d cell%s in common, %d only in A, %d only in B; * = significant (the CI excludes 0)\n",
		      r->ncells, r->ncells == 1 ? "" : "s", r->nonly_a, r->nonly_b);
	if (r->nignored) {
		char *list = name_list(r->ignored, r->nignored), *p = rep_printable(list);
		mb_str_printf(&s, "not paired on: %s\n", p);
		free(p);
		free(list);
	}
	return mb_str_detach(&s);
}

static json_object *strs_json(char **v, int n)
{
	json_object *a = json_object_new_array();
	for (int i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static json_object *side_json(const struct cmp_side *d)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "dir", json_object_new_string(d->dir));
	json_object_object_add(o, "schema_version", json_object_new_int(d->schema_version));
	json_object_object_add(o, "status", str_or_null(d->status));
	json_object_object_add(o, "start_time", str_or_null(d->start_time));
	json_object_object_add(o, "qemu", str_or_null(d->qemu));
	json_object_object_add(o, "libvirt", str_or_null(d->libvirt));
	json_object_object_add(o, "kernel", str_or_null(d->kernel));
	json_object_object_add(o, "git_revision", str_or_null(d->git_revision));
	json_object_object_add(o, "records", json_object_new_int(d->records));
	json_object_object_add(o, "ok", json_object_new_int(d->ok));
	return o;
}

static json_object *stat_json(const struct cmp_stat *m)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "n_a", json_object_new_int(m->na));
	json_object_object_add(o, "mean_a", res_num(m->mean_a));
	json_object_object_add(o, "sd_a", res_num(m->sd_a));
	json_object_object_add(o, "n_b", json_object_new_int(m->nb));
	json_object_object_add(o, "mean_b", res_num(m->mean_b));
	json_object_object_add(o, "sd_b", res_num(m->sd_b));
	json_object_object_add(o, "diff", res_num(m->diff));
	json_object_object_add(o, "ci95_low", res_num(m->ci_low));
	json_object_object_add(o, "ci95_high", res_num(m->ci_high));
	json_object_object_add(o, "df", res_num(m->df));
	json_object_object_add(o, "significant", json_object_new_boolean(m->significant));
	return o;
}

json_object *cmp_json(const struct cmp_result *r)
{
	json_object *o = json_object_new_object(), *cells = json_object_new_array();
	json_object_object_add(o, "a", side_json(&r->a));
	json_object_object_add(o, "b", side_json(&r->b));
	json_object_object_add(o, "test", json_object_new_string("Welch's t, 95% CI of mean_b - mean_a"));
	json_object_object_add(o, "metrics", strs_json(r->metrics, r->nmetrics));
	for (int i = 0; i < r->ncells; i++) {
		json_object *c = json_object_new_object(), *m = json_object_new_object();
		json_object_object_add(c, "cell", json_object_new_string(r->cells[i].name));
		json_object_object_add(c, "cell_b", json_object_new_string(r->cells[i].name_b));
		json_object_object_add(c, "settings", json_object_get(r->cells[i].settings));
		for (int k = 0; k < r->nmetrics; k++)
			json_object_object_add(m, r->metrics[k], stat_json(&r->cells[i].m[k]));
		json_object_object_add(c, "metrics", m);
		json_object_array_add(cells, c);
	}
	json_object_object_add(o, "cells", cells);
	json_object_object_add(o, "only_a", strs_json(r->only_a, r->nonly_a));
	json_object_object_add(o, "only_b", strs_json(r->only_b, r->nonly_b));
	json_object_object_add(o, "not_paired_on", strs_json(r->ignored, r->nignored));
	return o;
}

/* ---- the plot ------------------------------------------------------------------------------ */

/* One PNG per metric: each cell's difference with its CI, 0 dashed. */
static void compare_plots(struct render *rd, void *ctx)
{
	const struct cmp_result *r = ctx;
	for (int k = 0; k < r->nmetrics; k++) {
		struct rep_buf d = { 0 };
		char *stem = mb_xstrdup(r->metrics[k]), *dat;
		struct plot *p;
		int n = 0;
		for (char *c = stem; *c; c++)
			*c = *c == '.' ? '-' : *c;
		dat = mb_xasprintf("compare-%s.dat", stem);
		rep_bputs(&d, "# cell diff ci95_low ci95_high\n");
		for (int i = 0; i < r->ncells; i++) {
			const struct cmp_stat *m = &r->cells[i].m[k];
			if (!isfinite(m->diff))
				continue;
			rep_bprintf(&d, "%d %.9g %.9g %.9g\n", i, m->diff, isfinite(m->ci_low) ? m->ci_low : m->diff,
				    isfinite(m->ci_high) ? m->ci_high : m->diff);
			n++;
		}
		if (n && rep_write_data(rd, dat, &d) == MB_OK) {
			p = rep_new_plot(rd, mb_xasprintf("compare-%s.png", stem), -1, -1);
			rep_bprintf(&p->gp, "reset\nset terminal pngcairo size 900,520 font 'sans,10' noenhanced\n"
					    "set output '%s'\nset grid\nset key top left\n", p->png);
			rep_bputs(&p->gp, "set title ");
			rep_gp_quote(&p->gp, r->metrics[k]);
			rep_bputs(&p->gp, "\nset ylabel 'B - A (mean and 95% CI, Welch)'\nset xtics rotate by -30 (");
			for (int i = 0; i < r->ncells; i++) {
				rep_bputs(&p->gp, i ? ", " : "");
				rep_gp_quote(&p->gp, r->cells[i].name);
				rep_bprintf(&p->gp, " %d", i);
			}
			rep_bprintf(&p->gp, ")\nset xrange [-0.5:%d.5]\nset offsets 0, 0, graph 0.1, graph 0.1\nset bmargin 8\n",
				    r->ncells - 1);
			rep_bprintf(&p->gp, "plot 'data/%s' using 1:2:3:4 with yerrorbars pt 7 lc rgb '#1f5fa8' "
					    "title 'difference', 0 with lines dt 2 lc rgb '#555555' title 'no difference'\n",
				    dat);
		} else if (n) {
			rep_problem(rd->set, "compare plot data %s: %s", dat, mb_errmsg());
		}
		rep_bfree(&d);
		free(dat);
		free(stem);
	}
}

int cmp_plot(const struct cmp_result *r, const char *outdir)
{
	struct rep_set set = { 0 };
	struct rep_plotted pl = { 0 };
	int rc = mb_mkdir_p(outdir, 0755);
	if (!rc)
		rc = rep_draw(&set, outdir, compare_plots, (void *)(uintptr_t)r, &pl);
	if (!rc && (pl.nfailed || set.nproblems))
		rc = mb_err(MB_EINTERNAL, "compare: %d plot%s failed (see the warnings)", pl.nfailed + set.nproblems,
			    pl.nfailed + set.nproblems == 1 ? "" : "s");
	if (!rc)
		for (int i = 0; i < pl.nother; i++)
			printf("plot: %s/plots/%s\n", outdir, pl.other[i]);
	rep_plotted_free(&pl, 0);
	rep_free(&set);
	return rc;
}
