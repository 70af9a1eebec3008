/* seqread.c - the study's I/O workload: a sequential read of a region of a
 * block device (the guest's iSCSI-backed disk) or file, O_DIRECT by default
 * (migbench.direct=0 reads through the page cache), wrapping around at the
 * end of the region; counts bytes read. */
#define _GNU_SOURCE
#include "workloads/wl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static int fd = -1;
static void *buf;
static uint64_t region; /* bytes read before wrapping */

static int seqread_setup(const struct wl_params *p, char *err, size_t len)
{
	struct stat st;
	uint64_t devsize = 0;
	fd = open(p->dev, O_RDONLY | O_CLOEXEC | (p->direct ? O_DIRECT : 0));
	if (fd < 0) {
		snprintf(err, len, "cannot open %s: %s", p->dev, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, &devsize) < 0)
			devsize = 0;
	} else {
		devsize = (uint64_t)st.st_size;
	}
	if (p->block == 0 || (p->direct && p->block % 512)) {
		snprintf(err, len, "migbench.block=%llu: must be > 0 (and a multiple of 512 with O_DIRECT)",
			 (unsigned long long)p->block);
		return -1;
	}
	if (p->offset >= devsize) {
		snprintf(err, len, "migbench.offset=%llu is beyond the end of %s (%llu bytes)",
			 (unsigned long long)p->offset, p->dev, (unsigned long long)devsize);
		return -1;
	}
	region = p->size ? p->size : devsize - p->offset;
	if (p->offset + region > devsize)
		region = devsize - p->offset;
	region -= region % p->block;
	if (region == 0) {
		snprintf(err, len, "the region to read on %s is smaller than one block", p->dev);
		return -1;
	}
	if (posix_memalign(&buf, 4096, p->block) != 0) {
		snprintf(err, len, "cannot allocate a %llu-byte buffer", (unsigned long long)p->block);
		return -1;
	}
	return 0;
}

static int seqread_run(const struct wl_params *p, char *err, size_t len)
{
	uint64_t pos = 0;
	for (;;) {
		ssize_t n = pread(fd, buf, p->block, (off_t)(p->offset + pos));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, len, "reading %s at %llu: %s", p->dev,
				 (unsigned long long)(p->offset + pos), strerror(errno));
			return -1;
		}
		if (n == 0) {
			pos = 0;
			continue;
		}
		atomic_fetch_add_explicit(&wl_progress, (uint64_t)n, memory_order_relaxed);
		pos += (uint64_t)n;
		if (pos >= region)
			pos = 0;
	}
}

static void seqread_describe(const struct wl_params *p, char *buf_, size_t len)
{
	snprintf(buf_, len, "dev=%s block=%llu offset=%llu region=%llu direct=%d", p->dev,
		 (unsigned long long)p->block, (unsigned long long)p->offset,
		 (unsigned long long)region, p->direct);
}

const struct wl_ops wl_seqread = { "seqread", "B", seqread_setup, seqread_run, seqread_describe };
