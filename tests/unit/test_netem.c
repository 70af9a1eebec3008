/* test_netem.c - the link logic without a kernel: the delay line's ring and
 * pacing, and the netem/tbf netlink messages migbench builds with libnl
 * (constructed, then parsed back into objects). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <linux/pkt_sched.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/netem.h>
#include <netlink/route/qdisc/tbf.h>
#include <netlink/route/tc.h>
#include <netlink/utils.h>

#include "link/dl_queue.h"
#include "link/link.h"
#include "link/netem_nl.h"

/* Random reserve/commit/pop against a model queue: every packet comes out
 * in order with its length and due time; never more than fits. */
static void test_ring_model(void **state)
{
	struct dl_ring r;
	static uint32_t lens[1 << 16];
	static int64_t dues[1 << 16];
	unsigned qh = 0, qt = 0;
	(void)state;
	assert_int_equal(dl_ring_init(&r, 2u << 20), 0);
	srand(7);
	for (long it = 0; it < 400000; it++) {
		if (rand() % 3 < 2) {
			uint8_t *p = dl_ring_reserve(&r);
			uint32_t len = 1 + (uint32_t)(rand() % (rand() % 2 ? 120 : 65536));
			if (!p || rand() % 5 == 0)
				continue; /* full, or a read that found nothing */
			memset(p, (int)(qt & 0xff), len);
			dl_ring_commit(&r, len, it);
			lens[qt & 0xffff] = len;
			dues[qt & 0xffff] = it;
			qt++;
		} else if (qh < qt) {
			uint32_t len;
			int64_t due;
			const uint8_t *p = dl_ring_peek(&r, &len, &due);
			assert_non_null(p);
			assert_int_equal(len, lens[qh & 0xffff]);
			assert_true(due == dues[qh & 0xffff]);
			assert_int_equal(p[0], qh & 0xff);
			assert_int_equal(p[len - 1], qh & 0xff);
			dl_ring_pop(&r);
			qh++;
		}
		assert_int_equal(r.npkts, qt - qh);
	}
	assert_true(qt > 10000);
	dl_ring_free(&r);
}

static void test_ring_bounded(void **state)
{
	struct dl_ring r;
	int n = 0;
	(void)state;
	assert_int_equal(dl_ring_init(&r, 1u << 20), 0);
	while (dl_ring_reserve(&r)) {
		dl_ring_commit(&r, 65536, n);
		n++;
		assert_true(n < 100);
	}
	/* Full: the bytes queued fit in the ring. */
	assert_true(r.bytes <= r.cap);
	assert_true(n >= 10);
	dl_ring_free(&r);
}

static void test_ring_resize(void **state)
{
	struct dl_ring r;
	uint64_t dropped = 0;
	int n = 0;
	(void)state;
	assert_int_equal(dl_ring_init(&r, dl_ring_cap_for(8u << 20)), 0);
	for (; n < 100; n++) {
		uint8_t *p = dl_ring_reserve(&r);
		assert_non_null(p);
		memset(p, n, 60000);
		dl_ring_commit(&r, 60000, n);
	}
	/* Grow: everything moves over, in order. */
	assert_int_equal(dl_ring_resize(&r, dl_ring_cap_for(16u << 20), &dropped), 0);
	assert_int_equal(dropped, 0);
	assert_int_equal(r.npkts, 100);
	/* Shrink below what is queued: the excess is dropped and counted. */
	assert_int_equal(dl_ring_resize(&r, dl_ring_cap_for(1u << 20), &dropped), 0);
	assert_true(dropped > 50);
	assert_int_equal(r.npkts + dropped, 100);
	for (int i = 0; r.npkts; i++) {
		uint32_t len;
		int64_t due;
		const uint8_t *p = dl_ring_peek(&r, &len, &due);
		assert_true(due == i);
		assert_int_equal(p[0], i);
		dl_ring_pop(&r);
	}
	dl_ring_free(&r);
}

static void test_pacing(void **state)
{
	struct dl_pacer p = { 0 };
	struct dl_shape s = { .one_way_ns = 8000000 };
	int64_t prev = 0;
	(void)state;
	/* Plain delay: due = arrival + one way. */
	assert_true(dl_due(&p, &s, 1000, 1500) == 8001000);
	/* A rate cap spaces packets by len/rate: 1500 B at 1.5 MB/s = 1 ms. */
	memset(&p, 0, sizeof(p));
	s.rate = 1.5e6;
	assert_true(dl_due(&p, &s, 0, 1500) == 1000000 + 8000000);
	assert_true(dl_due(&p, &s, 0, 1500) == 2000000 + 8000000);
	assert_true(dl_due(&p, &s, 5000000, 1500) == 6000000 + 8000000);
	/* Jitter never reorders, and stays within one_way +/- jitter. */
	memset(&p, 0, sizeof(p));
	s.rate = 0;
	s.jitter_ns = 2000000;
	for (int dist = DIST_UNIFORM; dist <= DIST_PARETONORMAL; dist++) {
		s.dist = dist;
		prev = 0;
		memset(&p, 0, sizeof(p));
		for (int i = 0; i < 10000; i++) {
			int64_t now = (int64_t)i * 10000, d = dl_due(&p, &s, now, 100);
			int64_t hi = now + s.one_way_ns + s.jitter_ns;
			assert_true(d >= prev);
			assert_true(d >= now + s.one_way_ns - s.jitter_ns);
			assert_true(d <= (prev > hi ? prev : hi));
			prev = d;
		}
	}
}

static void test_loss(void **state)
{
	struct dl_pacer p = { .rng = 42 };
	int lost = 0;
	(void)state;
	for (int i = 0; i < 100000; i++)
		lost += dl_lose(&p, 0.1);
	assert_true(lost > 9000 && lost < 11000);
	for (int i = 0; i < 1000; i++) {
		assert_true(dl_lose(&p, 1.0));
		assert_false(dl_lose(&p, 0.0));
	}
}

static void test_sizing(void **state)
{
	struct link_params p = { .delay_ns = 64000000 };
	(void)state;
	/* netem: 1000 packets at least; 2x BDP of 10 Gbit/s over 32 ms = 53333 packets. */
	assert_int_equal(netem_limit_for(&(struct link_params){ 0 }, 0), 1000);
	assert_int_equal(netem_limit_for(&p, 32000000), 53333);
	p.rate = 12.5e6; /* 100 Mbit/s */
	assert_int_equal(netem_limit_for(&p, 32000000), 1000);
	p.queue = 3000000;
	assert_int_equal(netem_limit_for(&p, 32000000), 2000);
	/* TCP buffers: 2x BDP, 4 MiB at least, 256 MiB at most. */
	assert_true(link_tcp_buffer_for(&(struct link_params){ 0 }) == 4u << 20);
	assert_true(link_tcp_buffer_for(&(struct link_params){ .delay_ns = 64000000 }) == 160000000);
	assert_true(link_tcp_buffer_for(&(struct link_params){ .delay_ns = 900000000 }) == 256u << 20);
}

/* Options of a built qdisc message, and the object libnl parses back. */
struct parsed {
	struct rtnl_qdisc *q;
};

static void take(struct nl_object *obj, void *arg)
{
	struct parsed *p = arg;
	nl_object_get(obj);
	p->q = (struct rtnl_qdisc *)obj;
}

static struct rtnl_qdisc *roundtrip(struct rtnl_qdisc *q, struct nl_msg **out_msg)
{
	struct nl_msg *msg = NULL;
	struct parsed p = { 0 };
	assert_int_equal(rtnl_qdisc_build_add_request(q, NLM_F_CREATE | NLM_F_REPLACE, &msg), 0);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_type, RTM_NEWQDISC);
	/* Parse it as the kernel's answer would be parsed (route protocol). */
	nlmsg_set_proto(msg, NETLINK_ROUTE);
	assert_int_equal(nl_msg_parse(msg, take, &p), 0);
	assert_non_null(p.q);
	*out_msg = msg;
	return p.q;
}

static void test_netem_message(void **state)
{
	struct link_params lp = { .delay_ns = 16000000, .jitter_ns = 1000000, .loss = 0.01 };
	struct rtnl_qdisc *netem, *tbf, *back;
	struct nl_msg *msg;
	struct tcmsg *tcm;
	struct nlattr *kind;
	(void)state;
	assert_int_equal(netem_build(&lp, 7, lp.delay_ns / 2, &netem, &tbf), 0);
	assert_null(tbf);
	back = roundtrip(netem, &msg);
	/* The header: interface, root, our handle. */
	tcm = nlmsg_data(nlmsg_hdr(msg));
	assert_int_equal(tcm->tcm_ifindex, 7);
	assert_int_equal(tcm->tcm_parent, TC_H_ROOT);
	assert_int_equal(tcm->tcm_handle, TC_HANDLE(NETEM_MAJOR, 0));
	kind = nlmsg_find_attr(nlmsg_hdr(msg), sizeof(struct tcmsg), TCA_KIND);
	assert_non_null(kind);
	assert_string_equal(nla_get_string(kind), "netem");
	/* Read back through libnl's parser: the values we asked for. */
	assert_string_equal(rtnl_tc_get_kind(TC_CAST(back)), "netem");
	assert_true(labs(rtnl_netem_get_delay(back) - 8000) <= 1);
	assert_true(labs(rtnl_netem_get_jitter(back) - 1000) <= 1);
	assert_true(fabs((double)(uint32_t)rtnl_netem_get_loss(back) / 4294967295.0 - 0.01) < 1e-6);
	assert_int_equal(rtnl_netem_get_limit(back), (int)netem_limit_for(&lp, lp.delay_ns / 2));
	rtnl_qdisc_put(back);
	nlmsg_free(msg);
	rtnl_qdisc_put(netem);
}

static void test_netem_rate_and_dist(void **state)
{
	struct link_params lp = { .delay_ns = 4000000, .rate = 12.5e6, .jitter_ns = 500000,
				  .jitter_dist = DIST_NORMAL };
	struct rtnl_qdisc *netem, *tbf, *back;
	struct nl_msg *msg;
	(void)state;
	assert_int_equal(netem_build(&lp, 3, 2000000, &netem, &tbf), 0);
	assert_non_null(tbf);
	/* The normal table from iproute2 was loaded into the message. */
	assert_true(rtnl_netem_get_delay_distribution_size(netem) > 1000);
	back = roundtrip(tbf, &msg);
	assert_string_equal(rtnl_tc_get_kind(TC_CAST(back)), "tbf");
	assert_int_equal(rtnl_tc_get_parent(TC_CAST(back)), TC_HANDLE(NETEM_MAJOR, 1));
	assert_int_equal(rtnl_tc_get_handle(TC_CAST(back)), TC_HANDLE(TBF_MAJOR, 0));
	assert_int_equal(rtnl_qdisc_tbf_get_rate(back), 12500000);
	rtnl_qdisc_put(back);
	nlmsg_free(msg);
	rtnl_qdisc_put(netem);
	rtnl_qdisc_put(tbf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_model),
		cmocka_unit_test(test_ring_bounded),
		cmocka_unit_test(test_ring_resize),
		cmocka_unit_test(test_pacing),
		cmocka_unit_test(test_loss),
		cmocka_unit_test(test_sizing),
		cmocka_unit_test(test_netem_message),
		cmocka_unit_test(test_netem_rate_and_dist),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
