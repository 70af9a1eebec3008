/* netwl.c - the scenario's guest network (see netwl.h).  The sink and the
 * probe run in both sites at the lab's guest network address: the guest
 * reaches the same address wherever it runs.  netstream's TCP connection
 * does not survive the move (the destination's sink never saw it and
 * resets it; the guest reconnects at once), its bytes count on. */
#include "run/netwl.h"

#include <math.h>

#include "core/util.h"
#include "lab/lab.h"
#include "workloads/cmdline.h"

void netwl_guest_spec(const struct mb_config *c, struct guest_spec *spec)
{
	if (!c->nic)
		return;
	spec->nic_bridge = LAB_GNET_BRIDGE;
	spec->nic_mac = LAB_GNET_GUEST_MAC;
}

int netwl_start(struct netprobe *np, const struct testbed *tb, const struct mb_config *c)
{
	struct np_params p = { .host_addr = LAB_GNET_HOST_ADDR, .guest_addr = LAB_GNET_GUEST_ADDR,
			       .echo_port = LAB_GNET_ECHO_PORT, .interval_ns = NETWL_ECHO_INTERVAL_NS };
	bool sink = c->nic && wl_needs_nic(c->workload), echo = c->nic && c->echo_probe;
	if (!sink && !echo)
		return MB_OK;
	if (tb->kind != TB_LAB)
		return mb_err(MB_EUNSUPP, "nic = yes (netstream's sink, the echo probe) is only "
					  "supported in the lab, not on real hosts");
	p.netns[0] = tb->host[0].netns;
	p.netns[1] = tb->host[1].netns;
	p.sink_port = sink ? LAB_GNET_SINK_PORT : 0;
	p.probe_port = echo ? LAB_GNET_PROBE_PORT : 0;
	return np_start(np, &p);
}

static double rel(int64_t t, int64_t t_ref)
{
	return (double)(t - t_ref) / 1e9;
}

void netwl_record(struct netprobe *np, const struct mb_config *c, int src, int64_t t_ref,
		  int64_t from, int64_t to, struct res_scenario *rec)
{
	struct res_network *o = &rec->network;
	struct np_summary sm;
	if (!c->nic)
		return;
	src = src ? 1 : 0;
	rec->has_network = true;
	res_set(&o->bridge, LAB_GNET_BRIDGE);
	res_set(&o->guest_addr, LAB_GNET_GUEST_ADDR);
	res_set(&o->host_addr, LAB_GNET_HOST_ADDR);
	if (!np->running)
		return;
	np_summarize(np, from, to, &sm);
	if (np->p.sink_port) {
		o->has_sink = true;
		o->sink_bytes_source = sm.sink_bytes[src];
		o->sink_bytes_destination = sm.sink_bytes[!src];
		o->sink_connections_source = sm.sink_conns[src];
		o->sink_connections_destination = sm.sink_conns[!src];
	}
	if (!np->p.probe_port)
		return;
	o->has_echo = true;
	o->echo.interval_s = (double)np->p.interval_ns / 1e9;
	o->echo.window_start_s = rel(from, t_ref);
	o->echo.window_end_s = rel(to, t_ref);
	o->echo.requests = sm.requests;
	o->echo.replies = sm.replies;
	o->echo.replies_source = sm.replies_site[src];
	o->echo.replies_destination = sm.replies_site[!src];
	o->echo.answered = sm.answered;
	o->echo.lost = sm.requests > sm.answered ? sm.requests - sm.answered : 0;
	o->echo.service_downtime_s = sm.gap_s;
	o->echo.gap_start_s = rel(sm.gap_start_ns, t_ref);
	o->echo.recovered = sm.recovered;
	o->echo.rtt_median_s = sm.rtt_median_s;
	o->echo.rtt_max_s = sm.rtt_max_s;
	rec->has_service = true;
	rec->service_downtime_s = sm.gap_s;
}
