/* dirtyrate.h - what the prediction needs to know about a running guest,
 * through libvirt: its dirty rate (virDomainStartDirtyRateCalc, libvirt
 * 7.2 / QEMU 5.2, read back with virDomainListGetStats(DIRTYRATE)) and
 * QEMU's resident memory (virDomainMemoryStats RSS). */
#ifndef MB_DIRTYRATE_H
#define MB_DIRTYRATE_H

#include <stdbool.h>
#include <stdint.h>

#include <libvirt/libvirt.h>

#include "core/err.h"

struct mig_dirty {
	double bytes_per_s;    /* QEMU's estimate, whole MiB/s as bytes/s */
	double calc_s;         /* the period it measured over */
	char mode[32];         /* "page-sampling", ...; "" when libvirt does not say */
	double took_s;         /* from the start call to the result, host time */
};

/* Measure dom's dirty rate over `seconds` (page sampling: QEMU hashes a
 * sample of pages at the start and the end).  MB_OK and *out;
 * MB_EUNSUPP when the host's libvirt or QEMU cannot (the reason in
 * mb_errmsg), MB_EFAILED when it failed or gave no result in time, MB_EINTR
 * when *stop was set.  out->took_s is set in every case. */
int mig_dirty_rate(virConnectPtr conn, virDomainPtr dom, const char *host, int seconds,
		   volatile int *stop, struct mig_dirty *out) MB_WUR;

/* QEMU's resident memory for dom in bytes (libvirt reads it from /proc on
 * the host), or MB_EUNSUPP. */
int mig_guest_rss(virDomainPtr dom, uint64_t *bytes) MB_WUR;

#endif
