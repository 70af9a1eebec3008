/* capacity.h - does a scenario's set of guests fit in this machine's memory?
 *
 * In the lab both sites are this machine, so what counts is the sum: the
 * guests on the source (the migrated ones and the source's neighbours),
 * those on the destination (its neighbours) and, while the migration runs,
 * an incoming copy of each migrated guest on the destination.  Each guest
 * costs its memory plus QEMU's own (CAP_QEMU_OVERHEAD).  What the machine can
 * give is MemAvailable minus a safety margin (CAP_MARGIN_MIN or a tenth of
 * MemTotal, whichever is larger), read when the plan is built, so another
 * run's guests count. */
#ifndef MB_CAPACITY_H
#define MB_CAPACITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile/options.h"

#define CAP_QEMU_OVERHEAD (64ull << 20)
#define CAP_MARGIN_MIN (1ull << 30)

struct capacity {
	int on_source, on_destination; /* guests on each site outside the migration */
	int incoming;                  /* copies on the destination while migrating */
	uint64_t per_guest;            /* memory + QEMU overhead */
	uint64_t peak;                 /* bytes at the peak (the sum in the lab) */
};

/* The guests a scenario runs and their peak memory. */
void capacity_of(const struct mb_config *c, struct capacity *out);

/* What this machine can give: MemAvailable minus the margin, from
 * /proc/meminfo (or the environment's MIGBENCH_MEM_AVAILABLE, bytes, and
 * then no margin: for tests).  0 when unknown (no check). *avail and *margin
 * say how it was reached. */
uint64_t capacity_host(uint64_t *avail, uint64_t *margin);

/* MB_OK when c's guests fit in `can` bytes; else MB_EINPUT with the
 * figures in the message.  can = 0: not checked. */
int capacity_check(const struct mb_config *c, uint64_t can, uint64_t avail, uint64_t margin) MB_WUR;

#endif
