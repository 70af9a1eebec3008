/* test_outcome.c - what a migration that did not complete was
 * (mig_classify): a result of the system under test (not converged,
 * aborted, refused) or a testbed failure (a host unreachable, the guest
 * not where a clean failure leaves it, the transfer stalled), and the
 * outcome in words (mig_outcome_why).  No libvirt connection: the inputs
 * are what mig_run saw. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libvirt/virterror.h>

#include "core/util.h"
#include "migrate/migrate.h"

/* A migration that ran 40 s with polls every 100 ms; sending stops at
 * stall_from (s) when that is below 40. */
static void attempt(struct mig_result *r, double stall_from)
{
	memset(r, 0, sizeof(*r));
	r->outcome = -1;
	r->npolls = 400;
	r->polls = mb_xcalloc(r->npolls, sizeof(*r->polls));
	for (size_t i = 0; i < r->npolls; i++) {
		double t = (double)i / 10, sent = t < stall_from ? t : stall_from;
		r->polls[i] = (struct mig_poll){ .t_ns = (int64_t)(t * 1e9), .iteration = 1 + i / 8,
						 .mem_remaining = 40u << 20, .mem_processed = (uint64_t)(sent * 64e6),
						 .data_processed = (uint64_t)(sent * 67e6), .dirty_rate = 16300,
						 .page_size = 4096, .mem_bps = 64u << 20, .throttle = -1 };
	}
	r->t_start = 1;
	r->t_end = 1 + 42 * (int64_t)1000000000;
	strcpy(r->src_state, "running");
	strcpy(r->dst_state, "absent");
}

static void test_not_converged(void **state)
{
	struct mig_result r;
	char *why;
	(void)state;
	attempt(&r, 99);
	r.timed_out = r.aborted = true;
	r.call_error = VIR_ERR_OPERATION_ABORTED; /* our own abort */
	assert_int_equal(mig_classify(&r), RES_NOT_CONVERGED);
	r.outcome = RES_NOT_CONVERGED;
	why = mig_outcome_why(&r, "operation aborted: migration out job: canceled by client");
	assert_non_null(strstr(why, "did not converge within the timeout (42 s)"));
	assert_non_null(strstr(why, "iteration 50, 40.0 MiB still to send"));
	assert_non_null(strstr(why, "dirtied 63.7 MiB/s while 64.0 MiB/s were sent"));
	assert_null(strstr(why, "canceled by client")); /* our abort is not news */
	free(why);
	mig_result_free(&r);
}

/* A link cut: the timeout, but nothing moved for the last seconds. */
static void test_stall_is_testbed(void **state)
{
	struct mig_result r;
	(void)state;
	attempt(&r, 30);
	r.timed_out = r.aborted = true;
	assert_int_equal(mig_classify(&r), -1);
	mig_result_free(&r);
	attempt(&r, 38); /* moving until 2 s before the end: still converging work */
	r.timed_out = true;
	assert_int_equal(mig_classify(&r), RES_NOT_CONVERGED);
	mig_result_free(&r);
}

/* The guest must run on the source alone with both hosts answering. */
static void test_hosts_and_guest(void **state)
{
	static const char *const bad[][2] = { { "running", "unreachable" }, { "absent", "running" },
					      { "running", "paused" }, { "paused", "absent" } };
	struct mig_result r;
	(void)state;
	for (size_t i = 0; i < MB_ARRAY_SIZE(bad); i++) {
		attempt(&r, 99);
		r.timed_out = true;
		strcpy(r.src_state, bad[i][0]);
		strcpy(r.dst_state, bad[i][1]);
		if (mig_classify(&r) != -1)
			fail_msg("source %s, destination %s: classified as an outcome", bad[i][0], bad[i][1]);
		mig_result_free(&r);
	}
	attempt(&r, 99);
	r.interrupted = r.timed_out = true;
	assert_int_equal(mig_classify(&r), -1);
	mig_result_free(&r);
	attempt(&r, 99);
	r.ok = true;
	assert_int_equal(mig_classify(&r), RES_CONVERGED);
	mig_result_free(&r);
}

static void test_aborted_and_refused(void **state)
{
	struct mig_result r;
	char *why;
	(void)state;
	attempt(&r, 99);
	r.call_error = VIR_ERR_OPERATION_ABORTED; /* not by us: no timeout */
	assert_int_equal(mig_classify(&r), RES_ABORTED);
	r.call_error = VIR_ERR_OPERATION_INVALID; /* memory moved: not a refusal */
	assert_int_equal(mig_classify(&r), -1);
	r.call_error = VIR_ERR_SYSTEM_ERROR;
	assert_int_equal(mig_classify(&r), -1);
	mig_result_free(&r);
	attempt(&r, 0); /* nothing ever sent */
	r.call_error = VIR_ERR_OPERATION_INVALID;
	assert_int_equal(mig_classify(&r), RES_REFUSED);
	r.outcome = RES_REFUSED;
	why = mig_outcome_why(&r, "Requested operation is not valid: domain is already active");
	assert_non_null(strstr(why, "the destination refused the migration"));
	assert_non_null(strstr(why, "(Requested operation is not valid"));
	free(why);
	r.call_error = VIR_ERR_RPC; /* the connection broke */
	assert_int_equal(mig_classify(&r), -1);
	r.outcome = RES_CONVERGED;
	assert_null(mig_outcome_why(&r, NULL));
	mig_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_converged),
		cmocka_unit_test(test_stall_is_testbed),
		cmocka_unit_test(test_hosts_and_guest),
		cmocka_unit_test(test_aborted_and_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
