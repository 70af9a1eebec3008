/* openiscsi.c - attach mode "open-iscsi": each host logs in with iscsiadm
 * (discovery, then node login) and the guest gets the kernel's block device
 * under /dev/disk/by-path.  Needs the kernel initiator (iscsi_tcp) and
 * iscsid on every host; where they are missing, supported() says so in the
 * words iscsiadm used. */
#include "storage/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/exec.h"
#include "core/util.h"

static int run_iscsiadm(enum iscsiadm_op op, const struct store_target *t,
			const struct host_exec *h, char *why, size_t len)
{
	const char *argv[24];
	char buf[320], *out = NULL, line[256];
	int status = 0, rc;
	store_iscsiadm_argv(op, t, h, argv, 24, buf, sizeof(buf));
	rc = store_host_exec(h, argv, &out, &status);
	if (rc) {
		snprintf(why, len, "%s", mb_errmsg());
		return rc;
	}
	if (status != 0) {
		mb_last_line(out ? out : "", line, sizeof(line));
		snprintf(why, len, "on %s, '%s' failed (exit %d): %s", h->name, "iscsiadm", status,
			 line);
		free(out);
		return MB_EUNSUPP;
	}
	free(out);
	return MB_OK;
}

static int oi_supported(const struct store_target *t, const struct host_exec *h, char *why,
			size_t len)
{
	/* The kernel initiator registers the tcp transport class here. */
	if (!h->ssh && !mb_path_exists("/sys/class/iscsi_transport/tcp") &&
	    !mb_path_exists("/sys/module/iscsi_tcp")) {
		snprintf(why, len, "the kernel has no iSCSI initiator (no iscsi_tcp: "
				   "/sys/class/iscsi_transport/tcp is missing)");
		return MB_EUNSUPP;
	}
	/* The real test: a discovery against the target from that host. */
	return run_iscsiadm(ISCSIADM_DISCOVERY, t, h, why, len);
}

static int oi_attach(const struct store_target *t, const struct host_exec *h)
{
	char why[512];
	int rc = run_iscsiadm(ISCSIADM_DISCOVERY, t, h, why, sizeof(why));
	if (!rc)
		rc = run_iscsiadm(ISCSIADM_LOGIN, t, h, why, sizeof(why));
	if (rc)
		return mb_err(MB_EFAILED, "open-iscsi login to %s on %s: %s", t->iqn, h->name, why);
	return MB_OK;
}

static int oi_detach(const struct store_target *t, const struct host_exec *h)
{
	char why[512];
	if (run_iscsiadm(ISCSIADM_LOGOUT, t, h, why, sizeof(why)))
		return mb_err(MB_EFAILED, "open-iscsi logout of %s on %s: %s", t->iqn, h->name, why);
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
