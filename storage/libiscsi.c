/* libiscsi.c - attach mode "libiscsi": QEMU opens the LUN itself with its
 * built-in initiator (Debian: qemu-block-extra), so the host needs no kernel
 * iSCSI support; the disk is <disk type='network'><source protocol='iscsi'>. */
#include "storage/store.h"

#include <stdio.h>
#include <string.h>

#include "core/util.h"

/* The block driver QEMU loads for iscsi:// (a module in Debian). */
static const char *const block_modules[] = {
	"/usr/lib/x86_64-linux-gnu/qemu/block-iscsi.so",
	"/usr/lib/qemu/block-iscsi.so",
	NULL,
};

static int lib_supported(const struct store_target *t, const struct host_exec *h, char *why,
			 size_t len)
{
	(void)t;
	if (h->ssh)
		return MB_OK; /* a remote host's QEMU: we find out when the guest starts */
	for (int i = 0; block_modules[i]; i++)
		if (mb_path_exists(block_modules[i]))
			return MB_OK;
	snprintf(why, len, "QEMU's iSCSI block driver (block-iscsi.so, Debian package "
			   "qemu-block-extra) is not installed");
	return MB_EUNSUPP;
}

static int lib_attach(const struct store_target *t, const struct host_exec *h)
{
	(void)t;
	(void)h;
	return MB_OK; /* QEMU logs in when it opens the disk */
}

static int lib_disk_xml(const struct store_target *t, char *buf, size_t len)
{
	int n = snprintf(buf, len,
			 "<disk type='network' device='disk'>"
			 "<driver name='qemu' type='raw' cache='none'/>"
			 "<source protocol='iscsi' name='%s/%d'><host name='%s' port='%d'/></source>"
			 "<target dev='vda' bus='virtio'/></disk>",
			 t->iqn, t->lun, t->host, t->port);
	if (n < 0 || (size_t)n >= len)
		return mb_err(MB_EINTERNAL, "disk XML does not fit");
	return MB_OK;
}

const struct store_ops store_libiscsi_ops = {
	.name = "libiscsi",
	.supported = lib_supported,
	.attach = lib_attach,
	.detach = lib_attach,
	.disk_xml = lib_disk_xml,
};
