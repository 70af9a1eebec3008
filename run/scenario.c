/* scenario.c - one scenario end to end (see scenario.h).
 *
 *   link     apply the scenario's link settings on its path, TCP buffers,
 *            read back what is installed, probe the migration path
 *   guest    boot it on the source (or keep the one from the last scenario
 *            in pingpong mode) and wait for its first sample
 *   before   the baseline window
 *   migrate  libvirt live migration, watched (migrate.c)
 *   after    the window after the guest resumed on the destination
 *   record   phases, ratios, gaps; samples and job statistics files
 */
#define _GNU_SOURCE
#include "run/scenario.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "migrate/domain.h"
#include "migrate/migrate.h"
#include "migrate/virt.h"
#include "samples/phases.h"
#include "workloads/cmdline.h"

#define BOOT_TIMEOUT_NS (45 * MB_NSEC_PER_SEC)
#define SETTLE_NS (1 * MB_NSEC_PER_SEC)

void runner_event(struct runner *r, json_object *ev)
{
	if (r->json_events) {
		printf("%s\n", json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN |
								      JSON_C_TO_STRING_NOSLASHESCAPE));
		fflush(stdout);
	}
	json_object_put(ev);
}

static json_object *event(const char *type, const char *id)
{
	json_object *e = json_object_new_object();
	json_object_object_add(e, "event", json_object_new_string(type));
	json_object_object_add(e, "time", res_num(mb_real_s()));
	if (id)
		json_object_object_add(e, "id", json_object_new_string(id));
	return e;
}

/* The live progress line on a terminal: "[3/8] d16ms-cpuadd-r1  migrating 45% ..." */
static void status_line(struct runner *r, const char *fmt, ...) MB_PRINTF(2, 3);
static void status_line(struct runner *r, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	if (!r->tty || r->json_events)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("\r\033[K[%d/%d] %s  %s", r->idx, r->total, r->id, buf);
	fflush(stdout);
}

static void phase_event(struct runner *r, const char *phase)
{
	json_object *e = event("phase", r->id);
	json_object_object_add(e, "phase", json_object_new_string(phase));
	runner_event(r, e);
	status_line(r, "%s", phase);
}

static void on_progress(void *ctx, const struct mig_poll *p)
{
	struct runner *r = ctx;
	uint64_t all = p->mem_processed + p->mem_remaining;
	int pct = all ? (int)(100.0 * (double)p->mem_processed / (double)all) : 0;
	if (r->json_events) {
		json_object *e = event("progress", r->id);
		json_object_object_add(e, "iteration", json_object_new_int64((int64_t)p->iteration));
		json_object_object_add(e, "memory_remaining_bytes",
				       json_object_new_int64((int64_t)p->mem_remaining));
		json_object_object_add(e, "memory_processed_bytes",
				       json_object_new_int64((int64_t)p->mem_processed));
		json_object_object_add(e, "bandwidth_bytes_per_s",
				       json_object_new_int64((int64_t)p->mem_bps));
		runner_event(r, e);
	}
	status_line(r, "migrating  %3d%%  %6.1f MiB left  iteration %llu", pct,
		    (double)p->mem_remaining / 1048576.0, (unsigned long long)p->iteration);
}

/* ---- link ------------------------------------------------------------------- */

static int link_setup(struct runner *r, const struct mb_config *c, json_object *rec)
{
	struct testbed *tb = r->tb;
	struct link_params lp;
	struct tb_links on, all;
	json_object *l = json_object_new_object(), *states = json_object_new_array();
	int rc = MB_OK;
	static const char *const paths[] = { "migration", "storage", "both" };

	link_params_from_config(c, &lp);
	json_object_object_add(rec, "link", l);
	json_object_object_add(l, "backend", json_object_new_string(tb->link ? tb->link->name : "none"));
	json_object_object_add(l, "path", json_object_new_string(paths[c->link_path]));
	json_object_object_add(l, "rtt_semantics", json_object_new_string("delay_s is the round-trip time added"));
	json_object_object_add(l, "delay_s", res_num((double)lp.delay_ns / 1e9));
	json_object_object_add(l, "jitter_s", res_num((double)lp.jitter_ns / 1e9));
	json_object_object_add(l, "loss", res_num(lp.loss));
	json_object_object_add(l, "rate_bytes_per_s", res_num(lp.rate));
	json_object_object_add(l, "states", states);
	if (!tb->link)
		return MB_OK;
	tb_links_for(tb, c->link_path, &on);
	tb_links_for(tb, PATH_BOTH, &all);
	/* Shape the scenario's path, and make sure the others are plain. */
	for (int i = 0; i < all.n && !rc; i++) {
		bool want = false;
		for (int k = 0; k < on.n; k++)
			want |= on.spec[k] == all.spec[i];
		rc = want ? tb->link->apply(all.spec[i], &lp) : tb->link->clear(all.spec[i]);
		if (rc)
			rc = mb_err_ctx(MB_EFAILED, "link %s", all.spec[i]->name);
	}
	for (int i = 0; i < all.n && !rc; i++) {
		struct link_state st;
		memset(&st, 0, sizeof(st));
		if (tb->link->show(all.spec[i], &st) == MB_OK) {
			json_object *j = link_state_json(&st);
			json_object_object_add(j, "name", json_object_new_string(all.spec[i]->name));
			json_object_array_add(states, j);
		}
	}
	if (rc)
		return rc;
	if (tb->kind == TB_LAB) {
		uint64_t want = c->tcp_buffer_max ? c->tcp_buffer_max : link_tcp_buffer_for(&lp);
		for (int i = 0; i < 2 && !rc; i++)
			rc = link_set_tcp_buffers(tb->host[i].netns, want);
		json_object_object_add(l, "tcp_buffer_max_bytes", json_object_new_int64((int64_t)want));
	}
	if (!rc && c->probe) {
		const struct link_spec *wan = tb_wan(tb);
		if (tb->kind == TB_LAB && wan) {
			struct probe_opts po = { .rtt_count = 50, .duration_ns = c->probe_time_ns, .port = 0 };
			struct probe_result pr;
			phase_event(r, "probe");
			rc = link_probe(wan, &po, &pr);
			if (rc)
				rc = mb_err_ctx(MB_EFAILED, "probing the link");
			else
				json_object_object_add(l, "probe", link_probe_json(&pr));
		} else {
			json_object *p = json_object_new_object();
			json_object_object_add(p, "skipped", json_object_new_string(
				"the probe needs both ends of the link on this machine (the lab)"));
			json_object_object_add(l, "probe", p);
		}
	}
	return rc;
}

/* ---- guest -------------------------------------------------------------------- */

static bool same_guest(const struct mb_config *a, const struct mb_config *b)
{
	char ca[2048], cb[2048];
	if (wl_guest_cmdline(a, ca, sizeof(ca)) || wl_guest_cmdline(b, cb, sizeof(cb)))
		return false;
	return !strcmp(ca, cb) && a->memory == b->memory && a->vcpus == b->vcpus &&
	       a->virt_type == b->virt_type && a->storage == b->storage &&
	       !strcmp(a->kernel, b->kernel) && !strcmp(a->initrd, b->initrd);
}

static void guest_destroy(struct runner *r)
{
	struct live_guest *g = &r->g;
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

static int choose_store(struct runner *r, const struct mb_config *c, struct live_guest *g)
{
	struct host_exec h[2] = { r->tb->host[0].exec, r->tb->host[1].exec };
	int rc = store_choose(c->storage, &r->tb->target, h, 2, &g->store, g->store_why,
			      sizeof(g->store_why));
	if (rc)
		return rc;
	for (int i = 0; i < 2 && !rc; i++)
		rc = g->store->attach(&r->tb->target, &h[i]);
	return rc;
}

static int guest_boot(struct runner *r, const struct scenario *sc)
{
	struct live_guest *g = &r->g;
	struct testbed *tb = r->tb;
	const struct mb_config *c = &sc->cfg;
	struct guest_spec spec;
	char cmdline[2048], disk[2048];
	char *xml;
	int64_t t0;
	int rc;

	memset(g, 0, sizeof(*g));
	rc = choose_store(r, c, g);
	if (rc)
		return rc;
	rc = wl_guest_cmdline(c, cmdline, sizeof(cmdline));
	if (!rc)
		rc = g->store->disk_xml(&tb->target, disk, sizeof(disk));
	if (rc)
		return rc;
	memset(&spec, 0, sizeof(spec));
	snprintf(spec.name, sizeof(spec.name), DOM_PREFIX "%d-%d", (int)getpid(), ++r->boots);
	{
		/* A fresh UUID per boot. */
		unsigned char u[16];
		FILE *f = fopen("/dev/urandom", "re");
		if (!f || fread(u, 1, 16, f) != 16)
			for (int i = 0; i < 16; i++)
				u[i] = (unsigned char)(mb_mono_ns() >> (i % 8));
		if (f)
			fclose(f);
		u[6] = (u[6] & 0x0f) | 0x40;
		u[8] = (u[8] & 0x3f) | 0x80;
		snprintf(spec.uuid, sizeof(spec.uuid),
			 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
			 u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
			 u[14], u[15]);
	}
	spec.memory = c->memory;
	spec.vcpus = (int)c->vcpus;
	spec.virt_type = c->virt_type;
	spec.kernel = c->kernel[0] ? c->kernel : tb->kernel;
	spec.initrd = c->initrd[0] ? c->initrd : tb->initrd;
	spec.cmdline = cmdline;
	spec.disk_xml = disk;
	xml = dom_xml(&spec);
	snprintf(g->name, sizeof(g->name), "%s", spec.name);
	g->cfg = *c;
	console_init(&g->con, r->raw);
	t0 = mb_mono_ns();
	rc = dom_start(tb->host[0].conn, tb->host[0].name, xml, &g->dom);
	free(xml);
	if (rc) {
		console_free(&g->con);
		return rc;
	}
	g->alive = true;
	g->site = 0;
	g->booted_ns = t0;
	rc = console_open(&g->con, tb->host[0].conn, g->dom, 0, tb->host[0].name);
	if (rc)
		return rc;
	phase_event(r, "boot");
	rc = console_wait_samples(&g->con, 1, BOOT_TIMEOUT_NS);
	if (rc) {
		if (g->con.error[0])
			return mb_err(MB_EFAILED, "the guest workload failed to start: %s", g->con.error);
		return mb_err(MB_EFAILED,
			      "the guest sent no sample within %lld s of starting on %s (see the "
			      "console log)",
			      (long long)(BOOT_TIMEOUT_NS / MB_NSEC_PER_SEC), tb->host[0].name);
	}
	g->boot_s = (double)(g->con.last_rx_ns - t0) / 1e9;
	return MB_OK;
}

/* Sleep until `until` while watching the guest: fail if its samples stop
 * (workload died, guest crashed) or it reports an error; stop on *stop. */
static int watch_until(struct runner *r, int64_t until, int64_t interval_ns)
{
	struct console *con = &r->g.con;
	int64_t quiet_max = 10 * interval_ns > 3 * MB_NSEC_PER_SEC ? 10 * interval_ns : 3 * MB_NSEC_PER_SEC;
	for (;;) {
		int64_t now = mb_mono_ns(), last;
		char err[160];
		if (r->stop && *r->stop)
			return mb_err(MB_EINTR, "interrupted");
		pthread_mutex_lock(&con->mu);
		last = con->last_rx_ns;
		snprintf(err, sizeof(err), "%s", con->error);
		pthread_mutex_unlock(&con->mu);
		if (err[0])
			return mb_err(MB_EFAILED, "the guest workload reported an error: %s", err);
		if (now - last > quiet_max)
			return mb_err(MB_EFAILED, "the guest sent no sample for %.1f s (%s)",
				      (double)(now - last) / 1e9,
				      con->panicked ? "its kernel panicked: see the console log"
						    : "workload died or guest crashed?");
		if (now >= until)
			return MB_OK;
		mb_sleep_ns(until - now < 50000000 ? until - now : 50000000);
	}
}

/* ---- records ---------------------------------------------------------------- */

static json_object *phase_json(const struct phase_stats *p, const char *unit)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "rate", res_num(p->rate));
	json_object_object_add(o, "unit", json_object_new_string(unit));
	json_object_object_add(o, "rate_unit", json_object_new_string(
		!strcmp(unit, "B") ? "bytes/s" : !strcmp(unit, "add") ? "additions/s" : "per s"));
	json_object_object_add(o, "stddev", res_num(p->stddev));
	json_object_object_add(o, "n", json_object_new_int(p->n));
	json_object_object_add(o, "start_s", res_num(p->start_s));
	json_object_object_add(o, "end_s", res_num(p->end_s));
	return o;
}

static const char *phase_of(int64_t t, int64_t a, int64_t b, int64_t c, int64_t d)
{
	if (t < a)
		return "boot";
	if (t < b)
		return "before";
	if (t < c)
		return "during";
	if (t <= d)
		return "after";
	return "tail";
}

static char *samples_csv(const struct obs *v, size_t n, int64_t t_ref, int64_t a, int64_t b,
			 int64_t c, int64_t d, const char *host0, const char *host1)
{
	size_t cap = 128 + n * 112, len = 0;
	char *s = mb_xmalloc(cap);
	len += (size_t)snprintf(s, cap, "time_s,phase,host,seq,guest_time_s,count,rate\n");
	for (size_t i = 0; i < n; i++) {
		double rate = NAN;
		if (i > 0 && v[i].host_ns > v[i - 1].host_ns)
			rate = ((double)v[i].count - (double)v[i - 1].count) /
			       ((double)(v[i].host_ns - v[i - 1].host_ns) / 1e9);
		len += (size_t)snprintf(s + len, cap - len, "%.6f,%s,%s,%llu,%.6f,%llu,", 
					(double)(v[i].host_ns - t_ref) / 1e9,
					phase_of(v[i].host_ns, a, b, c, d), v[i].site ? host1 : host0,
					(unsigned long long)v[i].seq, (double)v[i].guest_ns / 1e9,
					(unsigned long long)v[i].count);
		len += (size_t)(isnan(rate) ? snprintf(s + len, cap - len, "\n")
					    : snprintf(s + len, cap - len, "%.3f\n", rate));
	}
	return s;
}

static json_object *precopy_json(const struct mb_config *c)
{
	static const char *const comp[] = { "none", "mt", "zlib", "zstd" };
	json_object *o = json_object_new_object();
	json_object_object_add(o, "max_downtime_s", res_num((double)c->max_downtime_ns / 1e9));
	json_object_object_add(o, "bandwidth_bytes_per_s", res_num(c->bandwidth));
	json_object_object_add(o, "auto_converge", json_object_new_boolean(c->auto_converge));
	json_object_object_add(o, "auto_converge_initial", json_object_new_int64(c->auto_converge_initial));
	json_object_object_add(o, "auto_converge_increment", json_object_new_int64(c->auto_converge_increment));
	json_object_object_add(o, "xbzrle", json_object_new_boolean(c->xbzrle));
	json_object_object_add(o, "xbzrle_cache_bytes", json_object_new_int64((int64_t)c->xbzrle_cache));
	json_object_object_add(o, "compression", json_object_new_string(comp[c->compression]));
	json_object_object_add(o, "multifd", json_object_new_int64(c->multifd));
	json_object_object_add(o, "postcopy_after", json_object_new_int64(c->postcopy_after));
	json_object_object_add(o, "timeout_s", res_num((double)c->timeout_ns / 1e9));
	return o;
}

static json_object *base_record(const struct runner *r, const struct scenario *sc, int idx)
{
	static const char *const wl[] = { "cpuadd", "seqread", "memdirty", "idle" };
	const struct mb_config *c = &sc->cfg;
	json_object *o = json_object_new_object();
	char when[32];
	mb_iso8601(mb_real_s(), when, sizeof(when));
	json_object_object_add(o, "id", json_object_new_string(sc->id));
	json_object_object_add(o, "index", json_object_new_int(sc->index));
	json_object_object_add(o, "order", json_object_new_int(idx));
	json_object_object_add(o, "experiment", json_object_new_string(sc->exp ? sc->exp->name : "global"));
	json_object_object_add(o, "repetition", json_object_new_int(sc->rep));
	json_object_object_add(o, "status", json_object_new_string("running"));
	json_object_object_add(o, "error", NULL);
	json_object_object_add(o, "start_time", json_object_new_string(when));
	json_object_object_add(o, "delay_ms", res_num((double)c->delay_ns / 1e6));
	json_object_object_add(o, "delay_s", res_num((double)c->delay_ns / 1e9));
	json_object_object_add(o, "workload", json_object_new_string(wl[c->workload]));
	json_object_object_add(o, "precopy", precopy_json(c));
	json_object_object_add(o, "config", res_config_json(c, 1u << SCOPE_SCENARIO));
	json_object_object_add(o, "testbed", json_object_new_string(r->tb->kind == TB_LAB ? "lab" : "hosts"));
	json_object_object_add(o, "guest_mode", json_object_new_string(
		r->pl->run.guest_mode == GUEST_PINGPONG ? "pingpong" : "fresh"));
	return o;
}

static json_object *store_json(const struct live_guest *g)
{
	json_object *s = json_object_new_object();
	json_object_object_add(s, "mode", json_object_new_string(g->store->name));
	json_object_object_add(s, "why", json_object_new_string(g->store_why));
	return s;
}

/* ---- the scenario ---------------------------------------------------------------- */

int scenario_run(struct runner *r, const struct scenario *sc, int idx, json_object **out)
{
	const struct mb_config *c = &sc->cfg;
	struct testbed *tb = r->tb;
	struct live_guest *g = &r->g;
	json_object *rec = base_record(r, sc, idx), *e;
	struct mig_result mr;
	struct mig_endpoint from, to;
	struct obs *v = NULL;
	size_t n = 0;
	int64_t t_scn = mb_mono_ns(), t_before = 0, t_after = 0;
	bool reused = false;
	char why[512], *raw_path = NULL, *rel;
	int rc;

	memset(&mr, 0, sizeof(mr));
	r->idx = idx;
	r->id = sc->id;
	e = event("scenario_start", sc->id);
	json_object_object_add(e, "order", json_object_new_int(idx));
	json_object_object_add(e, "total", json_object_new_int(r->total));
	runner_event(r, e);

	/* Console capture of this scenario, next to its samples. */
	rel = mb_xasprintf("console/%s.log", sc->id);
	raw_path = mb_xasprintf("%s/%s", r->res->dir, rel);
	{
		char *dir = mb_xasprintf("%s/console", r->res->dir);
		if (mb_mkdir_p(dir, 0755) == MB_OK)
			r->raw = fopen(raw_path, "we");
		free(dir);
	}

	if (!g->alive || r->pl->run.guest_mode != GUEST_PINGPONG) {
		guest_destroy(r);
		rc = tb_ensure(tb, r->pl);
		if (rc) {
			rc = mb_err_ctx(MB_EFAILED, "the testbed is not usable");
			goto done;
		}
	}
	rc = mig_check_support(c, tb->host[0].conn, tb->host[1].conn, tb->host[0].name, why, sizeof(why));
	if (rc) {
		rc = mb_err(MB_EFAILED, "unsupported here: %s", why);
		json_object_object_add(rec, "status", json_object_new_string("skipped"));
		goto done;
	}
	phase_event(r, "link");
	rc = link_setup(r, c, rec);
	if (rc)
		goto done;

	/* The guest: keep the running one in pingpong mode if it fits. */
	if (g->alive && r->pl->run.guest_mode == GUEST_PINGPONG && same_guest(&g->cfg, c)) {
		reused = true;
		pthread_mutex_lock(&g->con.mu);
		g->con.raw = r->raw;
		pthread_mutex_unlock(&g->con.mu);
	} else {
		guest_destroy(r);
		rc = guest_boot(r, sc);
		if (rc)
			goto done;
		rc = watch_until(r, mb_mono_ns() + SETTLE_NS, c->interval_ns);
		if (rc)
			goto done;
	}
	json_object_object_add(rec, "guest_reused", json_object_new_boolean(reused));
	json_object_object_add(rec, "guest_boot_s", reused ? NULL : res_num(g->boot_s));
	json_object_object_add(rec, "storage", store_json(g));

	/* Baseline. */
	phase_event(r, "before");
	t_before = mb_mono_ns();
	rc = watch_until(r, t_before + c->before_ns, c->interval_ns);
	if (rc)
		goto done;

	/* Migration, from wherever the guest is to the other site. */
	from = (struct mig_endpoint){ tb->host[g->site].name, tb->host[g->site].conn,
				      tb->host[g->site].p2p_uri, tb->host[g->site].addr, g->site };
	to = (struct mig_endpoint){ tb->host[!g->site].name, tb->host[!g->site].conn,
				    tb->host[!g->site].p2p_uri, tb->host[!g->site].addr, !g->site };
	json_object_object_add(rec, "source", json_object_new_string(from.name));
	json_object_object_add(rec, "destination", json_object_new_string(to.name));
	phase_event(r, "migrate");
	rc = mig_run(c, g->dom, &from, &to, &g->con, r->stop, on_progress, r, &mr);
	json_object_object_add(rec, "migration", mig_result_json(&mr, mr.t_start));
	{
		char *csv = mig_polls_csv(&mr, mr.t_start);
		char *jrel = mb_xasprintf("jobstats/%s.csv", sc->id);
		if (res_write(r->res, jrel, csv, strlen(csv)) != MB_OK)
			mb_warn("%s", mb_errmsg());
		json_object_object_add(rec, "jobstats_file", json_object_new_string(jrel));
		free(jrel);
		free(csv);
	}
	if (rc)
		goto done;
	/* The guest now runs on the target. */
	virDomainFree(g->dom);
	g->dom = virDomainLookupByName(to.conn, g->name);
	g->site = to.index;
	json_object_object_add(rec, "guest_host_after", json_object_new_string(to.name));

	/* After. */
	phase_event(r, "after");
	t_after = mr.t_resume + c->after_ns;
	rc = console_wait_samples(&g->con, g->con.log.n + 1, 15 * MB_NSEC_PER_SEC);
	if (rc) {
		rc = mb_err(MB_EFAILED, "no sample from the guest within 15 s after it resumed on %s%s",
			    to.name, g->con.panicked ? ": its kernel panicked (see the console log)" : "");
		goto done;
	}
	/* Wait one interval past the window so a sample closes it. */
	rc = watch_until(r, t_after + c->interval_ns + c->interval_ns / 2, c->interval_ns);

done:
	if (r->raw) {
		if (g->alive) {
			pthread_mutex_lock(&g->con.mu);
			g->con.raw = NULL;
			pthread_mutex_unlock(&g->con.mu);
		}
		fclose(r->raw);
		r->raw = NULL;
	}
	json_object_object_add(rec, "console_file", json_object_new_string(rel));
	if (g->alive) {
		n = console_snapshot(&g->con, &v);
		json_object *s = json_object_new_object();
		pthread_mutex_lock(&g->con.mu);
		json_object_object_add(s, "malformed", json_object_new_int64((int64_t)g->con.ss.malformed));
		json_object_object_add(s, "console_bytes", json_object_new_int64((int64_t)g->con.bytes));
		json_object_object_add(s, "console_opens", json_object_new_int64((int64_t)g->con.opens));
		pthread_mutex_unlock(&g->con.mu);
		json_object_object_add(rec, "samples", s);
	}
	if (rc == MB_OK && mr.ok) {
		struct phases ph;
		const char *unit = wl_unit(c->workload);
		int64_t ref = mr.t_start;
		char *csv, *srel = mb_xasprintf("samples/%s.csv", sc->id);
		json_object *phs = json_object_new_object(), *ratio = json_object_new_object();
		json_object *s = json_object_object_get(rec, "samples");
		phases_compute(v, n, ref, mr.t_start - c->before_ns, mr.t_start, mr.t_resume, t_after, &ph);
		json_object_object_add(phs, "before", phase_json(&ph.before, unit));
		json_object_object_add(phs, "during", phase_json(&ph.during, unit));
		json_object_object_add(phs, "after", phase_json(&ph.after, unit));
		json_object_object_add(rec, "phases", phs);
		json_object_object_add(ratio, "during", res_num(ph.ratio_during));
		json_object_object_add(ratio, "after", res_num(ph.ratio_after));
		json_object_object_add(rec, "ratio", ratio);
		json_object_object_add(rec, "guest_gap_s", res_num(ph.gap_s));
		json_object_object_add(rec, "guest_gap_start_s", res_num(ph.gap_start_s));
		json_object_object_add(rec, "guest_clock_gap_s", res_num(ph.guest_gap_s));
		if (s) {
			json_object_object_add(s, "received", json_object_new_int64((int64_t)ph.received));
			json_object_object_add(s, "lost", json_object_new_int64((int64_t)ph.lost));
			json_object_object_add(s, "out_of_order", json_object_new_int64((int64_t)ph.out_of_order));
			json_object_object_add(s, "file", json_object_new_string(srel));
		}
		csv = samples_csv(v, n, ref, mr.t_start - c->before_ns, mr.t_start, mr.t_resume, t_after,
				  tb->host[0].name, tb->host[1].name);
		if (res_write(r->res, srel, csv, strlen(csv)) != MB_OK)
			mb_warn("%s", mb_errmsg());
		free(csv);
		free(srel);
		/* Where the guest is now, checked. */
		if (strcmp(mr.src_state, "absent") || strcmp(mr.dst_state, "running")) {
			rc = mb_err(MB_EFAILED, "after the migration the guest is %s on %s and %s on %s",
				    mr.src_state, from.name, mr.dst_state, to.name);
		}
	}
	free(v);
	{
		char when[32];
		mb_iso8601(mb_real_s(), when, sizeof(when));
		json_object_object_add(rec, "end_time", json_object_new_string(when));
		json_object_object_add(rec, "duration_s", res_num((double)(mb_mono_ns() - t_scn) / 1e9));
	}
	if (rc == MB_EINTR) {
		guest_destroy(r);
		json_object_put(rec);
		mig_result_free(&mr);
		free(rel);
		free(raw_path);
		return MB_EINTR;
	}
	if (rc) {
		const char *st = json_object_get_string(json_object_object_get(rec, "status"));
		if (strcmp(st, "skipped"))
			json_object_object_add(rec, "status", json_object_new_string("failed"));
		json_object_object_add(rec, "error", json_object_new_string(mb_errmsg()));
		/* Leave the guest on exactly one host: in fresh mode on none. */
		guest_destroy(r);
		if (tb->link) {
			struct tb_links all;
			tb_links_for(tb, PATH_BOTH, &all);
			for (int i = 0; i < all.n; i++)
				if (tb->link->clear(all.spec[i]) != MB_OK)
					mb_warn("restoring link %s: %s", all.spec[i]->name, mb_errmsg());
		}
		rc = MB_EFAILED;
	} else {
		json_object_object_add(rec, "status", json_object_new_string("ok"));
		if (r->pl->run.guest_mode != GUEST_PINGPONG)
			guest_destroy(r);
	}
	mig_result_free(&mr);
	free(rel);
	free(raw_path);
	*out = rec;
	return rc;
}

void runner_finish(struct runner *r)
{
	struct tb_links all;
	guest_destroy(r);
	if (!r->tb->link)
		return;
	tb_links_for(r->tb, PATH_BOTH, &all);
	for (int i = 0; i < all.n; i++)
		if (r->tb->link->clear(all.spec[i]) != MB_OK)
			mb_warn("clearing link %s: %s", all.spec[i]->name, mb_errmsg());
}
