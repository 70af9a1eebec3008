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
#include "core/str.h"
#include "core/util.h"
#include "migrate/domain.h"
#include "migrate/virt.h"

MB_ENUM_IMPL(compression, COMPRESSION_LAST, "none", "mt", "zlib", "zstd");

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

int mig_check_support(const struct mig_params *p, virConnectPtr src, virConnectPtr dst,
		      const char *srcname)
{
	unsigned long lib = version_of(src, true), qemu = version_of(src, false);
	char lv[32], qv[32];
	snprintf(lv, sizeof(lv), "%lu.%lu.%lu", lib / 1000000, lib / 1000 % 1000, lib % 1000);
	snprintf(qv, sizeof(qv), "%lu.%lu.%lu", qemu / 1000000, qemu / 1000 % 1000, qemu % 1000);

	if ((p->compression == COMP_ZLIB || p->compression == COMP_ZSTD) && lib < 9004000)
		return mb_err(MB_EUNSUPP,
			      "compression=%s: libvirt %s on %s knows only the xbzrle and mt compression "
			      "methods (zlib/zstd with multifd need libvirt 9.4)",
			      compression_to_string(p->compression), lv, srcname);
	if (p->compression == COMP_MT && qemu >= 9001000)
		return mb_err(MB_EUNSUPP, "compression=mt: QEMU %s on %s no longer has multi-threaded "
					  "compression (removed in QEMU 9.1)", qv, srcname);
	if (p->multifd > 0 && qemu < 4000000)
		return mb_err(MB_EUNSUPP, "multifd: QEMU %s on %s is older than 4.0", qv, srcname);
	if (p->postcopy_after > 0 && uri_is_local(dst)) {
		/* Post-copy needs userfaultfd on the destination host. */
		long fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
		if (fd < 0)
			return mb_err_errno(MB_EUNSUPP, "postcopy_after: the destination kernel has no "
							"usable userfaultfd");
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
	int call_error;          /* libvirt's error number of a failed call */
	struct mb_error call_err; /* the call's failure, from the migration thread */
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
	int code = rc < 0 ? virGetLastErrorCode() : 0;
	pthread_mutex_lock(&w->mu);
	w->call_rc = rc;
	w->call_error = code;
	mb_err_save(&w->call_err, rc < 0 ? mb_err(MB_EFAILED, "%s", virt_errmsg()) : MB_OK);
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

/* A completed job's figure: NaN when libvirt did not report it. */
static double num(virTypedParameterPtr p, int n, const char *k, double div)
{
	unsigned long long v = 0;
	if (virTypedParamsGetULLong(p, n, k, &v) <= 0)
		return NAN;
	return (double)v / div;
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
	out->data_processed = ull(p, n, VIR_DOMAIN_JOB_DATA_PROCESSED);
	out->dirty_rate = ull(p, n, VIR_DOMAIN_JOB_MEMORY_DIRTY_RATE);
	out->mem_bps = ull(p, n, VIR_DOMAIN_JOB_MEMORY_BPS);
	out->iteration = ull(p, n, VIR_DOMAIN_JOB_MEMORY_ITERATION);
	out->page_size = ull(p, n, VIR_DOMAIN_JOB_MEMORY_PAGE_SIZE);
	out->throttle = virTypedParamsGetInt(p, n, VIR_DOMAIN_JOB_AUTO_CONVERGE_THROTTLE, &thr) > 0 ? thr : -1;
	virTypedParamsFree(p, n);
	return true;
}

static void take_completed(struct mig_result *r, virTypedParameterPtr p, int n)
{
	int thr = 0;
	r->total_s = num(p, n, VIR_DOMAIN_JOB_TIME_ELAPSED, 1e3);
	r->downtime_s = num(p, n, VIR_DOMAIN_JOB_DOWNTIME, 1e3);
	r->setup_s = num(p, n, VIR_DOMAIN_JOB_SETUP_TIME, 1e3);
	r->bytes = num(p, n, VIR_DOMAIN_JOB_DATA_PROCESSED, 1);
	r->mem_total = num(p, n, VIR_DOMAIN_JOB_MEMORY_TOTAL, 1);
	r->mem_transferred = num(p, n, VIR_DOMAIN_JOB_MEMORY_PROCESSED, 1);
	r->mem_zero_pages = num(p, n, VIR_DOMAIN_JOB_MEMORY_CONSTANT, 1);
	r->mem_normal_pages = num(p, n, VIR_DOMAIN_JOB_MEMORY_NORMAL, 1);
	r->iterations = num(p, n, VIR_DOMAIN_JOB_MEMORY_ITERATION, 1);
	r->bandwidth_bps = num(p, n, VIR_DOMAIN_JOB_MEMORY_BPS, 1);
	if (virTypedParamsGetInt(p, n, VIR_DOMAIN_JOB_AUTO_CONVERGE_THROTTLE, &thr) > 0)
		r->final_throttle = thr;
	r->xbzrle_cache_misses = num(p, n, VIR_DOMAIN_JOB_COMPRESSION_CACHE_MISSES, 1);
	r->xbzrle_overflow = num(p, n, VIR_DOMAIN_JOB_COMPRESSION_OVERFLOW, 1);
	r->xbzrle_bytes = num(p, n, VIR_DOMAIN_JOB_COMPRESSION_BYTES, 1);
}

static void push_poll(struct mig_result *r, const struct mig_poll *p)
{
	if (r->npolls % 256 == 0)
		r->polls = mb_xrealloc(r->polls, (r->npolls + 256) * sizeof(*r->polls));
	r->polls[r->npolls++] = *p;
}

/* ---- the migration ---------------------------------------------------------- */

static int build_params(const struct mig_params *cfg, const struct mig_endpoint *to,
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
		*flags |= VIR_MIGRATE_COMPRESSED;
		if (virTypedParamsAddString(params, n, &max, VIR_MIGRATE_PARAM_COMPRESSION,
					    compression_to_string(cfg->compression)) < 0)
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

/* What the watching thread keeps while the migration runs. */
struct follow {
	const struct mig_params *p;
	virDomainPtr dom;
	const struct mig_endpoint *from, *to;
	struct console *con;
	volatile int *stop;
	mig_progress_fn progress;
	void *pctx;
	struct mig_result *res;
	struct watch *w;
	int cb[4];               /* event callbacks: source lifecycle, iteration, done; target lifecycle */
	virDomainPtr ddom;       /* the guest on the target, once seen */
	bool console_moved, abort_sent, postcopy_tried;
};

static struct watch *watch_new(virDomainPtr dom, const struct mig_endpoint *to, struct mig_result *res)
{
	struct watch *w = mb_xcalloc(1, sizeof(*w));
	pthread_mutex_init(&w->mu, NULL);
	w->refs = 1;
	w->res = res;
	w->dom = dom;
	w->duri = to->p2p_uri;
	virDomainGetUUID(dom, w->uuid);
	return w;
}

/* Parameters, the downtime limit and the event callbacks. */
static int follow_setup(struct follow *f)
{
	struct watch *w = f->w;
	int rc = build_params(f->p, f->to, &w->params, &w->nparams, &w->flags);
	if (rc)
		return rc;
	if (virDomainMigrateSetMaxDowntime(f->dom, (unsigned long long)(f->p->max_downtime_ns / 1000000), 0) < 0)
		return mb_err(MB_EFAILED, "setting max downtime on %s: %s", f->from->name, virt_errmsg());
	f->cb[0] = watch_register(w, f->from->conn, f->dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
				  VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle));
	f->cb[1] = watch_register(w, f->from->conn, f->dom, VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION,
				  VIR_DOMAIN_EVENT_CALLBACK(on_iteration));
	f->cb[2] = watch_register(w, f->from->conn, f->dom, VIR_DOMAIN_EVENT_ID_JOB_COMPLETED,
				  VIR_DOMAIN_EVENT_CALLBACK(on_job_completed));
	/* The guest does not exist on the target yet: watch all domains there. */
	f->cb[3] = watch_register(w, f->to->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
				  VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle_dst));
	if (f->cb[0] < 0 || f->cb[1] < 0 || f->cb[2] < 0 || f->cb[3] < 0)
		mb_warn("cannot watch migration events (%s); phase times come from polling",
			virt_errmsg());
	return MB_OK;
}

/* Follow the guest: its console now lives on the target. */
static void follow_console(struct follow *f)
{
	f->ddom = virDomainLookupByUUID(f->to->conn, f->w->uuid);
	if (f->ddom && console_open(f->con, f->to->conn, f->ddom, f->to->index, f->to->name) == MB_OK)
		f->console_moved = true;
	else if (f->ddom)
		mb_warn("%s", mb_errmsg());
}

/* One poll of the job: progress, and the switch to post-copy when due. */
static void follow_poll(struct follow *f)
{
	struct mig_poll p;
	struct mig_result *res = f->res;
	if (!poll_job(f->dom, &p))
		return;
	push_poll(res, &p);
	if (f->progress)
		f->progress(f->pctx, &p);
	/* QEMU counts the pass in progress: after N passes it says N+1. */
	if (f->p->postcopy_after > 0 && !f->postcopy_tried && p.iteration > (uint64_t)f->p->postcopy_after) {
		f->postcopy_tried = true;
		if (virDomainMigrateStartPostCopy(f->dom, 0) == 0) {
			res->postcopy_started = true;
			res->t_postcopy = mb_mono_ns();
		} else {
			/* Usually: pre-copy converged first (the guest is paused). */
			mb_debug("switching to post-copy on %s: %s", f->from->name, virt_errmsg());
		}
	}
}

/* The timeout or a stop request: abort the job (once). */
static void follow_abort(struct follow *f)
{
	struct mig_result *res = f->res;
	if (f->stop && *f->stop)
		res->interrupted = true;
	else
		res->timed_out = true;
	if (res->postcopy_started) {
		/* A post-copy migration cannot be aborted without losing the guest:
		 * let it finish. */
		mb_warn("post-copy already started: waiting for it to finish");
	} else if (virDomainAbortJob(f->dom) < 0) {
		mb_warn("aborting the migration on %s: %s", f->from->name, virt_errmsg());
	}
	f->abort_sent = true;
	res->aborted = true;
}

/* Until the migration call returns. */
static void follow_loop(struct follow *f)
{
	int64_t deadline = f->res->t_start + f->p->timeout_ns;
	for (;;) {
		bool done, resumed;
		pthread_mutex_lock(&f->w->mu);
		done = f->w->done;
		resumed = f->w->resumed_dst;
		pthread_mutex_unlock(&f->w->mu);
		if (resumed && !f->console_moved && f->con)
			follow_console(f);
		if (done)
			return;
		if (!f->abort_sent)
			follow_poll(f);
		if (!f->abort_sent && (mb_mono_ns() > deadline || (f->stop && *f->stop)))
			follow_abort(f);
		mb_sleep_ns(MIG_POLL_NS);
	}
}

/* The call failed: the thread's reason, with the timeout's context. */
static int follow_failed(struct follow *f)
{
	struct mig_result *res = f->res;
	struct mb_str why = MB_STR_INIT;
	int rc;
	mb_err_restore(&f->w->call_err);
	if (res->timed_out)
		mb_str_puts(&why, "migration did not finish within the timeout and was aborted: ");
	mb_str_puts(&why, mb_errmsg());
	if (res->timed_out && res->npolls) {
		const struct mig_poll *last = &res->polls[res->npolls - 1];
		mb_str_printf(&why, " (iteration %llu, %llu MiB still to send, dirty rate %llu pages/s)",
			      (unsigned long long)last->iteration,
			      (unsigned long long)(last->mem_remaining >> 20),
			      (unsigned long long)last->dirty_rate);
	}
	rc = res->interrupted ? mb_err(MB_EINTR, "interrupted: the migration was aborted")
			      : mb_err(MB_EFAILED, "%s", mb_str_cstr(&why));
	mb_str_free(&why);
	return rc;
}

/* The call succeeded: console, completed statistics. */
static void follow_succeeded(struct follow *f)
{
	struct mig_result *res = f->res;
	res->ok = true;
	if (!res->t_resume)
		res->t_resume = res->t_end; /* no event seen: the call's return */
	if (!f->ddom)
		f->ddom = virDomainLookupByUUID(f->to->conn, f->w->uuid);
	if (f->con && !f->console_moved && f->ddom &&
	    console_open(f->con, f->to->conn, f->ddom, f->to->index, f->to->name) != MB_OK)
		mb_warn("%s", mb_errmsg());
	/* Completed statistics: the source's job-completed event, else the
	 * destination's record of the finished incoming job. */
	pthread_mutex_lock(&f->w->mu);
	if (f->w->completed)
		res->completed_from = "event";
	pthread_mutex_unlock(&f->w->mu);
	if (!res->completed_from && f->ddom) {
		virTypedParameterPtr p = NULL;
		int n = 0, type = 0;
		if (virDomainGetJobStats(f->ddom, &type, &p, &n, VIR_DOMAIN_JOB_STATS_COMPLETED) == 0 &&
		    type == VIR_DOMAIN_JOB_COMPLETED) {
			take_completed(res, p, n);
			res->completed_from = "destination";
		}
		virTypedParamsFree(p, n);
	}
	if (!res->completed_from && res->npolls) {
		const struct mig_poll *last = &res->polls[res->npolls - 1];
		res->total_s = (double)(res->t_end - res->t_start) / 1e9;
		res->iterations = (double)last->iteration;
		res->mem_total = (double)last->mem_total;
		res->completed_from = "source-poll";
	}
}

static void follow_cleanup(struct follow *f)
{
	struct watch *w = f->w;
	const struct mig_endpoint *conn_of[4] = { f->from, f->from, f->from, f->to };
	for (int i = 0; i < 4; i++)
		if (f->cb[i] >= 0)
			virConnectDomainEventDeregisterAny(conn_of[i]->conn, f->cb[i]);
	if (f->ddom)
		virDomainFree(f->ddom);
	virTypedParamsFree(w->params, w->nparams);
	/* The callbacks may still hold w: the last reference frees it.  Results
	 * written by a late event go nowhere (res is detached first). */
	pthread_mutex_lock(&w->mu);
	w->res = &w->scratch;
	pthread_mutex_unlock(&w->mu);
	watch_unref(w);
}

int mig_run(const struct mig_params *p, virDomainPtr dom, const struct mig_endpoint *from,
	    const struct mig_endpoint *to, struct console *con, volatile int *stop,
	    mig_progress_fn progress, void *pctx, struct mig_result *res)
{
	struct follow f = { .p = p, .dom = dom, .from = from, .to = to, .con = con, .stop = stop,
			    .progress = progress, .pctx = pctx, .res = res, .cb = { -1, -1, -1, -1 } };
	pthread_t th;
	int rc;

	memset(res, 0, sizeof(*res));
	res->outcome = -1;
	res->total_s = res->downtime_s = res->setup_s = res->bytes = NAN;
	res->mem_total = res->mem_transferred = res->mem_zero_pages = res->mem_normal_pages = NAN;
	res->iterations = res->bandwidth_bps = res->final_throttle = NAN;
	res->xbzrle_cache_misses = res->xbzrle_overflow = res->xbzrle_bytes = NAN;
	f.w = watch_new(dom, to, res);
	rc = follow_setup(&f);
	if (rc)
		goto out;
	res->t_start = mb_mono_ns();
	if (pthread_create(&th, NULL, migrate_thread, f.w) != 0) {
		rc = mb_err(MB_EINTERNAL, "cannot start the migration thread");
		goto out;
	}
	follow_loop(&f);
	pthread_join(th, NULL);
	res->t_end = mb_mono_ns();
	if (f.w->call_rc < 0) {
		rc = follow_failed(&f);
	} else {
		follow_succeeded(&f);
		rc = MB_OK;
	}
	snprintf(res->dst_state, sizeof(res->dst_state), "%s", dom_state_name(to->conn, f.w->uuid));
	/* A failed incoming guest is torn down on the target a moment later. */
	for (int i = 0; f.w->call_rc < 0 && i < 30 && (!strcmp(res->dst_state, "paused") ||
						     !strcmp(res->dst_state, "shutoff")); i++) {
		mb_sleep_ns(MIG_POLL_NS);
		snprintf(res->dst_state, sizeof(res->dst_state), "%s", dom_state_name(to->conn, f.w->uuid));
	}
	snprintf(res->src_state, sizeof(res->src_state), "%s", dom_state_name(from->conn, f.w->uuid));
	res->call_error = f.w->call_error;
	if (res->ok && strcmp(res->dst_state, "running")) {
		res->ok = false;
		rc = mb_err(MB_EFAILED, "migration reported success but the guest is %s on %s",
			    res->dst_state, to->name);
	}
	if (res->ok)
		res->outcome = RES_CONVERGED;
	else if (rc == MB_EFAILED)
		res->outcome = mig_classify(res);
out:
	follow_cleanup(&f);
	return rc;
}

/* ---- outcomes ---------------------------------------------------------------- */

static uint64_t sent_at(const struct mig_poll *p)
{
	return p->data_processed ? p->data_processed : p->mem_processed;
}

/* No data moved in the last MIG_STALL_S seconds of polls (or none at all). */
static bool stalled(const struct mig_result *r)
{
	const struct mig_poll *last;
	size_t k;
	if (!r->npolls)
		return true;
	last = &r->polls[r->npolls - 1];
	if (!sent_at(last))
		return true;
	for (k = r->npolls - 1; k > 0; k--)
		if ((double)(last->t_ns - r->polls[k - 1].t_ns) / 1e9 > MIG_STALL_S)
			break;
	return k < r->npolls - 1 && sent_at(&r->polls[k]) >= sent_at(last);
}

/* Errors of a destination that says no before anything moves. */
static bool refusal(int code)
{
	switch (code) {
	case VIR_ERR_OPERATION_INVALID:
	case VIR_ERR_OPERATION_UNSUPPORTED:
	case VIR_ERR_OPERATION_DENIED:
	case VIR_ERR_CONFIG_UNSUPPORTED:
	case VIR_ERR_ARGUMENT_UNSUPPORTED:
	case VIR_ERR_NO_SUPPORT:
	case VIR_ERR_CPU_INCOMPATIBLE:
	case VIR_ERR_MIGRATE_UNSAFE:
		return true;
	default:
		return false;
	}
}

int mig_classify(const struct mig_result *r)
{
	bool moved = false;
	if (r->ok)
		return RES_CONVERGED;
	/* Only a guest that still runs on the source alone, with both hosts
	 * answering, is the system under test's doing. */
	if (r->interrupted || strcmp(r->src_state, "running") || strcmp(r->dst_state, "absent"))
		return -1;
	if (r->timed_out)
		return stalled(r) ? -1 : RES_NOT_CONVERGED;
	for (size_t i = 0; i < r->npolls && !moved; i++)
		moved = sent_at(&r->polls[i]) > 0;
	if (r->call_error == VIR_ERR_OPERATION_ABORTED)
		return RES_ABORTED;
	if (!moved && refusal(r->call_error))
		return RES_REFUSED;
	return -1;
}

char *mig_outcome_why(const struct mig_result *r, const char *error)
{
	struct mb_str s = MB_STR_INIT;
	const struct mig_poll *last = r->npolls ? &r->polls[r->npolls - 1] : NULL;
	switch (r->outcome) {
	case RES_NOT_CONVERGED:
		mb_str_printf(&s, "did not converge within the timeout (%.0f s)",
			      (double)(r->t_end - r->t_start) / 1e9);
		break;
	case RES_ABORTED: mb_str_puts(&s, "the hypervisor aborted the migration"); break;
	case RES_REFUSED: mb_str_puts(&s, "the destination refused the migration"); break;
	default: return NULL;
	}
	if (last) {
		double page = last->page_size ? (double)last->page_size : 4096.0;
		mb_str_printf(&s, ": iteration %llu, %.1f MiB still to send, the guest dirtied %.1f MiB/s "
				  "while %.1f MiB/s were sent",
			      (unsigned long long)last->iteration, (double)last->mem_remaining / 1048576.0,
			      (double)last->dirty_rate * page / 1048576.0, (double)last->mem_bps / 1048576.0);
		if (last->throttle > 0)
			mb_str_printf(&s, ", vCPU throttled %d%%", last->throttle);
	}
	if (error && *error && r->outcome != RES_NOT_CONVERGED)
		mb_str_printf(&s, " (%s)", error);
	return mb_str_detach(&s);
}

/* The last poll into the record (NaN for what libvirt did not report). */
static void progress_record(const struct mig_result *r, int64_t t_ref, struct res_migration *o)
{
	const struct mig_poll *p;
	struct res_progress *g = &o->progress;
	int thr = -1;
	o->has_progress = r->npolls > 0;
	if (!r->npolls)
		return;
	p = &r->polls[r->npolls - 1];
	for (size_t i = 0; i < r->npolls; i++)
		thr = r->polls[i].throttle > thr ? r->polls[i].throttle : thr;
	g->time_s = (double)(p->t_ns - t_ref) / 1e9;
	g->elapsed_s = p->elapsed_s;
	g->iteration = (double)p->iteration;
	g->memory_total_bytes = (double)p->mem_total;
	g->memory_processed_bytes = (double)p->mem_processed;
	g->memory_remaining_bytes = (double)p->mem_remaining;
	g->data_processed_bytes = p->data_processed ? (double)p->data_processed : NAN;
	g->data_remaining_bytes = (double)p->data_remaining;
	g->dirty_rate_pages_per_s = (double)p->dirty_rate;
	g->page_size_bytes = p->page_size ? (double)p->page_size : NAN;
	g->dirty_rate_bytes_per_s = p->page_size ? (double)p->dirty_rate * (double)p->page_size : NAN;
	g->bandwidth_bytes_per_s = (double)p->mem_bps;
	g->throttle_pct = p->throttle >= 0 ? p->throttle : NAN;
	g->throttle_max_pct = thr >= 0 ? thr : NAN;
}

void mig_result_free(struct mig_result *res)
{
	free(res->polls);
	res->polls = NULL;
	res->npolls = 0;
}

char *mig_polls_csv(const struct mig_result *res, int64_t t_ref)
{
	struct mb_str s = MB_STR_INIT;
	mb_str_puts(&s, "time_s,elapsed_s,iteration,memory_total_bytes,memory_processed_bytes,"
			"memory_remaining_bytes,data_remaining_bytes,dirty_rate_pages_per_s,"
			"page_size_bytes,bandwidth_bytes_per_s,throttle_pct,data_processed_bytes\n");
	for (size_t i = 0; i < res->npolls; i++) {
		const struct mig_poll *p = &res->polls[i];
		mb_str_printf(&s, "%.3f,%.3f,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,",
			      (double)(p->t_ns - t_ref) / 1e9, p->elapsed_s,
			      (unsigned long long)p->iteration, (unsigned long long)p->mem_total,
			      (unsigned long long)p->mem_processed, (unsigned long long)p->mem_remaining,
			      (unsigned long long)p->data_remaining, (unsigned long long)p->dirty_rate,
			      (unsigned long long)p->page_size, (unsigned long long)p->mem_bps);
		if (p->throttle >= 0) /* empty when libvirt did not report it */
			mb_str_printf(&s, "%d", p->throttle);
		mb_str_printf(&s, ",%llu\n", (unsigned long long)p->data_processed);
	}
	return mb_str_detach(&s);
}

/* A host time relative to ref; NaN (null) when it was not seen. */
static double rel(int64_t t, int64_t ref)
{
	return t ? (double)(t - ref) / 1e9 : NAN;
}

void mig_result_record(const struct mig_result *r, int64_t t_ref, struct res_migration *o)
{
	o->total_s = r->total_s;
	o->downtime_s = r->downtime_s;
	o->setup_s = r->setup_s;
	o->bytes = r->bytes;
	o->memory_total_bytes = r->mem_total;
	o->memory_transferred_bytes = r->mem_transferred;
	o->zero_pages = r->mem_zero_pages;
	o->normal_pages = r->mem_normal_pages;
	o->iterations = r->iterations;
	o->bandwidth_bytes_per_s = r->bandwidth_bps;
	o->throttle_pct = r->final_throttle;
	o->xbzrle_cache_misses = r->xbzrle_cache_misses;
	o->xbzrle_overflow = r->xbzrle_overflow;
	o->xbzrle_bytes = r->xbzrle_bytes;
	o->postcopy = r->postcopy_started;
	o->wall_s = (double)(r->t_end - r->t_start) / 1e9;
	o->start_s = rel(r->t_start, t_ref);
	o->pause_s = rel(r->t_pause, t_ref);
	o->resume_s = rel(r->t_resume, t_ref);
	o->end_s = rel(r->t_end, t_ref);
	o->postcopy_s = rel(r->t_postcopy, t_ref);
	o->observed_downtime_s = r->t_pause && r->t_resume && r->t_resume > r->t_pause
					 ? (double)(r->t_resume - r->t_pause) / 1e9 : NAN;
	free(o->iteration_events_s);
	o->iteration_events_s = mb_xcalloc((size_t)r->n_iter_events + 1, sizeof(double));
	o->n_iteration_events = r->n_iter_events;
	for (int i = 0; i < r->n_iter_events; i++)
		o->iteration_events_s[i] = (double)(r->iteration_ns[i] - t_ref) / 1e9;
	res_set(&o->stats_from, r->completed_from ? r->completed_from : "none");
	o->timed_out = r->timed_out;
	o->aborted = r->aborted;
	res_set(&o->guest_state_target, r->dst_state);
	res_set(&o->guest_state_source, r->src_state);
	progress_record(r, t_ref, o);
}
