/* test_netprobe.c - the echo probe's figures (link/netprobe.c): the
 * longest gap between replies in a window (mig_mon's service downtime),
 * with the window's edges, no reply at all and a service that does not
 * come back; and the summary's counts: requests, replies per site, rounds
 * answered (late duplicates counted once), the RTTs. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "link/netprobe.h"

#define MS 1000000LL

static void test_gap_middle(void **state)
{
	int64_t rx[200], start;
	size_t n = 0;
	bool rec;
	(void)state;
	/* Replies every 10 ms from 0 to 1 s, none from 400 ms to 730 ms. */
	for (int64_t t = 0; t <= 1000 * MS; t += 10 * MS)
		if (t <= 400 * MS || t >= 730 * MS)
			rx[n++] = t;
	assert_true(fabs(np_longest_gap(rx, n, 100 * MS, 900 * MS, &start, &rec) - 0.33) < 1e-9);
	assert_int_equal(start, 400 * MS);
	assert_true(rec);
	/* A window after the gap sees only the regular spacing. */
	assert_true(fabs(np_longest_gap(rx, n, 750 * MS, 900 * MS, &start, &rec) - 0.01) < 1e-9);
	assert_true(rec);
}

static void test_gap_edges(void **state)
{
	int64_t rx[] = { 0, 10 * MS, 20 * MS, 500 * MS, 510 * MS }, start;
	bool rec;
	(void)state;
	/* The reply before the window opens the gap that spans its start. */
	assert_true(fabs(np_longest_gap(rx, 5, 100 * MS, 600 * MS, &start, &rec) - 0.48) < 1e-9);
	assert_int_equal(start, 20 * MS);
	assert_true(rec);
	/* Replies stop: the window's end closes the gap, not recovered. */
	assert_true(fabs(np_longest_gap(rx, 3, 0, 300 * MS, &start, &rec) - 0.28) < 1e-9);
	assert_int_equal(start, 20 * MS);
	assert_false(rec);
	/* No reply at all: the whole window. */
	assert_true(fabs(np_longest_gap(NULL, 0, 100 * MS, 350 * MS, &start, &rec) - 0.25) < 1e-9);
	assert_int_equal(start, 100 * MS);
	assert_false(rec);
	/* Replies after the window do not count. */
	assert_true(fabs(np_longest_gap(rx + 3, 2, 0, 100 * MS, &start, &rec) - 0.1) < 1e-9);
	assert_false(rec);
}

/* A probe that ran: rounds every 10 ms for 1 s; the guest answered on
 * site 0 up to 400 ms, then nothing, then on site 1 from 700 ms, first
 * the ten requests queued there since 350 ms (six of them answered on
 * site 0 already: late duplicates). */
static void test_summary(void **state)
{
	struct netprobe np;
	struct np_summary sm;
	(void)state;
	memset(&np, 0, sizeof(np));
	np.running = true;
	np.p.probe_port = 7007;
	np.p.sink_port = 5201;
	pthread_mutex_init(&np.mu, NULL);
	np.capticks = 101;
	np.ticks = calloc(np.capticks, sizeof(*np.ticks));
	np.caprep = 200;
	np.rep = calloc(np.caprep, sizeof(*np.rep));
	for (int k = 0; k <= 100; k++) {
		int64_t t = k * 10 * MS;
		np.ticks[np.nticks++] = t;
		if (t <= 400 * MS)
			np.rep[np.nrep++] = (struct np_reply){ t + MS, MS, (uint64_t)k + 1, 0 };
		if (t == 700 * MS)
			for (int q = 35; q < 45; q++) /* queued since 350 ms, answered at 700 ms */
				np.rep[np.nrep++] = (struct np_reply){ t + MS, t - q * 10 * MS, (uint64_t)q + 1, 1 };
		if (t >= 700 * MS)
			np.rep[np.nrep++] = (struct np_reply){ t + 2 * MS, 2 * MS, (uint64_t)k + 1, 1 };
	}
	np.sink_bytes[0] = 1000;
	np.sink_bytes[1] = 500;
	np.sink_conns[0] = np.sink_conns[1] = 1;
	np_summarize(&np, 0, 1000 * MS, &sm);
	assert_int_equal(sm.requests, 101); /* the tick at 1000 ms is in, its reply is not */
	assert_int_equal(sm.replies_site[0], 41);
	assert_int_equal(sm.replies_site[1], 10 + 30);
	assert_int_equal(sm.replies, 81);
	/* 41 before, 4 of the late ones new (rounds 42..45), 30 from 700 ms to 990 ms. */
	assert_int_equal(sm.answered, 41 + 4 + 30);
	assert_true(fabs(sm.gap_s - 0.3) < 1e-9);
	assert_int_equal(sm.gap_start_ns, 401 * MS);
	assert_true(sm.recovered);
	assert_true(fabs(sm.rtt_median_s - 0.001) < 1e-9);
	assert_true(sm.rtt_max_s > 0.349 && sm.rtt_max_s < 0.351);
	assert_int_equal(sm.sink_bytes[0], 1000);
	assert_int_equal(sm.sink_conns[1], 1);
	pthread_mutex_destroy(&np.mu);
	free(np.ticks);
	free(np.rep);
	/* A probe that never started: nothing measured. */
	memset(&np, 0, sizeof(np));
	np_summarize(&np, 0, 1000 * MS, &sm);
	assert_true(isnan(sm.gap_s));
	assert_int_equal(sm.requests, 0);
	np_stop(&np);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gap_middle),
		cmocka_unit_test(test_gap_edges),
		cmocka_unit_test(test_summary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
