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

/* Cases computed by hand: inputs, then what the model must say. */
static const struct {
	const char *what;
	struct precopy_in in;
	enum precopy_outcome outcome;
	double transfer_s, downtime_s, bytes;
	uint64_t rounds, iterations;
} cases[] = {
	/* 100 MB at 100 MB/s, 10 MB/s dirtied, 300 ms: round 0 takes 1 s,
	 * leaves 10 MB < 30 MB, sent in 0.1 s while paused; QEMU counts 3. */
	{ "converges after one round", { 1e8, 1e7, 1e8, 0.3, 300 }, PRECOPY_CONVERGED, 1.1, 0.1, 1.1e8, 1, 3 },
	/* Half the bandwidth dirtied, 100 ms (threshold 10 MB): rounds of 100,
	 * 50, 25, 12.5 MB, then 6.25 MB paused. */
	{ "converges geometrically", { 1e8, 5e7, 1e8, 0.1, 300 }, PRECOPY_CONVERGED,
	  1 + 0.5 + 0.25 + 0.125 + 0.0625, 0.0625, 1.9375e8, 4, 6 },
	/* D >= B: every round resends all of M (the cap), 1 s each, until the
	 * 10 s timeout: 10 rounds, 11 syncs, 1 GB sent, no downtime. */
	{ "not converging (D >= B)", { 1e8, 2e8, 1e8, 0.3, 10 }, PRECOPY_NOT_CONVERGED, 10, NAN, 1e9, 10, 11 },
	/* D < B but too slow for the timeout (1 s, 0.99 s, ... > 5 s). */
	{ "not converging (timeout)", { 1e8, 0.99e8, 1e8, 0.001, 5 }, PRECOPY_NOT_CONVERGED, 5, NAN, 5e8, 5, 6 },
	/* D >= B still converges when what round 0 leaves fits: 1 MB sent in
	 * 10 ms, 1 MB (all of it) dirtied, below 30 MB. */
	{ "small memory converges despite D >= B", { 1e6, 2e8, 1e8, 0.3, 300 }, PRECOPY_CONVERGED, 0.02, 0.01,
	  2e6, 1, 3 },
	/* Bandwidth capped at 50 MB/s: 100 MB take 2 s, 20 MB dirtied
	 * (threshold 15 MB) take 0.4 s, 4 MB paused take 80 ms. */
	{ "bandwidth-capped", { 1e8, 1e7, 5e7, 0.3, 300 }, PRECOPY_CONVERGED, 2.48, 0.08, 1.24e8, 2, 4 },
	/* Nothing dirtied: one round, nothing left for the pause (also with a
	 * downtime limit of 0). */
	{ "zero dirty rate", { 1e8, 0, 1e8, 0.3, 300 }, PRECOPY_CONVERGED, 1, 0, 1e8, 1, 3 },
	{ "zero dirty rate, zero downtime", { 1e8, 0, 1e8, 0, 300 }, PRECOPY_CONVERGED, 1, 0, 1e8, 1, 3 },
};

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct precopy_out o;
		print_message("%s\n", cases[i].what);
		assert_int_equal(precopy_predict(&cases[i].in, &o), MB_OK);
		assert_int_equal(o.outcome, cases[i].outcome);
		CLOSE(o.transfer_s, cases[i].transfer_s);
		if (isnan(cases[i].downtime_s))
			assert_true(isnan(o.downtime_s));
		else
			CLOSE(o.downtime_s, cases[i].downtime_s);
		CLOSE(o.bytes, cases[i].bytes);
		assert_int_equal(o.rounds, cases[i].rounds);
		assert_int_equal(o.iterations, cases[i].iterations);
	}
	assert_string_equal(precopy_outcome_name(PRECOPY_CONVERGED), "converged");
	assert_string_equal(precopy_outcome_name(PRECOPY_NOT_CONVERGED), "not_converged");
}

/* The link says 1.5 GB/s, the cap 50 MB/s: the cap wins (and then the
 * "bandwidth-capped" case above). */
static void test_bandwidth_source(void **state)
{
	enum precopy_bw_source src;
	struct precopy_out o;
	(void)state;
	CLOSE(precopy_bandwidth(1.5e9, 5e7, &src), 5e7);
	assert_int_equal(src, PRECOPY_BW_CAP);
	assert_string_equal(precopy_bw_source_name(src), "cap");
	o = run(1e8, 1e7, precopy_bandwidth(1.5e9, 5e7, &src), 0.3, 300);
	CLOSE(o.transfer_s, 2.48);
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
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_bandwidth_source),
		cmocka_unit_test(test_bad_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
