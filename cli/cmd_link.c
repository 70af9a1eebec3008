/* cmd_link.c - `migbench link set | clear | show | probe`: the lab's links
 * (or, with a profile naming [hosts] netem_dev, a real interface). */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "core/log.h"
#include "core/util.h"
#include "lab/lab.h"
#include "link/link.h"
#include "run/testbed.h"

struct target {
	bool from_spec;         /* --spec FILE: real holds allocated strings */
	struct lab lab;
	const struct link_ops *ops;
	const struct link_spec *links[LAB_NLINKS];
	int n;
	bool lab_mode;
	struct link_spec real;
	char why[512];
	int lockfd;             /* the lab's lock while set/clear change its links */
};

static int open_target(const struct mb_config *c, int path, bool all, const char *spec,
		       const char *verb, struct target *t)
{
	memset(t, 0, sizeof(*t));
	t->lockfd = -1;
	if (spec) {
		/* Any link described by a spec.json (benchmarks, tests). */
		char backend[32];
		int rc = link_spec_load(spec, &t->real, backend, sizeof(backend));
		if (rc)
			return rc;
		t->from_spec = true;
		t->links[t->n++] = &t->real;
		for (const struct link_ops *const *o = link_backends; *o; o++)
			if (!strcmp((*o)->name, backend))
				t->ops = *o;
		/* "auto": the backend lab.link=auto would choose on this machine. */
		if (!strcmp(backend, "auto"))
			return link_choose(LINKB_AUTO, &t->ops, t->why, sizeof(t->why));
		return MB_OK;
	}
	if (c->hosts_source[0]) {
		char dev[64] = "";
		int rc;
		if (!c->hosts_netem_dev[0])
			return mb_err(MB_EUNSUPP, "[hosts] has no netem_dev: no link to shape on this machine");
		rc = tb_netem_dev(c->hosts_netem_dev, dev, sizeof(dev));
		if (rc)
			return rc;
		t->real.name = "wan";
		t->real.a.ifname = mb_xstrdup(dev);
		t->links[t->n++] = &t->real;
		return link_choose(LINKB_NETEM, &t->ops, t->why, sizeof(t->why));
	}
	{
		struct lab_params lp;
		int rc;
		lab_params_from_config(&lp, c);
		/* set and clear change the links a run shapes per scenario: they
		 * take the lab's one lock, so a running sweep is never changed
		 * under its feet (show and probe only look). */
		if (!strcmp(verb, "set") || !strcmp(verb, "clear")) {
			char holder[64];
			snprintf(holder, sizeof(holder), "migbench link %s", verb);
			rc = lab_lock(&lp, holder, &t->lockfd);
			if (rc)
				return rc;
		}
		rc = lab_load(&t->lab, &lp);
		if (rc)
			return rc;
	}
	t->lab_mode = true;
	t->ops = lab_link_ops(&t->lab);
	if (!t->ops)
		return mb_err(MB_EINTERNAL, "lab '%s' uses an unknown link backend '%s'", t->lab.name,
			      t->lab.link_backend);
	t->n = lab_links_for(&t->lab, all ? PATH_BOTH : path, t->links);
	return MB_OK;
}

static void close_target(struct target *t)
{
	lab_unlock(t->lockfd);
	if (t->from_spec)
		link_spec_free(&t->real);
	else
		free((char *)t->real.a.ifname);
}

static void print_state(const char *name, const struct link_state *s)
{
	char d[32], j[32], r[32];
	unit_human(UNIT_DURATION, (double)s->p.delay_ns, d, sizeof(d));
	unit_human(UNIT_DURATION, (double)s->p.jitter_ns, j, sizeof(j));
	if (s->p.rate > 0)
		unit_human(UNIT_RATE, s->p.rate, r, sizeof(r));
	else
		snprintf(r, sizeof(r), "no cap");
	printf("%-8s %-9s %s", name, s->backend, s->installed ? "" : "(plain) ");
	printf("RTT +%s, jitter %s, loss %g%%, rate %s, queue %llu %s", d, j, s->p.loss * 100, r,
	       (unsigned long long)s->limit, strcmp(s->backend, "netem") ? "bytes" : "packets");
	if (s->packets || s->drops_queue || s->drops_loss)
		printf("; %llu packets, %.1f MiB, drops %llu queue + %llu loss, late %.0f us avg",
		       (unsigned long long)s->packets, (double)s->bytes / 1048576.0,
		       (unsigned long long)s->drops_queue, (unsigned long long)s->drops_loss, s->late_avg_us);
	printf("\n");
}

/* link set: apply the config's link settings to every link of the target;
 * in the lab the sites' TCP buffers follow tcp_buffers. */
static int link_set(const struct mb_config *c, struct target *t)
{
	struct link_params lp;
	int rc = MB_OK;
	link_params_from_config(c, &lp);
	for (int i = 0; i < t->n && !rc; i++)
		rc = t->ops->apply(t->links[i], &lp);
	/* The hosts' TCP buffers must cover the new bandwidth-delay product. */
	if (!rc && t->lab_mode) {
		struct link_tcp_buffers want;
		uint64_t size;
		int mode;
		rc = tcp_buffers_from_config(c, &mode, &size);
		if (!rc && mode == TCPBUF_OS)
			rc = link_get_tcp_buffers(NULL, &want);
		else if (!rc)
			link_tcp_buffers_sized(mode == TCPBUF_SIZE ? size : link_tcp_buffer_for(&lp),
					       &want);
		for (int i = 0; i < 2 && !rc; i++)
			rc = link_set_tcp_buffers(t->lab.site[i].netns, &want);
	}
	if (!rc) {
		char d[32];
		unit_human(UNIT_DURATION, (double)lp.delay_ns, d, sizeof(d));
		printf("link set: RTT +%s on %d link%s (%s)\n", d, t->n, t->n == 1 ? "" : "s", t->ops->name);
	}
	return rc;
}

static int link_clear(struct target *t)
{
	int rc = MB_OK;
	for (int i = 0; i < t->n && !rc; i++)
		rc = t->ops->clear(t->links[i]);
	if (!rc)
		printf("link clear: %d link%s plain\n", t->n, t->n == 1 ? "" : "s");
	return rc;
}

static int link_show(struct target *t, bool json)
{
	json_object *arr = json_object_new_array();
	int rc = MB_OK;
	for (int i = 0; i < t->n && !rc; i++) {
		struct link_state st;
		rc = t->ops->show(t->links[i], &st);
		if (rc)
			break;
		if (json) {
			json_object *o = link_state_json(&st);
			json_object_object_add(o, "name", json_object_new_string(t->links[i]->name));
			json_object_array_add(arr, o);
		} else {
			print_state(t->links[i]->name, &st);
		}
	}
	if (!rc && json)
		printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY));
	json_object_put(arr);
	return rc;
}

/* link probe: RTT and single-stream TCP over the migration path. */
static int link_probe_cmd(const struct mb_config *c, struct target *t, bool json)
{
	struct probe_opts po = { .rtt_count = 50, .duration_ns = c->probe_time_ns };
	struct probe_result pr;
	int rc = link_probe(t->links[0], &po, &pr);
	if (!rc && json) {
		json_object *o = link_probe_json(&pr);
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
		json_object_put(o);
	} else if (!rc) {
		printf("RTT      min %.3f  avg %.3f  p50 %.3f  p99 %.3f  max %.3f ms (%d pings)\n",
		       pr.rtt_min_s * 1e3, pr.rtt_avg_s * 1e3, pr.rtt_p50_s * 1e3, pr.rtt_p99_s * 1e3,
		       pr.rtt_max_s * 1e3, pr.rtt_n);
		printf("TCP      %.1f MB/s (%.2f Gbit/s) over %.1f s; second half %.1f MB/s\n",
		       pr.tcp_bytes_per_s / 1e6, pr.tcp_bytes_per_s * 8 / 1e9, pr.tcp_seconds,
		       pr.tcp_steady_bytes_per_s / 1e6);
	}
	return rc;
}

int cmd_link(int argc, char **argv)
{
	static const struct cli_flag flags[] = {
		{ "json", NULL, "show, probe: print JSON", false },
		{ "spec", "FILE", "act on the link a spec.json describes (benchmarks, tests)", false },
		{ NULL, NULL, NULL, false },
	};
	struct cli_args a;
	struct profile *p = NULL;
	struct mb_config c;
	struct target t;
	bool help, json;
	const char *verb;
	int rc = cli_parse(argc - 1, argv + 1, flags, true, &a, &help);

	if (rc)
		return rc;
	if (help || a.npos < 1 || a.npos > 2) {
		cmd_usage("link", flags, true, help ? stdout : stderr);
		if (help)
			printf("\n  set [PROFILE]    shape the link: --delay (the ROUND-TRIP time added: half on\n"
			       "                   each direction's egress), --jitter, --jitter_dist, --loss,\n"
			       "                   --rate, --queue; --link_path migration|storage|both\n"
			       "  clear [PROFILE]  remove all shaping migbench installed (every lab link)\n"
			       "  show [PROFILE]   what is installed, read back, and the delay line's counters\n"
			       "  probe [PROFILE]  RTT (min/avg/p50/p99) and single-stream TCP throughput of\n"
			       "                   the migration path, source -> destination (--probe_time)\n"
			       "Without PROFILE (or without [hosts] in it) these act on the lab.\n");
		cli_free(&a);
		return help ? MB_OK : mb_err(MB_EINPUT, "link: expected set, clear, show or probe");
	}
	verb = a.pos[0];
	json = cli_has(&a, "json");
	rc = cmd_load_profile(a.npos > 1 ? a.pos[1] : NULL, &a, &p);
	if (rc)
		goto out;
	profile_config(p, NULL, &c);
	if (strcmp(verb, "set") && strcmp(verb, "clear") && strcmp(verb, "show") && strcmp(verb, "probe")) {
		static const char *const verbs[] = { "set", "clear", "show", "probe" };
		rc = cmd_bad_verb("link", verb, verbs, 4);
		goto out;
	}
	rc = open_target(&c, c.link_path, strcmp(verb, "set") != 0, cli_get(&a, "spec"), verb, &t);
	if (!rc && !t.ops && strcmp(verb, "probe"))
		rc = mb_err(MB_EINPUT, "the link in %s names no backend migbench has: only probe works",
			    cli_get(&a, "spec"));
	if (rc)
		goto done;
	if (!strcmp(verb, "set"))
		rc = link_set(&c, &t);
	else if (!strcmp(verb, "clear"))
		rc = link_clear(&t);
	else if (!strcmp(verb, "show"))
		rc = link_show(&t, json);
	else
		rc = link_probe_cmd(&c, &t, json);
done:
	close_target(&t);
out:
	profile_free(p);
	cli_free(&a);
	return rc;
}
