/* openiscsi.c - attach mode "open-iscsi": each host logs in with iscsiadm
 * and the guest gets the kernel's block device under /dev/disk/by-path.
 * Needs the kernel initiator (iscsi_tcp) and a running iscsid on every
 * host; where they are missing, supported() says so.
 *
 * attach: a discovery that records nothing (it checks the portal answers
 * and offers the target), one node record for the target, login, then (on
 * this machine) wait for the LUN's block device in sysfs and, where no udev
 * made the by-path link, make it (over ssh: wait for udev's link there).  detach: logout, delete that record and a
 * by-path link left pointing nowhere (and nothing to log out of is no
 * error: detach is idempotent).  Nothing stays in iscsiadm's
 * database, also when attach fails half-way. */
#include "storage/store.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/exec.h"
#include "core/log.h"
#include "core/util.h"

/* Run one iscsiadm op on h; on failure why says what iscsiadm said.  out
 * (may be NULL) gets the output on success (free it). */
static int run_iscsiadm(enum iscsiadm_op op, const struct store_target *t,
			const struct host_exec *h, char **out, char *why, size_t len)
{
	const char *argv[24];
	char buf[320], *text = NULL, line[256];
	int status = 0, rc;
	store_iscsiadm_argv(op, t, h, argv, 24, buf, sizeof(buf));
	rc = store_host_exec(h, argv, &text, &status);
	if (rc) {
		snprintf(why, len, "%s", mb_errmsg());
		return rc;
	}
	if (status != 0) {
		/* iscsiadm's last line is often a consequence; this is the cause. */
		if (text && strstr(text, "can not connect to iSCSI daemon"))
			snprintf(line, sizeof(line), "iscsid is not running (start it: iscsid, or "
						     "systemctl start iscsid)");
		else
			mb_last_line(text ? text : "", line, sizeof(line));
		char *cmd = mb_argv_str(argv);
		snprintf(why, len, "on %s, '%s' failed (exit %d): %s", h->name, cmd, status, line);
		free(cmd);
		free(text);
		return MB_EUNSUPP;
	}
	if (out)
		*out = text;
	else
		free(text);
	return MB_OK;
}

/* Whether the discovery output ("ADDR:PORT,TPGT IQN" lines) lists iqn. */
static bool offers(const char *out, const char *iqn)
{
	size_t n = strlen(iqn);
	for (const char *p = strstr(out, iqn); p; p = strstr(p + 1, iqn))
		if ((p == out || p[-1] == ' ') && (p[n] == '\0' || p[n] == '\n' || p[n] == ' '))
			return true;
	return false;
}

static int discover(const struct store_target *t, const struct host_exec *h, char *why,
		    size_t len)
{
	char *out = NULL;
	int rc = run_iscsiadm(ISCSIADM_DISCOVERY, t, h, &out, why, len);
	if (!rc && !offers(out, t->iqn)) {
		char list[256];
		/* The targets the portal does offer, on one line. */
		snprintf(list, sizeof(list), "%s", out[0] ? out : "none");
		for (char *c = list; *c; c++)
			if (*c == '\n')
				*c = c[1] ? ';' : '\0';
		snprintf(why, len, "on %s, the portal offers no target %s (it offers: %s)", h->name, t->iqn,
			 list);
		rc = MB_EUNSUPP;
	}
	free(out);
	return rc;
}

static int oi_supported(const struct store_target *t, const struct host_exec *h, char *why,
			size_t len)
{
	if (h->noexec) {
		snprintf(why, len, "open-iscsi runs iscsiadm on every host, but on %s %s", h->name,
			 h->noexec);
		return MB_EUNSUPP;
	}
	/* The kernel initiator registers the tcp transport class here. */
	if (!h->ssh && !mb_path_exists("/sys/class/iscsi_transport/tcp") &&
	    !mb_path_exists("/sys/module/iscsi_tcp")) {
		snprintf(why, len, "the kernel has no iSCSI initiator (no iscsi_tcp: "
				   "/sys/class/iscsi_transport/tcp is missing)");
		return MB_EUNSUPP;
	}
	/* The real test: a discovery against the target from that host. */
	return discover(t, h, why, len);
}

/* The first line of a sysfs attribute file, or "" */
static void sysfs_str(const char *path, char *out, size_t len)
{
	char *buf = NULL;
	size_t n;
	out[0] = '\0';
	if (mb_read_file(path, &buf, &n) == MB_OK) {
		snprintf(out, len, "%s", mb_trim(buf));
		free(buf);
	}
}

int store_openiscsi_device(const struct store_target *t, char *dev, size_t len)
{
	glob_t g;
	int rc = MB_EUNSUPP;
	if (glob("/sys/class/iscsi_session/session*", 0, NULL, &g) != 0)
		return mb_err(MB_EUNSUPP, "no iSCSI session on this machine");
	for (size_t i = 0; i < g.gl_pathc && rc; i++) {
		const char *s = g.gl_pathv[i], *num = strrchr(s, 'n') + 1; /* ".../sessionN" */
		char *path = mb_xasprintf("%s/targetname", s), name[256], addr[256], port[16];
		glob_t b;
		sysfs_str(path, name, sizeof(name));
		free(path);
		path = mb_xasprintf("/sys/class/iscsi_connection/connection%s:0/persistent_address", num);
		sysfs_str(path, addr, sizeof(addr));
		free(path);
		path = mb_xasprintf("/sys/class/iscsi_connection/connection%s:0/persistent_port", num);
		sysfs_str(path, port, sizeof(port));
		free(path);
		if (strcmp(name, t->iqn) || strcmp(addr, t->host) || atoi(port) != t->port)
			continue;
		/* .../sessionN/device/targetH:C:T/H:C:T:LUN/block/sdX */
		path = mb_xasprintf("%s/device/target*/*:*:*:%d/block/*", s, t->lun);
		if (glob(path, 0, NULL, &b) == 0) {
			const char *sd = strrchr(b.gl_pathv[0], '/') + 1;
			int n = snprintf(dev, len, "/dev/%s", sd);
			rc = n > 0 && (size_t)n < len ? MB_OK : mb_err(MB_EINTERNAL, "device name too long");
			globfree(&b);
		}
		free(path);
	}
	globfree(&g);
	if (rc == MB_EUNSUPP)
		return mb_err(MB_EUNSUPP, "no block device for %s LUN %d in sysfs", t->iqn, t->lun);
	return rc;
}

/* On this machine: wait for the LUN's disk and make sure the by-path link
 * the disk XML names exists (udev makes it; without udev, we do). */
static int local_device(const struct store_target *t, const struct host_exec *h)
{
	char dev[64], link[600];
	int64_t deadline = mb_mono_ns() + 15 * MB_NSEC_PER_SEC;
	int rc;
	struct stat st;
	store_bypath(t, link, sizeof(link));
	while ((rc = store_openiscsi_device(t, dev, sizeof(dev))) != MB_OK || stat(dev, &st) != 0) {
		if (mb_mono_ns() > deadline)
			return mb_err(MB_EFAILED, "logged in to %s on %s, but no block device for LUN %d "
						  "appeared in 15 s (%s)", t->iqn, h->name, t->lun,
				      rc ? mb_errmsg() : dev);
		mb_sleep_ns(100 * 1000000);
	}
	/* udev may still be at it: give it a moment before standing in for it. */
	for (int i = 0; i < 20 && lstat(link, &st) != 0; i++)
		mb_sleep_ns(100 * 1000000);
	if (lstat(link, &st) != 0) {
		mb_debug("no udev link %s: making it -> %s", link, dev);
		rc = mb_mkdir_p("/dev/disk/by-path", 0755);
		if (!rc && symlink(dev, link) != 0)
			rc = mb_err_errno(MB_EFAILED, "cannot make %s -> %s", link, dev);
		if (rc)
			return rc;
	}
	return MB_OK;
}

/* On a host over ssh: wait until udev there made the by-path link the disk
 * XML names (login returns before the disk is there). */
static int remote_device(const struct store_target *t, const struct host_exec *h)
{
	const char *argv[STORE_SSH_ARGS + 4];
	char link[600];
	int64_t deadline = mb_mono_ns() + 15 * MB_NSEC_PER_SEC;
	int n = store_ssh_argv(h, argv), st = 0, rc;
	store_bypath(t, link, sizeof(link)); /* validated parts only: safe for the remote shell */
	argv[n++] = "test";
	argv[n++] = "-b";
	argv[n++] = link;
	argv[n] = NULL;
	while ((rc = store_host_exec(h, argv, NULL, &st)) == MB_OK && st != 0) {
		if (mb_mono_ns() > deadline)
			return mb_err(MB_EFAILED, "logged in to %s on %s, but %s did not appear in 15 s "
						  "(does udev run there?)", t->iqn, h->name, link);
		mb_sleep_ns(200 * 1000000);
	}
	return rc;
}

static int oi_attach(const struct store_target *t, const struct host_exec *h)
{
	char why[512];
	const char *step = "discovery at";
	int rc = discover(t, h, why, sizeof(why));
	if (!rc) {
		step = "login to";
		rc = run_iscsiadm(ISCSIADM_NODE_NEW, t, h, NULL, why, sizeof(why));
		if (!rc)
			rc = run_iscsiadm(ISCSIADM_LOGIN, t, h, NULL, why, sizeof(why));
		if (rc) {
			char ignore[256];
			if (run_iscsiadm(ISCSIADM_NODE_DELETE, t, h, NULL, ignore, sizeof(ignore)))
				mb_debug("removing the node record: %s", ignore);
		}
	}
	if (rc)
		return mb_err(MB_EFAILED, "open-iscsi %s %s:%d (target %s): %s", step, t->host, t->port,
			      t->iqn, why);
	if (h->ssh)
		return remote_device(t, h);
	if (!h->mntns)
		return local_device(t, h);
	return MB_OK;
}

static int oi_detach(const struct store_target *t, const struct host_exec *h)
{
	char why[512], link[600];
	struct stat st;
	int rc = run_iscsiadm(ISCSIADM_LOGOUT, t, h, NULL, why, sizeof(why));
	/* Idempotent: no session (never logged in, or logged out) is fine. */
	if (rc == MB_EUNSUPP && strstr(why, "No matching sessions"))
		rc = MB_OK;
	if (!rc)
		rc = run_iscsiadm(ISCSIADM_NODE_DELETE, t, h, NULL, why, sizeof(why));
	if (rc == MB_EUNSUPP && strstr(why, "No records found"))
		rc = MB_OK;
	if (rc)
		return mb_err(MB_EFAILED, "open-iscsi logout of %s: %s", t->iqn, why);
	/* A link we made (no udev) now points nowhere. */
	store_bypath(t, link, sizeof(link));
	if (!h->ssh && !h->mntns && lstat(link, &st) == 0 && stat(link, &st) != 0 && unlink(link) != 0)
		mb_debug("cannot remove %s", link);
	return MB_OK;
}

static int oi_disk_xml(const struct store_target *t, char *buf, size_t len)
{
	char dev[600];
	int n;
	store_bypath(t, dev, sizeof(dev));
	n = snprintf(buf, len,
		     "<disk type='block' device='disk'>"
		     "<driver name='qemu' type='raw' cache='none' io='native'/>"
		     "<source dev='%s'/><target dev='vda' bus='virtio'/></disk>",
		     dev);
	if (n < 0 || (size_t)n >= len)
		return mb_err(MB_EINTERNAL, "disk XML does not fit");
	return MB_OK;
}

const struct store_ops store_openiscsi_ops = {
	.name = "open-iscsi",
	.supported = oi_supported,
	.attach = oi_attach,
	.detach = oi_detach,
	.disk_xml = oi_disk_xml,
};
