/* proc.h - what the host sampler reads from /proc and /sys on a host it
 * runs on (the lab): the text parsers, and readers that take the root
 * directory ("/proc", "/sys/kernel/mm/ksm") so unit tests run them on
 * fixture trees. */
#ifndef MB_HM_PROC_H
#define MB_HM_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/err.h"

/* The kinds of a QEMU process's threads. */
enum hm_kind { HM_VCPU, HM_MIGRATION, HM_OTHER, HM_NKINDS };
extern const char *const hm_kind_names[]; /* "vcpu", "migration", "other" */

/* The kind of a thread by its comm: "CPU 0/TCG", "CPU 1/KVM" are vCPUs;
 * "live_migration", "mig/..." (QEMU 8+), "multifdsend_N", "multifdrecv_N"
 * and "postcopy/..." move the migration; everything else is "other". */
enum hm_kind hm_thread_kind(const char *comm);

/* utime + stime (clock ticks) of a /proc/PID/stat or task stat line (the
 * comm in parentheses may hold spaces and ')'). */
int hm_parse_stat_ticks(const char *text, uint64_t *ticks) MB_WUR;
/* The value of "Key:   N [kB]" in /proc/meminfo or /proc/PID/status, in
 * bytes when the line says kB. */
int hm_parse_kb_line(const char *text, const char *key, uint64_t *out) MB_WUR;
/* The value of "key: N" (no unit) in /proc/PID/io. */
int hm_parse_key_u64(const char *text, const char *key, uint64_t *out) MB_WUR;

/* /proc/PID/io of a process. */
struct hm_io {
	uint64_t rchar, wchar;             /* every read()/write() syscall (files and sockets) */
	uint64_t read_bytes, write_bytes;  /* what reached the block layer */
};

/* One thread's CPU time, as last read. */
struct hm_thread {
	pid_t tid;
	enum hm_kind kind;
	uint64_t base;  /* ticks when first seen (0 for a thread born after the first read) */
	uint64_t last;  /* ticks at the last read */
};

/* CPU time of one process by thread kind, cumulative since it was first
 * read: threads that exit keep what they used. */
struct hm_proc_cpu {
	pid_t pid;
	int reads;
	struct hm_thread *t;
	size_t n, cap;
};

/* Read every thread of pid under proc_root into c (a new pid resets it);
 * secs[kind] = CPU seconds since the first read. */
int hm_proc_cpu_read(struct hm_proc_cpu *c, const char *proc_root, pid_t pid,
		     double secs[HM_NKINDS]) MB_WUR;
void hm_proc_cpu_free(struct hm_proc_cpu *c);

/* VmRSS of pid, bytes. */
int hm_proc_rss(const char *proc_root, pid_t pid, uint64_t *out) MB_WUR;
int hm_proc_io(const char *proc_root, pid_t pid, struct hm_io *out) MB_WUR;
/* MemAvailable and MemFree of <proc_root>/meminfo, bytes. */
int hm_meminfo(const char *proc_root, uint64_t *avail, uint64_t *free_b) MB_WUR;
/* The host's CPU time summed over its CPUs, seconds since boot, from the
 * "cpu" line of /proc/stat: total = user + nice + system + idle + iowait +
 * irq + softirq + steal (guest time is inside user), idle = idle + iowait,
 * steal = time this machine wanted a CPU while its hypervisor ran others. */
struct hm_cpu_times {
	double total_s, idle_s, steal_s;
};
/* text: /proc/stat's contents; ticks_per_s: sysconf(_SC_CLK_TCK). */
int hm_parse_cpu_times(const char *text, long ticks_per_s, struct hm_cpu_times *out) MB_WUR;
int hm_cpu_times(const char *proc_root, struct hm_cpu_times *out) MB_WUR;
/* Whether <proc_root>/PID/cmdline has "guest=<name>" (libvirt's -name
 * guest=NAME,...) or "-name NAME" as an argument. */
bool hm_proc_is_guest(const char *proc_root, pid_t pid, const char *name);
/* The QEMU pid of guest name from libvirt's pid file <run_dir>/qemu/<name>.pid,
 * checked against its cmdline; 0 when it is not running there. */
pid_t hm_guest_pid(const char *proc_root, const char *run_dir, const char *name);

/* The KSM counters (pages). */
struct hm_ksm_counts {
	uint64_t pages_shared, pages_sharing, pages_unshared, full_scans;
};
int hm_ksm_read(const char *ksm_dir, struct hm_ksm_counts *out) MB_WUR;

#endif
