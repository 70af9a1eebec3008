/* util.c - allocation, clocks, atomic files, suggestions. */
#define _GNU_SOURCE
#include "core/util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void oom(size_t n)
{
	fprintf(stderr, "migbench: out of memory allocating %zu bytes\n", n);
	abort();
}

void *mb_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *mb_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		oom(nmemb * size);
	return p;
}

void *mb_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *mb_xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");
	if (!p)
		oom(strlen(s));
	return p;
}

char *mb_xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	if (!p)
		oom(n);
	return p;
}

char *mb_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;
	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom(0);
	return p;
}

int64_t mb_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * MB_NSEC_PER_SEC + ts.tv_nsec;
}

double mb_real_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void mb_sleep_ns(int64_t ns)
{
	struct timespec ts = { .tv_sec = ns / MB_NSEC_PER_SEC, .tv_nsec = ns % MB_NSEC_PER_SEC };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void mb_iso8601(double t, char *buf, size_t len)
{
	time_t s = (time_t)t;
	struct tm tm;
	gmtime_r(&s, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int mb_mkdir_p(const char *path, mode_t mode)
{
	char *p = mb_xstrdup(path);
	int rc = MB_OK;
	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST) {
				rc = mb_err_errno(MB_EINTERNAL, "cannot create directory %s", p);
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return rc;
}

int mb_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return mb_err_errno(MB_EINTERNAL, "cannot open directory %s", dir);
	if (fsync(fd) < 0) {
		close(fd);
		return mb_err_errno(MB_EINTERNAL, "cannot fsync directory %s", dir);
	}
	close(fd);
	return MB_OK;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int mb_write_file_atomic(const char *path, const void *buf, size_t len)
{
	char *tmp = mb_xasprintf("%s.tmp", path);
	char *dcopy = mb_xstrdup(path);
	int rc = MB_OK;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = mb_err_errno(MB_EINTERNAL, "cannot create %s", tmp);
		goto out;
	}
	if (write_all(fd, buf, len) < 0 || fsync(fd) < 0) {
		rc = mb_err_errno(MB_EINTERNAL, "cannot write %s", tmp);
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		rc = mb_err_errno(MB_EINTERNAL, "cannot rename %s to %s", tmp, path);
		unlink(tmp);
		goto out;
	}
	rc = mb_fsync_dir(dirname(dcopy));
out:
	free(dcopy);
	free(tmp);
	return rc;
}

int mb_append_fsync(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return mb_err_errno(MB_EINTERNAL, "cannot open %s", path);
	if (write_all(fd, buf, len) < 0 || fdatasync(fd) < 0) {
		int rc = mb_err_errno(MB_EINTERNAL, "cannot append to %s", path);
		close(fd);
		return rc;
	}
	close(fd);
	return MB_OK;
}

int mb_read_file(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "re");
	size_t cap = 4096, n = 0;
	char *p;
	if (!f)
		return mb_err_errno(errno == ENOENT ? MB_EINPUT : MB_EINTERNAL, "cannot open %s", path);
	p = mb_xmalloc(cap);
	for (;;) {
		size_t r;
		if (cap - n < 2) {
			cap *= 2;
			p = mb_xrealloc(p, cap);
		}
		r = fread(p + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		int rc = mb_err_errno(MB_EINTERNAL, "cannot read %s", path);
		fclose(f);
		free(p);
		return rc;
	}
	fclose(f);
	p[n] = '\0';
	*buf = p;
	if (len)
		*len = n;
	return MB_OK;
}

bool mb_path_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

int mb_rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? MB_OK : mb_err_errno(MB_EINTERNAL, "cannot stat %s", path);
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *de;
		if (!d)
			return mb_err_errno(MB_EINTERNAL, "cannot open directory %s", path);
		while ((de = readdir(d))) {
			char *sub;
			int rc;
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			sub = mb_xasprintf("%s/%s", path, de->d_name);
			rc = mb_rm_rf(sub);
			free(sub);
			if (rc) {
				closedir(d);
				return rc;
			}
		}
		closedir(d);
		if (rmdir(path) < 0)
			return mb_err_errno(MB_EINTERNAL, "cannot remove directory %s", path);
		return MB_OK;
	}
	if (unlink(path) < 0)
		return mb_err_errno(MB_EINTERNAL, "cannot remove %s", path);
	return MB_OK;
}

bool mb_pid_alive(pid_t pid)
{
	char p[64], state = 0;
	FILE *f;
	if (pid <= 0 || kill(pid, 0) < 0)
		return false;
	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	f = fopen(p, "re");
	if (!f)
		return false;
	if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
		state = 0;
	fclose(f);
	return state && state != 'Z' && state != 'X';
}

size_t mb_edit_distance(const char *a, const char *b)
{
	/* Damerau-Levenshtein (optimal string alignment), case-insensitive. */
	size_t la = strlen(a), lb = strlen(b);
	size_t *d = mb_xcalloc((la + 1) * (lb + 1), sizeof(*d));
	size_t res;
#define D(i, j) d[(i) * (lb + 1) + (j)]
	for (size_t i = 0; i <= la; i++)
		D(i, 0) = i;
	for (size_t j = 0; j <= lb; j++)
		D(0, j) = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			size_t v = D(i - 1, j) + 1;
			if (D(i, j - 1) + 1 < v)
				v = D(i, j - 1) + 1;
			if (D(i - 1, j - 1) + cost < v)
				v = D(i - 1, j - 1) + cost;
			if (i > 1 && j > 1 &&
			    tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) &&
			    D(i - 2, j - 2) + 1 < v)
				v = D(i - 2, j - 2) + 1;
			D(i, j) = v;
		}
	}
	res = D(la, lb);
#undef D
	free(d);
	return res;
}

const char *mb_closest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t bestd = (size_t)-1;
	size_t wl = strlen(word);
	for (size_t i = 0; i < n; i++) {
		size_t dist;
		if (!cands[i])
			continue;
		dist = mb_edit_distance(word, cands[i]);
		/* A prefix of a longer name is a good guess too ("delay_" -> "delay"). */
		if (wl >= 3 && !strncmp(word, cands[i], wl) && dist > 1)
			dist = 1;
		if (dist < bestd) {
			bestd = dist;
			best = cands[i];
		}
	}
	/* Close enough: at most a third of the word's length (and at least 1). */
	if (best && bestd <= (wl / 3 > 1 ? wl / 3 : 1) + (wl >= 8))
		return best;
	return NULL;
}

bool mb_str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

void mb_last_line(const char *s, char *out, size_t len)
{
	const char *end = s + strlen(s), *start;
	while (end > s && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	start = end;
	while (start > s && start[-1] != '\n')
		start--;
	snprintf(out, len, "%.*s", (int)(end - start), start);
}

char *mb_trim(char *s)
{
	char *e;
	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

bool mb_safe_name(const char *s)
{
	if (!*s || *s == '.' || *s == '-')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-')
			return false;
	return true;
}
