/* domain.c - guest domain XML and lifecycle through the libvirt C API. */
#include "migrate/domain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

char *dom_xml(const struct guest_spec *g)
{
	char *name = dom_escape(g->name), *kernel = dom_escape(g->kernel);
	char *initrd = dom_escape(g->initrd), *cmdline = dom_escape(g->cmdline);
	char *uuid = dom_escape(g->uuid);
	char *xml = mb_xasprintf(
		"<domain type='%s'>\n"
		"  <name>%s</name>\n"
		"  <uuid>%s</uuid>\n"
		"  <memory unit='KiB'>%llu</memory>\n"
		"  <vcpu>%d</vcpu>\n"
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
		"    <serial type='pty'><target port='0'/></serial>\n"
		"    <console type='pty'><target type='serial' port='0'/></console>\n"
		"    <controller type='usb' model='none'/>\n"
		"    <memballoon model='none'/>\n"
		"  </devices>\n"
		"</domain>\n",
		virt_type_to_string(g->virt_type), name, uuid,
		(unsigned long long)(g->memory / 1024), g->vcpus, kernel, initrd, cmdline,
		g->virt_type == VIRT_KVM ? "  <cpu mode='host-model'/>\n"
					 : "  <cpu mode='custom' match='exact' check='none'><model fallback='forbid'>kvm64</model></cpu>\n",
		g->disk_xml ? g->disk_xml : "");
	free(name);
	free(uuid);
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

int dom_destroy_leftovers(virConnectPtr c, const char *host, int *n)
{
	virDomainPtr *doms = NULL;
	int k = virConnectListAllDomains(c, &doms, 0), rc = MB_OK;
	*n = 0;
	if (k < 0)
		return virt_err(MB_EFAILED, host, "listing domains");
	for (int i = 0; i < k; i++) {
		const char *name = virDomainGetName(doms[i]);
		if (name && mb_str_starts(name, DOM_PREFIX)) {
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
