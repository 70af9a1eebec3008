/* test_csv.c - the CSV writers (samples/<id>.csv and jobstats/<id>.csv)
 * with 200-character host names and 100,000 rows, checked line by line.
 * They used to size their buffer from an estimate (128 + n*112 bytes) and
 * overran it with host names of ~45+ characters. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/str.h"
#include "core/util.h"
#include "migrate/migrate.h"
#include "run/scenario.h"

#define N 100000
#define NS 1000000000LL

static char *host(char c)
{
	char *h = mb_xmalloc(201);
	memset(h, c, 200);
	h[200] = '\0';
	return h;
}

/* The next line of *p (NUL-terminated in place), or NULL at the end. */
static char *next_line(char **p)
{
	char *l = *p, *nl;
	if (!*l)
		return NULL;
	nl = strchr(l, '\n');
	assert_non_null(nl); /* every line ends with a newline */
	*nl = '\0';
	*p = nl + 1;
	return l;
}

static void test_samples_csv(void **state)
{
	struct obs *v = mb_xcalloc(N, sizeof(*v));
	char *h0 = host('s'), *h1 = host('d'), *csv, *p, *l, *want;
	struct samples_windows w = { .t_ref = 100 * NS, .before = 90 * NS, .start = 100 * NS,
				     .resume = 110 * NS, .after = 120 * NS };
	size_t i = 0;
	(void)state;
	for (size_t k = 0; k < N; k++) {
		v[k].host_ns = 80 * NS + (int64_t)k * 500000; /* 80 s .. 130 s */
		v[k].seq = k + 1;
		v[k].guest_ns = (uint64_t)k * 500000;
		v[k].count = (uint64_t)k * 1000;
		v[k].site = v[k].host_ns >= 110 * NS;
	}
	csv = samples_csv(v, N, &w, h0, h1);
	p = csv;
	assert_string_equal(next_line(&p), "time_s,phase,host,seq,guest_time_s,count,rate");
	while ((l = next_line(&p))) {
		const char *ph = v[i].host_ns < 90 * NS ? "boot" : v[i].host_ns < 100 * NS ? "before"
			: v[i].host_ns < 110 * NS ? "during" : v[i].host_ns <= 120 * NS ? "after" : "tail";
		want = mb_xasprintf("%.6f,%s,%s,%zu,%.6f,%zu,%s", (double)(v[i].host_ns - w.t_ref) / 1e9, ph,
				    v[i].site ? h1 : h0, i + 1, (double)v[i].guest_ns / 1e9, i * 1000,
				    i ? "2000000.000" : "");
		if (strcmp(l, want))
			fail_msg("line %zu: '%.80s...' wanted '%.80s...'", i + 2, l, want);
		free(want);
		i++;
	}
	assert_int_equal(i, N);
	free(csv);
	free(v);
	free(h0);
	free(h1);
}

static void test_polls_csv(void **state)
{
	struct mig_result r;
	char *csv, *p, *l;
	size_t i = 0;
	(void)state;
	memset(&r, 0, sizeof(r));
	r.npolls = N;
	r.polls = mb_xcalloc(N, sizeof(*r.polls));
	for (size_t k = 0; k < N; k++)
		r.polls[k] = (struct mig_poll){ .t_ns = (int64_t)k * 100000000, .elapsed_s = (double)k / 10,
						.mem_total = UINT64_MAX, .mem_processed = k,
						.mem_remaining = UINT64_MAX - k, .data_remaining = k * 7,
						.dirty_rate = 12345678901234ull, .mem_bps = 1ull << 40,
						.iteration = k / 1000, .throttle = k == 1 ? -1 : 99, .page_size = 4096,
						.data_processed = k * 3 };
	csv = mig_polls_csv(&r, 0);
	p = csv;
	assert_non_null(strstr(next_line(&p), "time_s,elapsed_s,iteration,"));
	while ((l = next_line(&p))) {
		/* A throttle libvirt did not report is empty, not 0. */
		char *want = mb_xasprintf("%.3f,%.3f,%zu,%" PRIu64 ",%zu,%" PRIu64 ",%zu,12345678901234,4096,%llu,%s,%zu",
					  (double)i / 10, (double)i / 10, i / 1000, UINT64_MAX, i,
					  UINT64_MAX - i, i * 7, 1ull << 40, i == 1 ? "" : "99", i * 3);
		if (strcmp(l, want))
			fail_msg("line %zu: '%s' wanted '%s'", i + 2, l, want);
		free(want);
		i++;
	}
	assert_int_equal(i, N);
	free(csv);
	mig_result_free(&r);
}

static void test_str_grows(void **state)
{
	struct mb_str s = MB_STR_INIT;
	char *big = host('x');
	(void)state;
	assert_string_equal(mb_str_cstr(&s), "");
	for (int i = 0; i < 1000; i++)
		mb_str_printf(&s, "%s%d\n", big, i);
	assert_int_equal(s.len, 1000 * 201 + 10 * 1 + 90 * 2 + 900 * 3);
	assert_int_equal(strlen(s.ptr), s.len);
	mb_str_clear(&s);
	assert_int_equal(s.len, 0);
	mb_str_putc(&s, 'a');
	mb_str_puts(&s, big);
	free(big);
	big = mb_str_detach(&s);
	assert_int_equal(strlen(big), 201);
	assert_null(s.ptr);
	free(big);
	big = mb_str_detach(&s); /* empty: "" not NULL */
	assert_string_equal(big, "");
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples_csv),
		cmocka_unit_test(test_polls_csv),
		cmocka_unit_test(test_str_grows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
