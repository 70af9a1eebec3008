/* options.h - the one option table.  Every profile key and every --key=value
 * override is declared here once (name, type, default, range, unit, help);
 * the table drives parsing, validation, help text, the README reference and
 * the echo of effective options into results.  A key not in the table does
 * not exist.
 *
 * Keys live in sections:
 *   [global] and experiment sections  scenario keys (delay, workload, ...)
 *   [global] only                     run keys (order, seed, guest_mode, ...)
 *   [lab]                             lab keys, full name "lab.<key>"
 *   [hosts]                           real-host keys, full name "hosts.<key>"
 */
#ifndef MB_OPTIONS_H
#define MB_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdio.h>

#include "core/enum.h"
#include "profile/units.h"

enum opt_type {
	OPT_BOOL,     /* yes/no, true/false, on/off, 1/0 */
	OPT_INT,      /* decimal integer */
	OPT_DURATION, /* int64 ns */
	OPT_SIZE,     /* uint64 bytes */
	OPT_RATE,     /* double bytes per second */
	OPT_FRACTION, /* double, 0.25 or 25% */
	OPT_ENUM,     /* one of opt->enums, stored as its index */
	OPT_STRING,   /* printable text */
	OPT_PATH,     /* a file path, relative to the profile's directory */
	OPT_SIZE_FRAC, /* double: a size in bytes ("900MiB", at least a page) or a
			* fraction of another key in (0,1] ("0.8", "80%"); 0 = none */
};

enum opt_scope {
	SCOPE_SCENARIO, /* [global] or an experiment section */
	SCOPE_RUN,      /* [global] only: applies to the whole run */
	SCOPE_LAB,      /* [lab] */
	SCOPE_HOSTS,    /* [hosts] */
};

enum opt_flags {
	OPT_LIST = 1 << 0,     /* may be a comma list: one scenario per value */
	OPT_ID_ALWAYS = 1 << 1 /* always part of the scenario id, even if fixed */
};

/* The enum fields of struct mb_config are ints: each enum and its names
 * live in the subsystem that owns it (wl_kind in workloads/cmdline.h;
 * link_path, jitter_dist, link_backend in link/link.h; compression in
 * migrate/migrate.h; virt_type in migrate/domain.h; storage_mode in
 * storage/store.h).  The option table refers to their name tables.  The two
 * run-wide ones belong to this layer: plan/ and run/ are built on it. */
enum guest_mode { GUEST_FRESH, GUEST_PINGPONG, GUEST_MODE_LAST };
MB_ENUM_DECL(guest_mode);
enum guest_start { GUEST_START_RESTORE, GUEST_START_BOOT, GUEST_START_LAST };
MB_ENUM_DECL(guest_start);
enum run_order { ORDER_SEQUENTIAL, ORDER_INTERLEAVED, ORDER_RANDOM, RUN_ORDER_LAST };
MB_ENUM_DECL(run_order);
/* Where the neighbour guests run (run/guests.c): N on the source, N on the
 * destination, or N on each. */
enum nb_site { NB_SOURCE, NB_DESTINATION, NB_BOTH, NB_SITE_LAST };
MB_ENUM_DECL(nb_site);

/* The effective settings of one scenario (and of the run, lab and hosts):
 * exactly one value per key.  Strings point into the profile. */
struct mb_config {
	/* link under test */
	const char *link;      /* named link ([link.NAME] or a preset), "" = none;
	                        * profile_link_apply fills delay..rate_down from it */
	double rate_up;        /* bytes/s cap source->destination, 0 = rate */
	double rate_down;      /* bytes/s cap destination->source, 0 = rate */
	const char *tcp_buffers; /* "os", "bdp" or a size (profile/values.h parses it) */
	int64_t delay_ns;      /* round-trip time added (half per direction) */
	int64_t jitter_ns;
	int jitter_dist;       /* enum jitter_dist */
	double loss;           /* fraction of packets dropped, each direction */
	double rate;           /* bytes/s cap each direction, 0 = none */
	uint64_t queue;        /* link queue limit in bytes, 0 = from the BDP */
	int link_path;         /* enum link_path: which path gets the delay */
	int target_site;       /* enum target_site: where the iSCSI target sits */
	bool probe;            /* probe the link before each scenario */
	int64_t probe_time_ns; /* throughput part of the probe */
	int64_t dirty_rate_time_ns; /* the guest's dirty-rate measurement, 0 = off */

	/* guest and workload */
	int workload;          /* enum wl_kind */
	uint64_t memory;       /* guest RAM in bytes */
	int64_t vcpus;
	int virt_type;         /* enum virt_type */
	const char *kernel;    /* NULL/"" = the built guest */
	const char *initrd;
	const char *guest_args; /* extra kernel command line */
	int storage;           /* enum storage_mode */
	int64_t interval_ns;   /* guest sample interval */
	int64_t cpuadd_round;
	uint64_t seqread_block;
	uint64_t seqread_size; /* 0 = to the end of the disk */
	uint64_t seqread_offset;
	bool seqread_direct;
	uint64_t memdirty_size;
	double memdirty_rate;  /* bytes/s, 0 = as fast as possible */
	double resident;       /* OPT_SIZE_FRAC: bytes, or a fraction of memory; 0 = none */
	int resident_pattern;  /* enum resident_pattern */
	int ksm;               /* enum ksm_mode (hostmon/ksm.h) */
	int64_t ksm_pages_to_scan; /* 0 = as the host has it */
	int64_t ksm_sleep_ns;  /* 0 = as the host has it */

	/* several guests (run/guests.c) */
	bool migrate;          /* no: the windows only, no migration */
	int64_t migrate_vms;   /* guests migrated together (the main one and N-1 more) */
	int64_t migrate_stagger_ns; /* start of each further migration after the previous */
	int64_t neighbours;    /* extra guests that stay where they are, per site */
	int neighbour_workload; /* enum wl_kind */
	int neighbour_site;    /* enum nb_site */
	const char *vcpu_pin;  /* none, spread or a CPU list (profile/values.h) */
	const char *emulator_pin; /* none or a CPU list: QEMU's other threads */
	const char *lab_pin;   /* none or a CPU list: the lab's own processes (run/labpin.h) */

	/* the guest network (lab/lab.h, run/netwl.h) */
	bool nic;              /* a virtio NIC on the lab's guest network (lab/lab.h) */
	bool echo_probe;       /* the UDP echo probe of the service downtime (needs nic) */

	/* migration (pre-copy settings) */
	int64_t max_downtime_ns;
	double bandwidth;      /* bytes/s, 0 = unlimited */
	bool auto_converge;
	int64_t auto_converge_initial; /* percent */
	int64_t auto_converge_increment;
	bool xbzrle;
	uint64_t xbzrle_cache;
	int compression;       /* enum compression */
	int64_t multifd;       /* parallel connections, 0 = off */
	int64_t postcopy_after; /* switch to post-copy after N iterations, 0 = never */
	int64_t timeout_ns;    /* abort the migration job after this long */

	/* measurement windows */
	int64_t before_ns;
	int64_t after_ns;
	int64_t repeat;

	/* run */
	int guest_mode;        /* enum guest_mode */
	int guest_start;       /* enum guest_start: how fresh guests start */
	int order;             /* enum run_order */
	int64_t seed;

	/* [lab] */
	const char *lab_name;
	const char *lab_dir;
	uint64_t lab_lun_size;
	bool lab_fill;
	int lab_link;          /* enum link_backend */

	/* [hosts]: set source and dest to run on real hosts instead of the lab */
	const char *hosts_source;
	const char *hosts_dest;
	const char *hosts_migrate_host;
	const char *hosts_iscsi_portal;
	const char *hosts_iscsi_iqn;
	int64_t hosts_iscsi_lun;
	const char *hosts_netem_dev;
};

struct mb_option {
	const char *name;      /* key as written in its section */
	const char *full;      /* "lab.name" for lab/hosts keys, else == name */
	enum opt_type type;
	enum opt_scope scope;
	unsigned flags;        /* enum opt_flags */
	size_t off;            /* offsetof(struct mb_config, field) */
	const char *def;       /* default, as text (parsed like a profile value) */
	double min, max;       /* range in base units (ignored when min > max) */
	const char *unit;      /* display unit ("ms", "MiB", "Mbit") */
	const char *const *enums; /* NULL-terminated, for OPT_ENUM */
	const char *idtag;     /* prefix in scenario ids ("d" -> d16ms) */
	const char *help;
};

extern const struct mb_option mb_options[];
extern const size_t mb_noptions;

/* Find a key as written in a section of the given scope (the scenario scope
 * finds run keys too).  Returns NULL if there is none. */
const struct mb_option *opt_find(enum opt_scope scope, const char *name);
/* Find by full name ("delay", "lab.name"). */
const struct mb_option *opt_find_full(const char *full);
int opt_index(const struct mb_option *o);

/* For a key that existed once and was replaced: what to write instead;
 * NULL for any other name. */
const char *opt_retired(const char *name);

/* The closest key name to a misspelt one among the keys of that scope. */
const char *opt_suggest(enum opt_scope scope, const char *name);

const char *opt_type_name(enum opt_type t);
enum unit_kind opt_unit_kind(enum opt_type t);

/* One value of an option, as stored in a setting list. */
struct optval {
	union {
		bool b;
		int64_t i;
		uint64_t u;
		double d;
		int e;
		const char *s;
	};
};

/* Parse one value (a single list element) of option o.  bare_unit is the
 * unit a bare number takes (from the list), or NULL.  Checks type, unit,
 * range and enum.  Strings are not copied.  On error returns MB_EINPUT with
 * a message that names the key and the value. */
int opt_parse_value(const struct mb_option *o, const char *text, const char *bare_unit,
		    struct optval *out) MB_WUR;

/* Store v into the config field of o / read it back. */
void opt_store(const struct mb_option *o, struct mb_config *cfg, const struct optval *v);
struct optval opt_load(const struct mb_option *o, const struct mb_config *cfg);

/* Text of a value in the option's display unit ("16ms", "yes", "cpuadd"). */
void opt_format(const struct mb_option *o, const struct optval *v, char *out, size_t len);

/* Fill cfg with every option's default. */
void opt_defaults(struct mb_config *cfg);

/* Help for one option: "delay  duration (ms), list, default 0  -- ..." */
void opt_print_help(const struct mb_option *o, FILE *f);
/* The Markdown reference of all keys (for the README). */
void opt_print_markdown(FILE *f);

#endif
