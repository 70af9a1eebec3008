/* dirtyrate.c - a guest's dirty rate and resident memory through libvirt
 * (see dirtyrate.h). */
#include "migrate/dirtyrate.h"

#include <stdio.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "core/util.h"
#include "migrate/virt.h"

#define POLL_NS (100 * 1000000LL)
/* How long past the period QEMU may take to report (it hashes the sample twice). */
#define GRACE_NS (10 * MB_NSEC_PER_SEC)

/* The dirty-rate statistics of dom: MB_OK, or MB_EFAILED. */
static int read_stats(virDomainPtr dom, int *status, long long *mib_s, int *period, char *mode,
		      size_t modelen)
{
	virDomainPtr doms[] = { dom, NULL };
	virDomainStatsRecordPtr *recs = NULL;
	const char *m = NULL;
	int n = virDomainListGetStats(doms, VIR_DOMAIN_STATS_DIRTYRATE, &recs, 0);
	if (n < 1) {
		if (recs)
			virDomainStatsRecordListFree(recs);
		return mb_err(MB_EFAILED, "reading the dirty rate: %s", n < 0 ? virt_errmsg() : "no record");
	}
	*status = -1;
	*mib_s = -1;
	*period = 0;
	virTypedParamsGetInt(recs[0]->params, recs[0]->nparams, "dirtyrate.calc_status", status);
	virTypedParamsGetLLong(recs[0]->params, recs[0]->nparams, "dirtyrate.megabytes_per_second", mib_s);
	virTypedParamsGetInt(recs[0]->params, recs[0]->nparams, "dirtyrate.calc_period", period);
	if (virTypedParamsGetString(recs[0]->params, recs[0]->nparams, "dirtyrate.calc_mode", &m) > 0 && m)
		snprintf(mode, modelen, "%s", m);
	virDomainStatsRecordListFree(recs);
	return MB_OK;
}

static bool unsupported(void)
{
	virErrorPtr e = virGetLastError();
	return e && (e->code == VIR_ERR_NO_SUPPORT || e->code == VIR_ERR_OPERATION_UNSUPPORTED ||
		     e->code == VIR_ERR_ARGUMENT_UNSUPPORTED || e->code == VIR_ERR_OPERATION_INVALID);
}

int mig_dirty_rate(virConnectPtr conn, virDomainPtr dom, const char *host, int seconds,
		   volatile int *stop, struct mig_dirty *out)
{
	unsigned long lib = 0, qemu = 0;
	int64_t t0 = mb_mono_ns(), deadline = t0 + (int64_t)seconds * MB_NSEC_PER_SEC + GRACE_NS;
	int rc = MB_OK;

	memset(out, 0, sizeof(*out));
	if (virConnectGetLibVersion(conn, &lib) == 0 && lib < 7002000)
		return mb_err(MB_EUNSUPP, "libvirt %lu.%lu on %s has no dirty-rate calculation "
					  "(virDomainStartDirtyRateCalc needs 7.2)",
			      lib / 1000000, lib / 1000 % 1000, host);
	if (virConnectGetVersion(conn, &qemu) == 0 && qemu < 5002000)
		return mb_err(MB_EUNSUPP, "QEMU %lu.%lu on %s has no calc-dirty-rate (needs 5.2)",
			      qemu / 1000000, qemu / 1000 % 1000, host);
	if (virDomainStartDirtyRateCalc(dom, seconds, 0) < 0) {
		rc = mb_err(unsupported() ? MB_EUNSUPP : MB_EFAILED, "starting the dirty-rate calculation on %s: %s",
			    host, virt_errmsg());
		goto out;
	}
	/* The start resets QEMU's state (to unstarted or measuring): the
	 * first "measured" seen is this calculation's. */
	for (;;) {
		int status, period;
		long long mib_s;
		mb_sleep_ns(POLL_NS);
		if (stop && *stop) {
			rc = mb_err(MB_EINTR, "interrupted");
			break;
		}
		rc = read_stats(dom, &status, &mib_s, &period, out->mode, sizeof(out->mode));
		if (rc)
			break;
		if (status == VIR_DOMAIN_DIRTYRATE_MEASURED && mib_s >= 0) {
			out->bytes_per_s = (double)mib_s * 1048576.0;
			out->calc_s = period > 0 ? period : seconds;
			break;
		}
		if (mb_mono_ns() > deadline) {
			rc = mb_err(MB_EFAILED, "the dirty rate of the guest on %s was not measured within %d s "
						"(status %d)", host, seconds + (int)(GRACE_NS / MB_NSEC_PER_SEC), status);
			break;
		}
	}
out:
	out->took_s = (double)(mb_mono_ns() - t0) / 1e9;
	return rc;
}

int mig_guest_rss(virDomainPtr dom, uint64_t *bytes)
{
	virDomainMemoryStatStruct st[VIR_DOMAIN_MEMORY_STAT_NR];
	int n = virDomainMemoryStats(dom, st, VIR_DOMAIN_MEMORY_STAT_NR, 0);
	for (int i = 0; i < n; i++)
		if (st[i].tag == VIR_DOMAIN_MEMORY_STAT_RSS) {
			*bytes = (uint64_t)st[i].val * 1024;
			return MB_OK;
		}
	return mb_err(MB_EUNSUPP, "no resident memory figure for the guest%s%s", n < 0 ? ": " : "",
		      n < 0 ? virt_errmsg() : "");
}
