/* ns.h - network namespaces, daemons started inside namespaces, and the
 * sweep that finds and stops every process living in one. */
#ifndef MB_NS_H
#define MB_NS_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/err.h"

#define NS_RUN_DIR "/run/netns"

/* Create /run/netns/<name> (like `ip netns add`) with lo up; idempotent. */
int ns_create(const char *name) MB_WUR;
/* Stop every process in the namespace, then remove it; idempotent. */
int ns_delete(const char *name) MB_WUR;
bool ns_exists(const char *name);
/* "/run/netns/<name>" into buf. */
void ns_path(const char *name, char *buf, size_t len);
/* Names in /run/netns starting with prefix (free each and the array). */
int ns_list(const char *prefix, char ***names, int *n) MB_WUR;

/* Processes whose network namespace is the one at path (max n). */
int ns_pids(const char *path, pid_t *pids, int max);
/* SIGTERM them, wait up to grace_ms, SIGKILL what is left, wait until gone.
 * Returns the number of processes that were there. */
int ns_kill_all(const char *path, int grace_ms);

struct ns_spawn {
	const char *netns;             /* netns path to enter */
	const char *hostname;          /* new UTS namespace with this hostname */
	const char *const *binds;      /* {src, dst, src, dst, ..., NULL} private binds */
	const char *const *argv;       /* the program, run in the foreground */
	const char *log;               /* its stdout and stderr (appended) */
};

/* Start argv detached (new session, under its own reaper: ns.c) in a new mount
 * namespace (propagation private, /sys remounted for the netns, the binds
 * applied) and UTS namespace.  *pid is the program's pid. */
int ns_spawn(const struct ns_spawn *s, pid_t *pid) MB_WUR;

bool ns_pid_alive(pid_t pid);
/* pid's executable name (/proc/PID/comm, "" when unreadable) into buf;
 * false when the process is gone. */
bool ns_pid_comm(pid_t pid, char *buf, size_t len);
/* Whether pid is alive and its executable's name is comm ("libvirtd"). */
bool ns_pid_is(pid_t pid, const char *comm);

#endif
