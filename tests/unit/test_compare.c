/* test_compare.c - `migbench compare`: Welch's t on hand-computed samples,
 * cells paired by settings (not ids), and the runs it refuses. */
#define _GNU_SOURCE
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/util.h"
#include "report/compare.h"

#define CLOSE(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))

/* {1,2,3} against {4,5,6,7}: means 2 and 5.5, sds 1 and 1.291, se 0.866,
 * Welch-Satterthwaite df 4.96 (t at 4 df: 2.776), CI 3.5 +- 2.404. */
static void test_welch_by_hand(void **state)
{
	struct cmp_stat s;
	(void)state;
	cmp_welch(2, 1, 3, 5.5, sqrt(5.0 / 3), 4, &s);
	CLOSE(s.diff, 3.5, 1e-12);
	CLOSE(s.df, 4.959183673, 1e-6);
	CLOSE(s.ci_low, 1.095913479, 1e-6);
	CLOSE(s.ci_high, 5.904086521, 1e-6);
	assert_true(s.significant);
	/* The same spread around means 0.5 apart: the CI holds 0. */
	cmp_welch(2, 1, 3, 2.5, sqrt(5.0 / 3), 4, &s);
	assert_true(s.ci_low < 0 && s.ci_high > 0);
	assert_false(s.significant);
	/* Equal variances and counts: df = 2(n-1). */
	cmp_welch(10, 2, 5, 11, 2, 5, &s);
	CLOSE(s.df, 8, 1e-9);
}

static void test_welch_edges(void **state)
{
	struct cmp_stat s;
	(void)state;
	/* One repetition: a difference, no interval. */
	cmp_welch(1, NAN, 1, 2, NAN, 1, &s);
	CLOSE(s.diff, 1, 1e-12);
	assert_true(isnan(s.ci_low) && isnan(s.ci_high) && isnan(s.df));
	assert_false(s.significant);
	/* No value on one side: not even a difference. */
	cmp_welch(NAN, NAN, 0, 2, 0.1, 3, &s);
	assert_true(isnan(s.diff));
	/* No spread anywhere: the interval is the difference itself. */
	cmp_welch(3, 0, 2, 3, 0, 2, &s);
	CLOSE(s.ci_low, 0, 0);
	assert_false(s.significant);
	cmp_welch(3, 0, 2, 4, 0, 2, &s);
	assert_true(s.significant);
}

/* ---- runs on disk ------------------------------------------------------------------ */

static char tmp[64];

static void put(const char *dir, const char *name, const char *text)
{
	char *path = mb_xasprintf("%s/%s", dir, name);
	FILE *f;
	mkdir(dir, 0755);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

/* A record: id, status ok, a config with delay and before, total_s. */
static char *rec(const char *id, double delay, double before, double total)
{
	return mb_xasprintf("{\"id\":\"%s\",\"status\":\"ok\",\"config\":{\"delay\":%g,\"workload\":\"cpuadd\","
			    "\"before\":%g,\"repeat\":2},\"migration\":{\"total_s\":%g}}\n",
			    id, delay, before, total);
}

/* dir/run.json planning ids (space separated), with schema version v. */
static void run_json(const char *dir, const char *ids, int v)
{
	char *planned = mb_xstrdup(""), *tok, *list = mb_xstrdup(ids), *json;
	for (tok = strtok(list, " "); tok; tok = strtok(NULL, " ")) {
		char *next = mb_xasprintf("%s%s\"%s\"", planned, *planned ? "," : "", tok);
		free(planned);
		planned = next;
	}
	json = mb_xasprintf("{\"schema_version\":%d,\"status\":\"ok\",\"planned\":[%s],"
			    "\"host\":{\"qemu\":\"QEMU 7.2\",\"libvirt\":\"9.0.0\"}}\n", v, planned);
	put(dir, "run.json", json);
	free(json);
	free(planned);
	free(list);
}

/* A run of two cells (delay 4 and 16 ms) with two repetitions, ids
 * prefixed by pfx, total_s shifted by add. */
static char *make_run(const char *name, const char *pfx, double add, double before)
{
	char *dir = mb_xasprintf("%s/%s", tmp, name), *lines = mb_xstrdup(""), *ids;
	const double tot[4] = { 1.0, 1.2, 2.0, 2.4 };
	for (int i = 0; i < 4; i++) {
		char *id = mb_xasprintf("%sd%dms-cpuadd-r%d", pfx, i < 2 ? 4 : 16, i % 2 + 1);
		char *r = rec(id, i < 2 ? 0.004 : 0.016, before, tot[i] + add), *next = mb_xasprintf("%s%s", lines, r);
		free(lines);
		lines = next;
		free(r);
		free(id);
	}
	mkdir(dir, 0755);
	put(dir, "scenarios.jsonl", lines);
	ids = mb_xasprintf("%sd4ms-cpuadd-r1 %sd4ms-cpuadd-r2 %sd16ms-cpuadd-r1 %sd16ms-cpuadd-r2", pfx, pfx, pfx, pfx);
	run_json(dir, ids, 1);
	free(ids);
	free(lines);
	return dir;
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/mbtest-compare-XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return mb_rm_rf(tmp) == MB_OK ? 0 : -1;
}

static void test_pairs_by_settings_not_ids(void **state)
{
	char *a = make_run("a", "", 0, 3), *b = make_run("b", "other-", 0.5, 3);
	const char *metric[] = { "migration.total_s" };
	struct cmp_opts o = { .metrics = metric, .nmetrics = 1 };
	struct cmp_result r;
	char *text;
	(void)state;
	assert_int_equal(cmp_runs(a, b, &o, &r), MB_OK);
	assert_int_equal(r.ncells, 2);
	assert_int_equal(r.nonly_a + r.nonly_b, 0);
	assert_string_equal(r.cells[0].name, "d4ms-cpuadd");
	assert_string_equal(r.cells[0].name_b, "other-d4ms-cpuadd");
	/* {1.0, 1.2} against {1.5, 1.7}: diff 0.5, sd 0.1414 each, se 0.1414,
	 * df 2, t 4.303: CI 0.5 +- 0.6085. */
	CLOSE(r.cells[0].m[0].diff, 0.5, 1e-9);
	CLOSE(r.cells[0].m[0].df, 2, 1e-9);
	CLOSE(r.cells[0].m[0].ci_high - r.cells[0].m[0].diff, 4.303 * sqrt(0.02), 1e-6);
	assert_false(r.cells[0].m[0].significant);
	assert_int_equal(r.cells[0].m[0].na, 2);
	text = cmp_text(&r);
	assert_non_null(strstr(text, "d16ms-cpuadd"));
	free(text);
	cmp_free(&r);
	free(a);
	free(b);
}

static void expect_refused(const char *a, const char *b, const struct cmp_opts *o, const char *words)
{
	struct cmp_result r;
	assert_int_equal(cmp_runs(a, b, o, &r), MB_EINPUT);
	if (!strstr(mb_errmsg(), words))
		fail_msg("'%s' not in: %s", words, mb_errmsg());
}

static void test_refusals(void **state)
{
	char *a = make_run("ra", "", 0, 3), *b = make_run("rb", "", 0, 5), *c = make_run("rc", "", 0, 3);
	char *none = mb_xasprintf("%s/nothing", tmp), *half = make_run("half", "", 0, 3);
	char *other = mb_xasprintf("%s/other", tmp), *newer = make_run("newer", "", 0, 3);
	char *r1 = rec("x-r1", 0.064, 3, 1);
	const char *bad_metric[] = { "migration.nonsense" }, *ign[] = { "before" };
	struct cmp_opts o = { 0 }, om = { .metrics = bad_metric, .nmetrics = 1 }, oi = { .ignore = ign, .nignore = 1 };
	struct cmp_result r;
	(void)state;
	mkdir(none, 0755);
	expect_refused(none, a, &o, "not a migbench run directory");
	/* The baseline window differs: a protocol key, named with both values. */
	expect_refused(a, b, &o, "before (A: 3; B: 5)");
	/* ... unless asked to pair across it. */
	assert_int_equal(cmp_runs(a, b, &oi, &r), MB_OK);
	assert_int_equal(r.ncells, 2);
	cmp_free(&r);
	/* Planned but never recorded. */
	run_json(half, "d4ms-cpuadd-r1 d4ms-cpuadd-r2 d16ms-cpuadd-r1 d16ms-cpuadd-r2 d64ms-cpuadd-r1", 1);
	expect_refused(a, half, &o, "half-written: 1 of 5 planned scenarios are missing (d64ms-cpuadd-r1)");
	/* A schema from the future. */
	run_json(newer, "d4ms-cpuadd-r1 d4ms-cpuadd-r2 d16ms-cpuadd-r1 d16ms-cpuadd-r2", 99);
	expect_refused(newer, a, &o, "schema version 99");
	/* Nothing in common: the delay differs. */
	put(other, "scenarios.jsonl", r1);
	run_json(other, "x-r1", 1);
	expect_refused(c, other, &o, "share no cell");
	expect_refused(c, other, &o, "delay (A: 0.004, 0.016; B: 0.064)");
	expect_refused(a, c, &om, "not a numeric key");
	free(a);
	free(b);
	free(c);
	free(none);
	free(half);
	free(other);
	free(newer);
	free(r1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_welch_by_hand),
		cmocka_unit_test(test_welch_edges),
		cmocka_unit_test(test_pairs_by_settings_not_ids),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
