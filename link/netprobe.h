/* netprobe.h - the host side of the guest network (nic = yes): netstream's
 * TCP sink and the UDP echo probe of the service, each in every site at
 * the same address (the guest's network is local to the site it runs on,
 * lab/lab.h).  One thread serves the sockets of both sites: it accepts and
 * drains the sink's connections, counting bytes per site, and every
 * interval sends one echo request from each site to the guest, recording
 * the time every reply comes back (mig_mon's method).  The service
 * downtime is the longest gap between those replies. */
#ifndef MB_NETPROBE_H
#define MB_NETPROBE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define NP_MAX_CONN 32
#define NP_RXBUF (256 * 1024)

struct np_params {
	const char *netns[2];     /* the sites' network namespaces */
	const char *host_addr;    /* the sites' address (sink, probe source) */
	const char *guest_addr;   /* the guest's address (probe target) */
	int sink_port;            /* 0 = no sink */
	int probe_port;           /* the probe's source port, 0 = no probe */
	int echo_port;            /* the guest's echo responder */
	int64_t interval_ns;      /* between echo requests */
};

struct np_reply {
	int64_t rx_ns;            /* host monotonic time it came back */
	int64_t rtt_ns;
	uint64_t seq;             /* the round it answers (both sites send each round) */
	int site;                 /* the site it came back to */
};

struct netprobe {
	bool running;
	struct np_params p;
	int lfd[2], ufd[2], tfd, efd, epfd;
	int conn[NP_MAX_CONN], conn_site[NP_MAX_CONN];
 	char *rxbuf;              /* the thread's, NP_RXBUF bytes */
	pthread_t th;
	pthread_mutex_t mu;       /* guards what follows */
	uint64_t sink_bytes[2];
	int64_t sink_conns[2];
	int64_t *ticks;           /* when each round of requests went out */
	size_t nticks, capticks;
	struct np_reply *rep;
	size_t nrep, caprep;
	uint64_t seq;
};

/* Open the sockets in both sites and start the thread. */
int np_start(struct netprobe *np, const struct np_params *p) MB_WUR;
/* Stop the thread, close everything, free the records (idempotent; a
 * zeroed struct is stopped). */
void np_stop(struct netprobe *np);

/* What the probe saw in the window [from, to] (host monotonic ns). */
struct np_summary {
	uint64_t requests, replies, replies_site[2];
	uint64_t answered;        /* rounds in the window with at least one reply */
	double gap_s;             /* longest gap between replies */
	int64_t gap_start_ns;     /* the reply (or window start) before it */
	bool recovered;           /* a reply ended it (else the window did) */
	double rtt_median_s, rtt_max_s;
	uint64_t sink_bytes[2];
	int64_t sink_conns[2];
};
void np_summarize(struct netprobe *np, int64_t from, int64_t to, struct np_summary *out);

/* The longest gap between reply times rx[0..n) (ascending) within
 * [from, to]: the last reply before from, if any, opens the window, and
 * the window's end closes it when no reply comes after the gap (then
 * *recovered is false).  No reply at all: the whole window. */
double np_longest_gap(const int64_t *rx, size_t n, int64_t from, int64_t to, int64_t *gap_start,
		      bool *recovered);

#endif
