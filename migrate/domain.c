/* domain.c - guest domain XML and lifecycle through the libvirt C API. */
#include "migrate/domain.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "core/log.h"
#include "core/util.h"
#include "migrate/virt.h"

MB_ENUM_IMPL(virt_type, VIRT_TYPE_LAST, "qemu", "kvm");

char *dom_escape(const char *s)
{
	size_t n = 1;
	char *out, *p;
	for (const char *c = s; *c; c++)
		n += (*c == '&' || *c == '<' || *c == '>' || *c == '\'' || *c == '"') ? 6 : 1;
	out = p = mb_xmalloc(n);
	for (const char *c = s; *c; c++) {
		switch (*c) {
		case '&': p = stpcpy(p, "&amp;"); break;
		case '<': p = stpcpy(p, "&lt;"); break;
		case '>': p = stpcpy(p, "&gt;"); break;
		case '\'': p = stpcpy(p, "&apos;"); break;
		case '"': p = stpcpy(p, "&quot;"); break;
		default: *p++ = *c; break;
		}
	}
	*p = '\0';
	return out;
}

/* Which controller started a guest: its host name and pid, in the domain's
 * metadata, so a run cleaning up after a killed one never takes the guest
 * of another run driving the same host (real hosts are shared). */
#define OWNER_NS "https://migbench.invalid/owner/1"

static void controller_name(char *buf, size_t len)
{
	if (gethostname(buf, len) != 0)
		snprintf(buf, len, "unknown");
	buf[len - 1] = '\0';
}

/* The NIC's <interface>, "" without one.  virtio (net_failover and
 * virtio_net are in the guest image); the tap libvirt makes joins the
 * bridge of whichever host runs the guest. */
static char *nic_xml(const struct guest_spec *g)
{
	char *br, *mac, *xml;
	if (!g->nic_bridge)
		return mb_xstrdup("");
	br = dom_escape(g->nic_bridge);
	mac = dom_escape(g->nic_mac ? g->nic_mac : "");
	xml = mb_xasprintf("    <interface type='bridge'>%s%s%s<source bridge='%s'/>"
			   "<model type='virtio'/></interface>\n",
			   mac[0] ? "<mac address='" : "", mac, mac[0] ? "'/>" : "", br);
	free(br);
	free(mac);
	return xml;
}

char *dom_xml(const struct guest_spec *g)
{
	char host[256];
	char *name = dom_escape(g->name), *kernel = dom_escape(g->kernel);
	char *initrd = dom_escape(g->initrd), *cmdline = dom_escape(g->cmdline);
	char *uuid = dom_escape(g->uuid), *owner, *xml, *nic = nic_xml(g);
	controller_name(host, sizeof(host));
	owner = dom_escape(host);
	xml = mb_xasprintf(
		"<domain type='%s'>\n"
		"  <name>%s</name>\n"
		"  <uuid>%s</uuid>\n"
		"  <metadata><mb:owner xmlns:mb='" OWNER_NS "' controller='%s' pid='%d'/></metadata>\n"
		"  <memory unit='KiB'>%llu</memory>\n"
		"  <vcpu>%d</vcpu>\n"
		"%s"
		"  <os>\n"
		"    <type arch='x86_64' machine='pc'>hvm</type>\n"
		"    <kernel>%s</kernel>\n"
		"    <initrd>%s</initrd>\n"
		"    <cmdline>%s</cmdline>\n"
		"  </os>\n"
		"%s"
		"  <on_poweroff>destroy</on_poweroff>\n"
		"  <on_reboot>destroy</on_reboot>\n"
		"  <on_crash>destroy</on_crash>\n"
		"  <devices>\n"
		"    %s\n"
		"%s"
		"    <serial type='pty'><target port='0'/></serial>\n"
		"    <console type='pty'><target type='serial' port='0'/></console>\n"
		"    <controller type='usb' model='none'/>\n"
		"    <memballoon model='none'/>\n"
		"  </devices>\n"
		"</domain>\n",
		virt_type_to_string(g->virt_type), name, uuid, owner, (int)getpid(),
		(unsigned long long)(g->memory / 1024), g->vcpus,
		g->cputune_xml ? g->cputune_xml : "", kernel, initrd, cmdline,
		g->virt_type == VIRT_KVM ? "  <cpu mode='host-model'/>\n"
					 : "  <cpu mode='custom' match='exact' check='none'><model fallback='forbid'>kvm64</model></cpu>\n",
		g->disk_xml ? g->disk_xml : "", nic);
	free(nic);
	free(name);
	free(uuid);
	free(owner);
	free(kernel);
	free(initrd);
	free(cmdline);
	return xml;
}

int dom_start(virConnectPtr c, const char *host, const char *xml, virDomainPtr *out)
{
	virDomainPtr d = virDomainCreateXML(c, xml, 0);
	if (!d)
		return virt_err(MB_EFAILED, host, "starting the guest");
	*out = d;
	return MB_OK;
}

/* A domain that went away meanwhile (libvirt cleans up the other half of
 * an aborted migration itself) is destroyed enough. */
static bool gone(void)
{
	virErrorPtr e = virGetLastError();
	return e && (e->code == VIR_ERR_NO_DOMAIN || e->code == VIR_ERR_OPERATION_INVALID);
}

int dom_destroy_name(virConnectPtr c, const char *name)
{
	virDomainPtr d = virDomainLookupByName(c, name);
	int rc = MB_OK;
	if (!d)
		return MB_OK;
	if (virDomainIsActive(d) == 1 && virDomainDestroy(d) < 0 && !gone())
		rc = mb_err(MB_EFAILED, "destroying %s: %s", name, virt_errmsg());
	virDomainFree(d);
	return rc;
}

/* The value of attribute name in xml (either quote), "" if absent. */
static void xml_attr(const char *xml, const char *name, char *out, size_t len)
{
	size_t n = strlen(name);
	out[0] = '\0';
	for (const char *p = strstr(xml, name); p; p = strstr(p + 1, name)) {
		if ((p == xml || p[-1] == ' ') && p[n] == '=' && (p[n + 1] == '\'' || p[n + 1] == '"')) {
			const char *v = p + n + 2, *e = strchr(v, p[n + 1]);
			if (e)
				snprintf(out, len, "%.*s", (int)(e - v), v);
			return;
		}
	}
}

/* Whose leftover d is: NULL if this run may remove it (no owner recorded,
 * or a run of this machine that is no longer alive), else who runs it. */
static char *other_owner(virDomainPtr d)
{
	char *m = virDomainGetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, OWNER_NS, 0);
	char host[256], me[256], pid[16], *who = NULL;
	if (!m)
		return NULL;
	xml_attr(m, "controller", host, sizeof(host));
	xml_attr(m, "pid", pid, sizeof(pid));
	free(m);
	controller_name(me, sizeof(me));
	if (host[0] && strcmp(host, me))
		who = mb_xasprintf("migbench on %s (pid %s)", host, pid);
	else if (atoi(pid) > 0 && atoi(pid) != (int)getpid() && kill((pid_t)atoi(pid), 0) == 0)
		who = mb_xasprintf("migbench pid %s, still running here", pid);
	return who;
}

int dom_destroy_leftovers(virConnectPtr c, const char *host, int *n)
{
	virDomainPtr *doms = NULL;
	int k = virConnectListAllDomains(c, &doms, 0), rc = MB_OK;
	*n = 0;
	if (k < 0)
		return virt_err(MB_EFAILED, host, "listing domains");
	for (int i = 0; i < k; i++) {
		const char *name = virDomainGetName(doms[i]);
		char *who = name && mb_str_starts(name, DOM_PREFIX) ? other_owner(doms[i]) : NULL;
		if (who) {
			mb_info("%s: leaving %s alone: it belongs to %s", host, name, who);
			free(who);
		} else if (name && mb_str_starts(name, DOM_PREFIX)) {
			mb_info("%s: removing %s left by an earlier run", host, name);
			if (virDomainIsActive(doms[i]) == 1 && virDomainDestroy(doms[i]) < 0 && !gone() && !rc)
				rc = virt_err(MB_EFAILED, host, "destroying a leftover guest");
			if (virDomainIsPersistent(doms[i]) == 1)
				virDomainUndefine(doms[i]);
			(*n)++;
		}
		virDomainFree(doms[i]);
	}
	free(doms);
	return rc;
}

const char *dom_state_name(virConnectPtr c, const unsigned char *uuid)
{
	static const char *const names[] = { "nostate", "running", "blocked", "paused",
					     "shutdown", "shutoff", "crashed", "pmsuspended" };
	virDomainPtr d;
	int state = -1, reason;
	if (!c || virConnectIsAlive(c) != 1)
		return "unreachable";
	d = virDomainLookupByUUID(c, uuid);
	if (!d)
		return "absent";
	if (virDomainGetState(d, &state, &reason, 0) < 0)
		state = -1;
	virDomainFree(d);
	return state >= 0 && state < (int)MB_ARRAY_SIZE(names) ? names[state] : "unknown";
}
