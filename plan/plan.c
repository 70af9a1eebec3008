/* plan.c - matrix expansion, scenario ids, cross-key checks, order, shards. */
#define _GNU_SOURCE
#include "plan/plan.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"
#include "migrate/migrate.h"

bool plan_varies(const struct scenario *s, int opt)
{
	return s->varies[opt / 32] & (1u << (opt % 32));
}

/* Append one id component, keeping only [A-Za-z0-9._] ("/s" becomes "ps"). */
static void id_append(char *id, const char *tag, const char *val)
{
	size_t n = strlen(id);
	if (n && n < MB_ID_MAX - 1)
		id[n++] = '-';
	for (const char *s = tag; *s && n < MB_ID_MAX - 1; s++)
		id[n++] = *s;
	for (const char *s = val; *s && n < MB_ID_MAX - 1; s++) {
		if (s[0] == '/' && s[1] == 's') {
			id[n++] = 'p';
			if (n < MB_ID_MAX - 1)
				id[n++] = 's';
			s++;
		} else if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			   (*s >= '0' && *s <= '9') || *s == '.' || *s == '_') {
			id[n++] = *s;
		} else {
			id[n++] = '_';
		}
	}
	id[n] = '\0';
}

static void make_id(const struct profile *p, struct scenario *s)
{
	char rep[16];
	s->id[0] = '\0';
	if (p->nexps)
		id_append(s->id, "", s->exp->name);
	for (size_t i = 0; i < mb_noptions; i++) {
		const struct mb_option *o = &mb_options[i];
		struct optval v;
		char buf[64];
		if (!o->idtag || !strcmp(o->name, "repeat"))
			continue;
		if (!(o->flags & OPT_ID_ALWAYS) && !plan_varies(s, (int)i))
			continue;
		v = opt_load(o, &s->cfg);
		if (o->type == OPT_BOOL) {
			id_append(s->id, v.b ? "" : "no", o->idtag);
			continue;
		}
		opt_format(o, &v, buf, sizeof(buf));
		id_append(s->id, o->idtag, buf);
	}
	snprintf(rep, sizeof(rep), "%d", s->rep);
	id_append(s->id, "r", rep);
}

/* file:line where option `name` got its value in scenario s (its section
 * header, or the profile itself, when it is a default). */
static void where(const struct profile *p, const struct scenario *s, const char *name,
		  const char **file, int *line)
{
	const struct setting *st = profile_get(p, s->exp, opt_index(opt_find_full(name)));
	if (st) {
		*file = st->file;
		*line = st->line;
	} else {
		*file = p->path;
		*line = s->exp ? s->exp->line : 0;
	}
}

static void check_error(struct profile *p, const struct scenario *s, const char *key,
			const char *fmt, ...) MB_PRINTF(4, 5);

static void check_error(struct profile *p, const struct scenario *s, const char *key,
			const char *fmt, ...)
{
	char msg[512];
	const char *file;
	int line;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	where(p, s, key, &file, &line);
	/* The same contradiction shows in many scenarios: report it once. */
	for (int i = 0; i < p->nerrors; i++)
		if (strstr(p->errors[i], msg))
			return;
	profile_error(p, file, line, "%s", msg);
}

static void check_scenario(struct profile *p, const struct scenario *s, bool lab)
{
	const struct mb_config *c = &s->cfg;
	if ((c->compression == COMP_ZLIB || c->compression == COMP_ZSTD) && c->multifd == 0)
		check_error(p, s, "compression", "compression=%s needs multifd > 0",
			    compression_to_string(c->compression));
	if (c->compression == COMP_MT && c->multifd > 0)
		check_error(p, s, "compression",
			    "compression=mt cannot be combined with multifd (use zlib or zstd)");
	if (c->postcopy_after > 0 && c->multifd > 0)
		check_error(p, s, "postcopy_after",
			    "postcopy_after cannot be combined with multifd (QEMU does not support it)");
	if (c->memdirty_size + (48u << 20) > c->memory)
		check_error(p, s, "memdirty_size",
			    "memdirty_size (%llu MiB) must leave at least 48 MiB of the guest's "
			    "memory (%llu MiB)",
			    (unsigned long long)(c->memdirty_size >> 20),
			    (unsigned long long)(c->memory >> 20));
	if (c->xbzrle && c->xbzrle_cache > c->memory)
		check_error(p, s, "xbzrle_cache", "xbzrle_cache is larger than the guest's memory");
	if (c->xbzrle && (c->xbzrle_cache & (c->xbzrle_cache - 1)))
		check_error(p, s, "xbzrle_cache",
			    "xbzrle_cache must be a power of two (QEMU refuses anything else), e.g. 64MiB");
	if (c->jitter_ns * 2 > c->delay_ns && c->jitter_ns > 0)
		check_error(p, s, "jitter",
			    "jitter (%lld us) must not exceed half the delay (%lld us): each "
			    "direction gets delay/2 +/- jitter",
			    (long long)(c->jitter_ns / 1000), (long long)(c->delay_ns / 1000));
	if (c->seqread_direct && c->seqread_block % 512)
		check_error(p, s, "seqread_block",
			    "seqread_block must be a multiple of 512 bytes for O_DIRECT reads");
	if (c->seqread_offset % 512 || c->seqread_size % 512)
		check_error(p, s, "seqread_offset",
			    "seqread_offset and seqread_size must be multiples of 512 bytes");
	if (lab && c->seqread_offset + c->seqread_size > c->lab_lun_size)
		check_error(p, s, "seqread_size",
			    "seqread_offset + seqread_size (%llu MiB) is beyond the lab's LUN "
			    "(lab.lun_size %llu MiB)",
			    (unsigned long long)((c->seqread_offset + c->seqread_size) >> 20),
			    (unsigned long long)(c->lab_lun_size >> 20));
	if (c->before_ns < 5 * c->interval_ns || c->after_ns < 5 * c->interval_ns)
		check_error(p, s, "before",
			    "the before and after windows must hold at least 5 sample intervals");
}

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void expand(struct profile *p, const struct section *exp, struct scenario **arr, int *n,
		   int *cap)
{
	int dims[128], idx[128], nd = 0, opts[128];
	const struct setting *st[128];
	struct mb_config base;
	int reps;

	profile_config(p, exp, &base);
	for (size_t i = 0; i < mb_noptions; i++) {
		const struct setting *s = profile_get(p, exp, (int)i);
		if (s && s->nvals > 1) {
			opts[nd] = (int)i;
			st[nd] = s;
			dims[nd] = s->nvals;
			idx[nd] = 0;
			nd++;
		}
	}
	reps = (int)base.repeat;
	for (;;) {
		for (int r = 1; r <= reps; r++) {
			struct scenario *s;
			if (*n == *cap) {
				*cap = *cap ? *cap * 2 : 16;
				*arr = mb_xrealloc(*arr, (size_t)*cap * sizeof(**arr));
			}
			s = &(*arr)[(*n)++];
			memset(s, 0, sizeof(*s));
			s->cfg = base;
			s->exp = exp;
			s->rep = r;
			for (int d = 0; d < nd; d++) {
				opt_store(&mb_options[opts[d]], &s->cfg, &st[d]->vals[idx[d]]);
				s->varies[opts[d] / 32] |= 1u << (opts[d] % 32);
			}
			make_id(p, s);
		}
		/* Next combination: the last list key varies fastest. */
		{
			int d = nd - 1;
			while (d >= 0 && ++idx[d] == dims[d])
				idx[d--] = 0;
			if (d < 0)
				break;
		}
	}
}

static int cmp_interleave(const void *a, const void *b)
{
	const struct scenario *x = a, *y = b;
	if (x->rep != y->rep)
		return x->rep - y->rep;
	return x->index - y->index;
}

int plan_build(struct profile *p, struct plan *out)
{
	int cap = 0;
	bool lab;

	memset(out, 0, sizeof(*out));
	out->prof = p;
	profile_config(p, NULL, &out->run);
	lab = !profile_real_hosts(p);
	if (p->nexps == 0) {
		expand(p, NULL, &out->sc, &out->n, &cap);
	} else {
		for (int i = 0; i < p->nexps; i++)
			expand(p, p->exps[i], &out->sc, &out->n, &cap);
	}
	for (int i = 0; i < out->n; i++) {
		out->sc[i].index = i;
		check_scenario(p, &out->sc[i], lab);
		for (int j = 0; j < i; j++) {
			if (!strcmp(out->sc[i].id, out->sc[j].id)) {
				profile_error(p, p->path, out->sc[i].exp ? out->sc[i].exp->line : 0,
					      "scenario id %s occurs twice: give the experiment "
					      "sections different settings",
					      out->sc[i].id);
				break;
			}
		}
	}
	out->ntotal = out->n;
	if (p->nerrors)
		return mb_err(MB_EINPUT, "%s: %d error%s", p->path, p->nerrors,
			      p->nerrors == 1 ? "" : "s");

	out->seed = (uint64_t)out->run.seed;
	if (out->run.order == ORDER_INTERLEAVED) {
		qsort(out->sc, (size_t)out->n, sizeof(*out->sc), cmp_interleave);
	} else if (out->run.order == ORDER_RANDOM) {
		uint64_t x;
		if (!out->seed)
			out->seed = ((uint64_t)time(NULL) ^ (uint64_t)getpid() << 32) & 0xffffffffu;
		if (!out->seed)
			out->seed = 1;
		x = out->seed;
		for (int i = out->n - 1; i > 0; i--) {
			int j = (int)(splitmix(&x) % (uint64_t)(i + 1));
			struct scenario t = out->sc[i];
			out->sc[i] = out->sc[j];
			out->sc[j] = t;
		}
	}
	return MB_OK;
}

int plan_shard(struct plan *pl, int idx, int count)
{
	int k = 0;
	if (count <= 0)
		return MB_OK;
	if (idx < 1 || idx > count)
		return mb_err(MB_EINPUT, "shard %d/%d: the index must be between 1 and %d", idx,
			      count, count);
	for (int i = 0; i < pl->n; i++)
		if (pl->sc[i].index % count == idx - 1)
			pl->sc[k++] = pl->sc[i];
	pl->n = k;
	return MB_OK;
}

int plan_only(struct plan *pl, char *const *ids, int nids)
{
	int k = 0;
	if (nids <= 0)
		return MB_OK;
	for (int j = 0; j < nids; j++) {
		bool found = false;
		for (int i = 0; i < pl->n && !found; i++)
			found = !strcmp(pl->sc[i].id, ids[j]);
		if (!found) {
			const char **cands = mb_xcalloc((size_t)pl->n, sizeof(*cands));
			const char *s;
			for (int i = 0; i < pl->n; i++)
				cands[i] = pl->sc[i].id;
			s = mb_closest(ids[j], cands, (size_t)pl->n);
			free(cands);
			return mb_err(MB_EINPUT, "--only %s: no such scenario in the plan%s%s%s",
				      ids[j], s ? ", did you mean " : "", s ? s : "", s ? "?" : "");
		}
	}
	for (int i = 0; i < pl->n; i++) {
		bool keep = false;
		for (int j = 0; j < nids && !keep; j++)
			keep = !strcmp(pl->sc[i].id, ids[j]);
		if (keep)
			pl->sc[k++] = pl->sc[i];
	}
	pl->n = k;
	return MB_OK;
}

static int parse_int(const char *s, long *v)
{
	char *end;
	errno = 0;
	*v = strtol(s, &end, 10);
	return (s[0] && !*end && !errno) ? 0 : -1;
}

int plan_parse_shard(const char *spec, int *idx, int *count)
{
	long i, n;
	*idx = *count = 0;
	if (spec) {
		const char *slash = strchr(spec, '/');
		char *a;
		int bad;
		if (!slash)
			return mb_err(MB_EINPUT, "--shard %s: expected I/N, e.g. 2/8", spec);
		a = mb_xstrndup(spec, (size_t)(slash - spec));
		bad = parse_int(a, &i) < 0 || parse_int(slash + 1, &n) < 0;
		free(a);
		if (bad || n < 1 || n > 100000 || i < 1 || i > n)
			return mb_err(MB_EINPUT, "--shard %s: expected I/N with 1 <= I <= N", spec);
	} else {
		const char *id = getenv("SLURM_ARRAY_TASK_ID");
		const char *cnt = getenv("SLURM_ARRAY_TASK_COUNT");
		const char *min = getenv("SLURM_ARRAY_TASK_MIN");
		long m = 0;
		if (!id || !cnt)
			return MB_OK;
		if (parse_int(id, &i) < 0 || parse_int(cnt, &n) < 0 || (min && parse_int(min, &m) < 0))
			return mb_err(MB_EINPUT,
				      "SLURM_ARRAY_TASK_ID=%s / SLURM_ARRAY_TASK_COUNT=%s: not integers",
				      id, cnt);
		/* Array "0-7" or "1-8": the task's offset from the first id. */
		i = i - m + 1;
		if (n < 1 || i < 1 || i > n)
			return mb_err(MB_EINPUT,
				      "SLURM_ARRAY_TASK_ID=%s is outside the array (min %ld, count %ld); "
				      "use a contiguous array such as --array=0-%ld",
				      id, m, n, n - 1);
	}
	*idx = (int)i;
	*count = (int)n;
	return MB_OK;
}

void plan_free(struct plan *pl)
{
	free(pl->sc);
	memset(pl, 0, sizeof(*pl));
}
