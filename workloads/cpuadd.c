/* cpuadd.c - the study's CPU workload: rounds of integer additions (120
 * million per round in the study), counting additions done.
 *
 * The loop must really add: add_chunk() is not inlined and its accumulator
 * passes through an empty asm statement every iteration, so the compiler
 * can neither fold the sum into n*(n-1)/2 nor vectorize or hoist it
 * (tests/sys/guest_boot.sh checks the disassembly has the loop). */
#include "workloads/wl.h"

#include <stdio.h>

/* Progress is published every CHUNK additions: ~1-3 ms under TCG, so a
 * 100 ms sample is off by at most ~3%. */
#define CHUNK 1000000ULL

static uint64_t sink;

__attribute__((noinline)) static uint64_t add_chunk(uint64_t acc, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		acc += i;
		__asm__ volatile("" : "+r"(acc));
	}
	return acc;
}

static int cpuadd_setup(const struct wl_params *p, char *err, size_t len)
{
	if (p->round == 0) {
		snprintf(err, len, "migbench.round must be > 0");
		return -1;
	}
	return 0;
}

__attribute__((noreturn)) static int cpuadd_run(const struct wl_params *p, char *err, size_t len)
{
	uint64_t acc = 0;
	(void)err;
	(void)len;
	for (;;) {
		/* One round of p->round additions, published chunk by chunk. */
		for (uint64_t done = 0; done < p->round;) {
			uint64_t n = p->round - done < CHUNK ? p->round - done : CHUNK;
			acc = add_chunk(acc, n);
			done += n;
			atomic_fetch_add_explicit(&wl_progress, n, memory_order_relaxed);
		}
		sink = acc; /* the result is used: the rounds cannot be dropped */
	}
}

static void cpuadd_describe(const struct wl_params *p, char *buf, size_t len)
{
	snprintf(buf, len, "round=%llu", (unsigned long long)p->round);
}

const struct wl_ops wl_cpuadd = { "cpuadd", "add", cpuadd_setup, cpuadd_run, cpuadd_describe };
