/* result.h - one scenario's result as C structs, the one definition of its
 * JSON record (a line of scenarios.jsonl).
 *
 * The run path measures into struct res_scenario (run/scenario.c fills the
 * identity, settings, guest, phases; migrate.c the migration figures; the
 * link code link states and probe); res_scenario_json writes it, through
 * the field tables of result.c (core/jfield.h).  Readers use the same
 * tables: res_scenario_read type-checks a record into the struct, and
 * res_field finds a dotted key ("migration.total_s") with its type and
 * offset, so a key that does not exist is an error, never a silent NaN.
 * The layout is published as schema/scenario.schema.json (res_schema_json
 * writes it; tests/sys/schema.sh checks that file is current).
 *
 * Values are in base units (seconds, bytes, bytes/s, fractions).  Doubles
 * hold NaN when unmeasured (written as null); sections that were not
 * reached (a scenario that failed early) have their has_* flag false and are
 * left out.  Strings are owned by the struct (res_scenario_free). */
#ifndef MB_RESULT_H
#define MB_RESULT_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "core/err.h"
#include "core/jfield.h"
#include "link/link.h"
#include "samples/phases.h"

/* 2: outcome, outcome_why, migration.progress; the completed job's figures
 * are null (not 0) when the job did not complete.  Readers take 1 and 2. */
#define MB_SCHEMA_VERSION 2

enum res_status { RES_OK, RES_FAILED, RES_SKIPPED };
extern const char *const res_status_names[]; /* "ok", "failed", "skipped" */

/* What the migration did, when the system under test decided it (status
 * ok): a result, not a testbed failure.  A scenario whose testbed failed
 * (status failed) or that could not run (skipped) has no outcome. */
enum res_outcome {
	RES_CONVERGED,     /* the guest runs on the destination */
	RES_NOT_CONVERGED, /* still iterating at the timeout: aborted, guest stayed on the source */
	RES_ABORTED,       /* the hypervisor aborted the job midway; guest stayed on the source */
	RES_REFUSED,       /* the destination refused it before any memory was sent */
	RES_OUTCOME_LAST
};
extern const char *const res_outcome_names[]; /* "converged", "not_converged", "aborted", "refused" */

/* The pre-copy settings the migration used (an echo of the config). */
struct res_precopy {
	double max_downtime_s;
	double bandwidth_bytes_per_s;  /* 0 = unlimited */
	bool auto_converge;
	int64_t auto_converge_initial; /* percent */
	int64_t auto_converge_increment;
	bool xbzrle;
	uint64_t xbzrle_cache_bytes;
	char *compression;
	int64_t multifd;
	int64_t postcopy_after;
	double timeout_s;
};

struct res_link_state {
	struct link_state st;
	char *name;                    /* "wan", "sto-src", ... */
};

struct res_probe {
	bool measured;                 /* r holds a probe */
	struct probe_result r;
	char *skipped;                 /* or why there is none */
};

/* One host's TCP buffer limits, read back after the link step. */
struct res_tcp_site {
	char *host;
	bool read;                     /* b holds what was read */
	struct link_tcp_buffers b;
	char *error;                   /* or why it could not be read */
};

/* The tcp_buffers setting and what was in force on the hosts. */
struct res_tcp {
	char *mode;                    /* os, bdp, size */
	bool applied;                  /* set by migbench (the lab); false: only read */
	char *note;                    /* e.g. why nothing was set */
	struct res_tcp_site *sites;    /* source, destination */
	int nsites;
};

struct res_link {
	char *backend;                 /* link ops name, "none" */
	char *path;                    /* migration, storage, both */
	char *name;                    /* the named link (link key), NULL = none */
	char *defined_in;              /* "built-in" or file:line of its [link.NAME] */
	double delay_s, jitter_s, loss, rate_bytes_per_s; /* what was asked */
	double rate_up_bytes_per_s;    /* source->destination cap in effect, 0 = none */
	double rate_down_bytes_per_s;  /* destination->source */
	struct res_link_state *states; /* read back after applying */
	int nstates;
	bool has_tcp_buffer;
	uint64_t tcp_buffer_max_bytes; /* the max set on the sites (bdp, size) */
	bool has_tcp;
	struct res_tcp tcp;
	bool has_probe;
	struct res_probe probe;
};

/* The guest's resident memory (workloads/fill.h): asked for, and what the
 * guest reported it filled in its "resident" event. */
struct res_resident {
	uint64_t bytes;                /* asked for, fraction resolved; 0 = none */
	char *pattern;                 /* random, same, zero */
	bool reported;                 /* the guest's report arrived: */
	uint64_t filled_bytes;         /* bytes it filled and holds */
	double fill_s;                 /* the fill, by the guest's clock */
	bool locked;                   /* mlock() held them */
};

/* The UDP echo probe of the service (echo_probe = yes, run/netprobe.c):
 * a request every interval from the host side of each site to the guest;
 * the replies as the host receives them.  Times relative to the start of
 * the migration. */
struct res_echo {
	double interval_s;
	double window_start_s, window_end_s; /* the window the figures cover */
	uint64_t requests;             /* probe ticks in the window (each site sent one per tick) */
	uint64_t replies;              /* replies received in the window */
	uint64_t replies_source, replies_destination; /* by the site they came back to */
	uint64_t answered;             /* requests (ticks) answered at least once */
	uint64_t lost;                 /* requests - answered */
	double service_downtime_s;     /* longest gap between replies in the window */
	double gap_start_s;            /* the last reply before that gap */
	bool recovered;                /* a reply ended the gap (false: the window did) */
	double rtt_median_s, rtt_max_s; /* request to reply, over the window */
};

/* The guest network (nic = yes). */
struct res_network {
	char *bridge, *guest_addr, *host_addr;
	bool has_sink;                 /* netstream's sink ran in both sites: */
	uint64_t sink_bytes_source, sink_bytes_destination; /* bytes it received */
	int64_t sink_connections_source, sink_connections_destination;
	bool has_echo;
	struct res_echo echo;
};

struct res_storage {
	char *mode;                    /* storage ops name */
	char *why;                     /* why that mode */
	char *target_site;             /* lan, source, destination, remote (enum target_site) */
	char *target_beside;           /* the host it sits beside (source, destination), else NULL */
	bool target_site_emulated;     /* the lab shaped the storage paths for it */
};

/* The running job as last polled (source side): for a migration that did
 * not complete, how far it got.  NaN when libvirt did not report a figure. */
struct res_progress {
	double time_s;                 /* host time of the poll, from the migration start */
	double elapsed_s;              /* libvirt's time elapsed */
	double iteration;              /* the pre-copy pass in progress */
	double memory_total_bytes, memory_processed_bytes, memory_remaining_bytes;
	double data_processed_bytes;   /* everything sent so far */
	double data_remaining_bytes;
	double dirty_rate_pages_per_s, page_size_bytes;
	double dirty_rate_bytes_per_s; /* pages/s * page size: what the guest dirties */
	double bandwidth_bytes_per_s;  /* what the migration sends */
	double throttle_pct;           /* auto-converge vCPU throttle at the end */
	double throttle_max_pct;       /* the highest it reached */
};

/* The migration: the completed job's statistics and the host-side times.
 * The completed job's figures (total_s ... xbzrle_bytes) are NaN (null)
 * when the job did not complete or libvirt did not report them. */
struct res_migration {
	double total_s, downtime_s, setup_s;
	double bytes;                  /* data processed */
	double memory_total_bytes, memory_transferred_bytes, zero_pages, normal_pages;
	double iterations;
	double bandwidth_bytes_per_s;  /* average over the job */
	double throttle_pct;           /* final auto-converge throttle */
	double xbzrle_cache_misses, xbzrle_overflow, xbzrle_bytes;
	bool postcopy;                 /* switched to post-copy */
	double wall_s;                 /* the migration call, host time */
	/* host times relative to the start of the migration; NaN = not seen */
	double start_s, pause_s, resume_s, end_s, postcopy_s;
	double observed_downtime_s;    /* pause to resume event, NaN if unseen */
	double *iteration_events_s;    /* each iteration event, relative */
	int n_iteration_events;
	char *stats_from;              /* "event", "destination", "source-poll", "none" */
	bool timed_out, aborted;
	char *guest_state_target, *guest_state_source; /* afterwards */
	bool has_progress;             /* the job was polled at least once */
	struct res_progress progress;
	/* QEMU's transfer time: the first page sent to the guest resuming on
	 * the destination (total_s is libvirt's job, which also holds its
	 * start of the destination before QEMU sends a byte). */
	double stream_start_s;         /* relative to the start; NaN = not seen */
	char *stream_start_from;       /* "iteration_event", "poll", "none" */
	double transfer_s;             /* resume_s - stream_start_s */
};

/* The guest's dirty rate, measured through libvirt before the baseline
 * window (virDomainStartDirtyRateCalc). */
struct res_dirty_rate {
	bool measured;                 /* else skipped says why */
	double bytes_per_s;            /* QEMU's estimate (whole MiB/s) */
	double calc_s;                 /* the period it measured over */
	char *mode;                    /* "page-sampling", ...; NULL when libvirt does not say */
	double took_s;                 /* start to result, host time (before the baseline window) */
	char *skipped;
};

/* What the pre-copy model was given (model/precopy.h). */
struct res_prediction_in {
	double memory_bytes;           /* M, what round 0 sends */
	char *memory_source;           /* "previous_migration", "qemu_rss", "memory_size" */
	char *memory_from;             /* previous_migration: the scenario it was seen in */
	double memory_size_bytes;      /* the guest's RAM */
	double rss_bytes;              /* QEMU's resident memory before the migration, NaN if unknown */
	double dirty_rate_bytes_per_s; /* D */
	double bandwidth_bytes_per_s;  /* B */
	char *bandwidth_source;        /* "probe" or "cap" */
	double max_downtime_s, timeout_s;
};

/* Measured minus predicted. */
struct res_residual {
	double transfer_s, downtime_s, iterations, bytes;
};

struct res_prediction {
	char *model;                   /* "precopy-rounds" */
	struct res_prediction_in in;
	bool predicted;                /* else skipped says why */
	char *skipped;
	char *caveat;                  /* settings the model leaves out, NULL = none */
	char *outcome;                 /* "converged" or "not_converged" */
	double transfer_s, downtime_s, bytes, rounds, iterations;
	bool has_residual;             /* predicted and the migration finished */
	struct res_residual residual;
};

struct res_samples {
	uint64_t malformed;            /* console lines that were not samples */
	uint64_t console_bytes, console_opens;
	bool has_counts;               /* the phases were computed: */
	uint64_t received, lost, out_of_order;
	char *file;                    /* samples/<id>.csv */
};

struct res_phase {
	struct phase_stats s;
	char *unit;                    /* the workload's counter unit ("add", "B") */
	char *rate_unit;               /* "additions/s", "bytes/s", ... */
};

struct res_phases {
	struct res_phase before, during, after;
	struct res_phase running;      /* during without the stop-and-copy pause */
};

struct res_ratio {
	double during, after;          /* during.rate / before.rate, after.rate / before.rate */
	double running;                /* running.rate / before.rate (during, pause left out) */
};

/* A neighbour guest (run/guests.c): it stays where it is while the main
 * guest migrates; its rates in the scenario's windows. */
struct res_neighbour {
	char *label;                   /* "nb1-source" */
	char *name;                    /* the libvirt domain */
	char *host;
	char *workload;
	char *vcpu_pin;                /* host CPUs of its vCPUs, NULL = not pinned */
	double boot_s;
	bool has_phases;               /* it sent samples through the windows */
	struct res_phases phases;
	struct res_ratio ratio;
	double gap_s;                  /* longest host-time gap between its samples */
	uint64_t received, lost;
	char *samples_file, *console_file;
};

/* One of the guests migrated together (migrate_vms); times from the
 * start of the first migration. */
struct res_vm_migration {
	char *label;                   /* "main", "vm2", ... */
	char *name;
	char *source, *destination;
	char *host_after;              /* where it runs afterwards */
	bool has_outcome;
	int outcome;                   /* enum res_outcome */
	char *error;                   /* NULL when it converged */
	double start_s, resume_s, end_s;
	double total_s, downtime_s, bytes, memory_transferred_bytes, iterations;
};

/* migrate_vms guests migrated together: each and the aggregate. */
struct res_migrations {
	int vms;
	double stagger_s;
	double total_s;                /* first start to last end */
	double bytes;                  /* sum of each one's bytes */
	struct res_vm_migration *each;
	int n;
};

/* The host sampler's figures of one site in one phase (hostmon/): CPU as %
 * of one core over the phase, the rest at its end.  NaN = unavailable
 * there (real hosts: the migration thread, MemAvailable) or no guest. */
struct res_host_phase {
	double cpu_vcpu_pct;           /* the guest's vCPU threads */
	double cpu_migration_pct;      /* QEMU's migration thread(s) */
	double cpu_other_pct;          /* every other QEMU thread (main loop, I/O) */
	double rss_bytes;              /* QEMU's resident memory at the end */
	double mem_available_bytes, mem_free_bytes; /* the host's, at the end */
	double host_busy_pct, host_steal_pct; /* % of all the host's CPU time, over the window */
};

struct res_host_site {
	char *host;
	struct res_host_phase before, during, after;
};

/* hosts/<id>.csv and its summary. */
struct res_hosts {
	char *file;                    /* hosts/<id>.csv */
	char *source;                  /* "proc" (the lab) or "libvirt" (real hosts) */
	bool shared_kernel;            /* the sites are one kernel (the lab): host-wide figures are one */
	char *unavailable;             /* what this source cannot give, NULL = nothing */
	uint64_t samples;              /* rows of the file */
	struct res_host_site *sites;   /* source, destination */
	int nsites;
};

/* KSM at the end of a phase (host-wide). */
struct res_ksm_phase {
	double pages_shared, pages_sharing;
	double merged_bytes;           /* pages_sharing * page size: the memory merging saves */
};

struct res_ksm {
	char *mode;                    /* the ksm key: keep, on, off */
	bool available;                /* the kernel has KSM */
	bool applied;                  /* migbench changed the settings (and restored them) */
	bool restored;                 /* the settings found were put back */
	char *run_found;               /* /sys/kernel/mm/ksm/run before the scenario */
	double pages_to_scan, sleep_s; /* in effect (NaN: unknown) */
	struct res_ksm_phase before, during, after;
	double settled_s;              /* last change of pages_sharing, from the migration start; NaN: still changing at the end */
	char *note;
};

/* Bytes moved by each layer in a phase (seqread). */
struct res_io_phase {
	double workload_bytes;         /* what the workload read (its counter) */
	double guest_read_bytes, guest_write_bytes;   /* the guest's block device (/sys/block/DEV/stat) */
	double target_read_bytes, target_write_bytes; /* the iSCSI target process (see target_counter) */
};

struct res_io {
	char *device;                  /* the guest's block device */
	char *target_counter;          /* which /proc/PID/io counters, and why */
	struct res_io_phase before, during, after;
};

struct res_scenario {
	/* identity */
	char *id;
	int index;                     /* in the plan */
	int order;                     /* 1-based position in this run */
	char *experiment;
	int repetition;
	int status;                    /* enum res_status */
	char *error;                   /* NULL when ok */
	bool has_outcome;              /* status ok (a result) and a migration was tried */
	int outcome;                   /* enum res_outcome */
	char *outcome_why;             /* why not converged, in words (NULL when converged) */
	char *start_time, *end_time;   /* ISO 8601 UTC */
	double duration_s;
	/* settings */
	double delay_ms, delay_s;      /* round-trip time added */
	char *workload;
	struct res_precopy precopy;
	json_object *config;           /* every scenario key, base units (profile/options_json.c) */
	char *testbed;                 /* "lab" or "hosts" */
	char *guest_mode;              /* "fresh" or "pingpong" */
	/* link (once the scenario got that far) */
	bool has_link;
	struct res_link link;
	/* guest */
	bool has_guest;
	bool guest_reused;             /* pingpong: the guest of the last scenario */
	double guest_boot_s;           /* NaN when reused or restored (includes the resident fill) */
	char *guest_start;             /* "boot" or "restore" (fresh guests) */
	char *guest_start_why;         /* guest_start = restore asked for but not possible: why */
	double guest_restore_s;        /* restore call to the first sample, NaN when booted */
	char *guest_restored_from;     /* the scenario whose boot was saved */
	struct res_resident resident;
	struct res_storage storage;
	char *source, *destination, *guest_host_after; /* host names, NULL = not reached */
	/* dirty rate before the baseline window, prediction (run/predict.c) */
	bool has_dirty_rate;
	struct res_dirty_rate dirty_rate;
	bool has_prediction;
	struct res_prediction prediction;
	/* migration */
	bool migration_tried;          /* false: migrate = no (the windows only) */
	bool has_migration;
	struct res_migration migration;
	char *jobstats_file, *console_file;
	/* samples and phases */
	bool has_samples;
	struct res_samples samples;
	bool has_phases;
	struct res_phases phases;
	struct res_ratio ratio;
	double guest_gap_s;            /* longest host-time gap between samples */
	double guest_gap_start_s;
	double guest_clock_gap_s;      /* that gap by the guest's clock */
	/* several guests (run/guests.c) */
	char *vcpu_pin;                /* host CPUs of the main guest's vCPUs, NULL = not pinned */
	bool has_migrations;           /* migrate_vms > 1 */
	struct res_migrations migrations;
	bool has_neighbours;           /* neighbours > 0 */
	struct res_neighbour *neighbours;
	int nneighbours;
	/* the hosts (hostmon/) */
	bool has_hosts;
	struct res_hosts hosts;
	bool has_ksm;
	struct res_ksm ksm;
	bool has_io;
	struct res_io io;
	/* the guest network and the service a client sees (run/netprobe.c) */
	bool has_network;
	struct res_network network;
	bool has_service;
	double service_downtime_s;     /* = network.echo.service_downtime_s */
};

/* The field tables (for readers that look keys up, e.g. the report). */
extern const struct jf_field res_scenario_fields[];

/* Zero r and mark every double unmeasured (NaN). */
void res_scenario_init(struct res_scenario *r);
void res_scenario_free(struct res_scenario *r);
/* Mark every double of an array element unmeasured (its strings NULL). */
void res_neighbour_init(struct res_neighbour *n);
void res_vm_migration_init(struct res_vm_migration *m);
/* Set a string field (copies s; NULL clears). */
void res_set(char **field, const char *s);
json_object *res_scenario_json(const struct res_scenario *r);
/* Type-check o into r (r is initialized here).  MB_EINPUT with the key's
 * path on a missing id/status or a value of the wrong type; free r either
 * way. */
int res_scenario_read(json_object *o, struct res_scenario *r) MB_WUR;
/* The field at a dotted path and its offset in struct res_scenario; NULL if
 * the record has no such key.  A number's value: res_number. */
const struct jf_field *res_field(const char *path, size_t *off);
/* A numeric field of r as a double (NaN if unmeasured, absent or not numeric). */
double res_number(const struct res_scenario *r, const char *path);
/* JSON Schema of a scenario record. */
json_object *res_schema_json(void);

#endif
