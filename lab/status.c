/* status.c - `lab status`: every part of a lab checked for real (each
 * libvirtd answers and reports its own hostname, tgtd runs and the LUN
 * answers an iSCSI inquiry from both sites, the links read back, the guest
 * copy is there), plus who holds the lab's lock.  Read-only: takes no lock
 * (see lock.c). */
#define _GNU_SOURCE
#include "lab/lab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "core/exec.h"
#include "core/util.h"
#include "lab/lab_int.h"
#include "lab/ns.h"
#include "migrate/virt.h"

static void site_versions(json_object *j, virConnectPtr c, const struct lab_site *s, bool *ok)
{
	char hv[64], lib[32], *host = virConnectGetHostname(c);
	int ndom = virConnectNumOfDomains(c);
	virt_versions(c, hv, sizeof(hv), lib, sizeof(lib));
	json_object_object_add(j, "reachable", json_object_new_boolean(true));
	json_object_object_add(j, "reported_hostname", lab_jstr(host));
	json_object_object_add(j, "hypervisor", lab_jstr(hv));
	json_object_object_add(j, "libvirt", lab_jstr(lib));
	json_object_object_add(j, "running_domains", json_object_new_int(ndom));
	if (!host || strcmp(host, s->hostname)) {
		*ok = false;
		json_object_object_add(j, "error", lab_jstr("libvirtd reports another hostname"));
	}
	free(host);
}

static json_object *site_status(const struct lab_site *s, bool *ok)
{
	json_object *j = lab_site_json(s);
	virConnectPtr c = NULL;
	bool alive = ns_pid_is(s->pid, "libvirtd");
	json_object_object_add(j, "libvirtd_running", json_object_new_boolean(alive));
	if (!alive) {
		*ok = false;
		json_object_object_add(j, "error", lab_jstr("libvirtd is not running"));
	} else if (virt_open(s->uri, &c) != MB_OK) {
		*ok = false;
		json_object_object_add(j, "reachable", json_object_new_boolean(false));
		json_object_object_add(j, "error", lab_jstr(mb_errmsg()));
	} else {
		site_versions(j, c, s, ok);
		virConnectClose(c);
	}
	return j;
}

/* An iSCSI login + INQUIRY to the LUN from inside a site (libiscsi's
 * iscsi-inq), which proves the portal, the target, the LUN and the site's
 * storage link all work. */
static json_object *inquiry(const struct lab *lab, const struct lab_site *s, bool *ok)
{
	json_object *j = json_object_new_object();
	char *url = mb_xasprintf("iscsi://%s:%d/%s/%d", lab->sto.portal, lab->sto.target.port,
				 lab->sto.target.iqn, lab->sto.target.lun);
	const char *argv[] = { "iscsi-inq", url, NULL };
	struct mb_exec_opts o = { .netns = s->netns, .timeout_ms = 10000, .quiet = true };
	struct mb_exec_result r = { 0 };
	int rc = mb_exec(argv, &o, &r);
	json_object_object_add(j, "from", lab_jstr(s->hostname));
	if (rc || r.status != 0) {
		*ok = false;
		json_object_object_add(j, "ok", json_object_new_boolean(false));
		json_object_object_add(j, "error", lab_jstr(rc ? mb_errmsg() : r.out));
	} else {
		const char *v = strstr(r.out, "Vendor:"), *p = strstr(r.out, "Product:");
		char vendor[64] = "", product[64] = "";
		if (v)
			sscanf(v, "Vendor:%63[^\n]", vendor);
		if (p)
			sscanf(p, "Product:%63[^\n]", product);
		json_object_object_add(j, "ok", json_object_new_boolean(true));
		json_object_object_add(j, "vendor", lab_jstr(mb_trim(vendor)));
		json_object_object_add(j, "product", lab_jstr(mb_trim(product)));
	}
	mb_exec_result_free(&r);
	free(url);
	return j;
}

static json_object *storage_status(const struct lab *lab, bool *ok)
{
	json_object *sto = lab_storage_json(lab), *inq = json_object_new_array();
	bool running = ns_pid_is(lab->sto.pid, "tgtd");
	json_object_object_add(sto, "tgtd_running", json_object_new_boolean(running));
	if (!running)
		*ok = false;
	for (int i = 0; i < 2; i++)
		json_object_array_add(inq, inquiry(lab, &lab->site[i], ok));
	json_object_object_add(sto, "inquiry", inq);
	return sto;
}

/* Who holds the lab's lock (not a health matter: a run holds it). */
static json_object *lock_status(const struct lab *lab)
{
	json_object *j = json_object_new_object();
	char *holder = NULL;
	json_object_object_add(j, "path", lab_jstr(lab->lock));
	if (lab_lock_holder(lab->lock, &holder) != MB_OK) {
		json_object_object_add(j, "error", lab_jstr(mb_errmsg()));
	} else {
		json_object_object_add(j, "held", json_object_new_boolean(holder != NULL));
		if (holder)
			json_object_object_add(j, "holder", lab_jstr(holder));
	}
	free(holder);
	return j;
}

int lab_status(const struct lab *lab, json_object **out, bool *healthy)
{
	json_object *o = json_object_new_object(), *sites = json_object_new_array(), *g;
	bool ok = true;

	json_object_object_add(o, "name", lab_jstr(lab->name));
	json_object_object_add(o, "dir", lab_jstr(lab->dir));
	for (int i = 0; i < 2; i++)
		json_object_array_add(sites, site_status(&lab->site[i], &ok));
	json_object_object_add(o, "sites", sites);
	json_object_object_add(o, "storage", storage_status(lab, &ok));
	json_object_object_add(o, "link_backend", lab_jstr(lab->link_backend));
	json_object_object_add(o, "link_why", lab_jstr(lab->link_why));
	json_object_object_add(o, "links", lab_links_status(lab, &ok));
	json_object_object_add(o, "guest_network", lab_gnet_status(lab, &ok));
	g = lab_guest_json(lab);
	json_object_object_add(g, "present", json_object_new_boolean(
		lab->guest_kernel[0] && mb_path_exists(lab->guest_kernel) && mb_path_exists(lab->guest_initrd)));
	json_object_object_add(o, "guest", g);
	json_object_object_add(o, "lock", lock_status(lab));
	json_object_object_add(o, "healthy", json_object_new_boolean(ok));
	*healthy = ok;
	*out = o;
	return MB_OK;
}
