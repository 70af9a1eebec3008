/* labpin.c - the lab's own processes on chosen host CPUs (see labpin.h). */
#define _GNU_SOURCE
#include "run/labpin.h"

#include <dirent.h>
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

int labpin_apply(const struct testbed *tb, const int *cpus, int n, int *tasks)
{
	const char *netns[] = { tb->lab.site[0].netns, tb->lab.site[1].netns, tb->lab.sto.netns };
	cpu_set_t set;
	pid_t pids[LABPIN_MAX];
	char comm[32];
	int rc = MB_OK;

	*tasks = 0;
	if (tb->kind != TB_LAB)
		return mb_err(MB_EUNSUPP, "lab_pin pins the lab's processes: on real hosts it does nothing");
	/* Undoing gives back what this process had before the first pin (all
	 * online CPUs, or what taskset gave it). */
	if (n && !have_orig)
		have_orig = sched_getaffinity(0, sizeof(orig), &orig) == 0;
	CPU_ZERO(&set);
	if (n == 0 && have_orig)
		set = orig;
	else if (n == 0) {
		long online = sysconf(_SC_NPROCESSORS_ONLN);
		for (long i = 0; i < (online > 0 ? online : 1) && i < CPU_SETSIZE; i++)
			CPU_SET((int)i, &set);
	}
	for (int i = 0; i < n; i++)
		CPU_SET(cpus[i], &set);
	/* Check the set against this machine first, on this process. */
	rc = pin_pid(getpid(), &set, tasks);
	if (rc)
		return mb_err_ctx(rc, "(does this machine have CPU %d?)", n ? cpus[n - 1] : 0);
	for (size_t k = 0; k < sizeof(netns) / sizeof(netns[0]) && !rc; k++) {
		int m = ns_pids(netns[k], pids, LABPIN_MAX);
		for (int i = 0; i < m && !rc; i++)
			if (!ns_pid_comm(pids[i], comm, sizeof(comm)) || strncmp(comm, "qemu", 4))
				rc = pin_pid(pids[i], &set, tasks);
	}
	/* The delay lines (none with netem) run in the root namespace. */
	for (int k = 0; k < LAB_NLINKS && !rc; k++) {
		pid_t pid = link_delayline_pid(&tb->lab.links[k]);
		if (pid)
			rc = pin_pid(pid, &set, tasks);
	}
	return rc;
}
