/* console.h - the guest's serial console read through libvirt
 * (virDomainOpenConsole) on whichever host runs the guest, parsed into
 * samples stamped with host time on receipt.  After the switchover the
 * source's stream ends and the caller opens the destination's, so this
 * works with hosts that share nothing. */
#ifndef MB_CONSOLE_H
#define MB_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include <libvirt/libvirt.h>

#include "core/err.h"
#include "samples/phases.h"
#include "samples/sample.h"

/* The guest block device's counters, from its "blk" events. */
struct blk_obs {
	int64_t host_ns;
	uint64_t read_bytes, write_bytes;
};

struct console {
	pthread_mutex_t mu;
	virStreamPtr st;          /* the open stream, or NULL */
	int site;                 /* index of the host it is open on */
	struct sample_stream ss;  /* line splitter/parser state */
	struct obs_log log;       /* samples received, in order */
	FILE *raw;                /* everything received, for the record (may be NULL) */
	int64_t last_rx_ns;       /* last sample received */
	int64_t opened_ns[2];     /* when the stream on each host was opened */
	int64_t closed_ns[2];     /* when it ended */
	uint64_t bytes;
	uint64_t opens;
	char wl[16], unit[8];     /* from the samples */
	char error[160];          /* the guest's last "error" event text */
	char resident[128];       /* the guest's "resident" event text (what it filled) */
	bool exited;              /* the workload reported exit */
	bool panicked;            /* "Kernel panic" went by on the console */
	uint64_t events_since;    /* event lines since the last sample (obs.events) */
	char blkdev[16];          /* "blk" events: the device */
	struct blk_obs *blk;      /* and its counters, in order */
	size_t nblk, capblk;
	pthread_cond_t cond;      /* signalled on every sample */
};

void console_init(struct console *c, FILE *raw);
/* Open the domain's console on host index site (replacing any stream). */
int console_open(struct console *c, virConnectPtr conn, virDomainPtr dom, int site,
		 const char *host) MB_WUR;
void console_close(struct console *c);
void console_free(struct console *c);
/* Wait until at least n samples have arrived or timeout; MB_OK / MB_EFAILED. */
int console_wait_samples(struct console *c, size_t n, int64_t timeout_ns);
/* Copy of the samples so far (caller frees). */
size_t console_snapshot(struct console *c, struct obs **out);

#endif
