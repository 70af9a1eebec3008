/* ns.c - namespaces for the lab: create/delete named network namespaces the
 * way iproute2 does (a bind-mounted /proc/self/ns/net under /run/netns),
 * spawn daemons inside them, and stop everything that lives in one. */
#define _GNU_SOURCE
#include "lab/ns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/exec.h"
#include "core/log.h"
#include "core/util.h"

void ns_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", NS_RUN_DIR, name);
}

bool ns_exists(const char *name)
{
	char p[256];
	ns_path(name, p, sizeof(p));
	return mb_path_exists(p);
}

int ns_create(const char *name)
{
	const char *add[] = { "ip", "netns", "add", name, NULL };
	const char *lo[] = { "ip", "-n", name, "link", "set", "lo", "up", NULL };
	int rc;
	if (!ns_exists(name)) {
		rc = mb_exec_ok(add, NULL);
		if (rc)
			return rc;
	}
	return mb_exec_ok(lo, NULL);
}

int ns_delete(const char *name)
{
	const char *del[] = { "ip", "netns", "delete", name, NULL };
	char p[256];
	if (!ns_exists(name))
		return MB_OK;
	ns_path(name, p, sizeof(p));
	ns_kill_all(p, 3000);
	return mb_exec_ok(del, NULL);
}

int ns_list(const char *prefix, char ***names, int *n)
{
	DIR *d = opendir(NS_RUN_DIR);
	struct dirent *de;
	*names = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? MB_OK : mb_err_errno(MB_EINTERNAL, "cannot list %s", NS_RUN_DIR);
	while ((de = readdir(d))) {
		if (!mb_str_starts(de->d_name, prefix))
			continue;
		*names = mb_xrealloc(*names, (size_t)(*n + 1) * sizeof(**names));
		(*names)[(*n)++] = mb_xstrdup(de->d_name);
	}
	closedir(d);
	return MB_OK;
}

int ns_pids(const char *path, pid_t *pids, int max)
{
	struct stat want;
	DIR *d;
	struct dirent *de;
	int n = 0;
	pid_t self = getpid();

	if (stat(path, &want) < 0)
		return 0;
	d = opendir("/proc");
	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		char p[64];
		struct stat st;
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || pid == self)
			continue;
		snprintf(p, sizeof(p), "/proc/%ld/ns/net", pid);
		if (stat(p, &st) == 0 && st.st_ino == want.st_ino && st.st_dev == want.st_dev)
			pids[n++] = (pid_t)pid;
	}
	closedir(d);
	return n;
}

bool ns_pid_alive(pid_t pid)
{
	return mb_pid_alive(pid);
}

bool ns_pid_comm(pid_t pid, char *buf, size_t len)
{
	char p[64];
	FILE *f;
	buf[0] = '\0';
	snprintf(p, sizeof(p), "/proc/%d/comm", (int)pid);
	f = fopen(p, "re");
	if (!f)
		return false;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

bool ns_pid_is(pid_t pid, const char *comm)
{
	char buf[64];
	return ns_pid_alive(pid) && ns_pid_comm(pid, buf, sizeof(buf)) && !strcmp(buf, comm);
}

int ns_kill_all(const char *path, int grace_ms)
{
	pid_t pids[1024];
	int n = ns_pids(path, pids, 1024), total = n;
	int64_t deadline;

	for (int i = 0; i < n; i++)
		kill(pids[i], SIGTERM);
	deadline = mb_mono_ns() + (int64_t)grace_ms * 1000000;
	while (n > 0 && mb_mono_ns() < deadline) {
		int alive = 0;
		mb_sleep_ns(20 * 1000000);
		for (int i = 0; i < n; i++)
			alive += ns_pid_alive(pids[i]);
		if (!alive)
			n = 0;
	}
	/* Whatever ignored SIGTERM (tgtd with targets, hung QEMU) goes now. */
	for (int tries = 0; tries < 100; tries++) {
		n = ns_pids(path, pids, 1024);
		if (n == 0)
			break;
		for (int i = 0; i < n; i++)
			if (ns_pid_alive(pids[i]))
				kill(pids[i], SIGKILL);
		mb_sleep_ns(20 * 1000000);
		/* Zombies keep their ns link until reaped by their parent. */
		{
			int alive = 0;
			for (int i = 0; i < n; i++)
				alive += ns_pid_alive(pids[i]);
			if (!alive)
				break;
		}
	}
	return total;
}

/* The daemon's reaper, for as long as anything it started lives.  A host's
 * init reaps an orphan at once, and libvirt counts on that: it waits until a
 * killed QEMU (which libvirtd daemonizes, so an orphan) is gone before a
 * destroy or the end of a migration returns.  Some machines' PID 1 reaps
 * only every few seconds (every 2 s on ours, measured), so the
 * daemon's orphans come here instead (PR_SET_CHILD_SUBREAPER).  Only
 * async-signal-safe calls: this is a fork of a threaded process.  It holds
 * no descriptor of migbench's (the lab's lock among them) and dies on
 * SIGTERM, so stopping everything in the namespace stops it too. */
static void reap_all(void)
{
	static const char name[] = "mb-reaper";
	int nul = open("/dev/null", O_RDWR);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	prctl(PR_SET_NAME, name);
	for (int i = 0; i <= STDERR_FILENO; i++)
		dup2(nul, i);
	mb_close_from(STDERR_FILENO + 1);
	for (;;)
		if (waitpid(-1, NULL, 0) < 0 && errno == ECHILD)
			_exit(0);
}

/* In the intermediate child: build the namespaces and mounts, then fork the
 * program.  Reports the program's pid (or -1 and the error message, whole)
 * on fd. */
static void spawn_child(const struct ns_spawn *s, int fd)
{
	int netfd, logfd;
	pid_t pid;

#define FAIL(...)                                                     \
	do {                                                          \
		(void)mb_err_errno(MB_EINTERNAL, __VA_ARGS__);        \
		pid = -1;                                             \
		if (write(fd, &pid, sizeof(pid)) < 0 ||               \
		    write(fd, mb_errmsg(), strlen(mb_errmsg())) < 0)  \
			_exit(1);                                     \
		_exit(1);                                             \
	} while (0)

	if (setsid() < 0)
		FAIL("setsid");
	if (unshare(CLONE_NEWNS | (s->hostname ? CLONE_NEWUTS : 0)) < 0)
		FAIL("unshare(mount, uts)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		FAIL("making / private in the new mount namespace");
	netfd = open(s->netns, O_RDONLY | O_CLOEXEC);
	if (netfd < 0 || setns(netfd, CLONE_NEWNET) < 0)
		FAIL("entering network namespace %s", s->netns);
	close(netfd);
	/* /sys shows the network devices of the namespace that mounted it. */
	if (umount2("/sys", MNT_DETACH) == 0)
		if (mount("sysfs", "/sys", "sysfs", 0, NULL) < 0)
			FAIL("mounting /sys");
	for (int i = 0; s->binds && s->binds[i]; i += 2) {
		if (mb_mkdir_p(s->binds[i + 1], 0755) != MB_OK)
			FAIL("creating %s", s->binds[i + 1]);
		if (mount(s->binds[i], s->binds[i + 1], NULL, MS_BIND, NULL) < 0)
			FAIL("bind-mounting %s on %s", s->binds[i], s->binds[i + 1]);
	}
	if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
		FAIL("sethostname %s", s->hostname);
	/* A daemon's log in the lab's state directory: never through a symlink. */
	logfd = s->log ? open(s->log, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600)
		       : open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (logfd < 0)
		FAIL("opening %s", s->log);
	/* This process stays as the daemon's reaper (reap_all); its parent,
	 * migbench, waits for the one in between. */
	pid = fork();
	if (pid < 0)
		FAIL("fork");
	if (pid > 0)
		_exit(0);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		FAIL("prctl(PR_SET_CHILD_SUBREAPER)");
	pid = fork();
	if (pid < 0)
		FAIL("fork");
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);
		dup2(nul, STDIN_FILENO);
		dup2(logfd, STDOUT_FILENO);
		dup2(logfd, STDERR_FILENO);
		close(fd);
		/* Daemons must not inherit our signal dispositions. */
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		mb_close_from(STDERR_FILENO + 1);
		execvp(s->argv[0], (char *const *)s->argv);
		dprintf(STDERR_FILENO, "cannot run %s: %s\n", s->argv[0], strerror(errno));
		_exit(127);
	}
	if (write(fd, &pid, sizeof(pid)) < 0)
		_exit(1);
	reap_all();
#undef FAIL
}

int ns_spawn(const struct ns_spawn *s, pid_t *pid)
{
	int p[2], st;
	pid_t child, got = -1;
	struct mb_error why = { .rc = MB_EINTERNAL, .msg = "the helper process died" };
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0)
		return mb_err_errno(MB_EINTERNAL, "pipe");
	child = fork();
	if (child < 0) {
		close(p[0]);
		close(p[1]);
		return mb_err_errno(MB_EINTERNAL, "fork");
	}
	if (child == 0) {
		close(p[0]);
		spawn_child(s, p[1]);
	}
	close(p[1]);
	n = read(p[0], &got, sizeof(got));
	if (n == sizeof(got) && got < 0) {
		/* The child's message, up to the longest one kept. */
		size_t len = 0;
		while (len < sizeof(why.msg) - 1 &&
		       (n = read(p[0], why.msg + len, sizeof(why.msg) - 1 - len)) > 0)
			len += (size_t)n;
		if (len)
			why.msg[len] = '\0';
	}
	close(p[0]);
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;
	if (got <= 0)
		return mb_err_ctx(mb_err_restore(&why), "cannot start %s in %s", s->argv[0], s->netns);
	*pid = got;
	return MB_OK;
}
