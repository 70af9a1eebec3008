/* precopy.h - the pre-copy rounds model of a live migration: pure
 * arithmetic, no libvirt, so it can be checked by hand.
 *
 *   round 0 sends the guest's non-zero memory M;
 *   round i+1 sends what the guest dirtied during round i:
 *       V(i+1) = min(D * t(i), M),   t(i) = V(i) / B;
 *   after each round QEMU checks what is left against the switchover
 *   threshold B * max_downtime: when V(i+1) fits, the guest is paused and
 *   V(i+1) is sent (the downtime, V(i+1) / B);
 *   when it never fits (D >= B with V(1) above the threshold), the
 *   migration does not converge and is aborted at the timeout.
 *
 * D is the dirty rate (bytes/s), B the bandwidth (bytes/s; the smaller of
 * the probed link throughput and the migration bandwidth cap).  The model
 * ignores the setup before the stream starts, the device state sent while
 * paused, the page headers and zero pages (sent as markers), and any
 * throttling, compression or post-copy.  Its time is QEMU's transfer time:
 * from the first page sent to the guest resuming on the destination. */
#ifndef MB_PRECOPY_H
#define MB_PRECOPY_H

#include <stdbool.h>
#include <stdint.h>

/* Rounds the model follows before it calls a migration not converging. */
#define PRECOPY_MAX_ROUNDS 100000

struct precopy_in {
	double memory_bytes;       /* M: what round 0 sends */
	double dirty_bytes_per_s;  /* D */
	double bandwidth_bytes_per_s; /* B */
	double max_downtime_s;
	double timeout_s;          /* the job is aborted after this long */
};

enum precopy_outcome { PRECOPY_CONVERGED, PRECOPY_NOT_CONVERGED };

struct precopy_out {
	enum precopy_outcome outcome;
	double transfer_s;         /* first page to resume; the timeout when not converging */
	double downtime_s;         /* the last round sent while paused; NaN when not converging */
	double bytes;              /* every round, the paused one included (until the timeout) */
	uint64_t rounds;           /* rounds sent while the guest ran */
	uint64_t iterations;       /* QEMU's count of dirty-bitmap syncs: rounds + 2 */
};

/* MB_OK and *out, or MB_EINPUT when an input is negative or not finite, or
 * M or B is not positive (the message names the input). */
int precopy_predict(const struct precopy_in *in, struct precopy_out *out);

const char *precopy_outcome_name(enum precopy_outcome o); /* "converged", "not_converged" */

/* Where B comes from: the smaller of the probed link throughput and the
 * migration bandwidth cap, either unknown (NaN) or 0 (no cap, no probe). */
enum precopy_bw_source { PRECOPY_BW_NONE, PRECOPY_BW_PROBE, PRECOPY_BW_CAP };
double precopy_bandwidth(double probe_bytes_per_s, double cap_bytes_per_s, enum precopy_bw_source *src);
const char *precopy_bw_source_name(enum precopy_bw_source s); /* "none", "probe", "cap" */

#endif
