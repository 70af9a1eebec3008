/* netwl.h - a scenario's guest network (nic = yes): the NIC in the guest's
 * domain, netstream's sink and the echo probe on the host side of both
 * sites (link/netprobe.h) while the scenario runs, and what they saw in its
 * record (network, service_downtime_s).  Lab only: the plan refuses nic on
 * real hosts (plan/plan.c), and so does netwl_start. */
#ifndef MB_NETWL_H
#define MB_NETWL_H

#include "link/netprobe.h"
#include "migrate/domain.h"
#include "profile/options.h"
#include "record/result.h"
#include "run/testbed.h"

/* The probe's period (mig_mon's 10 ms). */
#define NETWL_ECHO_INTERVAL_NS (10 * 1000000LL)

/* The NIC of c in spec (nothing without nic). */
void netwl_guest_spec(const struct mb_config *c, struct guest_spec *spec);
/* Start the sink (netstream) and the echo probe (echo_probe) that c asks
 * for; nothing when it asks for neither.  MB_EUNSUPP on real hosts. */
int netwl_start(struct netprobe *np, const struct testbed *tb, const struct mb_config *c) MB_WUR;
/* The record's network section and service downtime over the window
 * [from, to] (host monotonic ns), times relative to t_ref; src is the
 * migration's source site (0 or 1: pingpong goes both ways). */
void netwl_record(struct netprobe *np, const struct mb_config *c, int src, int64_t t_ref,
		  int64_t from, int64_t to, struct res_scenario *rec);

#endif
