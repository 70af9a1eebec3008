/* memdirty.c - the workload that decides whether pre-copy converges: it
 * keeps rewriting a working set, whole page by whole page, with fresh
 * pseudo-random contents, at a target rate (or as fast as it can); counts
 * bytes written.  Whole random pages cost CPU in proportion (so throttling
 * the vCPU, as auto-converge does, slows the dirtying as it would for a
 * real memory-bound guest), and they neither compress nor shrink to
 * XBZRLE deltas nor count as zero pages. */
#define _GNU_SOURCE
#include "workloads/wl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define BATCH_PAGES 16

static unsigned char *mem;
static size_t page;

static int memdirty_setup(const struct wl_params *p, char *err, size_t len)
{
	page = (size_t)sysconf(_SC_PAGESIZE);
	if (p->wss < page) {
		snprintf(err, len, "migbench.wss=%llu: less than a page", (unsigned long long)p->wss);
		return -1;
	}
	mem = mmap(NULL, p->wss, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
		   -1, 0);
	if (mem == MAP_FAILED) {
		snprintf(err, len, "cannot map a %llu-byte working set: %s", (unsigned long long)p->wss,
			 strerror(errno));
		return -1;
	}
	/* Random contents: pages that compress (or are zero) would flatter
	 * compression and zero-page detection in the migration. */
	{
		uint64_t x = 0x2545f4914f6cdd1dULL;
		for (size_t i = 0; i + 8 <= p->wss; i += 8) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			*(uint64_t *)(void *)(mem + i) = x;
		}
	}
	return 0;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

__attribute__((noreturn)) static int memdirty_run(const struct wl_params *p, char *err, size_t len)
{
	size_t pages = p->wss / page, next = 0;
	uint64_t stamp = 0, dirtied = 0;
	int64_t t0 = now_ns();
	(void)err;
	(void)len;
	for (;;) {
		for (int i = 0; i < BATCH_PAGES; i++) {
			uint64_t *w = (uint64_t *)(void *)(mem + next * page), x = ++stamp * 0x9e3779b97f4a7c15ULL;
			for (size_t k = 0; k < page / 8; k++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				w[k] = x;
			}
			if (++next == pages)
				next = 0;
		}
		dirtied += BATCH_PAGES * page;
		atomic_fetch_add_explicit(&wl_progress, BATCH_PAGES * page, memory_order_relaxed);
		if (p->rate) {
			/* Pace to the rate: sleep until the time this much work is due. */
			int64_t due = t0 + (int64_t)((double)dirtied / (double)p->rate * 1e9);
			struct timespec ts = { .tv_sec = due / 1000000000, .tv_nsec = due % 1000000000 };
			if (due > now_ns())
				clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		}
	}
}

static void memdirty_describe(const struct wl_params *p, char *buf, size_t len)
{
	snprintf(buf, len, "wss=%llu rate=%llu page=%zu", (unsigned long long)p->wss,
		 (unsigned long long)p->rate, page);
}

const struct wl_ops wl_memdirty = { "memdirty", "B", memdirty_setup, memdirty_run,
				    memdirty_describe };
