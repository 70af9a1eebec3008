/* test_result.c - the typed scenario record: writer, type-checked reader,
 * key lookup, the NaN policy, and records that are malformed on purpose.
 *
 * `test_result --sample DIR` writes, instead of testing, what
 * tests/sys/schema.sh validates: DIR/scenario.schema.json (generated from
 * the field tables) and a run directory DIR/run with run.json and a
 * scenarios.jsonl holding an ok, a failed and a skipped record. */
#define _GNU_SOURCE
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/util.h"
#include "profile/options_json.h"
#include "record/record.h"
#include "record/result.h"

static void identity(struct res_scenario *r, const char *id, int index, const char *exp, int status)
{
	res_scenario_init(r);
	res_set(&r->id, id);
	r->index = index;
	r->order = index % 2 + 1;
	res_set(&r->experiment, exp);
	r->repetition = index % 2 + 1;
	r->status = status;
	res_set(&r->start_time, "2026-12-01T16:34:59Z");
	res_set(&r->end_time, "2026-12-01T16:35:09Z");
	res_set(&r->precopy.compression, "none");
	r->config = json_object_new_object();
	res_set(&r->testbed, "lab");
}

/* A record with every section there, values in base units. */
static void full_record(struct res_scenario *r)
{
	identity(r, "d16ms-cpuadd-r1", 3, "global", RES_OK);
	r->duration_s = 10.25;
	r->delay_ms = 16;
	r->delay_s = 0.016;
	res_set(&r->workload, "cpuadd");
	r->precopy.max_downtime_s = 0.3;
	r->precopy.bandwidth_bytes_per_s = 0;
	r->precopy.auto_converge_initial = 20;
	r->precopy.auto_converge_increment = 10;
	r->precopy.xbzrle_cache_bytes = 67108864;
	r->precopy.timeout_s = 300;
	json_object_object_add(r->config, "delay", json_object_new_double(0.016));
	res_set(&r->guest_mode, "fresh");
	r->has_link = true;
	res_set(&r->link.backend, "delayline");
	res_set(&r->link.path, "migration");
	r->link.delay_s = 0.016;
	r->link.jitter_s = 0;
	r->link.loss = 0;
	r->link.rate_bytes_per_s = 0;
	r->link.nstates = 2;
	r->link.states = mb_xcalloc(2, sizeof(*r->link.states));
	for (int i = 0; i < 2; i++) {
		struct link_state *st = &r->link.states[i].st;
		snprintf(st->backend, sizeof(st->backend), "delayline");
		st->installed = i == 0;
		st->p.delay_ns = i ? 0 : 16000000;
		st->limit = 4194304;
		st->packets = 1000;
		st->late_hist[0] = 990;
		st->late_hist[7] = 10;
		st->late_avg_us = 12.5;
		res_set(&r->link.states[i].name, i ? "sto-src" : "wan");
	}
	r->link.has_tcp_buffer = true;
	r->link.tcp_buffer_max_bytes = 8388608;
	res_set(&r->link.name, "study16");
	res_set(&r->link.defined_in, "built-in");
	r->link.rate_up_bytes_per_s = 151.79e6;
	r->link.rate_down_bytes_per_s = 151.79e6;
	r->link.has_tcp = true;
	res_set(&r->link.tcp.mode, "bdp");
	r->link.tcp.applied = true;
	r->link.tcp.nsites = 2;
	r->link.tcp.sites = mb_xcalloc(2, sizeof(*r->link.tcp.sites));
	res_set(&r->link.tcp.sites[0].host, "lab-src");
	r->link.tcp.sites[0].read = true;
	link_tcp_buffers_sized(8388608, &r->link.tcp.sites[0].b);
	r->link.tcp.sites[0].b.core_rmem_max = r->link.tcp.sites[0].b.core_wmem_max = 4194304;
	res_set(&r->link.tcp.sites[1].host, "lab-dst");
	res_set(&r->link.tcp.sites[1].error, "sysctl failed");
	r->link.has_probe = true;
	r->link.probe.measured = true;
	r->link.probe.r = (struct probe_result){ .rtt_n = 50, .rtt_min_s = 0.0161, .rtt_avg_s = 0.0163,
						 .rtt_p50_s = 0.0162, .rtt_p99_s = 0.018, .rtt_max_s = 0.019,
						 .tcp_bytes_per_s = 1.5e8, .tcp_steady_bytes_per_s = 1.6e8,
						 .tcp_bytes = 150000000, .tcp_seconds = 1 };
	r->has_guest = true;
	r->guest_boot_s = 3.5;
	r->resident.bytes = 943718400;
	res_set(&r->resident.pattern, "random");
	r->resident.reported = true;
	r->resident.filled_bytes = 943718400;
	r->resident.fill_s = 2.5;
	r->resident.locked = true;
	res_set(&r->storage.mode, "libiscsi");
	res_set(&r->storage.why, "QEMU's initiator works here");
	res_set(&r->source, "lab-src");
	res_set(&r->destination, "lab-dst");
	res_set(&r->guest_host_after, "lab-dst");
	r->has_migration = true;
	r->migration.total_s = 1.25;
	r->migration.downtime_s = 0.125;
	r->migration.bytes = 95000000;
	r->migration.iterations = 3;
	r->migration.bandwidth_bytes_per_s = 2e8;
	r->migration.wall_s = 1.3;
	r->migration.start_s = 0;
	r->migration.resume_s = 1.2;
	r->migration.end_s = 1.3;
	r->migration.n_iteration_events = 2;
	r->migration.iteration_events_s = mb_xcalloc(2, sizeof(double));
	r->migration.iteration_events_s[0] = 0.5;
	r->migration.iteration_events_s[1] = 1.0;
	res_set(&r->migration.stats_from, "event");
	res_set(&r->migration.guest_state_target, "running");
	res_set(&r->migration.guest_state_source, "absent");
	r->migration.stream_start_s = 0.5;
	res_set(&r->migration.stream_start_from, "iteration_event");
	r->migration.transfer_s = 0.7;
	r->has_dirty_rate = true;
	r->dirty_rate.measured = true;
	r->dirty_rate.bytes_per_s = 2097152;
	r->dirty_rate.calc_s = 1;
	r->dirty_rate.took_s = 1.1;
	r->has_prediction = true;
	res_set(&r->prediction.model, "precopy-rounds");
	r->prediction.in = (struct res_prediction_in){ .memory_bytes = 9e7, .memory_size_bytes = 268435456,
						       .rss_bytes = 1.2e8, .dirty_rate_bytes_per_s = 2097152,
						       .bandwidth_bytes_per_s = 1.5e9, .max_downtime_s = 0.3,
						       .timeout_s = 300 };
	res_set(&r->prediction.in.memory_source, "qemu_rss");
	res_set(&r->prediction.in.bandwidth_source, "probe");
	r->prediction.predicted = true;
	res_set(&r->prediction.outcome, "converged");
	r->prediction.transfer_s = 0.06;
	r->prediction.downtime_s = 0.0001;
	r->prediction.bytes = 9.01e7;
	r->prediction.rounds = 1;
	r->prediction.iterations = 3;
	r->prediction.has_residual = true;
	r->prediction.residual = (struct res_residual){ 0.64, 0.1249, 0, 4.9e6 };
	r->has_outcome = true;
	r->outcome = RES_CONVERGED;
	r->migration.has_progress = true;
	r->migration.progress = (struct res_progress){
		.time_s = 1.1, .elapsed_s = 1.1, .iteration = 3, .memory_total_bytes = 268435456,
		.memory_processed_bytes = 9e7, .memory_remaining_bytes = 1e6, .data_processed_bytes = 9.2e7,
		.data_remaining_bytes = 1e6, .dirty_rate_pages_per_s = 100, .page_size_bytes = 4096,
		.dirty_rate_bytes_per_s = 409600, .bandwidth_bytes_per_s = 2e8, .throttle_pct = NAN,
		.throttle_max_pct = NAN };
	res_set(&r->jobstats_file, "jobstats/d16ms-cpuadd-r1.csv");
	res_set(&r->console_file, "console/d16ms-cpuadd-r1.log");
	r->has_samples = true;
	r->samples.console_bytes = 12345;
	r->samples.console_opens = 2;
	r->samples.has_counts = true;
	r->samples.received = 60;
	res_set(&r->samples.file, "samples/d16ms-cpuadd-r1.csv");
	r->has_phases = true;
	struct res_phase *ph[3] = { &r->phases.before, &r->phases.during, &r->phases.after };
	for (int i = 0; i < 3; i++) {
		ph[i]->s = (struct phase_stats){ .start_s = i - 3.0, .end_s = i - 2.0, .rate = 3e8 - i * 1e8,
						 .stddev = 1e6, .n = 30 };
		res_set(&ph[i]->unit, "add");
		res_set(&ph[i]->rate_unit, "additions/s");
	}
	r->ratio.during = 2.0 / 3;
	r->ratio.after = 1.0 / 3;
	r->guest_gap_s = 0.2;
	r->guest_gap_start_s = 1.0;
	r->guest_clock_gap_s = 0.01;
	/* the host sampler, KSM and I/O by layer */
	r->has_hosts = true;
	res_set(&r->hosts.file, "hosts/d16ms-cpuadd-r1.csv");
	res_set(&r->hosts.source, "proc");
	r->hosts.shared_kernel = true;
	r->hosts.samples = 40;
	r->hosts.nsites = 2;
	r->hosts.sites = calloc(2, sizeof(*r->hosts.sites));
	for (int i = 0; i < 2; i++) {
		struct res_host_phase *hp[3] = { &r->hosts.sites[i].before, &r->hosts.sites[i].during,
						 &r->hosts.sites[i].after };
		res_set(&r->hosts.sites[i].host, i ? "mb-dst" : "mb-src");
		for (int k = 0; k < 3; k++)
			*hp[k] = (struct res_host_phase){ i && !k ? NAN : 98.5, k == 1 ? 40 : 0, 3.5,
							   i && !k ? NAN : 3e8, 2e10, 1.9e10, 40, 2.5 };
	}
	r->has_ksm = true;
	res_set(&r->ksm.mode, "on");
	r->ksm.available = r->ksm.applied = r->ksm.restored = true;
	res_set(&r->ksm.run_found, "0");
	r->ksm.pages_to_scan = 5000;
	r->ksm.sleep_s = 0.01;
	r->ksm.before = (struct res_ksm_phase){ 1, 32000, 32000 * 4096.0 };
	r->ksm.during = r->ksm.after = r->ksm.before;
	r->ksm.settled_s = -2.5;
	/* nic = yes, netstream with the echo probe */
	r->has_network = true;
	res_set(&r->network.bridge, "mbbr0");
	res_set(&r->network.guest_addr, "198.18.4.2");
	res_set(&r->network.host_addr, "198.18.4.1");
	r->network.has_sink = true;
	r->network.sink_bytes_source = 1u << 30;
	r->network.sink_bytes_destination = 1u << 29;
	r->network.sink_connections_source = 1;
	r->network.sink_connections_destination = 1;
	r->network.has_echo = true;
	r->network.echo = (struct res_echo){ .interval_s = 0.01, .window_start_s = -5, .window_end_s = 6.5,
					     .requests = 1150, .replies = 1160, .replies_source = 600,
					     .replies_destination = 560, .answered = 1120, .lost = 30,
					     .service_downtime_s = 0.36, .gap_start_s = 0.5, .recovered = true,
					     .rtt_median_s = 0.0006, .rtt_max_s = 1.07 };
	r->has_service = true;
	r->service_downtime_s = 0.36;
}

/* A scenario that failed while the link was set up. */
static void failed_record(struct res_scenario *r)
{
	identity(r, "d64ms-seqread-r2", 7, "wan", RES_FAILED);
	res_set(&r->error, "link wan: delay line did not start");
	r->delay_ms = 64;
	r->delay_s = 0.064;
	res_set(&r->workload, "seqread");
	res_set(&r->guest_mode, "pingpong");
	r->has_link = true;
	res_set(&r->link.backend, "delayline");
	res_set(&r->link.path, "both");
	res_set(&r->console_file, "console/d64ms-seqread-r2.log");
}

/* A migration that did not converge: a result (status ok) with its
 * progress at the timeout and no completed job's figures. */
static void not_converged_record(struct res_scenario *r)
{
	full_record(r);
	res_set(&r->id, "plain-d16ms-memdirty-r1");
	r->outcome = RES_NOT_CONVERGED;
	res_set(&r->outcome_why, "did not converge within the timeout (40 s): iteration 45");
	r->migration.total_s = r->migration.downtime_s = r->migration.bytes = NAN;
	r->migration.iterations = r->migration.bandwidth_bytes_per_s = NAN;
	r->migration.resume_s = NAN;
	r->migration.timed_out = r->migration.aborted = true;
	res_set(&r->migration.stats_from, "none");
	res_set(&r->migration.guest_state_target, "absent");
	res_set(&r->migration.guest_state_source, "running");
	r->migration.progress.iteration = 45;
	r->migration.progress.memory_remaining_bytes = 2.4e7;
	r->migration.progress.dirty_rate_pages_per_s = 16400;
	r->migration.progress.dirty_rate_bytes_per_s = 16400 * 4096.0;
	r->migration.progress.bandwidth_bytes_per_s = 67108864;
}

static char *to_text(const struct res_scenario *r)
{
	json_object *o = res_scenario_json(r);
	char *s = mb_xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

/* a written and read back into b (which must then be freed). */
static void reread(const struct res_scenario *a, struct res_scenario *b)
{
	char *t = to_text(a);
	json_object *o = json_tokener_parse(t);
	assert_non_null(o);
	assert_int_equal(res_scenario_read(o, b), MB_OK);
	json_object_put(o);
	free(t);
}

static void both_free(struct res_scenario *a, struct res_scenario *b, char *t)
{
	res_scenario_free(a);
	res_scenario_free(b);
	free(t);
}

static void test_round_trip(void **state)
{
	struct res_scenario a, b;
	char *t1, *t2;
	json_object *o;
	(void)state;
	full_record(&a);
	t1 = to_text(&a);
	o = json_tokener_parse(t1);
	assert_non_null(o);
	assert_int_equal(res_scenario_read(o, &b), MB_OK);
	t2 = to_text(&b);
	assert_string_equal(t1, t2);
	assert_string_equal(b.link.states[1].name, "sto-src");
	assert_int_equal(b.link.states[0].st.p.delay_ns, 16000000);
	assert_true(b.link.probe.measured);
	assert_int_equal(b.migration.n_iteration_events, 2);
	assert_true(b.has_phases && b.samples.has_counts);
	assert_int_equal(b.status, RES_OK);
	/* Keys of the schema_version 1 record, where they always were. */
	assert_non_null(strstr(t1, "\"lateness_hist_edges_s\":\"<50us"));
	assert_non_null(strstr(t1, "\"rtt_semantics\":\"delay_s is the round-trip time added\""));
	assert_non_null(strstr(t1, "\"queue_limit_unit\":\"bytes\""));
	assert_non_null(strstr(t1, "\"ratio\":{\"during\":"));
	json_object_put(o);
	free(t1);
	free(t2);
	res_scenario_free(&a);
	res_scenario_free(&b);
}

static void test_sections_left_out(void **state)
{
	struct res_scenario a, b;
	char *t;
	(void)state;
	failed_record(&a);
	t = to_text(&a);
	assert_null(strstr(t, "\"migration\""));
	assert_null(strstr(t, "\"phases\""));
	assert_null(strstr(t, "\"guest_reused\""));
	assert_null(strstr(t, "\"source\""));
	assert_null(strstr(t, "\"probe\""));
	assert_non_null(strstr(t, "\"status\":\"failed\""));
	reread(&a, &b);
	assert_false(b.has_migration);
	assert_false(b.has_phases);
	assert_true(b.has_link);
	assert_true(isnan(res_number(&b, "migration.total_s")));
	assert_true(isnan(res_number(&b, "ratio.during")));
	assert_true(res_number(&b, "delay_s") == 0.064);
	both_free(&a, &b, t);
}

/* Not measured is null, never 0: a migration that did not converge. */
static void test_not_converged(void **state)
{
	struct res_scenario a, b;
	char *t;
	(void)state;
	not_converged_record(&a);
	t = to_text(&a);
	assert_non_null(strstr(t, "\"outcome\":\"not_converged\""));
	assert_non_null(strstr(t, "\"total_s\":null,\"downtime_s\":null"));
	assert_non_null(strstr(t, "\"bytes\":null"));
	assert_non_null(strstr(t, "\"iterations\":null"));
	assert_non_null(strstr(t, "\"throttle_pct\":null"));
	assert_non_null(strstr(t, "\"memory_remaining_bytes\":24000000"));
	reread(&a, &b);
	assert_true(b.has_outcome);
	assert_int_equal(b.outcome, RES_NOT_CONVERGED);
	assert_string_equal(b.outcome_why, a.outcome_why);
	assert_true(isnan(res_number(&b, "migration.total_s")));
	assert_true(res_number(&b, "migration.progress.iteration") == 45);
	assert_true(res_number(&b, "migration.progress.dirty_rate_bytes_per_s") == 16400 * 4096.0);
	both_free(&a, &b, t);
	/* A failed scenario has no outcome at all. */
	failed_record(&a);
	t = to_text(&a);
	assert_null(strstr(t, "\"outcome\""));
	reread(&a, &b);
	assert_false(b.has_outcome);
	both_free(&a, &b, t);
}

static void test_nan_is_null(void **state)
{
	struct res_scenario a, b;
	char *t;
	(void)state;
	full_record(&a);
	a.migration.pause_s = NAN;
	a.phases.during.s.rate = INFINITY;
	a.ratio.during = -INFINITY;
	a.link.states[0].st.p.loss = NAN;
	a.link.probe.r.rtt_avg_s = NAN;
	t = to_text(&a);
	assert_null(strstr(t, "nan"));
	assert_null(strstr(t, "NaN"));
	assert_null(strstr(t, "inf"));
	assert_non_null(strstr(t, "\"pause_s\":null"));
	assert_non_null(strstr(t, "\"rtt_avg_s\":null"));
	reread(&a, &b);
	assert_true(isnan(b.phases.during.s.rate));
	assert_true(isnan(res_number(&b, "ratio.during")));
	both_free(&a, &b, t);
}

/* What the fuzzer found: a record without a config echo, numbers too large
 * for an integer. */
static void test_edges(void **state)
{
	struct res_scenario a, b;
	json_object *n;
	(void)state;
	failed_record(&a);
	json_object_put(a.config);
	a.config = NULL;
	a.delay_s = 1.18675e19;
	reread(&a, &b);
	assert_null(b.config);
	assert_true(b.delay_s == 1.18675e19);
	res_scenario_free(&a);
	res_scenario_free(&b);
	n = jf_num(-9.3e18);
	assert_true(json_object_is_type(n, json_type_double));
	json_object_put(n);
	n = jf_num(4096);
	assert_true(json_object_is_type(n, json_type_int));
	json_object_put(n);
}

/* Replace the value at a dotted path ("a.b[1].c") of root with val. */
static void set_at(json_object *root, const char *path, json_object *val)
{
	char *copy = mb_xstrdup(path), *save = NULL, *tok = strtok_r(copy, ".", &save);
	json_object *at = root;
	while (tok) {
		char *next = strtok_r(NULL, ".", &save), *br = strchr(tok, '[');
		size_t idx = br ? (size_t)atoi(br + 1) : 0;
		if (br)
			*br = '\0';
		if (!next && !br) {
			json_object_object_add(at, tok, val);
		} else if (!next) {
			json_object_array_put_idx(json_object_object_get(at, tok), idx, val);
		} else {
			at = json_object_object_get(at, tok);
			if (br)
				at = json_object_array_get_idx(at, idx);
		}
		tok = next;
	}
	free(copy);
}

/* Each mutation of a good record must be refused, naming the key. */
static void test_type_confusion(void **state)
{
	static const struct {
		const char *path, *json; /* set path (dotted, [i] for arrays) to json */
		const char *want;        /* in the message */
	} cases[] = {
		{ "id", "42", "'id'" },
		{ "id", "null", "'id'" },
		{ "status", "\"weird\"", "'status'" },
		{ "status", "[]", "'status'" },
		{ "index", "1.5", "'index'" },
		{ "index", "1e30", "'index'" },
		{ "repetition", "\"1\"", "'repetition'" },
		{ "delay_s", "\"fast\"", "'delay_s'" },
		{ "precopy", "[]", "'precopy'" },
		{ "precopy.auto_converge", "1", "'precopy.auto_converge'" },
		{ "config", "[1,2]", "'config'" },
		{ "config", "null", "'config'" },
		{ "link.states", "{}", "'link.states'" },
		{ "link.states[0]", "7", "'link.states[0]'" },
		{ "link.states[0].delay_s", "\"x\"", "'link.states[0].delay_s'" },
		{ "link.states[0].backend", "\"a-backend-name-far-too-long\"", "'link.states[0].backend'" },
		{ "link.states[0].lateness_hist", "[1,2,3,4,5,6,7,8,9]", "'link.states[0].lateness_hist'" },
		{ "link.states[0].jitter_dist", "\"gauss\"", "'link.states[0].jitter_dist'" },
		{ "link.probe.rtt_samples", "{}", "'link.probe.rtt_samples'" },
		{ "migration.total_s", "\"1.2\"", "'migration.total_s'" },
		{ "migration.bytes", "\"95\"", "'migration.bytes'" },
		{ "outcome", "\"sideways\"", "'outcome'" },
		{ "migration.progress.iteration", "\"4\"", "'migration.progress.iteration'" },
		{ "migration.iteration_events_s", "\"x\"", "'migration.iteration_events_s'" },
		{ "migration.iteration_events_s", "[1,\"x\"]", "'migration.iteration_events_s[1]'" },
		{ "samples.lost", "true", "'samples.lost'" },
		{ "phases.before.n", "2.5", "'phases.before.n'" },
		{ "phases.during", "null", "'phases.during'" },
		{ "ratio", "0.5", "'ratio'" },
		{ "error", "{}", "'error'" },
	};
	(void)state;
	for (size_t i = 0; i < MB_ARRAY_SIZE(cases); i++) {
		struct res_scenario a, b;
		char *t;
		json_object *o;
		full_record(&a);
		t = to_text(&a);
		o = json_tokener_parse(t);
		set_at(o, cases[i].path, json_tokener_parse(cases[i].json));
		if (res_scenario_read(o, &b) != MB_EINPUT)
			fail_msg("case %zu (%s = %s) was accepted", i, cases[i].path, cases[i].json);
		if (!strstr(mb_errmsg(), cases[i].want))
			fail_msg("case %zu: message '%s' does not name %s", i, mb_errmsg(), cases[i].want);
		res_scenario_free(&b);
		res_scenario_free(&a);
		json_object_put(o);
		free(t);
	}
}

static void test_missing_keys(void **state)
{
	struct res_scenario b;
	json_object *o = json_tokener_parse("{\"status\":\"ok\"}");
	(void)state;
	assert_int_equal(res_scenario_read(o, &b), MB_EINPUT);
	assert_non_null(strstr(mb_errmsg(), "key 'id' is missing"));
	res_scenario_free(&b);
	json_object_put(o);
	o = json_tokener_parse("[1]");
	assert_int_equal(res_scenario_read(o, &b), MB_EINPUT);
	res_scenario_free(&b);
	json_object_put(o);
	/* The least a reader needs; unknown keys are ignored. */
	o = json_tokener_parse("{\"id\":\"x\",\"status\":\"skipped\",\"future_key\":[1]}");
	assert_int_equal(res_scenario_read(o, &b), MB_OK);
	assert_int_equal(b.status, RES_SKIPPED);
	res_scenario_free(&b);
	json_object_put(o);
}

/* The paths report/report.c reads today exist in the tables (a renamed key
 * fails here instead of becoming NaN in the report). */
static void test_report_paths_exist(void **state)
{
	static const char *const paths[] = {
		"id", "experiment", "repetition", "status", "workload", "delay_s", "delay_ms",
		"precopy.max_downtime_s", "precopy.bandwidth_bytes_per_s", "precopy.auto_converge",
		"precopy.xbzrle", "precopy.compression", "precopy.multifd", "precopy.postcopy_after",
		"migration.total_s", "migration.downtime_s", "migration.setup_s", "migration.bytes",
		"migration.iterations", "migration.bandwidth_bytes_per_s",
		"migration.observed_downtime_s", "migration.postcopy", "migration.resume_s",
		"migration.pause_s", "migration.iteration_events_s", "phases.before.unit",
		"phases.before.rate", "phases.before.stddev", "phases.before.n", "phases.during.rate",
		"phases.after.rate", "ratio.during", "ratio.after", "guest_gap_s", "samples.lost",
		"samples.file", "link.probe.rtt_avg_s", "link.probe.tcp_bytes_per_s", "link.backend",
		"storage.mode", "storage.why", "source", "destination", "error", "config",
		"service_downtime_s", "network.echo.service_downtime_s", "network.sink_bytes_destination",
	};
	size_t off;
	struct res_scenario a;
	(void)state;
	for (size_t i = 0; i < MB_ARRAY_SIZE(paths); i++)
		if (!res_field(paths[i], &off))
			fail_msg("the record has no key %s", paths[i]);
	assert_null(res_field("migration.total", &off));
	assert_null(res_field("no.such.path", &off));
	assert_non_null(res_field("migration.total_s", &off));
	assert_int_equal(off, offsetof(struct res_scenario, migration.total_s));
	full_record(&a);
	assert_true(res_number(&a, "migration.total_s") == 1.25);
	assert_true(res_number(&a, "link.probe.rtt_avg_s") == 0.0163);
	assert_true(res_number(&a, "link.states") != res_number(&a, "link.states")); /* NaN: not a number */
	assert_true(res_number(&a, "migration.bytes") == 95000000);
	res_scenario_free(&a);
}

static char tmpdir[256];

static void write_lines(const char *dir, const char *text)
{
	char *p = mb_xasprintf("%s/scenarios.jsonl", dir);
	assert_int_equal(mb_append_fsync(p, text, strlen(text)), MB_OK);
	free(p);
}

static void test_reader_skips_bad_lines(void **state)
{
	struct res_scenario a, *recs;
	json_object **objs;
	char *good;
	int n, bad;
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mbtest-result-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	full_record(&a);
	good = to_text(&a);
	write_lines(tmpdir, good);
	write_lines(tmpdir, "\n\n{\"id\":\"y\",\"status\":\"ok\",\"migration\":{\"total_s\":\"1\"}}\n");
	write_lines(tmpdir, "{\"id\":[],\"status\":\"ok\"}\n");
	write_lines(tmpdir, "{\"id\":\"z\",\"status\":\"failed\",\"error\":\"boom\"}\n");
	write_lines(tmpdir, "{\"id\":\"torn\",\"sta");
	assert_int_equal(res_read_results(tmpdir, &recs, &n, &bad), MB_OK);
	assert_int_equal(n, 2);
	assert_int_equal(bad, 3);
	assert_string_equal(recs[0].id, "d16ms-cpuadd-r1");
	assert_string_equal(recs[1].error, "boom");
	res_free_results(recs, n);
	assert_int_equal(res_read_scenarios(tmpdir, &objs, &n, &bad), MB_OK);
	assert_int_equal(n, 2);
	assert_int_equal(bad, 3);
	res_free_scenarios(objs, n);
	free(good);
	res_scenario_free(&a);
	assert_int_equal(mb_rm_rf(tmpdir), MB_OK);
}

static void test_resume_info_types(void **state)
{
	static const struct {
		const char *run, *want;
	} cases[] = {
		{ "{\"overrides\":{}}", "'overrides'" },
		{ "{\"overrides\":[\"delay\",\"4ms\"]}", "'overrides[0]'" },
		{ "{\"overrides\":[[\"delay\"]]}", "'overrides[0]'" },
		{ "{\"overrides\":[[\"delay\",4]]}", "'overrides[0]'" },
		{ "{\"overrides\":[[null,\"4ms\"]]}", "'overrides[0]'" },
		{ "{\"profile\":[]}", "'profile'" },
		{ "{\"profile\":{\"text\":7}}", "'profile.text'" },
		{ "{\"profile\":{\"path\":{}}}", "'profile.path'" },
		{ "{\"shard\":1}", "'shard'" },
	};
	struct res_run r = { .dir = (char *)"D" };
	struct res_resume ri;
	(void)state;
	for (size_t i = 0; i < MB_ARRAY_SIZE(cases); i++) {
		r.run = json_tokener_parse(cases[i].run);
		assert_non_null(r.run);
		if (res_resume_info(&r, &ri) != MB_EINPUT)
			fail_msg("case %zu accepted: %s", i, cases[i].run);
		if (!strstr(mb_errmsg(), cases[i].want) || !strstr(mb_errmsg(), "D/run.json"))
			fail_msg("case %zu: '%s' does not name D/run.json and %s", i, mb_errmsg(), cases[i].want);
		res_resume_free(&ri);
		json_object_put(r.run);
	}
	r.run = json_tokener_parse("{\"profile\":{\"path\":\"p.ini\",\"text\":\"[global]\\n\"},"
				   "\"overrides\":[[\"delay\",\"4ms\"]],\"shard\":\"1/2\"}");
	assert_int_equal(res_resume_info(&r, &ri), MB_OK);
	assert_int_equal(ri.noverrides, 1);
	assert_string_equal(ri.override_keys[0], "delay");
	assert_string_equal(ri.shard, "1/2");
	assert_string_equal(ri.profile_path, "p.ini");
	res_resume_free(&ri);
	json_object_put(r.run);
}

/* --sample DIR: the generated schema and a run directory to validate. */
static int write_sample(const char *dir)
{
	struct profile *prof = NULL;
	struct mb_config run;
	struct res_run rr;
	struct res_scenario a;
	struct res_run_info info;
	json_object *schema = res_schema_json(), *ov = json_object_new_array(), *kv;
	char *path = mb_xasprintf("%s/scenario.schema.json", dir), *rdir = mb_xasprintf("%s/run", dir);
	const char *txt = json_object_to_json_string_ext(schema, JSON_C_TO_STRING_PRETTY |
								  JSON_C_TO_STRING_NOSLASHESCAPE);
	int rc = mb_write_file_atomic(path, txt, strlen(txt));

	if (!rc)
		rc = profile_load_string("sample.ini", "[global]\ndelay = 0,16ms\nworkload = cpuadd\n", &prof);
	if (rc)
		goto out;
	profile_config(prof, NULL, &run);
	info = (struct res_run_info){ .profile_path = prof->path, .profile = opt_profile_json(prof, &run),
				      .planned = json_object_new_array(), .planned_total = 3 };
	json_object_array_add(info.planned, json_object_new_string("d16ms-cpuadd-r1"));
	rc = res_run_create(&rr, rdir, &info, "migbench run sample.ini --delay=16ms");
	kv = json_object_new_array();
	json_object_array_add(kv, json_object_new_string("delay"));
	json_object_array_add(kv, json_object_new_string("16ms"));
	json_object_array_add(ov, kv);
	if (!rc)
		rc = res_run_set(&rr, "overrides", json_object_get(ov));
	if (!rc)
		rc = res_run_set(&rr, "shard", json_object_new_string("1/2"));
	full_record(&a);
	if (!rc)
		rc = res_append_result(&rr, &a);
	res_scenario_free(&a);
	not_converged_record(&a);
	if (!rc)
		rc = res_append_result(&rr, &a);
	res_scenario_free(&a);
	failed_record(&a);
	if (!rc)
		rc = res_append_result(&rr, &a);
	res_scenario_free(&a);
	failed_record(&a);
	a.status = RES_SKIPPED;
	res_set(&a.id, "d0ms-cpuadd-r1");
	a.has_link = false;
	if (!rc)
		rc = res_append_result(&rr, &a);
	res_scenario_free(&a);
	if (!rc)
		rc = res_run_finish(&rr, "failed", 2, 1, 1);
	res_run_close(&rr);
out:
	if (rc)
		fprintf(stderr, "test_result --sample: %s\n", mb_errmsg());
	json_object_put(ov);
	json_object_put(schema);
	profile_free(prof);
	free(path);
	free(rdir);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_sections_left_out),
		cmocka_unit_test(test_nan_is_null),
		cmocka_unit_test(test_not_converged),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_type_confusion),
		cmocka_unit_test(test_missing_keys),
		cmocka_unit_test(test_report_paths_exist),
		cmocka_unit_test(test_reader_skips_bad_lines),
		cmocka_unit_test(test_resume_info_types),
	};
	if (argc == 3 && !strcmp(argv[1], "--sample"))
		return write_sample(argv[2]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
