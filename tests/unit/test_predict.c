/* test_predict.c - the prediction step of a scenario (run/predict.c) on a
 * migration made up by hand: QEMU's stream start and transfer time, the
 * model's inputs (M from an earlier migration, else QEMU's RSS), the
 * residuals, and the reasons when there is no prediction. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/util.h"
#include "run/predict.h"

#define S (1000000000LL)
#define CLOSE(a, b) assert_true(fabs((double)(a) - (double)(b)) <= 1e-9 * fmax(1, fabs((double)(b))))

/* A migration that started at 10 s, sent its first page at 10.4 s (the
 * first iteration event), paused at 10.9 s, resumed at 11.0 s: 65536 pages
 * of 4 KiB, 40960 of them zero (24576 non-zero: 96 MiB). */
static void migration(struct mig_result *mr, struct mig_poll *poll, bool events)
{
	memset(mr, 0, sizeof(*mr));
	mr->ok = true;
	mr->t_start = 10 * S;
	mr->t_pause = 10 * S + 900000000;
	mr->t_resume = 11 * S;
	mr->t_end = 11 * S + 300000000;
	if (events) {
		mr->iteration_ns[0] = 10 * S + 400000000;
		mr->n_iter_events = 1;
	}
	/* A poll at 10.5 s that had sent 10 MB at 100 MB/s: started at 10.4 s. */
	*poll = (struct mig_poll){ .t_ns = 10 * S + 500000000, .mem_processed = 10000000, .mem_bps = 100000000,
				   .page_size = 4096 };
	mr->polls = poll;
	mr->npolls = 1;
	mr->mem_total = 65536ULL * 4096;
	mr->mem_zero_pages = 40960;
	mr->mem_transferred = 101000000;
	mr->downtime_s = 0.1;
	mr->iterations = 3;
}

/* The record as the scenario fills it before the migration. */
static void record(struct res_scenario *rec, double dirty, double probe)
{
	res_scenario_init(rec);
	res_set(&rec->id, "d4ms-cpuadd-r1");
	rec->precopy.max_downtime_s = 0.3;
	rec->precopy.timeout_s = 300;
	rec->precopy.bandwidth_bytes_per_s = 0;
	res_set(&rec->precopy.compression, "none");
	rec->has_link = true;
	rec->link.probe.measured = isfinite(probe);
	rec->link.probe.r.tcp_bytes_per_s = probe;
	rec->has_dirty_rate = true;
	rec->dirty_rate.measured = isfinite(dirty);
	rec->dirty_rate.bytes_per_s = dirty;
	rec->has_prediction = true;
	rec->prediction.in.rss_bytes = 2e8;
	rec->has_migration = true;
}

static void test_transfer_time(void **state)
{
	struct mig_result mr;
	struct mig_poll poll;
	struct res_scenario rec;
	struct pred_memo memo = { 0 };
	struct mb_config c = { .memory = 268435456, .workload = 0 };
	(void)state;
	for (int events = 1; events >= 0; events--) {
		migration(&mr, &poll, events);
		record(&rec, 0, 1e9);
		mig_result_record(&mr, mr.t_start, &rec.migration);
		pred_fill(&memo, &c, &mr, &rec);
		/* Both ways: the iteration event, or the poll back-dated. */
		CLOSE(rec.migration.stream_start_s, 0.4);
		CLOSE(rec.migration.transfer_s, 0.6);
		assert_string_equal(rec.migration.stream_start_from, events ? "iteration_event" : "poll");
		res_scenario_free(&rec);
	}
	pred_memo_free(&memo);
}

static void test_prediction_and_residuals(void **state)
{
	struct mig_result mr;
	struct mig_poll poll;
	struct res_scenario rec;
	struct pred_memo memo = { 0 };
	struct mb_config c = { .memory = 268435456, .workload = 0 };
	const struct res_prediction *p = &rec.prediction;
	(void)state;
	migration(&mr, &poll, true);
	/* First migration: M is QEMU's RSS (2e8 < RAM), 1e9 B/s, 1e7 B/s
	 * dirtied: 0.2 s, then 2 MB paused in 2 ms. */
	record(&rec, 1e7, 1e9);
	mig_result_record(&mr, mr.t_start, &rec.migration);
	pred_fill(&memo, &c, &mr, &rec);
	assert_true(p->predicted);
	assert_string_equal(p->in.memory_source, "qemu_rss");
	CLOSE(p->in.memory_bytes, 2e8);
	assert_string_equal(p->in.bandwidth_source, "probe");
	assert_string_equal(p->outcome, "converged");
	CLOSE(p->transfer_s, 0.202);
	CLOSE(p->downtime_s, 0.002);
	assert_true(p->has_residual);
	CLOSE(p->residual.transfer_s, 0.6 - 0.202);
	CLOSE(p->residual.downtime_s, 0.1 - 0.002);
	CLOSE(p->residual.iterations, 0);
	CLOSE(p->residual.bytes, 101000000 - 2.02e8);
	assert_null(p->caveat);
	res_scenario_free(&rec);
	/* The next guest with that memory: M from the migration before
	 * (memory total minus zero pages), named; a caveat for xbzrle. */
	record(&rec, 1e7, 1e9);
	rec.precopy.xbzrle = true;
	c.workload = 1;
	pred_fill(&memo, &c, &mr, &rec);
	assert_string_equal(p->in.memory_source, "previous_migration");
	assert_string_equal(p->in.memory_from, "d4ms-cpuadd-r1");
	CLOSE(p->in.memory_bytes, 24576.0 * 4096);
	assert_non_null(strstr(p->caveat, "xbzrle"));
	res_scenario_free(&rec);
	pred_memo_free(&memo);
}

static void test_no_prediction(void **state)
{
	struct mig_result mr;
	struct mig_poll poll;
	struct res_scenario rec;
	struct pred_memo memo = { 0 };
	struct mb_config c = { .memory = 268435456 };
	(void)state;
	migration(&mr, &poll, true);
	record(&rec, NAN, 1e9);
	pred_fill(&memo, &c, &mr, &rec);
	assert_false(rec.prediction.predicted);
	assert_non_null(strstr(rec.prediction.skipped, "no dirty rate"));
	res_scenario_free(&rec);
	record(&rec, 1e7, NAN);
	pred_fill(&memo, &c, &mr, &rec);
	assert_false(rec.prediction.predicted);
	assert_non_null(strstr(rec.prediction.skipped, "no bandwidth"));
	res_scenario_free(&rec);
	/* A failed migration: a prediction, no residuals. */
	mr.ok = false;
	record(&rec, 1e7, 1e9);
	pred_fill(&memo, &c, &mr, &rec);
	assert_true(rec.prediction.predicted);
	assert_false(rec.prediction.has_residual);
	res_scenario_free(&rec);
	pred_memo_free(&memo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transfer_time),
		cmocka_unit_test(test_prediction_and_residuals),
		cmocka_unit_test(test_no_prediction),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
