/* dl_daemon.c - the delay line process, `migbench delayline --dir
 * STATEDIR` (see delayline.c for the design): attached to the link's two
 * TUNs, one thread per direction holds each packet for its due time, and
 * the main thread answers the control socket (dl_proto.h). */
#define _GNU_SOURCE
#include "link/link.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
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
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "link/dl_proto.h"
#include "link/dl_queue.h"
#include "link/dl_tun.h"
#include "link/link_int.h"

/* Wake this long before a release and spin to it: waking a vCPU that has
 * idled for tens of milliseconds can take a few hundred microseconds. */
#define SPIN_NS (400 * 1000LL)
/* How long a client may take to send its request. */
#define REQUEST_TIMEOUT_MS 1000

/* Counts of one direction since it last published them, or of both. */
struct counts {
	uint64_t packets, bytes, drops_queue, drops_loss;
	uint64_t late_hist[DL_LATE_BUCKETS];
	double late_sum_us;
	uint64_t late_n;
};

/* What the control thread and both direction threads share (under mu). */
struct shared {
	pthread_mutex_t mu;
	struct link_params p;
	uint64_t limit;               /* queue bytes per direction in effect */
	struct counts total;
	volatile int stop;
};

struct dir {
	int in, out;                  /* the TUN read from, the TUN written to */
	struct shared *sh;
	struct dl_ring ring;
	uint64_t ring_limit;          /* the limit the ring is sized for */
	struct dl_pacer pacer;
	int tfd;                      /* timerfd: the next release */
	struct counts c;              /* not yet published */
	const char *name;
	bool back;                    /* the b->a direction: rate_ba caps it */
};

static int late_bucket(int64_t late_ns)
{
	static const int64_t edges[DL_LATE_BUCKETS - 1] = { 50000, 100000, 250000, 500000, 1000000, 2000000,
							    5000000 };
	for (int i = 0; i < DL_LATE_BUCKETS - 1; i++)
		if (late_ns < edges[i])
			return i;
	return DL_LATE_BUCKETS - 1;
}

/* Publish this direction's counts and take the settings in effect. */
static void sync_shared(struct dir *d, struct dl_shape *s, uint64_t *limit)
{
	struct shared *sh = d->sh;
	pthread_mutex_lock(&sh->mu);
	s->one_way_ns = sh->p.delay_ns / 2;
	s->jitter_ns = sh->p.jitter_ns;
	s->dist = sh->p.jitter_dist;
	s->loss = sh->p.loss;
	s->rate = d->back ? sh->p.rate_ba : sh->p.rate;
	*limit = sh->limit;
	sh->total.packets += d->c.packets;
	sh->total.bytes += d->c.bytes;
	sh->total.drops_queue += d->c.drops_queue;
	sh->total.drops_loss += d->c.drops_loss;
	for (int i = 0; i < DL_LATE_BUCKETS; i++)
		sh->total.late_hist[i] += d->c.late_hist[i];
	sh->total.late_sum_us += d->c.late_sum_us;
	sh->total.late_n += d->c.late_n;
	pthread_mutex_unlock(&sh->mu);
	memset(&d->c, 0, sizeof(d->c));
}

/* Take in everything waiting on the TUN, stamped with its due time. */
static void take_in(struct dir *d, const struct dl_shape *shape, uint64_t limit)
{
	static __thread uint8_t scratch[DL_MAX_PKT];
	for (;;) {
		uint8_t *slot = dl_ring_reserve(&d->ring);
		ssize_t r = read(d->in, slot ? slot : scratch, DL_MAX_PKT);
		int64_t now;
		if (r <= 0)
			break;
		now = mb_mono_ns();
		if (!slot || d->ring.bytes + (uint64_t)r > limit) {
			d->c.drops_queue++; /* the queue is full: tail drop */
			continue;
		}
		if (dl_lose(&d->pacer, shape->loss)) {
			d->c.drops_loss++;
			continue;
		}
		dl_ring_commit(&d->ring, (uint32_t)r, dl_due(&d->pacer, shape, now, (uint32_t)r));
	}
}

/* Release what is due (spinning over the last stretch). */
static void release(struct dir *d)
{
	int64_t now = mb_mono_ns();
	for (;;) {
		uint32_t len;
		int64_t due;
		const uint8_t *pkt = dl_ring_peek(&d->ring, &len, &due);
		if (!pkt || due > now + SPIN_NS)
			break;
		while (now < due)
			now = mb_mono_ns();
		if (write(d->out, pkt, len) > 0) {
			d->c.packets++;
			d->c.bytes += len;
		}
		d->c.late_hist[late_bucket(now - due)]++;
		d->c.late_sum_us += (double)(now - due) / 1e3;
		d->c.late_n++;
		dl_ring_pop(&d->ring);
		now = mb_mono_ns();
	}
}

/* Set the timer just before the next release (none: the next packet in
 * wakes the thread). */
static void arm_timer(struct dir *d)
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

static void *dir_thread(void *arg)
{
	struct dir *d = arg;
	struct epoll_event ev = { .events = EPOLLIN };
	int ep = epoll_create1(EPOLL_CLOEXEC);
	/* Releases must happen on time even when the machine is busy: the
	 * direction threads run at real-time priority (root; best effort). */
	struct sched_param sp = { .sched_priority = 20 };
	if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) != 0)
		mb_debug("delay line %s: no real-time priority", d->name);
	ev.data.fd = d->in;
	epoll_ctl(ep, EPOLL_CTL_ADD, d->in, &ev);
	ev.data.fd = d->tfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, d->tfd, &ev);
	while (!d->sh->stop) {
		struct epoll_event evs[4];
		struct dl_shape shape;
		uint64_t limit, exp;
		(void)epoll_wait(ep, evs, 4, 200);
		sync_shared(d, &shape, &limit);
		/* Memory follows the queue limit (a ring sized for it). */
		if (limit != d->ring_limit &&
		    dl_ring_resize(&d->ring, dl_ring_cap_for(limit), &d->c.drops_queue) == 0)
			d->ring_limit = limit;
		/* Clear the timer's expiry (release looks at the clock); not
		 * expired is fine. */
		if (read(d->tfd, &exp, sizeof(exp)) < 0 && errno != EAGAIN)
			mb_debug("delay line %s: timerfd: %s", d->name, strerror(errno));
		take_in(d, &shape, limit);
		release(d);
		arm_timer(d);
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

/* ---- the control socket ------------------------------------------------------- */

static void run_request(struct shared *sh, const struct dl_request *rq, struct dl_reply *rp)
{
	pthread_mutex_lock(&sh->mu);
	switch (rq->cmd) {
	case DL_CMD_PING:
		break;
	case DL_CMD_QUIT:
		sh->stop = 1;
		break;
	case DL_CMD_SET:
		sh->p = rq->set;
		sh->limit = queue_for(&rq->set);
		break;
	case DL_CMD_STATS:
		rp->has_stats = true;
		rp->stats.p = sh->p;
		rp->stats.limit = sh->limit;
		rp->stats.packets = sh->total.packets;
		rp->stats.bytes = sh->total.bytes;
		rp->stats.drops_queue = sh->total.drops_queue;
		rp->stats.drops_loss = sh->total.drops_loss;
		rp->stats.late_avg_us = sh->total.late_n ? sh->total.late_sum_us / (double)sh->total.late_n : 0.0;
		memcpy(rp->stats.late_hist, sh->total.late_hist, sizeof(rp->stats.late_hist));
		break;
	}
	pthread_mutex_unlock(&sh->mu);
}

/* One connection: one request, one reply; a malformed request gets an
 * error reply that says what is wrong with it. */
static void answer(int c, struct shared *sh)
{
	struct dl_request rq;
	struct dl_reply rp = { .ok = true };
	char *msg = NULL, *out;
	size_t len;
	int rc = dl_recv(c, REQUEST_TIMEOUT_MS, &msg, &len);
	if (!rc)
		rc = dl_request_from_json(msg, len, &rq);
	if (!rc) {
		run_request(sh, &rq, &rp);
	} else {
		mb_warn("control request refused: %s", mb_errmsg());
		rp.ok = false;
		rp.error = mb_xstrdup(mb_errmsg());
	}
	out = dl_reply_to_json(&rp);
	if (dl_send(c, out) != MB_OK)
		mb_debug("%s (the client went away)", mb_errmsg());
	free(out);
	free(rp.error);
	free(msg);
}

static volatile sig_atomic_t got_signal;

static void on_term(int sig)
{
	got_signal = sig;
}

static void serve(int lfd, struct shared *sh)
{
	while (!sh->stop && !got_signal) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		int c;
		if (poll(&p, 1, 500) <= 0)
			continue;
		c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		answer(c, sh);
		close(c);
	}
}

/* The listening control socket in the state directory (owner only). */
static int listen_ctl(const char *sock, int *out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd;
	if (strlen(sock) >= sizeof(sa.sun_path))
		return mb_err(MB_EINTERNAL, "control socket path %s is too long for a unix socket", sock);
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	unlink(sock);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	umask(0077);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 8) < 0) {
		int rc = mb_err_errno(MB_EINTERNAL, "control socket %s", sock);
		if (lfd >= 0)
			close(lfd);
		return rc;
	}
	*out = lfd;
	return MB_OK;
}

/* ---- the process -------------------------------------------------------------- */

/* Attach to both TUNs, each from inside its namespace, then live where end
 * a lives; segmentation offload on, non-blocking. */
static int attach(const struct link_spec *l, int fd[2])
{
	int rc = MB_OK;
	fd[0] = fd[1] = -1;
	for (int i = 0; i < 2 && !rc; i++) {
		char tun[IFNAMSIZ];
		struct link_end e = i ? l->b : l->a;
		dl_tun_name(e.ifname, tun, sizeof(tun));
		e.ifname = tun;
		rc = dl_tun_open(&e, false, &fd[i]);
	}
	if (!rc)
		rc = link_enter_netns(l->a.netns);
	for (int i = 0; i < 2 && !rc; i++) {
		unsigned off = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
		if (ioctl(fd[i], TUNSETOFFLOAD, off) < 0)
			mb_warn("TUNSETOFFLOAD: %s (slower: no segmentation offload)", strerror(errno));
		fcntl(fd[i], F_SETFL, fcntl(fd[i], F_GETFL) | O_NONBLOCK);
	}
	return rc;
}

static int load_spec(const char *statedir, struct link_spec *l)
{
	char *spec = mb_xasprintf("%s/spec.json", statedir);
	int rc = link_spec_load(spec, l, NULL, 0);
	if (!rc && (!l->statedir || !l->b.ifname)) {
		rc = mb_err(MB_EINPUT, "%s: a delay line needs a state directory and both ends", spec);
		link_spec_free(l);
	}
	free(spec);
	return rc;
}

static const char *ns_name(const char *netns)
{
	const char *s = netns ? strrchr(netns, '/') : NULL;
	return s ? s + 1 : netns;
}

/* Relay until quit or a signal. */
static int relay(const struct link_spec *l, const int fd[2], int lfd)
{
	struct shared sh;
	struct dir dirs[2];
	pthread_t th[2];
	int started = 0, rc = MB_OK;
	memset(&sh, 0, sizeof(sh));
	memset(dirs, 0, sizeof(dirs));
	pthread_mutex_init(&sh.mu, NULL);
	sh.limit = queue_for(&sh.p);
	dirs[0].tfd = dirs[1].tfd = -1;
	for (int i = 0; i < 2 && !rc; i++) {
		struct dir *d = &dirs[i];
		d->in = fd[i];
		d->out = fd[1 - i];
		d->sh = &sh;
		d->name = i ? "b->a" : "a->b";
		d->back = i == 1;
		d->pacer.rng = 0x1234567ULL + (uint64_t)i * 0x9e3779b97f4a7c15ULL + (uint64_t)getpid();
		d->ring_limit = sh.limit;
		d->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (d->tfd < 0 || dl_ring_init(&d->ring, dl_ring_cap_for(sh.limit)) < 0)
			rc = mb_err_errno(MB_EINTERNAL, "delay line queue");
		else if (pthread_create(&th[i], NULL, dir_thread, d) != 0)
			rc = mb_err(MB_EINTERNAL, "cannot start a thread");
		else
			started++;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	mb_info("delay line of link %s: %s/%s <-> %s/%s, pid %d", l->name, ns_name(l->a.netns), l->a.ifname,
		ns_name(l->b.netns), l->b.ifname, (int)getpid());
	if (!rc)
		serve(lfd, &sh);
	sh.stop = 1;
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 2; i++) {
		dl_ring_free(&dirs[i].ring);
		if (dirs[i].tfd >= 0)
			close(dirs[i].tfd);
	}
	return rc;
}

int link_delayline_main(const char *statedir)
{
	struct link_spec l;
	char *sock = NULL, *pidp = NULL, *pidtxt;
	int fd[2] = { -1, -1 }, lfd = -1, rc;

	rc = load_spec(statedir, &l);
	if (rc)
		return rc;
	rc = attach(&l, fd);
	/* Precise wake-ups: no timer slack. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	sock = dl_ctl_path(l.statedir);
	if (!rc)
		rc = listen_ctl(sock, &lfd);
	if (!rc) {
		pidp = dl_pid_path(l.statedir);
		pidtxt = mb_xasprintf("%d\n", (int)getpid());
		if (mb_write_file_atomic(pidp, pidtxt, strlen(pidtxt)) != MB_OK)
			mb_warn("%s", mb_errmsg());
		free(pidtxt);
		rc = relay(&l, fd, lfd);
		close(lfd);
		unlink(sock);
		unlink(pidp);
	}
	free(sock);
	free(pidp);
	for (int i = 0; i < 2; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	link_spec_free(&l);
	return rc;
}
