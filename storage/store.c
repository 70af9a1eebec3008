/* store.c - the attach modes' names and registry, target validation, and the iscsiadm
 * command lines (built as argv vectors, never through a shell). */
#include "storage/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/exec.h"
#include "core/util.h"

MB_ENUM_IMPL(storage_mode, STORAGE_MODE_LAST, "auto", "libiscsi", "open-iscsi");

const struct store_ops *const store_modes[] = { &store_openiscsi_ops, &store_libiscsi_ops, NULL };

int store_target_parse(const char *portal, const char *iqn, int lun, struct store_target *t)
{
	const char *colon;
	memset(t, 0, sizeof(*t));
	t->port = 3260;
	colon = strrchr(portal, ':');
	if (colon && (portal[0] != '[' || colon > strchr(portal, ']'))) {
		char *end;
		long p = strtol(colon + 1, &end, 10);
		if (*end || p < 1 || p > 65535)
			return mb_err(MB_EINPUT, "iSCSI portal '%s': bad port", portal);
		t->port = (int)p;
		snprintf(t->host, sizeof(t->host), "%.*s", (int)(colon - portal), portal);
	} else {
		snprintf(t->host, sizeof(t->host), "%s", portal);
	}
	if (strlen(portal) > MB_ADDR_MAX || !mb_valid_host(t->host))
		return mb_err(MB_EINPUT, "iSCSI portal '%s': not a host name or address", portal);
	if (!mb_valid_iqn(iqn))
		return mb_err(MB_EINPUT,
			      "iSCSI target name '%s': expected iqn.YYYY-MM.domain[:name] (lowercase "
			      "letters, digits, '.', '-', ':')",
			      iqn);
	if (lun < 0 || lun > 16383)
		return mb_err(MB_EINPUT, "iSCSI LUN %d out of range (0..16383)", lun);
	snprintf(t->iqn, sizeof(t->iqn), "%s", iqn);
	t->lun = lun;
	return MB_OK;
}

void store_bypath(const struct store_target *t, char *out, size_t len)
{
	snprintf(out, len, "/dev/disk/by-path/ip-%s:%d-iscsi-%s-lun-%d", t->host, t->port, t->iqn,
		 t->lun);
}

int store_ssh_argv(const struct host_exec *h, const char **argv)
{
	int n = 0;
	if (!h || !h->ssh)
		return 0;
	/* ssh joins its arguments into one remote shell line: callers pass only
	 * validated values (no shell syntax). */
	argv[n++] = "ssh";
	argv[n++] = "-o";
	argv[n++] = "BatchMode=yes";
	if (h->ssh_key) {
		argv[n++] = "-i";
		argv[n++] = h->ssh_key;
	}
	if (h->ssh_known_hosts_opt) {
		argv[n++] = "-o";
		argv[n++] = h->ssh_known_hosts_opt;
	}
	if (h->ssh_no_verify) {
		argv[n++] = "-o";
		argv[n++] = "StrictHostKeyChecking=no";
	}
	argv[n++] = h->ssh;
	argv[n++] = "--";
	return n;
}

int store_iscsiadm_argv(enum iscsiadm_op op, const struct store_target *t,
			const struct host_exec *h, const char **argv, size_t max, char *buf,
			size_t buflen)
{
	size_t n = 0;
	char *portal = buf;
	snprintf(portal, buflen, "%s:%d", t->host, t->port);
#define ARG(x)                             \
	do {                               \
		if (n + 1 < max)           \
			argv[n++] = (x);   \
	} while (0)
	/* Every value after the ssh prefix was validated by store_target_parse. */
	if (h && h->ssh && max <= STORE_SSH_ARGS + 1) {
		argv[0] = NULL; /* never the command without its ssh prefix */
		return 0;
	}
	n = (size_t)store_ssh_argv(h, argv);
	ARG("iscsiadm");
	switch (op) {
	case ISCSIADM_DISCOVERY:
		ARG("-m"); ARG("discovery"); ARG("-t"); ARG("sendtargets"); ARG("-p"); ARG(portal);
		ARG("-o"); ARG("nonpersistent");
		break;
	case ISCSIADM_NODE_NEW:
		ARG("-m"); ARG("node"); ARG("-T"); ARG(t->iqn); ARG("-p"); ARG(portal); ARG("-o"); ARG("new");
		break;
	case ISCSIADM_NODE_DELETE:
		ARG("-m"); ARG("node"); ARG("-T"); ARG(t->iqn); ARG("-p"); ARG(portal); ARG("-o"); ARG("delete");
		break;
	case ISCSIADM_LOGIN:
		ARG("-m"); ARG("node"); ARG("-T"); ARG(t->iqn); ARG("-p"); ARG(portal); ARG("--login");
		break;
	case ISCSIADM_LOGOUT:
		ARG("-m"); ARG("node"); ARG("-T"); ARG(t->iqn); ARG("-p"); ARG(portal); ARG("--logout");
		break;
	case ISCSIADM_SESSION:
		ARG("-m"); ARG("session");
		break;
	}
#undef ARG
	argv[n] = NULL;
	return (int)n;
}

int store_host_exec(const struct host_exec *h, const char *const *argv, char **out, int *status)
{
	if (h && h->noexec)
		return mb_err(MB_EUNSUPP, "cannot run %s on %s: %s", argv[0], h->name, h->noexec);
	struct mb_exec_opts o = { .netns = h ? h->netns : NULL, .mntns = h ? h->mntns : NULL,
				  .timeout_ms = 30000 };
	struct mb_exec_result r = { 0 };
	int rc = mb_exec(argv, &o, &r);
	if (rc)
		return rc;
	*status = r.status;
	if (out)
		*out = r.out;
	else
		free(r.out);
	return MB_OK;
}

int store_choose(int mode, const struct store_target *t, const struct host_exec *hosts,
		 int nhosts, const struct store_ops **out, char *why, size_t len)
{
	const struct store_ops *want = NULL;
	size_t used = 0;
	why[0] = '\0';
	if (mode == STORE_LIBISCSI)
		want = &store_libiscsi_ops;
	else if (mode == STORE_OPENISCSI)
		want = &store_openiscsi_ops;
	for (const struct store_ops *const *m = store_modes; *m; m++) {
		bool ok = true;
		char reason[512] = "";
		if (want && *m != want)
			continue;
		for (int i = 0; i < nhosts && ok; i++) {
			if ((*m)->supported(t, &hosts[i], reason, sizeof(reason)) != MB_OK)
				ok = false;
		}
		if (ok) {
			*out = *m;
			if (!want && !why[0])
				snprintf(why, len, "%s works on every host", (*m)->name);
			else if (!want)
				snprintf(why + used, len - used, "; using %s", (*m)->name);
			else
				snprintf(why, len, "%s requested", (*m)->name);
			return MB_OK;
		}
		if (want)
			return mb_err(MB_EUNSUPP, "storage=%s cannot be used: %s", want->name, reason);
		used += (size_t)snprintf(why + used, len - used, "%s%s: %s", used ? "; " : "",
					 (*m)->name, reason);
		if (used >= len)
			used = len - 1;
	}
	return mb_err(MB_EUNSUPP, "no storage attach mode works here: %s", why);
}
