/* proc.c - /proc and /sys readers of the host sampler (see proc.h). */
#define _GNU_SOURCE
#include "hostmon/proc.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"

const char *const hm_kind_names[] = { "vcpu", "migration", "other", NULL };

enum hm_kind hm_thread_kind(const char *comm)
{
	static const char *const mig[] = { "live_migration", "mig/", "multifdsend", "multifdrecv",
					   "postcopy/", "return path" };
	if (mb_str_starts(comm, "CPU ") && strchr(comm, '/'))
		return HM_VCPU;
	for (size_t i = 0; i < sizeof(mig) / sizeof(mig[0]); i++)
		if (mb_str_starts(comm, mig[i]))
			return HM_MIGRATION;
	return HM_OTHER;
}

int hm_parse_stat_ticks(const char *text, uint64_t *ticks)
{
	/* pid (comm) state ppid ... field 14 utime, 15 stime: 11 fields
	 * after the state. */
	const char *p = strrchr(text, ')');
	unsigned long long ut, st;
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return mb_err(MB_EINPUT, "not a /proc stat line: '%.60s'", text);
	*ticks = (uint64_t)ut + (uint64_t)st;
	return MB_OK;
}

/* The line that starts with key followed by ':'. */
static const char *key_line(const char *text, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, kl) && p[kl] == ':')
			return p + kl + 1;
	return NULL;
}

int hm_parse_kb_line(const char *text, const char *key, uint64_t *out)
{
	const char *v = key_line(text, key);
	unsigned long long n;
	char unit[4] = "";
	if (!v || sscanf(v, " %llu %3[a-zA-Z]", &n, unit) < 1)
		return mb_err(MB_EINPUT, "no '%s:' line", key);
	*out = !strcmp(unit, "kB") ? (uint64_t)n * 1024 : (uint64_t)n;
	return MB_OK;
}

int hm_parse_key_u64(const char *text, const char *key, uint64_t *out)
{
	const char *v = key_line(text, key);
	unsigned long long n;
	if (!v || sscanf(v, " %llu", &n) != 1)
		return mb_err(MB_EINPUT, "no '%s:' line", key);
	*out = (uint64_t)n;
	return MB_OK;
}

/* A small file under root, NUL-terminated (free it). */
static int slurp(char **out, const char *fmt, ...) MB_PRINTF(2, 3);
static int slurp(char **out, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	size_t len;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return mb_read_file_max(path, 1 << 20, out, &len);
}

static struct hm_thread *thread_of(struct hm_proc_cpu *c, pid_t tid)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->t[i].tid == tid)
			return &c->t[i];
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		c->t = mb_xrealloc(c->t, c->cap * sizeof(*c->t));
	}
	memset(&c->t[c->n], 0, sizeof(c->t[0]));
	c->t[c->n].tid = tid;
	return &c->t[c->n++];
}

/* One thread: its kind (comm) and ticks (stat); a thread that is gone
 * meanwhile is skipped. */
static void read_thread(struct hm_proc_cpu *c, const char *proc_root, pid_t tid)
{
	char *comm = NULL, *stat = NULL;
	uint64_t ticks;
	if (slurp(&comm, "%s/%d/task/%d/comm", proc_root, (int)c->pid, (int)tid) == MB_OK &&
	    slurp(&stat, "%s/%d/task/%d/stat", proc_root, (int)c->pid, (int)tid) == MB_OK &&
	    hm_parse_stat_ticks(stat, &ticks) == MB_OK) {
		struct hm_thread *t = thread_of(c, tid);
		bool fresh = t->last == 0 && t->base == 0;
		comm[strcspn(comm, "\n")] = 0;
		t->kind = hm_thread_kind(comm);
		if (fresh)
			t->base = c->reads == 0 ? ticks : 0;
		if (ticks >= t->last)
			t->last = ticks;
	}
	free(comm);
	free(stat);
}

int hm_proc_cpu_read(struct hm_proc_cpu *c, const char *proc_root, pid_t pid, double secs[HM_NKINDS])
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	long hz = sysconf(_SC_CLK_TCK);

	if (c->pid != pid) {
		hm_proc_cpu_free(c);
		c->pid = pid;
	}
	snprintf(path, sizeof(path), "%s/%d/task", proc_root, (int)pid);
	d = opendir(path);
	if (!d)
		return mb_err(MB_EFAILED, "%s: %s", path, strerror(errno));
	while ((de = readdir(d))) {
		long long tid;
		if (de->d_name[0] != '.' && mb_parse_ll(de->d_name, 1, INT_MAX, &tid) == MB_OK)
			read_thread(c, proc_root, (pid_t)tid);
	}
	closedir(d);
	c->reads++;
	for (int k = 0; k < HM_NKINDS; k++)
		secs[k] = 0;
	for (size_t i = 0; i < c->n; i++)
		secs[c->t[i].kind] += (double)(c->t[i].last - c->t[i].base) / (double)(hz > 0 ? hz : 100);
	return MB_OK;
}

void hm_proc_cpu_free(struct hm_proc_cpu *c)
{
	free(c->t);
	memset(c, 0, sizeof(*c));
}

int hm_proc_rss(const char *proc_root, pid_t pid, uint64_t *out)
{
	char *s = NULL;
	int rc = slurp(&s, "%s/%d/status", proc_root, (int)pid);
	if (!rc)
		rc = hm_parse_kb_line(s, "VmRSS", out);
	free(s);
	return rc;
}

int hm_proc_io(const char *proc_root, pid_t pid, struct hm_io *out)
{
	char *s = NULL;
	int rc = slurp(&s, "%s/%d/io", proc_root, (int)pid);
	if (!rc)
		rc = hm_parse_key_u64(s, "rchar", &out->rchar);
	if (!rc)
		rc = hm_parse_key_u64(s, "wchar", &out->wchar);
	if (!rc)
		rc = hm_parse_key_u64(s, "read_bytes", &out->read_bytes);
	if (!rc)
		rc = hm_parse_key_u64(s, "write_bytes", &out->write_bytes);
	free(s);
	return rc;
}

int hm_meminfo(const char *proc_root, uint64_t *avail, uint64_t *free_b)
{
	char *s = NULL;
	int rc = slurp(&s, "%s/meminfo", proc_root);
	if (!rc)
		rc = hm_parse_kb_line(s, "MemAvailable", avail);
	if (!rc)
		rc = hm_parse_kb_line(s, "MemFree", free_b);
	free(s);
	return rc;
}

int hm_parse_cpu_times(const char *text, long ticks_per_s, struct hm_cpu_times *out)
{
	unsigned long long v[8] = { 0 };
	double sum = 0;
	int n;
	/* "cpu  user nice system idle iowait irq softirq steal guest guest_nice";
	 * kernels before 2.6.11 stop before steal: it reads as 0 then. */
	if (!mb_str_starts(text, "cpu ") ||
	    (n = sscanf(text + 4, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
			&v[5], &v[6], &v[7])) < 4 || ticks_per_s <= 0)
		return mb_err(MB_EINPUT, "not /proc/stat (no 'cpu' line first): '%.60s'", text);
	for (int i = 0; i < 8; i++)
		sum += (double)v[i];
	out->total_s = sum / (double)ticks_per_s;
	out->idle_s = ((double)v[3] + (double)v[4]) / (double)ticks_per_s;
	out->steal_s = (double)v[7] / (double)ticks_per_s;
	return MB_OK;
}

int hm_cpu_times(const char *proc_root, struct hm_cpu_times *out)
{
	char *s = NULL;
	int rc = slurp(&s, "%s/stat", proc_root);
	if (!rc)
		rc = hm_parse_cpu_times(s, sysconf(_SC_CLK_TCK), out);
	free(s);
	return rc;
}

bool hm_proc_is_guest(const char *proc_root, pid_t pid, const char *name)
{
	char path[PATH_MAX], *s = NULL;
	size_t len, nl = strlen(name);
	bool yes = false, prev_name = false;
	snprintf(path, sizeof(path), "%s/%d/cmdline", proc_root, (int)pid);
	if (mb_read_file_max(path, 1 << 20, &s, &len) != MB_OK)
		return false;
	/* NUL-separated arguments. */
	for (size_t i = 0; i < len && !yes; i += strlen(s + i) + 1) {
		const char *a = s + i;
		if (prev_name)
			yes = (mb_str_starts(a, "guest=") && !strncmp(a + 6, name, nl) &&
			       (a[6 + nl] == ',' || !a[6 + nl])) ||
			      (!strncmp(a, name, nl) && (a[nl] == ',' || !a[nl]));
		prev_name = !strcmp(a, "-name");
	}
	free(s);
	return yes;
}

pid_t hm_guest_pid(const char *proc_root, const char *run_dir, const char *name)
{
	char path[PATH_MAX], *s = NULL;
	size_t len;
	long long pid = 0;
	snprintf(path, sizeof(path), "%s/qemu/%s.pid", run_dir, name);
	if (mb_read_file_max(path, 64, &s, &len) != MB_OK)
		return 0;
	if (mb_parse_ll(mb_trim(s), 1, INT_MAX, &pid) != MB_OK || !hm_proc_is_guest(proc_root, (pid_t)pid, name))
		pid = 0;
	free(s);
	return (pid_t)pid;
}

int hm_ksm_read(const char *ksm_dir, struct hm_ksm_counts *out)
{
	static const char *const names[] = { "pages_shared", "pages_sharing", "pages_unshared", "full_scans" };
	uint64_t *v[] = { &out->pages_shared, &out->pages_sharing, &out->pages_unshared, &out->full_scans };
	for (int i = 0; i < 4; i++) {
		char *s = NULL;
		long long n;
		int rc = slurp(&s, "%s/%s", ksm_dir, names[i]);
		if (!rc && mb_parse_ll(mb_trim(s), 0, LLONG_MAX, &n) != MB_OK)
			rc = mb_err(MB_EINPUT, "%s/%s: not a number", ksm_dir, names[i]);
		free(s);
		if (rc)
			return rc;
		*v[i] = (uint64_t)n;
	}
	return MB_OK;
}
