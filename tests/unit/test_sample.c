/* test_sample.c - the sample protocol: lines made by the guest's formatter
 * parse back; every kind of damage is malformed, never misread; the
 * stream splitter survives any chunking, junk, NUL bytes and long lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "samples/proto.h"
#include "samples/sample.h"

static enum sample_kind parse(const char *line, struct sample *s)
{
	return sample_parse_line(line, strlen(line), s);
}

static void test_roundtrip(void **state)
{
	char line[PROTO_MAX_LINE];
	struct sample s;
	size_t n;
	(void)state;
	n = proto_sample(line, sizeof(line), 17, 123456789012ULL, "cpuadd", 18446744073709551615ULL, "add");
	assert_true(n > 0 && line[n - 1] == '\n');
	assert_int_equal(sample_parse_line(line, n - 1, &s), SAMPLE_DATA);
	assert_int_equal(s.version, 1);
	assert_true(s.seq == 17);
	assert_true(s.guest_ns == 123456789012ULL);
	assert_string_equal(s.wl, "cpuadd");
	assert_true(s.count == 18446744073709551615ULL);
	assert_string_equal(s.unit, "add");

	n = proto_event(line, sizeof(line), 0, 5, "seqread", "error", "cannot open /dev/vda: No such file");
	assert_int_equal(sample_parse_line(line, n, &s), SAMPLE_EVENT);
	assert_string_equal(s.event, "error");
	assert_string_equal(s.text, "cannot open /dev/vda: No such file");
	n = proto_event(line, sizeof(line), 1, 5, "idle", "exit", "");
	assert_int_equal(sample_parse_line(line, n, &s), SAMPLE_EVENT);
	assert_string_equal(s.text, "");
	/* Event text cannot fake the checksum or break the line. */
	n = proto_event(line, sizeof(line), 2, 5, "idle", "exit", "a *12345678\nb");
	assert_int_equal(sample_parse_line(line, n, &s), SAMPLE_EVENT);
	assert_null(strchr(s.text, '\n'));
}

static void test_not_protocol(void **state)
{
	struct sample s;
	(void)state;
	assert_int_equal(parse("", &s), SAMPLE_NONE);
	assert_int_equal(parse("[    1.234] virtio_blk virtio1: [vda] 1048576 512-byte logical blocks", &s),
			 SAMPLE_NONE);
	assert_int_equal(parse("login: root@mb-src", &s), SAMPLE_NONE);
}

static void test_malformed(void **state)
{
	char good[PROTO_MAX_LINE], bad[PROTO_MAX_LINE];
	struct sample s;
	size_t n;
	(void)state;
	n = proto_sample(good, sizeof(good), 3, 1000, "cpuadd", 42, "add");
	good[--n] = '\0';
	assert_int_equal(parse(good, &s), SAMPLE_DATA);

	/* Any single changed byte breaks the checksum (or the syntax). */
	for (size_t i = 0; i < n; i++) {
		strcpy(bad, good);
		bad[i] = bad[i] == '7' ? '8' : '7';
		assert_int_not_equal(parse(bad, &s), SAMPLE_DATA);
	}
	/* Every truncation (a switchover cut the line). */
	for (size_t i = 4; i < n; i++) {
		strcpy(bad, good);
		bad[i] = '\0';
		assert_int_equal(sample_parse_line(bad, i, &s), SAMPLE_MALFORMED);
	}
	/* Another protocol version. */
	{
		char v2[128];
		int m = snprintf(v2, sizeof(v2), "@mb2 3 1000 cpuadd 42 add");
		snprintf(v2 + m, sizeof(v2) - (size_t)m, " *%08x", proto_crc(v2, (size_t)m));
		assert_int_equal(parse(v2, &s), SAMPLE_MALFORMED);
	}
	/* Well sealed, but wrong fields: built with a correct checksum each. */
	{
		static const char *const bodies[] = {
			"@mb1 3 1000 cpuadd 42",                     /* no unit */
			"@mb1 3 1000 cpuadd 42 add extra",           /* one field too many */
			"@mb1 -3 1000 cpuadd 42 add",                /* negative */
			"@mb1 3 1000 cpuadd 99999999999999999999 add", /* > 2^64 */
			"@mb1 3 1000 CPU-add 42 add",                /* bad name */
			"@mb1 3 1000 cpuadd 0x2a add",               /* not decimal */
			"@mb1 3  1000 cpuadd 42 add",                /* empty field */
			"@mb1 ev 3 1000 cpuadd",                     /* event without its name */
			"@mb1 3 1000 averyveryverylongworkloadname 42 add",
		};
		for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
			char l[160];
			int m = snprintf(l, sizeof(l), "%s", bodies[i]);
			snprintf(l + m, sizeof(l) - (size_t)m, " *%08x", proto_crc(l, (size_t)m));
			assert_int_equal(parse(l, &s), SAMPLE_MALFORMED);
		}
	}
	/* Junk before the magic is skipped; \r\n endings are fine. */
	snprintf(bad, sizeof(bad), "\r\033[0m%s\r", good);
	assert_int_equal(parse(bad, &s), SAMPLE_DATA);
	assert_true(s.count == 42);
}

struct collect {
	int data, events, malformed;
	uint64_t last_count;
};

static void cb(void *ctx, const struct sample *s)
{
	struct collect *c = ctx;
	if (s->kind == SAMPLE_DATA) {
		c->data++;
		c->last_count = s->count;
	} else if (s->kind == SAMPLE_EVENT) {
		c->events++;
	} else {
		c->malformed++;
	}
}

/* A console capture: kernel noise, samples, an event, damaged lines. */
static size_t capture(char *buf, size_t len)
{
	size_t n = 0;
	n += (size_t)snprintf(buf + n, len - n, "[    0.000000] Linux version 6.1\r\n");
	n += proto_event(buf + n, len - n, 0, 1, "cpuadd", "start", "round=120000000");
	for (int i = 1; i <= 20; i++)
		n += proto_sample(buf + n, len - n, (uint64_t)i, (uint64_t)i * 100, "cpuadd",
				  (uint64_t)i * 1000, "add");
	n += (size_t)snprintf(buf + n, len - n, "@mb1 21 2100 cpuadd 21000 a");   /* cut ... */
	n += (size_t)snprintf(buf + n, len - n, "\n[   3.1] random: crng init done\n");
	return n;
}

static void test_stream_any_chunking(void **state)
{
	char buf[8192];
	size_t n = capture(buf, sizeof(buf));
	(void)state;
	/* Whole, then split at every byte boundary: same result. */
	for (size_t cut = 0; cut <= n; cut++) {
		struct sample_stream ss;
		struct collect c = { 0 };
		sample_stream_init(&ss);
		sample_stream_feed(&ss, buf, cut, cb, &c);
		sample_stream_feed(&ss, buf + cut, n - cut, cb, &c);
		assert_int_equal(c.data, 20);
		assert_int_equal(c.events, 1);
		assert_int_equal(c.malformed, 1);
		assert_true(c.last_count == 20000);
		assert_true(ss.samples == 20 && ss.malformed == 1);
	}
	/* One byte at a time. */
	{
		struct sample_stream ss;
		struct collect c = { 0 };
		sample_stream_init(&ss);
		for (size_t i = 0; i < n; i++)
			sample_stream_feed(&ss, buf + i, 1, cb, &c);
		assert_int_equal(c.data, 20);
	}
}

static void test_stream_hostile(void **state)
{
	struct sample_stream ss;
	struct collect c = { 0 };
	char big[5000], line[PROTO_MAX_LINE];
	size_t n;
	(void)state;
	sample_stream_init(&ss);
	/* An overlong line with the magic in it, then a good sample. */
	memset(big, 'x', sizeof(big));
	memcpy(big + 10, "@mb1 ", 5);
	sample_stream_feed(&ss, big, sizeof(big), cb, &c);
	n = proto_sample(line, sizeof(line), 1, 1, "idle", 7, "beat");
	sample_stream_feed(&ss, "\n", 1, cb, &c);
	sample_stream_feed(&ss, line, n, cb, &c);
	assert_int_equal(c.data, 1);
	assert_int_equal((int)ss.overlong, 1);
	assert_int_equal((int)ss.malformed, 1);
	/* NUL bytes inside a line: malformed, and the stream goes on. */
	{
		char nul[] = "@mb1 2 2 idle 8 beat\0 *00000000\n";
		sample_stream_feed(&ss, nul, sizeof(nul) - 1, cb, &c);
	}
	sample_stream_feed(&ss, line, n, cb, &c);
	assert_int_equal(c.data, 2);
	assert_int_equal((int)ss.malformed, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_not_protocol),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_stream_any_chunking),
		cmocka_unit_test(test_stream_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
