/* plan.c - matrix expansion, scenario ids, cross-key checks, order, shards. */
#define _GNU_SOURCE
#include "plan/plan.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"
#include "migrate/migrate.h"
#include "plan/capacity.h"
#include "profile/links.h"
#include "profile/params.h"

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
		v = opt_load(o, &s->cfg);
		/* A named link is in every id and stands for its delay there. */
		if (!strcmp(o->full, "link")) {
			if (v.s && v.s[0])
				id_append(s->id, "", v.s);
			continue;
		}
		if (s->cfg.link[0] && link_key(o))
			continue;
		if (!(o->flags & OPT_ID_ALWAYS) && !plan_varies(s, (int)i))
			continue;
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
	int i = opt_index(opt_find_full(name));
	const struct setting *st = profile_get(p, s->exp, i);
	if (!st && s->cfg.link[0] && link_key(&mb_options[i])) {
		/* A value of the scenario's named link: its section's line, or
		 * the link = line for a preset. */
		const struct section *l = profile_link_section(p, s->cfg.link);
		st = l && l->set && l->set[i].nvals ? &l->set[i] : NULL;
		if (!st && l) {
			*file = p->path;
			*line = l->line;
			return;
		}
		if (!st)
			st = profile_get(p, s->exp, opt_index(opt_find_full("link")));
	}
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

/* Several guests: what the runner does not combine, and whether they fit
 * in this machine (the lab: both sites are here). */
static void check_guests(struct profile *p, const struct scenario *s, bool lab)
{
	const struct mb_config *c = &s->cfg;
	static uint64_t can, avail, margin;
	static bool read;
	if (c->guest_mode == GUEST_PINGPONG && (c->neighbours > 0 || c->migrate_vms > 1))
		check_error(p, s, c->neighbours > 0 ? "neighbours" : "migrate_vms",
			    "guest_mode = pingpong keeps one guest: it cannot be combined with "
			    "neighbours or migrate_vms > 1 (use guest_mode = fresh)");
	if (!c->migrate && (c->migrate_vms > 1 || c->migrate_stagger_ns > 0))
		check_error(p, s, "migrate_vms",
			    "migrate_vms and migrate_stagger need migrate = yes");
	if (!lab)
		return;
	if (!read) {
		can = capacity_host(&avail, &margin);
		read = true;
	}
	if (capacity_check(c, can, avail, margin) != MB_OK)
		check_error(p, s, c->neighbours > 0 ? "neighbours" : c->migrate_vms > 1 ? "migrate_vms" : "memory",
			    "%s", mb_errmsg());
}

/* The guest network is the lab's (lab/lab.h): real hosts have no bridge
 * of ours, no sink and no probe client on their host side. */
static void check_network(struct profile *p, const struct scenario *s, bool lab)
{
	const struct mb_config *c = &s->cfg;
	if (wl_needs_nic(c->workload) && !c->nic)
		check_error(p, s, "workload", "workload=%s needs nic = yes",
			    wl_kind_to_string(c->workload));
	if (c->echo_probe && !c->nic)
		check_error(p, s, "echo_probe", "echo_probe = yes needs nic = yes (the probe talks to "
						"the guest's NIC)");
	if (c->nic && (c->neighbours > 0 || c->migrate_vms > 1))
		check_error(p, s, "nic",
			    "nic = yes gives one guest the guest network's address: it cannot be "
			    "combined with neighbours or migrate_vms > 1 yet");
	if (c->nic && !lab)
		check_error(p, s, "nic",
			    "nic = yes is not supported on real hosts ([hosts]): the guest network, "
			    "netstream's sink and the echo probe are the lab's (a bridge %s with the "
			    "same address in both sites); run it in the lab",
			    LAB_GNET_BRIDGE);
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
	if (c->resident > 0) {
		uint64_t res = wl_resident_bytes(c->resident, c->memory);
		uint64_t reserve = wl_resident_reserve(c->memory);
		if (res > c->memory)
			check_error(p, s, "resident",
				    "resident (%llu MiB) is larger than the guest's memory (%llu MiB)",
				    (unsigned long long)(res >> 20), (unsigned long long)(c->memory >> 20));
		else if (res + reserve > c->memory)
			check_error(p, s, "resident",
				    "resident (%llu MiB) must leave at least %llu MiB of the guest's memory "
				    "(%llu MiB) to its kernel and initramfs: at most %llu MiB here",
				    (unsigned long long)(res >> 20), (unsigned long long)(reserve >> 20),
				    (unsigned long long)(c->memory >> 20),
				    (unsigned long long)((c->memory - reserve) >> 20));
		else if (c->workload == WL_MEMDIRTY && res + c->memdirty_size + reserve > c->memory)
			check_error(p, s, "resident",
				    "resident (%llu MiB) and memdirty_size (%llu MiB) together must leave "
				    "at least %llu MiB of the guest's memory (%llu MiB)",
				    (unsigned long long)(res >> 20),
				    (unsigned long long)(c->memdirty_size >> 20), (unsigned long long)(reserve >> 20),
				    (unsigned long long)(c->memory >> 20));
	}
	check_network(p, s, lab);
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
	{
		/* The buffer run/scenario.c and guest boot build it in: refuse now,
		 * not when the scenario's turn comes. */
		char cmdline[2048];
		if (wl_guest_cmdline(c, cmdline, sizeof(cmdline)) != MB_OK)
			check_error(p, s, "guest_args", "%s", mb_errmsg());
	}
	if (c->before_ns < 5 * c->interval_ns || c->after_ns < 5 * c->interval_ns)
		check_error(p, s, "before",
			    "the before and after windows must hold at least 5 sample intervals");
	check_guests(p, s, lab);
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
			profile_link_apply(p, &s->cfg);
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

/* Scenarios of one section: the product of its list lengths times repeat
 * (a double: exact to 2^53, and it cannot overflow); the factors go to why
 * ("delay 41 x vcpus 40 x repeat 1000"). */
static double section_count(const struct profile *p, const struct section *exp, char *why,
			    size_t len)
{
	const struct setting *rep = profile_get(p, exp, opt_index(opt_find_full("repeat")));
	double n = rep ? (double)rep->vals[0].i : 1;
	size_t w = 0;
	why[0] = '\0';
	for (size_t i = 0; i < mb_noptions; i++) {
		const struct setting *s = profile_get(p, exp, (int)i);
		if (!s || s->nvals < 2)
			continue;
		n *= s->nvals;
		if (w + 1 < len)
			w += (size_t)snprintf(why + w, len - w, "%s%s %d", w ? " x " : "",
					      mb_options[i].name, s->nvals);
	}
	if (rep && rep->vals[0].i > 1 && w + 1 < len)
		snprintf(why + w, len - w, "%srepeat %lld", w ? " x " : "", (long long)rep->vals[0].i);
	return n;
}

/* Refuse a plan of more than MB_MAX_SCENARIOS before allocating any of it. */
static int check_size(struct profile *p, int *total)
{
	double n = 0, biggest = -1;
	const struct section *big = NULL;
	char why[256], bigwhy[256] = "";
	int nsec = p->nexps ? p->nexps : 1;
	for (int i = 0; i < nsec; i++) {
		const struct section *exp = p->nexps ? p->exps[i] : NULL;
		double c = section_count(p, exp, why, sizeof(why));
		if (c > biggest) {
			biggest = c;
			big = exp;
			snprintf(bigwhy, sizeof(bigwhy), "%s", why);
		}
		n += c;
	}
	if (n <= MB_MAX_SCENARIOS) {
		*total = (int)n;
		return MB_OK;
	}
	*total = 0;
	if (!bigwhy[0])
		snprintf(bigwhy, sizeof(bigwhy), "%d experiment sections", nsec);
	profile_error(p, p->path, big ? big->line : 0,
		      "the plan has %.0f scenarios, more than the %d a plan may hold (%s%s%s%s): use "
		      "fewer list values or a smaller repeat, or split the experiments over several "
		      "profiles",
		      n, MB_MAX_SCENARIOS, big ? "largest [" : "", big ? big->name : "",
		      big ? "]: " : "", bigwhy);
	return MB_EINPUT;
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
	struct mb_strmap ids = { 0 };
	int cap = 0;
	bool lab;

	memset(out, 0, sizeof(*out));
	out->prof = p;
	profile_config(p, NULL, &out->run);
	if (profile_check(p) || check_size(p, &cap)) {
		out->ntotal = 0;
		return mb_err(MB_EINPUT, "%s: %d error%s", p->path, p->nerrors + p->nmore,
			      p->nerrors + p->nmore == 1 ? "" : "s");
	}
	/* Exactly the scenarios counted: expand never reallocates. */
	out->sc = mb_xcalloc((size_t)(cap ? cap : 1), sizeof(*out->sc));
	lab = !profile_real_hosts(p);
	if (p->nexps == 0) {
		expand(p, NULL, &out->sc, &out->n, &cap);
	} else {
		for (int i = 0; i < p->nexps; i++)
			expand(p, p->exps[i], &out->sc, &out->n, &cap);
	}
	for (int i = 0; i < out->n; i++) {
		struct scenario *s = &out->sc[i];
		s->index = i;
		check_scenario(p, s, lab);
		if (strlen(s->id) >= MB_ID_MAX - 1) {
			profile_error(p, p->path, s->exp ? s->exp->line : 0,
				      "scenario id %s... is longer than %d characters: vary fewer "
				      "keys or shorten the section name",
				      s->id, MB_ID_MAX - 2);
			break;
		}
		if (mb_strmap_put(&ids, s->id, s)) {
			profile_error(p, p->path, s->exp ? s->exp->line : 0,
				      "scenario id %s occurs twice: give the experiment "
				      "sections different settings",
				      s->id);
		}
	}
	mb_strmap_free(&ids);
	out->ntotal = out->n;
	if (p->nerrors)
		return mb_err(MB_EINPUT, "%s: %d error%s", p->path, p->nerrors + p->nmore,
			      p->nerrors + p->nmore == 1 ? "" : "s");

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

/* One SLURM_ARRAY_* variable as an integer in [min, max]; *v untouched
 * (and MB_OK) when it is not set. */
static int slurm_env(const char *name, long long min, long long max, long long *v, bool *set)
{
	const char *s = getenv(name);
	*set = s != NULL;
	if (!s)
		return MB_OK;
	if (mb_parse_ll(s, min, max, v))
		return mb_err(MB_EINPUT, "%s=%s: expected an integer %lld..%lld", name, s, min, max);
	return MB_OK;
}

int plan_parse_shard(const char *spec, int *idx, int *count)
{
	long long i, n;
	*idx = *count = 0;
	if (spec) {
		const char *slash = strchr(spec, '/');
		char *a;
		int bad;
		if (!slash)
			return mb_err(MB_EINPUT, "--shard %s: expected I/N, e.g. 2/8", spec);
		a = mb_xstrndup(spec, (size_t)(slash - spec));
		bad = mb_parse_ll(slash + 1, 1, MB_MAX_SCENARIOS, &n) ||
		      mb_parse_ll(a, 1, n, &i);
		free(a);
		if (bad)
			return mb_err(MB_EINPUT,
				      "--shard '%s': expected I/N with 1 <= I <= N <= %d (digits only, "
				      "no spaces)",
				      spec, MB_MAX_SCENARIOS);
	} else {
		long long id = 0, cnt = 0, min = 0, step = 1;
		bool has_id, has_cnt, has_min, has_step;
		int rc = slurm_env("SLURM_ARRAY_TASK_ID", 0, INT_MAX, &id, &has_id);
		if (!rc)
			rc = slurm_env("SLURM_ARRAY_TASK_COUNT", 1, MB_MAX_SCENARIOS, &cnt, &has_cnt);
		if (!rc)
			rc = slurm_env("SLURM_ARRAY_TASK_MIN", 0, INT_MAX, &min, &has_min);
		if (!rc)
			rc = slurm_env("SLURM_ARRAY_TASK_STEP", 1, INT_MAX, &step, &has_step);
		if (rc)
			return rc;
		if (!has_id && !has_cnt)
			return MB_OK;
		if (!has_id || !has_cnt)
			return mb_err(MB_EINPUT,
				      "SLURM_ARRAY_TASK_%s is set but SLURM_ARRAY_TASK_%s is not: give "
				      "--shard I/N",
				      has_id ? "ID" : "COUNT", has_id ? "COUNT" : "ID");
		/* Array "0-7", "1-8" or "0-14:2": the task's position from the first id. */
		if (id < min || (id - min) % step)
			return mb_err(MB_EINPUT,
				      "SLURM_ARRAY_TASK_ID=%lld is not in the array (min %lld, step %lld, "
				      "count %lld); use a contiguous array such as --array=0-%lld",
				      id, min, step, cnt, cnt - 1);
		i = (id - min) / step + 1;
		n = cnt;
		if (i > n)
			return mb_err(MB_EINPUT,
				      "SLURM_ARRAY_TASK_ID=%lld is outside the array (min %lld, step "
				      "%lld, count %lld); use a contiguous array such as --array=0-%lld",
				      id, min, step, cnt, cnt - 1);
	}
	*idx = (int)i;
	*count = (int)n;
	return MB_OK;
}

int plan_check_out_dir(const char *out, const char *resume)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	bool empty = true;
	char *runjson;
	if (!out)
		return MB_OK;
	if (resume)
		return strcmp(out, resume) ? mb_err(MB_EINPUT,
						    "--out %s with --resume %s: a resumed run writes "
						    "to its own directory; drop --out",
						    out, resume)
					   : MB_OK;
	if (!out[0])
		return mb_err(MB_EINPUT, "--out '': give a directory");
	if (stat(out, &st) < 0) {
		if (errno == ENOENT)
			return MB_OK; /* created by the run */
		return mb_err_errno(MB_EINPUT, "--out %s", out);
	}
	if (!S_ISDIR(st.st_mode))
		return mb_err(MB_EINPUT, "--out %s exists and is not a directory: give a new or "
					 "empty directory",
			      out);
	runjson = mb_xasprintf("%s/run.json", out);
	if (mb_path_exists(runjson)) {
		free(runjson);
		return mb_err(MB_EINPUT,
			      "--out %s already holds a run: use --resume %s to continue it, or "
			      "another --out",
			      out, out);
	}
	free(runjson);
	d = opendir(out);
	if (!d)
		return mb_err_errno(MB_EINPUT, "--out %s: cannot read the directory", out);
	while (empty && (de = readdir(d)))
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	closedir(d);
	if (!empty)
		return mb_err(MB_EINPUT, "--out %s is not empty: give a new or empty directory", out);
	return MB_OK;
}

void plan_free(struct plan *pl)
{
	free(pl->sc);
	memset(pl, 0, sizeof(*pl));
}
