/* test_enum.c - every enum's name table (core/enum.h): each value's name
 * reads back as that value, unknown names are -1, out-of-range values give
 * "?" (never NULL, never a crash), and the option table's enum keys use the
 * owners' tables themselves, not copies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/enum.h"
#include "hostmon/ksm.h"
#include "migrate/domain.h"
#include "migrate/migrate.h"
#include "link/link.h"
#include "profile/options.h"
#include "storage/store.h"
#include "workloads/cmdline.h"

struct table {
	const char *name;
	const char *const *names;
	int last;
	const char *(*to_string)(int v);
	int (*from_string)(const char *s);
};

#define T(n, last) { #n, n##_names, last, n##_to_string, n##_from_string }
static const struct table tables[] = {
	T(wl_kind, WL_KIND_LAST),           T(link_path, LINK_PATH_LAST),
	T(jitter_dist, JITTER_DIST_LAST),   T(link_backend, LINK_BACKEND_LAST),
	T(compression, COMPRESSION_LAST),   T(virt_type, VIRT_TYPE_LAST),
	T(storage_mode, STORAGE_MODE_LAST), T(guest_mode, GUEST_MODE_LAST),
	T(run_order, RUN_ORDER_LAST),       T(resident_pattern, RESIDENT_PATTERN_LAST),
	T(target_site, TARGET_SITE_LAST),   T(guest_start, GUEST_START_LAST),
	T(nb_site, NB_SITE_LAST),
	T(ksm_mode, KSM_MODE_LAST),
};

static void test_round_trip(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		const struct table *e = &tables[t];
		assert_true(e->last > 0);
		for (int v = 0; v < e->last; v++) {
			const char *s = e->to_string(v);
			assert_non_null(s);
			assert_true(s[0] != '\0');
			assert_string_equal(s, e->names[v]);
			assert_int_equal(e->from_string(s), v);
			/* No two values share a name. */
			for (int w = 0; w < v; w++)
				assert_string_not_equal(e->names[w], s);
		}
		assert_null(e->names[e->last]); /* NULL-terminated for the option table */
	}
}

static void test_unknown_and_out_of_range(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		const struct table *e = &tables[t];
		assert_int_equal(e->from_string("no-such-name"), -1);
		assert_int_equal(e->from_string(""), -1);
		assert_int_equal(e->from_string(NULL), -1);
		assert_int_equal(e->from_string("?"), -1);
		/* Names are exact: a prefix or another case is not the name. */
		{
			char pre[64];
			snprintf(pre, sizeof(pre), "%.*s", (int)strlen(e->names[0]) - 1, e->names[0]);
			assert_int_equal(e->from_string(pre), -1);
		}
		assert_string_equal(e->to_string(-1), "?");
		assert_string_equal(e->to_string(e->last), "?");
		assert_string_equal(e->to_string(e->last + 1000), "?");
		assert_string_equal(e->to_string(-2147483647 - 1), "?");
	}
	assert_int_equal(wl_kind_from_string("CPUADD"), -1);
}

/* Values the record, the guest and the hosts depend on: a renamed constant
 * or a reordered table shows here. */
static void test_known_names(void **state)
{
	(void)state;
	assert_string_equal(wl_kind_to_string(WL_MEMDIRTY), "memdirty");
	assert_string_equal(link_path_to_string(PATH_STORAGE), "storage");
	assert_string_equal(jitter_dist_to_string(DIST_PARETONORMAL), "paretonormal");
	assert_string_equal(link_backend_to_string(LINKB_DELAYLINE), link_delayline_ops.name);
	assert_string_equal(link_backend_to_string(LINKB_NETEM), link_netem_ops.name);
	assert_string_equal(compression_to_string(COMP_ZSTD), "zstd");
	assert_string_equal(virt_type_to_string(VIRT_KVM), "kvm");
	assert_string_equal(storage_mode_to_string(STORE_OPENISCSI), store_openiscsi_ops.name);
	assert_string_equal(storage_mode_to_string(STORE_LIBISCSI), store_libiscsi_ops.name);
	assert_string_equal(guest_mode_to_string(GUEST_PINGPONG), "pingpong");
	assert_string_equal(run_order_to_string(ORDER_RANDOM), "random");
	assert_string_equal(resident_pattern_to_string(RESIDENT_SAME), "same");
	assert_string_equal(ksm_mode_to_string(KSM_OFF), "off");
}

/* Every enum key of the option table lists one of the owners' tables, and
 * its default is one of the names. */
static void test_option_table_uses_them(void **state)
{
	bool used[sizeof(tables) / sizeof(tables[0])] = { false };
	(void)state;
	for (size_t i = 0; i < mb_noptions; i++) {
		const struct mb_option *o = &mb_options[i];
		bool found = false;
		if (o->type != OPT_ENUM)
			continue;
		for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
			if (o->enums == tables[t].names) {
				found = used[t] = true;
				assert_true(tables[t].from_string(o->def) >= 0);
			}
		if (!found)
			fail_msg("option %s has its own copy of the names", o->full);
	}
	/* Every table is some option's (workload and neighbour_workload share one). */
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		assert_true(used[t]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_unknown_and_out_of_range),
		cmocka_unit_test(test_known_names),
		cmocka_unit_test(test_option_table_uses_them),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
