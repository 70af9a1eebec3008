/* test_core.c - core/: command-line parsing (flags, --key=value overrides,
 * errors, suggestions), running tools (argv vectors, output, exit status,
 * time limits), atomic file writes and the string helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/cli.h"
#include "core/exec.h"
#include "core/util.h"

/* ---- cli_parse ------------------------------------------------------- */

static const struct cli_flag flags[] = {
	{ "out", "DIR", "where results go", false },
	{ "json", NULL, "print JSON", false },
	{ "only", "ID", "run only this scenario", true },
	{ "seconds", "N", "how long", false },
	{ NULL, NULL, NULL, false },
};

/* Parse a NULL-terminated list of words (argv after the command name). */
static int parse(bool keys, struct cli_args *a, bool *help, ...)
{
	static char *argv[32];
	va_list ap;
	int argc = 0;
	va_start(ap, help);
	for (char *w; (w = va_arg(ap, char *));)
		argv[argc++] = w;
	va_end(ap);
	return cli_parse(argc, argv, flags, keys, a, help);
}

static void test_cli_flags(void **state)
{
	struct cli_args a;
	bool help = true;
	char **vals;
	(void)state;
	assert_int_equal(parse(true, &a, &help, "p.ini", "--out", "r1", "--json", "--only=x",
			       "--only", "y", "--seconds=5", "q.ini", NULL),
			 MB_OK);
	assert_false(help);
	assert_int_equal(a.npos, 2);
	assert_string_equal(a.pos[0], "p.ini");
	assert_string_equal(a.pos[1], "q.ini");
	assert_string_equal(cli_get(&a, "out"), "r1");
	assert_true(cli_has(&a, "json"));
	assert_null(cli_get(&a, "json")); /* a switch has no value */
	assert_string_equal(cli_get(&a, "seconds"), "5");
	assert_false(cli_has(&a, "nothing"));
	assert_null(cli_get(&a, "nothing"));
	assert_int_equal(cli_get_all(&a, "only", &vals), 2);
	assert_string_equal(vals[0], "x");
	assert_string_equal(vals[1], "y");
	free(vals);
	/* In command-line order. */
	assert_int_equal(a.nv, 5);
	assert_string_equal(a.v[0].flag->name, "out");
	assert_string_equal(a.v[4].flag->name, "seconds");
	cli_free(&a);
	assert_int_equal(a.nv, 0);
	assert_null(a.pos);

	/* An empty value after '=' is a value; "-" alone is a positional. */
	assert_int_equal(parse(false, &a, &help, "--out=", "-", NULL), MB_OK);
	assert_string_equal(cli_get(&a, "out"), "");
	assert_int_equal(a.npos, 1);
	assert_string_equal(a.pos[0], "-");
	cli_free(&a);

	/* "--" ends the options: what follows is positional even if it looks
	 * like a flag. */
	assert_int_equal(parse(false, &a, &help, "--json", "--", "--out", "-h", NULL), MB_OK);
	assert_int_equal(a.npos, 2);
	assert_string_equal(a.pos[0], "--out");
	assert_string_equal(a.pos[1], "-h");
	assert_null(cli_get(&a, "out"));
	cli_free(&a);

	/* -h and --help are reported, not errors. */
	assert_int_equal(parse(false, &a, &help, "--json", "-h", NULL), MB_OK);
	assert_true(help);
	cli_free(&a);
	help = false;
	assert_int_equal(parse(false, &a, &help, "--help", "--bogus", NULL), MB_OK);
	assert_true(help);
	cli_free(&a);
}

static void test_cli_keys(void **state)
{
	struct cli_args a;
	bool help;
	(void)state;
	assert_int_equal(parse(true, &a, &help, "--delay=16ms", "--lab.name", "x1", "--json", NULL),
			 MB_OK);
	assert_int_equal(a.nv, 3);
	assert_null(a.v[0].flag);
	assert_string_equal(a.v[0].key, "delay");
	assert_string_equal(a.v[0].val, "16ms");
	assert_null(a.v[1].flag);
	assert_string_equal(a.v[1].key, "lab.name");
	assert_string_equal(a.v[1].val, "x1");
	assert_non_null(a.v[2].flag);
	/* An override is not a flag. */
	assert_null(cli_get(&a, "delay"));
	assert_false(cli_has(&a, "delay"));
	cli_free(&a);

	/* Without accept_keys a profile key is an unknown option. */
	assert_int_equal(parse(false, &a, &help, "--delay=16ms", NULL), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "unknown option --delay"));
	/* A key needs a value. */
	assert_int_equal(parse(true, &a, &help, "--delay", NULL), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "--delay needs a value"));
}

static void test_cli_errors(void **state)
{
	struct cli_args a;
	bool help;
	(void)state;
	assert_int_equal(parse(false, &a, &help, "--out", NULL), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "--out needs an argument (DIR)"));
	assert_null(a.v);
	assert_null(a.pos);
	assert_int_equal(parse(false, &a, &help, "--json=yes", NULL), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "--json takes no argument"));
	assert_int_equal(parse(false, &a, &help, "--out=a", "--out=b", NULL), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "--out given twice"));
	assert_int_equal(parse(false, &a, &help, "-o", "x", NULL), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "unknown option -o (options are spelt --name)"));
	assert_int_equal(parse(false, &a, &help, "p.ini", "-json", NULL), MB_EINPUT);
	assert_null(a.pos); /* freed on error */
}

static void test_cli_suggest(void **state)
{
	struct cli_args a;
	bool help;
	(void)state;
	/* A misspelt flag. */
	assert_int_equal(parse(false, &a, &help, "--jsno", NULL), MB_EINPUT);
	assert_string_equal(mb_errmsg(), "unknown option --jsno, did you mean --json?");
	/* The value after '=' is not part of the name. */
	assert_int_equal(parse(false, &a, &help, "--secnds=4", NULL), MB_EINPUT);
	assert_string_equal(mb_errmsg(), "unknown option --secnds, did you mean --seconds?");
	/* A misspelt profile key, when keys are accepted. */
	assert_int_equal(parse(true, &a, &help, "--dealy=4ms", NULL), MB_EINPUT);
	assert_string_equal(mb_errmsg(), "unknown option --dealy, did you mean --delay?");
	assert_int_equal(parse(true, &a, &help, "--lab.nme=x", NULL), MB_EINPUT);
	assert_string_equal(mb_errmsg(), "unknown option --lab.nme, did you mean --lab.name?");
	/* Nothing close: no suggestion. */
	assert_int_equal(parse(true, &a, &help, "--xyzzyplugh", NULL), MB_EINPUT);
	assert_string_equal(mb_errmsg(), "unknown option --xyzzyplugh");
	/* A very long unknown name is cut, not overflowed. */
	{
		char longopt[400];
		memset(longopt, 'q', sizeof(longopt) - 1);
		longopt[0] = longopt[1] = '-';
		longopt[sizeof(longopt) - 1] = '\0';
		assert_int_equal(parse(true, &a, &help, longopt, NULL), MB_EINPUT);
		assert_true(mb_str_starts(mb_errmsg(), "unknown option --qqq"));
	}
}

/* ---- mb_exec --------------------------------------------------------- */

static void test_exec_output_status(void **state)
{
	const char *const echo[] = { "echo", "a;b", "$HOME", "*", "'q'", NULL };
	const char *const both[] = { "sh", "-c", "echo out; echo err >&2; exit 3", NULL };
	const char *const big[] = { "head", "-c", "200000", "/dev/zero", NULL };
	const char *const missing[] = { "/nonexistent/migbench-no-such-tool", NULL };
	struct mb_exec_result r = { 0 };
	(void)state;

	/* argv is passed as it is: no shell expands anything. */
	assert_int_equal(mb_exec(echo, NULL, &r), MB_OK);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "a;b $HOME * 'q'\n");
	assert_int_equal(r.outlen, strlen(r.out));
	mb_exec_result_free(&r);
	assert_null(r.out);

	/* stdout and stderr both captured; exit status reported as it is. */
	assert_int_equal(mb_exec(both, NULL, &r), MB_OK);
	assert_int_equal(r.status, 3);
	assert_string_equal(r.out, "out\nerr\n");
	mb_exec_result_free(&r);

	/* Output larger than any first buffer, all of it. */
	assert_int_equal(mb_exec(big, NULL, &r), MB_OK);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.outlen, 200000);
	mb_exec_result_free(&r);

	/* The child keeps no descriptor of ours: a lock or socket the caller
	 * holds (not close-on-exec) must not live on in a tool or daemon. */
	{
		int fd = open("/dev/null", O_RDONLY);
		char path[64];
		assert_true(fd > 2);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		const char *const probe[] = { "test", "-e", path, NULL };
		assert_int_equal(mb_exec(probe, NULL, &r), MB_OK);
		assert_int_equal(r.status, 1);
		mb_exec_result_free(&r);
		close(fd);
	}

	/* A program that cannot be started: 127 and the reason. */
	assert_int_equal(mb_exec(missing, NULL, &r), MB_OK);
	assert_int_equal(r.status, 127);
	assert_non_null(strstr(r.out, "cannot run /nonexistent/migbench-no-such-tool"));
	mb_exec_result_free(&r);

	/* mb_exec_ok: non-zero exit is an error naming the command and quoting
	 * its last line. */
	assert_int_equal(mb_exec_ok(both, NULL), MB_EINTERNAL);
	assert_non_null(strstr(mb_errmsg(), "failed (exit 3): err"));
	assert_non_null(strstr(mb_errmsg(), "'echo out; echo err >&2; exit 3'"));
	assert_int_equal(mb_exec_ok(echo, NULL), MB_OK);
	/* No result wanted. */
	assert_int_equal(mb_exec(echo, NULL, NULL), MB_OK);
}

static void test_exec_timeout(void **state)
{
	const char *const sleeper[] = { "sleep", "10", NULL };
	/* Closes its output first: EOF on the pipe must not end the wait for
	 * the deadline. */
	const char *const quiet[] = { "sh", "-c", "exec >/dev/null 2>&1; exec sleep 10", NULL };
	const char *const chatty[] = { "sh", "-c", "echo started; exec sleep 10", NULL };
	struct mb_exec_opts o = { .timeout_ms = 300 };
	struct mb_exec_result r = { 0 };
	int64_t t0;
	(void)state;

	t0 = mb_mono_ns();
	assert_int_equal(mb_exec(sleeper, &o, &r), MB_EINTERNAL);
	assert_true(mb_mono_ns() - t0 < 3 * MB_NSEC_PER_SEC);
	assert_int_equal(r.status, 128 + 9); /* SIGKILL */
	assert_non_null(strstr(mb_errmsg(), "'sleep 10' did not finish within 300 ms"));
	mb_exec_result_free(&r);

	t0 = mb_mono_ns();
	assert_int_equal(mb_exec(chatty, &o, &r), MB_EINTERNAL);
	assert_true(mb_mono_ns() - t0 < 3 * MB_NSEC_PER_SEC);
	assert_string_equal(r.out, "started\n"); /* what it said before it was killed */
	assert_int_equal(r.status, 128 + 9);
	mb_exec_result_free(&r);

	t0 = mb_mono_ns();
	assert_int_equal(mb_exec(quiet, &o, &r), MB_EINTERNAL);
	assert_true(mb_mono_ns() - t0 < 3 * MB_NSEC_PER_SEC);
	assert_int_equal(r.status, 128 + 9);
	mb_exec_result_free(&r);

	/* Finishing in time is not a timeout. */
	o.timeout_ms = 5000;
	assert_int_equal(mb_exec((const char *const[]){ "true", NULL }, &o, &r), MB_OK);
	assert_int_equal(r.status, 0);
	mb_exec_result_free(&r);
}

/* ---- mb_write_file_atomic -------------------------------------------- */

static char *tmpdir(void)
{
	char *d = mb_xstrdup("/tmp/mb-test-core-XXXXXX");
	assert_non_null(mkdtemp(d));
	return d;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;
	assert_non_null(d);
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

static void test_write_atomic(void **state)
{
	char *dir = tmpdir(), *path = mb_xasprintf("%s/state.json", dir);
	char *tmp = mb_xasprintf("%s.tmp", path), *missing = mb_xasprintf("%s/no/such/f", dir);
	char *buf;
	size_t len;
	struct stat st;
	(void)state;

	assert_int_equal(mb_write_file_atomic(path, "first version\n", 14), MB_OK);
	assert_int_equal(mb_read_file(path, &buf, &len), MB_OK);
	assert_int_equal(len, 14);
	assert_string_equal(buf, "first version\n");
	free(buf);
	assert_false(mb_path_exists(tmp));

	/* Replaces: shorter content leaves nothing of the old one. */
	assert_int_equal(mb_write_file_atomic(path, "v2", 2), MB_OK);
	assert_int_equal(mb_read_file(path, &buf, &len), MB_OK);
	assert_int_equal(len, 2);
	assert_string_equal(buf, "v2");
	free(buf);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(count_entries(dir), 1); /* no temporary left behind */

	/* Empty content is a file of length 0. */
	assert_int_equal(mb_write_file_atomic(path, "", 0), MB_OK);
	assert_int_equal(mb_read_file(path, &buf, &len), MB_OK);
	assert_int_equal(len, 0);
	free(buf);

	/* A directory that does not exist: an error naming the file. */
	assert_int_equal(mb_write_file_atomic(missing, "x", 1), MB_EINTERNAL);
	assert_non_null(strstr(mb_errmsg(), "no/such/f")); /* the temp name is random */
	assert_int_equal(count_entries(dir), 1);

	/* Reading what is not there is bad input (a path the user gave). */
	assert_int_equal(mb_read_file(missing, &buf, &len), MB_EINPUT);

	assert_int_equal(mb_rm_rf(dir), MB_OK);
	assert_false(mb_path_exists(dir));
	free(missing);
	free(tmp);
	free(path);
	free(dir);
}

/* ---- strings ---------------------------------------------------------- */

static void test_edit_distance(void **state)
{
	(void)state;
	assert_int_equal(mb_edit_distance("", ""), 0);
	assert_int_equal(mb_edit_distance("abc", ""), 3);
	assert_int_equal(mb_edit_distance("", "abc"), 3);
	assert_int_equal(mb_edit_distance("delay", "delay"), 0);
	assert_int_equal(mb_edit_distance("delay", "dealy"), 1);  /* transposition */
	assert_int_equal(mb_edit_distance("delay", "delays"), 1); /* insertion */
	assert_int_equal(mb_edit_distance("delay", "dlay"), 1);   /* deletion */
	assert_int_equal(mb_edit_distance("delay", "detay"), 1);  /* substitution */
	assert_int_equal(mb_edit_distance("kitten", "sitting"), 3);
	/* Case-insensitive, transpositions included. */
	assert_int_equal(mb_edit_distance("DELAY", "delay"), 0);
	assert_int_equal(mb_edit_distance("DEALY", "delay"), 1);
	assert_int_equal(mb_edit_distance("ab", "BA"), 1);
	/* Symmetric. */
	assert_int_equal(mb_edit_distance("workload", "wrkld"), mb_edit_distance("wrkld", "workload"));
}

static void test_closest_names(void **state)
{
	static const char *const c[] = { "delay", "workload", NULL, "max_downtime", "bandwidth" };
	(void)state;
	assert_string_equal(mb_closest("dealy", c, 5), "delay");
	assert_string_equal(mb_closest("wrkload", c, 5), "workload");
	assert_string_equal(mb_closest("max_downtim", c, 5), "max_downtime");
	assert_string_equal(mb_closest("WORKLOAD", c, 5), "workload");
	/* A prefix of a longer name (at least 3 characters). */
	assert_string_equal(mb_closest("band", c, 5), "bandwidth");
	assert_null(mb_closest("ba", c, 5));
	/* Too far from everything. */
	assert_null(mb_closest("xyzzy", c, 5));
	assert_null(mb_closest("delay", c, 0));
	assert_null(mb_closest("delay", (const char *const[]){ NULL }, 1));
}

static void test_trim(void **state)
{
	char a[] = "  \t hello world \r\n", b[] = "", c[] = " \n\t ", d[] = "x";
	(void)state;
	assert_string_equal(mb_trim(a), "hello world");
	assert_string_equal(mb_trim(b), "");
	assert_string_equal(mb_trim(c), "");
	assert_string_equal(mb_trim(d), "x");
}

static void test_safe_name(void **state)
{
	(void)state;
	assert_true(mb_safe_name("mbbnch"));
	assert_true(mb_safe_name("run-1.2_x"));
	assert_true(mb_safe_name("A9"));
	assert_false(mb_safe_name(""));
	assert_false(mb_safe_name(".hidden"));
	assert_false(mb_safe_name("-flag"));
	assert_false(mb_safe_name("a/b"));
	assert_false(mb_safe_name(".."));
	assert_false(mb_safe_name("a b"));
	assert_false(mb_safe_name("a;rm"));
	assert_false(mb_safe_name("caf\xc3\xa9"));
}

static void test_last_line(void **state)
{
	char out[16];
	(void)state;
	mb_last_line("one\ntwo\n\n", out, sizeof(out));
	assert_string_equal(out, "two");
	mb_last_line("", out, sizeof(out));
	assert_string_equal(out, "");
	mb_last_line("a very long last line indeed", out, sizeof(out));
	assert_string_equal(out, "a very long las"); /* cut to the buffer, terminated */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cli_flags),
		cmocka_unit_test(test_cli_keys),
		cmocka_unit_test(test_cli_errors),
		cmocka_unit_test(test_cli_suggest),
		cmocka_unit_test(test_exec_output_status),
		cmocka_unit_test(test_exec_timeout),
		cmocka_unit_test(test_write_atomic),
		cmocka_unit_test(test_edit_distance),
		cmocka_unit_test(test_closest_names),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_safe_name),
		cmocka_unit_test(test_last_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
