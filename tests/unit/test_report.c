/* test_report.c - the report's quoting and formatting on hostile strings:
 * gnuplot literals (checked against gnuplot itself when it is installed),
 * the script check, HTML escaping, file names from ids, human units, and
 * the typed record reader on type-confused records. */
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

#include "core/exec.h"
#include "core/util.h"
#include "report/internal.h"
#include "report/report.h"
#include "report/text.h"

static const char *const hostile[] = {
	"x'.system('touch /tmp/mb-unit-pwned').'",
	"it's",
	"''",
	"'",
	"back\\slash\\",
	"trailing backslash \\",
	"new\nline; system('id')",
	"cr\rlf\r\n",
	"`touch /tmp/mb-unit-pwned`",
	"@macro",
	"\"double\" quotes \\\"",
	"< touch /tmp/mb-unit-pwned",
	"| touch /tmp/mb-unit-pwned",
	"a'.'b",
	"a''''.system('touch /tmp/mb-unit-pwned')#",
	"''.system('touch /tmp/mb-unit-pwned').''",
	"tab\there",
	"{enhanced}^_@&",
	"\\U+263A \\101",
	"",
};

static char *quoted(const char *s)
{
	struct rep_buf b = { 0 };
	rep_gp_quote(&b, s);
	return b.s;
}

static void test_gp_quote_form(void **state)
{
	static const char *const cases[][2] = {
		{ "it's", "'it\xe2\x80\x99s'" },
		{ "x'.system('id').'", "'x\xe2\x80\x99.system(\xe2\x80\x99id\xe2\x80\x99).\xe2\x80\x99'" },
		{ "a\nb\rc\td", "'a b c d'" },
		{ "back\\slash\\", "'back\\slash\\'" },
		{ "< cat /etc/passwd", "' < cat /etc/passwd'" },
		{ "|x", "' |x'" },
		{ "", "''" },
	};
	char *q;
	(void)state;
	for (size_t i = 0; i < MB_ARRAY_SIZE(cases); i++) {
		q = quoted(cases[i][0]);
		assert_string_equal(q, cases[i][1]);
		free(q);
	}
	q = quoted(NULL);
	assert_string_equal(q, "''");
	free(q);
}

/* Every hostile string, quoted, makes a script line that passes the check:
 * the quoting never lets text out of its literal. */
static void test_gp_quote_passes_check(void **state)
{
	(void)state;
	for (size_t i = 0; i < MB_ARRAY_SIZE(hostile); i++) {
		struct rep_buf b = { 0 };
		rep_bputs(&b, "set title ");
		rep_gp_quote(&b, hostile[i]);
		rep_bputs(&b, " noenhanced\nset output ");
		rep_gp_quote(&b, "timeline-x.png");
		rep_bputs(&b, "\n");
		if (rep_gp_check(b.s) != MB_OK)
			fail_msg("quoted [%s] fails the check: %s", hostile[i], mb_errmsg());
		rep_bfree(&b);
	}
}

/* What gnuplot makes of the literal is the text itself (controls as
 * spaces, a space before a leading pipe), and it runs nothing. */
static void test_gp_quote_in_gnuplot(void **state)
{
	char dir[] = "/tmp/mbtest-report-XXXXXX";
	(void)state;
	if (system("command -v gnuplot >/dev/null 2>&1") != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	unlink("/tmp/mb-unit-pwned");
	for (size_t i = 0; i < MB_ARRAY_SIZE(hostile); i++) {
		char *script = mb_xasprintf("%s/t.gp", dir), *outp = mb_xasprintf("%s/out.txt", dir), *got;
		struct rep_buf b = { 0 }, want = { 0 };
		const char *argv[] = { "gnuplot", "-d", script, NULL };
		struct mb_exec_opts o = { .timeout_ms = 20000, .quiet = true };
		struct mb_exec_result res = { 0 };
		size_t len;
		rep_bputs(&b, "set print ");
		rep_gp_quote(&b, outp);
		rep_bputs(&b, "\nprint ");
		rep_gp_quote(&b, hostile[i]);
		rep_bputs(&b, "\n");
		assert_int_equal(mb_write_file_atomic(script, b.s, b.n), MB_OK);
		assert_int_equal(mb_exec(argv, &o, &res), MB_OK);
		if (res.status != 0)
			fail_msg("gnuplot on [%s]: %s", b.s, res.out);
		assert_int_equal(mb_read_file(outp, &got, &len), MB_OK);
		if (hostile[i][0] == '<' || hostile[i][0] == '|')
			rep_bputs(&want, " ");
		for (const char *c = hostile[i]; *c; c++)
			if (*c == '\'')
				rep_bputs(&want, "\xe2\x80\x99");
			else
				rep_bprintf(&want, "%c", (unsigned char)*c < 0x20 ? ' ' : *c);
		rep_bputs(&want, "\n");
		/* gnuplot turns \U+XXXX into the character even in single quotes:
		 * only a display matter, nothing runs. */
		if (!strstr(hostile[i], "\\U+"))
			assert_string_equal(got, rep_bstr(&want));
		assert_false(mb_path_exists("/tmp/mb-unit-pwned"));
		free(got);
		mb_exec_result_free(&res);
		rep_bfree(&b);
		rep_bfree(&want);
		free(script);
		free(outp);
	}
	assert_int_equal(mb_rm_rf(dir), MB_OK);
}

static void expect_refused(const char *script, const char *why)
{
	if (rep_gp_check(script) == MB_OK)
		fail_msg("the check let through: %s", script);
	if (why && !strstr(mb_errmsg(), why))
		fail_msg("check of [%s] says [%s], wanted [%s]", script, mb_errmsg(), why);
}

static void test_gp_check(void **state)
{
	(void)state;
	assert_int_equal(rep_gp_check("reset\nset terminal pngcairo size 800,520 font 'sans,10' noenhanced\n"
				      "set output 'timeline-a.b_c-1.png'\nset title 'it''s; system(''id'')'\n"
				      "plot 'data/x.dat' using 1:(0):(0):(0.08) axes x1y2 with vectors nohead "
				      "lc rgb '#606060' title 'x'\n# a comment: system\n"),
			 MB_OK);
	expect_refused("x = system('id')\n", "'system' is not allowed");
	expect_refused("set title `id`\n", "'`' outside a string");
	expect_refused("set title \"x\"\n", "'\"' outside a string");
	expect_refused("@m\n", "'@'");
	expect_refused("!touch x\n", "'!'");
	expect_refused("plot 'x' using ($1)\n", "'$'");
	expect_refused("set output '| cat'\n", "pipe");
	expect_refused("plot '< cat /etc/passwd'\n", "pipe");
	expect_refused("set output '/tmp/x.png'\n", "plain file name");
	expect_refused("set output '../x.png'\n", "plain file name");
	expect_refused("set output '.hidden'\n", "plain file name");
	expect_refused("set output ''\n", "plain file name");
	expect_refused("set output x\n", "output is not a string");
	expect_refused("set output\n", "output without a name");
	expect_refused("set title 'abc\n'\n", "runs past the line");
	expect_refused("set title 'abc\n", "runs past the line");
	expect_refused("set title 'a' \\\nsystem\n", "'\\' outside a string");
	expect_refused("# comment \\\nx\n", "comment continues");
	expect_refused("load 'x.gp'\n", "'load'");
	expect_refused("call 'x.gp'\n", "'call'");
	expect_refused("set print 'x'\n", "'print'");
	expect_refused("set table 'x'\n", "'table'");
	expect_refused("save 'x'\n", "'save'");
	expect_refused("cd '/'\n", "'cd'");
	expect_refused("shell\n", "'shell'");
	expect_refused("import f(x) from 'lib.so'\n", "'import'");
	expect_refused("pause -1\n", "'pause'");
	expect_refused("plot 'a' | 'b'\n", "'|'");
	/* Tokenized as gnuplot does: right after the opening quote, a quote
	 * ends the literal ('' is empty), so system() is outside. */
	expect_refused("set title ''.system('id').''\n", "'system' is not allowed");
	expect_refused("set title 'a'''''.system('id')#'\n", "'system' is not allowed");
	assert_int_equal(rep_gp_check("set title 'it''s'\n"), MB_OK);
}

static void test_html(void **state)
{
	struct rep_buf b = { 0 };
	(void)state;
	rep_html(&b, "<script>alert('x')</script>&\"<img src=x onerror=y>");
	assert_string_equal(b.s, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;&lt;img src=x "
				 "onerror=y&gt;");
	rep_bfree(&b);
	rep_html(&b, "x' onmouseover='alert(1)");
	assert_null(strchr(b.s, '\''));
	rep_bfree(&b);
	rep_html(&b, NULL);
	assert_string_equal(rep_bstr(&b), "");
	rep_bfree(&b);
}

static void assert_safe(const char *name)
{
	assert_true(mb_safe_name(name));
	assert_true(strlen(name) <= 110);
}

static void test_safe_name(void **state)
{
	static const char *const ids[] = { "../../etc/passwd", "/abs", "", ".hidden", "-rf", "a b", "x'.system('id').'",
					   "new\nline", "ok_but..dots", "é" };
	char *n, *m, *longid;
	(void)state;
	n = rep_safe_name("d16ms-cpuadd-r1");
	assert_string_equal(n, "d16ms-cpuadd-r1");
	free(n);
	for (size_t i = 0; i < MB_ARRAY_SIZE(ids); i++) {
		n = rep_safe_name(ids[i]);
		assert_safe(n);
		if (mb_safe_name(ids[i]))
			assert_string_equal(n, ids[i]);
		else
			assert_true(n[0] == '_');
		free(n);
	}
	/* Two ids that look alike once sanitized get different names. */
	n = rep_safe_name("a/b");
	m = rep_safe_name("a:b");
	assert_string_not_equal(n, m);
	assert_true(!strncmp(n, "_a_b-", 5) && !strncmp(m, "_a_b-", 5));
	free(n);
	free(m);
	/* Long ids are cut, with the hash of the whole id. */
	longid = mb_xcalloc(1, 5001);
	memset(longid, 'a', 5000);
	n = rep_safe_name(longid);
	longid[4999] = 'b';
	m = rep_safe_name(longid);
	assert_safe(n);
	assert_safe(m);
	assert_string_not_equal(n, m);
	free(n);
	free(m);
	free(longid);
}

static void test_printable(void **state)
{
	char *p;
	(void)state;
	p = rep_printable("a\x1b[31mred\nx\x7f");
	assert_string_equal(p, "a?[31mred?x?");
	free(p);
	p = rep_printable(NULL);
	assert_string_equal(p, "(none)");
	free(p);
}

static void expect_human(double v, const char *unit, const char *want)
{
	struct rep_buf b = { 0 };
	rep_human(&b, v, unit);
	if (strcmp(rep_bstr(&b), want))
		fail_msg("rep_human(%g, \"%s\") = [%s], wanted [%s]", v, unit, rep_bstr(&b), want);
	rep_bfree(&b);
}

static void test_human(void **state)
{
	(void)state;
	expect_human(6.803e8, "additions/s", "680 M additions/s");
	expect_human(3.72e8, "B/s", "372 MB/s");
	expect_human(857473024, "B/s", "857 MB/s");
	expect_human(1.2, "s", "1.2 s");
	expect_human(0.35, "s", "350 ms");
	expect_human(0.121, "s", "121 ms");
	expect_human(0.004, "s", "4 ms");
	expect_human(0.00409, "s", "4.09 ms");
	expect_human(87e-6, "s", "87 \xc2\xb5s");
	expect_human(2e-9, "s", "2 ns");
	expect_human(0.9996, "s", "1 s");
	expect_human(0, "s", "0 s");
	expect_human(4000, "s", "4000 s");
	expect_human(1e308, "s", "1e+308 s");
	expect_human(95337481, "B", "90.9 MiB");
	expect_human(268435456, "B", "256 MiB");
	expect_human(1023, "B", "0.999 KiB");
	expect_human(512, "B", "512 B");
	expect_human(999.4, "B/s", "999 B/s");
	expect_human(999.6, "B/s", "1 kB/s");
	expect_human(1e21, "B/s", "1000 EB/s");
	expect_human(12, "heartbeats/s", "12 heartbeats/s");
	expect_human(2.5e3, "", "2.5 k");
	expect_human(-0.35, "s", "-350 ms");
	expect_human(NAN, "s", "\xe2\x80\x93");
	expect_human(INFINITY, "B/s", "inf B/s");
}

/* ---- the typed record reader ---- */

static json_object *record(const char *extra)
{
	char *text = mb_xasprintf("{\"id\":\"d4ms-cpuadd-r1\",\"status\":\"ok\",\"workload\":\"cpuadd\","
				  "\"delay_ms\":4,\"migration\":{\"total_s\":1.5,\"pause_s\":0.9,"
				  "\"iteration_events_s\":[0.1,null,0.5]},\"config\":{\"max_downtime\":0.3,"
				  "\"delay\":0.004,\"workload\":\"cpuadd\",\"memory\":268435456}%s}",
				  extra);
	json_object *o = json_tokener_parse(text);
	free(text);
	assert_non_null(o);
	return o;
}

static void expect_row_error(const char *json, const char *why)
{
	json_object *o = json_tokener_parse(json);
	struct rep_row row;
	assert_non_null(o);
	if (rep_row_from_json(o, &row) == MB_OK)
		fail_msg("accepted: %s", json);
	if (!strstr(mb_errmsg(), why))
		fail_msg("for %s: [%s], wanted [%s]", json, mb_errmsg(), why);
	json_object_put(o);
}

static void test_row_typed(void **state)
{
	json_object *o = record("");
	struct rep_row row;
	(void)state;
	assert_int_equal(rep_row_from_json(o, &row), MB_OK);
	assert_string_equal(row.id, "d4ms-cpuadd-r1");
	assert_true(row.total_s == 1.5 && row.pause_s == 0.9 && row.delay_ms == 4);
	assert_true(isnan(row.downtime_s) && isnan(row.resume_s));
	assert_null(row.samples_file);
	assert_int_equal(row.niter, 2);
	assert_true(row.iter_s[1] == 0.5);
	assert_int_equal(row.ncfg, 2); /* max_downtime, memory; not delay or workload */
	assert_string_equal(row.cfg_val[0], "0.3");
	assert_string_equal(row.cfg_val[1], "268435456");
	rep_row_free(&row);
	json_object_put(o);
}

/* The sweep plot's lower bound: bytes sent over the better probe figure. */
static void test_lower_bound(void **state)
{
	json_object *o = record("");
	struct rep_row row;
	(void)state;
	assert_int_equal(rep_row_from_json(o, &row), MB_OK);
	row.bytes = 9e8;
	row.probe_tcp_bytes_per_s = 3.4e7; /* the whole probe, slow start in it */
	row.probe_tcp_steady = 4.5e7;
	assert_float_equal(rep_lower_bound(&row), 20.0, 1e-9);
	row.probe_tcp_steady = NAN; /* an older record: the whole probe's */
	assert_float_equal(rep_lower_bound(&row), 9e8 / 3.4e7, 1e-9);
	row.probe_tcp_bytes_per_s = NAN; /* no probe: no bound */
	assert_true(isnan(rep_lower_bound(&row)));
	row.probe_tcp_bytes_per_s = 3.4e7;
	row.bytes = NAN; /* not migrated: no bound */
	assert_true(isnan(rep_lower_bound(&row)));
	rep_row_free(&row);
	json_object_put(o);
}

static void test_row_type_confusion(void **state)
{
	(void)state;
	expect_row_error("{\"id\":\"a\",\"status\":\"ok\",\"migration\":{\"iteration_events_s\":\"0.1,0.2\"}}",
			 "migration.iteration_events_s is a string, not an array");
	expect_row_error("{\"id\":\"a\",\"status\":\"ok\",\"migration\":{\"iteration_events_s\":[1,\"x\"]}}",
			 "migration.iteration_events_s[1] is a string, not a number");
	expect_row_error("{\"id\":\"a\",\"status\":\"ok\",\"migration\":{\"iteration_events_s\":{}}}",
			 "not an array");
	expect_row_error("{\"id\":\"a\",\"status\":\"ok\",\"config\":[1,2]}", "config is an array, not an object");
	expect_row_error("{\"id\":\"a\",\"status\":\"ok\",\"config\":\"x\"}", "config is a string");
	expect_row_error("{\"id\":\"a\",\"status\":\"ok\",\"config\":{\"max_downtime\":[1]}}",
			 "config.max_downtime is an array");
	expect_row_error("{\"id\":\"a\",\"status\":\"ok\",\"migration\":5}", "migration is a number, not an object");
	expect_row_error("{\"id\":\"a\",\"status\":\"ok\",\"migration\":{\"total_s\":\"fast\"}}",
			 "migration.total_s is a string, not a number");
	expect_row_error("{\"id\":7,\"status\":\"ok\"}", "id is a number, not a string");
	expect_row_error("{\"id\":\"a\",\"status\":[\"ok\"]}", "status is an array");
	expect_row_error("{\"status\":\"ok\"}", "no scenario id");
	expect_row_error("{\"id\":\"\",\"status\":\"ok\"}", "no scenario id");
	expect_row_error("{\"id\":\"a\"}", "no status");
	expect_row_error("{\"id\":\"a\",\"status\":\"ok\",\"samples\":{\"file\":{\"x\":1}}}",
			 "samples.file is an object, not a string");
}

/* A config value null in one record and a number in another: labels, no
 * crash. */
static void test_labels_mixed_types(void **state)
{
	static const char *const cfgs[] = { "{\"max_downtime\":null}", "{\"max_downtime\":0.3}",
					     "{\"max_downtime\":0.29999999999999999}", "{\"max_downtime\":true}",
					     "{}", "{\"max_downtime\":0.1}" };
	struct rep_set set = { 0 };
	char **labels;
	(void)state;
	set.rows = mb_xcalloc(MB_ARRAY_SIZE(cfgs), sizeof(*set.rows));
	for (size_t i = 0; i < MB_ARRAY_SIZE(cfgs); i++) {
		char *text = mb_xasprintf("{\"id\":\"r%zu\",\"status\":\"ok\",\"workload\":\"w\",\"config\":%s}", i,
					  cfgs[i]);
		json_object *o = json_tokener_parse(text);
		assert_int_equal(rep_row_from_json(o, &set.rows[set.n++]), MB_OK);
		json_object_put(o);
		free(text);
	}
	labels = rep_series_labels(&set);
	assert_string_equal(labels[0], "max_downtime null"); /* one workload: not in the label */
	assert_string_equal(labels[1], "w");
	assert_string_equal(labels[2], "w");
	assert_string_equal(labels[3], "max_downtime true");
	assert_string_equal(labels[4], "w");
	assert_string_equal(labels[5], "max_downtime 100 ms"); /* human units */
	rep_labels_free(labels, set.n);
	rep_free(&set);
}

/* Named links are the x axis like the delay: a sweep over study4 and
 * study16 (each with its own rate) is one series per workload, while a
 * rate swept without a named link stays a series of its own. */
static void test_labels_named_links(void **state)
{
	static const char *const recs[] = {
		"\"workload\":\"cpuadd\",\"config\":{\"link\":\"study4\",\"rate\":609610000}",
		"\"workload\":\"cpuadd\",\"config\":{\"link\":\"study16\",\"rate\":151790000}",
		"\"workload\":\"seqread\",\"config\":{\"link\":\"study16\",\"rate\":151790000}",
		"\"workload\":\"cpuadd\",\"config\":{\"link\":\"\",\"rate\":1000000}",
		"\"workload\":\"cpuadd\",\"config\":{\"link\":\"\",\"rate\":2000000}",
	};
	struct rep_set set = { 0 };
	char **labels;
	(void)state;
	set.rows = mb_xcalloc(MB_ARRAY_SIZE(recs), sizeof(*set.rows));
	for (size_t i = 0; i < MB_ARRAY_SIZE(recs); i++) {
		char *text = mb_xasprintf("{\"id\":\"r%zu\",\"status\":\"ok\",%s}", i, recs[i]);
		json_object *o = json_tokener_parse(text);
		assert_non_null(o);
		assert_int_equal(rep_row_from_json(o, &set.rows[set.n++]), MB_OK);
		json_object_put(o);
		free(text);
	}
	labels = rep_series_labels(&set);
	assert_string_equal(labels[0], "cpuadd");
	assert_string_equal(labels[1], "cpuadd");
	assert_string_equal(labels[2], "seqread");
	/* The most common value (on a tie the earliest) is left out. */
	assert_non_null(strstr(labels[4], "rate 2 MB/s"));
	assert_string_not_equal(labels[3], labels[4]);
	rep_labels_free(labels, set.n);
	rep_free(&set);
}

/* Every key path the report reads is a key of the record (record/'s field
 * tables, or the option table under config.): a renamed key fails here. */
static void test_paths_are_record_keys(void **state)
{
	(void)state;
	if (rep_unknown_path())
		fail_msg("report/rows.c reads %s, which the record does not have", rep_unknown_path());
}

static struct rep_row row_of(const char *json)
{
	struct rep_row row;
	json_object *o = json_tokener_parse(json);
	assert_non_null(o);
	assert_int_equal(rep_row_from_json(o, &row), MB_OK);
	json_object_put(o);
	return row;
}

/* Outcomes of schema 1 and 2 records; figures never measured are NaN
 * (an empty CSV cell), also where a schema 1 record wrote 0. */
static void test_outcomes(void **state)
{
	struct rep_row r;
	(void)state;
	r = row_of("{\"id\":\"a\",\"status\":\"ok\",\"migration\":{\"total_s\":1.5}}");
	assert_int_equal(rep_row_outcome(&r), REP_O_CONVERGED); /* schema 1: ok = migrated */
	assert_true(r.total_s == 1.5);
	rep_row_free(&r);
	r = row_of("{\"id\":\"a\",\"status\":\"failed\",\"migration\":{\"total_s\":0,\"downtime_s\":0,"
		   "\"bytes\":0,\"iterations\":0}}");
	assert_int_equal(rep_row_outcome(&r), REP_O_FAILED);
	assert_true(isnan(r.total_s) && isnan(r.downtime_s) && isnan(r.bytes) && isnan(r.iterations));
	rep_row_free(&r);
	r = row_of("{\"id\":\"a\",\"status\":\"ok\",\"outcome\":\"not_converged\",\"migration\":{\"total_s\":null,"
		   "\"progress\":{\"iteration\":45,\"memory_remaining_bytes\":24000000}}}");
	assert_int_equal(rep_row_outcome(&r), REP_O_NOT_CONVERGED);
	assert_true(isnan(r.total_s));
	assert_true(r.prog_iteration == 45 && r.prog_remaining == 24e6);
	rep_row_free(&r);
	r = row_of("{\"id\":\"a\",\"status\":\"skipped\"}");
	assert_int_equal(rep_row_outcome(&r), REP_O_SKIPPED);
	rep_row_free(&r);
}

/* Groups: one per setting and delay, outcome counts, stats of the
 * converged repetitions only. */
static void test_groups(void **state)
{
	static const char *const recs[] = {
		"{\"id\":\"p1\",\"status\":\"ok\",\"outcome\":\"not_converged\",\"experiment\":\"plain\","
		"\"workload\":\"m\",\"delay_ms\":16,\"migration\":{\"progress\":{\"time_s\":40}}}",
		"{\"id\":\"p2\",\"status\":\"ok\",\"outcome\":\"not_converged\",\"experiment\":\"plain\","
		"\"workload\":\"m\",\"delay_ms\":16,\"migration\":{\"progress\":{\"time_s\":42}}}",
		"{\"id\":\"d1\",\"status\":\"ok\",\"outcome\":\"converged\",\"experiment\":\"dt\","
		"\"workload\":\"m\",\"delay_ms\":16,\"migration\":{\"total_s\":2}}",
		"{\"id\":\"d2\",\"status\":\"ok\",\"outcome\":\"converged\",\"experiment\":\"dt\","
		"\"workload\":\"m\",\"delay_ms\":16,\"migration\":{\"total_s\":3}}",
		"{\"id\":\"d3\",\"status\":\"failed\",\"experiment\":\"dt\",\"workload\":\"m\",\"delay_ms\":16}",
	};
	struct rep_set set = { 0 };
	struct rep_groups gs;
	struct rep_stat st;
	char *csv;
	(void)state;
	set.rows = mb_xcalloc(MB_ARRAY_SIZE(recs), sizeof(*set.rows));
	for (size_t i = 0; i < MB_ARRAY_SIZE(recs); i++)
		set.rows[set.n++] = row_of(recs[i]);
	rep_groups_build(&set, &gs);
	assert_int_equal(gs.n, 2);
	assert_int_equal(gs.ndelays, 1);
	assert_string_equal(gs.g[0].label, "plain");
	assert_int_equal(gs.g[0].count[REP_O_NOT_CONVERGED], 2);
	assert_int_equal(gs.g[1].count[REP_O_CONVERGED], 2);
	assert_int_equal(gs.g[1].count[REP_O_FAILED], 1);
	st = rep_group_stat(&set, &gs.g[0], offsetof(struct rep_row, total_s), true);
	assert_int_equal(st.n, 0);
	assert_true(isnan(st.mean));
	st = rep_group_stat(&set, &gs.g[0], offsetof(struct rep_row, prog_time_s), false);
	assert_true(st.n == 2 && st.mean == 41);
	st = rep_group_stat(&set, &gs.g[1], offsetof(struct rep_row, total_s), true);
	assert_true(st.n == 2 && st.mean == 2.5 && fabs(st.ci - 12.706 * 0.5) < 1e-9);
	csv = rep_comparison_csv(&set, &gs);
	/* The plain setting: no converged repetition, so empty cells, never 0. */
	assert_non_null(strstr(csv, "\n0.016,\"plain\",2,0,2,0,0,0,0,,,"));
	assert_non_null(strstr(csv, "\n0.016,\"dt\",3,2,0,0,0,1,0,2.5,"));
	free(csv);
	rep_groups_free(&gs);
	rep_free(&set);
}

/* ---- the studies' plots (keyplots.c) ---- */

static void set_of(struct rep_set *set, const char *const *recs, size_t n)
{
	memset(set, 0, sizeof(*set));
	set->rows = mb_xcalloc(n, sizeof(*set->rows));
	for (size_t i = 0; i < n; i++)
		set->rows[set->n++] = row_of(recs[i]);
}

static const struct rep_kseries *series_named(const struct rep_kplot_data *d, const char *label)
{
	for (int i = 0; i < d->n; i++)
		if (!strcmp(d->s[i].label, label))
			return &d->s[i];
	for (int i = 0; i < d->n; i++)
		print_message("series %d: '%s'\n", i, d->s[i].label);
	fail_msg("no series '%s' (of %d)", label, d->n);
	return NULL;
}

#define NB(id, exp, nb, rate)                                                                           \
	"{\"id\":\"" id "\",\"status\":\"ok\",\"experiment\":\"" exp "\",\"workload\":\"cpuadd\","           \
	"\"migration_tried\":false,\"config\":{\"neighbours\":" #nb ",\"migrate\":false},"                \
	"\"phases\":{\"before\":{\"rate\":" #rate "}}}"

/* Neighbour slowdown: over the series' own 0-neighbour cell, mean and CI
 * over repetitions, the x key out of the labels; without a 0 cell in every
 * series, the rates themselves. */
static void test_keyplot_neighbours(void **state)
{
	static const char *const recs[] = {
		NB("a0r1", "cpuadd", 0, 100), NB("a0r2", "cpuadd", 0, 100), NB("a1r1", "cpuadd", 1, 60),
		NB("a1r2", "cpuadd", 1, 40),  NB("a2r1", "cpuadd", 2, 30),  NB("p0r1", "pinned", 0, 200),
		NB("p2r1", "pinned", 2, 200),
		("{\"id\":\"f\",\"status\":\"failed\",\"experiment\":\"pinned\",\"workload\":\"cpuadd\","
		"\"config\":{\"neighbours\":1},\"phases\":{\"before\":{\"rate\":1}}}"),
	};
	struct rep_set set;
	struct rep_kplot_data d;
	const struct rep_kseries *s;
	(void)state;
	set_of(&set, recs, MB_ARRAY_SIZE(recs));
	assert_int_equal(rep_keyplot_series(&set, REP_K_NEIGHBOURS, &d), 2);
	assert_true(d.relative);
	s = series_named(&d, "cpuadd");
	assert_int_equal(s->n, 3);
	assert_true(s->pts[0].x == 0 && s->pts[0].mean == 1 && s->pts[0].n == 2 && s->pts[0].ci == 0);
	assert_true(s->pts[1].x == 1 && fabs(s->pts[1].mean - 0.5) < 1e-12 && s->pts[1].n == 2);
	assert_true(fabs(s->pts[1].ci - 12.706 * 0.1 / 1) < 1e-9); /* sd 14.14/sqrt 2 = 10, over 100 */
	assert_true(s->pts[2].x == 2 && fabs(s->pts[2].mean - 0.3) < 1e-12);
	s = series_named(&d, "pinned"); /* the failed repetition is no point */
	assert_int_equal(s->n, 2);
	assert_true(s->pts[1].x == 2 && s->pts[1].mean == 1);
	rep_kplot_data_free(&d);
	rep_free(&set);
	/* No 0-neighbour cell for "pinned": rates, not ratios. */
	{
		static const char *const no0[] = { NB("a0", "cpuadd", 0, 100), NB("a1", "cpuadd", 1, 50),
						   NB("p1", "pinned", 1, 80), NB("p2", "pinned", 2, 70) };
		set_of(&set, no0, MB_ARRAY_SIZE(no0));
		assert_int_equal(rep_keyplot_series(&set, REP_K_NEIGHBOURS, &d), 2);
		assert_false(d.relative);
		assert_true(series_named(&d, "cpuadd")->pts[1].mean == 50);
		rep_kplot_data_free(&d);
		rep_free(&set);
	}
	/* One neighbour count: nothing to draw. */
	set_of(&set, recs, 2);
	assert_int_equal(rep_keyplot_series(&set, REP_K_NEIGHBOURS, &d), 0);
	assert_int_equal(d.n, 0);
	rep_free(&set);
}

#define KSM(nb, ksm, pat, mib)                                                                          \
	"{\"id\":\"k" #nb ksm pat "\",\"status\":\"ok\",\"experiment\":\"resident\",\"workload\":\"idle\","    \
	"\"config\":{\"neighbours\":" #nb ",\"ksm\":\"" ksm "\",\"resident_pattern\":\"" pat "\"},"            \
	"\"ksm\":{\"mode\":\"" ksm "\",\"after\":{\"merged_bytes\":" #mib "}}}"

/* Merged MiB against 1 + neighbours, a series per KSM mode and pattern. */
static void test_keyplot_ksm(void **state)
{
	static const char *const recs[] = {
		KSM(0, "off", "random", 0),       KSM(1, "off", "random", 0),
		KSM(0, "on", "same", 268435456), KSM(1, "on", "same", 536870912),
		KSM(0, "off", "same", 0),         KSM(1, "off", "same", 0),
		KSM(0, "on", "random", 0),        KSM(1, "on", "random", 0),
		KSM(2, "keep", "same", 999),      /* the host's own KSM: no point */
	};
	struct rep_set set;
	struct rep_kplot_data d;
	const struct rep_kseries *s;
	(void)state;
	set_of(&set, recs, MB_ARRAY_SIZE(recs));
	assert_int_equal(rep_keyplot_series(&set, REP_K_KSM, &d), 4);
	assert_false(d.relative);
	for (int i = 0; i < d.n; i++)
		assert_true(!strstr(d.s[i].label, "neighbours") && !strstr(d.s[i].label, "keep"));
	s = series_named(&d, "resident ksm on resident_pattern same");
	assert_true(s->n == 2 && s->pts[0].x == 1 && s->pts[0].mean == 256 && s->pts[1].x == 2 &&
		    s->pts[1].mean == 512);
	rep_kplot_data_free(&d);
	rep_free(&set);
}

#define MC(size, mem, direct, rate)                                                                     \
	"{\"id\":\"m" #size #mem #direct "\",\"status\":\"ok\",\"workload\":\"seqread\","                  \
	"\"config\":{\"seqread_size\":" #size ",\"memory\":" #mem ",\"seqread_direct\":" #direct "},"       \
	"\"phases\":{\"before\":{\"rate\":" #rate "}}}"

/* Read rate (MB/s) against the data size (MiB), a series per memory and
 * cache mode; other workloads are no points. */
static void test_keyplot_datasize(void **state)
{
	static const char *const recs[] = {
		MC(134217728, 134217728, true, 50e6),   MC(268435456, 134217728, true, 50e6),
		MC(134217728, 134217728, false, 900e6), MC(268435456, 134217728, false, 60e6),
		MC(134217728, 1073741824, false, 950e6), MC(268435456, 1073741824, false, 940e6),
		("{\"id\":\"c\",\"status\":\"ok\",\"workload\":\"cpuadd\",\"config\":{\"seqread_size\":1},"
		"\"phases\":{\"before\":{\"rate\":5}}}"),
	};
	struct rep_set set;
	struct rep_kplot_data d;
	const struct rep_kseries *s;
	(void)state;
	set_of(&set, recs, MB_ARRAY_SIZE(recs));
	assert_int_equal(rep_keyplot_series(&set, REP_K_DATASIZE, &d), 3);
	/* Every varying setting named, the common values too; the workload as
	 * the set has two (the cpuadd row). */
	s = series_named(&d, "seqread memory 128 MiB seqread_direct no");
	assert_true(s->n == 2 && s->pts[0].x == 128 && s->pts[0].mean == 900 && s->pts[1].x == 256 &&
		    s->pts[1].mean == 60);
	s = series_named(&d, "seqread memory 1 GiB seqread_direct no");
	assert_true(s->n == 2 && s->pts[1].mean == 940);
	assert_int_equal(series_named(&d, "seqread memory 128 MiB seqread_direct yes")->n, 2);
	rep_kplot_data_free(&d);
	rep_free(&set);
}

#define VMS(vms, link, delay, agg, one)                                                                  \
	"{\"id\":\"v" #vms link "\",\"status\":\"ok\",\"outcome\":\"converged\",\"workload\":\"cpuadd\","    \
	"\"delay_ms\":" #delay ",\"config\":{\"migrate_vms\":" #vms ",\"link\":\"" link "\"},"                  \
	"\"migration\":{\"total_s\":" #one "},\"migrations\":{\"total_s\":" #agg "}}"

/* Total migration time against the VMs migrating together: the aggregate
 * for several, the one migration's for one; a series per link. */
static void test_keyplot_vms(void **state)
{
	static const char *const recs[] = {
		VMS(1, "study4", 4, null, 3),  VMS(2, "study4", 4, 7, 5), VMS(4, "study4", 4, 15, 9),
		VMS(1, "study64", 64, null, 30), VMS(2, "study64", 64, 61, 50),
		("{\"id\":\"n\",\"status\":\"ok\",\"outcome\":\"not_converged\",\"workload\":\"cpuadd\","
		"\"delay_ms\":64,\"config\":{\"migrate_vms\":4,\"link\":\"study64\"},\"migrations\":{\"total_s\":99}}"),
	};
	struct rep_set set;
	struct rep_kplot_data d;
	const struct rep_kseries *s;
	(void)state;
	set_of(&set, recs, MB_ARRAY_SIZE(recs));
	assert_int_equal(rep_keyplot_series(&set, REP_K_VMS, &d), 2);
	s = series_named(&d, "cpuadd study4");
	assert_true(s->n == 3 && s->pts[0].mean == 3 && s->pts[1].mean == 7 && s->pts[2].x == 4 &&
		    s->pts[2].mean == 15);
	s = series_named(&d, "cpuadd study64"); /* the unfinished one is no point */
	assert_true(s->n == 2 && s->pts[0].mean == 30 && s->pts[1].mean == 61);
	rep_kplot_data_free(&d);
	rep_free(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gp_quote_form),
		cmocka_unit_test(test_gp_quote_passes_check),
		cmocka_unit_test(test_gp_quote_in_gnuplot),
		cmocka_unit_test(test_gp_check),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_safe_name),
		cmocka_unit_test(test_printable),
		cmocka_unit_test(test_human),
		cmocka_unit_test(test_row_typed),
		cmocka_unit_test(test_lower_bound),
		cmocka_unit_test(test_row_type_confusion),
		cmocka_unit_test(test_labels_mixed_types),
		cmocka_unit_test(test_labels_named_links),
		cmocka_unit_test(test_paths_are_record_keys),
		cmocka_unit_test(test_outcomes),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_keyplot_neighbours),
		cmocka_unit_test(test_keyplot_ksm),
		cmocka_unit_test(test_keyplot_datasize),
		cmocka_unit_test(test_keyplot_vms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
