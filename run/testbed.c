/* testbed.c - open the lab or the real hosts for a run (see testbed.h). */
#define _GNU_SOURCE
#include "run/testbed.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "guest/image.h"
#include "migrate/domain.h"
#include "migrate/virt.h"
#include "profile/params.h"

/* "qemu+ssh://user@hostB/system" -> "user@hostB" (for ssh), "hostB" (name).
 * With a port or an [IPv6] address ssh gets the URI form it accepts,
 * "ssh://user@[fd00::2]:2222", and the name is "[fd00::2]".  The URI was
 * checked by profile/values.c, so every part fits. */
static void uri_host(const char *uri, char *userhost, size_t ulen, char *host, size_t hlen)
{
	const char *p = strstr(uri, "://"), *end, *at, *h, *hend, *rb;
	userhost[0] = host[0] = '\0';
	if (!p)
		return;
	p += 3;
	end = p + strcspn(p, "/?");
	at = memchr(p, '@', (size_t)(end - p));
	h = at ? at + 1 : p;
	rb = h < end && *h == '[' ? memchr(h, ']', (size_t)(end - h)) : NULL;
	hend = rb ? rb + 1 : h + strcspn(h, ":/?");
	if (hend > end)
		hend = end;
	if (rb || hend < end)
		snprintf(userhost, ulen, "ssh://%.*s", (int)(end - p), p);
	else
		snprintf(userhost, ulen, "%.*s", (int)(end - p), p);
	snprintf(host, hlen, "%.*s", (int)(hend - h), h); /* [v6] stays bracketed: tcp://[v6] */
}

/* With the lab's lock held (tb_open). */
static int open_lab(struct testbed *tb, const struct plan *pl)
{
	struct lab_params lp;
	bool existed = false;
	int rc;
	lab_params_from_config(&lp, &pl->run);
	rc = lab_load(&tb->lab, &lp);
	if (rc == MB_EUNSUPP) {
		mb_info("lab '%s' is not up: bringing it up ('migbench lab down' removes it)",
			pl->run.lab_name);
		rc = lab_up_locked(&tb->lab, &lp, &existed);
		tb->lab_started = !existed;
	} else if (rc == MB_OK) {
		json_object *st = NULL;
		bool healthy = false;
		if (lab_status(&tb->lab, &st, &healthy) == MB_OK && !healthy) {
			mb_info("lab '%s' is not healthy: rebuilding it", tb->lab.name);
			rc = lab_up_locked(&tb->lab, &lp, &existed);
		} else if (!lab_fits(&tb->lab, &lp)) {
			rc = lab_up_locked(&tb->lab, &lp, &existed);
		}
		json_object_put(st);
	}
	if (!rc)
		rc = lab_refresh_guest(&tb->lab);
	if (rc)
		return rc;
	for (int i = 0; i < 2; i++) {
		const struct lab_site *s = &tb->lab.site[i];
		struct tb_host *h = &tb->host[i];
		snprintf(h->name, sizeof(h->name), "%s", s->hostname);
		snprintf(h->uri, sizeof(h->uri), "%s", s->uri);
		snprintf(h->p2p_uri, sizeof(h->p2p_uri), "qemu+tcp://%s/system", s->addr);
		snprintf(h->addr, sizeof(h->addr), "%s", s->addr);
		snprintf(h->netns, sizeof(h->netns), "%s", s->netns);
		lab_host_exec(&tb->lab, i, &h->exec);
	}
	tb->target = tb->lab.sto.target;
	tb->link = lab_link_ops(&tb->lab);
	snprintf(tb->link_why, sizeof(tb->link_why), "%s", tb->lab.link_why);
	if (!tb->link)
		return mb_err(MB_EINTERNAL, "lab '%s' uses link backend '%s', which this build lacks",
			      tb->lab.name, tb->lab.link_backend);
	snprintf(tb->kernel, sizeof(tb->kernel), "%s", tb->lab.guest_kernel);
	snprintf(tb->initrd, sizeof(tb->initrd), "%s", tb->lab.guest_initrd);
	return MB_OK;
}

/* The value of URI parameter name ("keyfile" in "...?keyfile=/k&no_verify=1"),
 * %-decoded as libvirt decodes it; false if absent. */
static bool uri_param(const char *uri, const char *name, char *out, size_t len)
{
	const char *q = strchr(uri, '?');
	size_t nl = strlen(name);
	for (const char *p = q ? q + 1 : NULL; p && *p;) {
		size_t plen = strcspn(p, "&");
		if (plen > nl && !strncmp(p, name, nl) && p[nl] == '=') {
			size_t o = 0;
			for (const char *v = p + nl + 1; v < p + plen && o + 1 < len; v++) {
				if (*v == '%' && v + 2 < p + plen && isxdigit((unsigned char)v[1]) &&
				    isxdigit((unsigned char)v[2])) {
					char hex[3] = { v[1], v[2], '\0' };
					out[o++] = (char)strtol(hex, NULL, 16);
					v += 2;
				} else {
					out[o++] = *v == '+' ? ' ' : *v;
				}
			}
			out[o] = '\0';
			return true;
		}
		p += plen;
		if (*p == '&')
			p++;
	}
	return false;
}

/* How migbench runs commands on a host named by uri: over ssh with the
 * URI's ssh options (ssh, libssh, libssh2 transports), locally (no host in
 * the URI), or not at all (a remote host over tcp or tls). */
static void hosts_exec(struct tb_host *h, const char *uri, const char *userhost)
{
	char v[PATH_MAX];
	bool ssh = mb_str_starts(uri, "qemu+ssh://") || mb_str_starts(uri, "qemu+libssh://") ||
		   mb_str_starts(uri, "qemu+libssh2://");
	memset(&h->exec, 0, sizeof(h->exec));
	h->exec.name = h->name;
	if (ssh && userhost[0]) {
		h->exec.ssh = mb_xstrdup(userhost);
		if (uri_param(uri, "keyfile", h->ssh_key, sizeof(h->ssh_key)) && h->ssh_key[0])
			h->exec.ssh_key = h->ssh_key;
		if (uri_param(uri, "known_hosts", v, sizeof(v)) && v[0]) {
			snprintf(h->ssh_known_hosts_opt, sizeof(h->ssh_known_hosts_opt),
				 "UserKnownHostsFile=%s", v);
			h->exec.ssh_known_hosts_opt = h->ssh_known_hosts_opt;
		}
		h->exec.ssh_no_verify = uri_param(uri, "no_verify", v, sizeof(v)) && !strcmp(v, "1");
	} else if (!ssh && userhost[0]) {
		h->exec.noexec = "it is reached over a libvirt transport without a shell (use "
				 "qemu+ssh:// to let migbench run commands there)";
	}
}

static int open_hosts(struct testbed *tb, const struct plan *pl)
{
	const struct mb_config *c = &pl->run;
	const char *uris[2] = { c->hosts_source, c->hosts_dest };
	char userhost[MB_ADDR_MAX + 8], host[MB_HOST_MAX + 1];
	int rc;

	for (int i = 0; i < 2; i++) {
		struct tb_host *h = &tb->host[i];
		uri_host(uris[i], userhost, sizeof(userhost), host, sizeof(host));
		snprintf(h->name, sizeof(h->name), "%s", host[0] ? host : "localhost");
		snprintf(h->uri, sizeof(h->uri), "%s", uris[i]);
		snprintf(h->p2p_uri, sizeof(h->p2p_uri), "%s", uris[i]);
		hosts_exec(h, uris[i], userhost);
	}
	snprintf(tb->host[1].addr, sizeof(tb->host[1].addr), "%s", c->hosts_migrate_host);
	snprintf(tb->host[0].addr, sizeof(tb->host[0].addr), "%s", tb->host[0].name);
	rc = store_target_parse(c->hosts_iscsi_portal, c->hosts_iscsi_iqn, (int)c->hosts_iscsi_lun,
				&tb->target);
	if (rc)
		return rc;
	if (c->hosts_netem_dev[0]) {
		rc = tb_netem_dev(c->hosts_netem_dev, tb->real_dev, sizeof(tb->real_dev));
		if (rc)
			return rc;
		tb->real_link.name = "wan";
		tb->real_link.a.ifname = tb->real_dev;
		tb->real_link.statedir = NULL;
		rc = link_choose(LINKB_NETEM, &tb->link, tb->link_why, sizeof(tb->link_why));
		if (rc)
			return rc;
	} else {
		tb->link = NULL;
		snprintf(tb->link_why, sizeof(tb->link_why),
			 "no hosts.netem_dev: the link is used as it is");
	}
	return MB_OK;
}

int tb_netem_dev(const char *netem_dev, char *out, size_t len)
{
	char a[64] = "", b[64] = "";
	if (sscanf(netem_dev, "%63s %63s", a, b) < 1)
		return mb_err(MB_EINPUT, "hosts.netem_dev: no interface named");
	if (b[0])
		return mb_err(MB_EINPUT, "hosts.netem_dev '%s': shaping two local interfaces is "
					 "not supported yet; name one (it gets the whole RTT)",
			      netem_dev);
	snprintf(out, len, "%s", a);
	return MB_OK;
}

int tb_tcp_buffers(const struct testbed *tb, int i, struct link_tcp_buffers *out)
{
	const struct tb_host *h = &tb->host[i];
	const char *argv[STORE_SSH_ARGS + 16];
	char *text = NULL;
	size_t n;
	int status = 0, rc;

	if (tb->kind == TB_LAB)
		return link_get_tcp_buffers(h->netns, out);
	if (h->exec.noexec)
		return mb_err(MB_EUNSUPP, "cannot read the TCP buffer limits of %s: %s", h->name,
			      h->exec.noexec);
	/* Over ssh with the URI's own key and host-key settings (fixed words:
	 * ssh joins them into one remote shell line), or here for a local URI. */
	n = (size_t)store_ssh_argv(&h->exec, argv);
	for (int k = 0; link_tcp_sysctl_argv[k] && n + 1 < MB_ARRAY_SIZE(argv); k++)
		argv[n++] = link_tcp_sysctl_argv[k];
	argv[n] = NULL;
	rc = store_host_exec(&h->exec, argv, &text, &status);
	if (!rc && status != 0)
		rc = mb_err(MB_EFAILED, "sysctl on %s exited with %d: %.200s", h->name, status,
			    text ? text : "");
	if (!rc)
		rc = link_tcp_buffers_parse(text, out);
	free(text);
	return rc ? mb_err_ctx(rc, "TCP buffer limits of %s", h->name) : MB_OK;
}

/* Scenarios that need something this testbed cannot do fail before any runs. */
static int check_plan(const struct testbed *tb, const struct plan *pl)
{
	for (int i = 0; i < pl->n; i++) {
		const struct mb_config *c = &pl->sc[i].cfg;
		struct link_params lp;
		bool shaped;
		link_params_from_config(c, &lp);
		shaped = lp.delay_ns || lp.jitter_ns || lp.loss > 0 || lp.rate > 0 || lp.rate_ba > 0;
		if (shaped && !tb->link)
			return mb_err(MB_EUNSUPP,
				      "scenario %s sets the link (delay/jitter/loss/rate) but %s",
				      pl->sc[i].id, tb->link_why);
		if (tb->kind == TB_HOSTS && c->link_path != PATH_MIGRATION && shaped)
			return mb_err(MB_EUNSUPP,
				      "scenario %s: link_path=%s needs the lab (on real hosts only the "
				      "migration path can be shaped, through hosts.netem_dev)",
				      pl->sc[i].id, link_path_to_string(c->link_path));
		if (tb->kind == TB_HOSTS && shaped && lp.rate != lp.rate_ba)
			return mb_err(MB_EUNSUPP,
				      "scenario %s: rate_up and rate_down differ, but on real hosts one "
				      "interface (hosts.netem_dev) is shaped, which is one direction",
				      pl->sc[i].id);
		if (c->guest_mode == GUEST_PINGPONG && tb->kind == TB_HOSTS && !tb->host[0].addr[0])
			return mb_err(MB_EINPUT, "guest_mode=pingpong needs the source's address");
	}
	return MB_OK;
}

/* sha256sum of the guest image on host h (over ssh): the two digests. */
static int remote_sums(const struct host_exec *h, const char *kernel, const char *initrd,
		       char ksum[65], char isum[65])
{
	const char *argv[STORE_SSH_ARGS + 5];
	char *out = NULL;
	int st = 0, n = store_ssh_argv(h, argv), rc;
	argv[n++] = "sha256sum";
	argv[n++] = "--";
	argv[n++] = kernel;
	argv[n++] = initrd;
	argv[n] = NULL;
	rc = store_host_exec(h, argv, &out, &st);
	if (!rc && st != 0) {
		char line[256];
		mb_last_line(out ? out : "", line, sizeof(line));
		rc = mb_err(MB_EINPUT, "the guest image is not on %s at kernel=%s initrd=%s (%s)",
			    h->name, kernel, initrd, line);
	}
	ksum[0] = isum[0] = '\0';
	for (const char *p = out; !rc && p && *p; p += strcspn(p, "\n"), p += *p == '\n') {
		size_t hex = strspn(p, "0123456789abcdef");
		if (hex == 64 && p[64] == ' ')
			snprintf(ksum[0] ? isum : ksum, 65, "%.64s", p);
	}
	if (!rc && !isum[0])
		rc = mb_err(MB_EFAILED, "cannot read sha256sum's output from %s: '%s'", h->name, out);
	free(out);
	return rc;
}

/* The guest image on real hosts: kernel= and initrd= name it at the same
 * path on both hosts (migbench copies nothing there).  Checked where it
 * can be: on each ssh host (sha256sum, both must agree), and here when this
 * machine has the files too (the record's sha256 and kernel version). */
static int hosts_image(const struct testbed *tb, const char *kernel, const char *initrd,
		       struct guest_image *g)
{
	char ks[2][65] = { "", "" }, is[2][65] = { "", "" };
	bool checked = false;
	int rc;
	memset(g, 0, sizeof(*g));
	if (!kernel || !kernel[0] || !initrd || !initrd[0])
		return mb_err(MB_EINPUT, "real hosts need kernel= and initrd=: the guest image's paths "
					 "on both hosts (copy build/guest/vmlinuz and initrd.img there; "
					 "migbench copies nothing to the hosts)");
	for (const char *f = kernel; f; f = f == kernel ? initrd : NULL)
		if (f[0] != '/' || strspn(f, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					     "0123456789/._+-") != strlen(f) || strstr(f, "/-"))
			return mb_err(MB_EINPUT, "guest image path '%s': on real hosts an absolute path "
						 "of letters, digits and / . _ + - (it reaches the hosts' shell)",
				      f);
	for (int i = 0; i < 2; i++) {
		if (!tb->host[i].exec.ssh)
			continue;
		rc = remote_sums(&tb->host[i].exec, kernel, initrd, ks[i], is[i]);
		if (rc)
			return rc;
		checked = true;
	}
	if (ks[0][0] && ks[1][0] && (strcmp(ks[0], ks[1]) || strcmp(is[0], is[1])))
		return mb_err(MB_EINPUT, "the guest image at %s / %s differs between %s and %s", kernel,
			      initrd, tb->host[0].name, tb->host[1].name);
	if (mb_path_exists(kernel) && mb_path_exists(initrd)) {
		rc = guest_image_find(kernel, initrd, g);
		if (rc)
			return rc;
		for (int i = 0; i < 2; i++)
			if (ks[i][0] && (strcmp(ks[i], g->kernel_sha256) || strcmp(is[i], g->initrd_sha256)))
				mb_warn("the guest image on %s differs from this machine's copy at %s",
					tb->host[i].name, kernel);
		return MB_OK;
	}
	snprintf(g->kernel, sizeof(g->kernel), "%s", kernel);
	snprintf(g->initrd, sizeof(g->initrd), "%s", initrd);
	for (int i = 0; i < 2; i++)
		if (ks[i][0]) {
			snprintf(g->kernel_sha256, sizeof(g->kernel_sha256), "%s", ks[i]);
			snprintf(g->initrd_sha256, sizeof(g->initrd_sha256), "%s", is[i]);
		}
	if (!checked)
		mb_warn("the guest image %s is neither on this machine nor checkable on the hosts (no "
			"ssh): starting the guest will tell", kernel);
	return MB_OK;
}

int tb_open(struct testbed *tb, const struct plan *pl, const char *holder)
{
	int rc;
	memset(tb, 0, sizeof(*tb));
	tb->lockfd = -1;
	tb->kind = profile_real_hosts(pl->prof) ? TB_HOSTS : TB_LAB;
	rc = virt_init();
	if (rc)
		return rc;
	/* One run at a time per lab / per pair of hosts.  The lab's lock is the
	 * one `lab up/down` take, held from before the lab is touched, so
	 * `lab down` cannot pull the lab from under the run. */
	if (tb->kind == TB_LAB) {
		struct lab_params lp;
		lab_params_from_config(&lp, &pl->run);
		rc = lab_lock(&lp, holder, &tb->lockfd);
		if (!rc)
			rc = open_lab(tb, pl);
	} else {
		unsigned h = 5381;
		for (const char *s = pl->run.hosts_source; *s; s++)
			h = h * 33 + (unsigned char)*s;
		for (const char *s = pl->run.hosts_dest; *s; s++)
			h = h * 33 + (unsigned char)*s;
		snprintf(tb->lockpath, sizeof(tb->lockpath), "%s/hosts-%08x.lock", pl->run.lab_dir, h);
		rc = open_hosts(tb, pl);
		if (!rc && (rc = lab_lock_file(tb->lockpath, holder, &tb->lockfd)))
			rc = mb_err_ctx(rc, "another run drives this testbed");
	}
	if (rc)
		return rc;
	rc = check_plan(tb, pl);
	for (int i = 0; i < 2 && !rc; i++) {
		int n;
		rc = virt_open(tb->host[i].uri, &tb->host[i].conn);
		if (!rc)
			rc = dom_destroy_leftovers(tb->host[i].conn, tb->host[i].name, &n);
	}
	if (rc)
		return rc;
	/* The guest image: the lab's copy, unless the profile names one. */
	{
		struct guest_image g;
		struct mb_config c = pl->run;
		if (tb->kind == TB_LAB && !c.kernel[0] && tb->kernel[0]) {
			c.kernel = tb->kernel;
			c.initrd = tb->initrd;
		}
		rc = tb->kind == TB_HOSTS ? hosts_image(tb, c.kernel, c.initrd, &g)
					  : guest_image_find(c.kernel, c.initrd, &g);
		if (rc)
			return rc;
		snprintf(tb->kernel, sizeof(tb->kernel), "%s", g.kernel);
		snprintf(tb->initrd, sizeof(tb->initrd), "%s", g.initrd);
		tb->guest_image = guest_image_json(&g);
	}
	return MB_OK;
}

static void close_conns(struct testbed *tb)
{
	for (int i = 0; i < 2; i++) {
		if (tb->host[i].conn)
			virConnectClose(tb->host[i].conn);
		tb->host[i].conn = NULL;
	}
}

int tb_ensure(struct testbed *tb, const struct plan *pl)
{
	bool dead = false;
	int rc = MB_OK;
	for (int i = 0; i < 2; i++)
		dead |= !tb->host[i].conn || virConnectIsAlive(tb->host[i].conn) != 1;
	if (!dead)
		return MB_OK;
	close_conns(tb);
	if (tb->kind == TB_LAB) {
		json_object *st = NULL;
		bool healthy = false, existed;
		if (lab_status(&tb->lab, &st, &healthy) != MB_OK || !healthy) {
			struct lab_params lp;
			lab_params_from_config(&lp, &pl->run);
			mb_warn("lab '%s' is broken (a host stopped answering): rebuilding it",
				tb->lab.name);
			rc = lab_up_locked(&tb->lab, &lp, &existed);
		}
		json_object_put(st);
		if (rc)
			return mb_err_ctx(rc, "repairing the lab");
	}
	for (int i = 0; i < 2 && !rc; i++) {
		int n;
		rc = virt_open(tb->host[i].uri, &tb->host[i].conn);
		if (!rc)
			rc = dom_destroy_leftovers(tb->host[i].conn, tb->host[i].name, &n);
	}
	return rc;
}

void tb_note_attach(struct testbed *tb, const struct store_ops *mode)
{
	for (int i = 0; i < tb->nattached; i++)
		if (tb->attached[i] == mode)
			return;
	if (tb->nattached < (int)(sizeof(tb->attached) / sizeof(tb->attached[0])))
		tb->attached[tb->nattached++] = mode;
}

/* Every mode that attached, detached on both hosts (an open-iscsi session
 * would otherwise stay logged in on real hosts after the run). */
static int detach_all(struct testbed *tb)
{
	struct mb_error first = { 0 };
	for (int m = 0; m < tb->nattached; m++)
		for (int i = 0; i < 2; i++) {
			int rc = tb->attached[m]->detach(&tb->target, &tb->host[i].exec);
			if (rc) {
				mb_warn("detaching the storage (%s) on %s: %s", tb->attached[m]->name,
					tb->host[i].name, mb_errmsg());
				if (!first.rc)
					mb_err_save(&first, rc);
			}
		}
	tb->nattached = 0;
	return first.rc ? mb_err_restore(&first) : MB_OK;
}

int tb_close(struct testbed *tb)
{
	int rc = detach_all(tb);
	close_conns(tb);
	for (int i = 0; i < 2; i++)
		if (tb->kind == TB_HOSTS)
			free((char *)tb->host[i].exec.ssh);
	json_object_put(tb->guest_image);
	tb->guest_image = NULL;
	lab_unlock(tb->lockfd);
	tb->lockfd = -1;
	return rc;
}

void tb_links_for(const struct testbed *tb, int link_path, struct tb_links *out)
{
	out->n = 0;
	if (tb->kind == TB_HOSTS) {
		if (tb->link && link_path != PATH_STORAGE)
			out->spec[out->n++] = &tb->real_link;
		return;
	}
	out->n = lab_links_for(&tb->lab, link_path, out->spec);
}

void tb_target_links(const struct testbed *tb, int target_site, int src, struct tb_links *out)
{
	static const char *const sto[2] = { "sto-src", "sto-dst" }; /* site 0, site 1 */
	bool far[2] = { false, false };
	if (tb->kind != TB_LAB)
		return;
	far[!src] = target_site == TARGET_SOURCE || target_site == TARGET_REMOTE;
	far[src] = target_site == TARGET_DESTINATION || target_site == TARGET_REMOTE;
	for (int i = 0; i < 2; i++) {
		const struct link_spec *l = lab_link(&tb->lab, sto[i]);
		bool have = false;
		for (int k = 0; k < out->n; k++)
			have |= out->spec[k] == l;
		if (far[i] && l && !have && out->n < LAB_NLINKS)
			out->spec[out->n++] = l;
	}
}

const struct link_spec *tb_wan(const struct testbed *tb)
{
	return tb->kind == TB_HOSTS ? (tb->link ? &tb->real_link : NULL) : lab_link(&tb->lab, "wan");
}

json_object *tb_json(const struct testbed *tb)
{
	json_object *o = json_object_new_object(), *hosts = json_object_new_array();
	json_object_object_add(o, "kind", json_object_new_string(tb->kind == TB_LAB ? "lab" : "hosts"));
	if (tb->kind == TB_LAB) {
		json_object_object_add(o, "lab", json_object_new_string(tb->lab.name));
		json_object_object_add(o, "lab_dir", json_object_new_string(tb->lab.dir));
	}
	for (int i = 0; i < 2; i++) {
		const struct tb_host *h = &tb->host[i];
		json_object *j = json_object_new_object();
		char hv[64] = "", lib[32] = "", *hn = NULL;
		virNodeInfo ni;
		json_object_object_add(j, "role", json_object_new_string(i ? "destination" : "source"));
		json_object_object_add(j, "name", json_object_new_string(h->name));
		json_object_object_add(j, "uri", json_object_new_string(h->uri));
		json_object_object_add(j, "migration_address", json_object_new_string(h->addr));
		if (h->conn) {
			virt_versions(h->conn, hv, sizeof(hv), lib, sizeof(lib));
			hn = virConnectGetHostname(h->conn);
			json_object_object_add(j, "hostname", json_object_new_string(hn ? hn : ""));
			json_object_object_add(j, "hypervisor", json_object_new_string(hv));
			json_object_object_add(j, "libvirt", json_object_new_string(lib));
			if (virNodeGetInfo(h->conn, &ni) == 0) {
				json_object_object_add(j, "cpus", json_object_new_int((int)ni.cpus));
				json_object_object_add(j, "cpu_model", json_object_new_string(ni.model));
				json_object_object_add(j, "memory_bytes",
						       json_object_new_int64((int64_t)ni.memory * 1024));
			}
			free(hn);
		}
		json_object_array_add(hosts, j);
	}
	json_object_object_add(o, "hosts", hosts);
	{
		json_object *s = json_object_new_object();
		json_object_object_add(s, "portal", json_object_new_string(tb->target.host));
		json_object_object_add(s, "port", json_object_new_int(tb->target.port));
		json_object_object_add(s, "iqn", json_object_new_string(tb->target.iqn));
		json_object_object_add(s, "lun", json_object_new_int(tb->target.lun));
		json_object_object_add(o, "storage_target", s);
	}
	json_object_object_add(o, "link_backend", json_object_new_string(tb->link ? tb->link->name : "none"));
	json_object_object_add(o, "link_why", json_object_new_string(tb->link_why));
	json_object_object_add(o, "link_semantics",
			       json_object_new_string("delay is the round-trip time: each direction's egress gets "
						      "delay/2 (one-ended real-host links: the whole delay on "
						      "the named interface's egress)"));
	json_object_object_add(o, "guest_image", json_object_get(tb->guest_image));
	return o;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int tb_probe_hosts(const struct testbed *tb, int rtt_count, struct probe_result *r, char *why,
		   size_t len)
{
	const struct host_exec *h = &tb->host[0].exec;
	const char *argv[STORE_SSH_ARGS + 12];
	char dst[256], count[16], *out = NULL;
	const char *a = tb->host[1].addr;
	double *rtt;
	int n = 0, st = 0, k, rc;

	memset(r, 0, sizeof(*r));
	r->tcp_bytes_per_s = r->tcp_steady_bytes_per_s = r->tcp_seconds = NAN;
	if (!h->ssh) {
		snprintf(why, len, "on real hosts the probe pings from the source over ssh, and %s %s",
			 h->name, h->noexec ? h->noexec : "is this machine: no ssh");
		return MB_EUNSUPP;
	}
	/* migrate_host is ADDR[:PORT] with IPv6 in brackets: ping wants ADDR. */
	if (a[0] == '[')
		snprintf(dst, sizeof(dst), "%.*s", (int)strcspn(a + 1, "]"), a + 1);
	else
		snprintf(dst, sizeof(dst), "%.*s", (int)strcspn(a, ":"), a);
	if (!dst[0] || !mb_valid_host(dst)) {
		snprintf(why, len, "no address of the destination on the link (hosts.migrate_host)");
		return MB_EUNSUPP;
	}
	snprintf(count, sizeof(count), "%d", rtt_count > 0 ? rtt_count : 40);
	k = store_ssh_argv(h, argv);
	argv[k++] = "ping";
	argv[k++] = "-n";
	argv[k++] = "-c";
	argv[k++] = count;
	argv[k++] = "-i";
	argv[k++] = "0.05";
	argv[k++] = "-W";
	argv[k++] = "2";
	argv[k++] = dst;
	argv[k] = NULL;
	rc = store_host_exec(h, argv, &out, &st);
	if (rc) {
		snprintf(why, len, "%s", mb_errmsg());
		return rc;
	}
	rtt = mb_xcalloc((size_t)atoi(count) + 1, sizeof(*rtt));
	/* "64 bytes from 198.18.0.2: icmp_seq=1 ttl=64 time=0.045 ms" */
	for (const char *p = strstr(out, "time="); p && n < atoi(count); p = strstr(p + 5, "time="))
		rtt[n++] = strtod(p + 5, NULL) / 1e3;
	if (n == 0) {
		char line[200];
		mb_last_line(out, line, sizeof(line));
		snprintf(why, len, "ping from %s to %s got no reply (exit %d): %s", h->name, dst, st, line);
		free(out);
		free(rtt);
		return MB_EFAILED;
	}
	qsort(rtt, (size_t)n, sizeof(*rtt), cmp_double);
	r->rtt_n = n;
	r->rtt_min_s = rtt[0];
	r->rtt_max_s = rtt[n - 1];
	r->rtt_p50_s = rtt[n / 2];
	r->rtt_p99_s = rtt[(int)ceil(0.99 * n) - 1];
	for (int i = 0; i < n; i++)
		r->rtt_avg_s += rtt[i] / n;
	snprintf(why, len, "RTT by ping from %s to %s over ssh; TCP throughput not measured on real "
			   "hosts (it needs a program of migbench's on both hosts)", h->name, dst);
	free(out);
	free(rtt);
	return MB_OK;
}
