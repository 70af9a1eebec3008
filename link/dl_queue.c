/* dl_queue.c - the delay line's ring and pacing (see dl_queue.h).
 *
 * Records are [u32 len][u32 0][i64 due][data, padded to 8].  A record never
 * wraps: when the space left at the end cannot hold a full-size packet, the
 * ring wraps early (wrap_at marks where).  Packets are read straight into
 * the ring, so the only copy is the kernel's. */
#include "link/dl_queue.h"

#include <math.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "link/link.h"

#define HDR 16
#define REC(n) (HDR + (((size_t)(n) + 7) & ~(size_t)7))
#define MAX_REC REC(DL_MAX_PKT)

int dl_ring_init(struct dl_ring *r, size_t cap)
{
	memset(r, 0, sizeof(*r));
	if (cap < 4 * MAX_REC)
		cap = 4 * MAX_REC;
	r->buf = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		      -1, 0);
	if (r->buf == MAP_FAILED) {
		r->buf = NULL;
		return -1;
	}
	r->cap = cap;
	r->wrap_at = SIZE_MAX;
	return 0;
}

void dl_ring_free(struct dl_ring *r)
{
	if (r->buf)
		munmap(r->buf, r->cap);
	memset(r, 0, sizeof(*r));
}

size_t dl_ring_cap_for(uint64_t limit)
{
	/* Records are padded and a wrap can waste up to one record. */
	return (size_t)(limit + limit / 8) + 4 * MAX_REC;
}

int dl_ring_resize(struct dl_ring *r, size_t cap, uint64_t *dropped)
{
	struct dl_ring n;
	if (dl_ring_init(&n, cap) < 0)
		return -1;
	while (r->npkts) {
		uint32_t len;
		int64_t due;
		const uint8_t *pkt = dl_ring_peek(r, &len, &due);
		uint8_t *to = dl_ring_reserve(&n);
		if (to) {
			memcpy(to, pkt, len);
			dl_ring_commit(&n, len, due);
		} else if (dropped) {
			(*dropped)++;
		}
		dl_ring_pop(r);
	}
	dl_ring_free(r);
	*r = n;
	return 0;
}

uint8_t *dl_ring_reserve(struct dl_ring *r)
{
	if (r->npkts == 0) {
		r->head = r->tail = 0;
		r->wrap_at = SIZE_MAX;
	}
	if (r->tail >= r->head && r->npkts) {
		/* [head, tail) used: room at the end, or wrap to the start. */
		if (r->cap - r->tail >= MAX_REC)
			return r->buf + r->tail + HDR;
		if (r->head > MAX_REC) {
			r->wrap_at = r->tail;
			r->tail = 0;
			return r->buf + HDR;
		}
		return NULL;
	}
	if (!r->npkts)
		return r->buf + HDR;
	/* Wrapped: [head, wrap_at) and [0, tail) used. */
	if (r->head - r->tail > MAX_REC)
		return r->buf + r->tail + HDR;
	return NULL;
}

void dl_ring_commit(struct dl_ring *r, uint32_t len, int64_t due)
{
	uint8_t *rec = r->buf + r->tail;
	uint32_t zero = 0;
	memcpy(rec, &len, 4);
	memcpy(rec + 4, &zero, 4);
	memcpy(rec + 8, &due, 8);
	r->tail += REC(len);
	r->bytes += len;
	r->npkts++;
}

const uint8_t *dl_ring_peek(const struct dl_ring *r, uint32_t *len, int64_t *due)
{
	size_t h = r->head;
	if (!r->npkts)
		return NULL;
	if (h == r->wrap_at)
		h = 0;
	memcpy(len, r->buf + h, 4);
	memcpy(due, r->buf + h + 8, 8);
	return r->buf + h + HDR;
}

void dl_ring_pop(struct dl_ring *r)
{
	uint32_t len;
	if (!r->npkts)
		return;
	if (r->head == r->wrap_at) {
		r->head = 0;
		r->wrap_at = SIZE_MAX;
	}
	memcpy(&len, r->buf + r->head, 4);
	r->head += REC(len);
	r->bytes -= len;
	r->npkts--;
	if (r->head == r->wrap_at) {
		r->head = 0;
		r->wrap_at = SIZE_MAX;
	}
}

static uint64_t next_rand(struct dl_pacer *p)
{
	uint64_t x = p->rng ? p->rng : 0x9e3779b97f4a7c15ULL;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	p->rng = x;
	return x;
}

static double uniform01(struct dl_pacer *p)
{
	return (double)(next_rand(p) >> 11) * (1.0 / 9007199254740992.0);
}

bool dl_lose(struct dl_pacer *p, double loss)
{
	if (loss <= 0)
		return false;
	if (loss >= 1)
		return true;
	return uniform01(p) < loss;
}

/* A jitter sample in [-j, j] (normal and pareto are clipped to it). */
static int64_t jitter(struct dl_pacer *p, const struct dl_shape *s)
{
	double u, v;
	if (s->jitter_ns <= 0)
		return 0;
	switch (s->dist) {
	case DIST_NORMAL:
	case DIST_PARETONORMAL:
		/* Box-Muller, sigma = jitter/2 so ~95% fall inside +/- jitter. */
		u = uniform01(p);
		v = uniform01(p);
		u = sqrt(-2.0 * log(u > 1e-300 ? u : 1e-300)) * cos(2 * M_PI * v) * 0.5;
		break;
	case DIST_PARETO:
		/* Heavy tail to the late side, shape 3, scaled into [-1, 1]. */
		u = pow(1.0 - uniform01(p), -1.0 / 3.0) - 1.0;
		u = u * 2.0 - 1.0;
		break;
	default:
		u = uniform01(p) * 2.0 - 1.0;
		break;
	}
	if (u > 1)
		u = 1;
	if (u < -1)
		u = -1;
	return (int64_t)(u * (double)s->jitter_ns);
}

int64_t dl_due(struct dl_pacer *p, const struct dl_shape *s, int64_t now, uint32_t len)
{
	int64_t depart = now, due;
	if (s->rate > 0) {
		/* The packet leaves the rate-limited wire after the ones before it. */
		int64_t tx = (int64_t)((double)len / s->rate * 1e9);
		if (p->busy_until > depart)
			depart = p->busy_until;
		depart += tx;
		p->busy_until = depart;
	}
	due = depart + s->one_way_ns + jitter(p, s);
	if (due < depart)
		due = depart;
	/* FIFO: jitter never reorders packets (as netem with a rate). */
	if (due < p->last_due)
		due = p->last_due;
	p->last_due = due;
	return due;
}
