/* lab.c - bring the lab up and take it down (see lab.h for the picture):
 * the order of the parts and the cleanup of a failed `up`.  Everything the
 * lab makes is named after the lab and recorded in state.json; `down` also
 * finds what a crashed `up` left by those names.  The parts live in
 * layout.c (names and paths), state.c, lock.c, config.c and sites.c (the
 * libvirtds), storage.c (tgtd, the LUN), links.c, gnet.c (the guest
 * network), guest.c and status.c. */
#define _GNU_SOURCE
#include "lab/lab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "lab/lab_int.h"
#include "lab/ns.h"

static int need_tools(void)
{
	static const char *const tools[] = { "ip", "libvirtd", "qemu-system-x86_64", "tgtd", "tgtadm",
					     NULL };
	char *path = getenv("PATH") ? mb_xstrdup(getenv("PATH")) : mb_xstrdup("/usr/sbin:/usr/bin");
	int rc = MB_OK;
	for (int i = 0; tools[i] && !rc; i++) {
		bool found = false;
		char *save = NULL, *copy = mb_xstrdup(path);
		for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
			char *p = mb_xasprintf("%s/%s", d, tools[i]);
			found = access(p, X_OK) == 0;
			free(p);
		}
		free(copy);
		if (!found)
			rc = mb_err(MB_EUNSUPP, "the lab needs %s, which is not installed (run 'make deps')",
				    tools[i]);
	}
	free(path);
	return rc;
}

static int up_checks(void)
{
	if (geteuid() != 0)
		return mb_err(MB_EUNSUPP, "the lab needs root (network, mount and UTS namespaces, "
					  "libvirtd, tgtd)");
	return need_tools();
}

/* ---- down ---------------------------------------------------------------- */

/* A cleanup goes on after a failure; the first failure is the one reported. */
static void keep_first(struct mb_error *first, int rc)
{
	if (rc && !first->rc)
		mb_err_save(first, rc);
}

static void remove_namespaces(const struct lab *lab, struct mb_error *first)
{
	char *prefix = mb_xasprintf("migbench-%s-", lab->name), **names = NULL;
	int n = 0;
	if (ns_list(prefix, &names, &n) == MB_OK) {
		for (int i = 0; i < n; i++) {
			int rc = ns_delete(names[i]);
			if (rc)
				keep_first(first, mb_err_ctx(rc, "removing namespace %s", names[i]));
			free(names[i]);
		}
		free(names);
	}
	free(prefix);
}

bool lab_fits(const struct lab *lab, const struct lab_params *p)
{
	if (lab->sto.size == p->lun_size)
		return true;
	mb_info("lab '%s' has a %llu MiB LUN, the profile asks for %llu MiB (lab.lun_size): rebuilding it",
		lab->name, (unsigned long long)(lab->sto.size >> 20), (unsigned long long)(p->lun_size >> 20));
	return false;
}

/* Down with the lab's lock held: state.json says what is there, or (no
 * state: a crashed up) the names do. */
static int down_locked(const struct lab_params *p, bool purge)
{
	struct lab *lab = mb_xmalloc(sizeof(*lab));
	struct mb_error first;
	mb_err_save(&first, MB_OK);
	if (lab_load(lab, p) != MB_OK)
		lab_init(lab, p);
	lab_storage_stop(lab);
	lab_links_down(lab);
	remove_namespaces(lab, &first);
	if (mb_path_exists(lab->dir))
		keep_first(&first, mb_rm_rf(lab->dir));
	if (purge && mb_path_exists(lab->cache))
		keep_first(&first, mb_rm_rf(lab->cache));
	free(lab);
	return mb_err_restore(&first);
}

int lab_down(const struct lab_params *p, bool purge)
{
	int fd = -1, rc = lab_lock(p, "migbench lab down", &fd);
	if (rc)
		return rc;
	rc = down_locked(p, purge);
	lab_unlock(fd);
	return rc;
}

/* ---- up ------------------------------------------------------------------ */

/* The parts in order: namespaces, the guest network, links (the storage and sites need them),
 * storage, sites, the guest copy, and state.json last (a lab with
 * state.json is a complete one). */
static int build(struct lab *lab, const struct lab_params *p)
{
	int rc = mb_mkdir_p(lab->dir, 0700);
	for (int i = 0; i < 2 && !rc; i++)
		rc = ns_create(lab->site[i].ns);
	if (!rc)
		rc = ns_create(lab->sto.ns);
	if (!rc)
		rc = lab_gnet_up(lab);
	if (!rc)
		rc = lab_links_up(lab, p->link);
	if (!rc)
		rc = lab_storage_up(lab, p->fill);
	if (!rc)
		rc = lab_sites_up(lab);
	if (!rc)
		rc = lab_guest_copy(lab);
	if (!rc)
		rc = lab_state_save(lab);
	return rc;
}

/* Whether the lab state.json describes is up and healthy. */
static bool up_and_healthy(struct lab *lab, const struct lab_params *p)
{
	json_object *st = NULL;
	bool healthy = false;
	if (lab_load(lab, p) != MB_OK)
		return false;
	if (lab_status(lab, &st, &healthy) != MB_OK)
		healthy = false;
	json_object_put(st);
	if (!healthy)
		mb_info("lab '%s' is only partly up; rebuilding it", lab->name);
	else if (!lab_fits(lab, p))
		return false;
	return healthy;
}

static int up_locked(struct lab *lab, const struct lab_params *p, bool *existed)
{
	struct mb_error keep;
	int rc;
	if (up_and_healthy(lab, p)) {
		*existed = true;
		return MB_OK;
	}
	rc = down_locked(p, false);
	if (rc)
		return rc;
	lab_init(lab, p);
	lab->created = mb_real_s();
	rc = build(lab, p);
	if (!rc)
		return MB_OK;
	/* Leave nothing half-made; keep the first error's message. */
	mb_err_save(&keep, rc);
	if (down_locked(p, false) != MB_OK)
		mb_warn("cleaning up after the failed lab up: %s", mb_errmsg());
	return mb_err_ctx(mb_err_restore(&keep), "lab up");
}

int lab_up_locked(struct lab *lab, const struct lab_params *p, bool *existed)
{
	int rc = up_checks();
	*existed = false;
	return rc ? rc : up_locked(lab, p, existed);
}

int lab_up(struct lab *lab, const struct lab_params *p, bool *existed)
{
	int fd = -1, rc = up_checks();
	*existed = false;
	if (!rc)
		rc = lab_lock(p, "migbench lab up", &fd);
	if (rc)
		return rc;
	rc = up_locked(lab, p, existed);
	lab_unlock(fd);
	return rc;
}
