/* link.c - the link backend registry and what all backends share: the
 * names of the link's enums, the choice of backend, link specs on disk,
 * TCP buffer limits inside a namespace, and JSON of states and probes. */
#define _GNU_SOURCE
#include "link/link.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/exec.h"
#include "core/log.h"
#include "core/util.h"
#include "link/link_int.h"

MB_ENUM_IMPL(link_path, LINK_PATH_LAST, "migration", "storage", "both");
MB_ENUM_IMPL(target_site, TARGET_SITE_LAST, "lan", "source", "destination", "remote");
MB_ENUM_IMPL(jitter_dist, JITTER_DIST_LAST, "uniform", "normal", "pareto", "paretonormal");
/* The names of the backends' ops, and "auto". */
MB_ENUM_IMPL(link_backend, LINK_BACKEND_LAST, "auto", "netem", "delayline");
MB_ENUM_IMPL(tcp_buffers_mode, TCP_BUFFERS_MODE_LAST, "os", "bdp", "size");

/* In order of preference for `auto`: the kernel's netem where it exists. */
const struct link_ops *const link_backends[] = { &link_netem_ops, &link_delayline_ops, NULL };

int link_choose(int backend, const struct link_ops **out, char *why, size_t len)
{
	char reason[512] = "";
	if (backend == LINKB_NETEM || backend == LINKB_DELAYLINE) {
		const struct link_ops *o = backend == LINKB_NETEM ? &link_netem_ops : &link_delayline_ops;
		if (o->supported(reason, sizeof(reason)) != MB_OK)
			return mb_err(MB_EUNSUPP, "link backend %s cannot be used here: %s", o->name, reason);
		snprintf(why, len, "%s requested", o->name);
		*out = o;
		return MB_OK;
	}
	for (const struct link_ops *const *o = link_backends; *o; o++) {
		char r[512] = "";
		if ((*o)->supported(r, sizeof(r)) == MB_OK) {
			if (reason[0])
				snprintf(why, len, "%s; using %s", reason, (*o)->name);
			else
				snprintf(why, len, "%s works here", (*o)->name);
			*out = *o;
			return MB_OK;
		}
		snprintf(reason + strlen(reason), sizeof(reason) - strlen(reason), "%s%s: %s",
			 reason[0] ? "; " : "", (*o)->name, r);
	}
	return mb_err(MB_EUNSUPP, "no link backend works here: %s", reason);
}

uint64_t link_tcp_buffer_for(const struct link_params *p)
{
	double fast = p->rate_ba > p->rate ? p->rate_ba : p->rate;
	double rate = fast > 0 ? fast : 1.25e9; /* 10 Gbit/s when uncapped */
	double b = 2 * rate * (double)(p->delay_ns + 2 * p->jitter_ns) / 1e9;
	if (b < 4 << 20)
		b = 4 << 20;
	if (b > 256.0 * (1 << 20))
		b = 256.0 * (1 << 20);
	return (uint64_t)b;
}

void link_tcp_buffers_sized(uint64_t max, struct link_tcp_buffers *out)
{
	/* min and default as Linux has them; the max is what autotuning may reach. */
	memset(out, 0, sizeof(*out));
	out->rmem[0] = 4096;
	out->rmem[1] = max < 131072 ? max : 131072;
	out->rmem[2] = max;
	out->wmem[0] = 4096;
	out->wmem[1] = max < 16384 ? max : 16384;
	out->wmem[2] = max;
}

static int sysctl_in(const char *netns, const char *key, const char *val)
{
	char *kv = mb_xasprintf("%s=%s", key, val);
	const char *argv[] = { "sysctl", "-q", "-w", kv, NULL };
	struct mb_exec_opts o = { .netns = netns, .timeout_ms = 10000 };
	int rc = mb_exec_ok(argv, &o);
	free(kv);
	return rc;
}

int link_set_tcp_buffers(const char *netns, const struct link_tcp_buffers *b)
{
	char r[96], w[96];
	int rc;
	snprintf(r, sizeof(r), "%llu %llu %llu", (unsigned long long)b->rmem[0],
		 (unsigned long long)b->rmem[1], (unsigned long long)b->rmem[2]);
	snprintf(w, sizeof(w), "%llu %llu %llu", (unsigned long long)b->wmem[0],
		 (unsigned long long)b->wmem[1], (unsigned long long)b->wmem[2]);
	rc = sysctl_in(netns, "net.ipv4.tcp_rmem", r);
	if (!rc)
		rc = sysctl_in(netns, "net.ipv4.tcp_wmem", w);
	return rc ? mb_err_ctx(rc, "setting TCP buffers in %s", netns ? netns : "this namespace") : MB_OK;
}

const char *const link_tcp_sysctl_argv[] = { "sysctl", "-n", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
					     "net.core.rmem_max", "net.core.wmem_max", NULL };

int link_tcp_buffers_parse(const char *text, struct link_tcp_buffers *out)
{
	unsigned long long v[8];
	char end;
	memset(out, 0, sizeof(*out));
	if (!text || sscanf(text, "%llu %llu %llu %llu %llu %llu %llu %llu %c", &v[0], &v[1], &v[2],
			    &v[3], &v[4], &v[5], &v[6], &v[7], &end) != 8)
		return mb_err(MB_EINTERNAL, "cannot read TCP buffer limits from '%.80s'", text ? text : "");
	for (int i = 0; i < 3; i++) {
		out->rmem[i] = v[i];
		out->wmem[i] = v[3 + i];
	}
	out->core_rmem_max = v[6];
	out->core_wmem_max = v[7];
	return MB_OK;
}

int link_get_tcp_buffers(const char *netns, struct link_tcp_buffers *out)
{
	struct mb_exec_opts o = { .netns = netns, .timeout_ms = 10000, .quiet = true };
	struct mb_exec_result res = { 0 };
	int rc = mb_exec(link_tcp_sysctl_argv, &o, &res);
	if (!rc && res.status != 0)
		rc = mb_err(MB_EINTERNAL, "sysctl failed: %.200s", res.out ? res.out : "");
	if (!rc)
		rc = link_tcp_buffers_parse(res.out, out);
	mb_exec_result_free(&res);
	return rc ? mb_err_ctx(rc, "TCP buffer limits in %s", netns ? netns : "this namespace") : MB_OK;
}

/* ---- namespaces and addresses -------------------------------------------------- */

int link_enter_netns(const char *path)
{
	int fd;
	if (!path)
		return MB_OK;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		int rc = mb_err_errno(MB_EINTERNAL, "cannot enter network namespace %s", path);
		if (fd >= 0)
			close(fd);
		return rc;
	}
	close(fd);
	return MB_OK;
}

struct in_ns {
	const char *netns;
	int (*fn)(void *);
	void *arg;
	struct mb_error err; /* the thread's result, restored by the caller */
};

static void *in_ns_thread(void *p)
{
	struct in_ns *t = p;
	int rc = link_enter_netns(t->netns);
	if (!rc)
		rc = t->fn(t->arg);
	mb_err_save(&t->err, rc);
	return NULL;
}

int link_in_netns(const char *netns, int (*fn)(void *arg), void *arg)
{
	struct in_ns t = { .netns = netns, .fn = fn, .arg = arg };
	pthread_t th;
	if (pthread_create(&th, NULL, in_ns_thread, &t) != 0)
		return mb_err(MB_EINTERNAL, "cannot start a thread");
	pthread_join(th, NULL);
	return mb_err_restore(&t.err);
}

int link_ip(const struct link_end *e, const char *const *args)
{
	const char *argv[16] = { "ip" };
	struct mb_exec_opts o = { .netns = e->netns, .timeout_ms = 10000 };
	int n = 1;
	for (int i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return mb_exec_ok(argv, &o);
}

int link_end_up(const struct link_end *me, const struct link_end *peer)
{
	char peerbuf[32];
	const char *addr[] = { "addr", "replace", me->addr, "peer", peerbuf, "dev", me->ifname, NULL };
	const char *up[] = { "link", "set", me->ifname, "up", NULL };
	int rc;
	snprintf(peerbuf, sizeof(peerbuf), "%s/32", peer->addr);
	rc = link_ip(me, addr);
	if (!rc)
		rc = link_ip(me, up);
	return rc;
}

int link_veth_create(const struct link_spec *l)
{
	const char *show[] = { "link", "show", l->a.ifname, NULL };
	int rc = MB_OK;
	if (link_ip(&l->a, show) != MB_OK) {
		const char *peer_ns = strrchr(l->b.netns, '/') ? strrchr(l->b.netns, '/') + 1 : l->b.netns;
		const char *add[] = { "link", "add", l->a.ifname, "type", "veth", "peer", "name",
				      l->b.ifname, "netns", peer_ns, NULL };
		rc = link_ip(&l->a, add);
	}
	if (!rc)
		rc = link_end_up(&l->a, &l->b);
	if (!rc)
		rc = link_end_up(&l->b, &l->a);
	return rc;
}

/* ---- specs on disk ------------------------------------------------------------- */

static json_object *jend(const struct link_end *e)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "netns", e->netns ? json_object_new_string(e->netns) : NULL);
	json_object_object_add(o, "ifname", e->ifname ? json_object_new_string(e->ifname) : NULL);
	json_object_object_add(o, "addr", e->addr ? json_object_new_string(e->addr) : NULL);
	return o;
}

int link_spec_save(const char *path, const struct link_spec *l, const char *backend)
{
	json_object *o = json_object_new_object();
	const char *txt;
	int rc;
	json_object_object_add(o, "version", json_object_new_int(LINK_OPS_VERSION));
	json_object_object_add(o, "name", json_object_new_string(l->name));
	json_object_object_add(o, "backend", json_object_new_string(backend));
	json_object_object_add(o, "a", jend(&l->a));
	json_object_object_add(o, "b", jend(&l->b));
	json_object_object_add(o, "statedir", l->statedir ? json_object_new_string(l->statedir) : NULL);
	txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = mb_write_file_atomic(path, txt, strlen(txt));
	json_object_put(o);
	return rc;
}

static const char *dup_str(json_object *o, const char *k)
{
	json_object *v;
	if (!json_object_object_get_ex(o, k, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	return mb_xstrdup(json_object_get_string(v));
}

int link_spec_load(const char *path, struct link_spec *out, char *backend, size_t len)
{
	json_object *o = json_object_from_file(path), *a, *b;
	memset(out, 0, sizeof(*out));
	if (!o)
		return mb_err(MB_EUNSUPP, "no link spec at %s (%s)", path, json_util_get_last_err());
	if (!json_object_object_get_ex(o, "a", &a) || !json_object_object_get_ex(o, "b", &b)) {
		json_object_put(o);
		return mb_err(MB_EINTERNAL, "%s: not a link spec", path);
	}
	out->name = dup_str(o, "name");
	out->statedir = dup_str(o, "statedir");
	out->a = (struct link_end){ dup_str(a, "netns"), dup_str(a, "ifname"), dup_str(a, "addr") };
	out->b = (struct link_end){ dup_str(b, "netns"), dup_str(b, "ifname"), dup_str(b, "addr") };
	if (backend) {
		const char *be = dup_str(o, "backend");
		snprintf(backend, len, "%s", be ? be : "");
		free((char *)be);
	}
	json_object_put(o);
	if (!out->name || !out->a.ifname) {
		link_spec_free(out);
		return mb_err(MB_EINTERNAL, "%s: incomplete link spec", path);
	}
	return MB_OK;
}

void link_spec_free(struct link_spec *l)
{
	const char *s[] = { l->name, l->statedir, l->a.netns, l->a.ifname, l->a.addr,
			    l->b.netns, l->b.ifname, l->b.addr };
	for (size_t i = 0; i < MB_ARRAY_SIZE(s); i++)
		free((char *)s[i]);
	memset(l, 0, sizeof(*l));
}

/* ---- JSON ----------------------------------------------------------------------- */

static const char *queue_unit(const void *base)
{
	const struct link_state *s = base;
	return strcmp(s->backend, "netem") ? "bytes" : "packets";
}

/* The keys of a link's state, once: `lab status`, `link show` and the
 * scenario record (record/result.c) all write it from this table. */
const struct jf_field link_state_fields[] = {
	{ "backend", JF_CHARS, JF_AT(struct link_state, backend), .size = sizeof(((struct link_state *)0)->backend) },
	{ "installed", JF_BOOL, JF_AT(struct link_state, installed) },
	{ "delay_s", JF_NS, JF_AT(struct link_state, p.delay_ns), .scale = 1e9 },
	{ "jitter_s", JF_NS, JF_AT(struct link_state, p.jitter_ns), .scale = 1e9 },
	{ "jitter_dist", JF_ENUM, JF_AT(struct link_state, p.jitter_dist), .names = jitter_dist_names },
	{ "loss", JF_NUM, JF_AT(struct link_state, p.loss) },
	{ "rate_bytes_per_s", JF_NUM, JF_AT(struct link_state, p.rate) },
	{ "rate_ba_bytes_per_s", JF_NUM, JF_AT(struct link_state, p.rate_ba),
	  .doc = "b->a rate cap (rate_bytes_per_s is a->b); 0 = none" },
	{ "queue_limit", JF_U64, JF_AT(struct link_state, limit) },
	{ "queue_limit_unit", JF_FN, .fn = queue_unit },
	{ "packets", JF_U64, JF_AT(struct link_state, packets) },
	{ "bytes", JF_U64, JF_AT(struct link_state, bytes) },
	{ "drops_queue", JF_U64, JF_AT(struct link_state, drops_queue) },
	{ "drops_loss", JF_U64, JF_AT(struct link_state, drops_loss) },
	{ "lateness_avg_s", JF_NUM, JF_AT(struct link_state, late_avg_us), .scale = 1e-6 },
	{ "lateness_hist", JF_U64S, JF_AT(struct link_state, late_hist), .size = 8 },
	{ "lateness_hist_edges_s", JF_CONST, .text = "<50us <100us <250us <500us <1ms <2ms <5ms >=5ms" },
	JF_END,
};

const struct jf_field link_tcp_buffers_fields[] = {
	{ "tcp_rmem", JF_U64S, JF_AT(struct link_tcp_buffers, rmem), .size = 3,
	  .doc = "net.ipv4.tcp_rmem: min, default, max bytes" },
	{ "tcp_wmem", JF_U64S, JF_AT(struct link_tcp_buffers, wmem), .size = 3,
	  .doc = "net.ipv4.tcp_wmem: min, default, max bytes" },
	{ "rmem_max", JF_U64, JF_AT(struct link_tcp_buffers, core_rmem_max), .doc = "net.core.rmem_max" },
	{ "wmem_max", JF_U64, JF_AT(struct link_tcp_buffers, core_wmem_max), .doc = "net.core.wmem_max" },
	JF_END,
};

const struct jf_field link_probe_fields[] = {
	{ "rtt_samples", JF_INT, JF_AT(struct probe_result, rtt_n) },
	{ "rtt_min_s", JF_NUM, JF_AT(struct probe_result, rtt_min_s) },
	{ "rtt_avg_s", JF_NUM, JF_AT(struct probe_result, rtt_avg_s) },
	{ "rtt_p50_s", JF_NUM, JF_AT(struct probe_result, rtt_p50_s) },
	{ "rtt_p99_s", JF_NUM, JF_AT(struct probe_result, rtt_p99_s) },
	{ "rtt_max_s", JF_NUM, JF_AT(struct probe_result, rtt_max_s) },
	{ "tcp_bytes_per_s", JF_NUM, JF_AT(struct probe_result, tcp_bytes_per_s) },
	{ "tcp_steady_bytes_per_s", JF_NUM, JF_AT(struct probe_result, tcp_steady_bytes_per_s) },
	{ "tcp_bytes", JF_U64, JF_AT(struct probe_result, tcp_bytes) },
	{ "tcp_seconds", JF_NUM, JF_AT(struct probe_result, tcp_seconds) },
	{ "took_s", JF_NUM, JF_AT(struct probe_result, took_s),
	  .doc = "the whole probe (connections, round trips, stream), wall time" },
	JF_END,
};

json_object *link_state_json(const struct link_state *s)
{
	return jf_write(link_state_fields, s);
}

json_object *link_probe_json(const struct probe_result *r)
{
	return jf_write(link_probe_fields, r);
}
