/* ksm.c - apply and restore the host's KSM settings (see ksm.h). */
#define _GNU_SOURCE
#include "hostmon/ksm.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"

MB_ENUM_IMPL(ksm_mode, KSM_MODE_LAST, "keep", "on", "off");

bool hm_ksm_available(const char *dir)
{
	struct stat st;
	char path[512];
	snprintf(path, sizeof(path), "%s/run", dir);
	return stat(path, &st) == 0;
}

static int read_setting(const char *dir, const char *name, char *out, size_t len)
{
	char path[512], *s = NULL;
	size_t n;
	int rc;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	rc = mb_read_file_max(path, 64, &s, &n);
	if (rc)
		return rc;
	snprintf(out, len, "%s", mb_trim(s));
	free(s);
	return MB_OK;
}

static int write_setting(const char *dir, const char *name, const char *val)
{
	char path[512];
	size_t n = strlen(val);
	ssize_t w;
	int fd;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return mb_err_errno(MB_EUNSUPP, "cannot open %s to set KSM", path);
	w = write(fd, val, n);
	if (w != (ssize_t)n) {
		int e = errno;
		close(fd);
		errno = w < 0 ? e : EIO;
		return mb_err_errno(MB_EFAILED, "writing %s to %s", val, path);
	}
	close(fd);
	return MB_OK;
}

/* The pending restore, prepared when the settings are changed, for
 * hm_ksm_restore_on_signal: paths and values as plain strings. */
static struct {
	volatile sig_atomic_t armed;
	char path[3][512];
	char val[3][32];
	size_t len[3];
} pending;

static void arm(const char *dir, const struct hm_ksm_saved *saved)
{
	static const char *const names[3] = { "run", "pages_to_scan", "sleep_millisecs" };
	const char *vals[3] = { saved->run, saved->pages_to_scan, saved->sleep_millisecs };
	pending.armed = 0;
	for (int i = 0; i < 3; i++) {
		snprintf(pending.path[i], sizeof(pending.path[i]), "%s/%s", dir, names[i]);
		snprintf(pending.val[i], sizeof(pending.val[i]), "%s", vals[i]);
		pending.len[i] = strlen(pending.val[i]);
	}
	pending.armed = 1;
}

void hm_ksm_restore_on_signal(void)
{
	if (!pending.armed)
		return;
	pending.armed = 0;
	for (int i = 0; i < 3; i++) {
		int fd = open(pending.path[i], O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0) {
			if (write(fd, pending.val[i], pending.len[i]) < 0) {
				/* nothing more to do in a signal handler */
			}
			close(fd);
		}
	}
}

int hm_ksm_apply(const char *dir, int mode, int64_t pages_to_scan, int64_t sleep_ns,
		 struct hm_ksm_saved *saved)
{
	char v[32];
	int rc;
	memset(saved, 0, sizeof(*saved));
	if (mode == KSM_KEEP)
		return MB_OK;
	if (!hm_ksm_available(dir))
		return mb_err(MB_EUNSUPP, "ksm = %s: this kernel has no KSM (%s does not exist)",
			      ksm_mode_to_string(mode), dir);
	rc = read_setting(dir, "run", saved->run, sizeof(saved->run));
	if (!rc)
		rc = read_setting(dir, "pages_to_scan", saved->pages_to_scan, sizeof(saved->pages_to_scan));
	if (!rc)
		rc = read_setting(dir, "sleep_millisecs", saved->sleep_millisecs,
				  sizeof(saved->sleep_millisecs));
	if (rc)
		return rc;
	saved->saved = true;
	arm(dir, saved);
	if (pages_to_scan > 0) {
		snprintf(v, sizeof(v), "%" PRId64, pages_to_scan);
		rc = write_setting(dir, "pages_to_scan", v);
	}
	if (!rc && sleep_ns > 0) {
		snprintf(v, sizeof(v), "%" PRId64, (sleep_ns + 999999) / 1000000);
		rc = write_setting(dir, "sleep_millisecs", v);
	}
	if (!rc)
		rc = write_setting(dir, "run", mode == KSM_ON ? "1" : "2");
	return rc;
}

void hm_ksm_settings(const char *dir, double *pages_to_scan, double *sleep_s)
{
	char v[32];
	long long n;
	*pages_to_scan = *sleep_s = NAN;
	if (read_setting(dir, "pages_to_scan", v, sizeof(v)) == MB_OK && mb_parse_ll(v, 0, LLONG_MAX, &n) == MB_OK)
		*pages_to_scan = (double)n;
	if (read_setting(dir, "sleep_millisecs", v, sizeof(v)) == MB_OK && mb_parse_ll(v, 0, LLONG_MAX, &n) == MB_OK)
		*sleep_s = (double)n / 1000.0;
}

int hm_ksm_restore(const char *dir, struct hm_ksm_saved *saved)
{
	int rc = MB_OK, r;
	if (!saved->saved)
		return MB_OK;
	pending.armed = 0;
	/* run first: stop scanning before the rates change back. */
	r = write_setting(dir, "run", saved->run);
	rc = rc ? rc : r;
	r = write_setting(dir, "pages_to_scan", saved->pages_to_scan);
	rc = rc ? rc : r;
	r = write_setting(dir, "sleep_millisecs", saved->sleep_millisecs);
	rc = rc ? rc : r;
	saved->saved = false;
	return rc;
}
