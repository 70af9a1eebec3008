/* cmdline.c - controller side: the workload kinds' names and the guest
 * kernel command line of a scenario (the keys are documented in
 * workloads/README.md).  Values are written in base units (ns, bytes,
 * bytes/s) so nothing is rounded on the way. */
#include "workloads/cmdline.h"

#include <stdio.h>
#include <string.h>

#include "core/util.h"

MB_ENUM_IMPL(wl_kind, WL_KIND_LAST, "cpuadd", "seqread", "memdirty", "idle", "netstream");
MB_ENUM_IMPL(resident_pattern, RESIDENT_PATTERN_LAST, "random", "same", "zero");

static const char *const units[] = { "add", "B", "B", "beat", "B" };
_Static_assert(MB_ARRAY_SIZE(units) == WL_KIND_LAST, "one unit per workload kind");

const char *wl_unit(int workload)
{
	return workload >= 0 && workload < WL_KIND_LAST ? units[workload] : "?";
}

bool wl_needs_nic(int workload)
{
	return workload == WL_NETSTREAM;
}

uint64_t wl_resident_bytes(double resident, uint64_t memory)
{
	double b = resident <= 1 ? resident * (double)memory : resident;
	uint64_t u = b > 0 ? (uint64_t)b : 0;
	return u - u % 4096;
}

uint64_t wl_resident_reserve(uint64_t memory)
{
	return ((uint64_t)WL_RESIDENT_RESERVE_MIB << 20) + memory / 8;
}

int wl_cmdline(const struct wl_params *p, char *buf, size_t len)
{
	bool extra = p->guest_args && p->guest_args[0];
	char res[96] = "", net[128] = "";
	int n;
	if (p->kind < 0 || p->kind >= WL_KIND_LAST)
		return mb_err(MB_EINTERNAL, "unknown workload %d", p->kind);
	/* Only when asked for: an older guest image does not know the words. */
	if (p->resident)
		snprintf(res, sizeof(res), " migbench.resident=%llu migbench.resident_pattern=%s",
			 (unsigned long long)p->resident, resident_pattern_to_string(p->resident_pattern));
	if (p->net_addr) {
		int k = snprintf(net, sizeof(net), " migbench.ip=%s", p->net_addr);
		if (p->net_sink && k > 0 && (size_t)k < sizeof(net))
			k += snprintf(net + k, sizeof(net) - (size_t)k, " migbench.sink=%s", p->net_sink);
		if (p->echo_port && k > 0 && (size_t)k < sizeof(net))
			snprintf(net + k, sizeof(net) - (size_t)k, " migbench.echo=%d", p->echo_port);
	}
	n = snprintf(buf, len,
		     "console=ttyS0,115200 quiet migbench.wl=%s migbench.interval=%lldns"
		     " migbench.round=%lld migbench.dev=/dev/vda migbench.block=%llu"
		     " migbench.size=%llu migbench.offset=%llu migbench.direct=%d%s"
		     " migbench.wss=%llu migbench.rate=%.0f%s%s%s",
		     wl_kind_to_string(p->kind), (long long)p->interval_ns, (long long)p->cpuadd_round,
		     (unsigned long long)p->seqread_block, (unsigned long long)p->seqread_size,
		     (unsigned long long)p->seqread_offset, p->seqread_direct ? 1 : 0, res,
		     (unsigned long long)p->memdirty_size, p->memdirty_rate, net, extra ? " " : "",
		     extra ? p->guest_args : "");
	if (n < 0 || (size_t)n >= len)
		return mb_err(MB_EINPUT, "the guest kernel command line is longer than %zu bytes "
					 "(guest_args too long?)",
			      len - 1);
	return MB_OK;
}
