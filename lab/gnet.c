/* gnet.c - the guest network of the lab (see lab.h): a bridge mbbr0 in
 * each site with the same MAC and host address, and a permanent neighbour
 * entry for the guest, so that the guest, its address and its view of the
 * host side are the same whichever site it runs on.  The bridge goes with
 * the site's namespace at `lab down`. */
#include "lab/lab.h"

#include <stdio.h>
#include <string.h>

#include "core/exec.h"
#include "lab/lab_int.h"

static int site_ip(const struct lab_site *s, const char *const *args, bool quiet)
{
	const char *argv[16] = { "ip" };
	struct mb_exec_opts o = { .netns = s->netns, .timeout_ms = 10000, .quiet = quiet };
	int n = 1;
	for (int i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return mb_exec_ok(argv, &o);
}

static int site_gnet_up(const struct lab_site *s)
{
	const char *add[] = { "link", "add", LAB_GNET_BRIDGE, "type", "bridge", NULL };
	const char *mac[] = { "link", "set", LAB_GNET_BRIDGE, "address", LAB_GNET_BRIDGE_MAC, NULL };
	const char *addr[] = { "addr", "replace", LAB_GNET_HOST_ADDR "/" LAB_GNET_PREFIX, "dev",
			       LAB_GNET_BRIDGE, NULL };
	const char *up[] = { "link", "set", LAB_GNET_BRIDGE, "up", NULL };
	const char *neigh[] = { "neigh", "replace", LAB_GNET_GUEST_ADDR, "lladdr", LAB_GNET_GUEST_MAC,
				"dev", LAB_GNET_BRIDGE, "nud", "permanent", NULL };
	const char *show[] = { "link", "show", LAB_GNET_BRIDGE, NULL };
	int rc = site_ip(s, show, true) == MB_OK ? MB_OK : site_ip(s, add, false);
	if (!rc)
		rc = site_ip(s, mac, false);
	if (!rc)
		rc = site_ip(s, addr, false);
	if (!rc)
		rc = site_ip(s, up, false);
	if (!rc)
		rc = site_ip(s, neigh, false);
	return rc ? mb_err_ctx(rc, "the guest network bridge %s of site %s", LAB_GNET_BRIDGE, s->hostname)
		  : MB_OK;
}

int lab_gnet_up(const struct lab *lab)
{
	int rc = MB_OK;
	for (int i = 0; i < 2 && !rc; i++)
		rc = site_gnet_up(&lab->site[i]);
	return rc;
}

/* Whether the site's bridge is there with the host address. */
static bool site_gnet_present(const struct lab_site *s)
{
	const char *argv[] = { "ip", "-o", "addr", "show", "dev", LAB_GNET_BRIDGE, NULL };
	struct mb_exec_opts o = { .netns = s->netns, .timeout_ms = 10000, .quiet = true };
	struct mb_exec_result r = { 0 };
	bool there = mb_exec(argv, &o, &r) == MB_OK && r.status == 0 && r.out &&
		     strstr(r.out, " " LAB_GNET_HOST_ADDR "/");
	mb_exec_result_free(&r);
	return there;
}

json_object *lab_gnet_status(const struct lab *lab, bool *ok)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "bridge", lab_jstr(LAB_GNET_BRIDGE));
	json_object_object_add(o, "host_addr", lab_jstr(LAB_GNET_HOST_ADDR));
	json_object_object_add(o, "guest_addr", lab_jstr(LAB_GNET_GUEST_ADDR));
	for (int i = 0; i < 2; i++) {
		bool there = site_gnet_present(&lab->site[i]);
		char key[24];
		snprintf(key, sizeof(key), "%s_present", lab->site[i].role);
		json_object_object_add(o, key, json_object_new_boolean(there));
		if (!there)
			*ok = false;
	}
	return o;
}
