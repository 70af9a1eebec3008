/* dl_tun.c - open the delay line's TUN devices inside a namespace (see
 * dl_tun.h): a TUN belongs to the namespace it is made in, so it is opened
 * from a thread that entered it. */
#define _GNU_SOURCE
#include "link/dl_tun.h"

#include <fcntl.h>
#include <net/if.h> /* before linux/if.h: libc-compat sorts them out */
#include <linux/if.h>
#include <linux/if_tun.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "link/link_int.h"

#define TUN_FLAGS (IFF_TUN | IFF_NO_PI | IFF_VNET_HDR)

void dl_tun_name(const char *ifname, char *out, size_t len)
{
	snprintf(out, len, "%sdl", ifname);
}

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

struct tun_job {
	const struct link_end *e;
	bool persist;
	int fd;
};

/* In a thread of its own (link_in_netns): open the end's TUN. */
static int tun_fn(void *arg)
{
	struct tun_job *t = arg;
	int rc = tun_open(t->e->ifname, &t->fd);
	if (!rc && t->persist && ioctl(t->fd, TUNSETPERSIST, 1) < 0) {
		rc = mb_err_errno(MB_EINTERNAL, "TUNSETPERSIST %s", t->e->ifname);
		close(t->fd);
		t->fd = -1;
	}
	return rc;
}

int dl_tun_open(const struct link_end *e, bool persist, int *fd)
{
	struct tun_job t = { .e = e, .persist = persist, .fd = -1 };
	int rc = link_in_netns(e->netns, tun_fn, &t);
	*fd = t.fd;
	return rc;
}
