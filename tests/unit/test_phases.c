/* test_phases.c - phase windows, interpolation, gaps and lost lines. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "samples/phases.h"

#define MS 1000000LL

/* A guest doing 1000 units/s, sampled every 100 ms, paused 2-3 s into the
 * migration window [5 s, 8 s) for 500 ms, and then at half speed. */
static void synth(struct obs_log *l, bool lose_some)
{
	uint64_t seq = 0;
	double count = 0;
	for (int64_t t = 0; t <= 12000 * MS; t += 100 * MS) {
		double rate = t < 5000 * MS ? 1000 : (t < 8000 * MS ? 1000 : 500);
		bool paused = t > 7000 * MS && t < 7500 * MS;
		struct obs o = { 0 };
		count += paused ? 0 : rate * 0.1;
		seq++;
		if (paused)
			continue; /* nothing arrives while the VM is paused */
		if (lose_some && (seq == 20 || seq == 21))
			continue;
		o.host_ns = t;
		o.seq = seq;
		o.guest_ns = (uint64_t)t;
		o.count = (uint64_t)count;
		o.site = t < 7500 * MS ? 0 : 1;
		obs_push(l, &o);
	}
}

static void test_rates(void **state)
{
	struct obs_log l = { 0 };
	struct phases p;
	(void)state;
	synth(&l, false);
	phases_compute(l.v, l.n, 0, 1000 * MS, 5000 * MS, 8000 * MS, 12000 * MS, &p);
	assert_true(fabs(p.before.rate - 1000) < 1);
	assert_true(p.before.stddev < 1);
	assert_int_equal(p.before.n, 40);
	/* 3 s window with 0.5 s of no progress: 2500 units in 3 s. */
	assert_true(fabs(p.during.rate - 2500.0 / 3) < 40);
	assert_true(fabs(p.after.rate - 500) < 1);
	assert_true(fabs(p.ratio_after - 0.5) < 0.01);
	assert_true(p.ratio_during < 1 && p.ratio_during > 0.7);
	/* The pause shows as the longest gap: 7.0 s -> 7.5 s. */
	assert_true(fabs(p.gap_s - 0.5) < 1e-6);
	assert_true(fabs(p.gap_start_s - 7.0) < 0.11);
	assert_int_equal(p.lost, 4); /* seq of the 4 paused intervals never arrived */
	obs_free(&l);
}

static void test_lost_lines_keep_totals(void **state)
{
	struct obs_log a = { 0 }, b = { 0 };
	struct phases pa, pb;
	(void)state;
	synth(&a, false);
	synth(&b, true);
	phases_compute(a.v, a.n, 0, 1000 * MS, 5000 * MS, 8000 * MS, 12000 * MS, &pa);
	phases_compute(b.v, b.n, 0, 1000 * MS, 5000 * MS, 8000 * MS, 12000 * MS, &pb);
	/* Losing two lines inside the before window changes no rate. */
	assert_true(fabs(pa.before.rate - pb.before.rate) < 1e-6);
	assert_int_equal(pb.lost, pa.lost + 2);
	obs_free(&a);
	obs_free(&b);
}

static void test_interpolation_edges(void **state)
{
	struct obs v[3] = { { 0, 1, 0, 0, 0, 0 }, { 100 * MS, 2, 0, 100, 0, 0 }, { 300 * MS, 3, 0, 100, 0, 0 } };
	(void)state;
	assert_true(isnan(phases_count_at(v, 3, -1)));
	assert_true(isnan(phases_count_at(v, 3, 301 * MS)));
	assert_true(phases_count_at(v, 3, 50 * MS) == 50);
	assert_true(phases_count_at(v, 3, 200 * MS) == 100);
	assert_true(phases_count_at(v, 3, 300 * MS) == 100);
	assert_true(isnan(phases_count_at(v, 0, 0)));
}

static void test_no_data_is_nan(void **state)
{
	struct obs v[2] = { { 0, 1, 0, 0, 0, 0 }, { 100 * MS, 2, 0, 10, 0, 0 } };
	struct phases p;
	(void)state;
	/* The after window lies past the last sample: no rate, not a zero. */
	phases_compute(v, 2, 0, 0, 50 * MS, 100 * MS, 5000 * MS, &p);
	assert_true(isnan(p.after.rate));
	assert_true(isnan(p.ratio_after));
	assert_false(isnan(p.before.rate));
}

/* Event lines between samples take sequence numbers: not lost lines. */
static void test_events_are_not_lost(void **state)
{
	struct obs v[3] = { { 0, 1, 0, 0, 0, 0 }, { 100 * MS, 3, 0, 100, 0, 1 }, { 200 * MS, 6, 0, 200, 0, 1 } };
	struct phases p;
	(void)state;
	phases_compute(v, 3, 0, 0, 100 * MS, 200 * MS, 200 * MS, &p);
	assert_int_equal(p.received, 3);
	assert_int_equal(p.lost, 1); /* seq 5: neither a sample nor an event that arrived */
	v[2].events = 2;
	phases_compute(v, 3, 0, 0, 100 * MS, 200 * MS, 200 * MS, &p);
	assert_int_equal(p.lost, 0);
}

static void test_counter_going_backwards_is_dropped(void **state)
{
	struct obs v[4] = { { 0, 1, 0, 0, 0, 0 },
			    { 100 * MS, 2, 0, 100, 0, 0 },
			    { 200 * MS, 3, 0, 50, 0, 0 },
			    { 300 * MS, 4, 0, 300, 0, 0 } };
	struct phases p;
	(void)state;
	phases_compute(v, 4, 0, 0, 300 * MS, 300 * MS, 300 * MS, &p);
	assert_int_equal(p.out_of_order, 1);
	assert_int_equal(p.received, 3);
}

/* Without the pause the same guest ran at full speed during the migration:
 * the ratio with the pause is below 1, without it 1; the window ends at the
 * last sample before the pause, not interpolated across it. */
static void test_running_excludes_pause(void **state)
{
	struct obs_log l = { 0 };
	struct phases p;
	(void)state;
	synth(&l, false);
	phases_compute(l.v, l.n, 0, 1000 * MS, 5000 * MS, 8000 * MS, 12000 * MS, &p);
	phases_running(l.v, l.n, 0, 5000 * MS, 7050 * MS, &p);
	assert_true(fabs(p.running.rate - 1000) < 1);
	assert_true(fabs(p.ratio_running - 1) < 0.01);
	assert_true(p.ratio_during < 0.9);
	assert_true(fabs(p.running.end_s - 7.0) < 0.01);
	assert_int_equal(p.running.n, 21);
	/* The pause not seen: nothing claimed. */
	phases_running(l.v, l.n, 0, 5000 * MS, 0, &p);
	assert_true(isnan(p.running.rate) && isnan(p.ratio_running));
	/* Paused before the first sample of the window: no rate either. */
	phases_running(l.v, l.n, 0, 5000 * MS, 5000 * MS + 1, &p);
	assert_true(isnan(p.running.rate));
	obs_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_lost_lines_keep_totals),
		cmocka_unit_test(test_events_are_not_lost),
		cmocka_unit_test(test_interpolation_edges),
		cmocka_unit_test(test_no_data_is_nan),
		cmocka_unit_test(test_counter_going_backwards_is_dropped),
		cmocka_unit_test(test_running_excludes_pause),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
