/* mbguest.c - the guest's workload program (static, run by the initramfs's
 * init).  Reads migbench.* parameters from the kernel command line (or from
 * its arguments, to run it on a host for tests and benchmarks), starts the
 * chosen workload, and writes a protocol line (samples/proto.h) to stdout
 * - the console - every interval from a sampler thread.
 *
 * With migbench.resident it first fills and locks that much memory
 * (workloads/fill.h) and reports it in a "resident" event; sampling starts
 * after the fill.
 *
 *   mbguest                       parameters from /proc/cmdline
 *   mbguest migbench.wl=cpuadd ... parameters from argv
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "samples/proto.h"
#include "workloads/fill.h"
#include "workloads/wl.h"

_Atomic uint64_t wl_progress;

/* The registry: the one list of workloads. */
static const struct wl_ops *const registry[] = { &wl_cpuadd, &wl_seqread, &wl_memdirty, &wl_idle,
						 &wl_netstream, NULL };

static const struct wl_ops *wl;
static struct wl_params par;
static uint64_t seq;
static pthread_mutex_t out_mu = PTHREAD_MUTEX_INITIALIZER;

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void emit(const char *line, size_t n)
{
	size_t off = 0;
	while (off < n) {
		ssize_t w = write(STDOUT_FILENO, line + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

static void event(const char *ev, const char *text)
{
	char line[PROTO_MAX_LINE];
	size_t n;
	pthread_mutex_lock(&out_mu);
	n = proto_event(line, sizeof(line), seq++, (uint64_t)now_ns(), wl ? wl->name : "none", ev, text);
	pthread_mutex_unlock(&out_mu);
	emit(line, n);
}

static int has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* seqread on a block device: /sys/block/<dev>/stat, for the "blk" event
 * after each sample ("" = none). */
static char blk_stat[160], blk_dev[32];

static void blk_init(void)
{
	const char *d = strrchr(par.dev, '/');
	if (strcmp(wl->name, "seqread") || !has_prefix(par.dev, "/dev/") || !d || !d[1] ||
	    strlen(d + 1) >= sizeof(blk_dev))
		return;
	snprintf(blk_dev, sizeof(blk_dev), "%s", d + 1);
	snprintf(blk_stat, sizeof(blk_stat), "/sys/block/%s/stat", blk_dev);
	if (access(blk_stat, R_OK) != 0)
		blk_stat[0] = 0;
}

/* "dev=vda read_bytes=N write_bytes=M": sectors (512 bytes, whatever the
 * device's block size) read and written, fields 3 and 7 of the stat file. */
static void blk_event(void)
{
	unsigned long long f[7];
	char text[128];
	FILE *fp;
	int got;
	if (!blk_stat[0] || !(fp = fopen(blk_stat, "re")))
		return;
	got = fscanf(fp, "%llu %llu %llu %llu %llu %llu %llu", &f[0], &f[1], &f[2], &f[3], &f[4], &f[5],
		     &f[6]);
	fclose(fp);
	if (got != 7)
		return;
	snprintf(text, sizeof(text), "dev=%s read_bytes=%llu write_bytes=%llu", blk_dev, f[2] * 512ULL,
		 f[6] * 512ULL);
	event("blk", text);
}

void wl_event(const char *ev, const char *text)
{
	event(ev, text);
}

static void sample(void)
{
	char line[PROTO_MAX_LINE];
	size_t n;
	pthread_mutex_lock(&out_mu);
	n = proto_sample(line, sizeof(line), seq++, (uint64_t)now_ns(), wl->name,
			 atomic_load_explicit(&wl_progress, memory_order_relaxed), wl->unit);
	pthread_mutex_unlock(&out_mu);
	emit(line, n);
	blk_event();
}

/* ---- parameters ------------------------------------------------------------ */

/* "100ms" / "2s" / "500us" / "123ns" / bare ns. */
static int parse_dur(const char *s, int64_t *out)
{
	char *end;
	double v = strtod(s, &end);
	double f = 1;
	if (end == s || v < 0)
		return -1;
	if (!strcmp(end, "ms"))
		f = 1e6;
	else if (!strcmp(end, "us"))
		f = 1e3;
	else if (!strcmp(end, "s"))
		f = 1e9;
	else if (*end && strcmp(end, "ns"))
		return -1;
	*out = (int64_t)(v * f);
	return 0;
}

/* "64M" / "1G" / "4096" / "512K" (binary), also with "iB". */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	double v = strtod(s, &end);
	double f = 1;
	if (end == s || v < 0)
		return -1;
	switch (*end) {
	case 'K': case 'k': f = 1024.0; end++; break;
	case 'M': case 'm': f = 1048576.0; end++; break;
	case 'G': case 'g': f = 1073741824.0; end++; break;
	default: break;
	}
	if (!strcmp(end, "iB") || !strcmp(end, "B"))
		end += strlen(end);
	if (*end)
		return -1;
	*out = (uint64_t)(v * f);
	return 0;
}

static int set_param(const char *key, const char *val, char *err, size_t len)
{
	int bad = 0;
	if (!strcmp(key, "wl"))
		snprintf(par.name, sizeof(par.name), "%s", val);
	else if (!strcmp(key, "interval"))
		bad = parse_dur(val, &par.interval_ns);
	else if (!strcmp(key, "duration"))
		bad = parse_dur(val, &par.duration_ns);
	else if (!strcmp(key, "round"))
		bad = parse_size(val, &par.round);
	else if (!strcmp(key, "dev"))
		snprintf(par.dev, sizeof(par.dev), "%s", val);
	else if (!strcmp(key, "block"))
		bad = parse_size(val, &par.block);
	else if (!strcmp(key, "size"))
		bad = parse_size(val, &par.size);
	else if (!strcmp(key, "offset"))
		bad = parse_size(val, &par.offset);
	else if (!strcmp(key, "direct"))
		par.direct = strcmp(val, "0") != 0;
	else if (!strcmp(key, "wss"))
		bad = parse_size(val, &par.wss);
	else if (!strcmp(key, "rate"))
		bad = parse_size(val, &par.rate);
	else if (!strcmp(key, "resident"))
		bad = parse_size(val, &par.resident);
	else if (!strcmp(key, "resident_pattern"))
		bad = (par.resident_pattern = fill_pattern_parse(val)) < 0;
	else if (!strcmp(key, "ip"))
		snprintf(par.ip, sizeof(par.ip), "%s", val);
	else if (!strcmp(key, "sink"))
		snprintf(par.sink, sizeof(par.sink), "%s", val);
	else if (!strcmp(key, "echo")) {
		char *end;
		long port = strtol(val, &end, 10);
		bad = *end || port <= 0 || port > 65535;
		par.echo_port = (int)port;
	} else if (!strcmp(key, "fault")) {
		const char *at = strchr(val, '@');
		snprintf(par.fault, sizeof(par.fault), "%.*s", (int)(at ? at - val : (long)strlen(val)), val);
		bad = !at || parse_dur(at + 1, &par.fault_at_ns) ||
		      (strcmp(par.fault, "exit") && strcmp(par.fault, "hang") && strcmp(par.fault, "panic"));
	} else {
		snprintf(err, len, "unknown parameter migbench.%s", key);
		return -1;
	}
	if (bad) {
		snprintf(err, len, "bad value migbench.%s=%s", key, val);
		return -1;
	}
	return 0;
}

/* Every "migbench.key=value" word of text. */
static int parse_words(char *text, char *err, size_t len)
{
	char *save = NULL;
	for (char *w = strtok_r(text, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		char *eq;
		if (strncmp(w, "migbench.", 9))
			continue;
		eq = strchr(w, '=');
		if (!eq) {
			snprintf(err, len, "'%s' has no value", w);
			return -1;
		}
		*eq = '\0';
		if (set_param(w + 9, eq + 1, err, len) < 0)
			return -1;
	}
	return 0;
}

/* ---- resident memory ----------------------------------------------------------- */

/* MemAvailable of /proc/meminfo in bytes, 0 if unknown.  Not MemFree: in
 * a 1 GiB guest at init MemFree is 935 MiB but MemAvailable 870 MiB, and a
 * 900 MiB fill was OOM-killed (measured); at 512 MiB both are 440 MiB. */
static uint64_t mem_available(void)
{
	char line[128];
	unsigned long long kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb * 1024;
}

/* Fill migbench.resident bytes with the pattern and keep them: the mapping
 * is never unmapped and is locked when the kernel lets us (the guest has
 * no swap either way), so the migration has to carry it for the whole
 * scenario.  Reports what it did in a "resident" event. */
static int resident_fill(char *err, size_t len)
{
	/* What the guest kernel and the workload itself need on top. */
	const uint64_t margin = 16u << 20;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uint64_t bytes = par.resident - par.resident % page, avail, seed = 0;
	int64_t t0, t1;
	void *mem;
	int locked;
	char text[160];

	if (bytes == 0)
		return 0;
	avail = mem_available();
	if (avail && bytes + margin > avail) {
		snprintf(err, len,
			 "migbench.resident=%llu does not fit: the guest has %llu bytes available "
			 "(MemAvailable) and keeps %llu for itself",
			 (unsigned long long)bytes, (unsigned long long)avail,
			 (unsigned long long)margin);
		return -1;
	}
	/* Distinct random pages in every boot (two guests must not share any). */
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed))
		seed = (uint64_t)now_ns() ^ ((uint64_t)getpid() << 32);
	mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		snprintf(err, len, "cannot map %llu bytes of resident memory: %s",
			 (unsigned long long)bytes, strerror(errno));
		return -1;
	}
	t0 = now_ns();
	fill_region(mem, bytes, page, par.resident_pattern, seed, 0, NULL, NULL);
	t1 = now_ns();
	locked = mlock(mem, bytes) == 0;
	snprintf(text, sizeof(text), "bytes=%llu pattern=%s seconds=%.3f locked=%d available=%llu",
		 (unsigned long long)bytes, fill_pattern_name(par.resident_pattern),
		 (double)(t1 - t0) / 1e9, locked, (unsigned long long)avail);
	event("resident", text);
	return 0;
}

/* ---- the sampler and the hooks ----------------------------------------------- */

static void do_fault(void)
{
	if (!strcmp(par.fault, "exit")) {
		_exit(1); /* dies without a word, as a crashed workload would */
	} else if (!strcmp(par.fault, "hang")) {
		for (;;)
			pause(); /* alive, silent */
	} else if (!strcmp(par.fault, "panic")) {
		FILE *f = fopen("/proc/sysrq-trigger", "w");
		if (f) {
			fputc('c', f);
			fclose(f);
		}
		_exit(2);
	}
}

static void *sampler(void *arg)
{
	int64_t t0 = now_ns(), next = t0;
	struct sched_param sp = { .sched_priority = 10 };
	(void)arg;
	/* Wake on time even when the workload saturates the (only) vCPU. */
	pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	for (;;) {
		int64_t wake = next + (par.interval_ns > 0 ? par.interval_ns : 1000000000);
		int64_t now;
		struct timespec ts;
		if (par.duration_ns && wake > t0 + par.duration_ns)
			wake = t0 + par.duration_ns;
		if (par.fault[0] && wake > t0 + par.fault_at_ns)
			wake = t0 + par.fault_at_ns;
		ts.tv_sec = wake / 1000000000;
		ts.tv_nsec = wake % 1000000000;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		next = wake;
		now = now_ns();
		if (par.fault[0] && now >= t0 + par.fault_at_ns)
			do_fault();
		if (!wl->run)
			atomic_fetch_add_explicit(&wl_progress, 1, memory_order_relaxed);
		if (par.interval_ns > 0 || (par.duration_ns && now >= t0 + par.duration_ns))
			sample();
		if (par.duration_ns && now >= t0 + par.duration_ns) {
			event("exit", "duration reached");
			_exit(0);
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	char err[160] = "", text[200];
	pthread_t th;

	/* Defaults; see workloads/README.md. */
	snprintf(par.name, sizeof(par.name), "cpuadd");
	par.interval_ns = 100000000;
	par.round = 120000000;
	snprintf(par.dev, sizeof(par.dev), "/dev/vda");
	par.block = 1 << 20;
	par.direct = 1;
	par.wss = 64 << 20;

	if (argc > 1) {
		for (int i = 1; i < argc && !err[0]; i++) {
			char *w = strdup(argv[i]);
			if (w && parse_words(w, err, sizeof(err)) < 0 && !err[0])
				snprintf(err, sizeof(err), "bad argument %s", argv[i]);
			free(w);
		}
	} else {
		char cmdline[4096] = "";
		FILE *f = fopen("/proc/cmdline", "r");
		if (!f || !fgets(cmdline, sizeof(cmdline), f))
			snprintf(err, sizeof(err), "cannot read /proc/cmdline");
		if (f)
			fclose(f);
		if (!err[0])
			parse_words(cmdline, err, sizeof(err));
	}
	for (int i = 0; registry[i] && !wl; i++)
		if (!strcmp(registry[i]->name, par.name))
			wl = registry[i];
	if (!err[0] && !wl)
		snprintf(err, sizeof(err), "unknown workload migbench.wl=%s", par.name);
	if (!err[0] && par.interval_ns == 0 && par.duration_ns == 0)
		snprintf(err, sizeof(err), "migbench.interval=0 (no samples) needs migbench.duration");
	if (!err[0] && resident_fill(err, sizeof(err)) < 0 && !err[0])
		snprintf(err, sizeof(err), "filling the resident memory failed");
	if (!err[0] && wl->setup(&par, err, sizeof(err)) < 0 && !err[0])
		snprintf(err, sizeof(err), "setup failed");
	if (!err[0] && par.echo_port && wl_echo_start(par.echo_port, err, sizeof(err)) < 0 && !err[0])
		snprintf(err, sizeof(err), "the echo responder failed to start");
	if (err[0]) {
		event("error", err);
		return 2;
	}
	blk_init();
	wl->describe(&par, text, sizeof(text));
	{
		char start[sizeof(text) + 56];
		char echo[24] = "";
		if (par.echo_port)
			snprintf(echo, sizeof(echo), " echo=%d", par.echo_port);
		snprintf(start, sizeof(start), "%s interval_ns=%lld%s", text, (long long)par.interval_ns,
			 echo);
		event("start", start);
	}
	if (pthread_create(&th, NULL, sampler, NULL) != 0) {
		event("error", "cannot start the sampler thread");
		return 2;
	}
	if (wl->run) {
		if (wl->run(&par, err, sizeof(err)) < 0) {
			event("error", err);
			return 2;
		}
	}
	pthread_join(th, NULL);
	return 0;
}
