/* hostmon.c - the host sampler's thread, its two sources and its csv (see
 * hostmon.h). */
#define _GNU_SOURCE
#include "hostmon/hostmon.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/str.h"
#include "core/util.h"

void hm_init(struct hostmon *h, enum hm_mode mode, const char *guest, int64_t interval_ns)
{
	memset(h, 0, sizeof(*h));
	h->mode = mode;
	snprintf(h->proc_root, sizeof(h->proc_root), "/proc");
	snprintf(h->ksm_dir, sizeof(h->ksm_dir), "/sys/kernel/mm/ksm");
	snprintf(h->guest, sizeof(h->guest), "%s", guest);
	h->interval_ns = interval_ns > 0 ? interval_ns : MB_NSEC_PER_SEC;
	atomic_init(&h->stop, 0);
}

static void sample_blank(struct hm_sample *s, int64_t now, int site)
{
	memset(s, 0, sizeof(*s));
	s->t_ns = now;
	s->site = site;
	for (int k = 0; k < HM_NKINDS; k++)
		s->cpu_s[k] = NAN;
	s->rss_bytes = s->mem_available_bytes = s->mem_free_bytes = NAN;
	s->host.total_s = s->host.idle_s = s->host.steal_s = NAN;
	s->ksm_shared = s->ksm_sharing = s->ksm_unshared = s->ksm_full_scans = NAN;
	s->tgt_rchar = s->tgt_wchar = s->tgt_read_bytes = s->tgt_write_bytes = NAN;
}

/* The host-wide figures of this machine (the same kernel for every site). */
static void proc_host(const struct hostmon *h, struct hm_sample *s)
{
	uint64_t avail, fr;
	struct hm_ksm_counts k;
	struct hm_io io;
	if (hm_meminfo(h->proc_root, &avail, &fr) == MB_OK) {
		s->mem_available_bytes = (double)avail;
		s->mem_free_bytes = (double)fr;
	}
	if (hm_cpu_times(h->proc_root, &s->host) != MB_OK)
		s->host.total_s = s->host.idle_s = s->host.steal_s = NAN;
	if (hm_ksm_read(h->ksm_dir, &k) == MB_OK) {
		s->ksm_shared = (double)k.pages_shared;
		s->ksm_sharing = (double)k.pages_sharing;
		s->ksm_unshared = (double)k.pages_unshared;
		s->ksm_full_scans = (double)k.full_scans;
	}
	if (h->target_pid > 0 && hm_proc_io(h->proc_root, h->target_pid, &io) == MB_OK) {
		s->tgt_rchar = (double)io.rchar;
		s->tgt_wchar = (double)io.wchar;
		s->tgt_read_bytes = (double)io.read_bytes;
		s->tgt_write_bytes = (double)io.write_bytes;
	}
}

static void proc_site(struct hostmon *h, int i, struct hm_sample *s)
{
	struct hm_site *st = &h->site[i];
	pid_t pid = hm_guest_pid(h->proc_root, st->run_dir, h->guest);
	double cpu[HM_NKINDS];
	uint64_t rss;
	proc_host(h, s);
	if (!pid || hm_proc_cpu_read(&st->cpu, h->proc_root, pid, cpu) != MB_OK)
		return;
	s->pid = (int)pid;
	memcpy(s->cpu_s, cpu, sizeof(cpu));
	if (hm_proc_rss(h->proc_root, pid, &rss) == MB_OK)
		s->rss_bytes = (double)rss;
}

void hm_cpu_from_params(const virTypedParameter *p, int n, double cpu_s[HM_NKINDS])
{
	double total = NAN, vcpu = NAN;
	for (int i = 0; i < n; i++) {
		if (p[i].type != VIR_TYPED_PARAM_ULLONG)
			continue;
		if (!strcmp(p[i].field, VIR_DOMAIN_CPU_STATS_CPUTIME))
			total = (double)p[i].value.ul / 1e9;
		else if (!strcmp(p[i].field, VIR_DOMAIN_CPU_STATS_VCPUTIME))
			vcpu = (double)p[i].value.ul / 1e9;
	}
	cpu_s[HM_VCPU] = vcpu;
	cpu_s[HM_MIGRATION] = NAN;
	cpu_s[HM_OTHER] = isnan(vcpu) || isnan(total) || total < vcpu ? NAN : total - vcpu;
}

double hm_rss_from_stats(const virDomainMemoryStatStruct *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i].tag == VIR_DOMAIN_MEMORY_STAT_RSS)
			return (double)s[i].val * 1024.0;
	return NAN;
}

double hm_free_from_node(const virNodeMemoryStats *p, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(p[i].field, VIR_NODE_MEMORY_STATS_FREE))
			return (double)p[i].value * 1024.0;
	return NAN;
}

void hm_times_from_node(const virNodeCPUStats *p, int n, struct hm_cpu_times *t)
{
	double v[4] = { NAN, NAN, NAN, NAN };
	static const char *const f[4] = { VIR_NODE_CPU_STATS_KERNEL, VIR_NODE_CPU_STATS_USER,
					  VIR_NODE_CPU_STATS_IDLE, VIR_NODE_CPU_STATS_IOWAIT };
	for (int i = 0; i < n; i++)
		for (int k = 0; k < 4; k++)
			if (!strcmp(p[i].field, f[k]))
				v[k] = (double)p[i].value / 1e9;
	t->total_s = v[0] + v[1] + v[2] + v[3];
	t->idle_s = v[2] + v[3];
	t->steal_s = NAN;
}

static void libvirt_site(struct hostmon *h, int i, struct hm_sample *s)
{
	virConnectPtr c = h->site[i].conn;
	virDomainPtr dom;
	virNodeMemoryStats node[8];
	virNodeCPUStats cpu[8];
	int nn = 8, nc = 0;
	if (!c)
		return;
	if (virNodeGetMemoryStats(c, VIR_NODE_MEMORY_STATS_ALL_CELLS, node, &nn, 0) == 0)
		s->mem_free_bytes = hm_free_from_node(node, nn);
	/* The first call says how many parameters there are. */
	if (virNodeGetCPUStats(c, VIR_NODE_CPU_STATS_ALL_CPUS, NULL, &nc, 0) == 0 && nc > 0 && nc <= 8 &&
	    virNodeGetCPUStats(c, VIR_NODE_CPU_STATS_ALL_CPUS, cpu, &nc, 0) == 0)
		hm_times_from_node(cpu, nc, &s->host);
	dom = virDomainLookupByName(c, h->guest);
	if (!dom)
		return;
	if (virDomainIsActive(dom) == 1) {
		virTypedParameter p[16];
		virDomainMemoryStatStruct ms[VIR_DOMAIN_MEMORY_STAT_NR];
		int np = virDomainGetCPUStats(dom, NULL, 0, -1, 1, 0), nm;
		s->pid = -1; /* running there, pid unknown */
		if (np > 0 && np <= 16 && (np = virDomainGetCPUStats(dom, p, (unsigned)np, -1, 1, 0)) > 0) {
			hm_cpu_from_params(p, np, s->cpu_s);
			virTypedParamsClear(p, np);
		}
		nm = virDomainMemoryStats(dom, ms, VIR_DOMAIN_MEMORY_STAT_NR, 0);
		if (nm > 0)
			s->rss_bytes = hm_rss_from_stats(ms, nm);
	}
	virDomainFree(dom);
}

void hm_sample_round(struct hostmon *h, int64_t now_ns)
{
	for (int i = 0; i < 2; i++) {
		struct hm_sample s;
		sample_blank(&s, now_ns, i);
		if (h->mode == HM_PROC)
			proc_site(h, i, &s);
		else
			libvirt_site(h, i, &s);
		if (h->n == h->cap) {
			h->cap = h->cap ? 2 * h->cap : 256;
			h->v = mb_xrealloc(h->v, h->cap * sizeof(*h->v));
		}
		h->v[h->n++] = s;
	}
}

static void *sampler(void *arg)
{
	struct hostmon *h = arg;
	int64_t next = mb_mono_ns();
	while (!atomic_load(&h->stop)) {
		int64_t now = mb_mono_ns();
		if (now >= next) {
			hm_sample_round(h, now);
			next += h->interval_ns;
			if (next < now)
				next = now + h->interval_ns;
			continue;
		}
		/* Short sleeps: hm_stop returns within 20 ms. */
		mb_sleep_ns(next - now < 20000000 ? next - now : 20000000);
	}
	return NULL;
}

int hm_start(struct hostmon *h)
{
	int e;
	atomic_store(&h->stop, 0);
	e = pthread_create(&h->th, NULL, sampler, h);
	if (e)
		return mb_err(MB_EINTERNAL, "cannot start the host sampler thread: %s", strerror(e));
	h->running = true;
	return MB_OK;
}

void hm_stop(struct hostmon *h)
{
	if (!h->running)
		return;
	atomic_store(&h->stop, 1);
	pthread_join(h->th, NULL);
	h->running = false;
}

void hm_free(struct hostmon *h)
{
	hm_stop(h);
	for (int i = 0; i < 2; i++)
		hm_proc_cpu_free(&h->site[i].cpu);
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}

/* ",v" with dec decimals, or "," when unavailable. */
static void put_num(struct mb_str *s, double v, int dec)
{
	mb_str_putc(s, ',');
	if (isfinite(v))
		mb_str_printf(s, "%.*f", dec, v);
}

/* The previous sample of the same site, any process, or NULL. */
static const struct hm_sample *prev_site(const struct hostmon *h, size_t i)
{
	for (size_t k = i; k-- > 0;)
		if (h->v[k].site == h->v[i].site)
			return &h->v[k];
	return NULL;
}

void hm_host_pct(const struct hm_cpu_times *a, const struct hm_cpu_times *b, double *busy, double *steal)
{
	double dt = a ? b->total_s - a->total_s : NAN, ds;
	bool has_steal;
	*busy = *steal = NAN;
	if (!(dt > 0))
		return;
	/* Without a steal figure (libvirt) it is left out of busy: 0 here. */
	has_steal = !isnan(a->steal_s) && !isnan(b->steal_s);
	ds = has_steal ? b->steal_s - a->steal_s : 0;
	*busy = (dt - (b->idle_s - a->idle_s) - ds) / dt * 100.0;
	if (has_steal)
		*steal = ds / dt * 100.0;
}

char *hm_csv(const struct hostmon *h, int64_t t_ref, const char *(*phase_of)(int64_t t, const void *ctx),
	     const void *ctx)
{
	struct mb_str s = MB_STR_INIT;
	mb_str_puts(&s, "time_s,phase,site,host,pid,cpu_vcpu_pct,cpu_migration_pct,cpu_other_pct,"
			"cpu_vcpu_s,cpu_migration_s,cpu_other_s,rss_bytes,mem_available_bytes,mem_free_bytes,"
			"host_busy_pct,host_steal_pct,"
			"ksm_pages_shared,ksm_pages_sharing,ksm_pages_unshared,ksm_full_scans,"
			"target_rchar_bytes,target_wchar_bytes,target_read_bytes,target_write_bytes\n");
	for (size_t i = 0; i < h->n; i++) {
		const struct hm_sample *v = &h->v[i], *q = prev_site(h, i);
		/* QEMU's CPU rates: against the same process's previous sample. */
		const struct hm_sample *p = q && q->pid && q->pid == v->pid ? q : NULL;
		double busy, steal;
		double dt = p ? (double)(v->t_ns - p->t_ns) / 1e9 : 0;
		mb_str_printf(&s, "%.6f,%s,%s,%s,", (double)(v->t_ns - t_ref) / 1e9,
			      phase_of ? phase_of(v->t_ns, ctx) : "", v->site ? "destination" : "source",
			      h->site[v->site].host);
		if (v->pid > 0)
			mb_str_printf(&s, "%d", v->pid);
		for (int k = 0; k < HM_NKINDS; k++)
			put_num(&s, dt > 0 ? (v->cpu_s[k] - p->cpu_s[k]) / dt * 100.0 : NAN, 2);
		for (int k = 0; k < HM_NKINDS; k++)
			put_num(&s, v->cpu_s[k], 3);
		put_num(&s, v->rss_bytes, 0);
		put_num(&s, v->mem_available_bytes, 0);
		put_num(&s, v->mem_free_bytes, 0);
		hm_host_pct(q ? &q->host : NULL, &v->host, &busy, &steal);
		put_num(&s, busy, 2);
		put_num(&s, steal, 2);
		put_num(&s, v->ksm_shared, 0);
		put_num(&s, v->ksm_sharing, 0);
		put_num(&s, v->ksm_unshared, 0);
		put_num(&s, v->ksm_full_scans, 0);
		put_num(&s, v->tgt_rchar, 0);
		put_num(&s, v->tgt_wchar, 0);
		put_num(&s, v->tgt_read_bytes, 0);
		put_num(&s, v->tgt_write_bytes, 0);
		mb_str_putc(&s, '\n');
	}
	return mb_str_detach(&s);
}
