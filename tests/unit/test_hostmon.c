/* test_hostmon.c - the host sampler's /proc and /sys readers on fixture
 * trees (tests/fixtures/hostmon), KSM apply/restore on a copy, the
 * real-host (libvirt) conversions, and the csv. */
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

#include "core/err.h"
#include "core/util.h"
#include "hostmon/hostmon.h"
#include "hostmon/ksm.h"
#include "hostmon/proc.h"
#include "run/hostscn.h"
#include "migrate/console.h"
#include "record/result.h"
#include "run/scenario.h"

#define FIX "tests/fixtures/hostmon"

static char *slurp(const char *path)
{
	char *s = NULL;
	size_t n;
	assert_int_equal(mb_read_file(path, &s, &n), MB_OK);
	return s;
}

static void put(const char *dir, const char *rel, const char *text)
{
	char *p = mb_xasprintf("%s/%s", dir, rel);
	assert_int_equal(mb_write_file_atomic(p, text, strlen(text)), MB_OK);
	free(p);
}

/* A scratch copy of the fixture tree (free the path, rm -rf it). */
static char *copy_fixture(void)
{
	char tmpl[] = "/tmp/mbtest-hostmon-XXXXXX", *cmd;
	assert_non_null(mkdtemp(tmpl));
	cmd = mb_xasprintf("cp -r " FIX "/. %s/", tmpl);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return mb_xstrdup(tmpl);
}

static void rm_tree(char *dir)
{
	assert_int_equal(mb_rm_rf(dir), MB_OK);
	free(dir);
}

static void test_thread_kinds(void **state)
{
	(void)state;
	assert_int_equal(hm_thread_kind("CPU 0/TCG"), HM_VCPU);
	assert_int_equal(hm_thread_kind("CPU 12/KVM"), HM_VCPU);
	assert_int_equal(hm_thread_kind("live_migration"), HM_MIGRATION);
	assert_int_equal(hm_thread_kind("mig/src/main"), HM_MIGRATION);
	assert_int_equal(hm_thread_kind("multifdsend_3"), HM_MIGRATION);
	assert_int_equal(hm_thread_kind("qemu-system-x86"), HM_OTHER);
	assert_int_equal(hm_thread_kind("IO iothread1"), HM_OTHER);
	assert_int_equal(hm_thread_kind("CPUfreq"), HM_OTHER);
	assert_int_equal(hm_thread_kind(""), HM_OTHER);
}

static void test_parsers(void **state)
{
	char *s;
	uint64_t v;
	(void)state;
	s = slurp(FIX "/proc/4242/task/4243/stat");
	assert_int_equal(hm_parse_stat_ticks(s, &v), MB_OK);
	assert_int_equal(v, 1000);
	free(s);
	/* A comm with ") (" in it: the last ')' ends it. */
	s = slurp(FIX "/proc/4242/task/4245/stat");
	assert_int_equal(hm_parse_stat_ticks(s, &v), MB_OK);
	assert_int_equal(v, 10);
	free(s);
	assert_int_equal(hm_parse_stat_ticks("4242 qemu S 1", &v), MB_EINPUT);
	assert_int_equal(hm_parse_stat_ticks("4242 (qemu) S 1 2", &v), MB_EINPUT);

	s = slurp(FIX "/proc/meminfo");
	assert_int_equal(hm_parse_kb_line(s, "MemAvailable", &v), MB_OK);
	assert_true(v > 0 && v % 1024 == 0);
	assert_int_equal(hm_parse_kb_line(s, "MemAvail", &v), MB_EINPUT); /* a prefix is no key */
	free(s);
	assert_int_equal(hm_parse_kb_line("HugePages_Total:       7\n", "HugePages_Total", &v), MB_OK);
	assert_int_equal(v, 7); /* no unit: a count */
	assert_int_equal(hm_parse_key_u64("rchar: 12\nwchar: 34\n", "wchar", &v), MB_OK);
	assert_int_equal(v, 34);
	assert_int_equal(hm_parse_key_u64("rchar: x\n", "rchar", &v), MB_EINPUT);
}

static void test_proc_files(void **state)
{
	uint64_t rss, avail, fr;
	struct hm_io io;
	struct hm_ksm_counts k;
	(void)state;
	assert_int_equal(hm_proc_rss(FIX "/proc", 4242, &rss), MB_OK);
	assert_int_equal(rss, 307200ULL * 1024);
	assert_int_equal(hm_proc_io(FIX "/proc", 4242, &io), MB_OK);
	assert_int_equal(io.rchar, 1000000);
	assert_int_equal(io.wchar, 2000000);
	assert_int_equal(io.read_bytes, 4096);
	assert_int_equal(io.write_bytes, 8192);
	assert_int_equal(hm_meminfo(FIX "/proc", &avail, &fr), MB_OK);
	assert_true(avail >= fr);
	assert_int_not_equal(hm_proc_rss(FIX "/proc", 4243, &rss), MB_OK); /* no such process */
	assert_int_equal(hm_ksm_read(FIX "/ksm", &k), MB_OK);
	assert_int_equal(k.pages_shared, 1200);
	assert_int_equal(k.pages_sharing, 31000);
	assert_int_equal(k.pages_unshared, 500);
	assert_int_equal(k.full_scans, 7);
	assert_int_not_equal(hm_ksm_read(FIX "/nothing", &k), MB_OK);
}

static void test_guest_pid(void **state)
{
	(void)state;
	assert_int_equal(hm_guest_pid(FIX "/proc", FIX "/run", "mbt-77-1"), 4242);
	assert_true(hm_proc_is_guest(FIX "/proc", 4242, "mbt-77-1"));
	/* A longer or shorter name is another guest. */
	assert_false(hm_proc_is_guest(FIX "/proc", 4242, "mbt-77"));
	assert_false(hm_proc_is_guest(FIX "/proc", 4242, "mbt-77-10"));
	/* A pid file whose process is gone, or none at all. */
	assert_int_equal(hm_guest_pid(FIX "/proc", FIX "/run", "gone"), 0);
	assert_int_equal(hm_guest_pid(FIX "/proc", FIX "/run", "absent"), 0);
}

/* CPU by thread kind: cumulative since the first read; a thread that
 * exits keeps its share; one born later counts from 0. */
static void test_cpu_by_kind(void **state)
{
	char *d = copy_fixture(), *proc = mb_xasprintf("%s/proc", d), *cmd;
	struct hm_proc_cpu c = { 0 };
	double s[HM_NKINDS];
	long hz = sysconf(_SC_CLK_TCK);
	(void)state;
	assert_int_equal(hm_proc_cpu_read(&c, proc, 4242, s), MB_OK);
	for (int k = 0; k < HM_NKINDS; k++)
		assert_true(s[k] == 0);
	put(proc, "4242/task/4243/stat", "4243 (CPU 0/TCG) R 1 4242 4242 0 -1 0 0 0 0 0 1100 100 0\n");
	put(proc, "4242/task/4244/stat", "4244 (live_migration) S 1 4242 4242 0 -1 0 0 0 0 0 60 10 0\n");
	assert_int_equal(hm_proc_cpu_read(&c, proc, 4242, s), MB_OK);
	assert_float_equal(s[HM_VCPU], 200.0 / (double)hz, 1e-9);
	assert_float_equal(s[HM_MIGRATION], 20.0 / (double)hz, 1e-9);
	assert_float_equal(s[HM_OTHER], 0, 1e-9);
	/* The migration thread ends, a new one starts with 30 ticks. */
	cmd = mb_xasprintf("rm -r %s/4242/task/4244 && mkdir %s/4242/task/4250", proc, proc);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	put(proc, "4242/task/4250/comm", "live_migration\n");
	put(proc, "4242/task/4250/stat", "4250 (live_migration) R 1 4242 4242 0 -1 0 0 0 0 0 25 5 0\n");
	assert_int_equal(hm_proc_cpu_read(&c, proc, 4242, s), MB_OK);
	assert_float_equal(s[HM_MIGRATION], 50.0 / (double)hz, 1e-9);
	/* Another process: counted afresh. */
	assert_int_not_equal(hm_proc_cpu_read(&c, proc, 4300, s), MB_OK);
	hm_proc_cpu_free(&c);
	free(proc);
	rm_tree(d);
}

static void test_ksm_apply_restore(void **state)
{
	char *d = copy_fixture(), *ksm = mb_xasprintf("%s/ksm", d), *p, *v;
	struct hm_ksm_saved saved;
	double pts, sl;
	(void)state;
	/* keep: nothing saved, nothing written. */
	assert_int_equal(hm_ksm_apply(ksm, KSM_KEEP, 100, 1000000, &saved), MB_OK);
	assert_false(saved.saved);
	assert_int_equal(hm_ksm_apply(ksm, KSM_ON, 5000, 10 * 1000000LL, &saved), MB_OK);
	assert_true(saved.saved);
	hm_ksm_settings(ksm, &pts, &sl);
	assert_float_equal(pts, 5000, 0);
	assert_float_equal(sl, 0.01, 1e-12);
	p = mb_xasprintf("%s/run", ksm);
	v = slurp(p);
	assert_string_equal(v, "1");
	free(v);
	assert_int_equal(hm_ksm_restore(ksm, &saved), MB_OK);
	v = slurp(p);
	assert_string_equal(v, "1"); /* what the fixture had */
	free(v);
	put(ksm, "run", "0\n");
	put(ksm, "sleep_millisecs", "20\n");
	assert_int_equal(hm_ksm_apply(ksm, KSM_OFF, 0, 0, &saved), MB_OK);
	v = slurp(p);
	assert_string_equal(v, "2");
	free(v);
	assert_int_equal(hm_ksm_restore(ksm, &saved), MB_OK);
	v = slurp(p);
	assert_string_equal(v, "0");
	free(v);
	hm_ksm_settings(ksm, &pts, &sl);
	assert_float_equal(sl, 0.02, 1e-12);
	assert_int_equal(hm_ksm_restore(ksm, &saved), MB_OK); /* twice: nothing */
	/* A second Ctrl-C while applied: the signal path puts them back too. */
	assert_int_equal(hm_ksm_apply(ksm, KSM_ON, 7, 0, &saved), MB_OK);
	hm_ksm_restore_on_signal();
	v = slurp(p);
	assert_string_equal(v, "0");
	free(v);
	hm_ksm_settings(ksm, &pts, &sl);
	assert_float_equal(pts, 5000, 0);
	saved.saved = false; /* restored by the signal path */
	hm_ksm_restore_on_signal(); /* disarmed: nothing */
	/* No KSM in this kernel: on is refused, keep is fine. */
	assert_int_equal(hm_ksm_apply(FIX "/nothing", KSM_ON, 0, 0, &saved), MB_EUNSUPP);
	assert_non_null(strstr(mb_errmsg(), "no KSM"));
	assert_int_equal(hm_ksm_apply(FIX "/nothing", KSM_KEEP, 0, 0, &saved), MB_OK);
	free(p);
	free(ksm);
	rm_tree(d);
}

/* Real hosts: what libvirt's calls return, converted. */
static void test_libvirt_conversions(void **state)
{
	virTypedParameter p[4];
	virDomainMemoryStatStruct ms[3] = { { VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON, 262144 },
					    { VIR_DOMAIN_MEMORY_STAT_RSS, 300000 },
					    { VIR_DOMAIN_MEMORY_STAT_SWAP_IN, 0 } };
	virNodeMemoryStats node[2] = { { VIR_NODE_MEMORY_STATS_TOTAL, 24000000 },
				       { VIR_NODE_MEMORY_STATS_FREE, 12000000 } };
	double cpu[HM_NKINDS];
	(void)state;
	memset(p, 0, sizeof(p));
	snprintf(p[0].field, sizeof(p[0].field), VIR_DOMAIN_CPU_STATS_CPUTIME);
	p[0].type = VIR_TYPED_PARAM_ULLONG;
	p[0].value.ul = 5000000000ULL;
	snprintf(p[1].field, sizeof(p[1].field), VIR_DOMAIN_CPU_STATS_USERTIME);
	p[1].type = VIR_TYPED_PARAM_ULLONG;
	p[1].value.ul = 1000000000ULL;
	snprintf(p[2].field, sizeof(p[2].field), VIR_DOMAIN_CPU_STATS_VCPUTIME);
	p[2].type = VIR_TYPED_PARAM_ULLONG;
	p[2].value.ul = 4000000000ULL;
	hm_cpu_from_params(p, 3, cpu);
	assert_float_equal(cpu[HM_VCPU], 4.0, 1e-9);
	assert_float_equal(cpu[HM_OTHER], 1.0, 1e-9);
	assert_true(isnan(cpu[HM_MIGRATION]));
	/* An older libvirt without vcpu_time: no split, not a guess. */
	hm_cpu_from_params(p, 2, cpu);
	assert_true(isnan(cpu[HM_VCPU]) && isnan(cpu[HM_OTHER]));
	assert_float_equal(hm_rss_from_stats(ms, 3), 300000.0 * 1024, 0);
	assert_true(isnan(hm_rss_from_stats(ms, 1)));
	assert_float_equal(hm_free_from_node(node, 2), 12000000.0 * 1024, 0);
	assert_true(isnan(hm_free_from_node(node, 1)));
	{
		virNodeCPUStats c[4] = { { VIR_NODE_CPU_STATS_KERNEL, 2000000000ULL },
					 { VIR_NODE_CPU_STATS_USER, 3000000000ULL },
					 { VIR_NODE_CPU_STATS_IDLE, 4000000000ULL },
					 { VIR_NODE_CPU_STATS_IOWAIT, 1000000000ULL } };
		struct hm_cpu_times t;
		hm_times_from_node(c, 4, &t);
		assert_float_equal(t.total_s, 10.0, 1e-9);
		assert_float_equal(t.idle_s, 5.0, 1e-9);
		assert_true(isnan(t.steal_s));
		/* Without iowait: no total, not a guess. */
		hm_times_from_node(c, 3, &t);
		assert_true(isnan(t.total_s));
	}
}

/* /proc/stat's "cpu" line: total, idle (+ iowait) and steal in seconds;
 * a pre-2.6.11 line without steal; not /proc/stat; the fixture's. */
static void test_cpu_times(void **state)
{
	struct hm_cpu_times t;
	double busy, steal;
	(void)state;
	assert_int_equal(hm_parse_cpu_times("cpu  1000 50 300 8000 100 10 40 500 200 0\ncpu0 1 2 3 4\n", 100, &t), MB_OK);
	assert_float_equal(t.total_s, 100.0, 1e-9); /* guest (200) is inside user: not added */
	assert_float_equal(t.idle_s, 81.0, 1e-9);
	assert_float_equal(t.steal_s, 5.0, 1e-9);
	assert_int_equal(hm_parse_cpu_times("cpu 10 0 10 80\n", 100, &t), MB_OK);
	assert_float_equal(t.total_s, 1.0, 1e-9);
	assert_float_equal(t.steal_s, 0, 0);
	assert_int_equal(hm_parse_cpu_times("cpu0 10 0 10 80\n", 100, &t), MB_EINPUT);
	assert_int_equal(hm_parse_cpu_times("cpu 10 x\n", 100, &t), MB_EINPUT);
	assert_int_equal(hm_parse_cpu_times("", 100, &t), MB_EINPUT);
	assert_int_equal(hm_cpu_times(FIX "/proc", &t), MB_OK);
	assert_float_equal(t.steal_s, 500.0 / (double)sysconf(_SC_CLK_TCK), 1e-9);
	assert_int_not_equal(hm_cpu_times(FIX "/nothing", &t), MB_OK);

	/* Between two readings: 10 s of CPU, 6 idle, 1 stolen -> 30% busy, 10% stolen. */
	{
		struct hm_cpu_times a = { 100, 50, 5 }, b = { 110, 56, 6 }, nosteal = { 100, 50, NAN },
				     nosteal2 = { 110, 56, NAN };
		hm_host_pct(&a, &b, &busy, &steal);
		assert_float_equal(busy, 30, 1e-9);
		assert_float_equal(steal, 10, 1e-9);
		/* libvirt's (no steal): busy of the time it counts, steal unknown. */
		hm_host_pct(&nosteal, &nosteal2, &busy, &steal);
		assert_float_equal(busy, 40, 1e-9);
		assert_true(isnan(steal));
		/* No earlier reading, or no time between: unknown. */
		hm_host_pct(NULL, &b, &busy, &steal);
		assert_true(isnan(busy) && isnan(steal));
		hm_host_pct(&b, &b, &busy, &steal);
		assert_true(isnan(busy) && isnan(steal));
	}
}

static int count_fields(const char *line)
{
	int n = 1;
	for (const char *p = line; *p && *p != '\n'; p++)
		n += *p == ',';
	return n;
}

/* A round on the fixture: the source has the guest, the destination not
 * (empty cells); the csv has a header with units and equal columns. */
static void test_round_and_csv(void **state)
{
	struct hostmon h;
	char *csv, *line2, *line3;
	(void)state;
	hm_init(&h, HM_PROC, "mbt-77-1", 100000000);
	snprintf(h.proc_root, sizeof(h.proc_root), FIX "/proc");
	snprintf(h.ksm_dir, sizeof(h.ksm_dir), FIX "/ksm");
	snprintf(h.site[0].run_dir, sizeof(h.site[0].run_dir), FIX "/run");
	snprintf(h.site[1].run_dir, sizeof(h.site[1].run_dir), FIX "/nothing");
	snprintf(h.site[0].host, sizeof(h.site[0].host), "t-src");
	snprintf(h.site[1].host, sizeof(h.site[1].host), "t-dst");
	h.target_pid = 4242;
	hm_sample_round(&h, 1000000000);
	hm_sample_round(&h, 1100000000);
	assert_int_equal(h.n, 4);
	assert_int_equal(h.v[0].pid, 4242);
	assert_int_equal(h.v[1].pid, 0);
	assert_true(isnan(h.v[1].cpu_s[HM_VCPU]) && isnan(h.v[1].rss_bytes));
	assert_float_equal(h.v[1].ksm_sharing, 31000, 0); /* host-wide: one kernel */
	assert_float_equal(h.v[0].tgt_wchar, 2000000, 0);
	csv = hm_csv(&h, 1000000000, NULL, NULL);
	assert_true(mb_str_starts(csv, "time_s,phase,site,host,pid,cpu_vcpu_pct,cpu_migration_pct,"));
	assert_non_null(strstr(csv, "ksm_pages_sharing"));
	assert_non_null(strstr(csv, ",host_busy_pct,host_steal_pct,"));
	line2 = strchr(csv, '\n') + 1;
	line3 = strchr(line2, '\n') + 1;
	assert_int_equal(count_fields(line2), count_fields(csv));
	assert_int_equal(count_fields(line3), count_fields(csv));
	assert_true(mb_str_starts(line2, "0.000000,,source,t-src,4242,,,,0.000,0.000,0.000,314572800,"));
	assert_true(mb_str_starts(line3, "0.000000,,destination,t-dst,,,,,,,,,"));
	/* The second round: the same process, so a rate (0 here: the fixture stands still). */
	assert_non_null(strstr(csv, "0.100000,,source,t-src,4242,0.00,0.00,0.00,"));
	free(csv);
	hm_free(&h);
}

#define SEC 1000000000LL

/* Samples once a second for 0..10 s: the guest on the source 0..7 s (vCPUs
 * at 50%, the migration thread at 20% from 4 s), on the destination 5..10 s
 * (vCPUs at 100%); KSM merging 100 pages a second until 6 s; the target
 * reading 1000 bytes a second. */
static void synth(struct hostmon *h, bool ksm_still_moving)
{
	hm_init(h, HM_PROC, "g", SEC);
	snprintf(h->site[0].host, sizeof(h->site[0].host), "a");
	snprintf(h->site[1].host, sizeof(h->site[1].host), "b");
	h->v = calloc(22, sizeof(*h->v));
	for (int t = 0; t <= 10; t++) {
		for (int i = 0; i < 2; i++) {
			struct hm_sample *v = &h->v[h->n++];
			bool there = i ? t >= 5 : t <= 7;
			double sharing = ksm_still_moving ? 100.0 * t : 100.0 * (t < 6 ? t : 6);
			*v = (struct hm_sample){ .t_ns = t * SEC, .site = i, .pid = there ? 100 + i : 0,
						 .rss_bytes = there ? 1e8 + t : NAN, .mem_available_bytes = 1e10 - t,
						 .mem_free_bytes = 9e9, .ksm_shared = 7, .ksm_sharing = sharing,
						 .tgt_rchar = 1000.0 * t, .tgt_wchar = 2000.0 * t,
						 /* 2 CPUs: 0.5 s of the 2 idle each second, 0.2 stolen */
						 .host = { 2.0 * t, 0.5 * t, 0.2 * t } };
			for (int k = 0; k < HM_NKINDS; k++)
				v->cpu_s[k] = there ? 0 : NAN;
			if (there) {
				v->cpu_s[HM_VCPU] = i ? 1.0 * (t - 5) : 0.5 * t;
				v->cpu_s[HM_MIGRATION] = !i && t > 4 ? 0.2 * (t - 4) : 0;
			}
		}
	}
}

static void test_summaries(void **state)
{
	struct hostmon h;
	struct samples_windows w = { .t_ref = 4 * SEC, .before = 1 * SEC, .start = 4 * SEC, .resume = 7 * SEC,
				     .after = 10 * SEC };
	struct res_scenario rec;
	struct obs v[11];
	struct blk_obs blk[11];
	(void)state;
	synth(&h, false);
	res_scenario_init(&rec);
	for (int t = 0; t <= 10; t++) {
		v[t] = (struct obs){ .host_ns = t * SEC, .seq = (uint64_t)t, .count = 100 * (uint64_t)t };
		blk[t] = (struct blk_obs){ t * SEC, 110 * (uint64_t)t, 0 };
	}
	hm_hosts_summarize(&h, &w, &rec.hosts);
	assert_int_equal(rec.hosts.nsites, 2);
	assert_string_equal(rec.hosts.source, "proc");
	assert_true(rec.hosts.shared_kernel);
	/* Source: 50% vCPU before, migration 20% of the time in during (4..7 s: 0.6 s / 3 s). */
	assert_float_equal(rec.hosts.sites[0].before.cpu_vcpu_pct, 50, 1e-9);
	assert_float_equal(rec.hosts.sites[0].before.cpu_migration_pct, 0, 1e-9);
	assert_float_equal(rec.hosts.sites[0].during.cpu_migration_pct, 20, 1e-9);
	assert_float_equal(rec.hosts.sites[0].before.rss_bytes, 1e8 + 4, 0);
	/* Gone after: no CPU, no RSS; the host's memory still. */
	assert_true(isnan(rec.hosts.sites[0].after.cpu_vcpu_pct));
	assert_true(isnan(rec.hosts.sites[0].after.rss_bytes));
	assert_float_equal(rec.hosts.sites[0].after.mem_available_bytes, 1e10 - 10, 0);
	/* Destination: not there before; 100% after. */
	assert_true(isnan(rec.hosts.sites[1].before.cpu_vcpu_pct));
	assert_float_equal(rec.hosts.sites[1].after.cpu_vcpu_pct, 100, 1e-9);
	/* The host's CPU in every window, guest there or not: 65% busy, 10% stolen. */
	assert_float_equal(rec.hosts.sites[0].after.host_busy_pct, 65, 1e-9);
	assert_float_equal(rec.hosts.sites[1].before.host_steal_pct, 10, 1e-9);
	hm_ksm_summarize(&h, &w, &rec.ksm);
	assert_float_equal(rec.ksm.before.pages_sharing, 400, 0); /* at 4 s */
	assert_float_equal(rec.ksm.after.pages_sharing, 600, 0);
	assert_float_equal(rec.ksm.after.merged_bytes, 600.0 * (double)sysconf(_SC_PAGESIZE), 0);
	assert_float_equal(rec.ksm.settled_s, 2, 1e-9); /* last change at 6 s, 2 s after the start */
	hm_io_summarize(&h, &w, v, 11, blk, 11, &rec.io);
	assert_float_equal(rec.io.before.workload_bytes, 300, 1e-9);
	assert_float_equal(rec.io.before.guest_read_bytes, 330, 0);
	assert_float_equal(rec.io.before.guest_write_bytes, 0, 0);
	assert_float_equal(rec.io.during.target_read_bytes, 3000, 0);
	assert_float_equal(rec.io.after.target_write_bytes, 6000, 0);
	assert_non_null(rec.io.target_counter);
	res_scenario_free(&rec);
	hm_free(&h);

	/* Still merging at the last sample: not settled (null). */
	synth(&h, true);
	res_scenario_init(&rec);
	hm_ksm_summarize(&h, &w, &rec.ksm);
	assert_true(isnan(rec.ksm.settled_s));
	res_scenario_free(&rec);
	hm_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thread_kinds),
		cmocka_unit_test(test_parsers),
		cmocka_unit_test(test_proc_files),
		cmocka_unit_test(test_guest_pid),
		cmocka_unit_test(test_cpu_by_kind),
		cmocka_unit_test(test_ksm_apply_restore),
		cmocka_unit_test(test_cpu_times),
		cmocka_unit_test(test_libvirt_conversions),
		cmocka_unit_test(test_round_and_csv),
		cmocka_unit_test(test_summaries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
