/* storage.c - the storage site: the LUN's backing file, tgtd in its own
 * namespace serving it as an iSCSI target on the portal address, the
 * routes from both sites to the portal, and tgtd's shutdown. */
#define _GNU_SOURCE
#include "lab/lab.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/exec.h"
#include "core/log.h"
#include "core/util.h"
#include "lab/lab_int.h"
#include "lab/ns.h"

/* The LUN's backing file, filled with a pattern so reads return real data
 * (not the zeros of a sparse file, which tgtd would serve without I/O),
 * and on the disk before the lab is up: the kernel would otherwise write
 * the 10 GB back during the first scenarios, as it did a saved guest's
 * image (run/template.c).
 * A fresh file (the lab directory was just made): never through a symlink. */
static int make_lun(const struct lab *lab, bool fill)
{
	int fd = open(lab->sto.backing, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	int rc = MB_OK;
	if (fd < 0)
		return mb_err_errno(MB_EINTERNAL, "cannot create %s", lab->sto.backing);
	if (ftruncate(fd, (off_t)lab->sto.size) < 0) {
		rc = mb_err_errno(MB_EINTERNAL, "cannot size %s", lab->sto.backing);
	} else if (fill) {
		size_t chunk = 4 << 20;
		uint64_t *buf = mb_xmalloc(chunk), x = 0x9e3779b97f4a7c15ULL;
		for (uint64_t off = 0; off < lab->sto.size && !rc; off += chunk) {
			size_t n = lab->sto.size - off < chunk ? (size_t)(lab->sto.size - off) : chunk;
			for (size_t i = 0; i < chunk / 8; i++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				buf[i] = x;
			}
			if (pwrite(fd, buf, n, (off_t)off) != (ssize_t)n)
				rc = mb_err_errno(MB_EINTERNAL, "cannot fill %s", lab->sto.backing);
		}
		free(buf);
		if (!rc && fdatasync(fd) < 0)
			rc = mb_err_errno(MB_EINTERNAL, "cannot write %s to the disk", lab->sto.backing);
	}
	close(fd);
	return rc;
}

static int tgtadm(const struct lab *lab, const char *const *args)
{
	const char *argv[32] = { "tgtadm", "--lld", "iscsi" };
	int n = 3;
	struct mb_exec_opts o = { .mntns = lab->sto.mntns, .timeout_ms = 15000 };
	for (int i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return mb_exec_ok(argv, &o);
}

/* The portal address on the storage site's lo, and a route to it from each
 * site over its storage link. */
static int portal_routes(const struct lab *lab)
{
	const char *lo[] = { "ip", "-n", lab->sto.ns, "addr", "replace", LAB_PORTAL_ADDR "/32", "dev",
			     "lo", NULL };
	int rc = mb_exec_ok(lo, NULL);
	for (int i = 0; i < 2 && !rc; i++) {
		const char *route[] = { "ip", "-n", lab->site[i].ns, "route", "replace",
					LAB_PORTAL_ADDR "/32", "dev", "sto0", NULL };
		rc = mb_exec_ok(route, NULL);
	}
	return rc;
}

static int tgtd_start(struct lab *lab, const char *run, const char *log)
{
	char *portal = mb_xasprintf("portal=%s:%d", lab->sto.portal, lab->sto.target.port);
	char *host = mb_xasprintf("%s-sto", lab->name), *sock = mb_xasprintf("%s/socket.0", run);
	const char *binds[] = { run, "/run/tgtd", NULL };
	const char *argv[] = { "tgtd", "-f", "--iscsi", portal, NULL };
	struct ns_spawn sp = { .netns = lab->sto.netns, .hostname = host, .binds = binds,
			       .argv = argv, .log = log };
	int64_t deadline = mb_mono_ns() + 10 * MB_NSEC_PER_SEC;
	int rc = ns_spawn(&sp, &lab->sto.pid);
	if (!rc)
		snprintf(lab->sto.mntns, sizeof(lab->sto.mntns), "/proc/%d/ns/mnt", (int)lab->sto.pid);
	while (!rc && !mb_path_exists(sock)) {
		if (!ns_pid_alive(lab->sto.pid) || mb_mono_ns() > deadline)
			rc = mb_err(MB_EINTERNAL, "tgtd did not start; see %s", log);
		else
			mb_sleep_ns(10 * 1000000);
	}
	free(portal);
	free(host);
	free(sock);
	return rc;
}

/* Target 1 with the LUN, open to every initiator (only the lab reaches it). */
static int target_create(const struct lab *lab)
{
	const char *t1[] = { "--op", "new", "--mode", "target", "--tid", "1", "-T", lab->sto.target.iqn,
			     NULL };
	const char *t2[] = { "--op", "new", "--mode", "logicalunit", "--tid", "1", "--lun", "1", "-b",
			     lab->sto.backing, NULL };
	const char *t3[] = { "--op", "bind", "--mode", "target", "--tid", "1", "-I", "ALL", NULL };
	int rc = tgtadm(lab, t1);
	if (!rc)
		rc = tgtadm(lab, t2);
	if (!rc)
		rc = tgtadm(lab, t3);
	return rc;
}

int lab_storage_up(struct lab *lab, bool fill)
{
	char *run = mb_xasprintf("%s/run", lab->sto.root), *log = mb_xasprintf("%s/tgtd.log", lab->sto.root);
	int rc = mb_mkdir_p(run, 0700);
	if (!rc)
		rc = portal_routes(lab);
	if (!rc)
		rc = make_lun(lab, fill);
	if (!rc)
		rc = tgtd_start(lab, run, log);
	if (!rc)
		rc = target_create(lab);
	free(run);
	free(log);
	return rc;
}

void lab_storage_stop(const struct lab *lab)
{
	/* tgtd ignores SIGTERM while it has targets: remove them first. */
	const char *argv[] = { "tgtadm", "--op", "delete", "--mode", "system", NULL };
	struct mb_exec_opts o = { .mntns = lab->sto.mntns, .timeout_ms = 3000, .quiet = true };
	if (lab->sto.pid > 0 && ns_pid_is(lab->sto.pid, "tgtd")) {
		const char *force[] = { "tgtadm", "--lld", "iscsi", "--op", "delete", "--mode", "target",
					"--tid", "1", "--force", NULL };
		if (mb_exec_ok(force, &o) || mb_exec_ok(argv, &o))
			mb_debug("tgtadm shutdown: %s", mb_errmsg());
	}
}
