/* result.c - the scenario record's field tables, its writer, reader and
 * schema (see result.h).  Every key of a scenarios.jsonl line is here (the
 * link's own keys are in link/link.c); change a key here and the schema,
 * the writer and the readers follow. */
#include "record/result.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

const char *const res_status_names[] = { "ok", "failed", "skipped", NULL };
const char *const res_outcome_names[] = { "converged", "not_converged", "aborted", "refused", NULL };

static const struct jf_field precopy_fields[] = {
#define T struct res_precopy
	{ "max_downtime_s", JF_NUM, JF_AT(T, max_downtime_s) },
	{ "bandwidth_bytes_per_s", JF_NUM, JF_AT(T, bandwidth_bytes_per_s) },
	{ "auto_converge", JF_BOOL, JF_AT(T, auto_converge) },
	{ "auto_converge_initial", JF_I64, JF_AT(T, auto_converge_initial) },
	{ "auto_converge_increment", JF_I64, JF_AT(T, auto_converge_increment) },
	{ "xbzrle", JF_BOOL, JF_AT(T, xbzrle) },
	{ "xbzrle_cache_bytes", JF_U64, JF_AT(T, xbzrle_cache_bytes) },
	{ "compression", JF_STR, JF_AT(T, compression) },
	{ "multifd", JF_I64, JF_AT(T, multifd) },
	{ "postcopy_after", JF_I64, JF_AT(T, postcopy_after) },
	{ "timeout_s", JF_NUM, JF_AT(T, timeout_s) },
	JF_END,
#undef T
};

static const struct jf_field link_state_elem[] = {
	{ NULL, JF_INLINE, JF_AT(struct res_link_state, st), .sub = link_state_fields },
	{ "name", JF_STR, JF_AT(struct res_link_state, name) },
	JF_END,
};

static const struct jf_field probe_fields[] = {
	{ NULL, JF_INLINE, JF_AT(struct res_probe, r), JF_IF(struct res_probe, measured),
	  .sub = link_probe_fields },
	{ "skipped", JF_STR, JF_AT(struct res_probe, skipped), JF_OMIT,
	  .doc = "why the link was not probed" },
	JF_END,
};

static const struct jf_field tcp_site_fields[] = {
#define T struct res_tcp_site
	{ "host", JF_STR, JF_AT(T, host) },
	{ NULL, JF_INLINE, JF_AT(T, b), JF_IF(T, read), .sub = link_tcp_buffers_fields },
	{ "error", JF_STR, JF_AT(T, error), JF_OMIT, .doc = "why the limits could not be read" },
	JF_END,
#undef T
};

static const struct jf_field tcp_fields[] = {
#define T struct res_tcp
	{ "mode", JF_STR, JF_AT(T, mode), .doc = "the tcp_buffers key: os, bdp or size" },
	{ "applied", JF_BOOL, JF_AT(T, applied), .doc = "false: real hosts, only read" },
	{ "note", JF_STR, JF_AT(T, note), JF_OMIT },
	{ "sites", JF_ARR, JF_AT(T, sites), .sub = tcp_site_fields, .size = sizeof(struct res_tcp_site),
	  .aux = offsetof(T, nsites), .doc = "what was in force, read back from each host" },
	JF_END,
#undef T
};

static const struct jf_field link_fields[] = {
#define T struct res_link
	{ "backend", JF_STR, JF_AT(T, backend) },
	{ "path", JF_STR, JF_AT(T, path) },
	{ "rtt_semantics", JF_CONST, .text = "delay_s is the round-trip time added" },
	{ "delay_s", JF_NUM, JF_AT(T, delay_s) },
	{ "jitter_s", JF_NUM, JF_AT(T, jitter_s) },
	{ "loss", JF_NUM, JF_AT(T, loss) },
	{ "rate_bytes_per_s", JF_NUM, JF_AT(T, rate_bytes_per_s) },
	{ "states", JF_ARR, JF_AT(T, states), .sub = link_state_elem,
	  .size = sizeof(struct res_link_state), .aux = offsetof(T, nstates) },
	{ "tcp_buffer_max_bytes", JF_U64, JF_AT(T, tcp_buffer_max_bytes), JF_IF(T, has_tcp_buffer) },
	{ "name", JF_STR, JF_AT(T, name), JF_OMIT, .doc = "the named link (link key)" },
	{ "defined_in", JF_STR, JF_AT(T, defined_in), JF_OMIT,
	  .doc = "built-in, or file:line of the profile's [link.NAME]" },
	{ "rate_up_bytes_per_s", JF_NUM, JF_AT(T, rate_up_bytes_per_s),
	  .doc = "cap source->destination, 0 = none" },
	{ "rate_down_bytes_per_s", JF_NUM, JF_AT(T, rate_down_bytes_per_s),
	  .doc = "cap destination->source, 0 = none" },
	{ "tcp_buffers", JF_OBJ, JF_AT(T, tcp), JF_IF(T, has_tcp), .sub = tcp_fields },
	{ "probe", JF_OBJ, JF_AT(T, probe), JF_IF(T, has_probe), .sub = probe_fields },
	JF_END,
#undef T
};

static const struct jf_field resident_fields[] = {
#define T struct res_resident
	{ "bytes", JF_U64, JF_AT(T, bytes), .doc = "asked for (a fraction of memory resolved)" },
	{ "pattern", JF_STR, JF_AT(T, pattern) },
	{ "filled_bytes", JF_U64, JF_AT(T, filled_bytes), JF_IF(T, reported),
	  .doc = "what the guest reported it filled and holds" },
	{ "fill_s", JF_NUM, JF_AT(T, fill_s), JF_IF(T, reported) },
	{ "locked", JF_BOOL, JF_AT(T, locked), JF_IF(T, reported) },
	JF_END,
#undef T
};

static const struct jf_field echo_fields[] = {
#define T struct res_echo
	{ "method", JF_CONST, .text = "udp_echo" },
	{ "interval_s", JF_NUM, JF_AT(T, interval_s) },
	{ "window_start_s", JF_NUM, JF_AT(T, window_start_s), .doc = "relative to the migration start" },
	{ "window_end_s", JF_NUM, JF_AT(T, window_end_s) },
	{ "requests", JF_U64, JF_AT(T, requests), .doc = "probe ticks in the window, one request from each site" },
	{ "replies", JF_U64, JF_AT(T, replies) },
	{ "replies_source", JF_U64, JF_AT(T, replies_source) },
	{ "replies_destination", JF_U64, JF_AT(T, replies_destination) },
	{ "answered", JF_U64, JF_AT(T, answered),
	  .doc = "requests answered at least once (late duplicates: requests queued on the destination before the guest resumed)" },
	{ "lost", JF_U64, JF_AT(T, lost), .doc = "requests never answered in the window" },
	{ "service_downtime_s", JF_NUM, JF_AT(T, service_downtime_s), JF_NONNEG,
	  .doc = "longest gap between replies in the window, host receive times" },
	{ "gap_start_s", JF_NUM, JF_AT(T, gap_start_s) },
	{ "recovered", JF_BOOL, JF_AT(T, recovered), .doc = "false: no reply ended the gap before the window did" },
	{ "rtt_median_s", JF_NUM, JF_AT(T, rtt_median_s), JF_NONNEG },
	{ "rtt_max_s", JF_NUM, JF_AT(T, rtt_max_s), JF_NONNEG },
	JF_END,
#undef T
};

static const struct jf_field network_fields[] = {
#define T struct res_network
	{ "bridge", JF_STR, JF_AT(T, bridge) },
	{ "guest_addr", JF_STR, JF_AT(T, guest_addr) },
	{ "host_addr", JF_STR, JF_AT(T, host_addr), .doc = "the same in both sites" },
	{ "sink_bytes_source", JF_U64, JF_AT(T, sink_bytes_source), JF_IF(T, has_sink) },
	{ "sink_bytes_destination", JF_U64, JF_AT(T, sink_bytes_destination), JF_IF(T, has_sink) },
	{ "sink_connections_source", JF_I64, JF_AT(T, sink_connections_source), JF_IF(T, has_sink) },
	{ "sink_connections_destination", JF_I64, JF_AT(T, sink_connections_destination),
	  JF_IF(T, has_sink) },
	{ "echo", JF_OBJ, JF_AT(T, echo), JF_IF(T, has_echo), .sub = echo_fields },
	JF_END,
#undef T
};

static const struct jf_field storage_fields[] = {
	{ "mode", JF_STR, JF_AT(struct res_storage, mode) },
	{ "why", JF_STR, JF_AT(struct res_storage, why) },
	{ "target_site", JF_STR, JF_AT(struct res_storage, target_site),
	  .doc = "where the iSCSI target sits: lan, source, destination or remote (the target_site key)" },
	{ "target_beside", JF_STR, JF_AT(struct res_storage, target_beside), JF_OMIT,
	  .doc = "the host the target sits beside (target_site source or destination)" },
	{ "target_site_emulated", JF_BOOL, JF_AT(struct res_storage, target_site_emulated),
	  .doc = "true: the lab put the storage paths far from the target across the link; false: "
		 "real hosts, the target is where it is" },
	JF_END,
};

static const struct jf_field progress_fields[] = {
#define T struct res_progress
	{ "time_s", JF_NUM, JF_AT(T, time_s) },
	{ "elapsed_s", JF_NUM, JF_AT(T, elapsed_s) },
	{ "iteration", JF_NUM, JF_AT(T, iteration), JF_NONNEG },
	{ "memory_total_bytes", JF_NUM, JF_AT(T, memory_total_bytes), JF_NONNEG },
	{ "memory_processed_bytes", JF_NUM, JF_AT(T, memory_processed_bytes), JF_NONNEG },
	{ "memory_remaining_bytes", JF_NUM, JF_AT(T, memory_remaining_bytes), JF_NONNEG },
	{ "data_processed_bytes", JF_NUM, JF_AT(T, data_processed_bytes), JF_NONNEG },
	{ "data_remaining_bytes", JF_NUM, JF_AT(T, data_remaining_bytes), JF_NONNEG },
	{ "dirty_rate_pages_per_s", JF_NUM, JF_AT(T, dirty_rate_pages_per_s), JF_NONNEG },
	{ "page_size_bytes", JF_NUM, JF_AT(T, page_size_bytes), JF_NONNEG },
	{ "dirty_rate_bytes_per_s", JF_NUM, JF_AT(T, dirty_rate_bytes_per_s), JF_NONNEG },
	{ "bandwidth_bytes_per_s", JF_NUM, JF_AT(T, bandwidth_bytes_per_s) },
	{ "throttle_pct", JF_NUM, JF_AT(T, throttle_pct) },
	{ "throttle_max_pct", JF_NUM, JF_AT(T, throttle_max_pct) },
	JF_END,
#undef T
};

static const struct jf_field migration_fields[] = {
#define T struct res_migration
	{ "total_s", JF_NUM, JF_AT(T, total_s) },
	{ "downtime_s", JF_NUM, JF_AT(T, downtime_s) },
	{ "setup_s", JF_NUM, JF_AT(T, setup_s) },
	{ "bytes", JF_NUM, JF_AT(T, bytes), JF_NONNEG },
	{ "memory_total_bytes", JF_NUM, JF_AT(T, memory_total_bytes), JF_NONNEG },
	{ "memory_transferred_bytes", JF_NUM, JF_AT(T, memory_transferred_bytes), JF_NONNEG },
	{ "zero_pages", JF_NUM, JF_AT(T, zero_pages), JF_NONNEG },
	{ "normal_pages", JF_NUM, JF_AT(T, normal_pages), JF_NONNEG },
	{ "iterations", JF_NUM, JF_AT(T, iterations), JF_NONNEG },
	{ "bandwidth_bytes_per_s", JF_NUM, JF_AT(T, bandwidth_bytes_per_s) },
	{ "throttle_pct", JF_NUM, JF_AT(T, throttle_pct) },
	{ "xbzrle_cache_misses", JF_NUM, JF_AT(T, xbzrle_cache_misses), JF_NONNEG },
	{ "xbzrle_overflow", JF_NUM, JF_AT(T, xbzrle_overflow), JF_NONNEG },
	{ "xbzrle_bytes", JF_NUM, JF_AT(T, xbzrle_bytes), JF_NONNEG },
	{ "postcopy", JF_BOOL, JF_AT(T, postcopy) },
	{ "wall_s", JF_NUM, JF_AT(T, wall_s) },
	{ "start_s", JF_NUM, JF_AT(T, start_s) },
	{ "pause_s", JF_NUM, JF_AT(T, pause_s) },
	{ "resume_s", JF_NUM, JF_AT(T, resume_s) },
	{ "end_s", JF_NUM, JF_AT(T, end_s) },
	{ "postcopy_s", JF_NUM, JF_AT(T, postcopy_s) },
	{ "observed_downtime_s", JF_NUM, JF_AT(T, observed_downtime_s) },
	{ "iteration_events_s", JF_NUMS, JF_AT(T, iteration_events_s),
	  .aux = offsetof(T, n_iteration_events) },
	{ "stats_from", JF_STR, JF_AT(T, stats_from) },
	{ "timed_out", JF_BOOL, JF_AT(T, timed_out) },
	{ "aborted", JF_BOOL, JF_AT(T, aborted) },
	{ "guest_state_target", JF_STR, JF_AT(T, guest_state_target) },
	{ "guest_state_source", JF_STR, JF_AT(T, guest_state_source) },
	{ "progress", JF_OBJ, JF_AT(T, progress), JF_IF(T, has_progress), .sub = progress_fields,
	  .doc = "the running job as last polled: how far a migration that did not complete got" },
	{ "stream_start_s", JF_NUM, JF_AT(T, stream_start_s),
	  .doc = "QEMU's first page sent, relative to the start (first iteration event, else job polls)" },
	{ "stream_start_from", JF_STR, JF_AT(T, stream_start_from), JF_OMIT },
	{ "transfer_s", JF_NUM, JF_AT(T, transfer_s),
	  .doc = "QEMU's transfer time: first page sent to resume on the destination" },
	JF_END,
#undef T
};

static const struct jf_field dirty_rate_fields[] = {
#define T struct res_dirty_rate
	{ "measured", JF_BOOL, JF_AT(T, measured) },
	{ "bytes_per_s", JF_NUM, JF_AT(T, bytes_per_s), JF_IF(T, measured) },
	{ "calc_s", JF_NUM, JF_AT(T, calc_s), JF_IF(T, measured) },
	{ "mode", JF_STR, JF_AT(T, mode), JF_OMIT },
	{ "took_s", JF_NUM, JF_AT(T, took_s), .doc = "host time the measurement took, before the baseline window" },
	{ "skipped", JF_STR, JF_AT(T, skipped), JF_OMIT, .doc = "why the dirty rate was not measured" },
	JF_END,
#undef T
};

static const struct jf_field prediction_in_fields[] = {
#define T struct res_prediction_in
	{ "memory_bytes", JF_NUM, JF_AT(T, memory_bytes), .doc = "M: what round 0 sends" },
	{ "memory_source", JF_STR, JF_AT(T, memory_source),
	  .doc = "previous_migration (its memory total minus zero pages), qemu_rss or memory_size" },
	{ "memory_from", JF_STR, JF_AT(T, memory_from), JF_OMIT },
	{ "memory_size_bytes", JF_NUM, JF_AT(T, memory_size_bytes) },
	{ "rss_bytes", JF_NUM, JF_AT(T, rss_bytes) },
	{ "dirty_rate_bytes_per_s", JF_NUM, JF_AT(T, dirty_rate_bytes_per_s) },
	{ "bandwidth_bytes_per_s", JF_NUM, JF_AT(T, bandwidth_bytes_per_s) },
	{ "bandwidth_source", JF_STR, JF_AT(T, bandwidth_source) },
	{ "max_downtime_s", JF_NUM, JF_AT(T, max_downtime_s) },
	{ "timeout_s", JF_NUM, JF_AT(T, timeout_s) },
	JF_END,
#undef T
};

static const struct jf_field residual_fields[] = {
#define T struct res_residual
	{ "transfer_s", JF_NUM, JF_AT(T, transfer_s), .doc = "migration.transfer_s - prediction.transfer_s" },
	{ "downtime_s", JF_NUM, JF_AT(T, downtime_s) },
	{ "iterations", JF_NUM, JF_AT(T, iterations) },
	{ "bytes", JF_NUM, JF_AT(T, bytes), .doc = "migration.memory_transferred_bytes - prediction.bytes" },
	JF_END,
#undef T
};

static const struct jf_field prediction_fields[] = {
#define T struct res_prediction
	{ "model", JF_STR, JF_AT(T, model) },
	{ "inputs", JF_OBJ, JF_AT(T, in), .sub = prediction_in_fields },
	{ "predicted", JF_BOOL, JF_AT(T, predicted) },
	{ "skipped", JF_STR, JF_AT(T, skipped), JF_OMIT, .doc = "why there is no prediction" },
	{ "caveat", JF_STR, JF_AT(T, caveat), JF_OMIT, .doc = "settings the model leaves out" },
	{ "outcome", JF_STR, JF_AT(T, outcome), JF_OMIT },
	{ "transfer_s", JF_NUM, JF_AT(T, transfer_s), JF_IF(T, predicted) },
	{ "downtime_s", JF_NUM, JF_AT(T, downtime_s), JF_IF(T, predicted) },
	{ "bytes", JF_NUM, JF_AT(T, bytes), JF_IF(T, predicted) },
	{ "rounds", JF_NUM, JF_AT(T, rounds), JF_IF(T, predicted) },
	{ "iterations", JF_NUM, JF_AT(T, iterations), JF_IF(T, predicted) },
	{ "residual", JF_OBJ, JF_AT(T, residual), JF_IF(T, has_residual), .sub = residual_fields,
	  .doc = "measured minus predicted" },
	JF_END,
#undef T
};

static const struct jf_field samples_fields[] = {
#define T struct res_samples
	{ "malformed", JF_U64, JF_AT(T, malformed) },
	{ "console_bytes", JF_U64, JF_AT(T, console_bytes) },
	{ "console_opens", JF_U64, JF_AT(T, console_opens) },
	{ "received", JF_U64, JF_AT(T, received), JF_IF(T, has_counts) },
	{ "lost", JF_U64, JF_AT(T, lost), JF_IF(T, has_counts) },
	{ "out_of_order", JF_U64, JF_AT(T, out_of_order), JF_IF(T, has_counts) },
	{ "file", JF_STR, JF_AT(T, file), JF_OMIT },
	JF_END,
#undef T
};

static const struct jf_field phase_fields[] = {
#define T struct res_phase
	{ "rate", JF_NUM, JF_AT(T, s.rate) },
	{ "unit", JF_STR, JF_AT(T, unit) },
	{ "rate_unit", JF_STR, JF_AT(T, rate_unit) },
	{ "stddev", JF_NUM, JF_AT(T, s.stddev) },
	{ "n", JF_INT, JF_AT(T, s.n) },
	{ "start_s", JF_NUM, JF_AT(T, s.start_s) },
	{ "end_s", JF_NUM, JF_AT(T, s.end_s) },
	JF_END,
#undef T
};

static const struct jf_field phases_fields[] = {
	{ "before", JF_OBJ, JF_AT(struct res_phases, before), .sub = phase_fields },
	{ "during", JF_OBJ, JF_AT(struct res_phases, during), .sub = phase_fields },
	{ "after", JF_OBJ, JF_AT(struct res_phases, after), .sub = phase_fields },
	{ "running", JF_OBJ, JF_AT(struct res_phases, running), .sub = phase_fields,
	  .doc = "during without the stop-and-copy pause: from the start to the last sample before "
		 "the guest paused (rate null when the pause was not seen)" },
	JF_END,
};

static const struct jf_field ratio_fields[] = {
	{ "during", JF_NUM, JF_AT(struct res_ratio, during) },
	{ "after", JF_NUM, JF_AT(struct res_ratio, after) },
	{ "running", JF_NUM, JF_AT(struct res_ratio, running),
	  .doc = "phases.running.rate / phases.before.rate: the ratio without the pause" },
	JF_END,
};

static const struct jf_field neighbour_fields[] = {
#define T struct res_neighbour
	{ "label", JF_STR, JF_AT(T, label) },
	{ "name", JF_STR, JF_AT(T, name) },
	{ "host", JF_STR, JF_AT(T, host) },
	{ "workload", JF_STR, JF_AT(T, workload) },
	{ "vcpu_pin", JF_STR, JF_AT(T, vcpu_pin), .doc = "host CPUs of its vCPUs, null = not pinned" },
	{ "boot_s", JF_NUM, JF_AT(T, boot_s) },
	{ "phases", JF_OBJ, JF_AT(T, phases), JF_IF(T, has_phases), .sub = phases_fields },
	{ "ratio", JF_OBJ, JF_AT(T, ratio), JF_IF(T, has_phases), .sub = ratio_fields },
	{ "gap_s", JF_NUM, JF_AT(T, gap_s), JF_IF(T, has_phases) },
	{ "received", JF_U64, JF_AT(T, received), JF_IF(T, has_phases) },
	{ "lost", JF_U64, JF_AT(T, lost), JF_IF(T, has_phases) },
	{ "samples_file", JF_STR, JF_AT(T, samples_file), JF_OMIT },
	{ "console_file", JF_STR, JF_AT(T, console_file), JF_OMIT },
	JF_END,
#undef T
};

static const struct jf_field host_phase_fields[] = {
#define T struct res_host_phase
	{ "cpu_vcpu_pct", JF_NUM, JF_AT(T, cpu_vcpu_pct), JF_NONNEG, .doc = "% of one core, vCPU threads" },
	{ "cpu_migration_pct", JF_NUM, JF_AT(T, cpu_migration_pct), JF_NONNEG,
	  .doc = "% of one core, QEMU's migration threads" },
	{ "cpu_other_pct", JF_NUM, JF_AT(T, cpu_other_pct), JF_NONNEG, .doc = "% of one core, other QEMU threads" },
	{ "rss_bytes", JF_NUM, JF_AT(T, rss_bytes), JF_NONNEG, .doc = "QEMU's resident memory at the end" },
	{ "mem_available_bytes", JF_NUM, JF_AT(T, mem_available_bytes), JF_NONNEG },
	{ "mem_free_bytes", JF_NUM, JF_AT(T, mem_free_bytes), JF_NONNEG },
	{ "host_busy_pct", JF_NUM, JF_AT(T, host_busy_pct), JF_NONNEG,
	  .doc = "% of all the host's CPUs' time spent busy (anything: other VMs, other users), steal excluded" },
	{ "host_steal_pct", JF_NUM, JF_AT(T, host_steal_pct), JF_NONNEG,
	  .doc = "% of all the host's CPUs' time taken by its own hypervisor (the host is a VM); null: not "
		 "reported (libvirt gives none)" },
	JF_END,
#undef T
};

static const struct jf_field host_site_fields[] = {
#define T struct res_host_site
	{ "host", JF_STR, JF_AT(T, host) },
	{ "before", JF_OBJ, JF_AT(T, before), .sub = host_phase_fields },
	{ "during", JF_OBJ, JF_AT(T, during), .sub = host_phase_fields },
	{ "after", JF_OBJ, JF_AT(T, after), .sub = host_phase_fields },
	JF_END,
#undef T
};

static const struct jf_field vm_migration_fields[] = {
#define T struct res_vm_migration
	{ "label", JF_STR, JF_AT(T, label) },
	{ "name", JF_STR, JF_AT(T, name) },
	{ "source", JF_STR, JF_AT(T, source) },
	{ "destination", JF_STR, JF_AT(T, destination) },
	{ "host_after", JF_STR, JF_AT(T, host_after), .doc = "where it runs afterwards" },
	{ "outcome", JF_ENUM, JF_AT(T, outcome), JF_IF(T, has_outcome), .names = res_outcome_names },
	{ "error", JF_STR, JF_AT(T, error), JF_OMIT },
	{ "start_s", JF_NUM, JF_AT(T, start_s), .doc = "from the start of the first migration" },
	{ "resume_s", JF_NUM, JF_AT(T, resume_s) },
	{ "end_s", JF_NUM, JF_AT(T, end_s) },
	{ "total_s", JF_NUM, JF_AT(T, total_s), .doc = "libvirt's job time" },
	{ "downtime_s", JF_NUM, JF_AT(T, downtime_s) },
	{ "bytes", JF_NUM, JF_AT(T, bytes), JF_NONNEG },
	{ "memory_transferred_bytes", JF_NUM, JF_AT(T, memory_transferred_bytes), JF_NONNEG },
	{ "iterations", JF_NUM, JF_AT(T, iterations), JF_NONNEG },
	JF_END,
#undef T
};

static const struct jf_field hosts_fields[] = {
#define T struct res_hosts
	{ "file", JF_STR, JF_AT(T, file) },
	{ "source", JF_STR, JF_AT(T, source), .doc = "proc (the lab) or libvirt (real hosts)" },
	{ "shared_kernel", JF_BOOL, JF_AT(T, shared_kernel),
	  .doc = "the sites run on one kernel: memory and KSM figures are the same host's" },
	{ "unavailable", JF_STR, JF_AT(T, unavailable), JF_OMIT },
	{ "samples", JF_U64, JF_AT(T, samples) },
	{ "sites", JF_ARR, JF_AT(T, sites), .sub = host_site_fields, .size = sizeof(struct res_host_site),
	  .aux = offsetof(T, nsites) },
	JF_END,
#undef T
};

static const struct jf_field migrations_fields[] = {
#define T struct res_migrations
	{ "vms", JF_INT, JF_AT(T, vms) },
	{ "stagger_s", JF_NUM, JF_AT(T, stagger_s) },
	{ "total_s", JF_NUM, JF_AT(T, total_s), .doc = "the first start to the last end" },
	{ "bytes", JF_NUM, JF_AT(T, bytes), JF_NONNEG, .doc = "the sum of each one's bytes" },
	{ "each", JF_ARR, JF_AT(T, each), .sub = vm_migration_fields,
	  .size = sizeof(struct res_vm_migration), .aux = offsetof(T, n) },
	JF_END,
#undef T
};

static const struct jf_field ksm_phase_fields[] = {
#define T struct res_ksm_phase
	{ "pages_shared", JF_NUM, JF_AT(T, pages_shared), JF_NONNEG },
	{ "pages_sharing", JF_NUM, JF_AT(T, pages_sharing), JF_NONNEG },
	{ "merged_bytes", JF_NUM, JF_AT(T, merged_bytes), JF_NONNEG, .doc = "pages_sharing * page size" },
	JF_END,
#undef T
};

static const struct jf_field ksm_fields[] = {
#define T struct res_ksm
	{ "mode", JF_STR, JF_AT(T, mode) },
	{ "available", JF_BOOL, JF_AT(T, available) },
	{ "applied", JF_BOOL, JF_AT(T, applied) },
	{ "restored", JF_BOOL, JF_AT(T, restored) },
	{ "run_found", JF_STR, JF_AT(T, run_found), JF_OMIT },
	{ "pages_to_scan", JF_NUM, JF_AT(T, pages_to_scan), JF_NONNEG },
	{ "sleep_s", JF_NUM, JF_AT(T, sleep_s), JF_NONNEG },
	{ "before", JF_OBJ, JF_AT(T, before), .sub = ksm_phase_fields },
	{ "during", JF_OBJ, JF_AT(T, during), .sub = ksm_phase_fields },
	{ "after", JF_OBJ, JF_AT(T, after), .sub = ksm_phase_fields },
	{ "settled_s", JF_NUM, JF_AT(T, settled_s),
	  .doc = "last change of pages_sharing, s from the migration start (the during window's with "
		 "migrate = no); negative: it settled before; null: still changing" },
	{ "note", JF_STR, JF_AT(T, note), JF_OMIT },
	JF_END,
#undef T
};

static const struct jf_field io_phase_fields[] = {
#define T struct res_io_phase
	{ "workload_bytes", JF_NUM, JF_AT(T, workload_bytes), JF_NONNEG },
	{ "guest_read_bytes", JF_NUM, JF_AT(T, guest_read_bytes), JF_NONNEG },
	{ "guest_write_bytes", JF_NUM, JF_AT(T, guest_write_bytes), JF_NONNEG },
	{ "target_read_bytes", JF_NUM, JF_AT(T, target_read_bytes), JF_NONNEG },
	{ "target_write_bytes", JF_NUM, JF_AT(T, target_write_bytes), JF_NONNEG },
	JF_END,
#undef T
};

static const struct jf_field io_fields[] = {
#define T struct res_io
	{ "device", JF_STR, JF_AT(T, device), JF_OMIT },
	{ "target_counter", JF_STR, JF_AT(T, target_counter), JF_OMIT },
	{ "before", JF_OBJ, JF_AT(T, before), .sub = io_phase_fields },
	{ "during", JF_OBJ, JF_AT(T, during), .sub = io_phase_fields },
	{ "after", JF_OBJ, JF_AT(T, after), .sub = io_phase_fields },
	JF_END,
#undef T
};

/* In the order of the record's lines since schema_version 1. */
const struct jf_field res_scenario_fields[] = {
#define T struct res_scenario
	{ "id", JF_STR, JF_AT(T, id), JF_REQ },
	{ "index", JF_INT, JF_AT(T, index) },
	{ "order", JF_INT, JF_AT(T, order) },
	{ "experiment", JF_STR, JF_AT(T, experiment) },
	{ "repetition", JF_INT, JF_AT(T, repetition) },
	{ "status", JF_ENUM, JF_AT(T, status), JF_REQ, .names = res_status_names },
	{ "error", JF_STR, JF_AT(T, error) },
	{ "outcome", JF_ENUM, JF_AT(T, outcome), JF_IF(T, has_outcome), .names = res_outcome_names,
	  .doc = "what the migration did (status ok): a result of the system under test" },
	{ "outcome_why", JF_STR, JF_AT(T, outcome_why), JF_OMIT },
	{ "start_time", JF_STR, JF_AT(T, start_time) },
	{ "delay_ms", JF_NUM, JF_AT(T, delay_ms) },
	{ "delay_s", JF_NUM, JF_AT(T, delay_s) },
	{ "workload", JF_STR, JF_AT(T, workload) },
	{ "precopy", JF_OBJ, JF_AT(T, precopy), .sub = precopy_fields },
	{ "config", JF_JSON, JF_AT(T, config), .doc = "every scenario key, base units" },
	{ "testbed", JF_STR, JF_AT(T, testbed) },
	{ "guest_mode", JF_STR, JF_AT(T, guest_mode) },
	{ "link", JF_OBJ, JF_AT(T, link), JF_IF(T, has_link), .sub = link_fields },
	{ "guest_reused", JF_BOOL, JF_AT(T, guest_reused), JF_IF(T, has_guest) },
	{ "guest_boot_s", JF_NUM, JF_AT(T, guest_boot_s), JF_IF(T, has_guest) },
	{ "guest_start", JF_STR, JF_AT(T, guest_start), JF_OMIT, JF_IF(T, has_guest),
	  .doc = "how the fresh guest started: boot, or restore of the saved state of an earlier boot" },
	{ "guest_start_why", JF_STR, JF_AT(T, guest_start_why), JF_OMIT,
	  .doc = "why guest_start = restore was not possible here" },
	{ "guest_restore_s", JF_NUM, JF_AT(T, guest_restore_s), JF_IF(T, has_guest),
	  .doc = "the restore call to the guest's first sample (null when booted or reused)" },
	{ "guest_restored_from", JF_STR, JF_AT(T, guest_restored_from), JF_OMIT,
	  .doc = "the scenario whose booted guest was saved and restored here" },
	{ "resident", JF_OBJ, JF_AT(T, resident), JF_IF(T, has_guest), .sub = resident_fields },
	{ "storage", JF_OBJ, JF_AT(T, storage), JF_IF(T, has_guest), .sub = storage_fields },
	{ "source", JF_STR, JF_AT(T, source), JF_OMIT },
	{ "destination", JF_STR, JF_AT(T, destination), JF_OMIT },
	{ "dirty_rate", JF_OBJ, JF_AT(T, dirty_rate), JF_IF(T, has_dirty_rate), .sub = dirty_rate_fields },
	{ "prediction", JF_OBJ, JF_AT(T, prediction), JF_IF(T, has_prediction), .sub = prediction_fields },
	{ "migration_tried", JF_BOOL, JF_AT(T, migration_tried),
	  .doc = "false: migrate = no, the windows only (migration figures null, no outcome)" },
	{ "migration", JF_OBJ, JF_AT(T, migration), JF_IF(T, has_migration), .sub = migration_fields },
	{ "jobstats_file", JF_STR, JF_AT(T, jobstats_file), JF_OMIT },
	{ "guest_host_after", JF_STR, JF_AT(T, guest_host_after), JF_OMIT },
	{ "console_file", JF_STR, JF_AT(T, console_file), JF_OMIT },
	{ "samples", JF_OBJ, JF_AT(T, samples), JF_IF(T, has_samples), .sub = samples_fields },
	{ "phases", JF_OBJ, JF_AT(T, phases), JF_IF(T, has_phases), .sub = phases_fields },
	{ "ratio", JF_OBJ, JF_AT(T, ratio), JF_IF(T, has_phases), .sub = ratio_fields },
	{ "guest_gap_s", JF_NUM, JF_AT(T, guest_gap_s), JF_IF(T, has_phases) },
	{ "guest_gap_start_s", JF_NUM, JF_AT(T, guest_gap_start_s), JF_IF(T, has_phases) },
	{ "guest_clock_gap_s", JF_NUM, JF_AT(T, guest_clock_gap_s), JF_IF(T, has_phases) },
	{ "vcpu_pin", JF_STR, JF_AT(T, vcpu_pin), JF_OMIT,
	  .doc = "host CPUs of the main guest's vCPUs (vcpu_pin)" },
	{ "migrations", JF_OBJ, JF_AT(T, migrations), JF_IF(T, has_migrations), .sub = migrations_fields,
	  .doc = "migrate_vms > 1: each guest's migration and the aggregate" },
	{ "neighbours", JF_ARR, JF_AT(T, neighbours), JF_IF(T, has_neighbours), .sub = neighbour_fields,
	  .size = sizeof(struct res_neighbour), .aux = offsetof(T, nneighbours),
	  .doc = "the neighbour guests and their rates in the scenario's windows" },
	{ "hosts", JF_OBJ, JF_AT(T, hosts), JF_IF(T, has_hosts), .sub = hosts_fields },
	{ "ksm", JF_OBJ, JF_AT(T, ksm), JF_IF(T, has_ksm), .sub = ksm_fields },
	{ "io", JF_OBJ, JF_AT(T, io), JF_IF(T, has_io), .sub = io_fields },
	{ "service_downtime_s", JF_NUM, JF_AT(T, service_downtime_s), JF_IF(T, has_service),
	  .flags = JF_NONNEG, .doc = "the echo probe's longest gap between replies (network.echo)" },
	{ "network", JF_OBJ, JF_AT(T, network), JF_IF(T, has_network), .sub = network_fields },
	{ "end_time", JF_STR, JF_AT(T, end_time), JF_OMIT },
	{ "duration_s", JF_NUM, JF_AT(T, duration_s) },
	JF_END,
#undef T
};

void res_scenario_init(struct res_scenario *r)
{
	memset(r, 0, sizeof(*r));
	jf_init(res_scenario_fields, r);
}

void res_neighbour_init(struct res_neighbour *n)
{
	memset(n, 0, sizeof(*n));
	jf_init(neighbour_fields, n);
}

void res_vm_migration_init(struct res_vm_migration *m)
{
	memset(m, 0, sizeof(*m));
	jf_init(vm_migration_fields, m);
}

void res_scenario_free(struct res_scenario *r)
{
	jf_free(res_scenario_fields, r);
	memset(r, 0, sizeof(*r));
}

void res_set(char **field, const char *s)
{
	free(*field);
	*field = s ? mb_xstrdup(s) : NULL;
}

json_object *res_scenario_json(const struct res_scenario *r)
{
	return jf_write(res_scenario_fields, r);
}

int res_scenario_read(json_object *o, struct res_scenario *r)
{
	res_scenario_init(r);
	return jf_read(res_scenario_fields, o, r);
}

const struct jf_field *res_field(const char *path, size_t *off)
{
	return jf_find(res_scenario_fields, path, off);
}

double res_number(const struct res_scenario *r, const char *path)
{
	double v;
	if (jf_number(res_scenario_fields, r, path, &v) != MB_OK)
		return NAN;
	return v;
}

json_object *res_schema_json(void)
{
	json_object *s = jf_schema(res_scenario_fields), *o = json_object_new_object();
	json_object_object_add(o, "$schema", json_object_new_string("https://json-schema.org/draft/2020-12/schema"));
	json_object_object_add(o, "$id", json_object_new_string("https://migbench.invalid/schema/scenario.schema.json"));
	json_object_object_add(o, "title", json_object_new_string("migbench scenario record (one line of scenarios.jsonl)"));
	json_object_object_add(o, "x-schema-version", json_object_new_int(MB_SCHEMA_VERSION));
	json_object_object_foreach(s, k, v)
		json_object_object_add(o, k, json_object_get(v));
	json_object_put(s);
	return o;
}
