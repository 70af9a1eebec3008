/* labpin.c - the lab's own processes on chosen host CPUs (see labpin.h). */
#define _GNU_SOURCE
#include "run/labpin.h"

#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "lab/ns.h"
#include "link/link.h"

#define LABPIN_MAX 1024

static cpu_set_t orig;
static bool have_orig;

/* Every thread of pid; ESRCH (it just ended) is not an error. */
static int pin_pid(pid_t pid, const cpu_set_t *set, int *tasks)
{
	char dir[64];
	DIR *d;
	struct dirent *de;
	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	d = opendir(dir);
	if (!d)
		return MB_OK;
	while ((de = readdir(d))) {
		char *end;
		long tid = strtol(de->d_name, &end, 10);
		if (*end || tid <= 0)
			continue;
		if (sched_setaffinity((pid_t)tid, sizeof(*set), set) < 0 && errno != ESRCH) {
			int e = errno;
			closedir(d);
			errno = e;
			return mb_err_errno(MB_EFAILED, "lab_pin: pinning thread %ld of pid %d", tid, (int)pid);
		}
		(*tasks)++;
	}
	closedir(d);
	return MB_OK;
}

/* Every lab process but QEMU (libvirt pins those) and this one. */
static int pin_lab(const struct testbed *tb, const cpu_set_t *set, int *tasks)
{
	const char *netns[] = { tb->lab.site[0].netns, tb->lab.site[1].netns, tb->lab.sto.netns };
	pid_t pids[LABPIN_MAX];
	char comm[32];
	int rc = MB_OK;
	for (size_t k = 0; k < sizeof(netns) / sizeof(netns[0]) && !rc; k++) {
		int m = ns_pids(netns[k], pids, LABPIN_MAX);
		for (int i = 0; i < m && !rc; i++)
			if (pids[i] != getpid() && (!ns_pid_comm(pids[i], comm, sizeof(comm)) || strncmp(comm, "qemu", 4)))
				rc = pin_pid(pids[i], set, tasks);
	}
	/* The delay lines (none with netem) run in the root namespace. */
	for (int k = 0; k < LAB_NLINKS && !rc; k++) {
		pid_t pid = link_delayline_pid(&tb->lab.links[k]);
		if (pid)
			rc = pin_pid(pid, set, tasks);
	}
	return rc;
}

/* <lab dir>/lab_pin: while a run has the lab pinned, the CPUs to give its
 * processes back ("0,1\n"); a run killed before undoing leaves it for the
 * next one (labpin_recover). */
static void marker_path(const struct testbed *tb, char *p, size_t n)
{
	snprintf(p, n, "%s/lab_pin", tb->lab.dir);
}

static int marker_remove(const struct testbed *tb)
{
	char path[PATH_MAX];
	marker_path(tb, path, sizeof(path));
	if (unlink(path) < 0 && errno != ENOENT)
		return mb_err_errno(MB_EINTERNAL, "lab_pin: removing %s", path);
	return MB_OK;
}

/* Every online CPU: what lab up gives the daemons. */
static void all_online(cpu_set_t *set)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	CPU_ZERO(set);
	for (long i = 0; i < (online > 0 ? online : 1) && i < CPU_SETSIZE; i++)
		CPU_SET((int)i, set);
}

/* set as "0,1" into buf (as many CPUs as fit); its length. */
static size_t cpus_text(const cpu_set_t *set, char *buf, size_t size)
{
	size_t len = 0;
	if (size)
		buf[0] = '\0';
	for (int i = 0; i < CPU_SETSIZE && len + 6 < size; i++)
		if (CPU_ISSET(i, set))
			len += (size_t)snprintf(buf + len, size - len, "%s%d", len ? "," : "", i);
	return len;
}

static int marker_write(const struct testbed *tb, const cpu_set_t *undo)
{
	char path[PATH_MAX], buf[CPU_SETSIZE * 5 + 2];
	size_t len = cpus_text(undo, buf, sizeof(buf) - 1);
	buf[len++] = '\n';
	marker_path(tb, path, sizeof(path));
	return mb_write_file_atomic(path, buf, len);
}

/* The marker's CPU list; 0 = none there, -1 = unreadable (removed). */
static int marker_read(const struct testbed *tb, cpu_set_t *set)
{
	char path[PATH_MAX], *s = NULL, *p, *end;
	size_t len;
	int n = 0;
	marker_path(tb, path, sizeof(path));
	if (mb_read_file_max(path, 4096, &s, &len) != MB_OK)
		return access(path, F_OK) == 0 ? -1 : 0;
	CPU_ZERO(set);
	for (p = s; *p && *p != '\n'; p = *end == ',' ? end + 1 : end) {
		long c = strtol(p, &end, 10);
		if (end == p || c < 0 || c >= CPU_SETSIZE || (*end != ',' && *end != '\n' && *end)) {
			n = -1;
			break;
		}
		CPU_SET((int)c, set);
		n++;
	}
	free(s);
	return n ? n : -1; /* there but empty: unreadable too */
}

int labpin_recover(const struct testbed *tb, int *tasks, char *cpus, size_t cpus_size)
{
	cpu_set_t set;
	int n, rc;
	*tasks = 0;
	if (cpus_size)
		cpus[0] = 0;
	if (tb->kind != TB_LAB)
		return 0;
	n = marker_read(tb, &set);
	if (n == 0)
		return 0;
	if (n < 0) /* not what labpin_apply writes */
		all_online(&set);
	cpus_text(&set, cpus, cpus_size);
	rc = pin_lab(tb, &set, tasks);
	if (!rc)
		rc = marker_remove(tb);
	return rc ? rc : 1;
}

int labpin_apply(const struct testbed *tb, const int *cpus, int n, int *tasks)
{
	cpu_set_t set, undo;
	int rc = MB_OK;

	*tasks = 0;
	if (tb->kind != TB_LAB)
		return mb_err(MB_EUNSUPP, "lab_pin pins the lab's processes: on real hosts it does nothing");
	/* Undoing gives back what this process had before the first pin (all
	 * online CPUs, or what taskset gave it). */
	if (n && !have_orig)
		have_orig = sched_getaffinity(0, sizeof(orig), &orig) == 0;
	if (have_orig)
		undo = orig;
	else
		all_online(&undo);
	if (n == 0)
		set = undo;
	else
		CPU_ZERO(&set);
	for (int i = 0; i < n; i++)
		CPU_SET(cpus[i], &set);
	/* Check the set against this machine first, on this process. */
	rc = pin_pid(getpid(), &set, tasks);
	if (rc)
		return mb_err_ctx(rc, "(does this machine have CPU %d?)", n ? cpus[n - 1] : 0);
	/* Say what to undo before pinning: a SIGKILL leaves the marker. */
	if (n && (rc = marker_write(tb, &undo)) != MB_OK)
		return mb_err_ctx(rc, "lab_pin: noting what to undo");
	rc = pin_lab(tb, &set, tasks);
	if (!rc && !n)
		rc = marker_remove(tb);
	return rc;
}
