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
#include "core/str.h"
#include "core/util.h"
#include "run/hostscn.h"
#include "run/labpin.h"
#include "migrate/domain.h"
#include "migrate/migrate.h"
#include "migrate/virt.h"
#include "profile/links.h"
#include "profile/options_json.h"
#include "profile/params.h"
#include "profile/values.h"
#include "run/netwl.h"
#include "run/predict.h"
#include "run/template.h"
#include "samples/phases.h"
#include "workloads/cmdline.h"

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

/* Shape the scenario's path (and the storage paths that target_site puts
 * across the link, src being the site the guest starts on), make sure the
 * others are plain, read back what is installed. */
static int link_apply(struct testbed *tb, const struct mb_config *c, int src, const struct link_params *lp,
		      struct res_link *l)
{
	struct tb_links on, all;
	int rc = MB_OK;
	tb_links_for(tb, c->link_path, &on);
	tb_target_links(tb, c->target_site, src, &on);
	tb_links_for(tb, PATH_BOTH, &all);
	for (int i = 0; i < all.n && !rc; i++) {
		bool want = false;
		for (int k = 0; k < on.n; k++)
			want |= on.spec[k] == all.spec[i];
		rc = want ? tb->link->apply(all.spec[i], lp) : tb->link->clear(all.spec[i]);
		if (rc)
			rc = mb_err_ctx(MB_EFAILED, "link %s", all.spec[i]->name);
	}
	l->states = mb_xcalloc((size_t)all.n + 1, sizeof(*l->states));
	for (int i = 0; i < all.n && !rc; i++) {
		struct res_link_state *st = &l->states[l->nstates];
		if (tb->link->show(all.spec[i], &st->st) == MB_OK) {
			res_set(&st->name, all.spec[i]->name);
			l->nstates++;
		}
	}
	return rc;
}

static int link_probe_into(struct runner *r, const struct mb_config *c, struct res_link *l)
{
	const struct link_spec *wan = tb_wan(r->tb);
	struct probe_opts po = { .rtt_count = 50, .duration_ns = c->probe_time_ns, .port = 0 };
	int64_t t0 = mb_mono_ns();
	l->has_probe = true;
	if (r->tb->kind == TB_HOSTS) {
		char why[512];
		phase_event(r, "probe");
		l->probe.measured = tb_probe_hosts(r->tb, 40, &l->probe.r, why, sizeof(why)) == MB_OK;
		l->probe.r.took_s = (double)(mb_mono_ns() - t0) / 1e9;
		if (!l->probe.measured)
			res_set(&l->probe.skipped, why);
		return MB_OK;
	}
	if (!wan) {
		res_set(&l->probe.skipped, "the probe needs both ends of the link on this machine (the lab)");
		return MB_OK;
	}
	phase_event(r, "probe");
	if (link_probe(wan, &po, &l->probe.r) != MB_OK) {
		l->has_probe = false;
		return mb_err_ctx(MB_EFAILED, "probing the link");
	}
	l->probe.measured = true;
	return MB_OK;
}

/* The hosts' TCP buffer limits: set them in the lab as tcp_buffers says
 * (never on real hosts), then read back what is in force on both. */
static int tcp_setup(struct runner *r, const struct mb_config *c, const struct link_params *lp,
		     struct res_link *l)
{
	struct testbed *tb = r->tb;
	struct link_tcp_buffers want;
	uint64_t size;
	int mode, rc = tcp_buffers_from_config(c, &mode, &size);

	if (rc)
		return rc;
	l->has_tcp = true;
	res_set(&l->tcp.mode, tcp_buffers_mode_to_string(mode));
	if (tb->kind == TB_LAB) {
		/* os: what this machine's own namespace has, as a freshly booted
		 * host of this OS (and a new namespace) starts with. */
		if (mode == TCPBUF_OS)
			rc = link_get_tcp_buffers(NULL, &want);
		else
			link_tcp_buffers_sized(mode == TCPBUF_SIZE ? size : link_tcp_buffer_for(lp), &want);
		for (int i = 0; i < 2 && !rc; i++)
			rc = link_set_tcp_buffers(tb->host[i].netns, &want);
		if (rc)
			return rc;
		l->tcp.applied = true;
		if (mode != TCPBUF_OS) {
			l->has_tcp_buffer = true;
			l->tcp_buffer_max_bytes = want.rmem[2];
		}
	} else {
		res_set(&l->tcp.note, "real hosts: their TCP buffer limits are read, never changed");
	}
	l->tcp.sites = mb_xcalloc(2, sizeof(*l->tcp.sites));
	for (int i = 0; i < 2; i++) {
		struct res_tcp_site *st = &l->tcp.sites[l->tcp.nsites++];
		res_set(&st->host, tb->host[i].name);
		if (tb_tcp_buffers(tb, i, &st->b) == MB_OK) {
			st->read = true;
		} else {
			res_set(&st->error, mb_errmsg());
			/* In the lab the sites are ours: not reading them is a failure. */
			if (tb->kind == TB_LAB)
				return mb_err_ctx(MB_EFAILED, "reading back the TCP buffers");
		}
	}
	return MB_OK;
}

static int link_setup(struct runner *r, const struct mb_config *c, int src, struct res_link *l)
{
	struct testbed *tb = r->tb;
	struct link_params lp;
	int rc;

	link_params_from_config(c, &lp);
	res_set(&l->backend, tb->link ? tb->link->name : "none");
	res_set(&l->path, link_path_to_string(c->link_path));
	if (c->link[0]) {
		const struct section *sec = profile_link_section(r->pl->prof, c->link);
		char *where = sec ? mb_xasprintf("%s:%d", r->pl->prof->path, sec->line) : NULL;
		res_set(&l->name, c->link);
		res_set(&l->defined_in, where ? where : "built-in");
		free(where);
	}
	l->delay_s = (double)lp.delay_ns / 1e9;
	l->jitter_s = (double)lp.jitter_ns / 1e9;
	l->loss = lp.loss;
	l->rate_bytes_per_s = c->rate;
	l->rate_up_bytes_per_s = lp.rate;
	l->rate_down_bytes_per_s = lp.rate_ba;
	if (tb->link) {
		rc = link_apply(tb, c, src, &lp, l);
		if (rc)
			return rc;
	}
	rc = tcp_setup(r, c, &lp, l);
	if (!rc && c->probe)
		rc = link_probe_into(r, c, l);
	return rc;
}

/* ---- guest -------------------------------------------------------------------- */

/* The main guest and the extras with it. */
static void guest_destroy(struct runner *r)
{
	extras_destroy(r);
	guest_stop(r, &r->g);
}

static int choose_store(struct runner *r, const struct mb_config *c, struct live_guest *g)
{
	struct host_exec h[2] = { r->tb->host[0].exec, r->tb->host[1].exec };
	int rc = store_choose(c->storage, &r->tb->target, h, 2, &g->store, g->store_why,
			      sizeof(g->store_why));
	if (rc)
		return rc;
	tb_note_attach(r->tb, g->store);
	for (int i = 0; i < 2 && !rc; i++)
		rc = g->store->attach(&r->tb->target, &h[i]);
	return rc;
}

static int guest_boot(struct runner *r, const struct scenario *sc)
{
	struct live_guest *g = &r->g;
	struct guest_opts o = { .site = 0, .raw = r->raw, .shared_disk = false };
	int rc;

	memset(g, 0, sizeof(*g));
	rc = choose_store(r, &sc->cfg, g);
	if (rc)
		return rc;
	guests_pin_reset(r);
	rc = guest_start(r, g, &sc->cfg, &o);
	if (rc)
		return rc;
	phase_event(r, "boot");
	rc = guest_wait_first(r, g);
	if (!rc)
		g->boot_s = (double)(g->con.last_rx_ns - g->booted_ns) / 1e9;
	return rc;
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
		if (extras_check(r, quiet_max) != MB_OK)
			return MB_EFAILED;
		if (now >= until)
			return MB_OK;
		mb_sleep_ns(until - now < 50000000 ? until - now : 50000000);
	}
}

/* Whether every guest measured in the windows (this one and the
 * neighbours) has sent a sample at or after t: a window's rate needs one on
 * each side of its end. */
static bool windows_closed(struct runner *r, int64_t t)
{
	bool closed;
	pthread_mutex_lock(&r->g.con.mu);
	closed = r->g.con.last_rx_ns >= t;
	pthread_mutex_unlock(&r->g.con.mu);
	for (int k = 0; closed && k < r->nextra; k++) {
		struct live_guest *g = &r->extra[k];
		if (!g->alive || g->role != GROLE_NEIGHBOUR)
			continue;
		pthread_mutex_lock(&g->con.mu);
		closed = g->con.last_rx_ns >= t;
		pthread_mutex_unlock(&g->con.mu);
	}
	return closed;
}

/* Watch until t_after and one interval and a half past it, then on until
 * every guest's sample closes the window after (a neighbour starved by the
 * migration's threads can be late; one silent for longer than watch_until
 * allows fails the scenario). */
static int watch_after(struct runner *r, int64_t t_after, int64_t interval_ns)
{
	int rc = watch_until(r, t_after + interval_ns + interval_ns / 2, interval_ns);
	while (!rc && !windows_closed(r, t_after))
		rc = watch_until(r, mb_mono_ns() + interval_ns / 2, interval_ns);
	return rc;
}

/* ---- records ---------------------------------------------------------------- */

static void phase_record(struct res_phase *o, const struct phase_stats *p, const char *unit)
{
	o->s = *p;
	res_set(&o->unit, unit);
	res_set(&o->rate_unit, !strcmp(unit, "B") ? "bytes/s" : !strcmp(unit, "add") ? "additions/s" : "per s");
}

void runner_phases_record(struct res_phases *o, struct res_ratio *ratio, const struct phases *ph,
			  const char *unit)
{
	phase_record(&o->before, &ph->before, unit);
	phase_record(&o->during, &ph->during, unit);
	phase_record(&o->after, &ph->after, unit);
	phase_record(&o->running, &ph->running, unit);
	ratio->during = ph->ratio_during;
	ratio->after = ph->ratio_after;
	ratio->running = ph->ratio_running;
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

char *samples_csv(const struct obs *v, size_t n, const struct samples_windows *w, const char *host0,
		  const char *host1)
{
	struct mb_str s = MB_STR_INIT;
	mb_str_puts(&s, "time_s,phase,host,seq,guest_time_s,count,rate\n");
	for (size_t i = 0; i < n; i++) {
		mb_str_printf(&s, "%.6f,%s,%s,%llu,%.6f,%llu,", (double)(v[i].host_ns - w->t_ref) / 1e9,
			      phase_of(v[i].host_ns, w->before, w->start, w->resume, w->after),
			      v[i].site ? host1 : host0, (unsigned long long)v[i].seq,
			      (double)v[i].guest_ns / 1e9, (unsigned long long)v[i].count);
		if (i > 0 && v[i].host_ns > v[i - 1].host_ns)
			mb_str_printf(&s, "%.3f", ((double)v[i].count - (double)v[i - 1].count) /
						      ((double)(v[i].host_ns - v[i - 1].host_ns) / 1e9));
		mb_str_putc(&s, '\n');
	}
	return mb_str_detach(&s);
}

static void precopy_record(const struct mig_params *p, struct res_precopy *o)
{
	o->max_downtime_s = (double)p->max_downtime_ns / 1e9;
	o->bandwidth_bytes_per_s = p->bandwidth;
	o->auto_converge = p->auto_converge;
	o->auto_converge_initial = p->auto_converge_initial;
	o->auto_converge_increment = p->auto_converge_increment;
	o->xbzrle = p->xbzrle;
	o->xbzrle_cache_bytes = p->xbzrle_cache;
	res_set(&o->compression, compression_to_string(p->compression));
	o->multifd = p->multifd;
	o->postcopy_after = p->postcopy_after;
	o->timeout_s = (double)p->timeout_ns / 1e9;
}

/* ---- the scenario ---------------------------------------------------------------- */

/* One scenario while it runs. */
struct scn {
	struct runner *r;
	const struct scenario *sc;
	const struct mb_config *c;
	struct res_scenario *rec;
	struct mig_params mp;
	struct mig_result mr;
	struct mig_endpoint from, to;
	int64_t t_scn, t_after;
	int64_t w_start, w_resume; /* the during window: the migration (or a plain timed window) */
	int64_t t_last_resume;     /* the last of the guests migrated together resumed */
	bool skipped;            /* the hosts cannot do these settings */
	struct hm_scn hm;        /* host sampler and KSM (run/hostscn.h) */
	struct netprobe np;      /* the guest network's sink and probe (run/netwl.h) */
};

static void now_iso(char **field)
{
	char when[32];
	mb_iso8601(mb_real_s(), when, sizeof(when));
	res_set(field, when);
}

/* The record's identity and settings; the start event; console capture. */
static void scn_begin(struct scn *s)
{
	struct runner *r = s->r;
	const struct scenario *sc = s->sc;
	struct res_scenario *rec = s->rec;
	json_object *e;
	char *path, *dir;

	res_set(&rec->id, sc->id);
	rec->index = sc->index;
	rec->order = r->idx;
	res_set(&rec->experiment, sc->exp ? sc->exp->name : "global");
	rec->repetition = sc->rep;
	now_iso(&rec->start_time);
	rec->delay_ms = (double)s->c->delay_ns / 1e6;
	rec->delay_s = (double)s->c->delay_ns / 1e9;
	res_set(&rec->workload, wl_kind_to_string(s->c->workload));
	precopy_record(&s->mp, &rec->precopy);
	rec->config = opt_config_json(s->c, 1u << SCOPE_SCENARIO);
	res_set(&rec->testbed, r->tb->kind == TB_LAB ? "lab" : "hosts");
	res_set(&rec->guest_mode, guest_mode_to_string(r->pl->run.guest_mode));

	e = event("scenario_start", sc->id);
	json_object_object_add(e, "order", json_object_new_int(r->idx));
	json_object_object_add(e, "total", json_object_new_int(r->total));
	runner_event(r, e);

	/* Console capture of this scenario, next to its samples. */
	rec->console_file = mb_xasprintf("console/%s.log", sc->id);
	dir = mb_xasprintf("%s/console", r->res->dir);
	path = mb_xasprintf("%s/%s", r->res->dir, rec->console_file);
	if (mb_mkdir_p(dir, 0755) == MB_OK)
		r->raw = fopen(path, "we");
	free(dir);
	free(path);
}

/* The resident memory asked for and what the guest's "resident" event
 * said it filled ("bytes=N pattern=P seconds=S locked=L ..."). */
static void resident_record(struct res_resident *o, const struct mb_config *c, struct console *con)
{
	unsigned long long filled;
	double secs;
	int locked;
	char text[sizeof(con->resident)];
	o->bytes = wl_resident_bytes(c->resident, c->memory);
	res_set(&o->pattern, o->bytes ? resident_pattern_to_string(c->resident_pattern) : "none");
	pthread_mutex_lock(&con->mu);
	snprintf(text, sizeof(text), "%s", con->resident);
	pthread_mutex_unlock(&con->mu);
	if (sscanf(text, "bytes=%llu pattern=%*s seconds=%lf locked=%d", &filled, &secs, &locked) == 3) {
		o->reported = true;
		o->filled_bytes = filled;
		o->fill_s = secs;
		o->locked = locked != 0;
	}
}

/* Testbed, support check, link, guest (booted or kept). */
/* The template's guest restored for this scenario.  It was settled before
 * it was saved, so it resumes in its steady state: no settle again
 * (bench/sweep.sh compares the first second of the baseline with the rest). */
static int guest_restored(struct scn *s, const struct guest_tmpl *t)
{
	struct runner *r = s->r;
	int rc = tmpl_restore(t, r->tb, &r->g, r->raw, &s->rec->guest_restore_s);
	res_set(&s->rec->guest_start, "restore");
	res_set(&s->rec->guest_restored_from, t->from);
	return rc;
}

/* A fresh guest: restored from the saved one of its kind, or booted (and,
 * with guest_start = restore, saved and restored: every scenario then
 * starts from the same state, the first one too). */
static int guest_fresh(struct scn *s)
{
	struct runner *r = s->r;
	char why[160] = "";
	bool restore = r->pl->run.guest_mode == GUEST_FRESH && r->pl->run.guest_start == GUEST_START_RESTORE &&
		       tmpl_usable(r->tb, why, sizeof(why));
	struct guest_tmpl *t;
	char *dir;
	int rc;
	if (why[0])
		res_set(&s->rec->guest_start_why, why);
	if (restore && !r->tmpl)
		r->tmpl = mb_xcalloc(1, sizeof(*r->tmpl));
	if (restore && (t = tmpls_find(r->tmpl, s->c))) {
		if (access(t->path, R_OK) == 0)
			return guest_restored(s, t);
		/* The lab was rebuilt (a host had died) and took it along. */
		mb_info("the saved guest %s is gone (the lab was rebuilt): booting a new one", t->path);
		t->saved = false;
		tmpl_free(t);
	}
	rc = guest_boot(r, s->sc);
	if (!rc)
		rc = watch_until(r, mb_mono_ns() + SETTLE_NS, s->c->interval_ns);
	s->rec->guest_boot_s = r->g.boot_s;
	res_set(&s->rec->guest_start, "boot");
	if (rc || !restore)
		return rc;
	t = tmpls_slot(r->tmpl);
	dir = mb_xasprintf("%s/saved", r->tb->lab.dir);
	rc = tmpl_save(t, r->tb, &r->g, dir, s->sc->id);
	free(dir);
	return rc ? rc : guest_restored(s, t);
}

/* Where the target sits, by site name, and whether the lab emulates it. */
static void storage_site_record(struct res_storage *o, const struct testbed *tb, const struct mb_config *c,
				int src)
{
	const char *near = c->target_site == TARGET_SOURCE	    ? tb->host[src].name
			   : c->target_site == TARGET_DESTINATION ? tb->host[!src].name
								  : NULL;
	res_set(&o->target_site, target_site_to_string(c->target_site));
	if (near)
		res_set(&o->target_beside, near);
	o->target_site_emulated = tb->kind == TB_LAB;
}

/* lab_pin for this scenario: pin the lab's processes (again: the lab may
 * have been rebuilt, a delay line restarted), or undo an earlier pin. */
static int lab_pin(struct runner *r, const struct mb_config *c)
{
	int cpus[64], n, tasks, rc;
	if (value_cpu_list("lab_pin", c->lab_pin, cpus, 64, &n) != MB_OK)
		return MB_EINPUT;
	if (r->tb->kind != TB_LAB || (n == 0 && !r->lab_pinned))
		return MB_OK;
	rc = labpin_apply(r->tb, cpus, n, &tasks);
	r->lab_pinned = n > 0;
	return rc;
}

static int scn_prepare(struct scn *s)
{
	struct runner *r = s->r;
	struct testbed *tb = r->tb;
	struct live_guest *g = &r->g;
	bool pingpong = r->pl->run.guest_mode == GUEST_PINGPONG, reuse;
	int rc;

	if (!g->alive || !pingpong) {
		guest_destroy(r);
		if (tb_ensure(tb, r->pl) != MB_OK)
			return mb_err_ctx(MB_EFAILED, "the testbed is not usable");
	}
	if (mig_check_support(&s->mp, tb->host[0].conn, tb->host[1].conn, tb->host[0].name) != MB_OK) {
		s->skipped = true;
		return mb_err_ctx(MB_EFAILED, "unsupported here");
	}
	rc = lab_pin(r, s->c);
	if (rc)
		return rc;
	phase_event(r, "link");
	s->rec->has_link = true;
	reuse = g->alive && pingpong && guest_same(&g->cfg, s->c);
	storage_site_record(&s->rec->storage, r->tb, s->c, reuse ? g->site : 0);
	rc = link_setup(r, s->c, reuse ? g->site : 0, &s->rec->link);
	if (!rc)
		rc = netwl_start(&s->np, tb, s->c);
	if (rc)
		return rc;
	if (reuse) {
		s->rec->guest_reused = true;
		pthread_mutex_lock(&g->con.mu);
		g->con.raw = r->raw;
		pthread_mutex_unlock(&g->con.mu);
	} else {
		guest_destroy(r);
		rc = guest_fresh(s);
		if (!rc)
			rc = extras_boot(r, s->sc);
		if (!rc && r->nextra)
			rc = watch_until(r, mb_mono_ns() + SETTLE_NS, s->c->interval_ns);
		if (rc)
			return rc;
	}
	res_set(&s->rec->vcpu_pin, g->pin[0] ? g->pin : NULL);
	s->rec->has_guest = true;
	resident_record(&s->rec->resident, s->c, &g->con);
	res_set(&s->rec->storage.mode, g->store->name);
	res_set(&s->rec->storage.why, g->store_why);
	return MB_OK;
}

static struct mig_endpoint endpoint(const struct testbed *tb, int site)
{
	const struct tb_host *h = &tb->host[site];
	return (struct mig_endpoint){ h->name, h->conn, h->p2p_uri, h->addr, site };
}

/* The guests migrated with the main one (migrate_vms): wait for them and
 * record them; one that failed fails the scenario (after the main one's
 * own error, if it has one). */
static int join_others(struct scn *s, int rc)
{
	struct mb_error keep;
	int rc2;
	mb_err_save(&keep, rc);
	rc2 = extras_migrate_join(s->r, s->rec, &s->mr, s->r->g.name, s->c->migrate_stagger_ns,
				  &s->t_last_resume);
	if (!rc2 || (rc && s->mr.outcome < 0))
		return mb_err_restore(&keep); /* the main one's own testbed failure first */
	/* The main one's outcome would be a result, the others' failure is not. */
	s->mr.outcome = -1;
	return rc2;
}

/* The migration, from wherever the guest is to the other site; its job
 * statistics file. */
static int scn_migrate(struct scn *s)
{
	struct runner *r = s->r;
	struct live_guest *g = &r->g;
	struct res_scenario *rec = s->rec;
	char *csv;
	int rc;

	s->from = endpoint(r->tb, g->site);
	s->to = endpoint(r->tb, !g->site);
	res_set(&rec->source, s->from.name);
	res_set(&rec->destination, s->to.name);
	rec->migration_tried = true;
	phase_event(r, "migrate");
	rc = extras_migrate_start(r, &s->mp, &s->from, &s->to, mb_mono_ns(), s->c->migrate_stagger_ns);
	if (!rc)
		rc = mig_run(&s->mp, g->dom, &s->from, &s->to, &g->con, r->stop, on_progress, r, &s->mr);
	else
		s->mr.outcome = -1; /* not started: no outcome */
	rc = join_others(s, rc);
	rec->has_migration = true;
	mig_result_record(&s->mr, s->mr.t_start, &rec->migration);
	pred_fill(&r->pred, s->c, &s->mr, rec);
	if (s->mr.outcome >= 0 && (rc == MB_OK || rc == MB_EFAILED)) {
		/* Converged or not, the system under test decided: a result. */
		rec->has_outcome = true;
		rec->outcome = s->mr.outcome;
		free(rec->outcome_why);
		rec->outcome_why = mig_outcome_why(&s->mr, rc ? mb_errmsg() : NULL);
		rc = MB_OK;
	}
	csv = mig_polls_csv(&s->mr, s->mr.t_start);
	rec->jobstats_file = mb_xasprintf("jobstats/%s.csv", s->sc->id);
	if (res_write(r->res, rec->jobstats_file, csv, strlen(csv)) != MB_OK) {
		struct mb_error keep;
		mb_err_save(&keep, rc);
		mb_warn("%s", mb_errmsg());
		mb_err_restore(&keep);
	}
	free(csv);
	return rc;
}

/* migrate = no: three plain timed windows, before, during (as long as
 * before: the control for a migration's) and after.  The record says no
 * migration was tried: its figures null, no outcome. */
static int scn_windows(struct scn *s)
{
	struct runner *r = s->r;
	const struct mb_config *c = s->c;
	int rc;

	s->rec->has_migration = true;
	res_set(&s->rec->source, r->tb->host[r->g.site].name);
	res_set(&s->rec->guest_host_after, r->tb->host[r->g.site].name);
	phase_event(r, "before");
	rc = watch_until(r, mb_mono_ns() + c->before_ns, c->interval_ns);
	s->w_start = mb_mono_ns();
	if (!rc) {
		phase_event(r, "during");
		rc = watch_until(r, s->w_start + c->before_ns, c->interval_ns);
	}
	s->w_resume = mb_mono_ns();
	if (rc)
		return rc;
	phase_event(r, "after");
	s->t_after = s->w_resume + c->after_ns;
	return watch_after(r, s->t_after, c->interval_ns);
}

/* Baseline, migration, the window after. */
static int scn_measure(struct scn *s)
{
	struct runner *r = s->r;
	struct live_guest *g = &r->g;
	const struct mb_config *c = s->c;
	int rc;

	if (!c->migrate)
		return scn_windows(s);
	/* The prediction's dirty rate, before (never inside) the baseline window. */
	phase_event(r, "dirty_rate");
	rc = pred_measure(c, r->tb->host[g->site].conn, g->dom, r->tb->host[g->site].name, r->stop, s->rec);
	if (rc)
		return rc;
	phase_event(r, "before");
	rc = watch_until(r, mb_mono_ns() + c->before_ns, c->interval_ns);
	if (!rc)
		rc = scn_migrate(s);
	if (rc)
		return rc;
	s->w_start = s->mr.t_start;
	/* With others migrated together: during until the last one resumed. */
	s->w_resume = s->mr.outcome == RES_CONVERGED ? s->t_last_resume : s->mr.t_end;
	if (s->mr.outcome != RES_CONVERGED) {
		/* The guest still runs on the source: the window after the attempt.
		 * Aborting takes QEMU a second or two, the guest's output may pause
		 * meanwhile (the gap is in guest_gap_s): wait for its next sample. */
		res_set(&s->rec->guest_host_after, s->from.name);
		phase_event(r, "after");
		s->t_after = s->mr.t_end + c->after_ns;
		if (console_wait_samples(&g->con, g->con.log.n + 1, 15 * MB_NSEC_PER_SEC) != MB_OK)
			return mb_err(MB_EFAILED, "no sample from the guest within 15 s after the migration "
						  "was aborted on %s%s", s->from.name,
				      g->con.panicked ? ": its kernel panicked (see the console log)" : "");
		return watch_after(r, s->t_after, c->interval_ns);
	}
	/* The guest now runs on the target. */
	virDomainFree(g->dom);
	g->dom = virDomainLookupByName(s->to.conn, g->name);
	g->site = s->to.index;
	if (!g->dom)
		return mb_err(MB_EFAILED, "the guest %s is not on %s after the migration: %s", g->name,
			      s->to.name, virt_errmsg());
	res_set(&s->rec->guest_host_after, s->to.name);

	phase_event(r, "after");
	s->t_after = s->w_resume + c->after_ns;
	if (console_wait_samples(&g->con, g->con.log.n + 1, 15 * MB_NSEC_PER_SEC) != MB_OK)
		return mb_err(MB_EFAILED, "no sample from the guest within 15 s after it resumed on %s%s",
			      s->to.name, g->con.panicked ? ": its kernel panicked (see the console log)" : "");
	/* Wait past the window so a sample closes it. */
	return watch_after(r, s->t_after, c->interval_ns);
}

/* The phases and the samples file of a scenario with an outcome: during is
 * the migration up to the resume on the target, or the whole attempt when
 * it did not complete (after is then on the source). */
static int scn_phases(struct scn *s, const struct obs *v, size_t n)
{
	struct runner *r = s->r;
	struct res_scenario *rec = s->rec;
	const char *unit = wl_unit(s->c->workload);
	bool moved = rec->migration_tried && s->mr.outcome == RES_CONVERGED;
	struct samples_windows w = { .t_ref = s->w_start, .before = s->w_start - s->c->before_ns,
				     .start = s->w_start, .resume = s->w_resume, .after = s->t_after };
	struct phases ph;
	char *csv;

	phases_compute(v, n, w.t_ref, w.before, w.start, w.resume, w.after, &ph);
	phases_running(v, n, w.t_ref, w.start, moved ? s->mr.t_pause : 0, &ph);
	rec->has_phases = true;
	runner_phases_record(&rec->phases, &rec->ratio, &ph, unit);
	rec->guest_gap_s = ph.gap_s;
	rec->guest_gap_start_s = ph.gap_start_s;
	rec->guest_clock_gap_s = ph.guest_gap_s;
	rec->samples.has_counts = true;
	rec->samples.received = ph.received;
	rec->samples.lost = ph.lost;
	rec->samples.out_of_order = ph.out_of_order;
	rec->samples.file = mb_xasprintf("samples/%s.csv", s->sc->id);
	hm_scn_record(&s->hm, &w, v, n, &r->g.con, s->c, rec, r->res, s->sc->id);
	csv = samples_csv(v, n, &w, r->tb->host[0].name, r->tb->host[1].name);
	if (res_write(r->res, rec->samples.file, csv, strlen(csv)) != MB_OK)
		mb_warn("%s", mb_errmsg());
	free(csv);
	extras_record(r, rec, &w);
	/* Where the guest is now, checked (mig_classify checked it stayed). */
	if (moved && (strcmp(s->mr.src_state, "absent") || strcmp(s->mr.dst_state, "running")))
		return mb_err(MB_EFAILED, "after the migration the guest is %s on %s and %s on %s",
			      s->mr.src_state, s->from.name, s->mr.dst_state, s->to.name);
	return MB_OK;
}

/* Stop the console capture; the sample counters (and the phases when the
 * scenario got through). */
static int scn_collect(struct scn *s, int rc)
{
	struct runner *r = s->r;
	struct live_guest *g = &r->g;
	struct obs *v = NULL;
	size_t n = 0;

	if (r->raw) {
		if (g->alive) {
			pthread_mutex_lock(&g->con.mu);
			g->con.raw = NULL;
			pthread_mutex_unlock(&g->con.mu);
		}
		fclose(r->raw);
		r->raw = NULL;
	}
	if (!g->alive)
		return rc;
	n = console_snapshot(&g->con, &v);
	s->rec->has_samples = true;
	pthread_mutex_lock(&g->con.mu);
	s->rec->samples.malformed = g->con.ss.malformed;
	s->rec->samples.console_bytes = g->con.bytes;
	s->rec->samples.console_opens = (uint64_t)g->con.opens;
	pthread_mutex_unlock(&g->con.mu);
	if (rc == MB_OK && (s->rec->has_outcome || !s->rec->migration_tried))
		rc = scn_phases(s, v, n);
	free(v);
	return rc;
}

/* Status and error; leave the guest on exactly one host (in fresh mode on
 * none) and the links plain after a failure. */
static int scn_end(struct scn *s, int rc)
{
	struct runner *r = s->r;
	struct res_scenario *rec = s->rec;
	struct mb_error keep;

	now_iso(&rec->end_time);
	rec->duration_s = (double)(mb_mono_ns() - s->t_scn) / 1e9;
	mig_result_free(&s->mr);
	mb_err_save(&keep, rc);
	if (rc == MB_EINTR) {
		guest_destroy(r);
		return mb_err_restore(&keep);
	}
	if (rc == MB_OK) {
		rec->status = RES_OK;
		if (r->pl->run.guest_mode != GUEST_PINGPONG)
			guest_destroy(r);
		return MB_OK;
	}
	rec->status = s->skipped ? RES_SKIPPED : RES_FAILED;
	res_set(&rec->error, keep.msg);
	/* The testbed failed (maybe after the migration ended): no result to
	 * read as an outcome; migration.progress still says how far it got. */
	rec->has_outcome = false;
	res_set(&rec->outcome_why, NULL);
	guest_destroy(r);
	if (r->tb->link) {
		struct tb_links all;
		tb_links_for(r->tb, PATH_BOTH, &all);
		for (int i = 0; i < all.n; i++)
			if (r->tb->link->clear(all.spec[i]) != MB_OK)
				mb_warn("restoring link %s: %s", all.spec[i]->name, mb_errmsg());
	}
	mb_err_restore(&keep);
	return MB_EFAILED;
}

int scenario_run(struct runner *r, const struct scenario *sc, int idx, struct res_scenario *rec)
{
	struct scn s = { .r = r, .sc = sc, .c = &sc->cfg, .rec = rec, .t_scn = mb_mono_ns() };
	int rc;

	res_scenario_init(rec);
	mig_params_from_config(&sc->cfg, &s.mp);
	r->idx = idx;
	r->id = sc->id;
	scn_begin(&s);
	rc = hm_scn_ksm_apply(&s.hm, r->tb, s.c, rec);
	s.skipped = rc == MB_EUNSUPP;
	if (!rc)
		rc = scn_prepare(&s);
	if (!rc)
		rc = hm_scn_start(&s.hm, r->tb, r->g.name, s.c);
	if (!rc)
		rc = scn_measure(&s);
	hm_scn_stop(&s.hm);
	rc = scn_collect(&s, rc);
	if (rc == MB_OK && rec->has_outcome)
		netwl_record(&s.np, s.c, s.from.index, s.mr.t_start, s.mr.t_start - s.c->before_ns,
			     s.t_after, rec);
	np_stop(&s.np);
	if (hm_scn_end(&s.hm, rec) != MB_OK) {
		/* The scenario's own error stays the one reported. */
		struct mb_error keep;
		mb_err_save(&keep, rc);
		mb_warn("restoring the host's KSM settings: %s", mb_errmsg());
		mb_err_restore(&keep);
	}
	rc = scn_end(&s, rc);
	if (rc == MB_EINTR)
		res_scenario_free(rec);
	return rc;
}

void runner_finish(struct runner *r)
{
	struct tb_links all;
	int tasks;
	guest_destroy(r);
	if (r->lab_pinned && labpin_apply(r->tb, NULL, 0, &tasks) != MB_OK)
		mb_warn("undoing lab_pin: %s", mb_errmsg());
	r->lab_pinned = false;
	if (r->tmpl)
		tmpls_free(r->tmpl);
	free(r->tmpl);
	r->tmpl = NULL;
	pred_memo_free(&r->pred);
	if (!r->tb->link)
		return;
	tb_links_for(r->tb, PATH_BOTH, &all);
	for (int i = 0; i < all.n; i++)
		if (r->tb->link->clear(all.spec[i]) != MB_OK)
			mb_warn("clearing link %s: %s", all.spec[i]->name, mb_errmsg());
}
