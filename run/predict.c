/* predict.c - dirty rate before, prediction and residuals after a
 * migration (see predict.h). */
#include "run/predict.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/str.h"
#include "core/util.h"
#include "migrate/dirtyrate.h"
#include "model/precopy.h"
#include "workloads/cmdline.h"

#define PAGE_SIZE_DEFAULT 4096.0

void pred_memo_free(struct pred_memo *m)
{
	for (int i = 0; i < m->n; i++)
		free(m->v[i].id);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

int pred_measure(const struct mb_config *c, virConnectPtr conn, virDomainPtr dom, const char *host,
		 volatile int *stop, struct res_scenario *rec)
{
	struct res_dirty_rate *d = &rec->dirty_rate;
	struct mig_dirty md;
	uint64_t rss;
	int seconds = (int)((c->dirty_rate_time_ns + MB_NSEC_PER_SEC - 1) / MB_NSEC_PER_SEC), rc;

	rec->has_dirty_rate = true;
	rec->has_prediction = true;
	rec->prediction.in.rss_bytes = mig_guest_rss(dom, &rss) == MB_OK ? (double)rss : NAN;
	if (!seconds) {
		d->took_s = 0;
		res_set(&d->skipped, "dirty_rate_time = 0");
		return MB_OK;
	}
	rc = mig_dirty_rate(conn, dom, host, seconds, stop, &md);
	d->took_s = md.took_s;
	if (rc == MB_EINTR)
		return rc;
	if (rc) {
		mb_warn("no dirty rate, so no prediction: %s", mb_errmsg());
		res_set(&d->skipped, mb_errmsg());
		return MB_OK;
	}
	d->measured = true;
	d->bytes_per_s = md.bytes_per_s;
	d->calc_s = md.calc_s;
	res_set(&d->mode, md.mode[0] ? md.mode : NULL);
	return MB_OK;
}

/* QEMU's first page: the first iteration event (QEMU's first dirty-bitmap
 * sync, just before it sends), else the first job poll that saw memory
 * processed, back-dated by what it had sent at the rate it reported. */
static void stream_times(const struct mig_result *mr, struct res_migration *o)
{
	int64_t start = 0;
	res_set(&o->stream_start_from, "none");
	if (mr->n_iter_events > 0) {
		start = mr->iteration_ns[0];
		res_set(&o->stream_start_from, "iteration_event");
	} else {
		for (size_t i = 0; i < mr->npolls && !start; i++) {
			const struct mig_poll *p = &mr->polls[i];
			if (!p->mem_processed)
				continue;
			start = p->t_ns - (p->mem_bps ? (int64_t)((double)p->mem_processed / (double)p->mem_bps * 1e9) : 0);
			if (start < mr->t_start)
				start = mr->t_start;
			res_set(&o->stream_start_from, "poll");
		}
	}
	o->stream_start_s = start ? (double)(start - mr->t_start) / 1e9 : NAN;
	o->transfer_s = start && mr->t_resume > start ? (double)(mr->t_resume - start) / 1e9 : NAN;
}

/* The latest migration in memo of a guest with c's memory, of c's workload
 * if there is one; NULL if none. */
static const struct pred_seen *seen_like(const struct pred_memo *memo, const struct mb_config *c)
{
	const struct pred_seen *any = NULL;
	for (int i = memo->n - 1; i >= 0; i--) {
		if (memo->v[i].memory != c->memory)
			continue;
		if (memo->v[i].workload == c->workload)
			return &memo->v[i];
		if (!any)
			any = &memo->v[i];
	}
	return any;
}

/* M: an earlier migration of a guest like this one (memory total minus zero
 * pages), else QEMU's resident memory (at most the RAM; an overestimate:
 * pages the guest touched and zeroed are resident), else the RAM. */
static void memory_input(const struct pred_memo *memo, const struct mb_config *c, struct res_prediction_in *in)
{
	const struct pred_seen *seen = seen_like(memo, c);
	in->memory_size_bytes = (double)c->memory;
	if (seen) {
		in->memory_bytes = seen->nonzero_bytes;
		res_set(&in->memory_source, "previous_migration");
		res_set(&in->memory_from, seen->id);
		return;
	}
	if (isfinite(in->rss_bytes) && in->rss_bytes > 0) {
		in->memory_bytes = fmin(in->rss_bytes, in->memory_size_bytes);
		res_set(&in->memory_source, "qemu_rss");
		return;
	}
	in->memory_bytes = in->memory_size_bytes;
	res_set(&in->memory_source, "memory_size");
}

/* The settings the model leaves out, or NULL. */
static char *caveat(const struct res_precopy *p)
{
	struct mb_str s = MB_STR_INIT;
	if (p->auto_converge)
		mb_str_puts(&s, ", auto_converge (throttling)");
	if (p->xbzrle)
		mb_str_puts(&s, ", xbzrle");
	if (p->compression && strcmp(p->compression, "none"))
		mb_str_printf(&s, ", compression=%s", p->compression);
	if (p->multifd > 0)
		mb_str_puts(&s, ", multifd");
	if (p->postcopy_after > 0)
		mb_str_puts(&s, ", post-copy");
	if (!s.len) {
		mb_str_free(&s);
		return NULL;
	}
	{
		char *out = mb_xasprintf("the model leaves out %s", mb_str_cstr(&s) + 2);
		mb_str_free(&s);
		return out;
	}
}

static void remember(struct pred_memo *memo, const struct mb_config *c, const struct mig_result *mr,
		     const char *id)
{
	double page = PAGE_SIZE_DEFAULT, nonzero;
	if (mr->npolls && mr->polls[mr->npolls - 1].page_size)
		page = (double)mr->polls[mr->npolls - 1].page_size;
	nonzero = (double)mr->mem_total - (double)mr->mem_zero_pages * page;
	if (!mr->mem_total || nonzero <= 0)
		return;
	memo->v = mb_xrealloc(memo->v, (size_t)(memo->n + 1) * sizeof(*memo->v));
	memo->v[memo->n++] = (struct pred_seen){ c->workload, c->memory, nonzero, mb_xstrdup(id) };
}

void pred_fill(struct pred_memo *memo, const struct mb_config *c, const struct mig_result *mr,
	       struct res_scenario *rec)
{
	struct res_prediction *p = &rec->prediction;
	struct res_prediction_in *in = &p->in;
	struct res_migration *m = &rec->migration;
	enum precopy_bw_source src;
	struct precopy_in pin;
	struct precopy_out out;

	stream_times(mr, m);
	if (!rec->has_prediction)
		return;
	res_set(&p->model, "precopy-rounds");
	memory_input(memo, c, in);
	in->dirty_rate_bytes_per_s = rec->dirty_rate.measured ? rec->dirty_rate.bytes_per_s : NAN;
	in->bandwidth_bytes_per_s = precopy_bandwidth(rec->link.probe.measured ? rec->link.probe.r.tcp_bytes_per_s : NAN,
						      rec->precopy.bandwidth_bytes_per_s, &src);
	res_set(&in->bandwidth_source, src == PRECOPY_BW_NONE ? NULL : precopy_bw_source_name(src));
	in->max_downtime_s = rec->precopy.max_downtime_s;
	in->timeout_s = rec->precopy.timeout_s;
	p->caveat = caveat(&rec->precopy);
	if (mr->ok)
		remember(memo, c, mr, rec->id);
	if (!rec->dirty_rate.measured) {
		res_set(&p->skipped, "no dirty rate (see dirty_rate.skipped)");
		return;
	}
	if (src == PRECOPY_BW_NONE) {
		res_set(&p->skipped, "no bandwidth: the link was not probed and the migration has no cap");
		return;
	}
	pin = (struct precopy_in){ in->memory_bytes, in->dirty_rate_bytes_per_s, in->bandwidth_bytes_per_s,
				   in->max_downtime_s, in->timeout_s };
	if (precopy_predict(&pin, &out) != MB_OK) {
		res_set(&p->skipped, mb_errmsg());
		return;
	}
	p->predicted = true;
	res_set(&p->outcome, precopy_outcome_name(out.outcome));
	p->transfer_s = out.transfer_s;
	p->downtime_s = out.downtime_s;
	p->bytes = out.bytes;
	p->rounds = (double)out.rounds;
	p->iterations = (double)out.iterations;
	if (!mr->ok)
		return;
	p->has_residual = true;
	p->residual.transfer_s = m->transfer_s - p->transfer_s;
	p->residual.downtime_s = m->downtime_s - p->downtime_s;
	p->residual.iterations = (double)m->iterations - p->iterations;
	p->residual.bytes = (double)m->memory_transferred_bytes - p->bytes;
}
