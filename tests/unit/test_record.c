/* test_record.c - run directories, crash-tolerant scenarios.jsonl, the
 * summary, shard merging with duplicate detection. */
#define _GNU_SOURCE
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/util.h"
#include "plan/plan.h"
#include "profile/options_json.h"
#include "record/record.h"
#include "report/report.h"

static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mbtest-record-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(mb_rm_rf(tmpdir), MB_OK);
	return 0;
}

static struct profile *prof;
static struct plan pl;

static void make_plan(void)
{
	assert_int_equal(profile_load_string("t.ini", "[global]\ndelay=0,16ms\nworkload=cpuadd\n", &prof),
			 MB_OK);
	assert_int_equal(plan_build(prof, &pl), MB_OK);
}

/* What cmd_run records of a plan. */
static struct res_run_info *info(void)
{
	static struct res_run_info i;
	i = (struct res_run_info){ .profile_path = prof->path,
				   .profile = opt_profile_json(prof, &pl.run),
				   .planned_total = pl.ntotal };
	return &i;
}

static json_object *rec(const char *id, const char *status, double total, double ratio)
{
	json_object *o = json_object_new_object(), *m = json_object_new_object(),
		    *r = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "status", json_object_new_string(status));
	json_object_object_add(o, "workload", json_object_new_string("cpuadd"));
	json_object_object_add(o, "delay_ms", json_object_new_double(16));
	json_object_object_add(m, "total_s", json_object_new_double(total));
	json_object_object_add(m, "bytes", json_object_new_int64(123456789));
	json_object_object_add(o, "migration", m);
	json_object_object_add(r, "during", json_object_new_double(ratio));
	json_object_object_add(o, "ratio", r);
	json_object_object_add(o, "error", status[0] == 'o' ? NULL : json_object_new_string("boom, \"quoted\""));
	return o;
}

static void test_run_dir(void **state)
{
	struct res_run r, again;
	char *dir = mb_xasprintf("%s/run1", tmpdir), *p;
	json_object **objs, *o;
	int n, bad;
	(void)state;
	make_plan();
	assert_int_equal(res_run_create(&r, dir, info(), "migbench run t.ini"), MB_OK);
	o = rec("d0ms-cpuadd-r1", "ok", 1.5, 0.7);
	assert_int_equal(res_append_scenario(&r, o), MB_OK);
	json_object_put(o);
	o = rec("d16ms-cpuadd-r1", "failed", NAN, NAN);
	assert_int_equal(res_append_scenario(&r, o), MB_OK);
	json_object_put(o);
	assert_int_equal(res_run_finish(&r, "failed", 1, 1, 0), MB_OK);
	res_run_close(&r);

	/* A second create in the same directory is refused (use --resume). */
	assert_int_equal(res_run_create(&again, dir, info(), "x"), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "--resume"));

	/* run.json parses and carries what the record promises. */
	assert_int_equal(res_run_open(&r, dir), MB_OK);
	assert_int_equal(json_object_get_int(json_object_object_get(r.run, "schema_version")),
			 MB_SCHEMA_VERSION);
	assert_string_equal(json_object_get_string(json_object_object_get(r.run, "status")), "failed");
	assert_non_null(json_object_object_get(r.run, "end_time"));
	assert_non_null(json_object_object_get(json_object_object_get(r.run, "host"), "kernel"));
	assert_non_null(json_object_object_get(json_object_object_get(r.run, "profile"), "text"));
	res_run_close(&r);

	/* A crash mid-append leaves a torn last line: readers skip it. */
	p = mb_xasprintf("%s/scenarios.jsonl", dir);
	assert_int_equal(mb_append_fsync(p, "{\"id\":\"d64ms-cpu", 16), MB_OK);
	assert_int_equal(res_read_scenarios(dir, &objs, &n, &bad), MB_OK);
	assert_int_equal(n, 2);
	assert_int_equal(bad, 1);
	assert_string_equal(json_object_get_string(json_object_object_get(objs[1], "id")), "d16ms-cpuadd-r1");
	res_free_scenarios(objs, n);
	free(p);
	free(dir);
	plan_free(&pl);
	profile_free(prof);
}

static void test_summary_matches_records(void **state)
{
	struct res_run r;
	struct rep_set set;
	char *dir = mb_xasprintf("%s/run2", tmpdir), *csv;
	const char *dirs[1];
	json_object *o;
	(void)state;
	make_plan();
	assert_int_equal(res_run_create(&r, dir, info(), "x"), MB_OK);
	o = rec("a", "ok", 2.25, 0.5);
	assert_int_equal(res_append_scenario(&r, o), MB_OK);
	json_object_put(o);
	o = rec("b", "failed", NAN, NAN);
	assert_int_equal(res_append_scenario(&r, o), MB_OK);
	json_object_put(o);
	/* b retried in the same run: the last record wins. */
	o = rec("b", "ok", 3.5, 0.25);
	assert_int_equal(res_append_scenario(&r, o), MB_OK);
	json_object_put(o);
	res_run_close(&r);
	dirs[0] = dir;
	assert_int_equal(rep_load(dirs, 1, &set), MB_OK);
	assert_int_equal(set.n, 2);
	assert_int_equal(set.duplicates, 0);
	csv = rep_summary_csv(&set);
	assert_non_null(strstr(csv, "\na,,,ok,,cpuadd,")); /* no outcome: a schema 1 record */
	assert_non_null(strstr(csv, ",2.25,"));
	assert_non_null(strstr(csv, ",3.5,"));
	assert_null(strstr(csv, "boom")); /* the failed record was replaced */
	assert_true(set.rows[1].total_s == 3.5);
	assert_true(isnan(set.rows[0].pause_s));
	/* Both rows are one cell (same settings and delay): its repetitions,
	 * then mean, 95% CI and CV of the migration time (2.25 and 3.5 s). */
	assert_non_null(strstr(csv, ",cell,cell_repetitions,cell_migration_total_s_mean,"
				    "cell_migration_total_s_ci95,cell_migration_total_s_cv,"));
	assert_non_null(strstr(csv, ",\"16 ms cpuadd\",2,2.875,7.94125"));
	assert_non_null(strstr(csv, ",0.307437"));
	free(csv);
	rep_free(&set);
	free(dir);
	plan_free(&pl);
	profile_free(prof);
}

static void test_merge_shards_reports_duplicates(void **state)
{
	struct res_run r1, r2;
	struct rep_set set;
	char *d1 = mb_xasprintf("%s/s1", tmpdir), *d2 = mb_xasprintf("%s/s2", tmpdir);
	const char *dirs[2] = { d1, d2 };
	json_object *o;
	(void)state;
	make_plan();
	assert_int_equal(res_run_create(&r1, d1, info(), "x"), MB_OK);
	assert_int_equal(res_run_create(&r2, d2, info(), "x"), MB_OK);
	o = rec("a", "ok", 1, 1);
	assert_int_equal(res_append_scenario(&r1, o), MB_OK);
	assert_int_equal(res_append_scenario(&r2, o), MB_OK); /* same id in both shards */
	json_object_put(o);
	o = rec("c", "ok", 1, 1);
	assert_int_equal(res_append_scenario(&r2, o), MB_OK);
	json_object_put(o);
	res_run_close(&r1);
	res_run_close(&r2);
	assert_int_equal(rep_load(dirs, 2, &set), MB_OK);
	assert_int_equal(set.n, 2);
	assert_int_equal(set.duplicates, 1);
	rep_free(&set);
	free(d1);
	free(d2);
	plan_free(&pl);
	profile_free(prof);
}

static void test_t95(void **state)
{
	(void)state;
	assert_true(fabs(rep_t95(1) - 12.706) < 1e-9);
	assert_true(fabs(rep_t95(4) - 2.776) < 1e-9);
	assert_true(rep_t95(1000) == 1.96);
	assert_true(isnan(rep_t95(0)));
}

static void test_config_json_base_units(void **state)
{
	struct mb_config c;
	json_object *o;
	(void)state;
	opt_defaults(&c);
	c.delay_ns = 16000000;
	c.memory = 256u << 20;
	o = opt_config_json(&c, 1u << SCOPE_SCENARIO);
	assert_true(json_object_get_double(json_object_object_get(o, "delay")) == 0.016);
	assert_int_equal(json_object_get_int64(json_object_object_get(o, "memory")), 268435456);
	assert_string_equal(json_object_get_string(json_object_object_get(o, "workload")), "cpuadd");
	assert_null(json_object_object_get(o, "lab.name")); /* other scopes left out */
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_run_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_summary_matches_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_shards_reports_duplicates, setup, teardown),
		cmocka_unit_test(test_t95),
		cmocka_unit_test(test_config_json_base_units),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
