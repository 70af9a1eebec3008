/* netem_nl.c - link shaping with the kernel's netem qdisc, through
 * libnl-route-3 (no tc subprocess).
 *
 * Each end's egress gets a root netem qdisc with handle 4d42: ("MB"), so
 * the configured delay is the round trip (delay/2 per direction; the whole
 * delay on a one-ended real-host link), and, for a rate cap, a tbf child
 * 4d43: under it.  The queue limit (packets) is sized from the
 * bandwidth-delay product: netem's default 1000 packets drops packets at
 * 16-64 ms on fast links.  After installing, the qdisc is read back from
 * the kernel and compared; clear() removes a root qdisc only if it carries
 * our handle, and apply() refuses to replace someone else's.
 */
#define _GNU_SOURCE
#include "link/netem_nl.h"

#include <errno.h>
#include <math.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/netem.h>
#include <netlink/route/qdisc/tbf.h>
#include <netlink/route/tc.h>

#include "core/log.h"
#include "core/util.h"
#include "link/link_int.h"

static const char *const dist_dirs[] = { "/usr/lib/x86_64-linux-gnu/tc", "/usr/lib/tc", "/usr/lib64/tc",
					 "/usr/local/lib/tc", NULL };

uint32_t netem_limit_for(const struct link_params *p, int64_t one_way_ns)
{
	double rate = p->rate > 0 ? p->rate : 1.25e9; /* 10 Gbit/s when uncapped */
	double pkts = 2 * rate * (double)(one_way_ns + p->jitter_ns) / 1e9 / 1500.0;
	if (p->queue)
		pkts = (double)p->queue / 1500.0;
	if (pkts < 1000)
		pkts = 1000;
	if (pkts > 1000000)
		pkts = 1000000;
	return (uint32_t)pkts;
}

int netem_build(const struct link_params *p, int ifindex, int64_t one_way_ns,
		struct rtnl_qdisc **netem, struct rtnl_qdisc **tbf)
{
	struct rtnl_qdisc *q = rtnl_qdisc_alloc();
	int err;
	*netem = *tbf = NULL;
	if (!q)
		return mb_err(MB_EINTERNAL, "out of memory");
	rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
	rtnl_tc_set_parent(TC_CAST(q), TC_H_ROOT);
	rtnl_tc_set_handle(TC_CAST(q), TC_HANDLE(NETEM_MAJOR, 0));
	if ((err = rtnl_tc_set_kind(TC_CAST(q), "netem")) < 0) {
		rtnl_qdisc_put(q);
		return mb_err(MB_EINTERNAL, "libnl does not know netem: %s", nl_geterror(err));
	}
	rtnl_netem_set_delay(q, (int)(one_way_ns / 1000));
	if (p->jitter_ns)
		rtnl_netem_set_jitter(q, (int)(p->jitter_ns / 1000));
	/* netem's loss is a 32-bit probability (UINT32_MAX = always). */
	rtnl_netem_set_loss(q, (int)(uint32_t)llround(p->loss * 4294967295.0));
	rtnl_netem_set_limit(q, (int)netem_limit_for(p, one_way_ns));
	if (p->jitter_ns && p->jitter_dist != DIST_UNIFORM) {
		bool loaded = false;
		const char *dist = jitter_dist_to_string(p->jitter_dist);
		for (int i = 0; dist_dirs[i] && !loaded; i++) {
			char *path = mb_xasprintf("%s/%s.dist", dist_dirs[i], dist);
			if (mb_path_exists(path))
				loaded = rtnl_netem_set_delay_distribution(q, path) == 0;
			free(path);
		}
		if (!loaded) {
			rtnl_qdisc_put(q);
			return mb_err(MB_EUNSUPP, "jitter_dist=%s: no %s.dist table (iproute2 ships them)",
				      dist, dist);
		}
	}
	*netem = q;
	if (p->rate > 0) {
		struct rtnl_qdisc *t = rtnl_qdisc_alloc();
		int bucket = (int)fmax(64 * 1024, p->rate / 100); /* 10 ms of bytes */
		rtnl_tc_set_ifindex(TC_CAST(t), ifindex);
		rtnl_tc_set_parent(TC_CAST(t), TC_HANDLE(NETEM_MAJOR, 1));
		rtnl_tc_set_handle(TC_CAST(t), TC_HANDLE(TBF_MAJOR, 0));
		rtnl_tc_set_kind(TC_CAST(t), "tbf");
		rtnl_qdisc_tbf_set_rate(t, (int)fmin(p->rate, 2147483647.0), bucket, 0);
		rtnl_qdisc_tbf_set_limit_by_latency(t, 100000); /* 100 ms of queue at the rate */
		*tbf = t;
	}
	return MB_OK;
}

struct nl_job {
	const struct link_end *e;
	const struct link_params *p;
	int64_t one_way_ns;
	int what; /* 0 apply, 1 clear, 2 show, 3 probe support */
	struct link_state *st;
	char why[256];
};

static int ifindex_of(const char *ifname)
{
	int i = (int)if_nametoindex(ifname);
	if (!i)
		return mb_err_errno(MB_EINPUT, "no interface %s", ifname);
	return i;
}

static struct rtnl_qdisc *root_of(struct nl_sock *sk, int ifindex, struct nl_cache **cache)
{
	*cache = NULL;
	if (rtnl_qdisc_alloc_cache(sk, cache) < 0)
		return NULL;
	return rtnl_qdisc_get_by_parent(*cache, ifindex, TC_H_ROOT);
}

static bool ours(struct rtnl_qdisc *q)
{
	return q && TC_H_MAJ(rtnl_tc_get_handle(TC_CAST(q))) == TC_HANDLE(NETEM_MAJOR, 0);
}

/* Remove our root qdisc (and so its tbf child) if it is there. */
static int clear_end(struct nl_sock *sk, int ifindex, const char *ifname)
{
	struct nl_cache *cache;
	struct rtnl_qdisc *q = root_of(sk, ifindex, &cache);
	int rc = MB_OK, err;
	if (ours(q) && (err = rtnl_qdisc_delete(sk, q)) < 0)
		rc = mb_err(MB_EINTERNAL, "removing migbench's qdisc from %s: %s", ifname, nl_geterror(err));
	if (q)
		rtnl_qdisc_put(q);
	nl_cache_free(cache);
	return rc;
}

/* Read back and compare what the kernel installed on ifindex. */
static int verify_end(struct nl_sock *sk, int ifindex, const char *ifname, int64_t one_way_ns,
		      const struct link_params *p)
{
	struct nl_cache *cache;
	struct rtnl_qdisc *q = root_of(sk, ifindex, &cache);
	int rc = MB_OK;
	if (!q || !ours(q) || strcmp(rtnl_tc_get_kind(TC_CAST(q)), "netem")) {
		rc = mb_err(MB_EINTERNAL, "after installing netem on %s, the kernel shows %s", ifname,
			    q ? rtnl_tc_get_kind(TC_CAST(q)) : "no root qdisc");
	} else {
		long d = rtnl_netem_get_delay(q), j = p->jitter_ns ? rtnl_netem_get_jitter(q) : 0;
		/* Ticks round: allow 1% or 10 us. */
		if (labs(d - (long)(one_way_ns / 1000)) > 10 + (long)(one_way_ns / 100000) ||
		    labs(j - (long)(p->jitter_ns / 1000)) > 10 + (long)(p->jitter_ns / 100000))
			rc = mb_err(MB_EINTERNAL, "netem on %s reads back delay %ld us jitter %ld us, not %lld/%lld",
				    ifname, d, j, (long long)(one_way_ns / 1000), (long long)(p->jitter_ns / 1000));
		else if ((uint32_t)rtnl_netem_get_loss(q) != (uint32_t)llround(p->loss * 4294967295.0) ||
			 (uint32_t)rtnl_netem_get_limit(q) != netem_limit_for(p, one_way_ns))
			rc = mb_err(MB_EINTERNAL, "netem on %s reads back loss %g%% limit %d, not %g%% %u", ifname,
				    (double)(uint32_t)rtnl_netem_get_loss(q) / 4294967295.0 * 100,
				    rtnl_netem_get_limit(q), p->loss * 100, netem_limit_for(p, one_way_ns));
	}
	if (q)
		rtnl_qdisc_put(q);
	nl_cache_free(cache);
	return rc;
}

static int apply_end(struct nl_sock *sk, struct nl_job *j)
{
	struct rtnl_qdisc *netem, *tbf;
	struct nl_cache *cache;
	struct rtnl_qdisc *cur;
	int ifindex = ifindex_of(j->e->ifname), rc, err;
	if (ifindex < 0)
		return ifindex;
	/* Never replace a qdisc someone else installed. */
	cur = root_of(sk, ifindex, &cache);
	if (cur && !ours(cur) && rtnl_tc_get_handle(TC_CAST(cur)) != 0) {
		rc = mb_err(MB_EINPUT, "%s already has a root qdisc (%s %x:) that migbench did not install; "
				       "remove it or name another interface",
			    j->e->ifname, rtnl_tc_get_kind(TC_CAST(cur)),
			    TC_H_MAJ(rtnl_tc_get_handle(TC_CAST(cur))) >> 16);
		rtnl_qdisc_put(cur);
		nl_cache_free(cache);
		return rc;
	}
	if (cur)
		rtnl_qdisc_put(cur);
	nl_cache_free(cache);
	rc = clear_end(sk, ifindex, j->e->ifname);
	if (rc)
		return rc;
	if (!j->p->delay_ns && !j->p->jitter_ns && j->p->loss <= 0 && j->p->rate <= 0)
		return MB_OK; /* plain link: nothing to install */
	rc = netem_build(j->p, ifindex, j->one_way_ns, &netem, &tbf);
	if (rc)
		return rc;
	err = rtnl_qdisc_add(sk, netem, NLM_F_CREATE | NLM_F_REPLACE);
	if (err == -NLE_OBJ_NOTFOUND || err == -NLE_OPNOTSUPP)
		rc = mb_err(MB_EUNSUPP, "the kernel has no sch_netem (qdisc kind 'netem' unknown: %s)",
			    nl_geterror(err));
	else if (err < 0)
		rc = mb_err(MB_EINTERNAL, "installing netem on %s: %s", j->e->ifname, nl_geterror(err));
	if (!rc && tbf && (err = rtnl_qdisc_add(sk, tbf, NLM_F_CREATE | NLM_F_REPLACE)) < 0)
		rc = mb_err(MB_EINTERNAL, "installing the tbf rate cap on %s: %s", j->e->ifname,
			    nl_geterror(err));
	if (!rc)
		rc = verify_end(sk, ifindex, j->e->ifname, j->one_way_ns, j->p);
	if (rc) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", mb_errmsg());
		if (clear_end(sk, ifindex, j->e->ifname) != MB_OK) /* nothing half-applied */
			mb_warn("%s", mb_errmsg());
		mb_err(rc, "%s", msg);
	}
	rtnl_qdisc_put(netem);
	if (tbf)
		rtnl_qdisc_put(tbf);
	return rc;
}

static int show_end(struct nl_sock *sk, struct nl_job *j)
{
	struct nl_cache *cache;
	int ifindex = ifindex_of(j->e->ifname);
	struct rtnl_qdisc *q;
	if (ifindex < 0)
		return ifindex;
	q = root_of(sk, ifindex, &cache);
	if (ours(q) && !strcmp(rtnl_tc_get_kind(TC_CAST(q)), "netem")) {
		long d = rtnl_netem_get_delay(q), jit = rtnl_netem_get_jitter(q);
		int loss = rtnl_netem_get_loss(q), lim = rtnl_netem_get_limit(q);
		j->st->installed = true;
		j->st->p.delay_ns += d > 0 ? (int64_t)d * 1000 : 0; /* the ends add up to the RTT */
		j->st->p.jitter_ns = jit > 0 ? (int64_t)jit * 1000 : 0;
		j->st->p.loss = loss > 0 || loss < -1 ? (double)(uint32_t)loss / 4294967295.0 : 0;
		j->st->limit = lim > 0 ? (uint64_t)lim : 0;
		/* The rate cap is the tbf child's (the same on both ends). */
		struct rtnl_qdisc *t = rtnl_qdisc_get_by_parent(cache, ifindex, TC_HANDLE(NETEM_MAJOR, 1));
		if (t && !strcmp(rtnl_tc_get_kind(TC_CAST(t)), "tbf"))
			j->st->p.rate = rtnl_qdisc_tbf_get_rate(t) > 0 ? rtnl_qdisc_tbf_get_rate(t) : 0;
		if (t)
			rtnl_qdisc_put(t);
	}
	if (q)
		rtnl_qdisc_put(q);
	nl_cache_free(cache);
	return MB_OK;
}

static int job_fn(void *arg)
{
	struct nl_job *j = arg;
	struct nl_sock *sk = nl_socket_alloc();
	int rc = MB_OK, err;
	if (!sk)
		return mb_err(MB_EINTERNAL, "out of memory");
	if ((err = nl_connect(sk, NETLINK_ROUTE)) < 0) {
		nl_socket_free(sk);
		return mb_err(MB_EINTERNAL, "netlink: %s", nl_geterror(err));
	}
	switch (j->what) {
	case 0: rc = apply_end(sk, j); break;
	case 1: {
		int ifindex = ifindex_of(j->e->ifname);
		rc = ifindex < 0 ? ifindex : clear_end(sk, ifindex, j->e->ifname);
		break;
	}
	case 2: rc = show_end(sk, j); break;
	default: {
		/* Probe: a throwaway namespace's lo, a netem qdisc, see what happens. */
		struct link_params p = { .delay_ns = 2000000 };
		struct rtnl_qdisc *q, *t;
		if (unshare(CLONE_NEWNET) < 0) {
			rc = mb_err_errno(MB_EUNSUPP, "cannot make a scratch network namespace");
			break;
		}
		nl_socket_free(sk);
		sk = nl_socket_alloc();
		if (!sk || nl_connect(sk, NETLINK_ROUTE) < 0) {
			rc = mb_err(MB_EUNSUPP, "no netlink in a scratch namespace");
			break;
		}
		rc = netem_build(&p, 1, 1000000, &q, &t);
		if (rc)
			break;
		err = rtnl_qdisc_add(sk, q, NLM_F_CREATE | NLM_F_REPLACE);
		if (err == -NLE_OBJ_NOTFOUND || err == -NLE_OPNOTSUPP)
			snprintf(j->why, sizeof(j->why),
				 "the kernel has no sch_netem (adding a netem qdisc: %s)", nl_geterror(err));
		else if (err < 0)
			snprintf(j->why, sizeof(j->why), "adding a netem qdisc fails: %s", nl_geterror(err));
		rtnl_qdisc_put(q);
		rc = err < 0 ? MB_EUNSUPP : MB_OK;
		break;
	}
	}
	nl_socket_free(sk);
	return rc;
}

static int run_job(const struct link_end *e, struct nl_job *j)
{
	j->e = e;
	return link_in_netns(e ? e->netns : NULL, job_fn, j);
}

static int nm_supported(char *why, size_t len)
{
	struct nl_job j = { .what = 3 };
	int rc = run_job(NULL, &j);
	if (rc)
		snprintf(why, len, "%s", j.why[0] ? j.why : mb_errmsg());
	return rc ? MB_EUNSUPP : MB_OK;
}

static int nm_create(const struct link_spec *l)
{
	if (!l->b.ifname || !l->a.netns || !l->b.netns)
		return MB_OK; /* a real host's interface exists already */
	return link_veth_create(l);
}

static int nm_clear(const struct link_spec *l)
{
	struct nl_job j = { .what = 1 };
	int rc = run_job(&l->a, &j);
	if (!rc && l->b.ifname)
		rc = run_job(&l->b, &j);
	return rc;
}

static int nm_destroy(const struct link_spec *l)
{
	const char *del[] = { "link", "del", l->a.ifname, NULL };
	int rc = nm_clear(l);
	if (l->b.ifname && l->a.netns && mb_path_exists(l->a.netns))
		if (link_ip(&l->a, del) != MB_OK)
			mb_debug("%s", mb_errmsg()); /* the peer goes with it */
	return rc;
}

static int nm_apply(const struct link_spec *l, const struct link_params *p)
{
	struct nl_job j = { .what = 0, .p = p };
	int rc;
	struct link_params back = *p;
	/* Two ends: delay/2 each, so ping shows the configured RTT. */
	j.one_way_ns = l->b.ifname ? p->delay_ns / 2 : p->delay_ns;
	if (!l->b.ifname && p->rate_ba != p->rate)
		return mb_err(MB_EUNSUPP,
			      "link %s shapes one interface, so one direction only: rate_down (%.0f "
			      "bytes/s) cannot differ from rate_up (%.0f bytes/s) here",
			      l->name, p->rate_ba, p->rate);
	/* Each end's egress is one direction: a's carries a->b, b's b->a. */
	back.rate = p->rate_ba;
	rc = run_job(&l->a, &j);
	if (!rc && l->b.ifname) {
		j.p = &back;
		rc = run_job(&l->b, &j);
		if (rc) {
			char msg[1024];
			snprintf(msg, sizeof(msg), "%s", mb_errmsg());
			if (nm_clear(l) != MB_OK)
				mb_warn("%s", mb_errmsg());
			mb_err(rc, "%s", msg);
		}
	}
	return rc;
}

static int nm_show(const struct link_spec *l, struct link_state *s)
{
	struct nl_job j = { .what = 2, .st = s };
	int rc;
	memset(s, 0, sizeof(*s));
	snprintf(s->backend, sizeof(s->backend), "netem");
	rc = run_job(&l->a, &j);
	if (!rc && l->b.ifname)
		rc = run_job(&l->b, &j);
	return rc;
}

const struct link_ops link_netem_ops = {
	.name = "netem",
	.supported = nm_supported,
	.create = nm_create,
	.destroy = nm_destroy,
	.apply = nm_apply,
	.clear = nm_clear,
	.show = nm_show,
};
