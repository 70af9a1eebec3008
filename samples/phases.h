/* phases.h - the guest's throughput before, during and after a migration,
 * from its cumulative counter as received by the controller.
 *
 * Time is host time at receipt (CLOCK_MONOTONIC): under TCG the guest's
 * clock stops while the VM is paused, so only the host can see the pause.
 * The counter is cumulative, so the work done between two instants is the
 * difference of the counter interpolated at both, whatever lines were lost
 * in between (a lost line costs resolution, never totals).
 */
#ifndef MB_PHASES_H
#define MB_PHASES_H

#include <stddef.h>
#include <stdint.h>

struct obs {
	int64_t host_ns;   /* CLOCK_MONOTONIC at receipt */
	uint64_t seq;      /* the guest's sequence number */
	uint64_t guest_ns; /* the guest's clock */
	uint64_t count;    /* cumulative counter */
	int site;          /* console it came through: 0 source, 1 destination */
	uint64_t events;   /* event lines received since the sample before (they share seq) */
};

struct obs_log {
	struct obs *v;
	size_t n, cap;
};

void obs_push(struct obs_log *l, const struct obs *o);
void obs_free(struct obs_log *l);

struct phase_stats {
	double start_s, end_s; /* window, seconds relative to the reference time */
	double rate;           /* counter units per second over the window (NaN: no data) */
	double stddev;         /* of the per-interval rates inside the window (NaN if < 2) */
	int n;                 /* samples received inside the window */
};

struct phases {
	struct phase_stats before, during, after;
	/* during without the stop-and-copy pause: from the start to the last
	 * sample before the guest paused (NaN rate when the pause was not seen) */
	struct phase_stats running;
	double ratio_during;   /* during.rate / before.rate (the study's relative performance) */
	double ratio_after;
	double ratio_running;  /* running.rate / before.rate */
	double gap_s;          /* longest host-time gap between consecutive samples in before..after */
	double gap_start_s;    /* when that gap began (relative) */
	double guest_gap_s;    /* the same gap measured by the guest's clock */
	uint64_t received;     /* samples in before..after */
	uint64_t lost;         /* sequence numbers missing in before..after */
	uint64_t out_of_order; /* samples whose count went backwards (dropped) */
};

/* Counter at host time t, interpolated linearly between the samples around
 * it; NaN if t is outside the samples. */
double phases_count_at(const struct obs *v, size_t n, int64_t t);

/* Compute the phases.  before = [t_before, t_start), during = [t_start,
 * t_resume), after = [t_resume, t_after).  Times relative to t_ref in the
 * output.  Samples must be in receipt order. */
void phases_compute(const struct obs *v, size_t n, int64_t t_ref, int64_t t_before,
		    int64_t t_start, int64_t t_resume, int64_t t_after, struct phases *out);

/* The during window without the pause: [t_start, last sample before
 * t_pause].  Not interpolated across the pause (that would count the
 * pause as progress).  t_pause 0 (not seen): running.rate NaN. */
void phases_running(const struct obs *v, size_t n, int64_t t_ref, int64_t t_start, int64_t t_pause,
		    struct phases *out);

#endif
