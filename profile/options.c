/* options.c - the option table and the typed parsing of one value. */
#include "profile/options.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "migrate/domain.h"
#include "migrate/migrate.h"
#include "link/link.h"
#include "hostmon/ksm.h"
#include "storage/store.h"
#include "workloads/cmdline.h"

/* The run-wide enums of this layer; every other enum's names come from the
 * subsystem that owns it. */
MB_ENUM_IMPL(guest_mode, GUEST_MODE_LAST, "fresh", "pingpong");
MB_ENUM_IMPL(guest_start, GUEST_START_LAST, "restore", "boot");
MB_ENUM_IMPL(run_order, RUN_ORDER_LAST, "sequential", "interleaved", "random");
MB_ENUM_IMPL(nb_site, NB_SITE_LAST, "source", "destination", "both");

#define F(field) offsetof(struct mb_config, field)
#define NS(x) ((double)(x) * 1e9)
#define MiB 1048576.0
#define NORANGE 1, 0
#define STR_(x) #x
#define STR(x) STR_(x)

/* Scenario keys first (in the order they appear in scenario ids), then
 * run, lab and hosts keys. */
const struct mb_option mb_options[] = {
	/* name, full, type, scope, flags, field, default, min, max, unit, enums, idtag, help */
	/* -- links and TCP buffers (profile/links.c has the presets) -- */
	{ "link", "link", OPT_STRING, SCOPE_SCENARIO, OPT_LIST, F(link), "", NORANGE, NULL, NULL, "",
	  "Named link(s): a [link.NAME] section of the profile or a built-in preset ('migbench help "
	  "links'); it sets delay, jitter, jitter_dist, loss, rate, rate_up and rate_down, which may "
	  "then not be set beside it.  Its name replaces d<delay> in scenario ids." },
	{ "rate_up", "rate_up", OPT_RATE, SCOPE_SCENARIO, OPT_LIST, F(rate_up), "0", 0, 1e12, "Mbit",
	  NULL, "up",
	  "Link rate cap source->destination (the migration stream's direction; host->target on the "
	  "storage paths); 0 = rate." },
	{ "rate_down", "rate_down", OPT_RATE, SCOPE_SCENARIO, OPT_LIST, F(rate_down), "0", 0, 1e12,
	  "Mbit", NULL, "down",
	  "Link rate cap destination->source (target->host on the storage paths); 0 = rate." },
	{ "tcp_buffers", "tcp_buffers", OPT_STRING, SCOPE_SCENARIO, 0, F(tcp_buffers), "bdp", NORANGE,
	  NULL, NULL, NULL,
	  "The hosts' TCP buffer limits (net.ipv4.tcp_rmem/tcp_wmem): os (this OS's defaults, as a "
	  "fresh host has them), bdp (max raised to twice the bandwidth-delay product) or a size "
	  "(the max).  Set in the lab; on real hosts only read.  What was in force is recorded." },
	/* -- end of links and TCP buffers -- */
	{ "delay", "delay", OPT_DURATION, SCOPE_SCENARIO, OPT_LIST | OPT_ID_ALWAYS, F(delay_ns), "0",
	  0, NS(10), "ms", NULL, "d",
	  "Round-trip time added on the link under test: half on each direction's egress, so "
	  "ping between the hosts shows this value (plus the link's own few microseconds)." },
	{ "workload", "workload", OPT_ENUM, SCOPE_SCENARIO, OPT_LIST | OPT_ID_ALWAYS, F(workload),
	  "cpuadd", NORANGE, NULL, wl_kind_names, "",
	  "Guest workload: cpuadd (integer-add loop), seqread (sequential disk read), "
	  "memdirty (writes a working set), idle (heartbeats only), netstream (a TCP stream to a "
	  "sink on the host side of the site the guest runs on; needs nic = yes)." },
	{ "max_downtime", "max_downtime", OPT_DURATION, SCOPE_SCENARIO, OPT_LIST, F(max_downtime_ns),
	  "300ms", NS(0.001), NS(60), "ms", NULL, "dt",
	  "Largest pause the pre-copy may take for the final switchover (libvirt max downtime)." },
	{ "bandwidth", "bandwidth", OPT_RATE, SCOPE_SCENARIO, OPT_LIST, F(bandwidth), "0", 0,
	  1099511627776.0, "MiB/s", NULL, "bw", "Migration bandwidth cap; 0 = unlimited.  A lowercase b is bits (800Mbit, 800Mb/s, "
	  "800Mbps), a capital B bytes (100MB/s, 95MiB/s)." },
	{ "auto_converge", "auto_converge", OPT_BOOL, SCOPE_SCENARIO, OPT_LIST, F(auto_converge),
	  "no", NORANGE, NULL, NULL, "ac",
	  "Throttle the guest's vCPUs when pre-copy does not converge (QEMU auto-converge)." },
	{ "auto_converge_initial", "auto_converge_initial", OPT_INT, SCOPE_SCENARIO, OPT_LIST,
	  F(auto_converge_initial), "20", 1, 99, "%", NULL, "aci",
	  "First CPU throttle step of auto-converge, in percent." },
	{ "auto_converge_increment", "auto_converge_increment", OPT_INT, SCOPE_SCENARIO, OPT_LIST,
	  F(auto_converge_increment), "10", 1, 99, "%", NULL, "acs",
	  "CPU throttle added at each further auto-converge step, in percent." },
	{ "xbzrle", "xbzrle", OPT_BOOL, SCOPE_SCENARIO, OPT_LIST, F(xbzrle), "no", NORANGE, NULL,
	  NULL, "xbzrle", "Send XBZRLE deltas of re-dirtied pages instead of whole pages." },
	{ "xbzrle_cache", "xbzrle_cache", OPT_SIZE, SCOPE_SCENARIO, OPT_LIST, F(xbzrle_cache),
	  "64MiB", MiB, 1099511627776.0, "MiB", NULL, "xc", "XBZRLE page cache size." },
	{ "compression", "compression", OPT_ENUM, SCOPE_SCENARIO, OPT_LIST, F(compression), "none",
	  NORANGE, NULL, compression_names, "comp",
	  "Page compression: none, mt (multi-threaded zlib, legacy), zlib or zstd (with multifd)." },
	{ "multifd", "multifd", OPT_INT, SCOPE_SCENARIO, OPT_LIST, F(multifd), "0", 0, 64, NULL,
	  NULL, "mfd", "Parallel migration connections (multifd); 0 = a single connection." },
	{ "postcopy_after", "postcopy_after", OPT_INT, SCOPE_SCENARIO, OPT_LIST, F(postcopy_after),
	  "0", 0, 10000, NULL, NULL, "pc",
	  "Switch to post-copy after this many pre-copy iterations; 0 = pure pre-copy." },
	{ "memory", "memory", OPT_SIZE, SCOPE_SCENARIO, OPT_LIST, F(memory), "256MiB", 64 * MiB,
	  1099511627776.0, "MiB", NULL, "mem", "Guest RAM: the memory the migration has to copy." },
	{ "vcpus", "vcpus", OPT_INT, SCOPE_SCENARIO, OPT_LIST, F(vcpus), "1", 1, 256, NULL, NULL,
	  "cpu", "Number of guest vCPUs." },
	/* Resident memory (workloads/fill.h): keep these two together. */
	{ "resident", "resident", OPT_SIZE_FRAC, SCOPE_SCENARIO, OPT_LIST, F(resident), "0", 4096,
	  1099511627776.0, "MiB", NULL, "res",
	  "Guest memory filled at boot and held for the whole scenario (like page cache and "
	  "heap), so the migration has to carry it: a size (800MiB) or a fraction of memory "
	  "(0.8, 80%); 0 = none.  At most memory minus " STR(WL_RESIDENT_RESERVE_MIB)
	  " MiB and 1/8 of memory, for the guest's kernel and initramfs (848 MiB of 1 GiB)." },
	{ "resident_pattern", "resident_pattern", OPT_ENUM, SCOPE_SCENARIO, OPT_LIST,
	  F(resident_pattern), "random", NORANGE, NULL, resident_pattern_names, "rp",
	  "Contents of the resident memory: random (every page different and incompressible: "
	  "nothing for compression, XBZRLE or KSM to save), same (one non-zero page repeated: "
	  "KSM merges them), zero (QEMU skips zero pages: the baseline)." },
	/* Several guests (run/guests.c): keep these together. */
	{ "migrate", "migrate", OPT_BOOL, SCOPE_SCENARIO, OPT_LIST, F(migrate), "yes", NORANGE, NULL,
	  NULL, "mig",
	  "no: no migration, the guests run three plain timed windows (before, a during window as "
	  "long as before, after) and the record says no migration was tried (for isolation and "
	  "KSM studies)." },
	{ "migrate_vms", "migrate_vms", OPT_INT, SCOPE_SCENARIO, OPT_LIST, F(migrate_vms), "1", 1, 8,
	  NULL, NULL, "vms",
	  "Guests migrated together over the same link: the main guest and N-1 more like it, each "
	  "migration in its own thread; the record has each one's figures and the aggregate." },
	{ "migrate_stagger", "migrate_stagger", OPT_DURATION, SCOPE_SCENARIO, OPT_LIST,
	  F(migrate_stagger_ns), "0", 0, NS(600), "s", NULL, "stg",
	  "With migrate_vms > 1: start each further migration this long after the previous one; "
	  "0 = all at once." },
	{ "neighbours", "neighbours", OPT_INT, SCOPE_SCENARIO, OPT_LIST, F(neighbours), "0", 0, 8,
	  NULL, NULL, "nb",
	  "Extra guests that stay put beside the migrated one (on neighbour_site), running "
	  "neighbour_workload; the record has each one's before/during/after rates." },
	{ "neighbour_workload", "neighbour_workload", OPT_ENUM, SCOPE_SCENARIO, OPT_LIST,
	  F(neighbour_workload), "cpuadd", NORANGE, NULL, wl_kind_names, "nbw",
	  "Workload of the neighbours: cpuadd, seqread (the same disk, read-only and shared), "
	  "memdirty or idle." },
	{ "neighbour_site", "neighbour_site", OPT_ENUM, SCOPE_SCENARIO, OPT_LIST, F(neighbour_site),
	  "source", NORANGE, NULL, nb_site_names, "nbs",
	  "Where the neighbours run: source, destination, or both (neighbours on each)." },
	{ "vcpu_pin", "vcpu_pin", OPT_STRING, SCOPE_SCENARIO, 0, F(vcpu_pin), "none", NORANGE, NULL,
	  NULL, NULL,
	  "Pin the guests' vCPUs (libvirt <vcpupin>): none, spread (round-robin over the host's "
	  "CPUs) or a list of host CPUs (0,1) given out round-robin; the migrated guest's vCPUs "
	  "first, then each neighbour's." },
	{ "emulator_pin", "emulator_pin", OPT_STRING, SCOPE_SCENARIO, 0, F(emulator_pin), "none", NORANGE,
	  NULL, NULL, NULL,
	  "Pin QEMU's threads other than the vCPUs (the main loop, I/O and the migration thread; "
	  "libvirt <emulatorpin>) to these host CPUs, on both hosts: none or a list (0,1)." },
	{ "lab_pin", "lab_pin", OPT_STRING, SCOPE_SCENARIO, 0, F(lab_pin), "none", NORANGE, NULL, NULL,
	  NULL,
	  "In the lab, pin the lab's own processes (libvirtd, tgtd, the delay lines, migbench "
	  "itself) to these host CPUs for the scenario, so that with vcpu_pin and emulator_pin the "
	  "vCPUs' CPUs run vCPUs only; undone when the run ends. none or a list (0,1); "
	  "ignored on real hosts." },
	/* KSM (hostmon/ksm.h), applied for the scenario and restored after it. */
	{ "ksm", "ksm", OPT_ENUM, SCOPE_SCENARIO, OPT_LIST, F(ksm), "keep", NORANGE, NULL,
	  ksm_mode_names, "ksm",
	  "Kernel samepage merging on the hosts for the scenario: keep (as the host has it), on "
	  "(run=1: merge identical guest pages) or off (run=2: stop and unmerge everything); the "
	  "settings found are restored afterwards.  Lab only (its sites share this machine's "
	  "kernel); on real hosts KSM is only read.  Refused when the kernel has no KSM." },
	{ "ksm_pages_to_scan", "ksm_pages_to_scan", OPT_INT, SCOPE_SCENARIO, 0, F(ksm_pages_to_scan),
	  "0", 0, 100000000, NULL, NULL, NULL,
	  "KSM pages scanned per wake-up (/sys/kernel/mm/ksm/pages_to_scan) with ksm = on|off; "
	  "0 = as the host has it." },
	{ "ksm_sleep", "ksm_sleep", OPT_DURATION, SCOPE_SCENARIO, 0, F(ksm_sleep_ns), "0", 0, NS(60),
	  "ms", NULL, NULL,
	  "KSM pause between scans (sleep_millisecs, whole milliseconds) with ksm = on|off; "
	  "0 = as the host has it." },
	{ "memdirty_size", "memdirty_size", OPT_SIZE, SCOPE_SCENARIO, OPT_LIST, F(memdirty_size),
	  "64MiB", MiB, 1099511627776.0, "MiB", NULL, "wss", "Working set the memdirty workload writes." },
	{ "memdirty_rate", "memdirty_rate", OPT_RATE, SCOPE_SCENARIO, OPT_LIST, F(memdirty_rate), "0",
	  0, 1099511627776.0, "MiB/s", NULL, "dr", "Target dirty rate of memdirty; 0 = as fast as it can." },
	/* The guest network (lab/lab.h, run/netprobe.c): keep these two together. */
	{ "nic", "nic", OPT_BOOL, SCOPE_SCENARIO, OPT_LIST, F(nic), "no", NORANGE, NULL, NULL, "nic",
	  "Give the guest a virtio NIC with a static address on the lab's guest network: a bridge "
	  "in each site with the same host address, so the guest keeps its address and finds the "
	  "same host address on the destination.  Lab only." },
	{ "echo_probe", "echo_probe", OPT_BOOL, SCOPE_SCENARIO, OPT_LIST, F(echo_probe), "no",
	  NORANGE, NULL, NULL, "echo",
	  "With nic = yes: a UDP echo every 10 ms from the host side of both sites to the guest "
	  "(which answers beside its workload); the longest gap between replies around the "
	  "migration is the service downtime a client sees (service_downtime_s, mig_mon's method)." },
	{ "jitter", "jitter", OPT_DURATION, SCOPE_SCENARIO, OPT_LIST, F(jitter_ns), "0", 0, NS(1),
	  "ms", NULL, "j", "Delay variation (each direction, +/- this much around delay/2)." },
	{ "jitter_dist", "jitter_dist", OPT_ENUM, SCOPE_SCENARIO, 0, F(jitter_dist), "uniform",
	  NORANGE, NULL, jitter_dist_names, NULL, "Distribution of the jitter." },
	{ "loss", "loss", OPT_FRACTION, SCOPE_SCENARIO, OPT_LIST, F(loss), "0", 0, 1, "%", NULL,
	  "loss", "Packet loss on each direction of the link (0.01 or 1%)." },
	{ "rate", "rate", OPT_RATE, SCOPE_SCENARIO, OPT_LIST, F(rate), "0", 0, 1e12, "Mbit", NULL,
	  "rate", "Link rate cap, each direction; 0 = no cap.  A lowercase b is bits (100Mbit, 100Mb/s), "
	  "a capital B bytes (12.5MB/s)." },
	{ "link_path", "link_path", OPT_ENUM, SCOPE_SCENARIO, OPT_LIST, F(link_path), "migration",
	  NORANGE, NULL, link_path_names, "on",
	  "Where the link settings apply: the migration path between the hosts, the storage "
	  "path to the iSCSI target, or both." },
	{ "target_site", "target_site", OPT_ENUM, SCOPE_SCENARIO, OPT_LIST, F(target_site), "lan",
	  NORANGE, NULL, target_site_names, "ts",
	  "Where the iSCSI target sits: lan (both hosts reach it unshaped), source (beside the "
	  "source host: the destination reaches it across the link, as after a WAN migration "
	  "with the disk left behind), destination, or remote (across the link from both).  In "
	  "the lab the storage paths far from the target get the link settings; on real hosts "
	  "the target is where it is and this records it." },
	{ "queue", "queue", OPT_SIZE, SCOPE_SCENARIO, 0, F(queue), "0", 0, 17179869184.0, "MiB",
	  NULL, NULL,
	  "Link queue limit per direction; 0 = sized from the bandwidth-delay product." },
	{ "probe", "probe", OPT_BOOL, SCOPE_SCENARIO, 0, F(probe), "yes", NORANGE, NULL, NULL, NULL,
	  "Measure the link (RTT and TCP throughput) before each scenario." },
	{ "probe_time", "probe_time", OPT_DURATION, SCOPE_SCENARIO, 0, F(probe_time_ns), "2s",
	  NS(0.2), NS(60), "s", NULL, NULL, "Duration of the probe's TCP throughput test." },
	{ "dirty_rate_time", "dirty_rate_time", OPT_DURATION, SCOPE_SCENARIO, 0, F(dirty_rate_time_ns),
	  "1s", 0, NS(60), "s", NULL, NULL,
	  "Measure the guest's dirty rate (libvirt) over this long, in whole seconds, before the "
	  "baseline window; the migration's prediction needs it.  0 = off." },
	{ "storage", "storage", OPT_ENUM, SCOPE_SCENARIO, 0, F(storage), "auto", NORANGE, NULL,
	  storage_mode_names, NULL,
	  "How the hosts attach the iSCSI disk: libiscsi (QEMU's initiator), open-iscsi "
	  "(kernel initiator, a block device), or auto (open-iscsi where it works)." },
	{ "virt_type", "virt_type", OPT_ENUM, SCOPE_SCENARIO, 0, F(virt_type), "qemu", NORANGE, NULL,
	  virt_type_names, NULL, "Domain type: qemu (TCG emulation) or kvm." },
	{ "kernel", "kernel", OPT_PATH, SCOPE_SCENARIO, 0, F(kernel), "", NORANGE, NULL, NULL, NULL,
	  "Guest kernel; empty = the one built by make guest." },
	{ "initrd", "initrd", OPT_PATH, SCOPE_SCENARIO, 0, F(initrd), "", NORANGE, NULL, NULL, NULL,
	  "Guest initramfs with the workloads; empty = the one built by make guest." },
	{ "guest_args", "guest_args", OPT_STRING, SCOPE_SCENARIO, 0, F(guest_args), "", NORANGE,
	  NULL, NULL, NULL, "Extra guest kernel command line." },
	{ "interval", "interval", OPT_DURATION, SCOPE_SCENARIO, 0, F(interval_ns), "100ms", NS(0.01),
	  NS(10), "ms", NULL, NULL, "Interval between the guest's progress samples." },
	{ "cpuadd_round", "cpuadd_round", OPT_INT, SCOPE_SCENARIO, 0, F(cpuadd_round), "120000000", 1,
	  1e15, NULL, NULL, NULL, "Additions per cpuadd round (the study: 120,000,000)." },
	{ "seqread_block", "seqread_block", OPT_SIZE, SCOPE_SCENARIO, 0, F(seqread_block), "1MiB",
	  512, 64 * MiB, "KiB", NULL, NULL, "Read size of seqread (a multiple of 512)." },
	{ "seqread_size", "seqread_size", OPT_SIZE, SCOPE_SCENARIO, OPT_LIST, F(seqread_size), "0", 0,
	  1125899906842624.0, "MiB", NULL, "srs",
	  "Bytes seqread reads before wrapping around; 0 = to the end of the disk." },
	{ "seqread_offset", "seqread_offset", OPT_SIZE, SCOPE_SCENARIO, 0, F(seqread_offset), "0", 0,
	  1125899906842624.0, "MiB", NULL, NULL, "Where on the disk seqread starts." },
	{ "seqread_direct", "seqread_direct", OPT_BOOL, SCOPE_SCENARIO, OPT_LIST, F(seqread_direct), "yes",
	  NORANGE, NULL, NULL, "direct",
	  "Read with O_DIRECT, bypassing the guest page cache; no = read through the guest "
	  "page cache (repeated reads of a region that fits in it come from guest RAM)." },
	{ "timeout", "timeout", OPT_DURATION, SCOPE_SCENARIO, 0, F(timeout_ns), "300s", NS(1),
	  NS(86400), "s", NULL, NULL, "Abort the migration and fail the scenario after this long." },
	{ "before", "before", OPT_DURATION, SCOPE_SCENARIO, 0, F(before_ns), "5s", NS(0.5), NS(3600),
	  "s", NULL, NULL, "Baseline window measured before the migration starts." },
	{ "after", "after", OPT_DURATION, SCOPE_SCENARIO, 0, F(after_ns), "5s", NS(0.5), NS(3600), "s",
	  NULL, NULL, "Window measured after the guest resumes on the destination." },
	{ "repeat", "repeat", OPT_INT, SCOPE_SCENARIO, OPT_ID_ALWAYS, F(repeat), "1", 1, 1000, NULL,
	  NULL, "r", "Repetitions of every scenario (ids end in r1, r2, ...)." },

	{ "guest_mode", "guest_mode", OPT_ENUM, SCOPE_RUN, 0, F(guest_mode), "fresh", NORANGE, NULL,
	  guest_mode_names, NULL,
	  "fresh: boot a guest for every scenario; pingpong: keep one guest per workload and "
	  "migrate it back and forth." },
	{ "guest_start", "guest_start", OPT_ENUM, SCOPE_RUN, 0, F(guest_start), "restore", NORANGE, NULL,
	  guest_start_names, NULL,
	  "How fresh guests start: restore (the first guest of a kind is booted, settled and saved; "
	  "every scenario that wants it starts from a restore of that saved state: the same clean "
	  "guest each time, without a boot and a memory fill each; lab only) or boot (a boot "
	  "per scenario)." },
	{ "order", "order", OPT_ENUM, SCOPE_RUN, 0, F(order), "sequential", NORANGE, NULL,
	  run_order_names, NULL,
	  "Scenario order: sequential (repetitions together), interleaved (round-robin over "
	  "repetitions) or random (shuffled with seed)." },
	{ "seed", "seed", OPT_INT, SCOPE_RUN, 0, F(seed), "0", 0, 4294967295.0, NULL, NULL, NULL,
	  "Seed of order=random; 0 = pick one (it is recorded)." },

	{ "name", "lab.name", OPT_STRING, SCOPE_LAB, 0, F(lab_name), "mb", NORANGE, NULL, NULL, NULL,
	  "Lab name (1-6 letters/digits): prefixes its namespaces and state directory." },
	{ "dir", "lab.dir", OPT_PATH, SCOPE_LAB, 0, F(lab_dir), "/var/lib/migbench", NORANGE, NULL,
	  NULL, NULL, "Where lab state, site directories and the LUN file live." },
	{ "lun_size", "lab.lun_size", OPT_SIZE, SCOPE_LAB, 0, F(lab_lun_size), "512MiB", 16 * MiB,
	  1099511627776.0, "MiB", NULL, NULL, "Size of the iSCSI LUN (the guest's disk)." },
	{ "fill", "lab.fill", OPT_BOOL, SCOPE_LAB, 0, F(lab_fill), "yes", NORANGE, NULL, NULL, NULL,
	  "Fill the LUN with data so reads are real (no: a sparse file)." },
	{ "link", "lab.link", OPT_ENUM, SCOPE_LAB, 0, F(lab_link), "auto", NORANGE, NULL, link_backend_names,
	  NULL,
	  "Link emulation: netem (kernel qdisc via libnl), delayline (migbench's userspace "
	  "delay line) or auto (netem where the kernel has it)." },

	{ "source", "hosts.source", OPT_STRING, SCOPE_HOSTS, 0, F(hosts_source), "", NORANGE, NULL,
	  NULL, NULL, "libvirt URI of the source host (qemu+ssh://..., qemu+tls://...)." },
	{ "dest", "hosts.dest", OPT_STRING, SCOPE_HOSTS, 0, F(hosts_dest), "", NORANGE, NULL, NULL,
	  NULL, "libvirt URI of the destination host." },
	{ "migrate_host", "hosts.migrate_host", OPT_STRING, SCOPE_HOSTS, 0, F(hosts_migrate_host), "",
	  NORANGE, NULL, NULL, NULL,
	  "Destination address for the migration stream (tcp://ADDR); the link under test." },
	{ "iscsi_portal", "hosts.iscsi_portal", OPT_STRING, SCOPE_HOSTS, 0, F(hosts_iscsi_portal), "",
	  NORANGE, NULL, NULL, NULL, "iSCSI target portal, ADDR[:PORT], reachable from both hosts." },
	{ "iscsi_iqn", "hosts.iscsi_iqn", OPT_STRING, SCOPE_HOSTS, 0, F(hosts_iscsi_iqn), "", NORANGE,
	  NULL, NULL, NULL, "IQN of the target holding the guest's disk." },
	{ "iscsi_lun", "hosts.iscsi_lun", OPT_INT, SCOPE_HOSTS, 0, F(hosts_iscsi_lun), "1", 0, 16383,
	  NULL, NULL, NULL, "LUN number of the guest's disk." },
	{ "netem_dev", "hosts.netem_dev", OPT_STRING, SCOPE_HOSTS, 0, F(hosts_netem_dev), "", NORANGE,
	  NULL, NULL, NULL,
	  "Interface(s) on this machine, on the path between the hosts, that get the netem "
	  "qdisc: \"eth1\" (the whole RTT on its egress) or \"eth1 eth2\" (half on each)." },
};

const size_t mb_noptions = MB_ARRAY_SIZE(mb_options);

static bool scope_ok(enum opt_scope section_scope, enum opt_scope key_scope)
{
	if (section_scope == SCOPE_SCENARIO)
		return key_scope == SCOPE_SCENARIO || key_scope == SCOPE_RUN;
	return section_scope == key_scope;
}

const struct mb_option *opt_find(enum opt_scope scope, const char *name)
{
	for (size_t i = 0; i < mb_noptions; i++)
		if (scope_ok(scope, mb_options[i].scope) && !strcmp(mb_options[i].name, name))
			return &mb_options[i];
	return NULL;
}

const struct mb_option *opt_find_full(const char *full)
{
	for (size_t i = 0; i < mb_noptions; i++)
		if (!strcmp(mb_options[i].full, full))
			return &mb_options[i];
	return NULL;
}

int opt_index(const struct mb_option *o)
{
	return (int)(o - mb_options);
}

const char *opt_retired(const char *name)
{
	if (!strcmp(name, "tcp_buffer_max"))
		return "tcp_buffer_max was replaced by tcp_buffers: write tcp_buffers = SIZE, or "
		       "tcp_buffers = bdp for its old default 0";
	return NULL;
}

const char *opt_suggest(enum opt_scope scope, const char *name)
{
	const char *cands[64];
	size_t n = 0;
	for (size_t i = 0; i < mb_noptions && n < MB_ARRAY_SIZE(cands); i++)
		if (scope_ok(scope, mb_options[i].scope))
			cands[n++] = mb_options[i].name;
	return mb_closest(name, cands, n);
}

const char *opt_type_name(enum opt_type t)
{
	static const char *const names[] = { "bool",     "integer", "duration", "size", "rate",
					     "fraction", "enum",    "string",   "path",
					     "size or fraction" };
	return names[t];
}

enum unit_kind opt_unit_kind(enum opt_type t)
{
	switch (t) {
	case OPT_DURATION: return UNIT_DURATION;
	case OPT_SIZE:
	case OPT_SIZE_FRAC: return UNIT_SIZE;
	case OPT_RATE: return UNIT_RATE;
	default: return UNIT_FRACTION;
	}
}

static int parse_bool(const char *s, bool *b)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	for (size_t i = 0; i < MB_ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i])) {
			*b = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*b = false;
			return 0;
		}
	}
	return -1;
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static void range_text(const struct mb_option *o, char *buf, size_t len)
{
	char lo[32], hi[32];
	if (o->type == OPT_INT) {
		snprintf(buf, len, "%.0f..%.0f", o->min, o->max);
		return;
	}
	if (o->type == OPT_FRACTION) {
		snprintf(buf, len, "%g%%..%g%%", o->min * 100, o->max * 100);
		return;
	}
	unit_format(opt_unit_kind(o->type), o->min, o->unit, lo, sizeof(lo));
	unit_format(opt_unit_kind(o->type), o->max, o->unit, hi, sizeof(hi));
	if (o->type == OPT_SIZE_FRAC)
		snprintf(buf, len, "%s..%s or a fraction in (0,1]", lo, hi);
	else
		snprintf(buf, len, "%s..%s", lo, hi);
}

static size_t count_enums(const char *const *e)
{
	size_t n = 0;
	while (e[n])
		n++;
	return n;
}

int opt_parse_value(const struct mb_option *o, const char *text, const char *bare_unit,
		    struct optval *out)
{
	double v;
	int rc;

	memset(out, 0, sizeof(*out));
	switch (o->type) {
	case OPT_BOOL:
		if (parse_bool(text, &out->b) < 0)
			return mb_err(MB_EINPUT, "%s: '%s' is not yes/no (or true/false, on/off, 1/0)",
				      o->full, text);
		return MB_OK;
	case OPT_ENUM:
		for (int i = 0; o->enums[i]; i++) {
			if (!strcmp(o->enums[i], text)) {
				out->e = i;
				return MB_OK;
			}
		}
		{
			const char *s = mb_closest(text, o->enums, count_enums(o->enums));
			char list[256] = "";
			for (int i = 0; o->enums[i]; i++)
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
					 i ? ", " : "", o->enums[i]);
			return mb_err(MB_EINPUT, "%s: unknown value '%s'%s%s%s (one of: %s)", o->full,
				      text, s ? ", did you mean '" : "", s ? s : "", s ? "'?" : "",
				      list);
		}
	case OPT_STRING:
	case OPT_PATH:
		if (!printable(text))
			return mb_err(MB_EINPUT, "%s: value contains control characters", o->full);
		if (strlen(text) > 4096)
			return mb_err(MB_EINPUT, "%s: value longer than 4096 characters", o->full);
		out->s = text;
		return MB_OK;
	case OPT_INT: {
		char *end;
		long long n;
		const char *p = text;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return mb_err(MB_EINPUT, "%s: '%s' is not an integer", o->full, text);
		errno = 0;
		n = strtoll(text, &end, 10);
		if (*end)
			return mb_err(MB_EINPUT, "%s: '%s' is not an integer", o->full, text);
		if (errno == ERANGE || (o->min <= o->max && ((double)n < o->min || (double)n > o->max))) {
			char r[96];
			range_text(o, r, sizeof(r));
			return mb_err(MB_EINPUT, "%s: %s is out of range (%s)", o->full, text, r);
		}
		out->i = n;
		return MB_OK;
	}
	case OPT_SIZE_FRAC: {
		/* A bare number or a percentage is a fraction, a size has a unit;
		 * sizes start at a page (min) so the two never share a value. */
		const char *suf = unit_suffix(text);
		if (!suf || !strcmp(suf, "%")) {
			rc = unit_parse(UNIT_FRACTION, text, NULL, &v);
			if (rc)
				return mb_err_ctx(rc, "%s", o->full);
			if (v != 0 && !(v > 0 && v <= 1 + 1e-12))
				return mb_err(MB_EINPUT,
					      "%s: %s is neither a fraction in (0,1] (0.8, 80%%) nor a "
					      "size with a unit (900MiB)",
					      o->full, text);
			out->d = v > 1 ? 1 : v;
			return MB_OK;
		}
		break;
	}
	default:
		break;
	}

	rc = unit_parse(opt_unit_kind(o->type), text, bare_unit, &v);
	if (rc)
		return mb_err_ctx(rc, "%s", o->full);
	if (o->min <= o->max && (v < o->min - 1e-9 * fabs(o->min) || v > o->max + 1e-9 * fabs(o->max))) {
		char r[96];
		range_text(o, r, sizeof(r));
		return mb_err(MB_EINPUT, "%s: %s is out of range (%s)", o->full, text, r);
	}
	switch (o->type) {
	case OPT_DURATION: out->i = (int64_t)llround(v); break;
	case OPT_SIZE: out->u = (uint64_t)llround(v); break;
	case OPT_SIZE_FRAC: out->d = (double)llround(v); break;
	default: out->d = v; break;
	}
	return MB_OK;
}

/* Fields are reached by offset, so copy bytes rather than cast pointers. */
void opt_store(const struct mb_option *o, struct mb_config *cfg, const struct optval *v)
{
	char *f = (char *)cfg + o->off;
	switch (o->type) {
	case OPT_BOOL: memcpy(f, &v->b, sizeof(v->b)); break;
	case OPT_INT:
	case OPT_DURATION: memcpy(f, &v->i, sizeof(v->i)); break;
	case OPT_SIZE: memcpy(f, &v->u, sizeof(v->u)); break;
	case OPT_RATE:
	case OPT_FRACTION:
	case OPT_SIZE_FRAC: memcpy(f, &v->d, sizeof(v->d)); break;
	case OPT_ENUM: memcpy(f, &v->e, sizeof(v->e)); break;
	case OPT_STRING:
	case OPT_PATH: memcpy(f, &v->s, sizeof(v->s)); break;
	}
}

struct optval opt_load(const struct mb_option *o, const struct mb_config *cfg)
{
	const char *f = (const char *)cfg + o->off;
	struct optval v = { 0 };
	switch (o->type) {
	case OPT_BOOL: memcpy(&v.b, f, sizeof(v.b)); break;
	case OPT_INT:
	case OPT_DURATION: memcpy(&v.i, f, sizeof(v.i)); break;
	case OPT_SIZE: memcpy(&v.u, f, sizeof(v.u)); break;
	case OPT_RATE:
	case OPT_FRACTION:
	case OPT_SIZE_FRAC: memcpy(&v.d, f, sizeof(v.d)); break;
	case OPT_ENUM: memcpy(&v.e, f, sizeof(v.e)); break;
	case OPT_STRING:
	case OPT_PATH: memcpy(&v.s, f, sizeof(v.s)); break;
	}
	return v;
}

void opt_format(const struct mb_option *o, const struct optval *v, char *out, size_t len)
{
	switch (o->type) {
	case OPT_BOOL: snprintf(out, len, "%s", v->b ? "yes" : "no"); break;
	case OPT_INT: snprintf(out, len, "%" PRId64, v->i); break;
	case OPT_DURATION: unit_format(UNIT_DURATION, (double)v->i, o->unit, out, len); break;
	case OPT_SIZE: unit_format(UNIT_SIZE, (double)v->u, o->unit, out, len); break;
	case OPT_RATE:
		if (v->d == 0)
			snprintf(out, len, "0");
		else
			unit_format(UNIT_RATE, v->d, o->unit, out, len);
		break;
	case OPT_FRACTION:
		if (v->d == 0)
			snprintf(out, len, "0");
		else
			snprintf(out, len, "%g%%", v->d * 100);
		break;
	case OPT_SIZE_FRAC:
		/* As it parses back: a fraction bare, a size with its unit. */
		if (v->d <= 1)
			snprintf(out, len, "%g", v->d);
		else
			unit_format(UNIT_SIZE, v->d, o->unit, out, len);
		break;
	case OPT_ENUM: snprintf(out, len, "%s", o->enums[v->e]); break;
	case OPT_STRING:
	case OPT_PATH: snprintf(out, len, "%s", v->s ? v->s : ""); break;
	}
}

void opt_defaults(struct mb_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < mb_noptions; i++) {
		struct optval v;
		/* Defaults are checked by the unit tests; a bad one is a bug. */
		if (opt_parse_value(&mb_options[i], mb_options[i].def, NULL, &v) != MB_OK) {
			fprintf(stderr, "migbench: bad default for %s: %s\n", mb_options[i].full,
				mb_errmsg());
			abort();
		}
		opt_store(&mb_options[i], cfg, &v);
	}
}

static void describe(const struct mb_option *o, char *buf, size_t len)
{
	char r[96] = "";
	size_t n;
	n = (size_t)snprintf(buf, len, "%s", opt_type_name(o->type));
	if (o->type == OPT_ENUM) {
		n += (size_t)snprintf(buf + n, len - n, " (");
		for (int i = 0; o->enums[i]; i++)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? "|" : "", o->enums[i]);
		n += (size_t)snprintf(buf + n, len - n, ")");
	} else if (o->unit && o->type != OPT_INT) {
		n += (size_t)snprintf(buf + n, len - n, " (%s)", o->unit);
	}
	if (o->min <= o->max && o->type != OPT_BOOL && o->type != OPT_ENUM) {
		range_text(o, r, sizeof(r));
		n += (size_t)snprintf(buf + n, len - n, ", %s", r);
	}
	if (o->flags & OPT_LIST)
		snprintf(buf + n, len - n, ", list");
}

void opt_print_help(const struct mb_option *o, FILE *f)
{
	char d[256];
	describe(o, d, sizeof(d));
	fprintf(f, "  %-24s %s; default %s\n      %s\n", o->full, d, o->def[0] ? o->def : "(empty)",
		o->help);
}

void opt_print_markdown(FILE *f)
{
	static const char *const heads[] = {
		"Scenario keys (`[global]` or an experiment section)",
		"Run keys (`[global]` only)",
		"Lab keys (`[lab]`)",
		"Real-host keys (`[hosts]`)",
	};
	for (int s = SCOPE_SCENARIO; s <= SCOPE_HOSTS; s++) {
		fprintf(f, "#### %s\n\n| key | type | default | description |\n|---|---|---|---|\n",
			heads[s]);
		for (size_t i = 0; i < mb_noptions; i++) {
			const struct mb_option *o = &mb_options[i];
			char d[256];
			if ((int)o->scope != s)
				continue;
			describe(o, d, sizeof(d));
			/* A '|' would end the Markdown table cell. */
			for (char *c = strchr(d, '|'); c; c = strchr(c, '|'))
				*c = '/';
			fprintf(f, "| `%s` | %s | %s%s%s | %s |\n", o->name, d, o->def[0] ? "`" : "",
				o->def[0] ? o->def : "(empty)", o->def[0] ? "`" : "", o->help);
		}
		fprintf(f, "\n");
	}
}
