/* wl.h - guest side: the workloads of the guest program (mbguest), each an
 * ops struct listed once in wl_registry (workloads/mbguest.c).  Adding a
 * workload = one file + one line in the registry. */
#ifndef MB_WL_H
#define MB_WL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define WL_OPS_VERSION 1

/* Parameters from the kernel command line (migbench.*, workloads/README.md). */
struct wl_params {
	char name[16];         /* migbench.wl */
	int64_t interval_ns;   /* migbench.interval: sample period; 0 = only at exit */
	int64_t duration_ns;   /* migbench.duration: stop after; 0 = run forever */
	uint64_t round;        /* migbench.round: cpuadd additions per round */
	char dev[128];         /* migbench.dev: seqread device or file */
	uint64_t block;        /* migbench.block: seqread read size */
	uint64_t size;         /* migbench.size: seqread bytes before wrapping (0 = to the end) */
	uint64_t offset;       /* migbench.offset: seqread start */
	int direct;            /* migbench.direct: O_DIRECT (1) or page cache (0) */
	uint64_t wss;          /* migbench.wss: memdirty working set, bytes */
	uint64_t rate;         /* migbench.rate: memdirty bytes/s, 0 = as fast as possible */
	uint64_t resident;     /* migbench.resident: bytes filled and held before the workload */
	int resident_pattern;  /* migbench.resident_pattern: enum fill_pattern (fill.h) */
	char ip[32];           /* migbench.ip: the NIC's address (init sets it; noted only) */
	char sink[64];         /* migbench.sink: netstream's TCP sink, ADDR:PORT */
	int echo_port;         /* migbench.echo: UDP echo responder port, 0 = none */
	char fault[16];        /* migbench.fault: test hook exit|hang|panic ... */
	int64_t fault_at_ns;   /* ... at this time after start (migbench.fault=exit@3s) */
};

struct wl_ops {
	const char *name;
	const char *unit; /* of wl_progress: "add", "B", "beat" */
	/* Prepare (open the device, map memory); on error fill err and return -1. */
	int (*setup)(const struct wl_params *p, char *err, size_t len);
	/* Run forever, adding to wl_progress; NULL for a workload the sampler
	 * itself advances (idle).  Return only on error (err filled). */
	int (*run)(const struct wl_params *p, char *err, size_t len);
	/* The parameters in effect, for the start event. */
	void (*describe)(const struct wl_params *p, char *buf, size_t len);
};

/* The cumulative counter the sampler reports. */
extern _Atomic uint64_t wl_progress;

extern const struct wl_ops wl_cpuadd, wl_seqread, wl_memdirty, wl_idle, wl_netstream;

/* An event line (PROTOCOL.md) from any thread (mbguest.c). */
void wl_event(const char *ev, const char *text);

struct sockaddr_in;
/* "198.18.4.1:5201" into out; -1 if it is not an IPv4 address and port. */
int wl_parse_hostport(const char *s, struct sockaddr_in *out);

/* echo.c: a thread answering every UDP datagram on port with the same
 * bytes (the controller's service-downtime probe); -1 with err filled. */
int wl_echo_start(int port, char *err, size_t len);

#endif
