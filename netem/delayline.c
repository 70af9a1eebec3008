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
 * settings (set), returns counters (stats) and stops the process (quit).
 *
 * Because the TUNs are persistent, a stopped delay line is a cut link for
 * shaped traffic and a restarted one picks up where it was; `lab down`
 * removes everything with the namespaces.  The process lives in end a's
 * network namespace, so the lab's sweep of that namespace also stops it.
 */
#define _GNU_SOURCE
#include "netem/link.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h> /* before linux/if.h: libc-compat sorts them out */
#include <linux/if.h>
#include <linux/if_tun.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/exec.h"
#include "core/log.h"
#include "core/util.h"
#include "netem/dl_queue.h"
#include "netem/link_int.h"

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

#define TUN_FLAGS (IFF_TUN | IFF_NO_PI | IFF_VNET_HDR)
/* Wake this long before a release and spin to it: waking a vCPU that has
 * idled for tens of milliseconds can take a few hundred microseconds. */
#define SPIN_NS (400 * 1000LL)

/* ---- device set-up ---------------------------------------------------------- */

/* Open (creating if needed) the TUN device ifname in the calling thread's
 * network namespace. */
static int tun_open(const char *ifname, int *out)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return mb_err_errno(MB_EUNSUPP, "cannot open /dev/net/tun");
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = TUN_FLAGS;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int rc = mb_err_errno(MB_EINTERNAL, "TUNSETIFF %s", ifname);
		close(fd);
		return rc;
	}
	*out = fd;
	return MB_OK;
}

struct tun_arg {
	const struct link_end *e;
	bool persist;
	int fd, rc;
	char err[512];
};

/* In a thread of its own: enter the end's netns, open its TUN. */
static void *tun_thread(void *arg)
{
	struct tun_arg *t = arg;
	t->fd = -1;
	t->rc = link_enter_netns(t->e->netns);
	if (!t->rc)
		t->rc = tun_open(t->e->ifname, &t->fd);
	if (!t->rc && t->persist && ioctl(t->fd, TUNSETPERSIST, 1) < 0)
		t->rc = mb_err_errno(MB_EINTERNAL, "TUNSETPERSIST %s", t->e->ifname);
	if (t->rc)
		snprintf(t->err, sizeof(t->err), "%s", mb_errmsg());
	return NULL;
}

static int tun_in_ns(const struct link_end *e, bool persist, int *fd)
{
	struct tun_arg t = { .e = e, .persist = persist };
	pthread_t th;
	if (pthread_create(&th, NULL, tun_thread, &t) != 0)
		return mb_err(MB_EINTERNAL, "cannot start a thread");
	pthread_join(th, NULL);
	if (t.rc)
		return mb_err(t.rc, "%s", t.err);
	*fd = t.fd;
	return MB_OK;
}

static const char *ns_name(const char *netns)
{
	const char *s = netns ? strrchr(netns, '/') : NULL;
	return s ? s + 1 : netns;
}

/* The TUN beside a veth end: "<ifname>dl". */
static void tun_name(const char *ifname, char *out, size_t len)
{
	snprintf(out, len, "%sdl", ifname);
}

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

	tun_name(j->veth, tun, sizeof(tun));
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

/* ---- the process: paths, control ------------------------------------------------ */

static char *ctl_path(const struct link_spec *l)
{
	return mb_xasprintf("%s/ctl.sock", l->statedir);
}

static char *pid_path(const struct link_spec *l)
{
	return mb_xasprintf("%s/delayline.pid", l->statedir);
}

/* Send one command line, read one reply line. */
static int ctl(const struct link_spec *l, const char *cmd, char *reply, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *path = ctl_path(l);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), rc = MB_OK;
	size_t got = 0;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = mb_err_errno(MB_EFAILED, "the delay line of link %s is not running (%s)", l->name, path);
		goto out;
	}
	if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd)) {
		rc = mb_err_errno(MB_EFAILED, "talking to the delay line of link %s", l->name);
		goto out;
	}
	while (got < len - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		if (poll(&p, 1, 5000) <= 0) {
			rc = mb_err(MB_EFAILED, "the delay line of link %s does not answer", l->name);
			goto out;
		}
		n = read(fd, reply + got, len - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		if (memchr(reply, '\n', got))
			break;
	}
	reply[got] = '\0';
	reply[strcspn(reply, "\n")] = '\0';
	if (strncmp(reply, "ok", 2))
		rc = mb_err(MB_EFAILED, "delay line of link %s: %s", l->name, reply[0] ? reply : "no answer");
out:
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}

static pid_t running_pid(const struct link_spec *l)
{
	char *p = pid_path(l), *buf = NULL;
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

/* Start the process (detached) and wait for its control socket. */
static int start_daemon(const struct link_spec *l)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int st;
	pid_t pid;
	char *sock = ctl_path(l);
	int64_t deadline;
	char reply[64];

	if (n <= 0) {
		free(sock);
		return mb_err_errno(MB_EINTERNAL, "cannot find my own executable");
	}
	exe[n] = '\0';
	unlink(sock);
	pid = fork();
	if (pid < 0) {
		free(sock);
		return mb_err_errno(MB_EINTERNAL, "fork");
	}
	if (pid == 0) {
		/* Detach twice so the daemon belongs to init, not to us. */
		char *log = mb_xasprintf("%s/delayline.log", l->statedir);
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
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
		{
			const char *argv[] = { "migbench", "delayline", "--dir", l->statedir, NULL };
			execv(exe, (char *const *)argv);
		}
		_exit(127);
	}
	waitpid(pid, &st, 0);
	deadline = mb_mono_ns() + 5 * MB_NSEC_PER_SEC;
	while (mb_mono_ns() < deadline) {
		if (mb_path_exists(sock) && ctl(l, "ping\n", reply, sizeof(reply)) == MB_OK) {
			free(sock);
			return MB_OK;
		}
		mb_sleep_ns(10 * 1000000);
	}
	free(sock);
	{
		char *log = mb_xasprintf("%s/delayline.log", l->statedir), *txt = NULL;
		size_t len;
		int rc;
		if (mb_read_file(log, &txt, &len) == MB_OK && len)
			rc = mb_err(MB_EINTERNAL, "the delay line of link %s did not start: %s", l->name, txt);
		else
			rc = mb_err(MB_EINTERNAL, "the delay line of link %s did not start", l->name);
		free(txt);
		free(log);
		return rc;
	}
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

static int dl_create(const struct link_spec *l)
{
	int rc;
	char reply[64];
	if (!l->b.ifname)
		return mb_err(MB_EUNSUPP, "the delay line needs both ends of link %s (a lab)", l->name);
	rc = mb_mkdir_p(l->statedir, 0700);
	if (rc)
		return rc;
	if (running_pid(l) && ctl(l, "ping\n", reply, sizeof(reply)) == MB_OK)
		return MB_OK; /* already there */
	/* The veth pair: the link itself, with the addresses. */
	rc = link_veth_create(l);
	/* The TUNs beside it: persistent, so they outlive the process. */
	for (int i = 0; i < 2 && !rc; i++) {
		const struct link_end *e = i ? &l->b : &l->a;
		char tun[IFNAMSIZ], *key;
		struct link_end te = *e;
		int fd = -1;
		const char *up[] = { "link", "set", tun, "up", NULL };
		tun_name(e->ifname, tun, sizeof(tun));
		te.ifname = tun;
		rc = tun_in_ns(&te, true, &fd);
		if (fd >= 0)
			close(fd);
		if (!rc)
			rc = link_ip(e, up);
		/* Redirected packets arrive on the TUN, not on the veth that has
		 * the route back: loose reverse-path checking. */
		key = mb_xasprintf("net.ipv4.conf.%s.rp_filter", tun);
		if (!rc)
			rc = sysctl0(e, "net.ipv4.conf.all.rp_filter");
		if (!rc)
			rc = sysctl0(e, key);
		free(key);
	}
	if (!rc)
		rc = start_daemon(l);
	return rc;
}

static int dl_destroy(const struct link_spec *l)
{
	char reply[64];
	pid_t pid = running_pid(l);
	if (pid) {
		if (ctl(l, "quit\n", reply, sizeof(reply)) != MB_OK)
			kill(pid, SIGTERM);
		for (int i = 0; i < 100 && mb_pid_alive(pid); i++)
			mb_sleep_ns(10 * 1000000);
		if (mb_pid_alive(pid))
			kill(pid, SIGKILL);
	}
	for (int i = 0; i < 2; i++) {
		const struct link_end *e = i ? &l->b : &l->a;
		char tun[IFNAMSIZ];
		const char *del[] = { "link", "del", tun, NULL };
		tun_name(e->ifname ? e->ifname : "", tun, sizeof(tun));
		if (e->ifname && e->netns && mb_path_exists(e->netns))
			if (link_ip(e, del) != MB_OK)
				mb_debug("%s", mb_errmsg()); /* gone already is fine */
	}
	{
		const char *del[] = { "link", "del", l->a.ifname, NULL };
		if (l->a.ifname && l->a.netns && mb_path_exists(l->a.netns) && link_ip(&l->a, del) != MB_OK)
			mb_debug("%s", mb_errmsg()); /* the veth peer goes with it */
	}
	if (l->statedir) {
		char *files[] = { ctl_path(l), pid_path(l) };
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
	char reply[64];
	if (ctl(l, "ping\n", reply, sizeof(reply)) == MB_OK)
		return MB_OK;
	mb_warn("the delay line of link %s is not running: restarting it", l->name);
	return dl_create(l);
}

static int dl_apply(const struct link_spec *l, const struct link_params *p)
{
	char cmd[256], reply[128];
	int rc = ensure(l);
	if (rc)
		return rc;
	/* The b->a rate is last: a process of an older build reads the six
	 * fields before it (and caps both ways at the a->b rate). */
	snprintf(cmd, sizeof(cmd), "set %lld %lld %d %.9g %.9g %llu %.9g\n", (long long)p->delay_ns,
		 (long long)p->jitter_ns, p->jitter_dist, p->loss, p->rate, (unsigned long long)p->queue,
		 p->rate_ba);
	rc = ctl(l, cmd, reply, sizeof(reply));
	if (rc)
		return rc;
	/* Read back what the process now applies. */
	{
		struct link_state st;
		rc = link_delayline_ops.show(l, &st);
		if (!rc && (st.p.delay_ns != p->delay_ns || st.p.jitter_ns != p->jitter_ns ||
			    fabs(st.p.loss - p->loss) > 1e-9 || fabs(st.p.rate - p->rate) > 1e-3 ||
			    fabs(st.p.rate_ba - p->rate_ba) > 1e-3))
			rc = mb_err(MB_EINTERNAL, "the delay line of link %s did not take the settings", l->name);
	}
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
	char reply[1024];
	long long d, j, lim;
	int dist;
	double loss, rate, late, rate_ba = -1;
	unsigned long long pk, by, dq, dl, h[8];
	int n;
	int rc = ctl(l, "stats\n", reply, sizeof(reply));
	memset(s, 0, sizeof(*s));
	snprintf(s->backend, sizeof(s->backend), "delayline");
	if (rc)
		return rc;
	/* 19 fields, and the b->a rate as a 20th from this build on. */
	n = sscanf(reply, "ok %lld %lld %d %lf %lf %lld %llu %llu %llu %llu %lf %llu %llu %llu %llu %llu %llu %llu %llu %lf",
		   &d, &j, &dist, &loss, &rate, &lim, &pk, &by, &dq, &dl, &late, &h[0], &h[1], &h[2], &h[3],
		   &h[4], &h[5], &h[6], &h[7], &rate_ba);
	if (n != 19 && n != 20)
		return mb_err(MB_EINTERNAL, "delay line of link %s: unexpected reply '%s'", l->name, reply);
	s->p.delay_ns = d;
	s->p.jitter_ns = j;
	s->p.jitter_dist = dist;
	s->p.loss = loss;
	s->p.rate = rate;
	s->p.rate_ba = n == 20 ? rate_ba : rate; /* an older process: one rate both ways */
	s->p.queue = (uint64_t)lim;
	s->limit = (uint64_t)lim;
	s->installed = d || j || loss > 0 || rate > 0 || rate_ba > 0;
	s->packets = pk;
	s->bytes = by;
	s->drops_queue = dq;
	s->drops_loss = dl;
	s->late_avg_us = late;
	for (int i = 0; i < 8; i++)
		s->late_hist[i] = h[i];
	return MB_OK;
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

/* ---- the process -------------------------------------------------------------- */

struct shared {
	pthread_mutex_t mu;
	struct link_params p;
	uint64_t limit;               /* queue bytes per direction in effect */
	uint64_t packets, bytes, drops_queue, drops_loss;
	uint64_t late_hist[8];
	double late_sum_us;
	uint64_t late_n;
	volatile int stop;
};

struct dir {
	int in, out;
	struct shared *sh;
	struct dl_ring ring;
	struct dl_pacer pacer;
	int tfd;
	const char *name;
	bool back;                    /* the b->a direction (rate_ba applies) */
};

static void shape_of(const struct shared *sh, bool back, struct dl_shape *s, uint64_t *limit)
{
	s->one_way_ns = sh->p.delay_ns / 2;
	s->jitter_ns = sh->p.jitter_ns;
	s->dist = sh->p.jitter_dist;
	s->loss = sh->p.loss;
	s->rate = back ? sh->p.rate_ba : sh->p.rate;
	*limit = sh->limit;
}

static int late_bucket(int64_t late_ns)
{
	static const int64_t edges[7] = { 50000, 100000, 250000, 500000, 1000000, 2000000, 5000000 };
	for (int i = 0; i < 7; i++)
		if (late_ns < edges[i])
			return i;
	return 7;
}

static void *dir_thread(void *arg)
{
	struct dir *d = arg;
	struct epoll_event ev = { .events = EPOLLIN };
	int ep = epoll_create1(EPOLL_CLOEXEC);
	uint64_t st_pk = 0, st_by = 0, st_dq = 0, st_dl = 0, hist[8] = { 0 }, late_n = 0;
	uint64_t ring_limit = d->sh->limit; /* the limit the ring is sized for */
	double late_sum = 0;

	/* Releases must happen on time even when the machine is busy: the
	 * direction threads run at real-time priority (root; best effort). */
	{
		struct sched_param sp = { .sched_priority = 20 };
		if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) != 0)
			mb_debug("delay line %s: no real-time priority", d->name);
	}
	ev.data.fd = d->in;
	epoll_ctl(ep, EPOLL_CTL_ADD, d->in, &ev);
	ev.data.fd = d->tfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, d->tfd, &ev);
	while (!d->sh->stop) {
		struct epoll_event evs[4];
		struct dl_shape shape;
		uint64_t limit;
		int n = epoll_wait(ep, evs, 4, 200);
		int64_t now;
		(void)n;
		pthread_mutex_lock(&d->sh->mu);
		shape_of(d->sh, d->back, &shape, &limit);
		/* Publish this thread's counters. */
		d->sh->packets += st_pk;
		d->sh->bytes += st_by;
		d->sh->drops_queue += st_dq;
		d->sh->drops_loss += st_dl;
		for (int i = 0; i < 8; i++)
			d->sh->late_hist[i] += hist[i];
		d->sh->late_sum_us += late_sum;
		d->sh->late_n += late_n;
		pthread_mutex_unlock(&d->sh->mu);
		st_pk = st_by = st_dq = st_dl = late_n = 0;
		late_sum = 0;
		memset(hist, 0, sizeof(hist));
		/* Memory follows the queue limit (a ring sized for it). */
		if (limit != ring_limit) {
			if (dl_ring_resize(&d->ring, dl_ring_cap_for(limit), &st_dq) == 0)
				ring_limit = limit;
		}

		/* Clear the timer's expiry (the release loop below looks at the clock). */
		{
			uint64_t exp;
			if (read(d->tfd, &exp, sizeof(exp)) < 0) {
				/* not expired: nothing to clear */
			}
		}
		/* Take in everything waiting. */
		for (;;) {
			static __thread uint8_t scratch[DL_MAX_PKT];
			uint8_t *slot = dl_ring_reserve(&d->ring);
			ssize_t r = read(d->in, slot ? slot : scratch, DL_MAX_PKT);
			if (r <= 0)
				break;
			now = mb_mono_ns();
			if (!slot || d->ring.bytes + (uint64_t)r > limit) {
				st_dq++; /* the queue is full: tail drop */
				continue;
			}
			if (dl_lose(&d->pacer, shape.loss)) {
				st_dl++;
				continue;
			}
			dl_ring_commit(&d->ring, (uint32_t)r, dl_due(&d->pacer, &shape, now, (uint32_t)r));
		}
		/* Release what is due (spinning over the last stretch). */
		now = mb_mono_ns();
		for (;;) {
			uint32_t len;
			int64_t due;
			const uint8_t *pkt = dl_ring_peek(&d->ring, &len, &due);
			if (!pkt || due > now + SPIN_NS)
				break;
			while (now < due)
				now = mb_mono_ns();
			if (write(d->out, pkt, len) > 0) {
				st_pk++;
				st_by += len;
			}
			hist[late_bucket(now - due)]++;
			late_sum += (double)(now - due) / 1e3;
			late_n++;
			dl_ring_pop(&d->ring);
			now = mb_mono_ns();
		}
		/* Sleep until the next release (or the next packet in). */
		{
			uint32_t len;
			int64_t due;
			if (dl_ring_peek(&d->ring, &len, &due)) {
				int64_t wake = due - SPIN_NS;
				struct itimerspec its = { .it_value = { .tv_sec = wake / MB_NSEC_PER_SEC,
									.tv_nsec = wake % MB_NSEC_PER_SEC } };
				timerfd_settime(d->tfd, TFD_TIMER_ABSTIME, &its, NULL);
			}
		}
	}
	close(ep);
	return NULL;
}

/* Default queue: twice the one-way bandwidth-delay product (at the rate cap,
 * or at 10 Gbit/s without one), at least 4 MiB, at most 256 MiB. */
static uint64_t queue_for(const struct link_params *p)
{
	double fast = p->rate_ba > p->rate ? p->rate_ba : p->rate;
	double rate = fast > 0 ? fast : 1.25e9;
	double bdp = rate * ((double)p->delay_ns / 2 + (double)p->jitter_ns) / 1e9;
	double q = 2 * bdp;
	if (p->queue)
		return p->queue;
	if (q < 4 << 20)
		q = 4 << 20;
	if (q > 256.0 * (1 << 20))
		q = 256.0 * (1 << 20);
	return (uint64_t)q;
}

static volatile sig_atomic_t got_signal;

static void serve(int lfd, struct shared *sh)
{
	while (!sh->stop && !got_signal) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		char buf[512], out[1024];
		ssize_t n;
		int c;
		if (poll(&p, 1, 500) <= 0)
			continue;
		c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		n = read(c, buf, sizeof(buf) - 1);
		if (n <= 0) {
			close(c);
			continue;
		}
		buf[n] = '\0';
		if (!strncmp(buf, "ping", 4)) {
			snprintf(out, sizeof(out), "ok\n");
		} else if (!strncmp(buf, "quit", 4)) {
			snprintf(out, sizeof(out), "ok\n");
			sh->stop = 1;
		} else if (!strncmp(buf, "set ", 4)) {
			struct link_params np = { 0 };
			long long d, j;
			unsigned long long q;
			int nf = sscanf(buf + 4, "%lld %lld %d %lf %lf %llu %lf", &d, &j, &np.jitter_dist,
				       &np.loss, &np.rate, &q, &np.rate_ba);
			if ((nf == 6 || nf == 7) && d >= 0 && j >= 0 && np.loss >= 0 && np.loss <= 1 &&
			    np.rate >= 0 && np.rate_ba >= 0) {
				if (nf == 6) /* a client of an older build: one rate both ways */
					np.rate_ba = np.rate;
				np.delay_ns = d;
				np.jitter_ns = j;
				np.queue = q;
				pthread_mutex_lock(&sh->mu);
				sh->p = np;
				sh->limit = queue_for(&np);
				pthread_mutex_unlock(&sh->mu);
				snprintf(out, sizeof(out), "ok\n");
			} else {
				snprintf(out, sizeof(out), "error: bad settings\n");
			}
		} else if (!strncmp(buf, "stats", 5)) {
			pthread_mutex_lock(&sh->mu);
			snprintf(out, sizeof(out),
				 "ok %lld %lld %d %.9g %.9g %llu %llu %llu %llu %llu %.3f %llu %llu %llu %llu %llu %llu %llu %llu %.9g\n",
				 (long long)sh->p.delay_ns, (long long)sh->p.jitter_ns, sh->p.jitter_dist,
				 sh->p.loss, sh->p.rate, (unsigned long long)sh->limit,
				 (unsigned long long)sh->packets, (unsigned long long)sh->bytes,
				 (unsigned long long)sh->drops_queue, (unsigned long long)sh->drops_loss,
				 sh->late_n ? sh->late_sum_us / (double)sh->late_n : 0.0,
				 (unsigned long long)sh->late_hist[0], (unsigned long long)sh->late_hist[1],
				 (unsigned long long)sh->late_hist[2], (unsigned long long)sh->late_hist[3],
				 (unsigned long long)sh->late_hist[4], (unsigned long long)sh->late_hist[5],
				 (unsigned long long)sh->late_hist[6], (unsigned long long)sh->late_hist[7],
				 sh->p.rate_ba);
			pthread_mutex_unlock(&sh->mu);
		} else {
			snprintf(out, sizeof(out), "error: unknown command\n");
		}
		if (write(c, out, strlen(out)) < 0) {
			/* the client went away */
		}
		close(c);
	}
}

static void on_term(int sig)
{
	got_signal = sig;
}

int link_delayline_main(const char *statedir)
{
	struct link_spec l;
	struct shared sh;
	struct dir dirs[2];
	pthread_t th[2];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *spec_path, *sock, *pidp, *pidtxt;
	int fa = -1, fb = -1, lfd, rc;

	spec_path = mb_xasprintf("%s/spec.json", statedir);
	rc = link_spec_load(spec_path, &l, NULL, 0);
	free(spec_path);
	if (rc)
		return rc;
	/* Attach to both TUNs, each from inside its namespace. */
	{
		char ta[IFNAMSIZ], tb[IFNAMSIZ];
		struct link_end ea = l.a, eb = l.b;
		tun_name(l.a.ifname, ta, sizeof(ta));
		tun_name(l.b.ifname, tb, sizeof(tb));
		ea.ifname = ta;
		eb.ifname = tb;
		rc = tun_in_ns(&ea, false, &fa);
		if (!rc)
			rc = tun_in_ns(&eb, false, &fb);
	}
	if (!rc)
		rc = link_enter_netns(l.a.netns); /* live where end a lives */
	if (rc)
		return rc;
	for (int i = 0; i < 2; i++) {
		int fd = i ? fb : fa;
		unsigned off = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
		if (ioctl(fd, TUNSETOFFLOAD, off) < 0)
			mb_warn("TUNSETOFFLOAD: %s (slower: no segmentation offload)", strerror(errno));
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	}
	/* Precise wake-ups: no timer slack. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	memset(&sh, 0, sizeof(sh));
	pthread_mutex_init(&sh.mu, NULL);
	sh.limit = queue_for(&sh.p);
	sock = ctl_path(&l);
	unlink(sock);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	umask(0077);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 8) < 0)
		return mb_err_errno(MB_EINTERNAL, "control socket %s", sock);
	pidp = pid_path(&l);
	pidtxt = mb_xasprintf("%d\n", (int)getpid());
	if (mb_write_file_atomic(pidp, pidtxt, strlen(pidtxt)) != MB_OK)
		mb_warn("%s", mb_errmsg());
	free(pidtxt);
	memset(dirs, 0, sizeof(dirs));
	for (int i = 0; i < 2; i++) {
		dirs[i].in = i ? fb : fa;
		dirs[i].out = i ? fa : fb;
		dirs[i].sh = &sh;
		dirs[i].name = i ? "b->a" : "a->b";
		dirs[i].back = i == 1;
		dirs[i].pacer.rng = 0x1234567ULL + (uint64_t)i * 0x9e3779b97f4a7c15ULL + (uint64_t)getpid();
		dirs[i].tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (dl_ring_init(&dirs[i].ring, dl_ring_cap_for(sh.limit)) < 0 || dirs[i].tfd < 0)
			return mb_err_errno(MB_EINTERNAL, "delay line queue");
		pthread_create(&th[i], NULL, dir_thread, &dirs[i]);
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	mb_info("delay line of link %s: %s/%s <-> %s/%s, pid %d", l.name, ns_name(l.a.netns), l.a.ifname,
		ns_name(l.b.netns), l.b.ifname, (int)getpid());
	serve(lfd, &sh);
	sh.stop = 1;
	for (int i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		dl_ring_free(&dirs[i].ring);
		close(dirs[i].tfd);
	}
	close(lfd);
	unlink(sock);
	unlink(pidp);
	free(sock);
	free(pidp);
	close(fa);
	close(fb);
	return MB_OK;
}
