/* lab.c - bring the lab up, check it, take it down (see lab.h for the
 * picture).  Everything the lab makes is named after the lab and recorded
 * in state.json; `down` also finds what a crashed `up` left by those names. */
#define _GNU_SOURCE
#include "lab/lab.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "core/exec.h"
#include "core/log.h"
#include "core/util.h"
#include "guest/image.h"
#include "lab/ns.h"
#include "migrate/virt.h"

#define PORTAL_ADDR "198.18.3.1"
#define ISCSI_PORT 3260

static const char *const link_names[LAB_NLINKS] = { "wan", "sto-src", "sto-dst" };

void lab_init(struct lab *lab, const struct mb_config *cfg)
{
	static const char *const roles[2] = { "src", "dst" };
	static const char *const addrs[2] = { "198.18.0.1", "198.18.0.2" };
	char iqn[64];

	memset(lab, 0, sizeof(*lab));
	snprintf(lab->name, sizeof(lab->name), "%s", cfg->lab_name);
	snprintf(lab->dir, sizeof(lab->dir), "%s/%s", cfg->lab_dir, lab->name);
	snprintf(lab->cache, sizeof(lab->cache), "%s/cache", cfg->lab_dir);
	for (int i = 0; i < 2; i++) {
		struct lab_site *s = &lab->site[i];
		snprintf(s->role, sizeof(s->role), "%s", roles[i]);
		snprintf(s->hostname, sizeof(s->hostname), "%s-%s", lab->name, roles[i]);
		snprintf(s->ns, sizeof(s->ns), "migbench-%s-%s", lab->name, roles[i]);
		ns_path(s->ns, s->netns, sizeof(s->netns));
		snprintf(s->root, sizeof(s->root), "%s/%s", lab->dir, roles[i]);
		snprintf(s->uri, sizeof(s->uri), "qemu+unix:///system?socket=%s/run/libvirt-sock",
			 s->root);
		snprintf(s->addr, sizeof(s->addr), "%s", addrs[i]);
	}
	snprintf(lab->sto.ns, sizeof(lab->sto.ns), "migbench-%s-sto", lab->name);
	ns_path(lab->sto.ns, lab->sto.netns, sizeof(lab->sto.netns));
	snprintf(lab->sto.root, sizeof(lab->sto.root), "%s/sto", lab->dir);
	snprintf(lab->sto.backing, sizeof(lab->sto.backing), "%s/sto/lun1.img", lab->dir);
	lab->sto.size = cfg->lab_lun_size;
	snprintf(lab->sto.portal, sizeof(lab->sto.portal), "%s", PORTAL_ADDR);
	snprintf(iqn, sizeof(iqn), "iqn.2026-11.org.migbench:%s", lab->name);
	for (char *c = iqn; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	snprintf(lab->sto.target.host, sizeof(lab->sto.target.host), "%s", PORTAL_ADDR);
	lab->sto.target.port = ISCSI_PORT;
	snprintf(lab->sto.target.iqn, sizeof(lab->sto.target.iqn), "%s", iqn);
	lab->sto.target.lun = 1;

	for (int i = 0; i < LAB_NLINKS; i++) {
		struct link_spec *l = &lab->links[i];
		snprintf(lab->ls_names[i], sizeof(lab->ls_names[i]), "%s", link_names[i]);
		snprintf(lab->ls_dirs[i], sizeof(lab->ls_dirs[i]), "%s/links/%s", lab->dir,
			 link_names[i]);
		l->name = lab->ls_names[i];
		l->statedir = lab->ls_dirs[i];
	}
	lab->links[0].a = (struct link_end){ lab->site[0].netns, "wan0", "198.18.0.1" };
	lab->links[0].b = (struct link_end){ lab->site[1].netns, "wan0", "198.18.0.2" };
	lab->links[1].a = (struct link_end){ lab->site[0].netns, "sto0", "198.18.1.1" };
	lab->links[1].b = (struct link_end){ lab->sto.netns, "src0", "198.18.1.2" };
	lab->links[2].a = (struct link_end){ lab->site[1].netns, "sto0", "198.18.2.1" };
	lab->links[2].b = (struct link_end){ lab->sto.netns, "dst0", "198.18.2.2" };
	snprintf(lab->guest_kernel, sizeof(lab->guest_kernel), "%s/guest/vmlinuz", lab->dir);
	snprintf(lab->guest_initrd, sizeof(lab->guest_initrd), "%s/guest/initrd.img", lab->dir);
}

const struct link_spec *lab_link(const struct lab *lab, const char *name)
{
	for (int i = 0; i < LAB_NLINKS; i++)
		if (!strcmp(lab->links[i].name, name))
			return &lab->links[i];
	return NULL;
}

int lab_links_for(const struct lab *lab, int link_path, const struct link_spec **out)
{
	int n = 0;
	if (link_path == PATH_MIGRATION || link_path == PATH_BOTH)
		out[n++] = lab_link(lab, "wan");
	if (link_path == PATH_STORAGE || link_path == PATH_BOTH) {
		out[n++] = lab_link(lab, "sto-src");
		out[n++] = lab_link(lab, "sto-dst");
	}
	return n;
}

const struct link_ops *lab_link_ops(const struct lab *lab)
{
	for (const struct link_ops *const *o = link_backends; *o; o++)
		if (!strcmp((*o)->name, lab->link_backend))
			return *o;
	return NULL;
}

void lab_host_exec(const struct lab *lab, int role, struct host_exec *h)
{
	const struct lab_site *s = &lab->site[role];
	h->name = s->hostname;
	h->netns = s->netns;
	h->mntns = s->mntns;
	h->ssh = NULL;
}

int lab_lock(const char *path, const char *holder, int *fd)
{
	int f;
	char cur[512] = "";
	char *dir = mb_xstrdup(path), *slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		if (mb_mkdir_p(dir, 0755)) {
			free(dir);
			return MB_EINTERNAL;
		}
	}
	free(dir);
	f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (f < 0)
		return mb_err_errno(MB_EINTERNAL, "cannot open lock %s", path);
	if (flock(f, LOCK_EX | LOCK_NB) < 0) {
		ssize_t n = pread(f, cur, sizeof(cur) - 1, 0);
		cur[n > 0 ? n : 0] = '\0';
		cur[strcspn(cur, "\n")] = '\0';
		close(f);
		return mb_err(MB_EUNSUPP, "%s is held by %s", path, cur[0] ? cur : "another process");
	}
	if (ftruncate(f, 0) == 0) {
		char *s = mb_xasprintf("pid %d: %s\n", (int)getpid(), holder);
		if (pwrite(f, s, strlen(s), 0) < 0)
			mb_debug("cannot describe the lock holder in %s", path);
		free(s);
	}
	*fd = f;
	return MB_OK;
}

void lab_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* ---- state.json ---------------------------------------------------------- */

static json_object *jstr(const char *s)
{
	return json_object_new_string(s ? s : "");
}

/* What state.json and status both say of a site. */
static json_object *site_json(const struct lab_site *s)
{
	json_object *j = json_object_new_object();
	json_object_object_add(j, "role", jstr(s->role));
	json_object_object_add(j, "hostname", jstr(s->hostname));
	json_object_object_add(j, "netns", jstr(s->netns));
	json_object_object_add(j, "uri", jstr(s->uri));
	json_object_object_add(j, "addr", jstr(s->addr));
	json_object_object_add(j, "libvirtd_pid", json_object_new_int(s->pid));
	return j;
}

static int save_state(const struct lab *lab)
{
	json_object *o = json_object_new_object(), *sites = json_object_new_array();
	json_object *sto = json_object_new_object(), *links = json_object_new_array(), *g;
	char *path = mb_xasprintf("%s/state.json", lab->dir);
	const char *txt;
	int rc;

	json_object_object_add(o, "schema_version", json_object_new_int(LAB_SCHEMA_VERSION));
	json_object_object_add(o, "name", jstr(lab->name));
	json_object_object_add(o, "dir", jstr(lab->dir));
	json_object_object_add(o, "created_epoch_s", json_object_new_double(lab->created));
	for (int i = 0; i < 2; i++) {
		json_object *j = site_json(&lab->site[i]);
		json_object_object_add(j, "uuid", jstr(lab->site[i].uuid));
		json_object_array_add(sites, j);
	}
	json_object_object_add(o, "sites", sites);
	json_object_object_add(sto, "netns", jstr(lab->sto.netns));
	json_object_object_add(sto, "portal", jstr(lab->sto.portal));
	json_object_object_add(sto, "port", json_object_new_int(lab->sto.target.port));
	json_object_object_add(sto, "iqn", jstr(lab->sto.target.iqn));
	json_object_object_add(sto, "lun", json_object_new_int(lab->sto.target.lun));
	json_object_object_add(sto, "backing", jstr(lab->sto.backing));
	json_object_object_add(sto, "size_bytes", json_object_new_int64((int64_t)lab->sto.size));
	json_object_object_add(sto, "tgtd_pid", json_object_new_int(lab->sto.pid));
	json_object_object_add(o, "storage", sto);
	json_object_object_add(o, "link_backend", jstr(lab->link_backend));
	json_object_object_add(o, "link_why", jstr(lab->link_why));
	for (int i = 0; i < LAB_NLINKS; i++)
		json_object_array_add(links, jstr(lab->links[i].name));
	json_object_object_add(o, "links", links);
	g = json_object_new_object();
	json_object_object_add(g, "kernel", jstr(lab->guest_kernel));
	json_object_object_add(g, "initrd", jstr(lab->guest_initrd));
	json_object_object_add(o, "guest", g);
	txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = mb_write_file_atomic(path, txt, strlen(txt));
	json_object_put(o);
	free(path);
	return rc;
}

static const char *jget_str(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "";
}

static int jget_int(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) ? json_object_get_int(v) : 0;
}

int lab_load(struct lab *lab, const struct mb_config *cfg)
{
	char *path;
	json_object *o, *sites, *sto;
	lab_init(lab, cfg);
	path = mb_xasprintf("%s/state.json", lab->dir);
	if (!mb_path_exists(path)) {
		free(path);
		return mb_err(MB_EUNSUPP, "lab '%s' is not up (no %s/state.json): run 'migbench lab up'",
			      lab->name, lab->dir);
	}
	o = json_object_from_file(path);
	if (!o) {
		int rc = mb_err(MB_EINTERNAL, "%s: cannot parse (%s); 'migbench lab down' clears it",
				path, json_util_get_last_err());
		free(path);
		return rc;
	}
	free(path);
	if (json_object_object_get_ex(o, "sites", &sites)) {
		for (size_t i = 0; i < 2 && i < json_object_array_length(sites); i++) {
			json_object *s = json_object_array_get_idx(sites, i);
			snprintf(lab->site[i].uuid, sizeof(lab->site[i].uuid), "%s", jget_str(s, "uuid"));
			lab->site[i].pid = jget_int(s, "libvirtd_pid");
			snprintf(lab->site[i].mntns, sizeof(lab->site[i].mntns), "/proc/%d/ns/mnt",
				 (int)lab->site[i].pid);
		}
	}
	if (json_object_object_get_ex(o, "storage", &sto)) {
		json_object *v;
		lab->sto.pid = jget_int(sto, "tgtd_pid");
		snprintf(lab->sto.mntns, sizeof(lab->sto.mntns), "/proc/%d/ns/mnt", (int)lab->sto.pid);
		if (json_object_object_get_ex(sto, "size_bytes", &v))
			lab->sto.size = (uint64_t)json_object_get_int64(v);
	}
	{
		json_object *g;
		if (json_object_object_get_ex(o, "guest", &g)) {
			snprintf(lab->guest_kernel, sizeof(lab->guest_kernel), "%s", jget_str(g, "kernel"));
			snprintf(lab->guest_initrd, sizeof(lab->guest_initrd), "%s", jget_str(g, "initrd"));
		}
	}
	snprintf(lab->link_backend, sizeof(lab->link_backend), "%s", jget_str(o, "link_backend"));
	snprintf(lab->link_why, sizeof(lab->link_why), "%s", jget_str(o, "link_why"));
	{
		json_object *v;
		if (json_object_object_get_ex(o, "created_epoch_s", &v))
			lab->created = json_object_get_double(v);
	}
	json_object_put(o);
	return MB_OK;
}

/* ---- pieces of `up` ------------------------------------------------------ */

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

/* Write text (and free it) as <root>/etc/<name>. */
static int write_conf(const struct lab_site *s, const char *name, char *text)
{
	char *p = mb_xasprintf("%s/etc/%s", s->root, name);
	int rc = mb_write_file_atomic(p, text, strlen(text));
	free(p);
	free(text);
	return rc;
}

static void make_uuid(char *out, size_t len)
{
	unsigned char b[16];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, b, sizeof(b)) != (ssize_t)sizeof(b)) {
		uint64_t x = (uint64_t)mb_mono_ns() ^ (uint64_t)getpid();
		for (int i = 0; i < 16; i++)
			b[i] = (unsigned char)(x >> (i % 8 * 8)) ^ (unsigned char)i;
	}
	if (fd >= 0)
		close(fd);
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, len,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
		 b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
		 b[15]);
}

static int site_config(struct lab_site *s, const char *cache)
{
	static const char *const sub[] = { "etc", "run", "lib", "log", NULL };
	char *p, *text;
	int rc = MB_OK;
	for (int i = 0; sub[i] && !rc; i++) {
		p = mb_xasprintf("%s/%s", s->root, sub[i]);
		rc = mb_mkdir_p(p, 0700);
		free(p);
	}
	if (!rc)
		rc = mb_mkdir_p(cache, 0700);
	if (rc)
		return rc;
	make_uuid(s->uuid, sizeof(s->uuid));
	/* TCP only on the site's lab address, no auth (nothing else can reach
	 * it); unix sockets for root only. */
	text = mb_xasprintf("# written by migbench lab up\n"
			    "listen_tls = 0\nlisten_tcp = 1\nlisten_addr = \"%s\"\n"
			    "auth_tcp = \"none\"\n"
			    "unix_sock_group = \"root\"\nunix_sock_ro_perms = \"0700\"\n"
			    "unix_sock_rw_perms = \"0700\"\nunix_sock_admin_perms = \"0700\"\n"
			    "host_uuid = \"%s\"\n"
			    "log_outputs = \"3:file:/var/log/libvirt/libvirtd.log\"\n",
			    s->addr, s->uuid);
	rc = write_conf(s, "libvirtd.conf", text);
	if (rc)
		return rc;
	/* No cgroups (this machine's layout breaks domain start), no security
	 * driver, QEMU as root, stdio to a file (no virtlogd), migration on the
	 * lab address. */
	text = mb_xasprintf("# written by migbench lab up\n"
			    "user = \"root\"\ngroup = \"root\"\ndynamic_ownership = 0\n"
			    "remember_owner = 0\nsecurity_driver = \"none\"\n"
			    "cgroup_controllers = [ ]\nstdio_handler = \"file\"\n"
			    "migration_address = \"%s\"\nmigration_host = \"%s\"\n",
			    s->addr, s->addr);
	return write_conf(s, "qemu.conf", text);
}

static int site_start(struct lab_site *s, const char *cache)
{
	char *etc = mb_xasprintf("%s/etc", s->root), *run = mb_xasprintf("%s/run", s->root);
	char *lib = mb_xasprintf("%s/lib", s->root), *log = mb_xasprintf("%s/log", s->root);
	char *out = mb_xasprintf("%s/libvirtd.out", s->root);
	const char *binds[] = { etc, "/etc/libvirt", run, "/run/libvirt", lib, "/var/lib/libvirt",
				log, "/var/log/libvirt", cache, "/var/cache/libvirt", NULL };
	const char *argv[] = { "libvirtd", "--listen", "--pid-file", "/run/libvirt/libvirtd.pid", NULL };
	struct ns_spawn sp = { .netns = s->netns, .hostname = s->hostname, .binds = binds,
			       .argv = argv, .log = out };
	int rc = ns_spawn(&sp, &s->pid);
	if (!rc)
		snprintf(s->mntns, sizeof(s->mntns), "/proc/%d/ns/mnt", (int)s->pid);
	free(etc);
	free(run);
	free(lib);
	free(log);
	free(out);
	return rc;
}

/* Wait until libvirtd answers and has probed QEMU (the first probe of a
 * machine takes seconds; its result is cached in lab->cache). */
struct site_wait {
	struct lab_site *s;
	int rc;
	char err[512];
};

/* The last error-looking line of a log, for messages (the log itself goes
 * when a failed `up` cleans up). */
static void log_tail(const char *path, char *out, size_t len)
{
	char *buf = NULL, *best = NULL;
	size_t n;
	out[0] = '\0';
	if (mb_read_file(path, &buf, &n) != MB_OK)
		return;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (strstr(line, "error") || !best)
			best = line;
	if (best)
		snprintf(out, len, "%s", best);
	free(buf);
}

static void *site_wait_fn(void *arg)
{
	struct site_wait *w = arg;
	int64_t deadline = mb_mono_ns() + 60 * MB_NSEC_PER_SEC;
	virConnectPtr c = NULL;
	char *sock = mb_xasprintf("%s/run/libvirt-sock", w->s->root);
	while (mb_mono_ns() < deadline) {
		if (!ns_pid_alive(w->s->pid)) {
			char *log = mb_xasprintf("%s/log/libvirtd.log", w->s->root), line[400];
			char *out = mb_xasprintf("%s/libvirtd.out", w->s->root);
			log_tail(log, line, sizeof(line));
			if (!line[0])
				log_tail(out, line, sizeof(line));
			w->rc = mb_err(MB_EINTERNAL, "libvirtd of site %s exited at start: %s",
				       w->s->hostname, line[0] ? line : "(no log)");
			free(log);
			free(out);
			break;
		}
		if (mb_path_exists(sock) && virt_open(w->s->uri, &c) == MB_OK)
			break;
		mb_sleep_ns(20 * 1000000);
	}
	free(sock);
	if (!c && !w->rc)
		w->rc = mb_err(MB_EINTERNAL, "libvirtd of site %s did not answer within 60 s", w->s->hostname);
	if (c) {
		char *caps = virConnectGetDomainCapabilities(c, "/usr/bin/qemu-system-x86_64", "x86_64",
							     NULL, "qemu", 0);
		if (!caps)
			w->rc = virt_err(MB_EINTERNAL, w->s->hostname, "probing QEMU");
		free(caps);
		virConnectClose(c);
	}
	if (w->rc)
		snprintf(w->err, sizeof(w->err), "%s", mb_errmsg());
	return NULL;
}

static int sites_up(struct lab *lab)
{
	struct site_wait w[2] = { { &lab->site[0], 0, "" }, { &lab->site[1], 0, "" } };
	pthread_t t[2];
	int rc = virt_init();
	if (rc)
		return rc;
	for (int i = 0; i < 2; i++) {
		rc = site_config(&lab->site[i], lab->cache);
		if (!rc)
			rc = site_start(&lab->site[i], lab->cache);
		if (rc)
			return rc;
	}
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, site_wait_fn, &w[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 2; i++)
		if (w[i].rc)
			return mb_err(w[i].rc, "%s", w[i].err);
	return MB_OK;
}

/* The LUN's backing file, filled with a pattern so reads return real data
 * (not the zeros of a sparse file, which tgtd would serve without I/O). */
static int make_lun(const struct lab *lab, bool fill)
{
	int fd = open(lab->sto.backing, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int rc = MB_OK;
	if (fd < 0)
		return mb_err_errno(MB_EINTERNAL, "cannot create %s", lab->sto.backing);
	if (ftruncate(fd, (off_t)lab->sto.size) < 0) {
		rc = mb_err_errno(MB_EINTERNAL, "cannot size %s", lab->sto.backing);
	} else if (fill) {
		size_t chunk = 4 << 20;
		uint64_t *buf = mb_xmalloc(chunk), x = 0x9e3779b97f4a7c15ULL;
		for (uint64_t off = 0; off < lab->sto.size && !rc; off += chunk) {
			size_t n = lab->sto.size - off < chunk ? (size_t)(lab->sto.size - off) : chunk;
			for (size_t i = 0; i < chunk / 8; i++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				buf[i] = x;
			}
			if (pwrite(fd, buf, n, (off_t)off) != (ssize_t)n)
				rc = mb_err_errno(MB_EINTERNAL, "cannot fill %s", lab->sto.backing);
		}
		free(buf);
	}
	close(fd);
	return rc;
}

static int tgtadm(const struct lab *lab, const char *const *args)
{
	const char *argv[32] = { "tgtadm", "--lld", "iscsi" };
	int n = 3;
	struct mb_exec_opts o = { .mntns = lab->sto.mntns, .timeout_ms = 15000 };
	for (int i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return mb_exec_ok(argv, &o);
}

static int storage_up(struct lab *lab, const struct mb_config *cfg)
{
	char *run = mb_xasprintf("%s/run", lab->sto.root), *sock = NULL;
	char *log = mb_xasprintf("%s/tgtd.log", lab->sto.root);
	char *portal = mb_xasprintf("portal=%s:%d", lab->sto.portal, lab->sto.target.port);
	char host[40];
	const char *binds[] = { run, "/run/tgtd", NULL };
	const char *argv[] = { "tgtd", "-f", "--iscsi", portal, NULL };
	const char *lo[] = { "ip", "-n", lab->sto.ns, "addr", "replace", PORTAL_ADDR "/32", "dev",
			     "lo", NULL };
	struct ns_spawn sp = { .netns = lab->sto.netns, .hostname = host, .binds = binds,
			       .argv = argv, .log = log };
	int64_t deadline;
	int rc;

	snprintf(host, sizeof(host), "%s-sto", lab->name);
	rc = mb_mkdir_p(run, 0700);
	if (!rc)
		rc = mb_exec_ok(lo, NULL);
	for (int i = 0; i < 2 && !rc; i++) {
		const char *route[] = { "ip", "-n", lab->site[i].ns, "route", "replace",
					PORTAL_ADDR "/32", "dev", "sto0", NULL };
		rc = mb_exec_ok(route, NULL);
	}
	if (!rc)
		rc = make_lun(lab, cfg->lab_fill);
	if (!rc)
		rc = ns_spawn(&sp, &lab->sto.pid);
	if (rc)
		goto out;
	snprintf(lab->sto.mntns, sizeof(lab->sto.mntns), "/proc/%d/ns/mnt", (int)lab->sto.pid);
	sock = mb_xasprintf("%s/socket.0", run);
	deadline = mb_mono_ns() + 10 * MB_NSEC_PER_SEC;
	while (!mb_path_exists(sock)) {
		if (!ns_pid_alive(lab->sto.pid) || mb_mono_ns() > deadline) {
			rc = mb_err(MB_EINTERNAL, "tgtd did not start; see %s", log);
			goto out;
		}
		mb_sleep_ns(10 * 1000000);
	}
	{
		const char *t1[] = { "--op", "new", "--mode", "target", "--tid", "1", "-T",
				     lab->sto.target.iqn, NULL };
		const char *t2[] = { "--op", "new", "--mode", "logicalunit", "--tid", "1", "--lun", "1",
				     "-b", lab->sto.backing, NULL };
		const char *t3[] = { "--op", "bind", "--mode", "target", "--tid", "1", "-I", "ALL", NULL };
		rc = tgtadm(lab, t1);
		if (!rc)
			rc = tgtadm(lab, t2);
		if (!rc)
			rc = tgtadm(lab, t3);
	}
out:
	free(run);
	free(sock);
	free(log);
	free(portal);
	return rc;
}

static int copy_file(const char *from, const char *to)
{
	char *buf;
	size_t len;
	int rc = mb_read_file(from, &buf, &len);
	if (rc)
		return rc;
	rc = mb_write_file_atomic(to, buf, len);
	free(buf);
	return rc;
}

static int guest_copy(struct lab *lab)
{
	struct mb_config c;
	struct guest_image g;
	char *dir = mb_xasprintf("%s/guest", lab->dir);
	int rc;
	opt_defaults(&c);
	rc = guest_image_find(c.kernel, c.initrd, &g);
	if (rc) {
		mb_warn("no guest image in the lab (%s); scenarios will need one", mb_errmsg());
		lab->guest_kernel[0] = lab->guest_initrd[0] = '\0';
		free(dir);
		return MB_OK;
	}
	rc = mb_mkdir_p(dir, 0755);
	if (!rc)
		rc = copy_file(g.kernel, lab->guest_kernel);
	if (!rc)
		rc = copy_file(g.initrd, lab->guest_initrd);
	if (!rc) {
		char *m = mb_xasprintf("%s/manifest.json", dir), *src = mb_xstrdup(g.kernel);
		char *slash = strrchr(src, '/'), *ms;
		if (slash) {
			*slash = '\0';
			ms = mb_xasprintf("%s/manifest.json", src);
			if (mb_path_exists(ms))
				rc = copy_file(ms, m);
			free(ms);
		}
		free(src);
		free(m);
	}
	free(dir);
	return rc;
}

int lab_refresh_guest(struct lab *lab)
{
	struct mb_config c, mine;
	struct guest_image built, copy;
	opt_defaults(&c);
	if (guest_image_find(c.kernel, c.initrd, &built) != MB_OK)
		return MB_OK; /* nothing built: the lab's copy (if any) is all there is */
	mine = c;
	mine.kernel = lab->guest_kernel;
	mine.initrd = lab->guest_initrd;
	if (lab->guest_kernel[0] && guest_image_find(mine.kernel, mine.initrd, &copy) == MB_OK &&
	    !strcmp(built.kernel_sha256, copy.kernel_sha256) &&
	    !strcmp(built.initrd_sha256, copy.initrd_sha256))
		return MB_OK;
	mb_info("the guest image changed since lab '%s' came up: refreshing the lab's copy", lab->name);
	snprintf(lab->guest_kernel, sizeof(lab->guest_kernel), "%s/guest/vmlinuz", lab->dir);
	snprintf(lab->guest_initrd, sizeof(lab->guest_initrd), "%s/guest/initrd.img", lab->dir);
	{
		int rc = guest_copy(lab);
		return rc ? rc : save_state(lab);
	}
}

static int links_up(struct lab *lab, const struct mb_config *cfg)
{
	const struct link_ops *ops;
	int rc = link_choose(cfg->lab_link, &ops, lab->link_why, sizeof(lab->link_why));
	if (rc)
		return rc;
	snprintf(lab->link_backend, sizeof(lab->link_backend), "%s", ops->name);
	mb_info("link: %s", lab->link_why);
	for (int i = 0; i < LAB_NLINKS && !rc; i++) {
		char *spec = mb_xasprintf("%s/spec.json", lab->links[i].statedir);
		/* The spec first: the delay line process reads it when it starts. */
		rc = mb_mkdir_p(lab->links[i].statedir, 0700);
		if (!rc)
			rc = link_spec_save(spec, &lab->links[i], ops->name);
		if (!rc)
			rc = ops->create(&lab->links[i]);
		free(spec);
	}
	return rc;
}

/* ---- down ---------------------------------------------------------------- */

static void stop_tgtd(const struct lab *lab)
{
	/* tgtd ignores SIGTERM while it has targets: remove them first. */
	const char *argv[] = { "tgtadm", "--op", "delete", "--mode", "system", NULL };
	struct mb_exec_opts o = { .mntns = lab->sto.mntns, .timeout_ms = 3000, .quiet = true };
	if (lab->sto.pid > 0 && ns_pid_is(lab->sto.pid, "tgtd")) {
		const char *force[] = { "tgtadm", "--lld", "iscsi", "--op", "delete", "--mode", "target",
					"--tid", "1", "--force", NULL };
		if (mb_exec_ok(force, &o) || mb_exec_ok(argv, &o))
			mb_debug("tgtadm shutdown: %s", mb_errmsg());
	}
}

static int down_locked(const struct mb_config *cfg, bool purge)
{
	struct lab lab;
	char prefix[64], **names = NULL;
	int n = 0, rc = MB_OK;
	const struct link_ops *ops;

	if (lab_load(&lab, cfg) != MB_OK)
		lab_init(&lab, cfg); /* no state: go by the names */
	stop_tgtd(&lab);
	ops = lab_link_ops(&lab);
	for (int i = 0; ops && i < LAB_NLINKS; i++)
		if (ops->destroy(&lab.links[i]) != MB_OK)
			mb_warn("removing link %s: %s", lab.links[i].name, mb_errmsg());
	snprintf(prefix, sizeof(prefix), "migbench-%s-", lab.name);
	if (ns_list(prefix, &names, &n) == MB_OK) {
		for (int i = 0; i < n; i++) {
			if (ns_delete(names[i]) != MB_OK && !rc)
				rc = mb_err(MB_EINTERNAL, "removing namespace %s: %s", names[i],
					    mb_errmsg());
			free(names[i]);
		}
		free(names);
	}
	if (mb_path_exists(lab.dir) && mb_rm_rf(lab.dir) != MB_OK && !rc)
		rc = MB_EINTERNAL;
	if (purge && mb_path_exists(lab.cache) && mb_rm_rf(lab.cache) != MB_OK && !rc)
		rc = MB_EINTERNAL;
	return rc;
}

static char *lock_path(const struct mb_config *cfg)
{
	return mb_xasprintf("%s/%s.lock", cfg->lab_dir, cfg->lab_name);
}

int lab_down(const struct mb_config *cfg, bool purge)
{
	char *lp = lock_path(cfg);
	int fd = -1, rc = lab_lock(lp, "migbench lab down", &fd);
	if (rc) {
		free(lp);
		return rc;
	}
	rc = down_locked(cfg, purge);
	unlink(lp);
	lab_unlock(fd);
	free(lp);
	return rc;
}

int lab_up(struct lab *lab, const struct mb_config *cfg, bool *existed)
{
	char *lp = lock_path(cfg);
	int fd = -1, rc;
	bool healthy = false;

	*existed = false;
	if (geteuid() != 0) {
		free(lp);
		return mb_err(MB_EUNSUPP, "the lab needs root (network, mount and UTS namespaces, "
					  "libvirtd, tgtd)");
	}
	rc = need_tools();
	if (!rc)
		rc = lab_lock(lp, "migbench lab up", &fd);
	if (rc) {
		free(lp);
		return rc;
	}
	if (lab_load(lab, cfg) == MB_OK) {
		json_object *st = NULL;
		if (lab_status(lab, &st, &healthy) == MB_OK && healthy) {
			json_object_put(st);
			*existed = true;
			goto out;
		}
		json_object_put(st);
		mb_info("lab '%s' is only partly up; rebuilding it", lab->name);
	}
	rc = down_locked(cfg, false);
	if (rc)
		goto out;
	lab_init(lab, cfg);
	lab->created = mb_real_s();
	rc = mb_mkdir_p(lab->dir, 0700);
	for (int i = 0; i < 2 && !rc; i++)
		rc = ns_create(lab->site[i].ns);
	if (!rc)
		rc = ns_create(lab->sto.ns);
	if (!rc)
		rc = links_up(lab, cfg);
	if (!rc)
		rc = storage_up(lab, cfg);
	if (!rc)
		rc = sites_up(lab);
	if (!rc)
		rc = guest_copy(lab);
	if (!rc)
		rc = save_state(lab);
	if (rc) {
		/* Leave nothing half-made; keep the first error's message. */
		char msg[2048];
		snprintf(msg, sizeof(msg), "%s", mb_errmsg());
		if (down_locked(cfg, false) != MB_OK)
			mb_warn("cleaning up after the failed lab up: %s", mb_errmsg());
		mb_err(rc, "lab up: %s", msg);
	}
out:
	lab_unlock(fd);
	free(lp);
	return rc;
}

/* ---- status -------------------------------------------------------------- */

static json_object *site_status(const struct lab_site *s, bool *ok)
{
	json_object *j = site_json(s);
	virConnectPtr c = NULL;
	bool alive = ns_pid_is(s->pid, "libvirtd");
	json_object_object_add(j, "libvirtd_running", json_object_new_boolean(alive));
	if (!alive) {
		*ok = false;
		json_object_object_add(j, "error", jstr("libvirtd is not running"));
		return j;
	}
	if (virt_open(s->uri, &c) != MB_OK) {
		*ok = false;
		json_object_object_add(j, "reachable", json_object_new_boolean(false));
		json_object_object_add(j, "error", jstr(mb_errmsg()));
		return j;
	}
	{
		char hv[64], lib[32], *host = virConnectGetHostname(c);
		int ndom = virConnectNumOfDomains(c);
		virt_versions(c, hv, sizeof(hv), lib, sizeof(lib));
		json_object_object_add(j, "reachable", json_object_new_boolean(true));
		json_object_object_add(j, "reported_hostname", jstr(host));
		json_object_object_add(j, "hypervisor", jstr(hv));
		json_object_object_add(j, "libvirt", jstr(lib));
		json_object_object_add(j, "running_domains", json_object_new_int(ndom));
		if (!host || strcmp(host, s->hostname)) {
			*ok = false;
			json_object_object_add(j, "error", jstr("libvirtd reports another hostname"));
		}
		free(host);
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
	json_object_object_add(j, "from", jstr(s->hostname));
	if (rc || r.status != 0) {
		*ok = false;
		json_object_object_add(j, "ok", json_object_new_boolean(false));
		json_object_object_add(j, "error", jstr(rc ? mb_errmsg() : r.out));
	} else {
		const char *v = strstr(r.out, "Vendor:"), *p = strstr(r.out, "Product:");
		char vendor[64] = "", product[64] = "";
		if (v)
			sscanf(v, "Vendor:%63[^\n]", vendor);
		if (p)
			sscanf(p, "Product:%63[^\n]", product);
		json_object_object_add(j, "ok", json_object_new_boolean(true));
		json_object_object_add(j, "vendor", jstr(mb_trim(vendor)));
		json_object_object_add(j, "product", jstr(mb_trim(product)));
	}
	mb_exec_result_free(&r);
	free(url);
	return j;
}

int lab_status(const struct lab *lab, json_object **out, bool *healthy)
{
	json_object *o = json_object_new_object(), *sites = json_object_new_array();
	json_object *sto = json_object_new_object(), *inq = json_object_new_array();
	json_object *links = json_object_new_array(), *g;
	const struct link_ops *ops = lab_link_ops(lab);
	bool ok = true;

	json_object_object_add(o, "name", jstr(lab->name));
	json_object_object_add(o, "dir", jstr(lab->dir));
	for (int i = 0; i < 2; i++)
		json_object_array_add(sites, site_status(&lab->site[i], &ok));
	json_object_object_add(o, "sites", sites);

	json_object_object_add(sto, "netns", jstr(lab->sto.netns));
	json_object_object_add(sto, "portal", jstr(lab->sto.portal));
	json_object_object_add(sto, "port", json_object_new_int(lab->sto.target.port));
	json_object_object_add(sto, "iqn", jstr(lab->sto.target.iqn));
	json_object_object_add(sto, "lun", json_object_new_int(lab->sto.target.lun));
	json_object_object_add(sto, "size_bytes", json_object_new_int64((int64_t)lab->sto.size));
	json_object_object_add(sto, "tgtd_pid", json_object_new_int(lab->sto.pid));
	json_object_object_add(sto, "tgtd_running", json_object_new_boolean(ns_pid_is(lab->sto.pid, "tgtd")));
	if (!ns_pid_is(lab->sto.pid, "tgtd"))
		ok = false;
	for (int i = 0; i < 2; i++)
		json_object_array_add(inq, inquiry(lab, &lab->site[i], &ok));
	json_object_object_add(sto, "inquiry", inq);
	json_object_object_add(o, "storage", sto);

	json_object_object_add(o, "link_backend", jstr(lab->link_backend));
	json_object_object_add(o, "link_why", jstr(lab->link_why));
	for (int i = 0; i < LAB_NLINKS; i++) {
		struct link_state st;
		json_object *l;
		if (!ops) {
			ok = false;
			break;
		}
		memset(&st, 0, sizeof(st));
		if (ops->show(&lab->links[i], &st) == MB_OK) {
			l = link_state_json(&st);
		} else {
			ok = false;
			l = json_object_new_object();
			json_object_object_add(l, "error", jstr(mb_errmsg()));
		}
		json_object_object_add(l, "name", jstr(lab->links[i].name));
		json_object_object_add(l, "a", jstr(lab->links[i].a.addr));
		json_object_object_add(l, "b", jstr(lab->links[i].b.addr));
		json_object_array_add(links, l);
	}
	json_object_object_add(o, "links", links);
	g = json_object_new_object();
	json_object_object_add(g, "kernel", jstr(lab->guest_kernel));
	json_object_object_add(g, "initrd", jstr(lab->guest_initrd));
	json_object_object_add(g, "present", json_object_new_boolean(
		lab->guest_kernel[0] && mb_path_exists(lab->guest_kernel) && mb_path_exists(lab->guest_initrd)));
	json_object_object_add(o, "guest", g);
	json_object_object_add(o, "healthy", json_object_new_boolean(ok));
	*healthy = ok;
	*out = o;
	return MB_OK;
}
