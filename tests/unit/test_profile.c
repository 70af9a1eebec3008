/* test_profile.c - units, the option table, profile loading and errors,
 * matrix expansion, scenario ids and shards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/util.h"
#include "plan/plan.h"
#include "profile/profile.h"
#include "profile/units.h"

static double parse(enum unit_kind k, const char *s, const char *bare)
{
	double v = -1;
	assert_int_equal(unit_parse(k, s, bare, &v), MB_OK);
	return v;
}

static void test_units_parse(void **state)
{
	(void)state;
	assert_true(parse(UNIT_DURATION, "16ms", NULL) == 16e6);
	assert_true(parse(UNIT_DURATION, "1.5s", NULL) == 1.5e9);
	assert_true(parse(UNIT_DURATION, " 250 us ", NULL) == 250e3);
	assert_true(parse(UNIT_DURATION, "2min", NULL) == 120e9);
	assert_true(parse(UNIT_DURATION, "0", NULL) == 0);
	assert_true(parse(UNIT_DURATION, "4", "ms") == 4e6);
	assert_true(parse(UNIT_SIZE, "256MiB", NULL) == 268435456.0);
	assert_true(parse(UNIT_SIZE, "256M", NULL) == 268435456.0);
	assert_true(parse(UNIT_SIZE, "1GB", NULL) == 1e9);
	assert_true(parse(UNIT_SIZE, "4kB", NULL) == 4000);
	assert_true(parse(UNIT_SIZE, "1e3B", NULL) == 1000);
	assert_true(parse(UNIT_RATE, "1Gbit", NULL) == 125e6);
	assert_true(parse(UNIT_RATE, "100Mbit/s", NULL) == 12.5e6);
	assert_true(parse(UNIT_RATE, "64MiB/s", NULL) == 64 * 1048576.0);
	assert_true(parse(UNIT_RATE, "10 MB/s", NULL) == 10e6);
	assert_true(parse(UNIT_FRACTION, "1%", NULL) == 0.01);
	assert_true(parse(UNIT_FRACTION, "0.25", NULL) == 0.25);
}

static void test_units_errors(void **state)
{
	double v;
	(void)state;
	assert_int_equal(unit_parse(UNIT_DURATION, "16", NULL, &v), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "no unit"));
	assert_int_equal(unit_parse(UNIT_DURATION, "16xs", NULL, &v), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "unknown unit 'xs'"));
	assert_int_equal(unit_parse(UNIT_DURATION, "ms", NULL, &v), MB_EINPUT);
	assert_int_equal(unit_parse(UNIT_DURATION, "", NULL, &v), MB_EINPUT);
	assert_int_equal(unit_parse(UNIT_SIZE, "0x10MiB", NULL, &v), MB_EINPUT);
	assert_int_equal(unit_parse(UNIT_SIZE, "nanMiB", NULL, &v), MB_EINPUT);
	assert_int_equal(unit_parse(UNIT_SIZE, "1e400B", NULL, &v), MB_EINPUT);
	assert_int_equal(unit_parse(UNIT_SIZE, "99999999999TiB", NULL, &v), MB_EINPUT);
	/* "Mbps" is ambiguous (megabits or megabytes?) and not accepted. */
	assert_int_equal(unit_parse(UNIT_RATE, "100Mbps", NULL, &v), MB_EINPUT);
}

static void test_units_format(void **state)
{
	char b[64];
	(void)state;
	unit_format(UNIT_DURATION, 16e6, "ms", b, sizeof(b));
	assert_string_equal(b, "16ms");
	unit_format(UNIT_DURATION, 0, "ms", b, sizeof(b));
	assert_string_equal(b, "0ms");
	unit_format(UNIT_DURATION, 16.5e6, "ms", b, sizeof(b));
	assert_string_equal(b, "16500us");
	unit_format(UNIT_SIZE, 268435456.0, "MiB", b, sizeof(b));
	assert_string_equal(b, "256MiB");
	unit_format(UNIT_SIZE, 1536.0 * 1024, "MiB", b, sizeof(b));
	assert_string_equal(b, "1536KiB");
	unit_format(UNIT_RATE, 64 * 1048576.0, "MiB/s", b, sizeof(b));
	assert_string_equal(b, "64MiB/s");
}

/* Every default in the table parses, is in range and formats back to a value
 * that parses to the same thing. */
static void test_option_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < mb_noptions; i++) {
		const struct mb_option *o = &mb_options[i];
		struct optval v, w;
		char buf[128];
		assert_non_null(o->help);
		assert_true(strlen(o->help) > 10);
		assert_int_equal(opt_parse_value(o, o->def, NULL, &v), MB_OK);
		opt_format(o, &v, buf, sizeof(buf));
		if (o->type != OPT_STRING && o->type != OPT_PATH) {
			assert_int_equal(opt_parse_value(o, buf, NULL, &w), MB_OK);
			assert_memory_equal(&v, &w, sizeof(v));
		}
		/* Names are unique. */
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(o->full, mb_options[j].full);
		assert_ptr_equal(opt_find_full(o->full), o);
	}
}

static struct profile *load_ok(const char *text)
{
	struct profile *p = NULL;
	int rc = profile_load_string("t.ini", text, &p);
	if (rc) {
		profile_print_errors(p, stderr);
	}
	assert_int_equal(rc, MB_OK);
	return p;
}

/* Load text that must fail; return the joined error messages. */
static char *load_bad(const char *text)
{
	struct profile *p = NULL;
	static char all[8192];
	assert_int_equal(profile_load_string("t.ini", text, &p), MB_EINPUT);
	all[0] = '\0';
	for (int i = 0; i < p->nerrors; i++) {
		strncat(all, p->errors[i], sizeof(all) - strlen(all) - 2);
		strcat(all, "\n");
	}
	profile_free(p);
	return all;
}

static void test_profile_errors(void **state)
{
	(void)state;
	assert_non_null(strstr(load_bad("[global]\ndealy=16ms\n"),
			       "t.ini:2: unknown key 'dealy' in [global], did you mean 'delay'?"));
	assert_non_null(strstr(load_bad("[global]\n\ndelay=16xs\n"), "t.ini:3: delay:"));
	assert_non_null(strstr(load_bad("[global]\nmax_downtime=0ms\n"),
			       "t.ini:2: max_downtime: 0ms is out of range"));
	assert_non_null(strstr(load_bad("[global]\nworkload=cpuad\n"), "did you mean 'cpuadd'"));
	assert_non_null(strstr(load_bad("[global]\nrepeat=1,2\n"), "single value"));
	assert_non_null(strstr(load_bad("[global]\ndelay=4ms,4ms\n"), "appears twice"));
	assert_non_null(strstr(load_bad("[global]\ndelay=4ms,,8ms\n"), "empty element"));
	assert_non_null(strstr(load_bad("[global]\ndelay=4ms\ndelay=8ms\n"),
			       "t.ini:3: 'delay' is set twice in [global] (first at line 2)"));
	assert_non_null(strstr(load_bad("[lab]\ndelay=4ms\n"), "does not belong in [lab]"));
	assert_non_null(strstr(load_bad("[x]\norder=random\n"), "whole run"));
	assert_non_null(strstr(load_bad("[global]\nnot a key value line\n"), "t.ini:2: syntax error"));
	assert_non_null(strstr(load_bad("[bad name]\ndelay=1ms\n"), "section name"));
	assert_non_null(strstr(load_bad("[a]\n[b]\n[a]\n"), "t.ini:3: section [a] appears twice"));
	assert_non_null(strstr(load_bad("[lab]\nname=toolongname\n"), "lab.name"));
	assert_non_null(strstr(load_bad("[hosts]\nsource=qemu+ssh://a/system\n"),
			       "hosts.dest must be set"));
}

static void test_profile_layers(void **state)
{
	struct profile *p;
	struct mb_config c;
	(void)state;
	p = load_ok("[global]\ndelay=16ms\nmemory=512MiB\n[exp]\ndelay=4ms\n");
	profile_config(p, p->exps[0], &c);
	assert_true(c.delay_ns == 4000000);
	assert_true(c.memory == 512u << 20);
	assert_true(c.max_downtime_ns == 300000000); /* default */
	assert_int_equal(profile_override(p, "delay", "64ms"), MB_OK);
	profile_config(p, p->exps[0], &c);
	assert_true(c.delay_ns == 64000000);
	assert_int_equal(profile_override(p, "dealy", "64ms"), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "did you mean --delay"));
	assert_int_equal(profile_override(p, "delay", "bogus"), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "--delay=bogus"));
	assert_int_equal(p->nerrors, 0);
	profile_free(p);
}

static void test_plan_seed_wan(void **state)
{
	struct profile *p;
	struct plan pl;
	static const char *const want[] = { "d0ms-cpuadd-r1",  "d0ms-seqread-r1",  "d4ms-cpuadd-r1",
					    "d4ms-seqread-r1", "d16ms-cpuadd-r1",  "d16ms-seqread-r1",
					    "d64ms-cpuadd-r1", "d64ms-seqread-r1" };
	(void)state;
	p = load_ok("[global]\ndelay = 0,4,16,64ms\nworkload = cpuadd,seqread\n");
	assert_int_equal(plan_build(p, &pl), MB_OK);
	assert_int_equal(pl.n, 8);
	for (int i = 0; i < 8; i++)
		assert_string_equal(pl.sc[i].id, want[i]);
	assert_true(pl.sc[5].cfg.delay_ns == 16000000);
	assert_int_equal(pl.sc[5].cfg.workload, WL_SEQREAD);
	plan_free(&pl);
	profile_free(p);
}

static void test_plan_ids(void **state)
{
	struct profile *p;
	struct plan pl;
	(void)state;
	p = load_ok("[global]\ndelay=16ms\nworkload=seqread\nmax_downtime=100ms,300ms\nrepeat=2\n"
		    "bandwidth=64MiB/s,0\nxbzrle=no,yes\n");
	assert_int_equal(plan_build(p, &pl), MB_OK);
	assert_int_equal(pl.n, 16);
	assert_string_equal(pl.sc[0].id, "d16ms-seqread-dt100ms-bw64MiBps-noxbzrle-r1");
	assert_string_equal(pl.sc[1].id, "d16ms-seqread-dt100ms-bw64MiBps-noxbzrle-r2");
	assert_string_equal(pl.sc[15].id, "d16ms-seqread-dt300ms-bw0-xbzrle-r2");
	/* Same profile, same ids: stable across loads (resume, shards). */
	{
		struct profile *q = load_ok("[global]\ndelay=16ms\nworkload=seqread\n"
					    "max_downtime=100ms,300ms\nrepeat=2\n"
					    "bandwidth=64MiB/s,0\nxbzrle=no,yes\n");
		struct plan pq;
		assert_int_equal(plan_build(q, &pq), MB_OK);
		for (int i = 0; i < pl.n; i++)
			assert_string_equal(pl.sc[i].id, pq.sc[i].id);
		plan_free(&pq);
		profile_free(q);
	}
	plan_free(&pl);
	profile_free(p);
}

static void test_plan_sections_and_checks(void **state)
{
	struct profile *p = NULL;
	struct plan pl;
	(void)state;
	p = load_ok("[global]\nworkload=memdirty\n[a]\n[b]\nmultifd=2\n");
	assert_int_equal(plan_build(p, &pl), MB_OK);
	assert_int_equal(pl.n, 2);
	assert_string_equal(pl.sc[0].id, "a-d0ms-memdirty-r1");
	assert_string_equal(pl.sc[1].id, "b-d0ms-memdirty-r1");
	plan_free(&pl);
	profile_free(p);

	p = load_ok("[global]\ncompression=zlib\n");
	assert_int_equal(plan_build(p, &pl), MB_EINPUT);
	assert_int_equal(p->nerrors, 1);
	assert_non_null(strstr(p->errors[0], "t.ini:2: compression=zlib needs multifd > 0"));
	plan_free(&pl);
	profile_free(p);

	p = load_ok("[global]\nmemory=128MiB\nmemdirty_size=100MiB\n");
	assert_int_equal(plan_build(p, &pl), MB_EINPUT);
	assert_non_null(strstr(p->errors[0], "memdirty_size"));
	plan_free(&pl);
	profile_free(p);

	p = load_ok("[global]\ndelay=4ms\njitter=3ms\n");
	assert_int_equal(plan_build(p, &pl), MB_EINPUT);
	assert_non_null(strstr(p->errors[0], "t.ini:3: jitter"));
	plan_free(&pl);
	profile_free(p);
}

static void test_plan_shards_cover_once(void **state)
{
	struct profile *p;
	(void)state;
	p = load_ok("[global]\ndelay=0,4,16,64ms\nworkload=cpuadd,seqread,memdirty\nrepeat=3\n");
	for (int count = 1; count <= 7; count++) {
		int seen[64] = { 0 }, total = 0;
		for (int idx = 1; idx <= count; idx++) {
			struct plan pl;
			assert_int_equal(plan_build(p, &pl), MB_OK);
			assert_int_equal(plan_shard(&pl, idx, count), MB_OK);
			for (int i = 0; i < pl.n; i++) {
				seen[pl.sc[i].index]++;
				total++;
			}
			plan_free(&pl);
		}
		assert_int_equal(total, 36);
		for (int i = 0; i < 36; i++)
			assert_int_equal(seen[i], 1);
	}
	profile_free(p);
}

/* The plan of a profile: "[global]\n" + matrix + "order=..." lines. */
static void plan_of(const char *matrix, const char *order, struct profile **p, struct plan *pl)
{
	char text[512];
	int n = snprintf(text, sizeof(text), "[global]\n%s%s", matrix, order);
	assert_true(n > 0 && (size_t)n < sizeof(text));
	*p = load_ok(text);
	assert_int_equal(plan_build(*p, pl), MB_OK);
}

/* How many positions hold a different scenario in a and b. */
static int positions_differ(const struct plan *a, const struct plan *b)
{
	int d = 0;
	assert_int_equal(a->n, b->n);
	for (int i = 0; i < a->n; i++)
		d += strcmp(a->sc[i].id, b->sc[i].id) != 0;
	return d;
}

/* Every canonical scenario exactly once, with the id it has in canon. */
static void assert_permutation(const struct plan *pl, const struct plan *canon)
{
	int seen[64] = { 0 };
	assert_int_equal(pl->n, canon->n);
	assert_true(pl->n <= (int)(sizeof(seen) / sizeof(seen[0])));
	for (int i = 0; i < pl->n; i++) {
		int k = pl->sc[i].index;
		assert_true(k >= 0 && k < canon->n);
		assert_int_equal(seen[k], 0);
		seen[k] = 1;
		assert_string_equal(pl->sc[i].id, canon->sc[k].id);
	}
}

static void test_plan_order(void **state)
{
	static const char *const seq_ids[] = { "d0ms-cpuadd-r1", "d0ms-cpuadd-r2", "d4ms-cpuadd-r1",
					       "d4ms-cpuadd-r2" };
	static const char *const il_ids[] = { "d0ms-cpuadd-r1", "d4ms-cpuadd-r1", "d0ms-cpuadd-r2",
					      "d4ms-cpuadd-r2" };
	/* 16 scenarios: a fixed seed leaves a shuffle equal to either fixed
	 * order with probability ~1/16! (the seed below is checked, not hoped). */
	static const char *const big = "delay=0,1,2,3,4,5,6,7ms\nrepeat=2\n";
	struct profile *p, *q, *r, *s;
	struct plan seq, il, a, b, c, z;
	(void)state;

	/* Sequential (the default): repetitions together, canonical order. */
	plan_of("delay=0,4ms\nrepeat=2\n", "", &p, &seq);
	assert_int_equal(seq.n, 4);
	for (int i = 0; i < 4; i++) {
		assert_string_equal(seq.sc[i].id, seq_ids[i]);
		assert_int_equal(seq.sc[i].index, i);
	}
	plan_free(&seq);
	profile_free(p);

	/* Interleaved: round-robin over the matrix, one repetition at a time. */
	plan_of("delay=0,4ms\nrepeat=2\n", "order=interleaved\n", &p, &il);
	assert_int_equal(il.n, 4);
	for (int i = 0; i < 4; i++)
		assert_string_equal(il.sc[i].id, il_ids[i]);
	plan_free(&il);
	profile_free(p);

	/* Random with a fixed seed: reproducible, a permutation of the matrix,
	 * and different from both fixed orders and from another seed's. */
	plan_of(big, "order=sequential\n", &p, &seq);
	plan_of(big, "order=interleaved\n", &q, &il);
	plan_of(big, "order=random\nseed=42\n", &r, &a);
	assert_int_equal(plan_build(r, &b), MB_OK);
	assert_int_equal(seq.n, 16);
	assert_true(a.seed == 42 && b.seed == 42);
	assert_int_equal(positions_differ(&a, &b), 0);
	assert_permutation(&a, &seq);
	assert_permutation(&il, &seq);
	assert_true(positions_differ(&il, &seq) > 0);
	assert_true(positions_differ(&a, &seq) > 0);
	assert_true(positions_differ(&a, &il) > 0);
	plan_free(&b);
	profile_free(r);
	plan_of(big, "order=random\nseed=43\n", &r, &c);
	assert_true(c.seed == 43);
	assert_permutation(&c, &seq);
	assert_true(positions_differ(&a, &c) > 0);

	/* seed=0 picks a seed and records it (a resumed run can replay it). */
	plan_of(big, "order=random\nseed=0\n", &s, &z);
	assert_true(z.seed != 0);
	assert_permutation(&z, &seq);
	plan_free(&z);
	profile_free(s);

	plan_free(&a);
	plan_free(&c);
	plan_free(&il);
	plan_free(&seq);
	profile_free(r);
	profile_free(q);
	profile_free(p);
}

static void test_shard_parse(void **state)
{
	int i, n;
	(void)state;
	assert_int_equal(plan_parse_shard("2/8", &i, &n), MB_OK);
	assert_int_equal(i, 2);
	assert_int_equal(n, 8);
	assert_int_equal(plan_parse_shard("0/8", &i, &n), MB_EINPUT);
	assert_int_equal(plan_parse_shard("9/8", &i, &n), MB_EINPUT);
	assert_int_equal(plan_parse_shard("x/8", &i, &n), MB_EINPUT);
	setenv("SLURM_ARRAY_TASK_ID", "3", 1);
	setenv("SLURM_ARRAY_TASK_COUNT", "4", 1);
	setenv("SLURM_ARRAY_TASK_MIN", "0", 1);
	assert_int_equal(plan_parse_shard(NULL, &i, &n), MB_OK);
	assert_int_equal(i, 4);
	assert_int_equal(n, 4);
	unsetenv("SLURM_ARRAY_TASK_ID");
	assert_int_equal(plan_parse_shard(NULL, &i, &n), MB_OK);
	assert_int_equal(n, 0);
}

static void test_closest(void **state)
{
	static const char *const c[] = { "check", "plan", "run", "report", "lab", "link" };
	(void)state;
	assert_string_equal(mb_closest("chek", c, 6), "check");
	assert_string_equal(mb_closest("rpeort", c, 6), "report");
	assert_null(mb_closest("xyzzy", c, 6));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units_parse),
		cmocka_unit_test(test_units_errors),
		cmocka_unit_test(test_units_format),
		cmocka_unit_test(test_option_table),
		cmocka_unit_test(test_profile_errors),
		cmocka_unit_test(test_profile_layers),
		cmocka_unit_test(test_plan_seed_wan),
		cmocka_unit_test(test_plan_ids),
		cmocka_unit_test(test_plan_sections_and_checks),
		cmocka_unit_test(test_plan_shards_cover_once),
		cmocka_unit_test(test_plan_order),
		cmocka_unit_test(test_shard_parse),
		cmocka_unit_test(test_closest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
