/* hostmon.h - the host sampler: while a scenario runs, every interval, on
 * each site, what the host sees of the guest and of itself.
 *
 *   lab (HM_PROC)      /proc of this machine: the guest's QEMU process by
 *                      libvirt's pid file in the site's run directory
 *                      (checked against its cmdline), its CPU time by thread
 *                      kind (task/<tid>/comm + stat), VmRSS; MemAvailable,
 *                      MemFree; /sys/kernel/mm/ksm; the iSCSI target's
 *                      /proc/<tgtd>/io; /proc/stat's CPU times (busy, stolen
 *                      by this machine's hypervisor).  All sites share this
 *                      one kernel.
 *   real hosts         what libvirt gives: virDomainGetCPUStats (cpu_time,
 *   (HM_LIBVIRT)       vcpu_time), virDomainMemoryStats (rss),
 *                      virNodeGetMemoryStats (free), virNodeGetCPUStats
 *                      (busy; libvirt gives no steal); the migration thread,
 *                      MemAvailable, KSM and the target are unavailable
 *                      (NaN: empty in the csv, null in the record).
 *
 * Thread kinds (proc.h): QEMU 7.2 sends the migration from its
 * "live_migration" thread; the destination receives it in the main thread
 * (a coroutine), so there it shows as "other", not "migration".
 *
 * It runs in its own thread, so the scenario's watch loop keeps its timing;
 * the samples stay in memory until the scenario's windows are known
 * (hm_record writes hosts/<id>.csv and the record's summaries). */
#ifndef MB_HOSTMON_H
#define MB_HOSTMON_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <libvirt/libvirt.h>

#include "hostmon/proc.h"

enum hm_mode { HM_PROC, HM_LIBVIRT };

/* One sample of one site.  NaN = not available (or no guest there). */
struct hm_sample {
	int64_t t_ns;              /* CLOCK_MONOTONIC */
	int site;                  /* 0 source site, 1 destination site */
	int pid;                   /* the guest's QEMU process, 0 = none there */
	double cpu_s[HM_NKINDS];   /* cumulative CPU seconds by thread kind */
	double rss_bytes;
	double mem_available_bytes, mem_free_bytes;
	struct hm_cpu_times host;  /* the host's CPU time, all CPUs (steal NaN: unknown) */
	double ksm_shared, ksm_sharing, ksm_unshared, ksm_full_scans; /* pages */
	double tgt_rchar, tgt_wchar, tgt_read_bytes, tgt_write_bytes; /* the iSCSI target's /proc/PID/io */
};

struct hm_site {
	char host[256];
	char run_dir[PATH_MAX];    /* HM_PROC: the site's /run/libvirt, seen from here */
	virConnectPtr conn;        /* HM_LIBVIRT */
	struct hm_proc_cpu cpu;    /* HM_PROC: per-thread state */
};

struct hostmon {
	enum hm_mode mode;
	char proc_root[128];       /* "/proc" (a fixture tree in tests) */
	char ksm_dir[128];         /* "/sys/kernel/mm/ksm" */
	struct hm_site site[2];
	pid_t target_pid;          /* HM_PROC: tgtd, 0 = none */
	char guest[64];            /* the domain's name */
	int64_t interval_ns;
	pthread_t th;
	bool running;
	atomic_int stop;
	struct hm_sample *v;       /* in time order, one per site per round */
	size_t n, cap;
};

/* Set up h (no thread yet): mode, where to look, the guest's name. */
void hm_init(struct hostmon *h, enum hm_mode mode, const char *guest, int64_t interval_ns);
/* One round: a sample of each site, appended to h->v. */
void hm_sample_round(struct hostmon *h, int64_t now_ns);
/* The sampling thread: a round now, then every interval until hm_stop. */
int hm_start(struct hostmon *h) MB_WUR;
/* Stop and join the thread (idempotent). */
void hm_stop(struct hostmon *h);
void hm_free(struct hostmon *h);

/* The real-host path's conversions (unit-tested without libvirt hosts):
 * virDomainGetCPUStats' total parameters into cpu_s (vcpu = vcpu_time,
 * other = cpu_time - vcpu_time, migration NaN); virDomainMemoryStats'
 * rss; virNodeGetMemoryStats' free; virNodeGetCPUStats' kernel, user, idle
 * and iowait (total = their sum, steal NaN: libvirt does not report it). */
void hm_cpu_from_params(const virTypedParameter *p, int n, double cpu_s[HM_NKINDS]);
double hm_rss_from_stats(const virDomainMemoryStatStruct *s, int n);
double hm_free_from_node(const virNodeMemoryStats *p, int n);
void hm_times_from_node(const virNodeCPUStats *p, int n, struct hm_cpu_times *t);

/* The host's busy and stolen CPU time between two readings, % of all its
 * CPUs' time (NaN: a missing reading, no time between them, or no steal
 * figure). */
void hm_host_pct(const struct hm_cpu_times *a, const struct hm_cpu_times *b, double *busy, double *steal);

/* The samples file: a header with units, one line per sample (CPU as % of
 * one core over the interval before it; empty = unavailable).  phase_of
 * names the phase of a host time (NULL: no phase column values). */
char *hm_csv(const struct hostmon *h, int64_t t_ref, const char *(*phase_of)(int64_t t, const void *ctx),
	     const void *ctx);

#endif
