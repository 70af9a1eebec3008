/* migrate.h - one live migration through libvirt (virDomainMigrateToURI3,
 * LIVE | PEER2PEER) with a scenario's pre-copy settings, watched while it
 * runs: job statistics polled every 100 ms, iteration and lifecycle events
 * for the phase boundaries, the timeout, the post-copy switch. */
#ifndef MB_MIGRATE_H
#define MB_MIGRATE_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>
#include <libvirt/libvirt.h>

#include "core/enum.h"
#include "core/err.h"
#include "migrate/console.h"
#include "record/result.h"

#define MIG_POLL_NS (100 * 1000000LL)

/* The compression key: mt = QEMU's legacy multi-threaded zlib, zlib and
 * zstd = multifd compression. */
enum compression { COMP_NONE, COMP_MT, COMP_ZLIB, COMP_ZSTD, COMPRESSION_LAST };
MB_ENUM_DECL(compression);

/* One poll of the running job (source side). */
struct mig_poll {
	int64_t t_ns;          /* host CLOCK_MONOTONIC */
	double elapsed_s;      /* libvirt's time elapsed */
	uint64_t mem_total, mem_processed, mem_remaining;
	uint64_t data_remaining;
	uint64_t data_processed; /* everything sent so far */
	uint64_t dirty_rate;   /* pages/s as QEMU reports it */
	uint64_t mem_bps;      /* bytes/s */
	uint64_t iteration;
	int throttle;          /* auto-converge CPU throttle, percent; -1: not reported */
	uint64_t page_size;
};

struct mig_endpoint {
	const char *name;      /* host name for messages */
	virConnectPtr conn;    /* controller's connection */
	const char *p2p_uri;   /* how the other host reaches this one (dconnuri) */
	const char *addr;      /* migration stream address when this is the target */
	int index;             /* 0 or 1: for console site numbers */
};

/* What the migration takes from a scenario (mig_params_from_config). */
struct mig_params {
	int64_t max_downtime_ns;
	double bandwidth;              /* bytes/s, 0 = unlimited */
	bool auto_converge;
	int64_t auto_converge_initial; /* percent */
	int64_t auto_converge_increment;
	bool xbzrle;
	uint64_t xbzrle_cache;         /* bytes */
	int compression;               /* enum compression */
	int64_t multifd;               /* parallel connections, 0 = off */
	int64_t postcopy_after;        /* switch to post-copy after N iterations, 0 = never */
	int64_t timeout_ns;            /* abort the job after this long */
};

/* The measurements of one migration; the reason of a failure is the
 * thread's error (mb_errmsg) when mig_run returns. */
struct mig_result {
	bool ok;
	bool timed_out, interrupted, aborted;
	int outcome;              /* enum res_outcome, or -1: no outcome (the testbed failed) */
	int call_error;           /* libvirt's error number when the call failed, else 0 */
	int64_t t_start, t_pause, t_resume, t_end; /* host times; 0 = not seen */
	/* From the completed job's statistics: NaN when not reported (a job
	 * that did not complete has none). */
	double total_s, downtime_s, setup_s;
	double bytes;             /* data processed */
	double mem_total, mem_transferred, mem_zero_pages, mem_normal_pages;
	double iterations;
	double bandwidth_bps;     /* average bytes/s over the job */
	double final_throttle;
	double xbzrle_cache_misses, xbzrle_overflow, xbzrle_bytes;
	bool postcopy_started;
	int64_t t_postcopy;
	int64_t iteration_ns[64]; /* host time of each iteration event */
	int n_iter_events;
	struct mig_poll *polls;
	size_t npolls;
	const char *completed_from; /* "event", "destination", "source-poll" */
	char dst_state[16];       /* the guest's state on the target afterwards */
	char src_state[16];       /* ... and on the source */
};

/* Reject settings the hosts cannot do: MB_EUNSUPP, the reason in mb_errmsg. */
int mig_check_support(const struct mig_params *p, virConnectPtr src, virConnectPtr dst,
		      const char *srcname) MB_WUR;

/* Progress callback for the live line: percent done, bytes remaining. */
typedef void (*mig_progress_fn)(void *ctx, const struct mig_poll *p);

/* Migrate dom from `from` to `to`.  Opens the guest console on the target
 * as soon as it resumes (con may be NULL).  *stop is polled: set it to
 * abort (SIGINT).  Fills res; returns MB_OK when the guest runs on the
 * target (res->outcome RES_CONVERGED), MB_EFAILED (mb_errmsg says why)
 * otherwise, MB_EINTR if stopped.  A failure that is a result of the
 * system under test (did not converge, aborted by the hypervisor, refused
 * by the destination; the guest still runs on the source) has
 * res->outcome set to it; a testbed failure has -1 (mig_classify). */
int mig_run(const struct mig_params *p, virDomainPtr dom, const struct mig_endpoint *from,
	    const struct mig_endpoint *to, struct console *con, volatile int *stop,
	    mig_progress_fn progress, void *pctx, struct mig_result *res) MB_WUR;

/* Seconds without data moving before the timeout that make a timed-out
 * migration a stall (the link or a host broke), not a non-convergence. */
#define MIG_STALL_S 3.0
/* What a migration that did not complete was, from what was seen (the
 * polls, the flags, the guest's states, call_error): RES_NOT_CONVERGED,
 * RES_ABORTED, RES_REFUSED, or -1 when the testbed failed (a host
 * unreachable, the guest not running on the source alone, the transfer
 * stalled, an error of the connection). */
int mig_classify(const struct mig_result *res);
/* The outcome in words from the last poll ("did not converge within 40 s:
 * iteration 45, 23.0 MiB still to send, the guest dirtied 64.1 MiB/s
 * while 64.0 MiB/s were sent"); NULL when converged.  Free it. */
char *mig_outcome_why(const struct mig_result *res, const char *error);

void mig_result_free(struct mig_result *res);
/* The job-stats time series as CSV (free it). */
char *mig_polls_csv(const struct mig_result *res, int64_t t_ref);
/* The record's migration figures, times relative to t_ref (out is freed
 * with the record: res_scenario_free). */
void mig_result_record(const struct mig_result *res, int64_t t_ref, struct res_migration *out);

#endif
