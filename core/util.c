/* util.c - allocation, clocks, files (atomic, regular-only), strict integers,
 * host and iSCSI name syntax, a string hash map, suggestions. */
#define _GNU_SOURCE
#include "core/util.h"

#include <arpa/inet.h>
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
#include <sys/syscall.h>
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
	char *p;
	int rc = MB_OK;
	if (!*path)
		return mb_err(MB_EINPUT, "cannot create a directory with an empty name");
	p = mb_xstrdup(path);
	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, mode) < 0) {
				struct stat st;
				if (errno != EEXIST) {
					rc = mb_err_errno(MB_EINTERNAL, "cannot create directory %s", p);
					break;
				}
				/* Something is there: it must be a directory (or a link to one). */
				if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode)) {
					rc = mb_err(MB_EINPUT, "cannot create directory %s: it exists and is not a directory", p);
					break;
				}
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

/* Write a new file next to path under an unpredictable name (mkstemp:
 * O_CREAT|O_EXCL, so a planted symlink or file is never opened), then
 * rename it over path.  rename replaces a symlink at path itself rather
 * than writing through it. */
int mb_write_file_atomic(const char *path, const void *buf, size_t len)
{
	char *dcopy = mb_xstrdup(path), *bcopy = mb_xstrdup(path);
	char *dir = dirname(dcopy), *tmp = mb_xasprintf("%s/.%s.XXXXXX", dir, basename(bcopy));
	int rc = MB_OK;
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = mb_err_errno(MB_EINTERNAL, "cannot create a temporary file for %s", path);
		goto out;
	}
	if (fchmod(fd, 0644) < 0 || write_all(fd, buf, len) < 0 || fsync(fd) < 0) {
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
	rc = mb_fsync_dir(dir);
out:
	free(dcopy);
	free(bcopy);
	free(tmp);
	return rc;
}

static const char *file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISLNK(m))
		return "a symbolic link";
	return "not a regular file";
}

/* Open path with flags plus O_NONBLOCK (so a FIFO or a device cannot block
 * the open), insist on a regular file, then clear O_NONBLOCK again. */
static int open_regular(const char *path, int flags, mode_t mode, int *out)
{
	struct stat st;
	int fd = open(path, flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, mode), fl;
	*out = -1;
	if (fd < 0) {
		if (errno == ELOOP && (flags & O_NOFOLLOW))
			return mb_err(MB_EINPUT, "%s is a symbolic link: not followed", path);
		/* A FIFO without a reader (ENXIO), a directory opened to write... */
		if (errno != ENOENT && stat(path, &st) == 0 && !S_ISREG(st.st_mode))
			return mb_err(MB_EINPUT, "%s is %s, not a regular file", path,
				      file_kind(st.st_mode));
		return mb_err_errno(errno == ENOENT || errno == ENOTDIR ? MB_EINPUT : MB_EINTERNAL,
				    "cannot open %s", path);
	}
	if (fstat(fd, &st) < 0) {
		int rc = mb_err_errno(MB_EINTERNAL, "cannot stat %s", path);
		close(fd);
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return mb_err(MB_EINPUT, "%s is %s, not a regular file", path, file_kind(st.st_mode));
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		int rc = mb_err_errno(MB_EINTERNAL, "cannot set %s to blocking", path);
		close(fd);
		return rc;
	}
	*out = fd;
	return MB_OK;
}

int mb_append_fsync(const char *path, const void *buf, size_t len)
{
	int fd, rc = open_regular(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0644, &fd);
	if (rc)
		return rc;
	if (write_all(fd, buf, len) < 0 || fdatasync(fd) < 0) {
		rc = mb_err_errno(MB_EINTERNAL, "cannot append to %s", path);
		close(fd);
		return rc;
	}
	close(fd);
	return MB_OK;
}

int mb_read_file_max(const char *path, size_t max, char **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *p;
	int fd, rc = open_regular(path, O_RDONLY, 0, &fd);
	if (rc)
		return rc;
	p = mb_xmalloc(cap);
	for (;;) {
		ssize_t r;
		if (cap - n < 2) {
			cap *= 2;
			p = mb_xrealloc(p, cap);
		}
		r = read(fd, p + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = mb_err_errno(MB_EINTERNAL, "cannot read %s", path);
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			rc = mb_err(MB_EINPUT, "%s is larger than %zu bytes: refused", path, max);
			break;
		}
	}
	close(fd);
	if (rc) {
		free(p);
		return rc;
	}
	p[n] = '\0';
	*buf = p;
	if (len)
		*len = n;
	return MB_OK;
}

int mb_read_file(const char *path, char **buf, size_t *len)
{
	return mb_read_file_max(path, MB_READ_MAX, buf, len);
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

void mb_close_from(int lowfd)
{
	if (syscall(SYS_close_range, (unsigned)lowfd, ~0U, 0) == 0)
		return;
	/* Kernels before 5.9: every descriptor the limit allows. */
	for (long fd = lowfd, max = sysconf(_SC_OPEN_MAX); fd < (max > 0 ? max : 1024); fd++)
		close((int)fd);
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
	/* Close enough: at most a third of the word's length (and at least 1). */
	size_t limit = (wl / 3 > 1 ? wl / 3 : 1) + (wl >= 8);
	for (size_t i = 0; i < n; i++) {
		size_t dist, lc;
		bool prefix;
		if (!cands[i])
			continue;
		/* A prefix of a longer name is a good guess too ("delay_" -> "delay"). */
		prefix = wl >= 3 && !strncmp(word, cands[i], wl);
		/* The length difference is a lower bound of the distance: skip the
		 * quadratic work for a hopeless pair (a 16,000-character key). */
		lc = strlen(cands[i]);
		if (!prefix && (lc > wl ? lc - wl : wl - lc) > limit)
			continue;
		dist = mb_edit_distance(word, cands[i]);
		if (prefix && dist > 1)
			dist = 1;
		if (dist < bestd) {
			bestd = dist;
			best = cands[i];
		}
	}
	if (best && bestd <= limit)
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

int mb_parse_ll(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;
	/* strtoll alone would skip leading spaces and take "+5" or "5 ". */
	if (!s || !(isdigit((unsigned char)s[0]) || (s[0] == '-' && isdigit((unsigned char)s[1]))))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end || errno == ERANGE || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* FNV-1a, 64 bit. */
static uint64_t str_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static size_t strmap_slot(const struct mb_strmap *m, const char *key)
{
	size_t i = (size_t)str_hash(key) & (m->cap - 1);
	while (m->keys[i] && strcmp(m->keys[i], key))
		i = (i + 1) & (m->cap - 1);
	return i;
}

void *mb_strmap_get(const struct mb_strmap *m, const char *key)
{
	if (!m->n)
		return NULL;
	return m->vals[strmap_slot(m, key)];
}

void *mb_strmap_put(struct mb_strmap *m, const char *key, void *val)
{
	size_t i;
	if ((m->n + 1) * 2 > m->cap) {
		struct mb_strmap bigger = { .cap = m->cap ? m->cap * 2 : 64 };
		bigger.keys = mb_xcalloc(bigger.cap, sizeof(*bigger.keys));
		bigger.vals = mb_xcalloc(bigger.cap, sizeof(*bigger.vals));
		for (size_t k = 0; k < m->cap; k++) {
			if (m->keys[k]) {
				size_t j = strmap_slot(&bigger, m->keys[k]);
				bigger.keys[j] = m->keys[k];
				bigger.vals[j] = m->vals[k];
				bigger.n++;
			}
		}
		mb_strmap_free(m);
		*m = bigger;
	}
	i = strmap_slot(m, key);
	if (m->keys[i])
		return m->vals[i];
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return NULL;
}

void mb_strmap_free(struct mb_strmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* A host name character (underscore too: some sites use it). */
static bool host_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_';
}

bool mb_valid_host_n(const char *s, size_t n)
{
	if (n == 0 || n > MB_HOST_MAX)
		return false;
	if (s[0] == '[') {
		char a[64];
		struct in6_addr in6;
		if (n < 3 || s[n - 1] != ']' || n - 2 >= sizeof(a))
			return false;
		memcpy(a, s + 1, n - 2);
		a[n - 2] = '\0';
		return inet_pton(AF_INET6, a, &in6) == 1;
	}
	if (s[0] == '-' || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!host_char(s[i]))
			return false;
	return true;
}

bool mb_valid_host(const char *s)
{
	return mb_valid_host_n(s, strlen(s));
}

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

bool mb_valid_iqn(const char *s)
{
	size_t n = strlen(s);
	if (n > MB_IQN_MAX)
		return false;
	if (!strncmp(s, "eui.", 4))
		return n == 4 + 16 && all_hex(s + 4, 16);
	if (!strncmp(s, "naa.", 4))
		return (n == 4 + 16 || n == 4 + 32) && all_hex(s + 4, n - 4);
	/* iqn.YYYY-MM.reverse.domain[:anything]: lowercase, digits, . - : */
	if (strncmp(s, "iqn.", 4) || n < 13)
		return false;
	for (int i = 4; i < 11; i++)
		if (i == 8 ? s[i] != '-' : !isdigit((unsigned char)s[i]))
			return false;
	if (s[11] != '.' || !isalnum((unsigned char)s[12]))
		return false;
	for (const char *c = s + 12; *c; c++)
		if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && *c != '.' &&
		    *c != '-' && *c != ':')
			return false;
	return true;
}
