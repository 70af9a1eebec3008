/* link.h - the emulated WAN link: a point-to-point link between two network
 * namespaces (or a local interface on real hosts) and the backends that
 * shape it (delay, jitter, loss, rate), listed in one registry.
 *
 * Semantics: `delay` is the round-trip time added.  With two ends, each
 * direction's egress gets delay/2 (+/- jitter), so ping between the ends
 * shows delay.  With one end (a real host's interface, b.ifname == NULL),
 * that end's egress gets the whole delay.
 */
#ifndef MB_LINK_H
#define MB_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "core/enum.h"
#include "core/err.h"
#include "core/jfield.h"

#define LINK_OPS_VERSION 1

/* Which path of the testbed gets the link settings (the link_path key). */
enum link_path { PATH_MIGRATION, PATH_STORAGE, PATH_BOTH, LINK_PATH_LAST };
MB_ENUM_DECL(link_path);
/* Where the iSCSI target sits (the target_site key): on a LAN both hosts
 * reach unshaped, beside the source (the destination reaches it across the
 * link), beside the destination, or across the link from both. */
enum target_site { TARGET_LAN, TARGET_SOURCE, TARGET_DESTINATION, TARGET_REMOTE, TARGET_SITE_LAST };
MB_ENUM_DECL(target_site);
/* Distribution of the delay variation (the jitter_dist key). */
enum jitter_dist { DIST_UNIFORM, DIST_NORMAL, DIST_PARETO, DIST_PARETONORMAL, JITTER_DIST_LAST };
MB_ENUM_DECL(jitter_dist);
/* Which backend shapes the lab's links (the lab.link key). */
enum link_backend { LINKB_AUTO, LINKB_NETEM, LINKB_DELAYLINE, LINK_BACKEND_LAST };
MB_ENUM_DECL(link_backend);

struct link_end {
	const char *netns;  /* path of the netns file (/run/netns/x); NULL = ours */
	const char *ifname; /* interface name inside that namespace */
	const char *addr;   /* its IPv4 address (point-to-point), NULL on real hosts */
};

struct link_spec {
	const char *name;     /* "wan", "sto-src", ...: names state files */
	struct link_end a, b; /* b.ifname == NULL: one-ended (real host) */
	const char *statedir; /* where the backend keeps pid/control/state files */
};

struct link_params {
	int64_t delay_ns;  /* round-trip time added */
	int64_t jitter_ns; /* per direction */
	int jitter_dist;   /* enum jitter_dist */
	double loss;       /* fraction, per direction */
	double rate;       /* bytes/s a->b (a's egress), 0 = no cap */
	double rate_ba;    /* bytes/s b->a (b's egress), 0 = no cap; link_params_from_config
	                    * sets both (the rate key caps each direction) */
	uint64_t queue;    /* bytes per direction, 0 = from the bandwidth-delay product */
};

/* What is installed, read back from the kernel or the delay line. */
struct link_state {
	char backend[16];
	struct link_params p;
	bool installed;        /* something of ours is shaping the link */
	uint64_t limit;        /* queue limit in effect (packets for netem, bytes for the delay line) */
	/* delay-line counters (both directions summed), 0 for netem */
	uint64_t packets, bytes, drops_queue, drops_loss;
	uint64_t late_hist[8]; /* release lateness: <50us <100us <250us <500us <1ms <2ms <5ms >=5ms */
	double late_avg_us;
};

struct link_ops {
	const char *name;
	/* 0 if this backend works here; else MB_EUNSUPP and why, in words. */
	int (*supported)(char *why, size_t len);
	/* Create the link's devices (both ends up, addresses set) and any process
	 * it needs; idempotent.  Not used on real hosts (the interface exists). */
	int (*create)(const struct link_spec *l);
	/* Remove what create made (devices, processes, state files). */
	int (*destroy)(const struct link_spec *l);
	/* Install params on both ends' egress (replacing ours), then read back
	 * and verify; all-zero params = no shaping at all. */
	int (*apply)(const struct link_spec *l, const struct link_params *p);
	/* Remove our shaping (only ours: a qdisc migbench did not install stays). */
	int (*clear)(const struct link_spec *l);
	int (*show)(const struct link_spec *l, struct link_state *out);
};

extern const struct link_ops link_netem_ops;     /* link/netem_nl.c */
extern const struct link_ops link_delayline_ops; /* link/delayline.c */
/* The delay line process of the link whose spec.json is in statedir
 * (`migbench delayline --dir STATEDIR`); returns when told to quit. */
int link_delayline_main(const char *statedir) MB_WUR;
/* The pid of the link's running delay line (from its pid file), 0 if none. */
pid_t link_delayline_pid(const struct link_spec *l);
/* The registry, NULL-terminated, in order of preference for `auto`. */
extern const struct link_ops *const link_backends[];

/* The backend for enum link_backend; for LINKB_AUTO the first supported one,
 * with the reason for the choice (e.g. "netem: kernel has no sch_netem
 * (qdisc kind unknown); using delayline") in why. */
int link_choose(int backend, const struct link_ops **out, char *why, size_t len) MB_WUR;

/* A link's spec as JSON in its state directory, for `migbench link` to find
 * the lab's links (backend: the ops name that created it). */
int link_spec_save(const char *path, const struct link_spec *l, const char *backend) MB_WUR;
/* Read one back (strings allocated: link_spec_free); backend may be NULL. */
int link_spec_load(const char *path, struct link_spec *out, char *backend, size_t len) MB_WUR;
void link_spec_free(struct link_spec *l);

/* How the hosts' TCP buffer limits are chosen (the tcp_buffers key). */
enum tcp_buffers_mode { TCPBUF_OS, TCPBUF_BDP, TCPBUF_SIZE, TCP_BUFFERS_MODE_LAST };
MB_ENUM_DECL(tcp_buffers_mode);

/* The sysctls that limit a host's TCP buffers. */
struct link_tcp_buffers {
	uint64_t rmem[3];      /* net.ipv4.tcp_rmem: min, default, max (autotuning's ceiling) */
	uint64_t wmem[3];      /* net.ipv4.tcp_wmem */
	uint64_t core_rmem_max; /* net.core.rmem_max: the cap of an explicit SO_RCVBUF */
	uint64_t core_wmem_max; /* net.core.wmem_max: the cap of an explicit SO_SNDBUF */
};
/* Their keys (the scenario record nests them). */
extern const struct jf_field link_tcp_buffers_fields[];
/* The command that prints them (8 numbers), NULL-terminated; a remote
 * host runs it behind ssh. */
extern const char *const link_tcp_sysctl_argv[];
/* Parse that command's output. */
int link_tcp_buffers_parse(const char *text, struct link_tcp_buffers *out) MB_WUR;
/* Read them inside netns (NULL: this process's namespace). */
int link_get_tcp_buffers(const char *netns, struct link_tcp_buffers *out) MB_WUR;
/* Set tcp_rmem and tcp_wmem inside netns to b's (the net.core caps are left
 * alone: autotuning does not use them). */
int link_set_tcp_buffers(const char *netns, const struct link_tcp_buffers *b) MB_WUR;
/* Linux's min and default with max as the ceiling of both. */
void link_tcp_buffers_sized(uint64_t max, struct link_tcp_buffers *out);
/* Buffer size that covers the bandwidth-delay product (2x BDP at the faster
 * direction's rate, or at 10 Gbit/s with no cap), at least the 4 MiB default. */
uint64_t link_tcp_buffer_for(const struct link_params *p);

/* The probe: RTT and single-stream TCP throughput a -> b. */
struct probe_opts {
	int rtt_count;         /* round trips to time (default 50) */
	int64_t duration_ns;   /* throughput test (default 2 s) */
	int port;              /* TCP port on b (default 5201) */
};

struct probe_result {
	int rtt_n;
	double rtt_min_s, rtt_avg_s, rtt_p50_s, rtt_p99_s, rtt_max_s;
	double tcp_bytes_per_s; /* goodput seen by the receiver, whole test */
	double tcp_steady_bytes_per_s; /* over the second half (past slow start) */
	uint64_t tcp_bytes;
	double tcp_seconds;
	double took_s; /* the whole probe, wall time */
};

int link_probe(const struct link_spec *l, const struct probe_opts *o,
	       struct probe_result *r) MB_WUR;
json_object *link_probe_json(const struct probe_result *r);
json_object *link_state_json(const struct link_state *s);
/* Their keys (core/jfield.h tables; the scenario record nests them). */
extern const struct jf_field link_state_fields[];
extern const struct jf_field link_probe_fields[];

#endif
