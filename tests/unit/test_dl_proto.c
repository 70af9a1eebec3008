/* test_dl_proto.c - the delay line's control protocol (link/dl_proto.h):
 * every message round-trips through its encoder and decoder, malformed
 * messages are refused with a message naming what is wrong (never a crash:
 * truncations and byte flips of valid messages too), and the line framing
 * over a socket handles partial, long, missing and unterminated input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/err.h"
#include "link/dl_proto.h"

static struct link_params sample_params(void)
{
	struct link_params p = { .delay_ns = 64000000, .jitter_ns = 1500000, .jitter_dist = 2,
				 .loss = 0.0125, .rate = 117187500.25, .queue = (16ULL << 30) };
	return p;
}

static void assert_params_equal(const struct link_params *a, const struct link_params *b)
{
	assert_int_equal(a->delay_ns, b->delay_ns);
	assert_int_equal(a->jitter_ns, b->jitter_ns);
	assert_int_equal(a->jitter_dist, b->jitter_dist);
	assert_true(a->loss == b->loss); /* exact: %.17g round-trips doubles */
	assert_true(a->rate == b->rate);
	assert_int_equal(a->queue, b->queue);
}

static void test_request_round_trip(void **state)
{
	static const enum dl_cmd cmds[] = { DL_CMD_PING, DL_CMD_QUIT, DL_CMD_SET, DL_CMD_STATS };
	(void)state;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		struct dl_request in = { .cmd = cmds[i] }, out;
		char *s;
		if (cmds[i] == DL_CMD_SET)
			in.set = sample_params();
		s = dl_request_to_json(&in);
		assert_non_null(strchr(s, '\n'));
		assert_ptr_equal(strchr(s, '\n'), s + strlen(s) - 1); /* one line */
		assert_int_equal(dl_request_from_json(s, strlen(s), &out), MB_OK);
		assert_int_equal(out.cmd, in.cmd);
		assert_params_equal(&out.set, &in.set);
		free(s);
	}
}

static void test_reply_round_trip(void **state)
{
	struct dl_reply in = { .ok = true, .has_stats = true }, out;
	char *s;
	(void)state;
	in.stats.p = sample_params();
	in.stats.limit = 8ULL << 20;
	in.stats.packets = UINT64_MAX; /* counters use the whole unsigned range */
	in.stats.bytes = (uint64_t)INT64_MAX + 12345;
	in.stats.drops_queue = 7;
	in.stats.drops_loss = 0;
	in.stats.late_avg_us = 123.456;
	for (int i = 0; i < DL_LATE_BUCKETS; i++)
		in.stats.late_hist[i] = (uint64_t)i * 1000003;
	s = dl_reply_to_json(&in);
	assert_int_equal(dl_reply_from_json(s, strlen(s), &out), MB_OK);
	assert_true(out.ok);
	assert_true(out.has_stats);
	assert_params_equal(&out.stats.p, &in.stats.p);
	assert_int_equal(out.stats.limit, in.stats.limit);
	assert_true(out.stats.packets == UINT64_MAX);
	assert_true(out.stats.bytes == in.stats.bytes);
	assert_int_equal(out.stats.drops_queue, 7);
	assert_true(out.stats.late_avg_us == in.stats.late_avg_us);
	assert_memory_equal(out.stats.late_hist, in.stats.late_hist, sizeof(in.stats.late_hist));
	dl_reply_free(&out);
	free(s);

	/* ok without stats (ping, set, quit) and an error with its reason */
	in = (struct dl_reply){ .ok = true };
	s = dl_reply_to_json(&in);
	assert_int_equal(dl_reply_from_json(s, strlen(s), &out), MB_OK);
	assert_true(out.ok && !out.has_stats && !out.error);
	free(s);
	{
		static char why[] = "bad \"settings\"\nsecond line";
		in = (struct dl_reply){ .ok = false, .error = why };
	}
	s = dl_reply_to_json(&in);
	assert_ptr_equal(strchr(s, '\n'), s + strlen(s) - 1); /* the newline is escaped */
	assert_int_equal(dl_reply_from_json(s, strlen(s), &out), MB_OK);
	assert_false(out.ok);
	assert_string_equal(out.error, in.error);
	dl_reply_free(&out);
	free(s);
}

/* A request that must be refused, with words of the reason. */
struct bad {
	const char *msg;
	const char *why;
};

static const struct bad bad_requests[] = {
	{ "", "incomplete" },
	{ "{", "incomplete" },
	{ "not json", "not JSON" },
	{ "[1,2]", "not a JSON object" },
	{ "\"ping\"", "not a JSON object" },
	{ "{\"cmd\":\"ping\"}", "version is missing" },
	{ "{\"version\":\"1\",\"cmd\":\"ping\"}", "version must be an integer" },
	{ "{\"version\":2,\"cmd\":\"ping\"}", "protocol version 2" },
	{ "{\"version\":1}", "cmd is missing" },
	{ "{\"version\":1,\"cmd\":7}", "cmd must be a string" },
	{ "{\"version\":1,\"cmd\":\"reboot\"}", "unknown cmd" },
	{ "{\"version\":1,\"cmd\":\"ping\"} x", "unexpected data" },
	{ "{\"version\":1,\"cmd\":\"ping\"}{}", "unexpected data" },
	{ "{\"version\":1,\"cmd\":\"set\"}", "settings is missing" },
	{ "{\"version\":1,\"cmd\":\"set\",\"settings\":[]}", "settings must be an object" },
	{ "{\"version\":1,\"cmd\":\"set\",\"settings\":{}}", "settings.delay_ns is missing" },
	{ "{\"version\":1,\"cmd\":\"set\",\"settings\":{\"delay_ns\":-1,\"jitter_ns\":0,\"jitter_dist\":0,"
	  "\"loss\":0,\"rate\":0,\"queue_bytes\":0}}", "settings.delay_ns = -1 is out of range" },
	{ "{\"version\":1,\"cmd\":\"set\",\"settings\":{\"delay_ns\":1.5,\"jitter_ns\":0,\"jitter_dist\":0,"
	  "\"loss\":0,\"rate\":0,\"queue_bytes\":0}}", "settings.delay_ns must be an integer, not double" },
	{ "{\"version\":1,\"cmd\":\"set\",\"settings\":{\"delay_ns\":99999999999999999999,\"jitter_ns\":0,"
	  "\"jitter_dist\":0,\"loss\":0,\"rate\":0,\"queue_bytes\":0}}", "out of range" },
	{ "{\"version\":1,\"cmd\":\"set\",\"settings\":{\"delay_ns\":0,\"jitter_ns\":0,\"jitter_dist\":4,"
	  "\"loss\":0,\"rate\":0,\"queue_bytes\":0}}", "settings.jitter_dist = 4 is out of range" },
	{ "{\"version\":1,\"cmd\":\"set\",\"settings\":{\"delay_ns\":0,\"jitter_ns\":0,\"jitter_dist\":0,"
	  "\"loss\":1.5,\"rate\":0,\"queue_bytes\":0}}", "settings.loss = 1.5 is out of range" },
	{ "{\"version\":1,\"cmd\":\"set\",\"settings\":{\"delay_ns\":0,\"jitter_ns\":0,\"jitter_dist\":0,"
	  "\"loss\":NaN,\"rate\":0,\"queue_bytes\":0}}", "loss" },
	{ "{\"version\":1,\"cmd\":\"set\",\"settings\":{\"delay_ns\":0,\"jitter_ns\":0,\"jitter_dist\":0,"
	  "\"loss\":\"0.1\",\"rate\":0,\"queue_bytes\":0}}", "settings.loss must be a number, not string" },
	{ "{\"version\":1,\"cmd\":\"set\",\"settings\":{\"delay_ns\":0,\"jitter_ns\":0,\"jitter_dist\":0,"
	  "\"loss\":0,\"rate\":-5,\"queue_bytes\":0}}", "settings.rate = -5 is out of range" },
	{ "{\"version\":1,\"cmd\":\"set\",\"settings\":{\"delay_ns\":0,\"jitter_ns\":0,\"jitter_dist\":0,"
	  "\"loss\":0,\"rate\":0,\"queue_bytes\":-1}}", "queue_bytes = -1 must not be negative" },
	{ "{\"version\":1,\"cmd\":\"set\",\"settings\":{\"delay_ns\":0,\"jitter_ns\":0,\"jitter_dist\":0,"
	  "\"loss\":0,\"rate\":0,\"queue_bytes\":null}}", "queue_bytes must be an integer, not null" },
	{ "{\"version\":1,\"cmd\":\"set\",\"settings\":{\"delay_ns\":0,\"jitter_ns\":0,\"jitter_dist\":0,"
	  "\"loss\":0,\"rate\":0,\"queue_bytes\":18446744073709551615}}", "queue_bytes" },
	{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "not JSON" },
};

/* Decode as a request or as a reply; what is left must be zeroed. */
static int decode_request(const char *msg, size_t len)
{
	struct dl_request out;
	int rc = dl_request_from_json(msg, len, &out);
	assert_int_equal(out.cmd, 0);
	return rc;
}

static int decode_reply(const char *msg, size_t len)
{
	struct dl_reply out;
	int rc = dl_reply_from_json(msg, len, &out);
	assert_null(out.error);
	return rc;
}

static void expect_refused(const struct bad *table, size_t n, int (*decode)(const char *, size_t))
{
	for (size_t i = 0; i < n; i++) {
		const struct bad *b = &table[i];
		int rc = decode(b->msg, strlen(b->msg));
		if (rc != MB_EINPUT || !strstr(mb_errmsg(), b->why) ||
		    !strstr(mb_errmsg(), "delay line control message"))
			fail_msg("'%s': rc %d, message '%s' (wanted '%s')", b->msg, rc, mb_errmsg(), b->why);
	}
}

static void test_bad_requests(void **state)
{
	(void)state;
	expect_refused(bad_requests, sizeof(bad_requests) / sizeof(bad_requests[0]), decode_request);
}

static const struct bad bad_replies[] = {
	{ "{\"version\":1}", "ok is missing" },
	{ "{\"version\":1,\"ok\":1}", "ok must be true or false" },
	{ "{\"version\":1,\"ok\":false}", "error is missing" },
	{ "{\"version\":1,\"ok\":false,\"error\":{}}", "error must be a string" },
	{ "{\"version\":1,\"ok\":true,\"stats\":5}", "stats must be an object" },
	{ "{\"version\":1,\"ok\":true,\"stats\":{}}", "stats.settings is missing" },
	{ "{\"version\":0,\"ok\":true}", "protocol version 0" },
	/* the old positional text protocol */
	{ "ok 0 0 0 0 0 4194304 0 0 0 0 0.000 0 0 0 0 0 0 0 0", "not JSON" },
	{ "error: unknown command", "not JSON" },
};

static void test_bad_replies(void **state)
{
	(void)state;
	expect_refused(bad_replies, sizeof(bad_replies) / sizeof(bad_replies[0]), decode_reply);
}

/* Stats replies with one field broken at a time: each refused, naming it. */
static void test_bad_stats(void **state)
{
	static const char *const fields[] = { "limit_bytes", "packets", "bytes", "drops_queue",
					      "drops_loss", "late_avg_us", "late_hist" };
	struct dl_reply in = { .ok = true, .has_stats = true }, out;
	char *good;
	(void)state;
	in.stats.p = sample_params();
	good = dl_reply_to_json(&in);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		char key[64], *s = strdup(good), *k;
		snprintf(key, sizeof(key), "\"%s\"", fields[i]);
		k = strstr(s, key);
		assert_non_null(k);
		k[1] = 'X'; /* the field is now missing */
		assert_int_equal(dl_reply_from_json(s, strlen(s), &out), MB_EINPUT);
		assert_non_null(strstr(mb_errmsg(), fields[i]));
		free(s);
	}
	free(good);
	{
		const char *h = "{\"version\":1,\"ok\":true,\"stats\":{\"settings\":{\"delay_ns\":0,\"jitter_ns\":0,"
				"\"jitter_dist\":0,\"loss\":0,\"rate\":0,\"queue_bytes\":0},\"limit_bytes\":1,"
				"\"packets\":1,\"bytes\":1,\"drops_queue\":1,\"drops_loss\":1,\"late_avg_us\":1,"
				"\"late_hist\":[1,2,3]}}";
		assert_int_equal(dl_reply_from_json(h, strlen(h), &out), MB_EINPUT);
		assert_non_null(strstr(mb_errmsg(), "late_hist has 3 entries"));
	}
}

/* Every prefix and every single-byte change of valid messages: decoded or
 * refused, never a crash (the sanitizers watch this in check-asan). */
static void test_truncations_and_flips(void **state)
{
	struct dl_reply rin = { .ok = true, .has_stats = true }, rout;
	struct dl_request qin = { .cmd = DL_CMD_SET }, qout;
	char *msgs[2];
	(void)state;
	rin.stats.p = sample_params();
	qin.set = sample_params();
	msgs[0] = dl_reply_to_json(&rin);
	msgs[1] = dl_request_to_json(&qin);
	for (int m = 0; m < 2; m++) {
		size_t n = strlen(msgs[m]) - 1; /* without the newline */
		for (size_t len = 0; len < n; len++) {
			/* A strict prefix is never a valid message. */
			int rc = m ? dl_request_from_json(msgs[m], len, &qout) : dl_reply_from_json(msgs[m], len, &rout);
			assert_int_equal(rc, MB_EINPUT);
		}
		for (size_t i = 0; i < n; i++) {
			static const char subst[] = { '\0', '"', '}', '9', '-', 'x', '\\', ' ' };
			for (size_t j = 0; j < sizeof(subst); j++) {
				char *s = strdup(msgs[m]);
				int rc;
				s[i] = subst[j];
				rc = m ? dl_request_from_json(s, n, &qout) : dl_reply_from_json(s, n, &rout);
				assert_true(rc == MB_OK || rc == MB_EINPUT);
				if (!m && rc == MB_OK)
					dl_reply_free(&rout);
				free(s);
			}
		}
		free(msgs[m]);
	}
}

static void test_settings_check(void **state)
{
	struct link_params p = sample_params();
	(void)state;
	assert_int_equal(dl_settings_check(&p), MB_OK);
	p.loss = 2;
	assert_int_equal(dl_settings_check(&p), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "loss"));
	p = sample_params();
	p.delay_ns = DL_DELAY_MAX_NS + 1;
	assert_int_equal(dl_settings_check(&p), MB_EINPUT);
	p = sample_params();
	p.jitter_dist = -1;
	assert_int_equal(dl_settings_check(&p), MB_EINPUT);
}

static void test_framing(void **state)
{
	int sv[2];
	char *msg;
	size_t len;
	(void)state;
	/* Two messages in one write: the first line is the message. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(dl_send(sv[0], "{\"a\":1}\n"), MB_OK);
	assert_int_equal(dl_recv(sv[1], 1000, &msg, &len), MB_OK);
	assert_string_equal(msg, "{\"a\":1}");
	assert_int_equal(len, 7);
	free(msg);
	/* No message: a timeout, not a hang. */
	assert_int_equal(dl_recv(sv[1], 50, &msg, &len), MB_EFAILED);
	assert_non_null(strstr(mb_errmsg(), "within 50 ms"));
	assert_null(msg);
	/* A last message without a newline, then the connection closes. */
	assert_int_equal(dl_send(sv[0], "{}"), MB_OK);
	close(sv[0]);
	assert_int_equal(dl_recv(sv[1], 1000, &msg, &len), MB_OK);
	assert_string_equal(msg, "{}");
	free(msg);
	assert_int_equal(dl_recv(sv[1], 1000, &msg, &len), MB_EFAILED);
	assert_non_null(strstr(mb_errmsg(), "closed"));
	close(sv[1]);
}

static void test_framing_too_long(void **state)
{
	int sv[2];
	char *big = malloc(DL_MSG_MAX * 2 + 2), *msg;
	size_t len;
	pid_t pid;
	(void)state;
	memset(big, 'a', DL_MSG_MAX * 2);
	big[DL_MSG_MAX * 2] = '\n';
	big[DL_MSG_MAX * 2 + 1] = '\0';
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(sv[1]);
		_exit(dl_send(sv[0], big) == MB_OK ? 0 : 1); /* may fail once the reader gives up */
	}
	close(sv[0]);
	assert_int_equal(dl_recv(sv[1], 5000, &msg, &len), MB_EFAILED);
	assert_non_null(strstr(mb_errmsg(), "longer than"));
	close(sv[1]);
	waitpid(pid, NULL, 0);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_round_trip),
		cmocka_unit_test(test_reply_round_trip),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_bad_replies),
		cmocka_unit_test(test_bad_stats),
		cmocka_unit_test(test_truncations_and_flips),
		cmocka_unit_test(test_settings_check),
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_framing_too_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
