/* cmd_guest.c - `migbench guest info | boot | parse`: the guest image, a
 * guest booted directly in QEMU (no libvirt) with its samples parsed as
 * they arrive, and the sample parser on any console capture. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/commands.h"
#include "core/log.h"
#include "core/util.h"
#include "guest/image.h"
#include "migrate/domain.h"
#include "samples/sample.h"
#include "workloads/cmdline.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

struct printer {
	bool json;
	int64_t t0;
	uint64_t last_count;
	int64_t last_ns;
	bool have_last;
	uint64_t samples;
	int64_t first_ns;
	char error[160];
};

/* One JSON line through json-c: guest text is escaped, whatever it holds. */
static void print_json(json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* A number printed as "%.6f" / "%.3f" (json-c would print 17 digits). */
static json_object *num(double v, int decimals)
{
	char b[64];
	snprintf(b, sizeof(b), "%.*f", decimals, v);
	return json_object_new_double_s(v, b);
}

/* Print one parsed line with the host time it arrived. */
static void print_sample(void *ctx, const struct sample *s)
{
	struct printer *p = ctx;
	int64_t now = mb_mono_ns();
	double t = (double)(now - p->t0) / 1e9;
	if (s->kind == SAMPLE_DATA) {
		double rate = 0;
		if (p->have_last && now > p->last_ns)
			rate = ((double)s->count - (double)p->last_count) / ((double)(now - p->last_ns) / 1e9);
		if (!p->samples)
			p->first_ns = now;
		p->samples++;
		if (p->json) {
			json_object *o = json_object_new_object();
			json_object_object_add(o, "host_s", num(t, 6));
			json_object_object_add(o, "seq", json_object_new_uint64(s->seq));
			json_object_object_add(o, "guest_s", num((double)s->guest_ns / 1e9, 6));
			json_object_object_add(o, "workload", json_object_new_string(s->wl));
			json_object_object_add(o, "count", json_object_new_uint64(s->count));
			json_object_object_add(o, "unit", json_object_new_string(s->unit));
			json_object_object_add(o, "rate", num(rate, 3));
			print_json(o);
		} else
			printf("%9.3f s  seq %-6llu %-8s %20llu %-4s %14.0f /s\n", t,
			       (unsigned long long)s->seq, s->wl, (unsigned long long)s->count, s->unit,
			       rate);
		p->last_count = s->count;
		p->last_ns = now;
		p->have_last = true;
	} else if (s->kind == SAMPLE_EVENT) {
		if (!strcmp(s->event, "error"))
			snprintf(p->error, sizeof(p->error), "%s", s->text);
		if (p->json) {
			json_object *o = json_object_new_object();
			json_object_object_add(o, "host_s", num(t, 6));
			json_object_object_add(o, "seq", json_object_new_uint64(s->seq));
			json_object_object_add(o, "event", json_object_new_string(s->event));
			json_object_object_add(o, "text", json_object_new_string(s->text));
			print_json(o);
		} else
			printf("%9.3f s  seq %-6llu %-8s %s %s\n", t, (unsigned long long)s->seq, s->wl,
			       s->event, s->text);
	} else if (s->kind == SAMPLE_MALFORMED && !p->json) {
		printf("%9.3f s  (malformed protocol line)\n", t);
	}
	fflush(stdout);
}

/* Read fd until EOF, time limit or signal, feeding the parser. */
static void pump(int fd, int64_t limit_ns, struct sample_stream *ss, struct printer *pr)
{
	int64_t deadline = limit_ns > 0 ? mb_mono_ns() + limit_ns : 0;
	char buf[4096];
	while (!stop) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int wait = 200;
		ssize_t n;
		if (deadline) {
			int64_t left = deadline - mb_mono_ns();
			if (left <= 0)
				break;
			wait = (int)(left / 1000000) + 1;
		}
		if (poll(&pfd, 1, wait) <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		sample_stream_feed(ss, buf, (size_t)n, print_sample, pr);
	}
}

static int summary(const struct sample_stream *ss, const struct printer *pr, double secs)
{
	fprintf(stderr, "migbench: %llu samples (%.1f/s), %llu events, %llu malformed, %llu overlong lines\n",
		(unsigned long long)ss->samples, secs > 0 ? (double)ss->samples / secs : 0,
		(unsigned long long)ss->events, (unsigned long long)ss->malformed,
		(unsigned long long)ss->overlong);
	if (pr->error[0])
		return mb_err(MB_EFAILED, "the guest workload reported an error: %s", pr->error);
	if (!ss->samples)
		return mb_err(MB_EFAILED, "no sample from the guest");
	return MB_OK;
}

/* --seconds N: a number of seconds, 0 < N <= 86400 (a day). */
static int parse_seconds(const char *secs, int64_t *limit)
{
	char *end;
	double v;
	if (!secs)
		return MB_OK;
	errno = 0;
	v = strtod(secs, &end);
	if (!secs[0] || isspace((unsigned char)secs[0]) || *end || errno || !(v > 0 && v <= 86400))
		return mb_err(MB_EINPUT, "--seconds '%s': expected a number of seconds, 0 < N <= 86400",
			      secs);
	*limit = (int64_t)(v * 1e9);
	return MB_OK;
}

/* QEMU's command line for booting g directly: argv (room for 24 words)
 * points into mem, cpus, cmdline and *drive (free it). */
static int qemu_argv(const struct mb_config *c, const struct guest_image *g, const char *cmdline,
		     const char *disk, char mem[32], char cpus[16], char **drive, const char **argv)
{
	int n = 0;
	snprintf(mem, 32, "%llu", (unsigned long long)(c->memory >> 20));
	snprintf(cpus, 16, "%lld", (long long)c->vcpus);
	argv[n++] = "qemu-system-x86_64";
	argv[n++] = "-accel";
	argv[n++] = c->virt_type == VIRT_KVM ? "kvm" : "tcg";
	argv[n++] = "-m";
	argv[n++] = mem;
	argv[n++] = "-smp";
	argv[n++] = cpus;
	argv[n++] = "-nodefaults";
	argv[n++] = "-no-user-config";
	argv[n++] = "-display";
	argv[n++] = "none";
	argv[n++] = "-serial";
	argv[n++] = "stdio";
	argv[n++] = "-no-reboot";
	argv[n++] = "-kernel";
	argv[n++] = g->kernel;
	argv[n++] = "-initrd";
	argv[n++] = g->initrd;
	argv[n++] = "-append";
	argv[n++] = cmdline;
	*drive = NULL;
	if (disk) {
		if (strchr(disk, ','))
			return mb_err(MB_EINPUT, "--disk %s: a comma in the path would be read as a QEMU option", disk);
		*drive = mb_xasprintf("file=%s,if=virtio,format=raw,cache=none", disk);
		argv[n++] = "-drive";
		argv[n++] = *drive;
	}
	argv[n] = NULL;
	return MB_OK;
}

/* Run QEMU with argv, its serial console into the sample parser, for at
 * most limit ns (or until SIGINT/SIGTERM); then stop it. */
static int run_qemu(const char *const *argv, int64_t limit, struct sample_stream *ss,
		    struct printer *pr)
{
	int pfd[2], st;
	pid_t pid;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return mb_err_errno(MB_EINTERNAL, "pipe");
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	pr->t0 = mb_mono_ns();
	pid = fork();
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);
		dup2(nul, STDIN_FILENO);
		dup2(pfd[1], STDOUT_FILENO);
		mb_close_from(STDERR_FILENO + 1);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return mb_err_errno(MB_EINTERNAL, "fork");
	}
	sample_stream_init(ss);
	pump(pfd[0], limit, ss, pr);
	close(pfd[0]);
	kill(pid, SIGTERM);
	for (int i = 0; i < 50 && waitpid(pid, &st, WNOHANG) == 0; i++)
		mb_sleep_ns(20000000);
	if (waitpid(pid, &st, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	return stop ? mb_err(MB_EINTR, "interrupted") : MB_OK;
}

static int guest_boot(const struct cli_args *a)
{
	struct profile *p = NULL;
	struct mb_config c;
	struct wl_params wp;
	struct guest_image g;
	char cmdline[2048], mem[32], cpus[16], *drive = NULL;
	const char *argv[32];
	int64_t limit = 10 * MB_NSEC_PER_SEC;
	struct sample_stream ss;
	struct printer pr = { .json = cli_has(a, "json") };
	int rc = parse_seconds(cli_get(a, "seconds"), &limit);

	if (rc)
		return rc;
	rc = cmd_load_profile(NULL, a, &p);
	if (rc)
		goto out;
	profile_config(p, NULL, &c);
	wl_params_from_config(&c, &wp);
	rc = guest_image_find(c.kernel, c.initrd, &g);
	if (!rc)
		rc = wl_cmdline(&wp, cmdline, sizeof(cmdline));
	if (!rc)
		rc = qemu_argv(&c, &g, cmdline, cli_get(a, "disk"), mem, cpus, &drive, argv);
	if (rc)
		goto out;
	mb_info("booting %s + %s (%s MiB, %s), workload %s, for %.0f s", g.kernel, g.initrd, mem,
		c.virt_type == VIRT_KVM ? "kvm" : "tcg", cmdline + strlen("console=ttyS0,115200 quiet "),
		(double)limit / 1e9);
	rc = run_qemu(argv, limit, &ss, &pr);
	if (rc)
		goto out;
	if (pr.samples)
		mb_info("first sample %.2f s after QEMU started", (double)(pr.first_ns - pr.t0) / 1e9);
	rc = summary(&ss, &pr, (double)(mb_mono_ns() - pr.t0) / 1e9);
out:
	free(drive);
	profile_free(p);
	return rc;
}

static int guest_info(const struct cli_args *a)
{
	struct profile *p = NULL;
	struct mb_config c;
	struct guest_image g;
	int rc = cmd_load_profile(NULL, a, &p);
	if (!rc) {
		profile_config(p, NULL, &c);
		rc = guest_image_find(c.kernel, c.initrd, &g);
	}
	if (!rc) {
		if (cli_has(a, "json")) {
			json_object *o = guest_image_json(&g);
			printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
									     JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(o);
		} else {
			printf("kernel   %s\n         %s\n         sha256 %s\ninitrd   %s\n         sha256 %s\n",
			       g.kernel, g.kernel_version[0] ? g.kernel_version : "(no manifest)",
			       g.kernel_sha256, g.initrd, g.initrd_sha256);
		}
	}
	profile_free(p);
	return rc;
}

int cmd_guest(int argc, char **argv)
{
	static const struct cli_flag flags[] = {
		{ "json", NULL, "info: JSON; boot, parse: one JSON object per line", false },
		{ "disk", "FILE", "boot: attach FILE as the guest's virtio disk (/dev/vda)", false },
		{ "seconds", "N", "boot: stop QEMU after N seconds (default 10); parse: read at most N seconds", false },
		{ NULL, NULL, NULL, false },
	};
	struct cli_args a;
	bool help;
	int rc = cli_parse(argc - 1, argv + 1, flags, true, &a, &help);
	if (rc)
		return rc;
	if (help || a.npos != 1) {
		cmd_usage("guest", flags, true, help ? stdout : stderr);
		if (help)
			printf("\n  info    the guest image: files, kernel package, sha256\n"
			       "  boot    boot it directly in QEMU (no libvirt) and print its samples\n"
			       "          as they arrive, e.g. migbench guest boot --workload=seqread --disk d.img\n"
			       "  parse   read a console capture on stdin and print the samples in it\n");
		cli_free(&a);
		return help ? MB_OK : mb_err(MB_EINPUT, "guest: expected info, boot or parse");
	}
	if (!strcmp(a.pos[0], "info")) {
		rc = guest_info(&a);
	} else if (!strcmp(a.pos[0], "boot")) {
		rc = guest_boot(&a);
	} else if (!strcmp(a.pos[0], "parse")) {
		struct sample_stream ss;
		struct printer pr = { .json = cli_has(&a, "json"), .t0 = mb_mono_ns() };
		int64_t limit = 0;
		rc = parse_seconds(cli_get(&a, "seconds"), &limit);
		if (!rc && cli_has(&a, "disk"))
			rc = mb_err(MB_EINPUT, "--disk is for guest boot, not parse");
		if (!rc) {
			sample_stream_init(&ss);
			pump(STDIN_FILENO, limit, &ss, &pr);
			rc = summary(&ss, &pr, (double)(mb_mono_ns() - pr.t0) / 1e9);
		}
	} else {
		static const char *const verbs[] = { "info", "boot", "parse" };
		rc = cmd_bad_verb("guest", a.pos[0], verbs, 3);
	}
	cli_free(&a);
	return rc;
}
