/* cmdline.c - controller side: the workload kinds' names and the guest
 * kernel command line of a scenario (the keys are documented in
 * workloads/README.md).  Values are written in base units (ns, bytes,
 * bytes/s) so nothing is rounded on the way. */
#include "workloads/cmdline.h"

#include <stdio.h>
#include <string.h>

#include "core/util.h"

MB_ENUM_IMPL(wl_kind, WL_KIND_LAST, "cpuadd", "seqread", "memdirty", "idle");

static const char *const units[] = { "add", "B", "B", "beat" };
_Static_assert(MB_ARRAY_SIZE(units) == WL_KIND_LAST, "one unit per workload kind");

const char *wl_unit(int workload)
{
	return workload >= 0 && workload < WL_KIND_LAST ? units[workload] : "?";
}

int wl_cmdline(const struct wl_params *p, char *buf, size_t len)
{
	bool extra = p->guest_args && p->guest_args[0];
	int n;
	if (p->kind < 0 || p->kind >= WL_KIND_LAST)
		return mb_err(MB_EINTERNAL, "unknown workload %d", p->kind);
	n = snprintf(buf, len,
		     "console=ttyS0,115200 quiet migbench.wl=%s migbench.interval=%lldns"
		     " migbench.round=%lld migbench.dev=/dev/vda migbench.block=%llu"
		     " migbench.size=%llu migbench.offset=%llu migbench.direct=%d"
		     " migbench.wss=%llu migbench.rate=%.0f%s%s",
		     wl_kind_to_string(p->kind), (long long)p->interval_ns, (long long)p->cpuadd_round,
		     (unsigned long long)p->seqread_block, (unsigned long long)p->seqread_size,
		     (unsigned long long)p->seqread_offset, p->seqread_direct ? 1 : 0,
		     (unsigned long long)p->memdirty_size, p->memdirty_rate, extra ? " " : "",
		     extra ? p->guest_args : "");
	if (n < 0 || (size_t)n >= len)
		return mb_err(MB_EINPUT, "the guest kernel command line is longer than %zu bytes "
					 "(guest_args too long?)",
			      len - 1);
	return MB_OK;
}
