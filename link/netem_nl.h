/* netem_nl.h - the netem backend's message construction, exposed for the
 * unit tests (netlink messages are checked without a kernel). */
#ifndef MB_NETEM_NL_H
#define MB_NETEM_NL_H

#include <netlink/route/qdisc.h>

#include "link/link.h"

#define NETEM_MAJOR 0x4d42 /* "MB": the root netem qdisc is 4d42: */
#define TBF_MAJOR 0x4d43   /* its tbf child, for a rate cap */

/* The netem queue limit in packets: twice the BDP at the rate (10 Gbit/s
 * when uncapped) for one direction, at least netem's 1000, at most 1e6. */
uint32_t netem_limit_for(const struct link_params *p, int64_t one_way_ns);

/* The qdisc objects for one end: netem (root, 4d42:) and, with a rate
 * cap, tbf (parent 4d42:1, handle 4d43:); *tbf is NULL without one. */
int netem_build(const struct link_params *p, int ifindex, int64_t one_way_ns,
		struct rtnl_qdisc **netem, struct rtnl_qdisc **tbf) MB_WUR;

#endif
