/* hostscn.c - the host sampler and KSM around a scenario, and the record
 * sections hosts, ksm and io (see hostscn.h). */
#define _GNU_SOURCE
#include "run/hostscn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "migrate/console.h"
#include "record/record.h"
#include "record/result.h"
#include "run/scenario.h"
#include "workloads/cmdline.h"

#define TARGET_COUNTER                                                                       \
	"rchar/wchar of the target's /proc/PID/io (tgtd): every read()/write() it made, i.e. "  \
	"the LUN file it read or wrote and the iSCSI traffic it received or sent (headers "     \
	"included); read_bytes/write_bytes (also in the csv) count only what reached a block "  \
	"device and stay 0 while the LUN file is in the page cache"

int hm_scn_ksm_apply(struct hm_scn *h, const struct testbed *tb, const struct mb_config *c,
		     struct res_scenario *rec)
{
	struct res_ksm *k = &rec->ksm;
	memset(h, 0, sizeof(*h));
	snprintf(h->ksm_dir, sizeof(h->ksm_dir), "/sys/kernel/mm/ksm");
	rec->has_ksm = true;
	res_set(&k->mode, ksm_mode_to_string(c->ksm));
	k->available = tb->kind == TB_LAB && hm_ksm_available(h->ksm_dir);
	if (c->ksm != KSM_KEEP && tb->kind != TB_LAB)
		return mb_err(MB_EUNSUPP, "ksm = %s: real hosts' KSM is only read, never changed "
					  "(set it on the hosts, or use ksm = keep)", ksm_mode_to_string(c->ksm));
	if (tb->kind != TB_LAB)
		res_set(&k->note, "real hosts: libvirt gives no KSM counters");
	else
		res_set(&k->note, "the lab's sites share this machine's kernel: the counters are the "
				  "machine's, every guest on it included");
	if (hm_ksm_apply(h->ksm_dir, c->ksm, c->ksm_pages_to_scan, c->ksm_sleep_ns, &h->ksm) != MB_OK)
		return mb_err_ctx(MB_EUNSUPP, "KSM");
	k->applied = h->ksm.saved;
	if (k->available)
		hm_ksm_settings(h->ksm_dir, &k->pages_to_scan, &k->sleep_s);
	if (h->ksm.saved)
		res_set(&k->run_found, h->ksm.run);
	return MB_OK;
}

int hm_scn_start(struct hm_scn *h, const struct testbed *tb, const char *guest, const struct mb_config *c)
{
	struct hostmon *m = &h->mon;
	hm_init(m, tb->kind == TB_LAB ? HM_PROC : HM_LIBVIRT, guest, c->interval_ns);
	h->inited = true;
	for (int i = 0; i < 2; i++) {
		snprintf(m->site[i].host, sizeof(m->site[i].host), "%s", tb->host[i].name);
		m->site[i].conn = tb->host[i].conn;
		if (tb->kind == TB_LAB)
			snprintf(m->site[i].run_dir, sizeof(m->site[i].run_dir), "%s/run", tb->lab.site[i].root);
	}
	if (tb->kind == TB_LAB)
		m->target_pid = tb->lab.sto.pid;
	return hm_start(m);
}

void hm_scn_stop(struct hm_scn *h)
{
	if (h->inited)
		hm_stop(&h->mon);
}

/* ---- summaries ----------------------------------------------------------- */

static const char *phase_name(int64_t t, const void *ctx)
{
	const struct samples_windows *w = ctx;
	if (t < w->before)
		return "boot";
	if (t < w->start)
		return "before";
	if (t < w->resume)
		return "during";
	return t <= w->after ? "after" : "tail";
}

/* The last sample of site at or before t (any process), or NULL. */
static const struct hm_sample *at(const struct hostmon *m, int site, int64_t t)
{
	const struct hm_sample *r = NULL;
	for (size_t i = 0; i < m->n && m->v[i].t_ns <= t; i++)
		if (m->v[i].site == site)
			r = &m->v[i];
	return r;
}

static void site_phase(const struct hostmon *m, int site, int64_t a, int64_t b, struct res_host_phase *o)
{
	const struct hm_sample *first = NULL, *last = at(m, site, b);
	double cpu[HM_NKINDS] = { NAN, NAN, NAN };
	if (last && last->t_ns < a)
		last = NULL;
	for (size_t i = 0; last && last->pid && i < m->n && !first; i++)
		if (m->v[i].site == site && m->v[i].t_ns >= a && m->v[i].pid == last->pid)
			first = &m->v[i];
	if (first && last->t_ns > first->t_ns)
		for (int k = 0; k < HM_NKINDS; k++)
			cpu[k] = (last->cpu_s[k] - first->cpu_s[k]) / ((double)(last->t_ns - first->t_ns) / 1e9) * 100.0;
	o->cpu_vcpu_pct = cpu[HM_VCPU];
	o->cpu_migration_pct = cpu[HM_MIGRATION];
	o->cpu_other_pct = cpu[HM_OTHER];
	o->rss_bytes = last ? last->rss_bytes : NAN;
	o->mem_available_bytes = last ? last->mem_available_bytes : NAN;
	o->mem_free_bytes = last ? last->mem_free_bytes : NAN;
	/* The host's CPU, whichever process ran: the site's first and last
	 * readings in the window. */
	first = NULL;
	last = at(m, site, b);
	for (size_t i = 0; i < m->n && !first; i++)
		if (m->v[i].site == site && m->v[i].t_ns >= a)
			first = &m->v[i];
	if (last && first && last->t_ns > first->t_ns)
		hm_host_pct(&first->host, &last->host, &o->host_busy_pct, &o->host_steal_pct);
	else
		o->host_busy_pct = o->host_steal_pct = NAN;
}

void hm_hosts_summarize(const struct hostmon *m, const struct samples_windows *w, struct res_hosts *o)
{
	int64_t edge[4] = { w->before, w->start, w->resume, w->after };
	o->source = mb_xstrdup(m->mode == HM_PROC ? "proc" : "libvirt");
	o->shared_kernel = m->mode == HM_PROC;
	if (m->mode == HM_LIBVIRT)
		o->unavailable = mb_xstrdup("the migration thread's CPU, MemAvailable, KSM, the target's I/O");
	o->samples = m->n;
	o->sites = mb_xcalloc(2, sizeof(*o->sites));
	o->nsites = 2;
	for (int i = 0; i < 2; i++) {
		struct res_host_phase *ph[3] = { &o->sites[i].before, &o->sites[i].during, &o->sites[i].after };
		o->sites[i].host = mb_xstrdup(m->site[i].host);
		for (int p = 0; p < 3; p++)
			site_phase(m, i, edge[p], edge[p + 1], ph[p]);
	}
}

/* When pages_sharing last moved by more than 1% of its final value, from
 * the reference time; NaN when it still moved at the last sample. */
static double ksm_settled(const struct hostmon *m, const struct samples_windows *w)
{
	const struct hm_sample *prev = NULL, *last = NULL, *moved = NULL, *first = NULL;
	for (size_t i = 0; i < m->n; i++) {
		const struct hm_sample *s = &m->v[i];
		if (s->site || s->t_ns < w->before || s->t_ns > w->after || isnan(s->ksm_sharing))
			continue;
		first = first ? first : s;
		last = s;
	}
	if (!last)
		return NAN;
	for (size_t i = 0; i < m->n; i++) {
		const struct hm_sample *s = &m->v[i];
		if (s->site || s->t_ns < w->before || s->t_ns > w->after || isnan(s->ksm_sharing))
			continue;
		if (prev && fabs(s->ksm_sharing - prev->ksm_sharing) > 0.01 * last->ksm_sharing)
			moved = s;
		prev = s;
	}
	if (moved == last && moved != first)
		return NAN;
	return (double)((moved ? moved : first)->t_ns - w->t_ref) / 1e9;
}

void hm_ksm_summarize(const struct hostmon *m, const struct samples_windows *w, struct res_ksm *k)
{
	int64_t edge[4] = { w->before, w->start, w->resume, w->after };
	struct res_ksm_phase *ph[3] = { &k->before, &k->during, &k->after };
	double page = (double)sysconf(_SC_PAGESIZE);
	for (int p = 0; p < 3; p++) {
		const struct hm_sample *s = at(m, 0, edge[p + 1]);
		if (!s || s->t_ns < edge[p])
			continue;
		ph[p]->pages_shared = s->ksm_shared;
		ph[p]->pages_sharing = s->ksm_sharing;
		ph[p]->merged_bytes = s->ksm_sharing * page;
	}
	k->settled_s = ksm_settled(m, w);
}

/* The target's read (wr: written) counter's growth over [a, b]: its value at b minus at a (the first
 * sample in the window when there is none before it). */
static double grew(const struct hostmon *m, int64_t a, int64_t b, bool wr)
{
	const struct hm_sample *x = at(m, 0, a), *y = at(m, 0, b);
	if (!x)
		for (size_t i = 0; i < m->n && !x; i++)
			if (!m->v[i].site && m->v[i].t_ns >= a)
				x = &m->v[i];
	if (!x || !y || y->t_ns < x->t_ns)
		return NAN;
	return wr ? y->tgt_wchar - x->tgt_wchar : y->tgt_rchar - x->tgt_rchar;
}

/* The same for the guest's block device counters. */
static double blk_grew(const struct blk_obs *v, size_t n, int64_t a, int64_t b, bool wr)
{
	const struct blk_obs *x = NULL, *y = NULL;
	for (size_t i = 0; i < n; i++) {
		if (v[i].host_ns <= a || (!x && v[i].host_ns <= b))
			x = &v[i];
		if (v[i].host_ns <= b)
			y = &v[i];
	}
	if (!x || !y || y->host_ns < a)
		return NAN;
	return wr ? (double)y->write_bytes - (double)x->write_bytes : (double)y->read_bytes - (double)x->read_bytes;
}

void hm_io_summarize(const struct hostmon *m, const struct samples_windows *w, const struct obs *v, size_t n,
		     const struct blk_obs *blk, size_t nb, struct res_io *o)
{
	int64_t edge[4] = { w->before, w->start, w->resume, w->after };
	struct res_io_phase *ph[3] = { &o->before, &o->during, &o->after };
	if (m->mode == HM_PROC)
		o->target_counter = mb_xstrdup(TARGET_COUNTER);
	for (int p = 0; p < 3; p++) {
		int64_t a = edge[p], b = edge[p + 1];
		ph[p]->workload_bytes = phases_count_at(v, n, b) - phases_count_at(v, n, a);
		ph[p]->guest_read_bytes = blk_grew(blk, nb, a, b, false);
		ph[p]->guest_write_bytes = blk_grew(blk, nb, a, b, true);
		ph[p]->target_read_bytes = grew(m, a, b, false);
		ph[p]->target_write_bytes = grew(m, a, b, true);
	}
}

static void io_record(const struct hostmon *m, const struct samples_windows *w, const struct obs *v,
		      size_t n, struct console *con, struct res_io *o)
{
	struct blk_obs *blk;
	size_t nb;
	pthread_mutex_lock(&con->mu);
	nb = con->nblk;
	blk = mb_xcalloc(nb + 1, sizeof(*blk));
	if (nb)
		memcpy(blk, con->blk, nb * sizeof(*blk));
	if (con->blkdev[0])
		o->device = mb_xstrdup(con->blkdev);
	pthread_mutex_unlock(&con->mu);
	hm_io_summarize(m, w, v, n, blk, nb, o);
	free(blk);
}

void hm_scn_record(struct hm_scn *h, const struct samples_windows *w, const struct obs *v, size_t n,
		   struct console *con, const struct mb_config *c, struct res_scenario *rec,
		   struct res_run *run, const char *id)
{
	char *csv;
	if (!h->inited)
		return;
	hm_stop(&h->mon);
	rec->has_hosts = true;
	rec->hosts.file = mb_xasprintf("hosts/%s.csv", id);
	csv = hm_csv(&h->mon, w->t_ref, phase_name, w);
	if (res_write(run, rec->hosts.file, csv, strlen(csv)) != MB_OK)
		mb_warn("%s", mb_errmsg());
	free(csv);
	hm_hosts_summarize(&h->mon, w, &rec->hosts);
	if (rec->has_ksm)
		hm_ksm_summarize(&h->mon, w, &rec->ksm);
	if (c->workload == WL_SEQREAD) {
		rec->has_io = true;
		io_record(&h->mon, w, v, n, con, &rec->io);
	}
}

int hm_scn_end(struct hm_scn *h, struct res_scenario *rec)
{
	int rc = MB_OK;
	bool had = h->ksm.saved;
	if (h->inited)
		hm_free(&h->mon);
	h->inited = false;
	if (had) {
		rc = hm_ksm_restore(h->ksm_dir, &h->ksm);
		if (rec->has_ksm)
			rec->ksm.restored = rc == MB_OK;
	}
	return rc;
}
