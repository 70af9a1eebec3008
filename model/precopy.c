/* precopy.c - the pre-copy rounds model (see precopy.h). */
#include "model/precopy.h"

#include <math.h>

#include "core/err.h"

const char *precopy_outcome_name(enum precopy_outcome o)
{
	return o == PRECOPY_CONVERGED ? "converged" : "not_converged";
}

double precopy_bandwidth(double probe, double cap, enum precopy_bw_source *src)
{
	bool has_probe = isfinite(probe) && probe > 0, has_cap = isfinite(cap) && cap > 0;
	*src = PRECOPY_BW_NONE;
	if (has_cap && (!has_probe || cap <= probe)) {
		*src = PRECOPY_BW_CAP;
		return cap;
	}
	if (has_probe) {
		*src = PRECOPY_BW_PROBE;
		return probe;
	}
	return NAN;
}

const char *precopy_bw_source_name(enum precopy_bw_source s)
{
	return s == PRECOPY_BW_PROBE ? "probe" : s == PRECOPY_BW_CAP ? "cap" : "none";
}

static int check(double v, const char *name, bool positive)
{
	if (!isfinite(v) || v < 0 || (positive && v == 0))
		return mb_err(MB_EINPUT, "pre-copy model: %s is %g, not a %s number", name, v,
			      positive ? "positive" : "non-negative");
	return MB_OK;
}

int precopy_predict(const struct precopy_in *in, struct precopy_out *out)
{
	double m = in->memory_bytes, d = in->dirty_bytes_per_s, b = in->bandwidth_bytes_per_s;
	double threshold = b * in->max_downtime_s, elapsed = 0, v = m;
	int rc = check(m, "the memory to send", true);
	if (!rc)
		rc = check(d, "the dirty rate", false);
	if (!rc)
		rc = check(b, "the bandwidth", true);
	if (!rc)
		rc = check(in->max_downtime_s, "max_downtime", false);
	if (!rc)
		rc = check(in->timeout_s, "the timeout", true);
	if (rc)
		return rc;
	*out = (struct precopy_out){ .outcome = PRECOPY_NOT_CONVERGED, .downtime_s = NAN };
	while (out->rounds < PRECOPY_MAX_ROUNDS) {
		double t = v / b, next;
		if (elapsed + t > in->timeout_s)
			break;
		elapsed += t;
		out->bytes += v;
		out->rounds++;
		/* What the guest dirtied meanwhile (distinct pages: at most M). */
		next = fmin(d * t, m);
		if (next == 0 || next < threshold) {
			out->outcome = PRECOPY_CONVERGED;
			out->downtime_s = next / b;
			out->transfer_s = elapsed + out->downtime_s;
			out->bytes += next;
			/* Syncs: one before round 0, one after each round, the last one paused. */
			out->iterations = out->rounds + 2;
			return MB_OK;
		}
		v = next;
	}
	/* Sending without pause until the job is aborted. */
	out->transfer_s = in->timeout_s;
	out->bytes = b * in->timeout_s;
	out->iterations = out->rounds + 1;
	return MB_OK;
}
