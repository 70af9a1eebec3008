/* test_fill.c - the guest's resident memory patterns (workloads/fill.c, the
 * code the guest program runs): random pages are pairwise distinct and look
 * incompressible (byte entropy, no repeated 64-byte blocks, not a run of
 * zeros), same pages are identical and non-zero in every fill, zero pages
 * are zero; the names are the controller's; the key parses as a size or a
 * fraction of memory and reaches the guest's command line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "profile/options.h"
#include "profile/params.h"
#include "samples/proto.h"
#include "samples/sample.h"
#include "workloads/cmdline.h"
#include "workloads/fill.h"

#define PAGE 4096
#define NPAGES 2048 /* 8 MiB */

/* Shannon entropy of the bytes, bits per byte. */
static double entropy(const unsigned char *b, size_t n)
{
	size_t hist[256] = { 0 };
	double h = 0;
	for (size_t i = 0; i < n; i++)
		hist[b[i]]++;
	for (int i = 0; i < 256; i++) {
		double p = (double)hist[i] / (double)n;
		if (p > 0)
			h -= p * log2(p);
	}
	return h;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static unsigned char *filled(int pattern, uint64_t seed)
{
	unsigned char *m = aligned_alloc(PAGE, (size_t)NPAGES * PAGE);
	assert_non_null(m);
	memset(m, 0xa5, (size_t)NPAGES * PAGE); /* the fill must overwrite everything */
	fill_region(m, (uint64_t)NPAGES * PAGE, PAGE, pattern, seed, 0, NULL, NULL);
	return m;
}

/* Every page different from every other (sort the pages by their first
 * word, then compare neighbours whole), and no page (or 64-byte block of a
 * page) is a repeat that compression or XBZRLE could exploit. */
static void test_random_distinct_incompressible(void **state)
{
	unsigned char *m = filled(FILL_RANDOM, 12345);
	uint64_t *first = malloc(NPAGES * sizeof(*first));
	(void)state;
	assert_non_null(first);
	for (size_t i = 0; i < NPAGES; i++)
		memcpy(&first[i], m + i * PAGE, 8);
	qsort(first, NPAGES, sizeof(*first), cmp_u64);
	for (size_t i = 1; i < NPAGES; i++)
		assert_true(first[i] != first[i - 1]); /* distinct pages, by a distinct first word */
	/* Byte histogram: ~8 bits per byte over the whole fill and in each page
	 * (zlib and zstd cannot shrink such data; a page of text is ~4.5). */
	assert_true(entropy(m, (size_t)NPAGES * PAGE) > 7.999);
	for (size_t i = 0; i < NPAGES; i += 97)
		assert_true(entropy(m + i * PAGE, PAGE) > 7.9);
	/* No 64-byte block repeats inside a page (LZ77 would find them). */
	for (size_t i = 0; i < 16; i++) {
		const unsigned char *p = m + i * PAGE;
		for (size_t a = 0; a < PAGE; a += 64)
			for (size_t b = a + 64; b < PAGE; b += 64)
				assert_true(memcmp(p + a, p + b, 64) != 0);
	}
	/* Another seed (another boot, another guest): other pages. */
	{
		unsigned char *o = filled(FILL_RANDOM, 54321);
		for (size_t i = 0; i < NPAGES; i += 7)
			assert_true(memcmp(m + i * PAGE, o + i * PAGE, PAGE) != 0);
		free(o);
	}
	/* The page seed is a bijection of the index: no two equal in a range. */
	{
		uint64_t *s = malloc(65536 * sizeof(*s));
		assert_non_null(s);
		for (size_t i = 0; i < 65536; i++)
			s[i] = fill_page_seed(7, i);
		qsort(s, 65536, sizeof(*s), cmp_u64);
		for (size_t i = 1; i < 65536; i++)
			assert_true(s[i] != s[i - 1]);
		free(s);
	}
	free(first);
	free(m);
}

/* One page content everywhere, non-zero and not trivially compressible
 * itself, and the same for every seed (identical guests, identical pages:
 * KSM merges across guests too). */
static void test_same(void **state)
{
	unsigned char *m = filled(FILL_SAME, 1), *o = filled(FILL_SAME, 999);
	size_t nonzero = 0;
	(void)state;
	for (size_t i = 1; i < NPAGES; i++)
		assert_memory_equal(m, m + i * PAGE, PAGE);
	assert_memory_equal(m, o, PAGE);
	for (size_t k = 0; k < PAGE; k++)
		nonzero += m[k] != 0;
	assert_true(nonzero > PAGE / 2);
	assert_true(entropy(m, PAGE) > 7.5);
	free(m);
	free(o);
}

static void test_zero(void **state)
{
	unsigned char *m = filled(FILL_ZERO, 1);
	(void)state;
	for (size_t i = 0; i < (size_t)NPAGES * PAGE; i++)
		if (m[i])
			fail_msg("byte %zu of a zero fill is %d", i, m[i]);
	free(m);
}

static void progress(void *ctx, uint64_t done)
{
	uint64_t *calls = ctx;
	calls[0]++;
	calls[1] = done;
}

static void test_region_progress(void **state)
{
	unsigned char *m = aligned_alloc(PAGE, 64 * PAGE);
	uint64_t calls[2] = { 0, 0 };
	(void)state;
	assert_non_null(m);
	fill_region(m, 64 * PAGE + 100, PAGE, FILL_RANDOM, 3, 16 * PAGE, progress, calls);
	assert_int_equal(calls[0], 4 + 1); /* every 16 pages, and at the end */
	assert_int_equal(calls[1], 64 * PAGE); /* whole pages only */
	free(m);
}

/* The guest's names are the controller's, value for value. */
static void test_names(void **state)
{
	(void)state;
	assert_int_equal(FILL_PATTERN_LAST, RESIDENT_PATTERN_LAST);
	for (int i = 0; i < RESIDENT_PATTERN_LAST; i++) {
		assert_string_equal(fill_pattern_name(i), resident_pattern_to_string(i));
		assert_int_equal(fill_pattern_parse(resident_pattern_to_string(i)), i);
	}
	assert_null(fill_pattern_name(FILL_PATTERN_LAST));
	assert_null(fill_pattern_name(-1));
	assert_int_equal(fill_pattern_parse("Random"), -1);
	assert_int_equal(fill_pattern_parse(""), -1);
	assert_int_equal(fill_pattern_parse(NULL), -1);
}

static int parse_resident(const char *text, double *out)
{
	struct optval v;
	int rc = opt_parse_value(opt_find_full("resident"), text, NULL, &v);
	*out = v.d;
	return rc;
}

/* The key: a size with a unit, or a fraction of memory in (0,1]. */
static void test_resident_key(void **state)
{
	const struct mb_option *o = opt_find_full("resident");
	double v;
	char buf[64];
	struct optval ov;
	(void)state;
	assert_non_null(o);
	assert_int_equal(parse_resident("900MiB", &v), MB_OK);
	assert_true(v == 900.0 * 1048576);
	assert_int_equal(parse_resident("0.8", &v), MB_OK);
	assert_true(v == 0.8);
	assert_int_equal(parse_resident("80%", &v), MB_OK);
	assert_true(fabs(v - 0.8) < 1e-12);
	assert_int_equal(parse_resident("1", &v), MB_OK);
	assert_true(v == 1);
	assert_int_equal(parse_resident("0", &v), MB_OK);
	assert_true(v == 0);
	assert_int_equal(parse_resident("1.5", &v), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "resident"));
	assert_non_null(strstr(mb_errmsg(), "(0,1]"));
	assert_int_equal(parse_resident("150%", &v), MB_EINPUT);
	assert_int_equal(parse_resident("-0.5", &v), MB_EINPUT);
	assert_int_equal(parse_resident("100B", &v), MB_EINPUT); /* less than a page */
	assert_int_equal(parse_resident("2TiB", &v), MB_EINPUT);
	assert_int_equal(parse_resident("lots", &v), MB_EINPUT);
	assert_int_equal(parse_resident("900Mbit", &v), MB_EINPUT);
	/* Formatted as it parses back (and as scenario ids show it). */
	ov.d = 0.8;
	opt_format(o, &ov, buf, sizeof(buf));
	assert_string_equal(buf, "0.8");
	ov.d = 900.0 * 1048576;
	opt_format(o, &ov, buf, sizeof(buf));
	assert_string_equal(buf, "900MiB");
	/* Resolved against memory, in whole pages. */
	assert_int_equal(wl_resident_bytes(0.8, 1u << 30), (uint64_t)(0.8 * (1u << 30)) / 4096 * 4096);
	assert_int_equal(wl_resident_bytes(900.0 * 1048576, 1u << 30), 900u << 20);
	assert_int_equal(wl_resident_bytes(1, 512u << 20), 512u << 20);
	assert_int_equal(wl_resident_bytes(0, 512u << 20), 0);
	assert_int_equal(wl_resident_bytes(5000, 512u << 20), 4096);
	/* The guest's own share: 48 MiB and 1/8 of memory (measured fits:
	 * 848 MiB of 1 GiB, 400 MiB of 512 MiB). */
	assert_int_equal(wl_resident_reserve(1u << 30), 176u << 20);
	assert_int_equal(wl_resident_reserve(512u << 20), 112u << 20);
}

/* The config reaches the guest's words; none without resident memory (an
 * older guest image would not know them). */
static void test_cmdline_words(void **state)
{
	struct mb_config c;
	struct wl_params p;
	char line[2048];
	(void)state;
	opt_defaults(&c);
	wl_params_from_config(&c, &p);
	assert_int_equal(wl_cmdline(&p, line, sizeof(line)), MB_OK);
	assert_null(strstr(line, "resident"));
	c.memory = 1u << 30;
	c.resident = 0.5;
	c.resident_pattern = RESIDENT_SAME;
	wl_params_from_config(&c, &p);
	assert_int_equal(p.resident, 512u << 20);
	assert_int_equal(wl_cmdline(&p, line, sizeof(line)), MB_OK);
	assert_non_null(strstr(line, " migbench.resident=536870912 "));
	assert_non_null(strstr(line, " migbench.resident_pattern=same "));
	c.resident = 400.0 * 1048576;
	c.resident_pattern = RESIDENT_ZERO;
	wl_params_from_config(&c, &p);
	assert_int_equal(wl_cmdline(&p, line, sizeof(line)), MB_OK);
	assert_non_null(strstr(line, " migbench.resident=419430400 "));
	assert_non_null(strstr(line, " migbench.resident_pattern=zero "));
	/* seqread_direct = no reads through the page cache. */
	c.seqread_direct = false;
	wl_params_from_config(&c, &p);
	assert_int_equal(wl_cmdline(&p, line, sizeof(line)), MB_OK);
	assert_non_null(strstr(line, " migbench.direct=0 "));
}

/* The guest's report of its largest fill fits a protocol line and reads
 * back whole (the controller keeps 127 bytes of event text). */
static void test_resident_event(void **state)
{
	char line[PROTO_MAX_LINE];
	const char *text = "bytes=1099511627776 pattern=random seconds=123456.789 locked=1 "
			   "available=1099511627776";
	struct sample smp;
	size_t n;
	(void)state;
	n = proto_event(line, sizeof(line), 0, 1, "memdirty", "resident", text);
	assert_true(n > 0);
	assert_int_equal(sample_parse_line(line, n - 1, &smp), SAMPLE_EVENT);
	assert_string_equal(smp.event, "resident");
	assert_string_equal(smp.text, text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_distinct_incompressible),
		cmocka_unit_test(test_same),
		cmocka_unit_test(test_zero),
		cmocka_unit_test(test_region_progress),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_resident_key),
		cmocka_unit_test(test_cmdline_words),
		cmocka_unit_test(test_resident_event),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
