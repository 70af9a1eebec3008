/* test_precopy.c - the pre-copy rounds model on cases computed by hand. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "model/precopy.h"

#define CLOSE(a, b) assert_true(fabs((double)(a) - (double)(b)) <= 1e-9 * fmax(1, fabs((double)(b))))

static struct precopy_out run(double m, double d, double b, double dt, double timeout)
{
	struct precopy_in in = { m, d, b, dt, timeout };
	struct precopy_out o;
	assert_int_equal(precopy_predict(&in, &o), MB_OK);
	return o;
}

/* 100 MB at 100 MB/s, 10 MB/s dirtied, 300 ms: round 0 takes 1 s, leaves
 * 10 MB < 30 MB, sent in 0.1 s while paused. */
static void test_converges_after_one_round(void **state)
{
	struct precopy_out o = run(1e8, 1e7, 1e8, 0.3, 300);
	(void)state;
	assert_int_equal(o.outcome, PRECOPY_CONVERGED);
	CLOSE(o.transfer_s, 1.1);
	CLOSE(o.downtime_s, 0.1);
	CLOSE(o.bytes, 1.1e8);
	assert_int_equal(o.rounds, 1);
	assert_int_equal(o.iterations, 3); /* as QEMU counts: 3 for one round */
	assert_string_equal(precopy_outcome_name(o.outcome), "converged");
}

/* Half the bandwidth dirtied, 100 ms (threshold 10 MB): rounds of 100, 50,
 * 25, 12.5 MB, then 6.25 MB paused. */
static void test_converges_geometrically(void **state)
{
	struct precopy_out o = run(1e8, 5e7, 1e8, 0.1, 300);
	(void)state;
	assert_int_equal(o.outcome, PRECOPY_CONVERGED);
	CLOSE(o.transfer_s, 1 + 0.5 + 0.25 + 0.125 + 0.0625);
	CLOSE(o.downtime_s, 0.0625);
	CLOSE(o.bytes, 1.9375e8);
	assert_int_equal(o.rounds, 4);
	assert_int_equal(o.iterations, 6);
}

/* D >= B: every round resends all of M (the cap), 1 s each, until the
 * 10 s timeout. */
static void test_not_converging(void **state)
{
	struct precopy_out o = run(1e8, 2e8, 1e8, 0.3, 10);
	(void)state;
	assert_int_equal(o.outcome, PRECOPY_NOT_CONVERGED);
	CLOSE(o.transfer_s, 10);
	assert_true(isnan(o.downtime_s));
	CLOSE(o.bytes, 1e9);
	assert_int_equal(o.rounds, 10);
	assert_int_equal(o.iterations, 11);
	assert_string_equal(precopy_outcome_name(o.outcome), "not_converged");
	/* D < B but too slow for the timeout: not converging either. */
	o = run(1e8, 0.99e8, 1e8, 0.001, 5);
	assert_int_equal(o.outcome, PRECOPY_NOT_CONVERGED);
	CLOSE(o.transfer_s, 5);
}

/* D >= B still converges when what round 0 leaves fits the threshold:
 * 1 MB sent in 10 ms, 1 MB (all of it) dirtied, below 30 MB. */
static void test_small_memory_converges_despite_dirty_rate(void **state)
{
	struct precopy_out o = run(1e6, 2e8, 1e8, 0.3, 300);
	(void)state;
	assert_int_equal(o.outcome, PRECOPY_CONVERGED);
	CLOSE(o.transfer_s, 0.02);
	CLOSE(o.downtime_s, 0.01);
	assert_int_equal(o.iterations, 3);
}

/* The link says 1.5 GB/s, the cap 50 MB/s: the cap wins.  100 MB take 2 s,
 * 20 MB dirtied (threshold 15 MB) take 0.4 s, 4 MB paused take 80 ms. */
static void test_bandwidth_capped(void **state)
{
	enum precopy_bw_source src;
	double b = precopy_bandwidth(1.5e9, 5e7, &src);
	struct precopy_out o;
	(void)state;
	CLOSE(b, 5e7);
	assert_int_equal(src, PRECOPY_BW_CAP);
	assert_string_equal(precopy_bw_source_name(src), "cap");
	o = run(1e8, 1e7, b, 0.3, 300);
	assert_int_equal(o.outcome, PRECOPY_CONVERGED);
	CLOSE(o.transfer_s, 2.48);
	CLOSE(o.downtime_s, 0.08);
	CLOSE(o.bytes, 1.24e8);
	assert_int_equal(o.rounds, 2);
	assert_int_equal(o.iterations, 4);
	/* No cap: the probe; a cap above the probe: the probe; neither: none. */
	CLOSE(precopy_bandwidth(1.5e9, 0, &src), 1.5e9);
	assert_int_equal(src, PRECOPY_BW_PROBE);
	CLOSE(precopy_bandwidth(1.5e9, 2e9, &src), 1.5e9);
	assert_int_equal(src, PRECOPY_BW_PROBE);
	CLOSE(precopy_bandwidth(NAN, 5e7, &src), 5e7);
	assert_int_equal(src, PRECOPY_BW_CAP);
	assert_true(isnan(precopy_bandwidth(NAN, 0, &src)));
	assert_int_equal(src, PRECOPY_BW_NONE);
}

/* Nothing dirtied: one round, nothing left for the pause. */
static void test_zero_dirty_rate(void **state)
{
	struct precopy_out o = run(1e8, 0, 1e8, 0.3, 300);
	(void)state;
	assert_int_equal(o.outcome, PRECOPY_CONVERGED);
	CLOSE(o.transfer_s, 1);
	CLOSE(o.downtime_s, 0);
	CLOSE(o.bytes, 1e8);
	assert_int_equal(o.rounds, 1);
	assert_int_equal(o.iterations, 3);
	/* A downtime of 0 still switches over when nothing is left. */
	o = run(1e8, 0, 1e8, 0, 300);
	assert_int_equal(o.outcome, PRECOPY_CONVERGED);
}

static void test_bad_inputs(void **state)
{
	struct precopy_out o;
	struct precopy_in bad[] = {
		{ 1e8, 1e7, 0, 0.3, 300 },   /* no bandwidth */
		{ 0, 1e7, 1e8, 0.3, 300 },   /* no memory */
		{ 1e8, -1, 1e8, 0.3, 300 },  /* negative dirty rate */
		{ 1e8, NAN, 1e8, 0.3, 300 }, /* unmeasured */
		{ 1e8, 1e7, 1e8, 0.3, 0 },   /* no time at all */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(precopy_predict(&bad[i], &o), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "timeout"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_converges_after_one_round),
		cmocka_unit_test(test_converges_geometrically),
		cmocka_unit_test(test_not_converging),
		cmocka_unit_test(test_small_memory_converges_despite_dirty_rate),
		cmocka_unit_test(test_bandwidth_capped),
		cmocka_unit_test(test_zero_dirty_rate),
		cmocka_unit_test(test_bad_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
