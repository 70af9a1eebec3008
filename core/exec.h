/* exec.h - run external tools with an argv vector (never a shell), optionally
 * inside a network namespace, with captured output and a time limit. */
#ifndef MB_EXEC_H
#define MB_EXEC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct mb_exec_opts {
	const char *netns;   /* path of a netns file to enter first (NULL: stay) */
	const char *mntns;   /* path of a mount ns file (/proc/PID/ns/mnt) to enter */
	int timeout_ms;      /* kill the child after this long (0: 60 s) */
	bool quiet;          /* do not log the command at debug level */
};

struct mb_exec_result {
	int status;   /* exit status, or 128+signal when killed */
	char *out;    /* stdout and stderr, NUL-terminated (free it) */
	size_t outlen;
};

/* Run argv[0] (looked up in PATH) and wait.  Returns MB_OK when it ran (any
 * exit status; see res->status), MB_EINTERNAL when it could not be started
 * or timed out.  res may be NULL to discard output. */
int mb_exec(const char *const argv[], const struct mb_exec_opts *opts,
	    struct mb_exec_result *res) MB_WUR;

/* Run and require exit status 0; on failure the error message names the
 * command and quotes the last line of its output. */
int mb_exec_ok(const char *const argv[], const struct mb_exec_opts *opts) MB_WUR;

/* "ip netns add x" style rendering of argv, for messages (free it). */
char *mb_argv_str(const char *const argv[]);

void mb_exec_result_free(struct mb_exec_result *res);

#endif
