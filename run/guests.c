/* guests.c - booting any guest of a scenario, and the extras: the migrated
 * ones' and neighbours' boot, watch and record (see guests.h; their
 * migrations are in run/comigrate.c). */
#define _GNU_SOURCE
#include "run/guests.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/str.h"
#include "core/util.h"
#include "migrate/domain.h"
#include "migrate/virt.h"
#include "profile/values.h"
#include "run/netwl.h"
#include "run/scenario.h"
#include "samples/phases.h"
#include "workloads/cmdline.h"

#define BOOT_TIMEOUT_NS (45 * MB_NSEC_PER_SEC)
/* The boot wait allows for the resident fill on top, at this slow a fill
 * rate: a wide margin under the fill rates measured under TCG (the record's
 * resident.fill_s). */
#define FILL_MIN_RATE (32.0 * 1048576)

static void fresh_uuid(char *out, size_t len)
{
	unsigned char u[16];
	FILE *f = fopen("/dev/urandom", "re");
	if (!f || fread(u, 1, 16, f) != 16)
		for (int i = 0; i < 16; i++)
			u[i] = (unsigned char)(mb_mono_ns() >> (i % 8));
	if (f)
		fclose(f);
	u[6] = (u[6] & 0x0f) | 0x40;
	u[8] = (u[8] & 0x3f) | 0x80;
	snprintf(out, len, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
		 u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
		 u[15]);
}

void guests_pin_reset(struct runner *r)
{
	r->pin_next = 0;
}

/* <cputune> for g's vCPUs from vcpu_pin: the next host CPUs of the list (or
 * of all the site's CPUs: spread), round-robin; and for QEMU's other
 * threads from emulator_pin.  NULL when neither is set. */
static char *pin_xml(struct runner *r, struct live_guest *g, const struct mb_config *c, int site)
{
	int cpus[64], n, emu[64], ne;
	struct mb_str x = MB_STR_INIT;
	g->pin[0] = '\0';
	if (value_vcpu_pin(c->vcpu_pin, cpus, 64, &n) != MB_OK)
		n = 0;
	if (value_cpu_list("emulator_pin", c->emulator_pin, emu, 64, &ne) != MB_OK)
		ne = 0;
	if (n == 0 && ne == 0)
		return NULL;
	mb_str_puts(&x, "  <cputune>");
	if (ne) {
		mb_str_puts(&x, "<emulatorpin cpuset='");
		for (int i = 0; i < ne; i++)
			mb_str_printf(&x, "%s%d", i ? "," : "", emu[i]);
		mb_str_puts(&x, "'/>");
	}
	if (n < 0) {
		virNodeInfo ni;
		n = virNodeGetInfo(r->tb->host[site].conn, &ni) == 0 && ni.cpus > 0 ? (int)ni.cpus : 1;
		n = n > 64 ? 64 : n;
		for (int i = 0; i < n; i++)
			cpus[i] = i;
	}
	for (int v = 0; n && v < (int)c->vcpus; v++) {
		int cpu = cpus[r->pin_next++ % n];
		size_t used = strlen(g->pin);
		mb_str_printf(&x, "<vcpupin vcpu='%d' cpuset='%d'/>", v, cpu);
		snprintf(g->pin + used, sizeof(g->pin) - used, "%s%d", v ? "," : "", cpu);
	}
	mb_str_puts(&x, "</cputune>\n");
	return mb_str_detach(&x);
}

/* The store's disk, read-only and shareable for a second user of the LUN. */
static int disk_of(struct runner *r, const struct live_guest *g, bool shared, char *disk, size_t len)
{
	char *end;
	int rc = g->store->disk_xml(&r->tb->target, disk, len);
	if (rc || !shared)
		return rc;
	end = strstr(disk, "</disk>");
	if (!end || strlen(disk) + 32 >= len)
		return mb_err(MB_EINTERNAL, "the disk XML has no </disk> or no room to share it");
	memmove(end + 24, end, strlen(end) + 1);
	memcpy(end, "<readonly/><shareable/> ", 24);
	return MB_OK;
}

int guest_start(struct runner *r, struct live_guest *g, const struct mb_config *c,
		const struct guest_opts *o)
{
	struct testbed *tb = r->tb;
	struct guest_spec spec;
	char cmdline[2048], disk[2048];
	char *xml, *tune;
	int rc = wl_guest_cmdline(c, cmdline, sizeof(cmdline));

	if (!rc)
		rc = disk_of(r, g, o->shared_disk, disk, sizeof(disk));
	if (rc)
		return rc;
	memset(&spec, 0, sizeof(spec));
	snprintf(spec.name, sizeof(spec.name), DOM_PREFIX "%d-%d", (int)getpid(), ++r->boots);
	fresh_uuid(spec.uuid, sizeof(spec.uuid));
	spec.memory = c->memory;
	spec.vcpus = (int)c->vcpus;
	spec.virt_type = c->virt_type;
	spec.kernel = c->kernel[0] ? c->kernel : tb->kernel;
	spec.initrd = c->initrd[0] ? c->initrd : tb->initrd;
	spec.cmdline = cmdline;
	spec.disk_xml = disk;
	netwl_guest_spec(c, &spec);
	spec.cputune_xml = tune = pin_xml(r, g, c, o->site);
	xml = dom_xml(&spec);
	free(tune);
	snprintf(g->name, sizeof(g->name), "%s", spec.name);
	g->cfg = *c;
	console_init(&g->con, o->raw);
	g->booted_ns = mb_mono_ns();
	rc = dom_start(tb->host[o->site].conn, tb->host[o->site].name, xml, &g->dom);
	free(xml);
	if (rc) {
		console_free(&g->con);
		return rc;
	}
	g->alive = true;
	g->site = o->site;
	return console_open(&g->con, tb->host[o->site].conn, g->dom, o->site, tb->host[o->site].name);
}

int guest_wait_first(struct runner *r, struct live_guest *g)
{
	const struct mb_config *c = &g->cfg;
	const char *host = r->tb->host[g->site].name;
	int64_t boot_timeout = BOOT_TIMEOUT_NS + (int64_t)((double)wl_resident_bytes(c->resident, c->memory) /
							   FILL_MIN_RATE * 1e9);
	const char *who = g->role == GROLE_MAIN ? "the guest" : g->label;
	if (console_wait_samples(&g->con, 1, boot_timeout) == MB_OK)
		return MB_OK;
	if (g->con.error[0])
		return mb_err(MB_EFAILED, "%s: the guest workload failed to start on %s: %s", who, host,
			      g->con.error);
	return mb_err(MB_EFAILED, "%s sent no sample within %lld s of starting on %s (see the console log)",
		      who, (long long)(boot_timeout / MB_NSEC_PER_SEC), host);
}

void guest_stop(struct runner *r, struct live_guest *g)
{
	if (g->raw)
		fclose(g->raw);
	g->raw = NULL;
	if (!g->alive)
		return;
	console_close(&g->con);
	for (int i = 0; i < 2; i++)
		if (r->tb->host[i].conn && dom_destroy_name(r->tb->host[i].conn, g->name) != MB_OK)
			mb_warn("%s", mb_errmsg());
	if (g->dom)
		virDomainFree(g->dom);
	g->dom = NULL;
	console_free(&g->con);
	g->alive = false;
}

/* ---- the extras ------------------------------------------------------------- */

/* The extra guests a scenario wants, in boot order: the migrated ones, then
 * the neighbours on the source, then on the destination. */
static void extras_plan(struct runner *r, const struct mb_config *c)
{
	static const char *const site_name[] = { "source", "destination" };
	int k = 0;
	for (int i = 2; i <= c->migrate_vms && k < MB_EXTRA_MAX; i++, k++) {
		memset(&r->extra[k], 0, sizeof(r->extra[k]));
		r->extra[k].role = GROLE_MIGRATED;
		snprintf(r->extra[k].label, sizeof(r->extra[k].label), "vm%d", i);
	}
	for (int s = 0; s < 2; s++) {
		if ((s == 0 && c->neighbour_site == NB_DESTINATION) || (s == 1 && c->neighbour_site == NB_SOURCE))
			continue;
		for (int i = 1; i <= c->neighbours && k < MB_EXTRA_MAX; i++, k++) {
			memset(&r->extra[k], 0, sizeof(r->extra[k]));
			r->extra[k].role = GROLE_NEIGHBOUR;
			r->extra[k].site = s;
			snprintf(r->extra[k].label, sizeof(r->extra[k].label), "nb%d-%s", i, site_name[s]);
		}
	}
	r->nextra = k;
}

static FILE *extra_console(struct runner *r, const char *id, const char *label)
{
	char *path = mb_xasprintf("%s/console/%s.%s.log", r->res->dir, id, label);
	FILE *f = fopen(path, "we");
	free(path);
	return f;
}

/* What a neighbour runs: the scenario's guest with neighbour_workload.
 * (A network stream neighbour sets up its sink here.) */
static void neighbour_config(struct mb_config *c)
{
	c->workload = c->neighbour_workload;
}

int extras_boot(struct runner *r, const struct scenario *sc)
{
	int rc = MB_OK;
	extras_plan(r, &sc->cfg);
	for (int k = 0; k < r->nextra && !rc; k++) {
		struct live_guest *g = &r->extra[k];
		struct mb_config c = sc->cfg;
		struct guest_opts o = { .site = g->site, .shared_disk = true };
		if (g->role == GROLE_NEIGHBOUR)
			neighbour_config(&c);
		g->store = r->g.store;
		g->raw = o.raw = extra_console(r, sc->id, g->label);
		rc = guest_start(r, g, &c, &o);
		if (rc)
			rc = mb_err_ctx(rc, "%s (%s)", g->label, r->tb->host[g->site].name);
	}
	for (int k = 0; k < r->nextra && !rc; k++) {
		struct live_guest *g = &r->extra[k];
		rc = guest_wait_first(r, g);
		g->boot_s = (double)(g->con.last_rx_ns - g->booted_ns) / 1e9;
	}
	return rc;
}

int extras_check(struct runner *r, int64_t quiet_ns)
{
	int64_t now = mb_mono_ns();
	for (int k = 0; k < r->nextra; k++) {
		struct live_guest *g = &r->extra[k];
		struct console *con = &g->con;
		char err[160];
		int64_t last;
		if (!g->alive || (g->role == GROLE_MIGRATED && g->mig.started))
			continue; /* a migrating guest is watched by its migration */
		pthread_mutex_lock(&con->mu);
		last = con->last_rx_ns;
		snprintf(err, sizeof(err), "%s", con->error);
		pthread_mutex_unlock(&con->mu);
		if (err[0])
			return mb_err(MB_EFAILED, "%s (%s on %s): its workload reported an error: %s", g->label,
				      g->name, r->tb->host[g->site].name, err);
		if (now - last > quiet_ns)
			return mb_err(MB_EFAILED, "%s (%s on %s) sent no sample for %.1f s", g->label, g->name,
				      r->tb->host[g->site].name, (double)(now - last) / 1e9);
	}
	return MB_OK;
}

void extras_destroy(struct runner *r)
{
	for (int k = 0; k < r->nextra; k++) {
		struct guest_mig *m = &r->extra[k].mig;
		mig_result_free(&m->mr);
		guest_stop(r, &r->extra[k]);
		for (int i = 0; i < 2; i++)
			if (m->own[i])
				virConnectClose(m->own[i]);
		m->own[0] = m->own[1] = NULL;
	}
	r->nextra = 0;
}

/* One neighbour's record: where, what, its phases in the windows. */
static void neighbour_record(struct runner *r, struct live_guest *g, struct res_neighbour *o,
			     const char *id, const struct samples_windows *w)
{
	const char *unit = wl_unit(g->cfg.workload);
	struct obs *v = NULL;
	size_t n = console_snapshot(&g->con, &v);
	struct phases ph;
	char *csv;

	res_neighbour_init(o);
	res_set(&o->label, g->label);
	res_set(&o->name, g->name);
	res_set(&o->host, r->tb->host[g->site].name);
	res_set(&o->workload, wl_kind_to_string(g->cfg.workload));
	res_set(&o->vcpu_pin, g->pin[0] ? g->pin : NULL);
	o->boot_s = g->boot_s;
	o->console_file = mb_xasprintf("console/%s.%s.log", id, g->label);
	phases_compute(v, n, w->t_ref, w->before, w->start, w->resume, w->after, &ph);
	/* Running (without the pause) is the migrated guest's: null here. */
	phases_running(v, n, w->t_ref, w->start, 0, &ph);
	o->has_phases = true;
	runner_phases_record(&o->phases, &o->ratio, &ph, unit);
	o->gap_s = ph.gap_s;
	o->received = ph.received;
	o->lost = ph.lost;
	o->samples_file = mb_xasprintf("samples/%s.%s.csv", id, g->label);
	csv = samples_csv(v, n, w, r->tb->host[0].name, r->tb->host[1].name);
	if (res_write(r->res, o->samples_file, csv, strlen(csv)) != MB_OK)
		mb_warn("%s", mb_errmsg());
	free(csv);
	free(v);
}

void extras_record(struct runner *r, struct res_scenario *rec, const struct samples_windows *w)
{
	int n = 0;
	for (int k = 0; k < r->nextra; k++)
		n += r->extra[k].role == GROLE_NEIGHBOUR && r->extra[k].alive;
	if (!n)
		return;
	rec->has_neighbours = true;
	rec->neighbours = mb_xcalloc((size_t)n, sizeof(*rec->neighbours));
	for (int k = 0; k < r->nextra; k++)
		if (r->extra[k].role == GROLE_NEIGHBOUR && r->extra[k].alive)
			neighbour_record(r, &r->extra[k], &rec->neighbours[rec->nneighbours++], rec->id, w);
}
