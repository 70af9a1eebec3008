/* nl_apply.c - benchmark: installing a qdisc through libnl-route-3 (what
 * migbench does) vs running `tc` for it (what it avoids), N times each on
 * one interface, alternating.  This kernel may lack sch_netem, so both
 * install the same tbf qdisc (the rate-cap half of migbench's shaping).
 * Prints the median of each with its 10th-90th percentile range and the
 * ratio of the medians.
 *   nl_apply IFNAME N        (run inside the interface's namespace) */
#define _GNU_SOURCE
#include <net/if.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

#include <netlink/netlink.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/tbf.h>
#include <netlink/route/tc.h>

extern char **environ;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Sort v and return its q-quantile (nearest rank). */
static double quantile(double *v, int n, double q)
{
	int k = (int)(q * (n - 1) + 0.5);
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[k];
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *ifname = argc > 1 ? argv[1] : "veth0";
	int n = argc > 2 ? atoi(argv[2]) : 200, ifindex = (int)if_nametoindex(ifname);
	struct nl_sock *sk = nl_socket_alloc();
	double *t_nl, *t_tc, m_nl, m_tc;
	if (n < 1) {
		fprintf(stderr, "nl_apply: N must be at least 1\n");
		return 2;
	}
	t_nl = calloc((size_t)n, sizeof(*t_nl));
	t_tc = calloc((size_t)n, sizeof(*t_tc));
	if (!t_nl || !t_tc || !ifindex || !sk || nl_connect(sk, NETLINK_ROUTE) < 0) {
		fprintf(stderr, "nl_apply: no interface %s or no netlink\n", ifname);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		struct rtnl_qdisc *q = rtnl_qdisc_alloc();
		char rate[32];
		char *targv[] = { "tc", "qdisc", "replace", "dev", (char *)ifname, "root", "handle", "4d43:",
				  "tbf", "rate", rate, "burst", "64kb", "latency", "100ms", NULL };
		pid_t pid;
		int st;
		double t0;
		rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
		rtnl_tc_set_parent(TC_CAST(q), TC_H_ROOT);
		rtnl_tc_set_handle(TC_CAST(q), TC_HANDLE(0x4d43, 0));
		rtnl_tc_set_kind(TC_CAST(q), "tbf");
		rtnl_qdisc_tbf_set_rate(q, 12500000 + i, 65536, 0);
		rtnl_qdisc_tbf_set_limit_by_latency(q, 100000);
		t0 = now();
		if (rtnl_qdisc_add(sk, q, NLM_F_CREATE | NLM_F_REPLACE) < 0) {
			fprintf(stderr, "nl_apply: libnl could not add tbf\n");
			return 1;
		}
		t_nl[i] = now() - t0;
		rtnl_qdisc_put(q);
		snprintf(rate, sizeof(rate), "%dbit", (12500000 + i) * 8);
		t0 = now();
		if (posix_spawnp(&pid, "tc", NULL, NULL, targv, environ) != 0 || waitpid(pid, &st, 0) < 0 ||
		    !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "nl_apply: tc failed\n");
			return 1;
		}
		t_tc[i] = now() - t0;
	}
	m_nl = quantile(t_nl, n, 0.5);
	m_tc = quantile(t_tc, n, 0.5);
	printf("apply a qdisc, median of %d each, alternating: libnl %.0f us (p10-p90 %.0f..%.0f), "
	       "tc subprocess %.0f us (p10-p90 %.0f..%.0f): tc takes %.1fx as long\n",
	       n, m_nl * 1e6, quantile(t_nl, n, 0.1) * 1e6, quantile(t_nl, n, 0.9) * 1e6, m_tc * 1e6,
	       quantile(t_tc, n, 0.1) * 1e6, quantile(t_tc, n, 0.9) * 1e6, m_tc / m_nl);
	free(t_nl);
	free(t_tc);
	nl_socket_free(sk);
	return 0;
}
