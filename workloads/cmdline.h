/* cmdline.h - controller side: the workload kinds, and the guest kernel
 * command line that selects and parameterizes a scenario's workload (keys
 * documented in workloads/README.md). */
#ifndef MB_WL_CMDLINE_H
#define MB_WL_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/enum.h"
#include "core/err.h"

/* The workload key; the names are the guest's migbench.wl= values. */
enum wl_kind { WL_CPUADD, WL_SEQREAD, WL_MEMDIRTY, WL_IDLE, WL_NETSTREAM, WL_KIND_LAST };
MB_ENUM_DECL(wl_kind);

/* The resident memory's contents; the names are the guest's
 * migbench.resident_pattern= values (workloads/fill.h). */
enum resident_pattern { RESIDENT_RANDOM, RESIDENT_SAME, RESIDENT_ZERO, RESIDENT_PATTERN_LAST };
MB_ENUM_DECL(resident_pattern);

/* Guest memory that resident memory must leave to the guest itself: the
 * kernel (code, data, slabs, page structs, the zones' reserves), the
 * initramfs unpacked in RAM (~3 MiB), the 16 MiB the guest program keeps
 * free (workloads/mbguest.c) and the workload.  Measured under Debian's
 * cloud kernel at init: MemAvailable 440 MiB of 512 MiB, 870 MiB of 1 GiB
 * (a 900 MiB fill of a 1 GiB guest is OOM-killed).  The rule below leaves
 * exactly what those two need (400 MiB of 512 MiB and 848 MiB of 1 GiB
 * fill and run); above 1 GiB it is unmeasured and errs on the safe side. */
#define WL_RESIDENT_RESERVE_MIB 48

/* What the guest is told to run (profile/params.h fills it from a config). */
struct wl_params {
	int kind;                /* enum wl_kind */
	int64_t interval_ns;     /* between progress samples */
	int64_t cpuadd_round;    /* additions per cpuadd round */
	uint64_t seqread_block;  /* read size */
	uint64_t seqread_size;   /* bytes before wrapping around, 0 = to the end */
	uint64_t seqread_offset; /* where reading starts */
	bool seqread_direct;     /* O_DIRECT */
	uint64_t memdirty_size;  /* working set written */
	double memdirty_rate;    /* bytes/s, 0 = as fast as possible */
	uint64_t resident;       /* bytes filled and held at boot, 0 = none */
	int resident_pattern;    /* enum resident_pattern */
	const char *guest_args;  /* extra kernel command line, NULL or "" = none */
	/* The NIC (nic = yes); NULL = none.  Written only when set, so an
	 * older guest image sees none of these words without a NIC. */
	const char *net_addr;    /* the guest's static address, "198.18.4.2/24" */
	const char *net_sink;    /* netstream's sink, "198.18.4.1:5201" */
	int echo_port;           /* the UDP echo responder's port, 0 = none */
};

/* "console=ttyS0,115200 quiet migbench.wl=cpuadd migbench.interval=...ns ..."
 * plus p->guest_args.  MB_EINPUT if it does not fit in len. */
int wl_cmdline(const struct wl_params *p, char *buf, size_t len) MB_WUR;

/* Bytes of resident memory for `resident` (OPT_SIZE_FRAC: bytes, or a
 * fraction of memory), rounded down to whole 4 KiB pages. */
uint64_t wl_resident_bytes(double resident, uint64_t memory);
/* What resident memory must leave in a guest of `memory` bytes:
 * WL_RESIDENT_RESERVE_MIB plus 1/8 of memory (848 MiB of 1 GiB fit). */
uint64_t wl_resident_reserve(uint64_t memory);

/* Whether the workload needs the guest's NIC (netstream). */
bool wl_needs_nic(int workload);

/* The unit the workload's counter is in ("add", "B", "beat"; "?" if unknown). */
const char *wl_unit(int workload);

#endif
