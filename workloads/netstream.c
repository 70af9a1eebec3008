/* netstream.c - the network workload (the study's seed-000 network case):
 * one TCP stream from the guest to the sink at migbench.sink (ADDR:PORT,
 * on the host side of the site the guest runs on), counting the bytes the
 * guest's socket accepted.  When the connection breaks (after a migration
 * the destination site's sink answers the old connection with a reset) or
 * cannot be made, it reconnects every 50 ms, reporting each connection in
 * a "connect" event. */
#define _GNU_SOURCE
#include "workloads/wl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64 * 1024)
#define RETRY_NS 50000000L

static struct sockaddr_in sink;
static char *chunk;

int wl_parse_hostport(const char *s, struct sockaddr_in *out)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	char *end;
	long port;
	if (!colon || colon == s || (size_t)(colon - s) >= sizeof(host))
		return -1;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - s), s);
	port = strtol(colon + 1, &end, 10);
	if (*end || port <= 0 || port > 65535)
		return -1;
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &out->sin_addr) == 1 ? 0 : -1;
}

static int netstream_setup(const struct wl_params *p, char *err, size_t len)
{
	if (!p->sink[0] || wl_parse_hostport(p->sink, &sink) < 0) {
		snprintf(err, len, "netstream needs migbench.sink=ADDR:PORT (got '%s')", p->sink);
		return -1;
	}
	chunk = malloc(CHUNK);
	if (!chunk) {
		snprintf(err, len, "cannot allocate the send buffer");
		return -1;
	}
	/* Not all zeros: nothing on the way may shortcut them. */
	for (size_t i = 0; i < CHUNK; i++)
		chunk[i] = (char)(i * 131 + 7);
	return 0;
}

static int connect_sink(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)&sink, sizeof(sink)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int netstream_run(const struct wl_params *p, char *err, size_t len)
{
	struct timespec retry = { 0, RETRY_NS };
	unsigned long connects = 0;
	(void)p;
	(void)err;
	(void)len;
	for (;;) {
		int fd = connect_sink();
		char text[64];
		if (fd < 0) {
			nanosleep(&retry, NULL);
			continue;
		}
		snprintf(text, sizeof(text), "n=%lu", ++connects);
		wl_event("connect", text);
		for (;;) {
			ssize_t n = send(fd, chunk, CHUNK, MSG_NOSIGNAL);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			atomic_fetch_add_explicit(&wl_progress, (uint64_t)n, memory_order_relaxed);
		}
		close(fd);
	}
	return 0;
}

static void netstream_describe(const struct wl_params *p, char *buf, size_t len)
{
	snprintf(buf, len, "sink=%s chunk=%d", p->sink, CHUNK);
}

const struct wl_ops wl_netstream = { "netstream", "B", netstream_setup, netstream_run,
				     netstream_describe };
