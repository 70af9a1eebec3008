/* test_util.c - the file helpers against planted symlinks, FIFOs and
 * devices, strict integer parsing and the string map. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/util.h"

static char dir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/mbtest-util-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(mb_rm_rf(dir), MB_OK);
	return 0;
}

static char *path(const char *name)
{
	static char p[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

static char *slurp(const char *p)
{
	char *buf = NULL;
	size_t n;
	assert_int_equal(mb_read_file(p, &buf, &n), MB_OK);
	return buf;
}

static void spit(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Every predictable temporary name a writer might use points at a victim:
 * the victim keeps its content, the file gets the new one. */
static void test_atomic_write_planted_symlinks(void **state)
{
	static const char *const tmpnames[] = { "out.json.tmp", ".out.json.tmp", "out.json~",
						".out.json.swp" };
	char *buf;
	(void)state;
	spit(path("victim"), "precious\n");
	for (size_t i = 0; i < sizeof(tmpnames) / sizeof(tmpnames[0]); i++)
		assert_int_equal(symlink(path("victim"), path(tmpnames[i])), 0);
	assert_int_equal(mb_write_file_atomic(path("out.json"), "new\n", 4), MB_OK);
	buf = slurp(path("victim"));
	assert_string_equal(buf, "precious\n");
	free(buf);
	buf = slurp(path("out.json"));
	assert_string_equal(buf, "new\n");
	free(buf);
	/* The planted links are still links (not written through, not replaced). */
	for (size_t i = 0; i < sizeof(tmpnames) / sizeof(tmpnames[0]); i++) {
		struct stat st;
		assert_int_equal(lstat(path(tmpnames[i]), &st), 0);
		assert_true(S_ISLNK(st.st_mode));
	}
	/* No temporary file is left behind: the directory holds victim, out.json
	 * and the links only. */
	{
		char *cmd = mb_xasprintf("test $(ls -A %s | wc -l) -eq 6", dir);
		assert_int_equal(system(cmd), 0);
		free(cmd);
	}
}

/* path itself a symlink: replaced by the new file, its target untouched. */
static void test_atomic_write_over_symlink(void **state)
{
	char *buf;
	struct stat st;
	(void)state;
	spit(path("victim"), "precious\n");
	assert_int_equal(symlink(path("victim"), path("run.json")), 0);
	assert_int_equal(mb_write_file_atomic(path("run.json"), "{}\n", 3), MB_OK);
	buf = slurp(path("victim"));
	assert_string_equal(buf, "precious\n");
	free(buf);
	assert_int_equal(lstat(path("run.json"), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0644);
	/* A directory that does not exist: an error, not a crash. */
	assert_int_equal(mb_write_file_atomic(path("no/such/file"), "x", 1), MB_EINTERNAL);
}

static void test_append_no_follow(void **state)
{
	char *buf;
	(void)state;
	spit(path("victim"), "precious\n");
	assert_int_equal(symlink(path("victim"), path("scenarios.jsonl")), 0);
	assert_int_equal(mb_append_fsync(path("scenarios.jsonl"), "x\n", 2), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "symbolic link"));
	buf = slurp(path("victim"));
	assert_string_equal(buf, "precious\n");
	free(buf);
	assert_int_equal(mkfifo(path("fifo"), 0600), 0);
	assert_int_equal(mb_append_fsync(path("fifo"), "x\n", 2), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "FIFO"));
	assert_int_equal(mb_append_fsync(path("new.jsonl"), "a\n", 2), MB_OK);
	assert_int_equal(mb_append_fsync(path("new.jsonl"), "b\n", 2), MB_OK);
	buf = slurp(path("new.jsonl"));
	assert_string_equal(buf, "a\nb\n");
	free(buf);
}

/* A FIFO with no writer, a device and a directory: refused at once. */
static void test_read_file_regular_only(void **state)
{
	char *buf = NULL;
	size_t n;
	int64_t t0;
	(void)state;
	assert_int_equal(mkfifo(path("fifo"), 0600), 0);
	t0 = mb_mono_ns();
	assert_int_equal(mb_read_file(path("fifo"), &buf, &n), MB_EINPUT);
	assert_true(mb_mono_ns() - t0 < MB_NSEC_PER_SEC);
	assert_non_null(strstr(mb_errmsg(), "is a FIFO, not a regular file"));
	assert_int_equal(mb_read_file("/dev/zero", &buf, &n), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "character device"));
	assert_int_equal(mb_read_file(dir, &buf, &n), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "directory"));
	assert_int_equal(mb_read_file(path("absent"), &buf, &n), MB_EINPUT);
	assert_null(buf);
	/* The size cap. */
	spit(path("big"), "0123456789");
	assert_int_equal(mb_read_file_max(path("big"), 9, &buf, &n), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "larger than 9 bytes"));
	assert_int_equal(mb_read_file_max(path("big"), 10, &buf, &n), MB_OK);
	assert_int_equal(n, 10);
	assert_string_equal(buf, "0123456789");
	free(buf);
	/* A symlink to a regular file is read (profiles may be links). */
	assert_int_equal(symlink(path("big"), path("link")), 0);
	buf = slurp(path("link"));
	assert_string_equal(buf, "0123456789");
	free(buf);
}

static void test_mkdir_p(void **state)
{
	struct stat st;
	(void)state;
	assert_int_equal(mb_mkdir_p(path("a/b/c"), 0755), MB_OK);
	assert_int_equal(stat(path("a/b/c"), &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(mb_mkdir_p(path("a/b/c"), 0755), MB_OK); /* exists: fine */
	assert_int_equal(mb_mkdir_p(path("a/b/c/"), 0755), MB_OK);
	spit(path("file"), "x");
	assert_int_equal(mb_mkdir_p(path("file"), 0755), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "not a directory"));
	assert_int_equal(mb_mkdir_p(path("file/sub"), 0755), MB_EINPUT);
	/* A symlink to a directory is a directory. */
	assert_int_equal(symlink(path("a"), path("la")), 0);
	assert_int_equal(mb_mkdir_p(path("la/b/d"), 0755), MB_OK);
	assert_int_equal(stat(path("a/b/d"), &st), 0);
}

static void test_parse_ll(void **state)
{
	long long v = 7;
	(void)state;
	assert_int_equal(mb_parse_ll("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(mb_parse_ll("-3", -5, 5, &v), 0);
	assert_int_equal(v, -3);
	v = 7;
	assert_int_equal(mb_parse_ll(" 1", 0, 100, &v), -1);
	assert_int_equal(mb_parse_ll("1 ", 0, 100, &v), -1);
	assert_int_equal(mb_parse_ll("+1", 0, 100, &v), -1);
	assert_int_equal(mb_parse_ll("", 0, 100, &v), -1);
	assert_int_equal(mb_parse_ll(NULL, 0, 100, &v), -1);
	assert_int_equal(mb_parse_ll("0x10", 0, 100, &v), -1);
	assert_int_equal(mb_parse_ll("101", 0, 100, &v), -1);
	assert_int_equal(mb_parse_ll("2147483648", 0, 2147483647, &v), -1);
	assert_int_equal(mb_parse_ll("99999999999999999999", 0, 100, &v), -1);
	assert_int_equal(mb_parse_ll("-", -5, 5, &v), -1);
	assert_int_equal(v, 7); /* untouched on error */
}

static void test_strmap(void **state)
{
	struct mb_strmap m = { 0 };
	char keys[5000][12];
	int vals[5000];
	(void)state;
	assert_null(mb_strmap_get(&m, "x"));
	for (int i = 0; i < 5000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		vals[i] = i;
		assert_null(mb_strmap_put(&m, keys[i], &vals[i]));
	}
	assert_int_equal(m.n, 5000);
	for (int i = 0; i < 5000; i++)
		assert_ptr_equal(mb_strmap_get(&m, keys[i]), &vals[i]);
	assert_ptr_equal(mb_strmap_put(&m, "k17", &vals[0]), &vals[17]); /* already there */
	assert_null(mb_strmap_get(&m, "k5000"));
	mb_strmap_free(&m);
	assert_null(mb_strmap_get(&m, "k1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_atomic_write_planted_symlinks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_atomic_write_over_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_no_follow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_file_regular_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdir_p, setup, teardown),
		cmocka_unit_test(test_parse_ll),
		cmocka_unit_test(test_strmap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
