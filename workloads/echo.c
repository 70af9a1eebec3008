/* echo.c - the guest's UDP echo responder (migbench.echo=PORT): every
 * datagram that arrives is sent back to where it came from, unchanged.
 * The controller's probe (run/netprobe.c) sends one every 10 ms from the
 * host side and takes the longest gap between the replies as the service
 * downtime a client sees (mig_mon's method).  A SCHED_FIFO thread, below
 * the sampler, so it answers while the workload saturates the vCPU. */
#define _GNU_SOURCE
#include "workloads/wl.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int echo_fd = -1;

static void *echo_thread(void *arg)
{
	struct sched_param sp = { .sched_priority = 5 };
	char buf[2048];
	(void)arg;
	pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	for (;;) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(echo_fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			continue;
		(void)sendto(echo_fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
	}
	return NULL;
}

int wl_echo_start(int port, char *err, size_t len)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr = { htonl(INADDR_ANY) } };
	pthread_t th;
	echo_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (echo_fd < 0 || bind(echo_fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		snprintf(err, len, "cannot open the UDP echo port %d: %s", port, strerror(errno));
		return -1;
	}
	if (pthread_create(&th, NULL, echo_thread, NULL) != 0) {
		snprintf(err, len, "cannot start the echo thread");
		return -1;
	}
	pthread_detach(th);
	return 0;
}
