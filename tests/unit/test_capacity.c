/* test_capacity.c - several guests in the plan: the capacity figures, the
 * check's message, the cross-key refusals and the vcpu_pin syntax. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "plan/capacity.h"
#include "plan/plan.h"
#include "profile/profile.h"
#include "profile/values.h"

#define MiB (1ull << 20)

static struct mb_config cfg(uint64_t mem, int vms, int nb, int site, bool migrate)
{
	struct mb_config c;
	opt_defaults(&c);
	c.memory = mem;
	c.migrate_vms = vms;
	c.neighbours = nb;
	c.neighbour_site = site;
	c.migrate = migrate;
	return c;
}

static void test_capacity_counts(void **state)
{
	struct capacity k;
	struct mb_config c = cfg(256 * MiB, 1, 0, NB_SOURCE, true);
	(void)state;
	capacity_of(&c, &k);
	/* One guest, and its copy arriving on the destination. */
	assert_int_equal(k.on_source, 1);
	assert_int_equal(k.on_destination, 0);
	assert_int_equal(k.incoming, 1);
	assert_true(k.peak == 2 * (256 * MiB + CAP_QEMU_OVERHEAD));
	c = cfg(256 * MiB, 2, 3, NB_BOTH, true);
	capacity_of(&c, &k);
	assert_int_equal(k.on_source, 5);
	assert_int_equal(k.on_destination, 3);
	assert_int_equal(k.incoming, 2);
	assert_true(k.peak == 10 * (256 * MiB + CAP_QEMU_OVERHEAD));
	c = cfg(256 * MiB, 1, 2, NB_DESTINATION, false);
	capacity_of(&c, &k);
	assert_int_equal(k.on_source, 1);
	assert_int_equal(k.on_destination, 2);
	assert_int_equal(k.incoming, 0); /* migrate = no: nothing arrives */
	assert_true(k.peak == 3 * (256 * MiB + CAP_QEMU_OVERHEAD));
}

static void test_capacity_check(void **state)
{
	struct mb_config c = cfg(1024 * MiB, 1, 1, NB_SOURCE, true);
	(void)state;
	/* 3 x 1088 MiB = 3264 MiB. */
	assert_int_equal(capacity_check(&c, 3264 * MiB, 4096 * MiB, 832 * MiB), MB_OK);
	assert_int_equal(capacity_check(&c, 3263 * MiB, 4095 * MiB, 832 * MiB), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "need 3264 MiB"));
	assert_non_null(strstr(mb_errmsg(), "2 on the source, 0 on the destination + 1 arriving"));
	assert_non_null(strstr(mb_errmsg(), "can give: 3263 MiB (MemAvailable 4095 MiB minus a 832 MiB"));
	/* Unknown capacity: not checked. */
	assert_int_equal(capacity_check(&c, 0, 0, 0), MB_OK);
}

static void test_capacity_host(void **state)
{
	uint64_t avail, margin;
	(void)state;
	setenv("MIGBENCH_MEM_AVAILABLE", "1073741824", 1);
	assert_true(capacity_host(&avail, &margin) == 1073741824ull);
	assert_true(margin == 0);
	unsetenv("MIGBENCH_MEM_AVAILABLE");
	/* This machine: a margin of at least CAP_MARGIN_MIN below MemAvailable. */
	if (capacity_host(&avail, &margin)) {
		assert_true(margin >= CAP_MARGIN_MIN);
		assert_true(capacity_host(&avail, &margin) <= avail);
	}
}

static void test_vcpu_pin(void **state)
{
	int cpus[4], n;
	(void)state;
	assert_int_equal(value_vcpu_pin("none", cpus, 4, &n), MB_OK);
	assert_int_equal(n, 0);
	assert_int_equal(value_vcpu_pin("spread", cpus, 4, &n), MB_OK);
	assert_int_equal(n, -1);
	assert_int_equal(value_vcpu_pin("0,1,3", cpus, 4, &n), MB_OK);
	assert_int_equal(n, 3);
	assert_int_equal(cpus[2], 3);
	assert_int_equal(value_vcpu_pin("0,,1", cpus, 4, &n), MB_EINPUT);
	assert_int_equal(value_vcpu_pin("1024", cpus, 4, &n), MB_EINPUT);
	assert_int_equal(value_vcpu_pin("0,1,2,3,0", cpus, 4, &n), MB_EINPUT);
	assert_int_equal(value_vcpu_pin("x", cpus, 4, &n), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "vcpu_pin: 'x'"));
	/* emulator_pin and lab_pin: none or a list, never spread; the message
	 * names the key it is about. */
	assert_int_equal(value_cpu_list("emulator_pin", "none", cpus, 4, &n), MB_OK);
	assert_int_equal(n, 0);
	assert_int_equal(value_cpu_list("emulator_pin", "0", cpus, 4, &n), MB_OK);
	assert_int_equal(n, 1);
	assert_int_equal(cpus[0], 0);
	assert_int_equal(value_cpu_list("lab_pin", "spread", cpus, 4, &n), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "lab_pin: 'spread' is not none or a list"));
	assert_int_equal(value_cpu_list("emulator_pin", "-1", cpus, 4, &n), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "emulator_pin: '-1'"));
}

/* The plan refuses what the runner does not combine, and guests that do
 * not fit, with file:line. */
static char *plan_errors(const char *text)
{
	static char all[4096];
	struct profile *p = NULL;
	struct plan pl;
	int rc = profile_load_string("t.ini", text, &p);
	assert_int_equal(rc, MB_OK);
	rc = plan_build(p, &pl);
	all[0] = '\0';
	for (int i = 0; i < p->nerrors; i++)
		snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s\n", p->errors[i]);
	plan_free(&pl);
	profile_free(p);
	return rc == MB_EINPUT ? all : NULL;
}

static void test_plan_refusals(void **state)
{
	char *e;
	(void)state;
	setenv("MIGBENCH_MEM_AVAILABLE", "8589934592", 1);
	assert_null(plan_errors("[global]\nneighbours = 2\nneighbour_site = both\nmigrate_vms = 2\n"));
	e = plan_errors("[global]\nguest_mode = pingpong\nneighbours = 1\n");
	assert_non_null(e);
	assert_non_null(strstr(e, "t.ini:3: guest_mode = pingpong keeps one guest"));
	e = plan_errors("[global]\nmigrate = no\nmigrate_vms = 2\n");
	assert_non_null(e);
	assert_non_null(strstr(e, "migrate_vms and migrate_stagger need migrate = yes"));
	unsetenv("MIGBENCH_MEM_AVAILABLE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capacity_counts),
		cmocka_unit_test(test_capacity_check),
		cmocka_unit_test(test_capacity_host),
		cmocka_unit_test(test_vcpu_pin),
		cmocka_unit_test(test_plan_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
