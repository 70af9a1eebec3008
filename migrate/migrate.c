/* migrate.c - run and watch one live migration (see migrate.h).
 *
 * Threads: the migration itself blocks in virDomainMigrateToURI3, so it
 * runs in a worker thread; the caller's thread polls the job every 100 ms,
 * enforces the timeout, switches to post-copy, and opens the destination's
 * console as soon as the lifecycle event says the guest resumed there.
 * libvirt's event loop thread (virt.c) delivers the events. */
#define _GNU_SOURCE
#include "migrate/migrate.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "core/log.h"
#include "core/util.h"
#include "migrate/domain.h"
#include "migrate/virt.h"

static unsigned long version_of(virConnectPtr c, bool lib)
{
	unsigned long v = 0;
	if ((lib ? virConnectGetLibVersion(c, &v) : virConnectGetVersion(c, &v)) < 0)
		return 0;
	return v;
}

static bool uri_is_local(virConnectPtr c)
{
	char *uri = virConnectGetURI(c);
	bool local = uri && (mb_str_starts(uri, "qemu+unix:") || mb_str_starts(uri, "qemu:///"));
	free(uri);
	return local;
}

int mig_check_support(const struct mb_config *cfg, virConnectPtr src, virConnectPtr dst,
		      const char *srcname, char *why, size_t len)
{
	unsigned long lib = version_of(src, true), qemu = version_of(src, false);
	char lv[32], qv[32];
	snprintf(lv, sizeof(lv), "%lu.%lu.%lu", lib / 1000000, lib / 1000 % 1000, lib % 1000);
	snprintf(qv, sizeof(qv), "%lu.%lu.%lu", qemu / 1000000, qemu / 1000 % 1000, qemu % 1000);

	if ((cfg->compression == COMP_ZLIB || cfg->compression == COMP_ZSTD) && lib < 9004000) {
		snprintf(why, len,
			 "compression=%s: libvirt %s on %s knows only the xbzrle and mt compression "
			 "methods (zlib/zstd with multifd need libvirt 9.4)",
			 cfg->compression == COMP_ZLIB ? "zlib" : "zstd", lv, srcname);
		return MB_EUNSUPP;
	}
	if (cfg->compression == COMP_MT && qemu >= 9001000) {
		snprintf(why, len, "compression=mt: QEMU %s on %s no longer has multi-threaded "
				   "compression (removed in QEMU 9.1)", qv, srcname);
		return MB_EUNSUPP;
	}
	if (cfg->multifd > 0 && qemu < 4000000) {
		snprintf(why, len, "multifd: QEMU %s on %s is older than 4.0", qv, srcname);
		return MB_EUNSUPP;
	}
	if (cfg->postcopy_after > 0 && uri_is_local(dst)) {
		/* Post-copy needs userfaultfd on the destination host. */
		long fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
		if (fd < 0) {
			snprintf(why, len, "postcopy_after: the destination kernel has no usable "
					   "userfaultfd (%s)", strerror(errno));
			return MB_EUNSUPP;
		}
		close((int)fd);
	}
	return MB_OK;
}

/* ---- shared state between the threads ------------------------------------ */

struct watch {
	pthread_mutex_t mu;
	int refs;                /* mig_run + one per registered event callback */
	unsigned char uuid[VIR_UUID_BUFLEN];
	struct mig_result *res;
	struct mig_result scratch; /* where late events write after mig_run returns */
	bool resumed_dst;        /* lifecycle: resumed/started on the target */
	bool done;               /* the migration call returned */
	int call_rc;
	char call_err[400];
	bool completed;          /* the source's JOB_COMPLETED event filled res */
	/* migration thread inputs */
	virDomainPtr dom;
	const char *duri;
	virTypedParameterPtr params;
	int nparams;
	unsigned int flags;
};

static bool same_dom(struct watch *w, virDomainPtr d)
{
	unsigned char u[VIR_UUID_BUFLEN];
	return d && virDomainGetUUID(d, u) == 0 && !memcmp(u, w->uuid, sizeof(u));
}

static int on_lifecycle(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
	struct watch *w = opaque;
	(void)c;
	if (!same_dom(w, d))
		return 0;
	pthread_mutex_lock(&w->mu);
	if (event == VIR_DOMAIN_EVENT_SUSPENDED &&
	    (detail == VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED ||
	     detail == VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY) &&
	    !w->res->t_pause)
		w->res->t_pause = mb_mono_ns();
	pthread_mutex_unlock(&w->mu);
	return 0;
}

static int on_lifecycle_dst(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
	struct watch *w = opaque;
	(void)c;
	if (!same_dom(w, d))
		return 0;
	pthread_mutex_lock(&w->mu);
	if (event == VIR_DOMAIN_EVENT_RESUMED && (detail == VIR_DOMAIN_EVENT_RESUMED_MIGRATED ||
						  detail == VIR_DOMAIN_EVENT_RESUMED_POSTCOPY)) {
		if (!w->res->t_resume)
			w->res->t_resume = mb_mono_ns();
		w->resumed_dst = true;
	}
	pthread_mutex_unlock(&w->mu);
	return 0;
}

static void on_iteration(virConnectPtr c, virDomainPtr d, int iteration, void *opaque)
{
	struct watch *w = opaque;
	(void)c;
	if (!same_dom(w, d))
		return;
	pthread_mutex_lock(&w->mu);
	if (w->res->n_iter_events < (int)MB_ARRAY_SIZE(w->res->iteration_ns))
		w->res->iteration_ns[w->res->n_iter_events++] = mb_mono_ns();
	(void)iteration;
	pthread_mutex_unlock(&w->mu);
}

static void take_completed(struct mig_result *r, virTypedParameterPtr p, int n);

static void on_job_completed(virConnectPtr c, virDomainPtr d, virTypedParameterPtr params,
			     int nparams, void *opaque)
{
	struct watch *w = opaque;
	(void)c;
	if (!same_dom(w, d))
		return;
	pthread_mutex_lock(&w->mu);
	if (!w->completed) {
		take_completed(w->res, params, nparams);
		w->completed = true;
	}
	pthread_mutex_unlock(&w->mu);
}

static void watch_unref(void *opaque)
{
	struct watch *w = opaque;
	int left;
	pthread_mutex_lock(&w->mu);
	left = --w->refs;
	pthread_mutex_unlock(&w->mu);
	if (left == 0) {
		pthread_mutex_destroy(&w->mu);
		free(w);
	}
}

/* Register an event callback that holds a reference to w until libvirt
 * drops it (after any dispatch in flight), so w outlives every callback. */
static int watch_register(struct watch *w, virConnectPtr c, virDomainPtr d, int id,
			  virConnectDomainEventGenericCallback cb)
{
	int rc;
	pthread_mutex_lock(&w->mu);
	w->refs++;
	pthread_mutex_unlock(&w->mu);
	rc = virConnectDomainEventRegisterAny(c, d, id, cb, w, watch_unref);
	if (rc < 0)
		watch_unref(w);
	return rc;
}

static void *migrate_thread(void *arg)
{
	struct watch *w = arg;
	int rc = virDomainMigrateToURI3(w->dom, w->duri, w->params, w->nparams, w->flags);
	pthread_mutex_lock(&w->mu);
	w->call_rc = rc;
	if (rc < 0)
		snprintf(w->call_err, sizeof(w->call_err), "%s", virt_errmsg());
	w->done = true;
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* ---- job statistics -------------------------------------------------------- */

static uint64_t ull(virTypedParameterPtr p, int n, const char *k)
{
	unsigned long long v = 0;
	if (virTypedParamsGetULLong(p, n, k, &v) <= 0)
		return 0;
	return v;
}

static bool poll_job(virDomainPtr dom, struct mig_poll *out)
{
	virTypedParameterPtr p = NULL;
	int n = 0, type = 0, thr = 0;
	if (virDomainGetJobStats(dom, &type, &p, &n, 0) < 0)
		return false;
	if (type == VIR_DOMAIN_JOB_NONE) {
		virTypedParamsFree(p, n);
		return false;
	}
	memset(out, 0, sizeof(*out));
	out->t_ns = mb_mono_ns();
	out->elapsed_s = (double)ull(p, n, VIR_DOMAIN_JOB_TIME_ELAPSED) / 1e3;
	out->mem_total = ull(p, n, VIR_DOMAIN_JOB_MEMORY_TOTAL);
	out->mem_processed = ull(p, n, VIR_DOMAIN_JOB_MEMORY_PROCESSED);
	out->mem_remaining = ull(p, n, VIR_DOMAIN_JOB_MEMORY_REMAINING);
	out->data_remaining = ull(p, n, VIR_DOMAIN_JOB_DATA_REMAINING);
	out->dirty_rate = ull(p, n, VIR_DOMAIN_JOB_MEMORY_DIRTY_RATE);
	out->mem_bps = ull(p, n, VIR_DOMAIN_JOB_MEMORY_BPS);
	out->iteration = ull(p, n, VIR_DOMAIN_JOB_MEMORY_ITERATION);
	out->page_size = ull(p, n, VIR_DOMAIN_JOB_MEMORY_PAGE_SIZE);
	if (virTypedParamsGetInt(p, n, VIR_DOMAIN_JOB_AUTO_CONVERGE_THROTTLE, &thr) > 0)
		out->throttle = thr;
	virTypedParamsFree(p, n);
	return true;
}

static void take_completed(struct mig_result *r, virTypedParameterPtr p, int n)
{
	int thr = 0;
	r->total_s = (double)ull(p, n, VIR_DOMAIN_JOB_TIME_ELAPSED) / 1e3;
	r->downtime_s = (double)ull(p, n, VIR_DOMAIN_JOB_DOWNTIME) / 1e3;
	r->setup_s = (double)ull(p, n, VIR_DOMAIN_JOB_SETUP_TIME) / 1e3;
	r->bytes = ull(p, n, VIR_DOMAIN_JOB_DATA_PROCESSED);
	r->mem_total = ull(p, n, VIR_DOMAIN_JOB_MEMORY_TOTAL);
	r->mem_transferred = ull(p, n, VIR_DOMAIN_JOB_MEMORY_PROCESSED);
	r->mem_zero_pages = ull(p, n, VIR_DOMAIN_JOB_MEMORY_CONSTANT);
	r->mem_normal_pages = ull(p, n, VIR_DOMAIN_JOB_MEMORY_NORMAL);
	r->iterations = ull(p, n, VIR_DOMAIN_JOB_MEMORY_ITERATION);
	r->bandwidth_bps = (double)ull(p, n, VIR_DOMAIN_JOB_MEMORY_BPS);
	if (virTypedParamsGetInt(p, n, VIR_DOMAIN_JOB_AUTO_CONVERGE_THROTTLE, &thr) > 0)
		r->final_throttle = thr;
	r->xbzrle_cache_misses = ull(p, n, VIR_DOMAIN_JOB_COMPRESSION_CACHE_MISSES);
	r->xbzrle_overflow = ull(p, n, VIR_DOMAIN_JOB_COMPRESSION_OVERFLOW);
	r->xbzrle_bytes = ull(p, n, VIR_DOMAIN_JOB_COMPRESSION_BYTES);
}

static void push_poll(struct mig_result *r, const struct mig_poll *p)
{
	if (r->npolls % 256 == 0)
		r->polls = mb_xrealloc(r->polls, (r->npolls + 256) * sizeof(*r->polls));
	r->polls[r->npolls++] = *p;
}

/* ---- the migration ---------------------------------------------------------- */

static int build_params(const struct mb_config *cfg, const struct mig_endpoint *to,
			virTypedParameterPtr *params, int *n, unsigned int *flags)
{
	int max = 0;
	char uri[300];
	*params = NULL;
	*n = 0;
	*flags = VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_ABORT_ON_ERROR;
	snprintf(uri, sizeof(uri), "tcp://%s", to->addr);
	if (virTypedParamsAddString(params, n, &max, VIR_MIGRATE_PARAM_URI, uri) < 0)
		goto fail;
	if (cfg->bandwidth > 0) {
		/* libvirt takes MiB/s; never round a cap down to "unlimited". */
		unsigned long mibs = (unsigned long)ceil(cfg->bandwidth / 1048576.0);
		if (virTypedParamsAddULLong(params, n, &max, VIR_MIGRATE_PARAM_BANDWIDTH, mibs) < 0)
			goto fail;
	}
	if (cfg->auto_converge) {
		*flags |= VIR_MIGRATE_AUTO_CONVERGE;
		if (virTypedParamsAddInt(params, n, &max, VIR_MIGRATE_PARAM_AUTO_CONVERGE_INITIAL,
					 (int)cfg->auto_converge_initial) < 0 ||
		    virTypedParamsAddInt(params, n, &max, VIR_MIGRATE_PARAM_AUTO_CONVERGE_INCREMENT,
					 (int)cfg->auto_converge_increment) < 0)
			goto fail;
	}
	if (cfg->xbzrle) {
		*flags |= VIR_MIGRATE_COMPRESSED;
		if (virTypedParamsAddString(params, n, &max, VIR_MIGRATE_PARAM_COMPRESSION, "xbzrle") < 0 ||
		    virTypedParamsAddULLong(params, n, &max, VIR_MIGRATE_PARAM_COMPRESSION_XBZRLE_CACHE,
					    cfg->xbzrle_cache) < 0)
			goto fail;
	}
	if (cfg->compression != COMP_NONE) {
		static const char *const names[] = { "none", "mt", "zlib", "zstd" };
		*flags |= VIR_MIGRATE_COMPRESSED;
		if (virTypedParamsAddString(params, n, &max, VIR_MIGRATE_PARAM_COMPRESSION,
					    names[cfg->compression]) < 0)
			goto fail;
	}
	if (cfg->multifd > 0) {
		*flags |= VIR_MIGRATE_PARALLEL;
		if (virTypedParamsAddInt(params, n, &max, VIR_MIGRATE_PARAM_PARALLEL_CONNECTIONS,
					 (int)cfg->multifd) < 0)
			goto fail;
	}
	if (cfg->postcopy_after > 0)
		*flags |= VIR_MIGRATE_POSTCOPY;
	return MB_OK;
fail:
	virTypedParamsFree(*params, *n);
	return mb_err(MB_EINTERNAL, "building migration parameters: %s", virt_errmsg());
}

int mig_run(const struct mb_config *cfg, virDomainPtr dom, const struct mig_endpoint *from,
	    const struct mig_endpoint *to, struct console *con, volatile int *stop,
	    mig_progress_fn progress, void *pctx, struct mig_result *res)
{
	struct watch *w = mb_xcalloc(1, sizeof(*w));
	pthread_t th;
	int cb_src_life = -1, cb_dst_life = -1, cb_iter = -1, cb_done = -1, rc;
	int64_t deadline;
	bool console_moved = false, abort_sent = false, postcopy_tried = false;
	virDomainPtr ddom = NULL;

	memset(res, 0, sizeof(*res));
	pthread_mutex_init(&w->mu, NULL);
	w->refs = 1;
	w->res = res;
	w->dom = dom;
	w->duri = to->p2p_uri;
	virDomainGetUUID(dom, w->uuid);

	rc = build_params(cfg, to, &w->params, &w->nparams, &w->flags);
	if (rc)
		goto out;
	if (virDomainMigrateSetMaxDowntime(dom, (unsigned long long)(cfg->max_downtime_ns / 1000000), 0) < 0) {
		rc = mb_err(MB_EFAILED, "setting max downtime on %s: %s", from->name, virt_errmsg());
		goto out;
	}
	cb_src_life = watch_register(w, from->conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
				     VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle));
	cb_iter = watch_register(w, from->conn, dom, VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION,
				 VIR_DOMAIN_EVENT_CALLBACK(on_iteration));
	cb_done = watch_register(w, from->conn, dom, VIR_DOMAIN_EVENT_ID_JOB_COMPLETED,
				 VIR_DOMAIN_EVENT_CALLBACK(on_job_completed));
	/* The guest does not exist on the target yet: watch all domains there. */
	cb_dst_life = watch_register(w, to->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
				     VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle_dst));
	if (cb_src_life < 0 || cb_iter < 0 || cb_done < 0 || cb_dst_life < 0)
		mb_warn("cannot watch migration events (%s); phase times come from polling",
			virt_errmsg());

	res->t_start = mb_mono_ns();
	if (pthread_create(&th, NULL, migrate_thread, w) != 0) {
		rc = mb_err(MB_EINTERNAL, "cannot start the migration thread");
		goto out;
	}
	deadline = res->t_start + cfg->timeout_ns;
	for (;;) {
		struct mig_poll p;
		bool done, resumed;

		pthread_mutex_lock(&w->mu);
		done = w->done;
		resumed = w->resumed_dst;
		pthread_mutex_unlock(&w->mu);

		if (resumed && !console_moved && con) {
			/* Follow the guest: its console now lives on the target. */
			ddom = virDomainLookupByUUID(to->conn, w->uuid);
			if (ddom && console_open(con, to->conn, ddom, to->index, to->name) == MB_OK)
				console_moved = true;
			else if (ddom)
				mb_warn("%s", mb_errmsg());
		}
		if (done)
			break;
		if (!abort_sent && poll_job(dom, &p)) {
			push_poll(res, &p);
			if (progress)
				progress(pctx, &p);
			/* QEMU counts the pass in progress: after N passes it says N+1. */
			if (cfg->postcopy_after > 0 && !postcopy_tried &&
			    p.iteration > (uint64_t)cfg->postcopy_after) {
				postcopy_tried = true;
				if (virDomainMigrateStartPostCopy(dom, 0) == 0) {
					res->postcopy_started = true;
					res->t_postcopy = mb_mono_ns();
				} else {
					/* Usually: pre-copy converged first (the guest is paused). */
					mb_debug("switching to post-copy on %s: %s", from->name,
						 virt_errmsg());
				}
			}
		}
		if (!abort_sent && (mb_mono_ns() > deadline || (stop && *stop))) {
			if (stop && *stop)
				res->interrupted = true;
			else
				res->timed_out = true;
			if (res->postcopy_started) {
				/* A post-copy migration cannot be aborted without losing the
				 * guest: let it finish. */
				mb_warn("post-copy already started: waiting for it to finish");
			} else if (virDomainAbortJob(dom) < 0) {
				mb_warn("aborting the migration on %s: %s", from->name, virt_errmsg());
			}
			abort_sent = true;
			res->aborted = true;
		}
		mb_sleep_ns(MIG_POLL_NS);
	}
	pthread_join(th, NULL);
	res->t_end = mb_mono_ns();

	if (w->call_rc < 0) {
		snprintf(res->error, sizeof(res->error), "%s%s",
			 res->timed_out ? "migration did not finish within the timeout and was "
					  "aborted: " : "", w->call_err);
		if (res->timed_out && res->npolls) {
			const struct mig_poll *last = &res->polls[res->npolls - 1];
			size_t l = strlen(res->error);
			snprintf(res->error + l, sizeof(res->error) - l,
				 " (iteration %llu, %llu MiB still to send, dirty rate %llu pages/s)",
				 (unsigned long long)last->iteration,
				 (unsigned long long)(last->mem_remaining >> 20),
				 (unsigned long long)last->dirty_rate);
		}
		rc = res->interrupted ? MB_EINTR : MB_EFAILED;
	} else {
		res->ok = true;
		if (!res->t_resume)
			res->t_resume = res->t_end; /* no event seen: the call's return */
		if (!ddom)
			ddom = virDomainLookupByUUID(to->conn, w->uuid);
		if (con && !console_moved && ddom &&
		    console_open(con, to->conn, ddom, to->index, to->name) != MB_OK)
			mb_warn("%s", mb_errmsg());
		/* Completed statistics: the source's job-completed event, else the
		 * destination's record of the finished incoming job. */
		pthread_mutex_lock(&w->mu);
		if (w->completed)
			res->completed_from = "event";
		pthread_mutex_unlock(&w->mu);
		if (!res->completed_from && ddom) {
			virTypedParameterPtr p = NULL;
			int n = 0, type = 0;
			if (virDomainGetJobStats(ddom, &type, &p, &n, VIR_DOMAIN_JOB_STATS_COMPLETED) == 0 &&
			    type == VIR_DOMAIN_JOB_COMPLETED) {
				take_completed(res, p, n);
				res->completed_from = "destination";
			}
			virTypedParamsFree(p, n);
		}
		if (!res->completed_from && res->npolls) {
			const struct mig_poll *last = &res->polls[res->npolls - 1];
			res->total_s = (double)(res->t_end - res->t_start) / 1e9;
			res->iterations = last->iteration;
			res->mem_total = last->mem_total;
			res->completed_from = "source-poll";
		}
		rc = MB_OK;
	}
	snprintf(res->dst_state, sizeof(res->dst_state), "%s", dom_state_name(to->conn, w->uuid));
	snprintf(res->src_state, sizeof(res->src_state), "%s", dom_state_name(from->conn, w->uuid));
	if (res->ok && strcmp(res->dst_state, "running")) {
		snprintf(res->error, sizeof(res->error),
			 "migration reported success but the guest is %s on %s", res->dst_state, to->name);
		res->ok = false;
		rc = MB_EFAILED;
	}
	if (rc == MB_EFAILED)
		mb_err(MB_EFAILED, "%s", res->error);
	else if (rc == MB_EINTR)
		mb_err(MB_EINTR, "interrupted: the migration was aborted");
out:
	if (cb_src_life >= 0)
		virConnectDomainEventDeregisterAny(from->conn, cb_src_life);
	if (cb_iter >= 0)
		virConnectDomainEventDeregisterAny(from->conn, cb_iter);
	if (cb_done >= 0)
		virConnectDomainEventDeregisterAny(from->conn, cb_done);
	if (cb_dst_life >= 0)
		virConnectDomainEventDeregisterAny(to->conn, cb_dst_life);
	if (ddom)
		virDomainFree(ddom);
	virTypedParamsFree(w->params, w->nparams);
	/* The callbacks may still hold w: the last reference frees it.  Results
	 * written by a late event go nowhere (res is detached first). */
	pthread_mutex_lock(&w->mu);
	w->res = &w->scratch;
	pthread_mutex_unlock(&w->mu);
	watch_unref(w);
	return rc;
}

void mig_result_free(struct mig_result *res)
{
	free(res->polls);
	res->polls = NULL;
	res->npolls = 0;
}

char *mig_polls_csv(const struct mig_result *res, int64_t t_ref)
{
	size_t cap = 256 + res->npolls * 128, n = 0;
	char *s = mb_xmalloc(cap);
	n += (size_t)snprintf(s, cap,
			      "time_s,elapsed_s,iteration,memory_total_bytes,memory_processed_bytes,"
			      "memory_remaining_bytes,data_remaining_bytes,dirty_rate_pages_per_s,"
			      "page_size_bytes,bandwidth_bytes_per_s,throttle_pct\n");
	for (size_t i = 0; i < res->npolls; i++) {
		const struct mig_poll *p = &res->polls[i];
		n += (size_t)snprintf(s + n, cap - n, "%.3f,%.3f,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%d\n",
				      (double)(p->t_ns - t_ref) / 1e9, p->elapsed_s,
				      (unsigned long long)p->iteration, (unsigned long long)p->mem_total,
				      (unsigned long long)p->mem_processed,
				      (unsigned long long)p->mem_remaining,
				      (unsigned long long)p->data_remaining,
				      (unsigned long long)p->dirty_rate, (unsigned long long)p->page_size,
				      (unsigned long long)p->mem_bps, p->throttle);
	}
	return s;
}

static json_object *rel(int64_t t, int64_t ref)
{
	return t ? json_object_new_double((double)(t - ref) / 1e9) : NULL;
}

json_object *mig_result_json(const struct mig_result *r, int64_t t_ref)
{
	json_object *o = json_object_new_object(), *it = json_object_new_array();
	json_object_object_add(o, "total_s", json_object_new_double(r->total_s));
	json_object_object_add(o, "downtime_s", json_object_new_double(r->downtime_s));
	json_object_object_add(o, "setup_s", json_object_new_double(r->setup_s));
	json_object_object_add(o, "bytes", json_object_new_int64((int64_t)r->bytes));
	json_object_object_add(o, "memory_total_bytes", json_object_new_int64((int64_t)r->mem_total));
	json_object_object_add(o, "memory_transferred_bytes",
			       json_object_new_int64((int64_t)r->mem_transferred));
	json_object_object_add(o, "zero_pages", json_object_new_int64((int64_t)r->mem_zero_pages));
	json_object_object_add(o, "normal_pages", json_object_new_int64((int64_t)r->mem_normal_pages));
	json_object_object_add(o, "iterations", json_object_new_int64((int64_t)r->iterations));
	json_object_object_add(o, "bandwidth_bytes_per_s", json_object_new_double(r->bandwidth_bps));
	json_object_object_add(o, "throttle_pct", json_object_new_int(r->final_throttle));
	json_object_object_add(o, "xbzrle_cache_misses", json_object_new_int64((int64_t)r->xbzrle_cache_misses));
	json_object_object_add(o, "xbzrle_overflow", json_object_new_int64((int64_t)r->xbzrle_overflow));
	json_object_object_add(o, "xbzrle_bytes", json_object_new_int64((int64_t)r->xbzrle_bytes));
	json_object_object_add(o, "postcopy", json_object_new_boolean(r->postcopy_started));
	json_object_object_add(o, "wall_s", json_object_new_double((double)(r->t_end - r->t_start) / 1e9));
	json_object_object_add(o, "start_s", rel(r->t_start, t_ref));
	json_object_object_add(o, "pause_s", rel(r->t_pause, t_ref));
	json_object_object_add(o, "resume_s", rel(r->t_resume, t_ref));
	json_object_object_add(o, "end_s", rel(r->t_end, t_ref));
	json_object_object_add(o, "postcopy_s", rel(r->t_postcopy, t_ref));
	json_object_object_add(o, "observed_downtime_s",
			       r->t_pause && r->t_resume && r->t_resume > r->t_pause
				       ? json_object_new_double((double)(r->t_resume - r->t_pause) / 1e9)
				       : NULL);
	for (int i = 0; i < r->n_iter_events; i++)
		json_object_array_add(it, json_object_new_double((double)(r->iteration_ns[i] - t_ref) / 1e9));
	json_object_object_add(o, "iteration_events_s", it);
	json_object_object_add(o, "stats_from", json_object_new_string(r->completed_from ? r->completed_from : "none"));
	json_object_object_add(o, "timed_out", json_object_new_boolean(r->timed_out));
	json_object_object_add(o, "aborted", json_object_new_boolean(r->aborted));
	json_object_object_add(o, "guest_state_target", json_object_new_string(r->dst_state));
	json_object_object_add(o, "guest_state_source", json_object_new_string(r->src_state));
	return o;
}
