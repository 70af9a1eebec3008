/* test_wl_cmdline.c - the guest kernel command line of each workload
 * (workloads/cmdline.c): the words the guest's parser reads, values in base
 * units, the extra guest_args, a line too long for its buffer, an unknown
 * workload; and that the config reaches struct wl_params unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "profile/options.h"
#include "profile/params.h"
#include "workloads/cmdline.h"

/* True if the space-separated line has exactly this word. */
static bool has_word(const char *line, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = strstr(line, word); p; p = strstr(p + 1, word))
		if ((p == line || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

static struct wl_params params_of(int kind)
{
	struct mb_config c;
	struct wl_params p;
	opt_defaults(&c);
	c.workload = kind;
	wl_params_from_config(&c, &p);
	return p;
}

static void test_each_workload(void **state)
{
	(void)state;
	for (int k = 0; k < WL_KIND_LAST; k++) {
		struct wl_params p = params_of(k);
		char line[2048], want[64];
		assert_int_equal(wl_cmdline(&p, line, sizeof(line)), MB_OK);
		snprintf(want, sizeof(want), "migbench.wl=%s", wl_kind_to_string(k));
		assert_true(has_word(line, want));
		assert_true(has_word(line, "console=ttyS0,115200"));
		assert_true(has_word(line, "quiet"));
		/* The defaults of the option table, in base units. */
		assert_true(has_word(line, "migbench.interval=100000000ns"));
		assert_true(has_word(line, "migbench.round=120000000"));
		assert_true(has_word(line, "migbench.dev=/dev/vda"));
		assert_true(has_word(line, "migbench.block=1048576"));
		assert_true(has_word(line, "migbench.size=0"));
		assert_true(has_word(line, "migbench.offset=0"));
		assert_true(has_word(line, "migbench.direct=1"));
		assert_true(has_word(line, "migbench.wss=67108864"));
		assert_true(has_word(line, "migbench.rate=0"));
		/* One wl= word only, and no trailing blank without guest_args. */
		assert_null(strstr(strstr(line, "migbench.wl=") + 1, "migbench.wl="));
		assert_true(line[strlen(line) - 1] != ' ');
		assert_string_not_equal(wl_unit(k), "?");
	}
	assert_string_equal(wl_unit(WL_CPUADD), "add");
	assert_string_equal(wl_unit(WL_SEQREAD), "B");
	assert_string_equal(wl_unit(WL_MEMDIRTY), "B");
	assert_string_equal(wl_unit(WL_IDLE), "beat");
	assert_string_equal(wl_unit(WL_KIND_LAST), "?");
	assert_string_equal(wl_unit(-1), "?");
}

/* Every setting reaches its word, nothing rounded. */
static void test_values_and_extra_args(void **state)
{
	struct wl_params p = params_of(WL_SEQREAD);
	char line[2048];
	(void)state;
	p.interval_ns = 12345678;
	p.cpuadd_round = 987654321;
	p.seqread_block = 4096;
	p.seqread_size = 1099511627776ULL; /* 1 TiB: more than 32 bits */
	p.seqread_offset = 512;
	p.seqread_direct = false;
	p.memdirty_size = 3 << 20;
	p.memdirty_rate = 52428800.4;
	p.guest_args = "init=/bin/sh loglevel=8";
	assert_int_equal(wl_cmdline(&p, line, sizeof(line)), MB_OK);
	assert_true(has_word(line, "migbench.wl=seqread"));
	assert_true(has_word(line, "migbench.interval=12345678ns"));
	assert_true(has_word(line, "migbench.round=987654321"));
	assert_true(has_word(line, "migbench.block=4096"));
	assert_true(has_word(line, "migbench.size=1099511627776"));
	assert_true(has_word(line, "migbench.offset=512"));
	assert_true(has_word(line, "migbench.direct=0"));
	assert_true(has_word(line, "migbench.wss=3145728"));
	assert_true(has_word(line, "migbench.rate=52428800"));
	/* guest_args come last, after one blank. */
	assert_non_null(strstr(line, "migbench.rate=52428800 init=/bin/sh loglevel=8"));
	assert_int_equal(strcmp(line + strlen(line) - strlen("loglevel=8"), "loglevel=8"), 0);
	p.guest_args = "";
	assert_int_equal(wl_cmdline(&p, line, sizeof(line)), MB_OK);
	assert_int_equal(strcmp(line + strlen(line) - strlen("migbench.rate=52428800"), "migbench.rate=52428800"), 0);
}

static void test_errors(void **state)
{
	struct wl_params p = params_of(WL_CPUADD);
	char line[2048], small[64];
	(void)state;
	/* Too long: refused with a message, never cut short. */
	assert_int_equal(wl_cmdline(&p, small, sizeof(small)), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "longer than 63 bytes"));
	/* Exactly fitting works; one byte less does not. */
	assert_int_equal(wl_cmdline(&p, line, sizeof(line)), MB_OK);
	{
		size_t n = strlen(line) + 1;
		char exact[2048];
		assert_int_equal(wl_cmdline(&p, exact, n), MB_OK);
		assert_string_equal(exact, line);
		assert_int_equal(wl_cmdline(&p, exact, n - 1), MB_EINPUT);
	}
	p.kind = WL_KIND_LAST;
	assert_int_equal(wl_cmdline(&p, line, sizeof(line)), MB_EINTERNAL);
	p.kind = -1;
	assert_int_equal(wl_cmdline(&p, line, sizeof(line)), MB_EINTERNAL);
}

/* The config's fields land in the params, and the wrapper that still takes
 * the config gives the same line. */
static void test_from_config(void **state)
{
	struct mb_config c;
	struct wl_params p;
	char a[2048], b[2048];
	(void)state;
	opt_defaults(&c);
	c.workload = WL_MEMDIRTY;
	c.interval_ns = 7;
	c.cpuadd_round = 8;
	c.seqread_block = 9;
	c.seqread_size = 10;
	c.seqread_offset = 11;
	c.seqread_direct = false;
	c.memdirty_size = 12;
	c.memdirty_rate = 13;
	c.guest_args = "x=1";
	wl_params_from_config(&c, &p);
	assert_int_equal(p.kind, WL_MEMDIRTY);
	assert_int_equal(p.interval_ns, 7);
	assert_int_equal(p.cpuadd_round, 8);
	assert_int_equal(p.seqread_block, 9);
	assert_int_equal(p.seqread_size, 10);
	assert_int_equal(p.seqread_offset, 11);
	assert_false(p.seqread_direct);
	assert_int_equal(p.memdirty_size, 12);
	assert_true(p.memdirty_rate == 13);
	assert_string_equal(p.guest_args, "x=1");
	assert_int_equal(wl_cmdline(&p, a, sizeof(a)), MB_OK);
	assert_int_equal(wl_guest_cmdline(&c, b, sizeof(b)), MB_OK);
	assert_string_equal(a, b);
}

/* nic = yes: the guest's static address and netstream's sink; the echo
 * port only with echo_probe; none of these words without nic (an older
 * guest image would not know them). */
static void test_nic_words(void **state)
{
	struct mb_config c;
	struct wl_params p;
	char line[2048];
	(void)state;
	opt_defaults(&c);
	c.workload = WL_NETSTREAM;
	wl_params_from_config(&c, &p);
	assert_int_equal(wl_cmdline(&p, line, sizeof(line)), MB_OK);
	assert_true(has_word(line, "migbench.wl=netstream"));
	assert_null(strstr(line, "migbench.ip="));
	assert_null(strstr(line, "migbench.sink="));
	assert_null(strstr(line, "migbench.echo="));
	c.nic = true;
	wl_params_from_config(&c, &p);
	assert_int_equal(wl_cmdline(&p, line, sizeof(line)), MB_OK);
	assert_true(has_word(line, "migbench.ip=198.18.4.2/24"));
	assert_true(has_word(line, "migbench.sink=198.18.4.1:5201"));
	assert_null(strstr(line, "migbench.echo="));
	c.echo_probe = true;
	c.guest_args = "x=1";
	wl_params_from_config(&c, &p);
	assert_int_equal(wl_cmdline(&p, line, sizeof(line)), MB_OK);
	assert_true(has_word(line, "migbench.echo=7"));
	/* guest_args stay last. */
	assert_true(has_word(line, "x=1"));
	assert_true(strstr(line, "migbench.echo=7") < strstr(line, "x=1"));
	assert_true(wl_needs_nic(WL_NETSTREAM));
	assert_false(wl_needs_nic(WL_CPUADD));
	assert_string_equal(wl_unit(WL_NETSTREAM), "B");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_workload),
		cmocka_unit_test(test_nic_words),
		cmocka_unit_test(test_values_and_extra_args),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_from_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
