/* exec.c - fork/exec with a pipe for output, a netns switch in the child and
 * a deadline enforced with poll(). */
#define _GNU_SOURCE
#include "core/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"

char *mb_argv_str(const char *const argv[])
{
	size_t len = 1;
	char *s, *p;
	for (int i = 0; argv[i]; i++)
		len += strlen(argv[i]) + 3;
	s = p = mb_xmalloc(len);
	for (int i = 0; argv[i]; i++) {
		bool q = !argv[i][0] || strpbrk(argv[i], " \t'\"") != NULL;
		p += sprintf(p, "%s%s%s%s", i ? " " : "", q ? "'" : "", argv[i], q ? "'" : "");
	}
	*p = '\0';
	return s;
}

void mb_exec_result_free(struct mb_exec_result *res)
{
	if (res) {
		free(res->out);
		res->out = NULL;
	}
}

static void enter(const char *path, int type, const char *what)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, type) < 0) {
		dprintf(STDERR_FILENO, "cannot enter %s namespace %s: %s\n", what, path, strerror(errno));
		_exit(127);
	}
	close(fd);
}

static void child(const char *const argv[], const struct mb_exec_opts *opts, int outfd)
{
	int devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0) {
		dup2(devnull, STDIN_FILENO);
		close(devnull);
	}
	dup2(outfd, STDOUT_FILENO);
	dup2(outfd, STDERR_FILENO);
	if (outfd > STDERR_FILENO)
		close(outfd);
	if (opts->netns)
		enter(opts->netns, CLONE_NEWNET, "network");
	if (opts->mntns)
		enter(opts->mntns, CLONE_NEWNS, "mount");
	mb_close_from(STDERR_FILENO + 1);
	execvp(argv[0], (char *const *)argv);
	dprintf(STDERR_FILENO, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int mb_exec(const char *const argv[], const struct mb_exec_opts *opts, struct mb_exec_result *res)
{
	static const struct mb_exec_opts defaults = { 0 };
	int pfd[2], status = 0, rc = MB_OK;
	int64_t deadline;
	size_t cap = 4096, n = 0;
	char *buf;
	pid_t pid;
	bool timed_out = false;

	if (!opts)
		opts = &defaults;
	if (!opts->quiet && mb_verbosity >= MB_LOG_DEBUG) {
		char *s = mb_argv_str(argv);
		mb_debug("exec%s%s: %s", opts->netns ? " in " : "", opts->netns ? opts->netns : "", s);
		free(s);
	}
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return mb_err_errno(MB_EINTERNAL, "pipe");
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return mb_err_errno(MB_EINTERNAL, "fork");
	}
	if (pid == 0)
		child(argv, opts, pfd[1]);
	close(pfd[1]);

	deadline = mb_mono_ns() + (int64_t)(opts->timeout_ms ? opts->timeout_ms : 60000) * 1000000;
	buf = mb_xmalloc(cap);
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		int64_t left = deadline - mb_mono_ns();
		ssize_t r;
		if (left <= 0) {
			timed_out = true;
			kill(pid, SIGKILL);
			break;
		}
		if (poll(&p, 1, (int)(left / 1000000) + 1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!p.revents)
			continue;
		if (cap - n < 1024) {
			cap *= 2;
			buf = mb_xrealloc(buf, cap);
		}
		r = read(pfd[0], buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(pfd[0]);
	buf[n] = '\0';
	/* The output can end before the child does (it closed or handed it
	 * on): the deadline holds for the wait too. */
	for (int64_t nap = 100000; !timed_out;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid || (w < 0 && errno != EINTR))
			break;
		if (mb_mono_ns() >= deadline) {
			timed_out = true;
			kill(pid, SIGKILL);
			break;
		}
		mb_sleep_ns(nap);
		nap = nap < 20000000 ? nap * 2 : nap;
	}
	if (timed_out) {
		char *s;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		s = mb_argv_str(argv);
		rc = mb_err(MB_EINTERNAL, "'%s' did not finish within %d ms", s,
			    opts->timeout_ms ? opts->timeout_ms : 60000);
		free(s);
	}
	if (res) {
		res->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		res->out = buf;
		res->outlen = n;
	} else {
		free(buf);
	}
	return rc;
}

int mb_exec_ok(const char *const argv[], const struct mb_exec_opts *opts)
{
	struct mb_exec_result res = { 0 };
	int rc = mb_exec(argv, opts, &res);
	if (rc == MB_OK && res.status != 0) {
		char *s = mb_argv_str(argv);
		char line[512];
		mb_last_line(res.out, line, sizeof(line));
		rc = mb_err(MB_EINTERNAL, "'%s' failed (exit %d)%s%s", s, res.status,
			    line[0] ? ": " : "", line);
		free(s);
	}
	mb_exec_result_free(&res);
	return rc;
}
