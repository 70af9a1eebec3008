/* delayline.c - the userspace delay line, for kernels without sch_netem.
 *
 * A link is a veth pair between the two ends' network namespaces (the
 * addresses live there) plus a pair of *persistent* TUN devices (<if>dl),
 * one beside each veth end, and one process, `migbench delayline --dir
 * STATEDIR`, attached to both TUNs.  While the link is shaped, a clsact
 * egress filter on each veth end (u32 + mirred, installed through libnl)
 * redirects IPv4 into that end's TUN; the process holds each packet for
 * its due time and writes it into the other end's TUN, where the stack
 * receives it:
 *
 *   end a: wan0 --egress redirect--> wan0dl --read--> ring a->b --(due)--write--> wan0dl :end b
 *
 * An unshaped link carries no filter and runs at the veth pair's speed;
 * ARP always stays on the veth (a TUN carries IP only).
 *
 * The TUNs carry a virtio-net header and have TSO/checksum offload on, so
 * the kernel hands over 64 KiB super-packets and a read or write moves many
 * MTU-sized packets at once (LAB-FACTS: ~14 Gbit/s, where plain 1500-byte
 * TUN reads manage 2.2).  One thread per direction: it reads whatever is
 * there (stamping each packet with CLOCK_MONOTONIC), releases what is due,
 * and sleeps on a timerfd set just before the next release, spinning the
 * last few hundred microseconds so wake-up latency does not add to the
 * delay.  Each direction's queue
 * is bounded in bytes (packets beyond are dropped and counted) and its
 * memory follows that bound.  A control socket in STATEDIR takes new
 * settings (set), returns counters (stats) and stops the process (quit),
 * in the protocol of dl_proto.h.
 *
 * Because the TUNs are persistent, a stopped delay line is a cut link for
 * shaped traffic and a restarted one picks up where it was; `lab down`
 * removes everything with the namespaces.  The process lives in end a's
 * network namespace, so the lab's sweep of that namespace also stops it.
 *
 * This file is the link backend, the client side: devices, the redirect,
 * starting the process and talking to it.  The process is dl_daemon.c; the
 * TUN helpers both use are dl_tun.c.
 */
#define _GNU_SOURCE
#include "link/link.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/exec.h"
#include "core/log.h"
#include "core/util.h"
#include "link/dl_proto.h"
#include "link/dl_tun.h"
#include "link/link_int.h"

#include <linux/pkt_sched.h>
#include <linux/tc_act/tc_mirred.h>
#include <netinet/if_ether.h>
#include <netlink/netlink.h>
#include <netlink/route/act/mirred.h>
#include <netlink/route/action.h>
#include <netlink/route/classifier.h>
#include <netlink/route/cls/u32.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/tc.h>

/* How long the delay line may take to answer a control message. */
#define CTL_TIMEOUT_MS 5000

/* ---- the redirect into the TUNs --------------------------------------------------- */

struct redirect_job {
	const char *veth;
	bool on;
};

/* In the end's namespace: clsact on the veth with an egress u32 filter
 * that redirects IPv4 into the TUN (on), or no clsact at all (off). */
static int redirect_fn(void *arg)
{
	struct redirect_job *j = arg;
	char tun[IFNAMSIZ];
	struct nl_sock *sk = nl_socket_alloc();
	struct rtnl_qdisc *q = NULL;
	struct rtnl_cls *cls = NULL;
	struct rtnl_act *act = NULL;
	int vidx = (int)if_nametoindex(j->veth), tidx, err, rc = MB_OK;

	dl_tun_name(j->veth, tun, sizeof(tun));
	tidx = (int)if_nametoindex(tun);
	if (!sk || nl_connect(sk, NETLINK_ROUTE) < 0) {
		rc = mb_err(MB_EINTERNAL, "netlink socket");
		goto out;
	}
	if (!vidx || !tidx) {
		rc = mb_err(MB_EINTERNAL, "link devices %s/%s are missing", j->veth, tun);
		goto out;
	}
	q = rtnl_qdisc_alloc();
	rtnl_tc_set_ifindex(TC_CAST(q), vidx);
	rtnl_tc_set_parent(TC_CAST(q), TC_H_CLSACT);
	rtnl_tc_set_handle(TC_CAST(q), TC_H_MAKE(TC_H_CLSACT, 0));
	rtnl_tc_set_kind(TC_CAST(q), "clsact");
	if (!j->on) {
		err = rtnl_qdisc_delete(sk, q);
		if (err < 0 && err != -NLE_OBJ_NOTFOUND && err != -NLE_INVAL)
			rc = mb_err(MB_EINTERNAL, "removing the redirect from %s: %s", j->veth, nl_geterror(err));
		goto out;
	}
	/* Start from a clean clsact: ours is the only filter there. */
	(void)rtnl_qdisc_delete(sk, q);
	err = rtnl_qdisc_add(sk, q, NLM_F_CREATE | NLM_F_EXCL);
	if (err < 0) {
		rc = mb_err(MB_EUNSUPP, "adding clsact to %s: %s", j->veth, nl_geterror(err));
		goto out;
	}
	act = rtnl_act_alloc();
	rtnl_tc_set_kind(TC_CAST(act), "mirred");
	rtnl_mirred_set_action(act, TCA_EGRESS_REDIR);
	rtnl_mirred_set_policy(act, TC_ACT_STOLEN);
	rtnl_mirred_set_ifindex(act, (uint32_t)tidx);
	cls = rtnl_cls_alloc();
	rtnl_tc_set_ifindex(TC_CAST(cls), vidx);
	rtnl_tc_set_parent(TC_CAST(cls), TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS));
	rtnl_tc_set_kind(TC_CAST(cls), "u32");
	rtnl_cls_set_protocol(cls, ETH_P_IP);
	rtnl_cls_set_prio(cls, 1);
	rtnl_u32_add_key_uint32(cls, 0, 0, 0, 0); /* every IPv4 packet */
	rtnl_u32_set_cls_terminal(cls);
	rtnl_u32_add_action(cls, act);
	err = rtnl_cls_add(sk, cls, NLM_F_CREATE | NLM_F_EXCL);
	if (err < 0) {
		rc = mb_err(MB_EUNSUPP, "redirecting %s into %s: %s", j->veth, tun, nl_geterror(err));
		(void)rtnl_qdisc_delete(sk, q);
	}
out:
	if (cls)
		rtnl_cls_put(cls);
	if (act)
		rtnl_act_put(act);
	if (q)
		rtnl_qdisc_put(q);
	nl_socket_free(sk);
	return rc;
}

static int redirect(const struct link_spec *l, bool on)
{
	int rc = MB_OK;
	for (int i = 0; i < 2 && !rc; i++) {
		const struct link_end *e = i ? &l->b : &l->a;
		struct redirect_job j = { e->ifname, on };
		rc = link_in_netns(e->netns, redirect_fn, &j);
	}
	return rc;
}

/* ---- talking to the process ------------------------------------------------------ */

static int ctl_connect(const struct link_spec *l, int *out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *path = dl_ctl_path(l->statedir);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), rc = MB_OK;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		rc = mb_err(MB_EINTERNAL, "control socket path %s is too long for a unix socket", path);
	} else {
		memcpy(sa.sun_path, path, strlen(path) + 1);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			rc = mb_err_errno(MB_EFAILED, "the delay line of link %s is not running (%s)", l->name,
					  path);
	}
	free(path);
	if (rc && fd >= 0)
		close(fd);
	if (!rc)
		*out = fd;
	return rc;
}

/* One request, one reply (free it with dl_reply_free).  MB_EFAILED when the
 * process is not there, does not answer or refuses; MB_EINTERNAL when its
 * answer is not the protocol. */
static int ctl(const struct link_spec *l, const struct dl_request *rq, struct dl_reply *rp)
{
	char *msg = dl_request_to_json(rq), *txt = NULL;
	size_t len;
	int fd = -1, rc = ctl_connect(l, &fd);
	memset(rp, 0, sizeof(*rp));
	if (!rc)
		rc = dl_send(fd, msg);
	if (!rc)
		rc = dl_recv(fd, CTL_TIMEOUT_MS, &txt, &len);
	if (rc == MB_EFAILED && fd >= 0)
		rc = mb_err_ctx(rc, "the delay line of link %s does not answer", l->name);
	if (!rc && dl_reply_from_json(txt, len, rp) != MB_OK)
		rc = mb_err_ctx(MB_EINTERNAL, "the delay line of link %s", l->name);
	if (!rc && !rp->ok) {
		rc = mb_err(MB_EFAILED, "delay line of link %s: %s", l->name, rp->error);
		dl_reply_free(rp);
	}
	if (fd >= 0)
		close(fd);
	free(txt);
	free(msg);
	return rc;
}

static int ctl_cmd(const struct link_spec *l, enum dl_cmd cmd)
{
	struct dl_request rq = { .cmd = cmd };
	struct dl_reply rp;
	int rc = ctl(l, &rq, &rp);
	dl_reply_free(&rp);
	return rc;
}

pid_t link_delayline_pid(const struct link_spec *l)
{
	char *p = dl_pid_path(l->statedir), *buf = NULL;
	pid_t pid = 0;
	size_t n;
	if (mb_read_file(p, &buf, &n) == MB_OK) {
		pid = (pid_t)atoi(buf);
		if (!mb_pid_alive(pid))
			pid = 0;
	}
	free(buf);
	free(p);
	return pid;
}

/* ---- starting the process ---------------------------------------------------------- */

/* Fork, detach twice (so the process belongs to init, not to us) and exec
 * `migbench delayline --dir STATEDIR`, its output appended to log. */
static int spawn_daemon(const struct link_spec *l, const char *log)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int st;
	pid_t pid;
	if (n <= 0 || n >= (ssize_t)sizeof(exe) - 1)
		return mb_err_errno(MB_EINTERNAL, "cannot find my own executable");
	exe[n] = '\0';
	pid = fork();
	if (pid < 0)
		return mb_err_errno(MB_EINTERNAL, "fork");
	if (pid == 0) {
		const char *argv[] = { "migbench", "delayline", "--dir", l->statedir, NULL };
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
		int nul = open("/dev/null", O_RDONLY);
		setsid();
		if (fork() != 0)
			_exit(0);
		dup2(nul, STDIN_FILENO);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_IGN);
		mb_close_from(STDERR_FILENO + 1);
		execv(exe, (char *const *)argv);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	return MB_OK;
}

/* Start the process and wait until it answers. */
static int start_daemon(const struct link_spec *l)
{
	char *sock = dl_ctl_path(l->statedir), *log = dl_log_path(l->statedir), *txt = NULL;
	int64_t deadline = mb_mono_ns() + 5 * MB_NSEC_PER_SEC;
	size_t len;
	int rc;
	unlink(sock);
	rc = spawn_daemon(l, log);
	while (!rc && mb_mono_ns() < deadline) {
		if (mb_path_exists(sock) && ctl_cmd(l, DL_CMD_PING) == MB_OK)
			goto out;
		mb_sleep_ns(10 * 1000000);
	}
	if (!rc && mb_read_file(log, &txt, &len) == MB_OK && len)
		rc = mb_err(MB_EINTERNAL, "the delay line of link %s did not start: %s", l->name, txt);
	else if (!rc)
		rc = mb_err(MB_EINTERNAL, "the delay line of link %s did not start", l->name);
out:
	free(txt);
	free(sock);
	free(log);
	return rc;
}

/* ---- the ops ----------------------------------------------------------------- */

static int dl_supported(char *why, size_t len)
{
	if (access("/dev/net/tun", R_OK | W_OK) < 0) {
		snprintf(why, len, "no usable /dev/net/tun (%s)", strerror(errno));
		return MB_EUNSUPP;
	}
	return MB_OK;
}

static int sysctl0(const struct link_end *e, const char *key)
{
	char *kv = mb_xasprintf("%s=0", key);
	const char *argv[] = { "sysctl", "-q", "-w", kv, NULL };
	struct mb_exec_opts o = { .netns = e->netns, .timeout_ms = 10000 };
	int rc = mb_exec_ok(argv, &o);
	free(kv);
	return rc;
}

/* The persistent TUN beside one end, up, with loose reverse-path checking
 * (redirected packets arrive on the TUN, not on the veth that has the
 * route back). */
static int end_tun(const struct link_end *e)
{
	char tun[IFNAMSIZ], *key;
	struct link_end te = *e;
	const char *up[] = { "link", "set", tun, "up", NULL };
	int fd = -1, rc;
	dl_tun_name(e->ifname, tun, sizeof(tun));
	te.ifname = tun;
	rc = dl_tun_open(&te, true, &fd);
	if (fd >= 0)
		close(fd);
	if (!rc)
		rc = link_ip(e, up);
	key = mb_xasprintf("net.ipv4.conf.%s.rp_filter", tun);
	if (!rc)
		rc = sysctl0(e, "net.ipv4.conf.all.rp_filter");
	if (!rc)
		rc = sysctl0(e, key);
	free(key);
	return rc;
}

static int dl_create(const struct link_spec *l)
{
	int rc;
	if (!l->b.ifname)
		return mb_err(MB_EUNSUPP, "the delay line needs both ends of link %s (a lab)", l->name);
	rc = mb_mkdir_p(l->statedir, 0700);
	if (rc)
		return rc;
	if (link_delayline_pid(l) && ctl_cmd(l, DL_CMD_PING) == MB_OK)
		return MB_OK; /* already there */
	/* The veth pair: the link itself, with the addresses. */
	rc = link_veth_create(l);
	/* The TUNs beside it: persistent, so they outlive the process. */
	for (int i = 0; i < 2 && !rc; i++)
		rc = end_tun(i ? &l->b : &l->a);
	if (!rc)
		rc = start_daemon(l);
	return rc;
}

/* Delete a device in an end's namespace (gone already is fine). */
static void del_dev(const struct link_end *e, const char *ifname)
{
	const char *del[] = { "link", "del", ifname, NULL };
	if (e->netns && mb_path_exists(e->netns) && link_ip(e, del) != MB_OK)
		mb_debug("%s", mb_errmsg());
}

static int dl_destroy(const struct link_spec *l)
{
	pid_t pid = link_delayline_pid(l);
	if (pid) {
		if (ctl_cmd(l, DL_CMD_QUIT) != MB_OK)
			kill(pid, SIGTERM);
		for (int i = 0; i < 100 && mb_pid_alive(pid); i++)
			mb_sleep_ns(10 * 1000000);
		if (mb_pid_alive(pid))
			kill(pid, SIGKILL);
	}
	for (int i = 0; i < 2; i++) {
		const struct link_end *e = i ? &l->b : &l->a;
		char tun[IFNAMSIZ];
		if (!e->ifname)
			continue;
		dl_tun_name(e->ifname, tun, sizeof(tun));
		del_dev(e, tun);
	}
	if (l->a.ifname)
		del_dev(&l->a, l->a.ifname); /* the veth peer goes with it */
	if (l->statedir) {
		char *files[] = { dl_ctl_path(l->statedir), dl_pid_path(l->statedir) };
		for (int i = 0; i < 2; i++) {
			unlink(files[i]);
			free(files[i]);
		}
	}
	return MB_OK;
}

/* Bring a dead delay line back (apply and show go through here). */
static int ensure(const struct link_spec *l)
{
	if (ctl_cmd(l, DL_CMD_PING) == MB_OK)
		return MB_OK;
	mb_warn("the delay line of link %s is not running: restarting it", l->name);
	return dl_create(l);
}

static int dl_apply(const struct link_spec *l, const struct link_params *p)
{
	struct dl_request rq = { .cmd = DL_CMD_SET, .set = *p };
	struct dl_reply rp;
	struct link_state st;
	int rc = dl_settings_check(p);
	if (rc)
		return mb_err_ctx(rc, "link %s", l->name);
	rc = ensure(l);
	if (!rc)
		rc = ctl(l, &rq, &rp);
	if (rc)
		return rc;
	dl_reply_free(&rp);
	/* Read back what the process now applies. */
	rc = link_delayline_ops.show(l, &st);
	if (!rc && (st.p.delay_ns != p->delay_ns || st.p.jitter_ns != p->jitter_ns ||
		    fabs(st.p.loss - p->loss) > 1e-9 || fabs(st.p.rate - p->rate) > 1e-3 ||
		    fabs(st.p.rate_ba - p->rate_ba) > 1e-3))
		rc = mb_err(MB_EINTERNAL, "the delay line of link %s did not take the settings", l->name);
	/* Only shaped traffic goes through the process. */
	if (!rc)
		rc = redirect(l, p->delay_ns || p->jitter_ns || p->loss > 0 || p->rate > 0 || p->rate_ba > 0);
	return rc;
}

static int dl_clear(const struct link_spec *l)
{
	struct link_params zero = { 0 };
	return dl_apply(l, &zero);
}

static int dl_show(const struct link_spec *l, struct link_state *s)
{
	struct dl_request rq = { .cmd = DL_CMD_STATS };
	struct dl_reply rp;
	int rc = ctl(l, &rq, &rp);
	memset(s, 0, sizeof(*s));
	snprintf(s->backend, sizeof(s->backend), "delayline");
	if (!rc && !rp.has_stats)
		rc = mb_err(MB_EINTERNAL, "the delay line of link %s sent no counters", l->name);
	if (!rc) {
		const struct dl_stats *d = &rp.stats;
		s->p = d->p;
		s->p.queue = d->limit;
		s->limit = d->limit;
		s->installed = d->p.delay_ns || d->p.jitter_ns || d->p.loss > 0 || d->p.rate > 0 ||
			       d->p.rate_ba > 0;
		s->packets = d->packets;
		s->bytes = d->bytes;
		s->drops_queue = d->drops_queue;
		s->drops_loss = d->drops_loss;
		s->late_avg_us = d->late_avg_us;
		_Static_assert(sizeof(s->late_hist) == sizeof(d->late_hist), "one histogram layout");
		memcpy(s->late_hist, d->late_hist, sizeof(s->late_hist));
	}
	dl_reply_free(&rp);
	return rc;
}

const struct link_ops link_delayline_ops = {
	.name = "delayline",
	.supported = dl_supported,
	.create = dl_create,
	.destroy = dl_destroy,
	.apply = dl_apply,
	.clear = dl_clear,
	.show = dl_show,
};
