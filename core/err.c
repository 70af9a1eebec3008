/* err.c - the per-thread error message and the rc -> exit code mapping. */
#define _GNU_SOURCE
#include "core/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char errbuf[MB_ERRMSG_MAX];

/* A message that did not fit ends in "..." so the cut is visible. */
static void mark_cut(int n)
{
	if (n >= (int)sizeof(errbuf))
		memcpy(errbuf + sizeof(errbuf) - 4, "...", 4);
}

static void vset(const char *fmt, va_list ap, const char *suffix) MB_PRINTF(1, 0);
static void vset(const char *fmt, va_list ap, const char *suffix)
{
	int n = vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	if (suffix && n >= 0 && (size_t)n < sizeof(errbuf))
		n += snprintf(errbuf + n, sizeof(errbuf) - (size_t)n, ": %s", suffix);
	mark_cut(n);
}

int mb_err(int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(fmt, ap, NULL);
	va_end(ap);
	return rc;
}

int mb_err_errno(int rc, const char *fmt, ...)
{
	int e = errno;
	char ebuf[128];
	va_list ap;
	const char *s = strerror_r(e, ebuf, sizeof(ebuf));
	va_start(ap, fmt);
	vset(fmt, ap, s);
	va_end(ap);
	return rc;
}

int mb_err_ctx(int rc, const char *fmt, ...)
{
	char old[sizeof(errbuf)];
	va_list ap;
	int n;
	memcpy(old, errbuf, sizeof(old));
	va_start(ap, fmt);
	n = vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(errbuf) && old[0])
		n += snprintf(errbuf + n, sizeof(errbuf) - (size_t)n, ": %s", old);
	mark_cut(n);
	return rc;
}

const char *mb_errmsg(void)
{
	return errbuf[0] ? errbuf : "unknown error";
}

void mb_err_clear(void)
{
	errbuf[0] = '\0';
}

void mb_err_save(struct mb_error *e, int rc)
{
	e->rc = rc;
	if (rc == MB_OK)
		e->msg[0] = '\0';
	else
		memcpy(e->msg, errbuf, sizeof(e->msg));
}

int mb_err_restore(const struct mb_error *e)
{
	if (e->rc != MB_OK)
		memcpy(errbuf, e->msg, sizeof(errbuf));
	return e->rc;
}

int mb_exit_code(int rc)
{
	switch (rc) {
	case MB_OK: return MB_EXIT_OK;
	case MB_EINPUT: return MB_EXIT_INPUT;
	case MB_EFAILED: return MB_EXIT_FAILED;
	case MB_EUNSUPP: return MB_EXIT_UNSUPP;
	case MB_EINTR: return MB_EXIT_INTR;
	default: return MB_EXIT_INTERNAL;
	}
}

const char *mb_rc_name(int rc)
{
	switch (rc) {
	case MB_OK: return "ok";
	case MB_EINPUT: return "bad input";
	case MB_EFAILED: return "failed";
	case MB_EUNSUPP: return "cannot run here";
	case MB_EINTR: return "interrupted";
	default: return "internal error";
	}
}
