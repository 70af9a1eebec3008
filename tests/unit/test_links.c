/* test_links.c - named links: [link.NAME] sections, the built-in presets,
 * scenario ids, precedence and their errors; the tcp_buffers key; the
 * per-direction rates into link_params; TCP sysctl parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/util.h"
#include "link/link.h"
#include "plan/plan.h"
#include "profile/links.h"
#include "profile/options_json.h"
#include "profile/params.h"
#include "profile/profile.h"
#include "profile/values.h"

static struct profile *load(const char *text)
{
	struct profile *p = NULL;
	int rc = profile_load_string("t.ini", text, &p);
	assert_true(rc == MB_OK || rc == MB_EINPUT);
	assert_non_null(p);
	return p;
}

/* The plan of text, which must have no errors. */
static void plan_ok(const char *text, struct profile **p, struct plan *pl)
{
	*p = load(text);
	if (plan_build(*p, pl) != MB_OK) {
		profile_print_errors(*p, stderr);
		fail();
	}
}

/* text must fail with an error at t.ini:line that contains want. */
static void plan_fails(const char *text, int line, const char *want)
{
	struct profile *p = load(text);
	struct plan pl;
	char where[32];
	bool found = false;
	assert_int_equal(plan_build(p, &pl), MB_EINPUT);
	snprintf(where, sizeof(where), "t.ini:%d: ", line);
	for (int i = 0; i < p->nerrors; i++)
		found |= mb_str_starts(p->errors[i], where) && strstr(p->errors[i], want);
	if (!found) {
		fprintf(stderr, "wanted '%s%s...', got:\n", where, want);
		profile_print_errors(p, stderr);
	}
	assert_true(found);
	plan_free(&pl);
	profile_free(p);
}

static void test_presets_parse(void **state)
{
	struct profile *p = profile_empty();
	(void)state;
	/* Every preset's values parse (profile_link_apply aborts otherwise)
	 * and each names its source. */
	for (const struct link_preset *l = link_presets; l->name; l++) {
		struct mb_config c;
		opt_defaults(&c);
		c.link = l->name;
		assert_true(l->delay && l->source && l->source[0] && l->about);
		assert_true(mb_safe_name(l->name) && strlen(l->name) <= 40);
		profile_link_apply(p, &c);
		assert_true(c.delay_ns >= 0 && c.rate >= 0);
	}
	assert_null(link_preset_find("nosuch"));
	assert_non_null(link_preset_find("study64"));
	profile_free(p);
}

static void test_preset_values(void **state)
{
	struct profile *p;
	struct plan pl;
	static const char *const want[] = { "study0-cpuadd-r1",  "study0-seqread-r1",
					    "study4-cpuadd-r1",  "study4-seqread-r1",
					    "study16-cpuadd-r1", "study16-seqread-r1",
					    "study64-cpuadd-r1", "study64-seqread-r1" };
	static const double rate[] = { 840.2e6, 609.61e6, 151.79e6, 104.29e6 };
	static const int64_t delay[] = { 0, 4000000, 16000000, 64000000 };
	(void)state;
	plan_ok("[global]\nlink = study0,study4,study16,study64\nworkload = cpuadd,seqread\n", &p, &pl);
	assert_int_equal(pl.n, 8);
	for (int i = 0; i < 8; i++) {
		struct link_params lp;
		assert_string_equal(pl.sc[i].id, want[i]);
		assert_true(pl.sc[i].cfg.delay_ns == delay[i / 2]);
		assert_true(pl.sc[i].cfg.rate == rate[i / 2]);
		link_params_from_config(&pl.sc[i].cfg, &lp);
		assert_true(lp.rate == rate[i / 2] && lp.rate_ba == rate[i / 2]);
	}
	plan_free(&pl);
	profile_free(p);
}

static void test_sections_and_ids(void **state)
{
	struct profile *p;
	struct plan pl;
	struct link_params lp;
	(void)state;
	plan_ok("[global]\nlink = a,b\nworkload = cpuadd\nrepeat = 2\n"
		"[link.a]\ndelay = 4ms\nrate = 50MB/s\n"
		"[link.b]\ndelay = 16ms\njitter = 1ms\nloss = 1%\nrate_up = 100Mbit\nrate_down = 20Mbit\n",
		&p, &pl);
	assert_int_equal(pl.n, 4);
	assert_string_equal(pl.sc[0].id, "a-cpuadd-r1");
	assert_string_equal(pl.sc[1].id, "a-cpuadd-r2");
	assert_string_equal(pl.sc[2].id, "b-cpuadd-r1");
	assert_true(pl.sc[0].cfg.delay_ns == 4000000 && pl.sc[0].cfg.rate == 50e6);
	/* b's keys, and none of a's left over. */
	assert_true(pl.sc[2].cfg.delay_ns == 16000000 && pl.sc[2].cfg.jitter_ns == 1000000);
	assert_true(pl.sc[2].cfg.rate == 0 && pl.sc[2].cfg.loss == 0.01);
	link_params_from_config(&pl.sc[2].cfg, &lp);
	assert_true(lp.rate == 12.5e6 && lp.rate_ba == 2.5e6);
	/* The profile as run.json echoes it: one delay per link. */
	{
		json_object *o = opt_profile_json(p, &pl.run), *e, *set, *d;
		e = json_object_array_get_idx(json_object_object_get(o, "experiments"), 0);
		set = json_object_object_get(e, "settings");
		d = json_object_object_get(set, "delay");
		assert_true(json_object_is_type(d, json_type_array) && json_object_array_length(d) == 2);
		assert_true(json_object_get_double(json_object_array_get_idx(d, 1)) == 0.016);
		assert_int_equal(json_object_array_length(json_object_object_get(set, "link")), 2);
		json_object_put(o);
	}
	plan_free(&pl);
	profile_free(p);

	/* Experiments: the section name first; a profile's section replaces a
	 * preset of the same name as a whole. */
	plan_ok("[link.study64]\ndelay = 60ms\n[e1]\nlink = study64\n[e2]\nlink = study16\n", &p, &pl);
	assert_int_equal(pl.n, 2);
	assert_string_equal(pl.sc[0].id, "e1-study64-cpuadd-r1");
	assert_string_equal(pl.sc[1].id, "e2-study16-cpuadd-r1");
	assert_true(pl.sc[0].cfg.delay_ns == 60000000 && pl.sc[0].cfg.rate == 0);
	assert_true(pl.sc[1].cfg.rate == 151.79e6);
	plan_free(&pl);
	profile_free(p);

	/* Without link, ids are as they were; with a link, other list keys still
	 * show; the link comes first. */
	plan_ok("[global]\ndelay = 4,16ms\n", &p, &pl);
	assert_string_equal(pl.sc[1].id, "d16ms-cpuadd-r1");
	plan_free(&pl);
	profile_free(p);
	plan_ok("[global]\nworkload = seqread\nmax_downtime = 100ms,300ms\nlink = az\n", &p, &pl);
	assert_string_equal(pl.sc[1].id, "az-seqread-dt300ms-r1");
	plan_free(&pl);
	profile_free(p);
}

static void test_link_errors(void **state)
{
	(void)state;
	plan_fails("[global]\nlink = nope\n", 2, "link 'nope': no [link.nope] section");
	plan_fails("[global]\nlink = x\n[link.x]\nrate = 10Mbit\n", 3,
		   "[link.x] has no delay: a link needs its round-trip time, not only a rate");
	plan_fails("[global]\nlink = x\n[link.x]\ndelay = 4ms\nworkload = idle\n", 5,
		   "'workload' is not a link key: [link.x] takes delay");
	plan_fails("[link.x]\ndelai = 4ms\n", 2, "did you mean 'delay'?");
	plan_fails("[link.a$b]\ndelay = 1ms\n", 1, "link name [link.a$b]");
	plan_fails("[link]\ndelay = 1ms\n", 1, "a link section needs a name");
	plan_fails("[global]\nlink = a/b\n", 2, "link 'a/b': a link name has 1-40 letters");
	plan_fails("[global]\nlink = x\n[link.x]\ndelay = 4,16ms\n", 4, "a link has one value per key");
	plan_fails("[link.x]\ndelay = 1ms\n[link.x]\ndelay = 2ms\n", 3, "appears twice");
	/* Precedence: an explicit link key beside a link, from any layer. */
	plan_fails("[global]\nlink = study4\ndelay = 4ms\n", 3,
		   "delay cannot be set beside link (link = study4 at t.ini:2)");
	plan_fails("[global]\nrate = 1Gbit\n[e1]\nlink = study4\n", 2, "rate cannot be set beside link");
	plan_fails("[global]\nlink = x\n[link.x]\ndelay = 4ms\njitter = 3ms\n", 5,
		   "jitter (3000 us) must not exceed half the delay");
	/* The command line: an unknown name, or a key beside a link. */
	{
		struct profile *p = load("[global]\nlink = study4\n");
		struct plan pl;
		assert_int_equal(profile_override(p, "delay", "16ms"), MB_OK);
		assert_int_equal(plan_build(p, &pl), MB_EINPUT);
		assert_true(p->nerrors == 1 && strstr(p->errors[0], "command line: delay cannot be set"));
		plan_free(&pl);
		profile_free(p);
		p = load("[global]\n");
		assert_int_equal(profile_override(p, "link", "study16"), MB_OK);
		assert_int_equal(plan_build(p, &pl), MB_OK);
		assert_string_equal(pl.sc[0].id, "study16-cpuadd-r1");
		plan_free(&pl);
		assert_int_equal(profile_override(p, "link", "zz"), MB_OK);
		assert_int_equal(plan_build(p, &pl), MB_EINPUT);
		assert_non_null(strstr(p->errors[0], "link 'zz'"));
		plan_free(&pl);
		profile_free(p);
	}
}

static void test_tcp_buffers_key(void **state)
{
	struct profile *p;
	struct plan pl;
	int mode;
	uint64_t bytes;
	(void)state;
	assert_int_equal(value_tcp_buffers("os", &mode, &bytes), MB_OK);
	assert_int_equal(mode, TCPBUF_OS);
	assert_int_equal(value_tcp_buffers("bdp", &mode, &bytes), MB_OK);
	assert_int_equal(mode, TCPBUF_BDP);
	assert_int_equal(value_tcp_buffers("16MiB", &mode, &bytes), MB_OK);
	assert_true(mode == TCPBUF_SIZE && bytes == 16u << 20);
	assert_int_equal(value_tcp_buffers("size", &mode, &bytes), MB_EINPUT);
	assert_int_equal(value_tcp_buffers("1KiB", &mode, &bytes), MB_EINPUT);
	assert_int_equal(value_tcp_buffers("2GiB", &mode, &bytes), MB_EINPUT);
	plan_ok("[global]\ntcp_buffers = os\n", &p, &pl);
	assert_int_equal(tcp_buffers_from_config(&pl.sc[0].cfg, &mode, &bytes), MB_OK);
	assert_int_equal(mode, TCPBUF_OS);
	plan_free(&pl);
	profile_free(p);
	plan_fails("[global]\ntcp_buffers = lots\n", 2, "tcp_buffers: 'lots' is not os, bdp or a size");
	/* The key it replaced is refused with what to write instead. */
	plan_fails("[global]\ntcp_buffer_max = 64MiB\n", 2, "replaced by tcp_buffers");
	p = profile_empty();
	assert_int_equal(profile_override(p, "tcp_buffer_max", "1MiB"), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "replaced by tcp_buffers"));
	profile_free(p);
}

static void test_tcp_sysctls(void **state)
{
	struct link_tcp_buffers b;
	struct link_params lp = { .delay_ns = 64000000, .rate = 1e6, .rate_ba = 100e6 };
	(void)state;
	assert_int_equal(link_tcp_buffers_parse("4096\t131072\t6291456\n4096\t16384\t4194304\n212992\n212992\n", &b),
			 MB_OK);
	assert_true(b.rmem[2] == 6291456 && b.wmem[1] == 16384 && b.core_rmem_max == 212992 &&
		    b.core_wmem_max == 212992);
	assert_int_equal(link_tcp_buffers_parse("4096 131072 6291456\n", &b), MB_EINTERNAL);
	assert_int_equal(link_tcp_buffers_parse("1 2 3 4 5 6 7 8 9", &b), MB_EINTERNAL);
	assert_int_equal(link_tcp_buffers_parse(NULL, &b), MB_EINTERNAL);
	link_tcp_buffers_sized(8u << 20, &b);
	assert_true(b.rmem[0] == 4096 && b.rmem[1] == 131072 && b.rmem[2] == 8u << 20);
	assert_true(b.wmem[1] == 16384 && b.wmem[2] == 8u << 20);
	/* The BDP is the faster direction's. */
	assert_true(link_tcp_buffer_for(&lp) == 12800000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_presets_parse),
		cmocka_unit_test(test_preset_values),
		cmocka_unit_test(test_sections_and_ids),
		cmocka_unit_test(test_link_errors),
		cmocka_unit_test(test_tcp_buffers_key),
		cmocka_unit_test(test_tcp_sysctls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
