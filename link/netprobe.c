/* netprobe.c - netstream's sink and the UDP echo probe on the host side of
 * both sites (see netprobe.h).  The sockets are made inside each site's
 * network namespace (link_in_netns) and then served from one epoll thread
 * of the controller. */
#define _GNU_SOURCE
#include "link/netprobe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "core/util.h"
#include "link/link_int.h"

#define ECHO_MAGIC 0x6d626563u /* "mbec" */

/* epoll tags: kind in the high bits, the site or connection slot below */
enum { TAG_STOP = 1, TAG_TIMER, TAG_LISTEN, TAG_UDP, TAG_CONN };
#define TAG(k, i) (((uint64_t)(k) << 32) | (uint32_t)(i))

struct echo_msg {
	uint32_t magic;
	uint32_t site;
	uint64_t seq;
	int64_t tx_ns;
};

/* ---- sockets in a site ------------------------------------------------------- */

struct mk_sock {
	int type;                 /* SOCK_STREAM: the sink; SOCK_DGRAM: the probe */
	const char *addr;
	int port;
	int fd;
};

static int mk_sock_fn(void *arg)
{
	struct mk_sock *m = arg;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)m->port) };
	int one = 1;
	if (inet_pton(AF_INET, m->addr, &a.sin_addr) != 1)
		return mb_err(MB_EINTERNAL, "bad address %s", m->addr);
	m->fd = socket(AF_INET, m->type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (m->fd < 0)
		return mb_err_errno(MB_EINTERNAL, "socket");
	setsockopt(m->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(m->fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    (m->type == SOCK_STREAM && listen(m->fd, 8) < 0)) {
		int rc = mb_err_errno(MB_EFAILED, "binding %s:%d (is the lab's guest network up?)",
				      m->addr, m->port);
		close(m->fd);
		m->fd = -1;
		return rc;
	}
	return MB_OK;
}

static int open_in(const char *netns, int type, const char *addr, int port, int *fd)
{
	struct mk_sock m = { .type = type, .addr = addr, .port = port, .fd = -1 };
	int rc = link_in_netns(netns, mk_sock_fn, &m);
	*fd = m.fd;
	return rc ? mb_err_ctx(rc, "the %s in %s", type == SOCK_STREAM ? "sink" : "echo probe", netns)
		  : MB_OK;
}

static int watch(struct netprobe *np, int fd, uint64_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };
	return epoll_ctl(np->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? mb_err_errno(MB_EINTERNAL, "epoll_ctl")
							       : MB_OK;
}

/* ---- the thread -------------------------------------------------------------- */

static void send_round(struct netprobe *np)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons((uint16_t)np->p.echo_port) };
	uint64_t exp;
	int64_t now = mb_mono_ns();
	if (read(np->tfd, &exp, sizeof(exp)) < 0)
		return;
	if (inet_pton(AF_INET, np->p.guest_addr, &to.sin_addr) != 1)
		return;
	pthread_mutex_lock(&np->mu);
	if (np->nticks == np->capticks) {
		np->capticks = np->capticks ? 2 * np->capticks : 1024;
		np->ticks = mb_xrealloc(np->ticks, np->capticks * sizeof(*np->ticks));
	}
	np->ticks[np->nticks++] = now;
	np->seq++;
	pthread_mutex_unlock(&np->mu);
	for (int i = 0; i < 2; i++) {
		struct echo_msg m = { ECHO_MAGIC, (uint32_t)i, np->seq, now };
		/* No answer from the site the guest is not on: nothing to do. */
		(void)sendto(np->ufd[i], &m, sizeof(m), MSG_DONTWAIT, (struct sockaddr *)&to, sizeof(to));
	}
}

static void take_replies(struct netprobe *np, int site)
{
	struct echo_msg m;
	ssize_t n;
	while ((n = recv(np->ufd[site], &m, sizeof(m), MSG_DONTWAIT)) >= 0) {
		int64_t now = mb_mono_ns();
		if (n != (ssize_t)sizeof(m) || m.magic != ECHO_MAGIC)
			continue;
		pthread_mutex_lock(&np->mu);
		if (np->nrep == np->caprep) {
			np->caprep = np->caprep ? 2 * np->caprep : 1024;
			np->rep = mb_xrealloc(np->rep, np->caprep * sizeof(*np->rep));
		}
		np->rep[np->nrep++] = (struct np_reply){ now, now - m.tx_ns, m.seq, site };
		pthread_mutex_unlock(&np->mu);
	}
}

static void accept_conn(struct netprobe *np, int site)
{
	int fd = accept4(np->lfd[site], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	int slot = -1;
	if (fd < 0)
		return;
	for (int i = 0; i < NP_MAX_CONN && slot < 0; i++)
		if (np->conn[i] < 0)
			slot = i;
	if (slot < 0 || watch(np, fd, TAG(TAG_CONN, slot)) != MB_OK) {
		close(fd);
		return;
	}
	np->conn[slot] = fd;
	np->conn_site[slot] = site;
	pthread_mutex_lock(&np->mu);
	np->sink_conns[site]++;
	pthread_mutex_unlock(&np->mu);
}

static void drain_conn(struct netprobe *np, int slot)
{
	ssize_t n;
	uint64_t got = 0;
	while ((n = read(np->conn[slot], np->rxbuf, NP_RXBUF)) > 0)
		got += (uint64_t)n;
	pthread_mutex_lock(&np->mu);
	np->sink_bytes[np->conn_site[slot]] += got;
	pthread_mutex_unlock(&np->mu);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		close(np->conn[slot]); /* also leaves the epoll set */
		np->conn[slot] = -1;
	}
}

static void *np_thread(void *arg)
{
	struct netprobe *np = arg;
	struct epoll_event ev[16];
	for (;;) {
		int n = epoll_wait(np->epfd, ev, 16, -1);
		for (int i = 0; i < n; i++) {
			int kind = (int)(ev[i].data.u64 >> 32), idx = (int)(uint32_t)ev[i].data.u64;
			switch (kind) {
			case TAG_STOP: return NULL;
			case TAG_TIMER: send_round(np); break;
			case TAG_LISTEN: accept_conn(np, idx); break;
			case TAG_UDP: take_replies(np, idx); break;
			case TAG_CONN: drain_conn(np, idx); break;
			default: break;
			}
		}
	}
	return NULL;
}

/* ---- start, stop --------------------------------------------------------------- */

static int open_all(struct netprobe *np)
{
	const struct np_params *p = &np->p;
	struct itimerspec it = { { p->interval_ns / MB_NSEC_PER_SEC, p->interval_ns % MB_NSEC_PER_SEC },
				 { p->interval_ns / MB_NSEC_PER_SEC, p->interval_ns % MB_NSEC_PER_SEC } };
	int rc = MB_OK;
	np->epfd = epoll_create1(EPOLL_CLOEXEC);
	np->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (np->epfd < 0 || np->efd < 0)
		return mb_err_errno(MB_EINTERNAL, "epoll/eventfd");
	rc = watch(np, np->efd, TAG(TAG_STOP, 0));
	for (int i = 0; i < 2 && !rc; i++) {
		if (p->sink_port) {
			rc = open_in(p->netns[i], SOCK_STREAM, p->host_addr, p->sink_port, &np->lfd[i]);
			if (!rc)
				rc = watch(np, np->lfd[i], TAG(TAG_LISTEN, i));
		}
		if (!rc && p->probe_port) {
			rc = open_in(p->netns[i], SOCK_DGRAM, p->host_addr, p->probe_port, &np->ufd[i]);
			if (!rc)
				rc = watch(np, np->ufd[i], TAG(TAG_UDP, i));
		}
	}
	if (!rc && p->probe_port) {
		np->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (np->tfd < 0 || timerfd_settime(np->tfd, 0, &it, NULL) < 0)
			return mb_err_errno(MB_EINTERNAL, "timerfd");
		rc = watch(np, np->tfd, TAG(TAG_TIMER, 0));
	}
	return rc;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void close_all(struct netprobe *np)
{
	for (int i = 0; i < 2; i++) {
		close_fd(&np->lfd[i]);
		close_fd(&np->ufd[i]);
	}
	for (int i = 0; i < NP_MAX_CONN; i++)
		close_fd(&np->conn[i]);
	close_fd(&np->tfd);
	close_fd(&np->efd);
	close_fd(&np->epfd);
}

int np_start(struct netprobe *np, const struct np_params *p)
{
	int rc;
	memset(np, 0, sizeof(*np));
	np->p = *p;
	np->lfd[0] = np->lfd[1] = np->ufd[0] = np->ufd[1] = -1;
	np->tfd = np->efd = np->epfd = -1;
	for (int i = 0; i < NP_MAX_CONN; i++)
		np->conn[i] = -1;
	if (p->probe_port && p->interval_ns <= 0)
		return mb_err(MB_EINTERNAL, "echo probe interval %lld ns", (long long)p->interval_ns);
	pthread_mutex_init(&np->mu, NULL);
	np->rxbuf = mb_xmalloc(NP_RXBUF);
	rc = open_all(np);
	if (!rc && pthread_create(&np->th, NULL, np_thread, np) != 0)
		rc = mb_err(MB_EINTERNAL, "cannot start the network probe's thread");
	if (rc) {
		close_all(np);
		free(np->rxbuf);
		np->rxbuf = NULL;
		pthread_mutex_destroy(&np->mu);
		return rc;
	}
	np->running = true;
	return MB_OK;
}

void np_stop(struct netprobe *np)
{
	uint64_t one = 1;
	if (!np->running)
		return;
	/* epoll_wait is a cancellation point: the fallback if the wakeup fails. */
	if (write(np->efd, &one, sizeof(one)) < 0)
		pthread_cancel(np->th);
	pthread_join(np->th, NULL);
	close_all(np);
	pthread_mutex_destroy(&np->mu);
	free(np->rxbuf);
	free(np->ticks);
	free(np->rep);
	memset(np, 0, sizeof(*np));
}

/* ---- figures ------------------------------------------------------------------ */

double np_longest_gap(const int64_t *rx, size_t n, int64_t from, int64_t to, int64_t *gap_start,
		      bool *recovered)
{
	int64_t prev = from, best = -1;
	size_t i = 0;
	*gap_start = from;
	*recovered = false;
	for (; i < n && rx[i] < from; i++)
		prev = rx[i];
	for (; i < n && rx[i] <= to; i++) {
		if (rx[i] - prev > best) {
			best = rx[i] - prev;
			*gap_start = prev;
			*recovered = true;
		}
		prev = rx[i];
	}
	if (to - prev > best) {
		best = to - prev;
		*gap_start = prev;
		*recovered = false;
	}
	return (double)best / 1e9;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

void np_summarize(struct netprobe *np, int64_t from, int64_t to, struct np_summary *out)
{
	int64_t *rx, *rtt;
	unsigned char *seen;
	size_t n = 0;
	memset(out, 0, sizeof(*out));
	out->gap_s = out->rtt_median_s = out->rtt_max_s = NAN;
	if (!np->running)
		return;
	pthread_mutex_lock(&np->mu);
	/* Round k (seq k) went out at ticks[k - 1]. */
	seen = mb_xcalloc(np->nticks + 1, 1);
	for (size_t i = 0; i < np->nticks; i++)
		out->requests += np->ticks[i] >= from && np->ticks[i] <= to;
	rx = mb_xcalloc(np->nrep + 1, sizeof(*rx));
	rtt = mb_xcalloc(np->nrep + 1, sizeof(*rtt));
	for (size_t i = 0; i < np->nrep; i++) {
		const struct np_reply *r = &np->rep[i];
		rx[i] = r->rx_ns;
		if (r->rx_ns >= from && r->rx_ns <= to) {
			out->replies_site[r->site]++;
			rtt[n++] = r->rtt_ns;
		}
		/* A round is answered when a reply to it came back in the window
		 * (a request queued on the destination's tap before the guest
		 * resumed there is answered a second time, late). */
		if (r->seq >= 1 && r->seq <= np->nticks && np->ticks[r->seq - 1] >= from &&
		    np->ticks[r->seq - 1] <= to && r->rx_ns <= to && !seen[r->seq]) {
			seen[r->seq] = 1;
			out->answered++;
		}
	}
	out->replies = out->replies_site[0] + out->replies_site[1];
	for (int i = 0; i < 2; i++) {
		out->sink_bytes[i] = np->sink_bytes[i];
		out->sink_conns[i] = np->sink_conns[i];
	}
	if (np->p.probe_port)
		out->gap_s = np_longest_gap(rx, np->nrep, from, to, &out->gap_start_ns, &out->recovered);
	pthread_mutex_unlock(&np->mu);
	if (n) {
		qsort(rtt, n, sizeof(*rtt), cmp_i64);
		out->rtt_median_s = (double)rtt[n / 2] / 1e9;
		out->rtt_max_s = (double)rtt[n - 1] / 1e9;
	}
	free(seen);
	free(rx);
	free(rtt);
}
