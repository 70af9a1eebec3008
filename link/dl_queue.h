/* dl_queue.h - the delay line's per-direction queue: a byte ring holding
 * packets with their release times, bounded by a byte limit, and the
 * arithmetic that gives each packet its release time (delay, jitter, rate
 * pacing, FIFO order).  Pure logic, no I/O: unit-tested on its own. */
#ifndef MB_DL_QUEUE_H
#define MB_DL_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DL_MAX_PKT (65536 + 64) /* a TSO super-packet and its virtio-net header */

struct dl_ring {
	uint8_t *buf;
	size_t cap;          /* bytes of buf */
	size_t head, tail;   /* oldest record / where the next one goes */
	size_t bytes;        /* packet bytes queued (what the limit counts) */
	size_t npkts;
	size_t wrap_at;      /* head wraps to 0 when it reaches this (SIZE_MAX: none) */
};

/* Ring of cap bytes (allocated lazily by the OS: only what is used is
 * resident).  0 or -1. */
int dl_ring_init(struct dl_ring *r, size_t cap);
void dl_ring_free(struct dl_ring *r);
/* Move the queued packets (in order) into a ring of cap bytes, so memory
 * follows the queue limit.  Packets that do not fit are dropped and
 * counted in *dropped.  0 or -1 (then r is unchanged). */
int dl_ring_resize(struct dl_ring *r, size_t cap, uint64_t *dropped);
/* The capacity a ring needs to hold limit bytes of packets. */
size_t dl_ring_cap_for(uint64_t limit);

/* Room for one more packet of up to DL_MAX_PKT bytes: a pointer to write it
 * to, or NULL if the ring is full. */
uint8_t *dl_ring_reserve(struct dl_ring *r);
/* Commit the reserved packet: len bytes, released at due. */
void dl_ring_commit(struct dl_ring *r, uint32_t len, int64_t due);
/* The oldest packet (NULL if empty). */
const uint8_t *dl_ring_peek(const struct dl_ring *r, uint32_t *len, int64_t *due);
void dl_ring_pop(struct dl_ring *r);

/* Release-time state of one direction. */
struct dl_pacer {
	int64_t last_due;    /* keeps releases in order */
	int64_t busy_until;  /* when the rate-limited "wire" is free again */
	uint64_t rng;        /* xorshift state for jitter and loss */
};

struct dl_shape {
	int64_t one_way_ns;  /* delay for this direction (RTT/2) */
	int64_t jitter_ns;   /* +/- around one_way */
	int dist;            /* enum jitter_dist */
	double loss;         /* drop probability */
	double rate;         /* bytes/s, 0 = no cap */
};

/* Whether to drop a packet for loss (advances the generator). */
bool dl_lose(struct dl_pacer *p, double loss);
/* Release time of a packet of len bytes arriving at now. */
int64_t dl_due(struct dl_pacer *p, const struct dl_shape *s, int64_t now, uint32_t len);

#endif
