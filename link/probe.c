/* probe.c - measure a link the way the study's Table 2 did: round-trip time
 * (TCP ping-pong of one byte, TCP_NODELAY, timed with CLOCK_MONOTONIC on
 * the client) and single-stream TCP throughput a -> b.  The server runs in
 * a thread inside b's namespace, the client in a thread inside a's; every
 * socket has a deadline, so a cut link gives an error, not a hang. */
#define _GNU_SOURCE
#include "link/link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/util.h"
#include "link/link_int.h"

#define CHUNK (256 * 1024)

struct probe_ctx {
	const struct link_spec *l;
	const struct probe_opts *o;
	int lfd;                /* listening socket (made in b's namespace) */
	int port;
	/* server results */
	uint64_t sink_bytes, sink_late_bytes;
	int64_t sink_first_ns, sink_last_ns;
	struct mb_error srv_err; /* the server thread's failure, restored by link_probe */
	/* client results */
	double *rtts;
	int nrtt;
	int64_t send_start_ns;
};

static void set_timeouts(int fd, int secs)
{
	struct timeval tv = { .tv_sec = secs };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int accept_within(int lfd, int ms)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	if (poll(&p, 1, ms) <= 0)
		return -1;
	return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
}

/* Listening socket on b's address, in b's namespace. */
static int listen_fn(void *arg)
{
	struct probe_ctx *c = arg;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)c->o->port) };
	socklen_t len = sizeof(sa);
	int one = 1;
	c->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->lfd < 0)
		return mb_err_errno(MB_EINTERNAL, "probe: socket");
	setsockopt(c->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (inet_pton(AF_INET, c->l->b.addr, &sa.sin_addr) != 1)
		return mb_err(MB_EINTERNAL, "probe: bad address %s", c->l->b.addr);
	if (bind(c->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(c->lfd, 4) < 0)
		return mb_err_errno(MB_EINTERNAL, "probe: cannot listen on %s", c->l->b.addr);
	getsockname(c->lfd, (struct sockaddr *)&sa, &len);
	c->port = ntohs(sa.sin_port);
	return MB_OK;
}

static int serve(struct probe_ctx *c)
{
	int64_t limit_ms = 10000 + c->o->duration_ns / 1000000 + c->o->rtt_count * 1000;
	char *buf = mb_xmalloc(CHUNK);
	int fd, rc = MB_OK;
	/* 1: echo for the RTT pings. */
	fd = accept_within(c->lfd, (int)limit_ms);
	if (fd < 0) {
		rc = mb_err(MB_EFAILED, "probe: no connection arrived from %s", c->l->a.addr);
		goto out;
	}
	set_timeouts(fd, 10);
	for (;;) {
		char b;
		ssize_t n = read(fd, &b, 1);
		if (n <= 0 || write(fd, &b, 1) != 1)
			break;
	}
	close(fd);
	/* 2: sink for the throughput test. */
	fd = accept_within(c->lfd, (int)limit_ms);
	if (fd < 0) {
		rc = mb_err(MB_EFAILED, "probe: the throughput connection did not arrive");
		goto out;
	}
	set_timeouts(fd, 10);
	for (;;) {
		ssize_t n = read(fd, buf, CHUNK);
		int64_t now;
		if (n <= 0)
			break;
		now = mb_mono_ns();
		if (!c->sink_first_ns)
			c->sink_first_ns = now;
		c->sink_last_ns = now;
		c->sink_bytes += (uint64_t)n;
		{
			/* Steady state: what arrives in the second half of the test. */
			int64_t t0 = __atomic_load_n(&c->send_start_ns, __ATOMIC_ACQUIRE);
			if (t0 && now - t0 >= c->o->duration_ns / 2 && now - t0 < c->o->duration_ns)
				c->sink_late_bytes += (uint64_t)n;
		}
	}
	close(fd);
out:
	free(buf);
	return rc;
}

static void *server(void *arg)
{
	struct probe_ctx *c = arg;
	mb_err_save(&c->srv_err, serve(c));
	return NULL;
}

static int connect_to(struct probe_ctx *c, int *out)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)c->port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1, err = 0;
	socklen_t el = sizeof(err);
	struct pollfd p;
	inet_pton(AF_INET, c->l->b.addr, &sa.sin_addr);
	if (fd < 0)
		return mb_err_errno(MB_EINTERNAL, "probe: socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		int rc = mb_err_errno(MB_EFAILED, "probe: cannot connect to %s", c->l->b.addr);
		close(fd);
		return rc;
	}
	p = (struct pollfd){ .fd = fd, .events = POLLOUT };
	if (poll(&p, 1, 5000) <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err) {
		close(fd);
		return mb_err(MB_EFAILED, "probe: cannot reach %s:%d over link %s (%s)", c->l->b.addr,
			      c->port, c->l->name, err ? strerror(err) : "timed out");
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	set_timeouts(fd, 5);
	*out = fd;
	return MB_OK;
}

static int client_fn(void *arg)
{
	struct probe_ctx *c = arg;
	char *buf;
	int fd, rc;
	int64_t end, budget;

	/* RTT: one byte there and back, n times (within ~3 s). */
	rc = connect_to(c, &fd);
	if (rc)
		return rc;
	budget = mb_mono_ns() + 3 * MB_NSEC_PER_SEC;
	for (int i = 0; i < c->o->rtt_count && (i < 5 || mb_mono_ns() < budget); i++) {
		char b = (char)i;
		int64_t t0 = mb_mono_ns();
		if (write(fd, &b, 1) != 1 || read(fd, &b, 1) != 1) {
			close(fd);
			return mb_err(MB_EFAILED, "probe: the link %s stopped answering after %d pings",
				      c->l->name, i);
		}
		c->rtts[c->nrtt++] = (double)(mb_mono_ns() - t0) / 1e9;
	}
	close(fd);
	/* Throughput: write as fast as TCP takes it for the duration. */
	rc = connect_to(c, &fd);
	if (rc)
		return rc;
	buf = mb_xcalloc(1, CHUNK);
	end = mb_mono_ns();
	__atomic_store_n(&c->send_start_ns, end, __ATOMIC_RELEASE);
	end += c->o->duration_ns;
	while (mb_mono_ns() < end) {
		if (write(fd, buf, CHUNK) < 0) {
			free(buf);
			close(fd);
			return mb_err_errno(MB_EFAILED, "probe: sending over link %s", c->l->name);
		}
	}
	free(buf);
	close(fd);
	return MB_OK;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int link_probe(const struct link_spec *l, const struct probe_opts *o_in, struct probe_result *r)
{
	struct probe_opts o = *o_in;
	struct probe_ctx c;
	pthread_t th;
	int64_t t0 = mb_mono_ns();
	int rc;

	memset(r, 0, sizeof(*r));
	if (!l->b.ifname || !l->b.addr || !l->a.addr)
		return mb_err(MB_EUNSUPP, "the probe needs both ends of link %s on this machine", l->name);
	if (o.rtt_count <= 0)
		o.rtt_count = 50;
	if (o.duration_ns <= 0)
		o.duration_ns = 2 * MB_NSEC_PER_SEC;
	memset(&c, 0, sizeof(c));
	c.l = l;
	c.o = &o;
	c.lfd = -1;
	c.rtts = mb_xcalloc((size_t)o.rtt_count, sizeof(double));
	rc = link_in_netns(l->b.netns, listen_fn, &c);
	if (rc) {
		if (c.lfd >= 0)
			close(c.lfd);
		free(c.rtts);
		return rc;
	}
	if (pthread_create(&th, NULL, server, &c) != 0) {
		close(c.lfd);
		free(c.rtts);
		return mb_err(MB_EINTERNAL, "probe: cannot start a thread");
	}
	rc = link_in_netns(l->a.netns, client_fn, &c);
	if (rc)
		shutdown(c.lfd, SHUT_RDWR); /* unblock the server */
	pthread_join(th, NULL);
	close(c.lfd);
	if (!rc && c.srv_err.rc)
		rc = mb_err_restore(&c.srv_err);
	if (!rc && c.nrtt) {
		double sum = 0;
		qsort(c.rtts, (size_t)c.nrtt, sizeof(double), cmp_double);
		for (int i = 0; i < c.nrtt; i++)
			sum += c.rtts[i];
		r->rtt_n = c.nrtt;
		r->rtt_min_s = c.rtts[0];
		r->rtt_max_s = c.rtts[c.nrtt - 1];
		r->rtt_avg_s = sum / c.nrtt;
		r->rtt_p50_s = c.rtts[c.nrtt / 2];
		r->rtt_p99_s = c.rtts[(int)ceil(0.99 * c.nrtt) - 1];
		r->tcp_bytes = c.sink_bytes;
		r->tcp_seconds = (double)o.duration_ns / 1e9;
		r->tcp_bytes_per_s = (double)c.sink_bytes / r->tcp_seconds;
		r->tcp_steady_bytes_per_s = (double)c.sink_late_bytes / (r->tcp_seconds / 2);
	}
	r->took_s = (double)(mb_mono_ns() - t0) / 1e9;
	free(c.rtts);
	return rc;
}
