/* template.c - fresh guests from one saved state (see template.h). */
#define _GNU_SOURCE
#include "run/template.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "migrate/domain.h"
#include "migrate/virt.h"
#include "workloads/cmdline.h"

/* A restore reads the saved memory back: allow for a slow disk. */
#define RESTORE_TIMEOUT_NS (60 * MB_NSEC_PER_SEC)

bool guest_same(const struct mb_config *a, const struct mb_config *b)
{
	char ca[2048], cb[2048];
	if (wl_guest_cmdline(a, ca, sizeof(ca)) || wl_guest_cmdline(b, cb, sizeof(cb)))
		return false;
	return !strcmp(ca, cb) && a->memory == b->memory && a->vcpus == b->vcpus &&
	       a->virt_type == b->virt_type && a->storage == b->storage &&
	       !strcmp(a->kernel, b->kernel) && !strcmp(a->initrd, b->initrd);
}

bool tmpl_usable(const struct testbed *tb, char *why, size_t len)
{
	/* The saved state must be a file the source host's libvirtd can write
	 * and read: the lab's directory is one; on real hosts it would be a
	 * path on that host, which migbench does not manage. */
	if (tb->kind == TB_LAB)
		return true;
	snprintf(why, len, "guest_start = restore needs the lab (on real hosts every scenario boots)");
	return false;
}

bool tmpl_matches(const struct guest_tmpl *t, const struct mb_config *c)
{
	return t->saved && guest_same(&t->cfg, c);
}

struct guest_tmpl *tmpls_find(struct guest_tmpls *l, const struct mb_config *c)
{
	for (int i = 0; i < TMPL_MAX; i++)
		if (tmpl_matches(&l->t[i], c))
			return &l->t[i];
	return NULL;
}

struct guest_tmpl *tmpls_slot(struct guest_tmpls *l)
{
	struct guest_tmpl *t;
	for (int i = 0; i < TMPL_MAX; i++)
		if (!l->t[i].saved)
			return &l->t[i];
	t = &l->t[l->next];
	l->next = (l->next + 1) % TMPL_MAX;
	tmpl_free(t);
	return t;
}

void tmpls_free(struct guest_tmpls *l)
{
	for (int i = 0; i < TMPL_MAX; i++)
		tmpl_free(&l->t[i]);
	l->next = 0;
}

void tmpl_free(struct guest_tmpl *t)
{
	if (t->saved && unlink(t->path) < 0)
		mb_warn("removing the saved guest %s: %s", t->path, strerror(errno));
	memset(t, 0, sizeof(*t));
}

int tmpl_save(struct guest_tmpl *t, struct testbed *tb, struct live_guest *g, const char *dir,
	      const char *scenario_id)
{
	int64_t t0 = mb_mono_ns();
	int rc;
	tmpl_free(t);
	snprintf(t->path, sizeof(t->path), "%s/%s.save", dir, g->name);
	rc = mb_mkdir_p(dir, 0700);
	if (rc)
		return rc;
	console_close(&g->con);
	/* Past the page cache (O_DIRECT): written back later, the image would
	 * slow the next scenarios' probes and windows on a small machine. */
	if (virDomainSaveFlags(g->dom, t->path, NULL, VIR_DOMAIN_SAVE_RUNNING | VIR_DOMAIN_SAVE_BYPASS_CACHE) < 0)
		return virt_err(MB_EFAILED, tb->host[g->site].name, "saving the booted guest");
	t->saved = true;
	t->save_s = (double)(mb_mono_ns() - t0) / 1e9;
	t->cfg = g->cfg;
	t->boot_s = g->boot_s;
	t->store = g->store;
	snprintf(t->store_why, sizeof(t->store_why), "%s", g->store_why);
	snprintf(t->name, sizeof(t->name), "%s", g->name);
	snprintf(t->resident, sizeof(t->resident), "%s", g->con.resident);
	snprintf(t->wl, sizeof(t->wl), "%s", g->con.wl);
	snprintf(t->unit, sizeof(t->unit), "%s", g->con.unit);
	snprintf(t->pin, sizeof(t->pin), "%s", g->pin);
	snprintf(t->from, sizeof(t->from), "%s", scenario_id);
	virDomainFree(g->dom);
	g->dom = NULL;
	console_free(&g->con);
	g->alive = false;
	return MB_OK;
}

int tmpl_restore(const struct guest_tmpl *t, struct testbed *tb, struct live_guest *g, FILE *raw,
		 double *restore_s)
{
	const struct tb_host *h = &tb->host[0];
	int64_t t0;
	int rc;
	memset(g, 0, sizeof(*g));
	g->cfg = t->cfg;
	g->store = t->store;
	snprintf(g->store_why, sizeof(g->store_why), "%s", t->store_why);
	snprintf(g->name, sizeof(g->name), "%s", t->name);
	snprintf(g->pin, sizeof(g->pin), "%s", t->pin);
	console_init(&g->con, raw);
	t0 = mb_mono_ns();
	if (virDomainRestoreFlags(h->conn, t->path, NULL, VIR_DOMAIN_SAVE_RUNNING) < 0) {
		console_free(&g->con);
		return virt_err(MB_EFAILED, h->name, "restoring the saved guest");
	}
	g->alive = true; /* from here guest_destroy cleans up */
	g->site = 0;
	g->booted_ns = t0;
	g->boot_s = t->boot_s;
	g->dom = virDomainLookupByName(h->conn, t->name);
	if (!g->dom)
		return virt_err(MB_EFAILED, h->name, "finding the restored guest");
	/* What the guest said at boot, which it does not say again. */
	snprintf(g->con.resident, sizeof(g->con.resident), "%s", t->resident);
	rc = console_open(&g->con, h->conn, g->dom, 0, h->name);
	if (!rc && console_wait_samples(&g->con, 1, RESTORE_TIMEOUT_NS) != MB_OK)
		rc = mb_err(MB_EFAILED, "the restored guest sent no sample within %d s on %s",
			    (int)(RESTORE_TIMEOUT_NS / MB_NSEC_PER_SEC), h->name);
	if (!rc)
		*restore_s = (double)(g->con.last_rx_ns - t0) / 1e9;
	return rc;
}
