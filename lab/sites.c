/* sites.c - the two libvirt sites: each site's libvirtd started in its own
 * network + mount + UTS namespace over its private directories (config.c
 * writes them), then waited for, both at once, until it answers and has
 * probed QEMU. */
#define _GNU_SOURCE
#include "lab/lab.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "core/util.h"
#include "lab/lab_int.h"
#include "lab/ns.h"
#include "migrate/virt.h"

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

/* The last line of a log that mentions "error" (else its last line), for
 * messages: the log itself goes when a failed `up` cleans up.  NULL when
 * the log is empty or missing.  No tokenizer state: safe in any thread. */
static char *log_tail(const char *path)
{
	char *buf = NULL, *best = NULL;
	size_t n, best_len = 0;
	if (mb_read_file(path, &buf, &n) != MB_OK)
		return NULL;
	for (char *line = buf; line < buf + n;) {
		char *nl = memchr(line, '\n', (size_t)(buf + n - line));
		size_t len = nl ? (size_t)(nl - line) : (size_t)(buf + n - line);
		if (len && (!best || memmem(line, len, "error", 5))) {
			best = line;
			best_len = len;
		}
		line = nl ? nl + 1 : buf + n;
	}
	best = best ? mb_xasprintf("%.*s", (int)best_len, best) : NULL;
	free(buf);
	return best;
}

/* Why a site's libvirtd exited: its log, else its stdout/stderr. */
static int site_died(const struct lab_site *s)
{
	char *log = mb_xasprintf("%s/log/libvirtd.log", s->root);
	char *out = mb_xasprintf("%s/libvirtd.out", s->root);
	char *line = log_tail(log);
	int rc;
	if (!line)
		line = log_tail(out);
	rc = mb_err(MB_EINTERNAL, "libvirtd of site %s exited at start: %s", s->hostname,
		    line ? line : "(no log)");
	free(line);
	free(log);
	free(out);
	return rc;
}

/* Wait until libvirtd answers and has probed QEMU (the first probe of a
 * machine takes seconds; its result is cached in lab->cache). */
struct site_wait {
	struct lab_site *s;
	struct mb_error err; /* the thread's failure, restored by the caller */
};

static int site_wait(struct lab_site *s)
{
	int64_t deadline = mb_mono_ns() + 60 * MB_NSEC_PER_SEC;
	virConnectPtr c = NULL;
	char *sock = mb_xasprintf("%s/run/libvirt-sock", s->root), *caps;
	int rc = MB_OK;
	while (mb_mono_ns() < deadline) {
		if (!ns_pid_alive(s->pid)) {
			rc = site_died(s);
			break;
		}
		if (mb_path_exists(sock) && virt_open(s->uri, &c) == MB_OK)
			break;
		mb_sleep_ns(20 * 1000000);
	}
	free(sock);
	if (!c)
		return rc ? rc : mb_err(MB_EINTERNAL, "libvirtd of site %s did not answer within 60 s", s->hostname);
	caps = virConnectGetDomainCapabilities(c, "/usr/bin/qemu-system-x86_64", "x86_64", NULL, "qemu", 0);
	if (!caps)
		rc = virt_err(MB_EINTERNAL, s->hostname, "probing QEMU");
	free(caps);
	virConnectClose(c);
	return rc;
}

static void *site_wait_fn(void *arg)
{
	struct site_wait *w = arg;
	mb_err_save(&w->err, site_wait(w->s));
	return NULL;
}

int lab_sites_up(struct lab *lab)
{
	struct site_wait w[2] = { { .s = &lab->site[0] }, { .s = &lab->site[1] } };
	pthread_t t[2];
	int started = 0, rc = virt_init();
	for (int i = 0; i < 2 && !rc; i++) {
		rc = lab_site_config(&lab->site[i], lab->cache);
		if (!rc)
			rc = site_start(&lab->site[i], lab->cache);
	}
	if (rc)
		return rc;
	for (; started < 2; started++)
		if (pthread_create(&t[started], NULL, site_wait_fn, &w[started]) != 0)
			break;
	for (int i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	if (started < 2)
		return mb_err(MB_EINTERNAL, "cannot start a thread");
	for (int i = 0; i < 2; i++)
		if (w[i].err.rc)
			return mb_err_restore(&w[i].err);
	return MB_OK;
}
