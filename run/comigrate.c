/* comigrate.c - the migrated extras (migrate_vms): each one's migration in
 * a thread of its own, started beside the main guest's (or migrate_stagger
 * apart) over the same link, and the record of them all (see guests.h). */
#define _GNU_SOURCE
#include "run/guests.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "migrate/domain.h"
#include "migrate/virt.h"
#include "run/scenario.h"

/* The thread's own connections and its handle on the guest through them. */
static int own_connections(struct live_guest *g, virDomainPtr *dom)
{
	struct guest_mig *m = &g->mig;
	for (int i = 0; i < 2; i++) {
		m->own[i] = virConnectOpen(m->uri[i]);
		if (!m->own[i])
			return mb_err(MB_EFAILED, "%s: connecting to %s: %s", g->label, m->uri[i], virt_errmsg());
	}
	m->from.conn = m->own[m->from.index];
	m->to.conn = m->own[m->to.index];
	*dom = virDomainLookupByName(m->from.conn, g->name);
	if (!*dom)
		return mb_err(MB_EFAILED, "%s (%s) is not on %s: %s", g->label, g->name, m->from.name,
			      virt_errmsg());
	return MB_OK;
}

static void *mig_thread(void *arg)
{
	struct live_guest *g = arg;
	struct guest_mig *m = &g->mig;
	virDomainPtr dom = NULL;
	int64_t now = mb_mono_ns();
	if (m->start_at > now)
		mb_sleep_ns(m->start_at - now);
	m->rc = own_connections(g, &dom);
	if (!m->rc)
		m->rc = mig_run(m->mp, dom, &m->from, &m->to, &g->con, m->stop, NULL, NULL, &m->mr);
	if (m->rc)
		snprintf(m->err, sizeof(m->err), "%s", mb_errmsg());
	if (dom)
		virDomainFree(dom);
	return NULL;
}

int extras_migrate_start(struct runner *r, const struct mig_params *mp, const struct mig_endpoint *from,
			 const struct mig_endpoint *to, int64_t t0, int64_t stagger)
{
	int n = 0;
	for (int k = 0; k < r->nextra; k++) {
		struct live_guest *g = &r->extra[k];
		struct guest_mig *m = &g->mig;
		if (g->role != GROLE_MIGRATED || !g->alive)
			continue;
		memset(m, 0, sizeof(*m));
		m->mp = mp;
		m->from = *from;
		m->to = *to;
		m->stop = r->stop;
		m->start_at = t0 + (int64_t)++n * stagger;
		m->uri[0] = r->tb->host[0].uri;
		m->uri[1] = r->tb->host[1].uri;
		m->mr.outcome = -1;
		if (pthread_create(&m->th, NULL, mig_thread, g))
			return mb_err(MB_EFAILED, "%s: cannot start its migration thread", g->label);
		m->started = true;
	}
	return MB_OK;
}

/* Where g runs now, checked on both hosts: exactly one, running. */
static int where_now(struct runner *r, struct live_guest *g, int *site)
{
	const char *st[2];
	unsigned char uuid[VIR_UUID_BUFLEN];
	if (!g->dom || virDomainGetUUID(g->dom, uuid) < 0)
		return mb_err(MB_EFAILED, "%s (%s): no handle on it: %s", g->label, g->name, virt_errmsg());
	for (int i = 0; i < 2; i++)
		st[i] = dom_state_name(r->tb->host[i].conn, uuid);
	if (!strcmp(st[0], "running") && !strcmp(st[1], "absent"))
		*site = 0;
	else if (!strcmp(st[1], "running") && !strcmp(st[0], "absent"))
		*site = 1;
	else
		return mb_err(MB_EFAILED, "%s (%s) is %s on %s and %s on %s: not running on exactly one host",
			      g->label, g->name, st[0], r->tb->host[0].name, st[1], r->tb->host[1].name);
	return MB_OK;
}

/* After its migration: the handle on the host it runs on now; MB_EFAILED
 * naming it and the hosts unless it converged onto the destination alone. */
static int settle(struct runner *r, struct live_guest *g, const char **host_after)
{
	struct guest_mig *m = &g->mig;
	int site = 0;
	*host_after = NULL;
	if (m->rc == MB_OK && m->mr.outcome == RES_CONVERGED) {
		virDomainPtr d = virDomainLookupByName(r->tb->host[m->to.index].conn, g->name);
		if (d) {
			virDomainFree(g->dom);
			g->dom = d;
		}
	}
	if (where_now(r, g, &site) != MB_OK)
		return MB_EFAILED;
	g->site = site;
	*host_after = r->tb->host[site].name;
	if (m->rc != MB_OK || m->mr.outcome != RES_CONVERGED || site != m->to.index)
		return mb_err(MB_EFAILED, "%s (%s): its migration from %s to %s did not complete%s%s; it runs on %s",
			      g->label, g->name, m->from.name, m->to.name, m->err[0] ? ": " : "", m->err,
			      r->tb->host[site].name);
	return MB_OK;
}

static double rel(int64_t t, int64_t ref)
{
	return t ? (double)(t - ref) / 1e9 : NAN;
}

static void vm_record(struct res_vm_migration *o, const char *label, const char *name,
		      const struct mig_result *mr, const char *from, const char *to, const char *after,
		      const char *err, int64_t t0)
{
	res_vm_migration_init(o);
	res_set(&o->label, label);
	res_set(&o->name, name);
	res_set(&o->source, from);
	res_set(&o->destination, to);
	res_set(&o->host_after, after);
	o->has_outcome = mr->outcome >= 0;
	o->outcome = mr->outcome;
	res_set(&o->error, err && err[0] ? err : NULL);
	o->start_s = rel(mr->t_start, t0);
	o->resume_s = rel(mr->t_resume, t0);
	o->end_s = rel(mr->t_end, t0);
	o->total_s = mr->total_s;
	o->downtime_s = mr->downtime_s;
	o->bytes = mr->bytes;
	o->memory_transferred_bytes = mr->mem_transferred;
	o->iterations = mr->iterations;
}

/* The aggregate: the first start to the last end, the sum of the bytes. */
static void aggregate(struct res_migrations *m, int64_t t_first_start, int64_t t_last_end)
{
	m->total_s = t_first_start && t_last_end ? (double)(t_last_end - t_first_start) / 1e9 : NAN;
	m->bytes = 0;
	for (int i = 0; i < m->n; i++)
		m->bytes = isnan(m->each[i].bytes) || isnan(m->bytes) ? NAN : m->bytes + m->each[i].bytes;
}

int extras_migrate_join(struct runner *r, struct res_scenario *rec, const struct mig_result *main_mr,
			const char *main_name, int64_t stagger_ns, int64_t *last_resume)
{
	struct res_migrations *agg = &rec->migrations;
	int64_t t0 = main_mr->t_start, last_end = main_mr->t_end;
	int rc = MB_OK, n = 1;
	struct mb_error keep;

	*last_resume = main_mr->t_resume;
	for (int k = 0; k < r->nextra; k++) {
		struct guest_mig *m = &r->extra[k].mig;
		if (r->extra[k].role != GROLE_MIGRATED)
			continue;
		n++;
		if (!m->started)
			continue;
		pthread_join(m->th, NULL);
		m->started = false;
		if (m->mr.t_start && (!t0 || m->mr.t_start < t0))
			t0 = m->mr.t_start; /* times from the first start */
	}
	if (n == 1)
		return MB_OK;
	rec->has_migrations = true;
	agg->vms = n;
	agg->stagger_s = (double)stagger_ns / 1e9;
	agg->each = mb_xcalloc((size_t)n, sizeof(*agg->each));
	vm_record(&agg->each[agg->n++], "main", main_name, main_mr, rec->source, rec->destination,
		  main_mr->outcome == RES_CONVERGED ? rec->destination : rec->source, NULL, t0);
	for (int k = 0; k < r->nextra; k++) {
		struct live_guest *g = &r->extra[k];
		struct guest_mig *m = &g->mig;
		const char *after;
		int one;
		if (g->role != GROLE_MIGRATED)
			continue;
		one = settle(r, g, &after);
		if (one && !rc) {
			rc = mb_err_ctx(MB_EFAILED, "migrate_vms = %d", n);
			mb_err_save(&keep, rc);
		}
		vm_record(&agg->each[agg->n++], g->label, g->name, &m->mr, m->from.name, m->to.name, after,
			  one ? mb_errmsg() : NULL, t0);
		if (m->mr.t_resume > *last_resume)
			*last_resume = m->mr.t_resume;
		if (m->mr.t_end > last_end)
			last_end = m->mr.t_end;
	}
	aggregate(agg, t0, last_end);
	return rc ? mb_err_restore(&keep) : MB_OK;
}
