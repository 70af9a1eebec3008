/* cmdline.c - controller side: the guest kernel command line of a scenario
 * (the keys are documented in workloads/README.md).  Values are written in
 * base units (ns, bytes, bytes/s) so nothing is rounded on the way. */
#include "workloads/cmdline.h"

#include <stdio.h>
#include <string.h>

static const char *const names[] = { "cpuadd", "seqread", "memdirty", "idle" };
static const char *const units[] = { "add", "B", "B", "beat" };

const char *wl_unit(int workload)
{
	return workload >= 0 && workload < 4 ? units[workload] : "?";
}

int wl_guest_cmdline(const struct mb_config *c, char *buf, size_t len)
{
	int n;
	if (c->workload < 0 || c->workload > 3)
		return mb_err(MB_EINTERNAL, "unknown workload %d", c->workload);
	n = snprintf(buf, len,
		     "console=ttyS0,115200 quiet migbench.wl=%s migbench.interval=%lldns"
		     " migbench.round=%lld migbench.dev=/dev/vda migbench.block=%llu"
		     " migbench.size=%llu migbench.offset=%llu migbench.direct=%d"
		     " migbench.wss=%llu migbench.rate=%.0f%s%s",
		     names[c->workload], (long long)c->interval_ns, (long long)c->cpuadd_round,
		     (unsigned long long)c->seqread_block, (unsigned long long)c->seqread_size,
		     (unsigned long long)c->seqread_offset, c->seqread_direct ? 1 : 0,
		     (unsigned long long)c->memdirty_size, c->memdirty_rate,
		     c->guest_args && c->guest_args[0] ? " " : "", c->guest_args ? c->guest_args : "");
	if (n < 0 || (size_t)n >= len)
		return mb_err(MB_EINPUT, "the guest kernel command line is longer than %zu bytes "
					 "(guest_args too long?)",
			      len - 1);
	return MB_OK;
}
