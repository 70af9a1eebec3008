/* util.h - small helpers every subsystem uses: allocation that never returns
 * NULL, clocks, files written atomically, and closest-name suggestions. */
#ifndef MB_UTIL_H
#define MB_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/err.h"

#define MB_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MB_NSEC_PER_SEC 1000000000LL

/* Allocation: abort with a message on out-of-memory (nothing sensible to do). */
void *mb_xmalloc(size_t n);
void *mb_xcalloc(size_t nmemb, size_t size);
void *mb_xrealloc(void *p, size_t n);
char *mb_xstrdup(const char *s);
char *mb_xstrndup(const char *s, size_t n);
char *mb_xasprintf(const char *fmt, ...) MB_PRINTF(1, 2);

/* Clocks. */
int64_t mb_mono_ns(void);  /* CLOCK_MONOTONIC */
double mb_real_s(void);    /* CLOCK_REALTIME as seconds since the epoch */
void mb_sleep_ns(int64_t ns);
/* "2026-11-22T11:16:43Z" (UTC, seconds) into buf. */
void mb_iso8601(double t, char *buf, size_t len);

/* Files. */
int mb_mkdir_p(const char *path, mode_t mode) MB_WUR;
/* Write a new temporary file in path's directory (mkstemp: a planted
 * symlink is never followed), fsync, rename over path, fsync the directory. */
int mb_write_file_atomic(const char *path, const void *buf, size_t len) MB_WUR;
/* Append one record and fsync it (O_APPEND; a crash leaves at worst a
 * truncated last record, never a damaged earlier one).  path must be a
 * regular file or absent; a symlink is not followed (MB_EINPUT). */
int mb_append_fsync(const char *path, const void *buf, size_t len) MB_WUR;
/* Read a whole regular file (NUL-terminated; *len excludes the NUL).  A
 * FIFO, device, socket or directory is MB_EINPUT naming what it is, at once
 * (the open never blocks); so is a file larger than max bytes. */
int mb_read_file_max(const char *path, size_t max, char **buf, size_t *len) MB_WUR;
/* The same with max = MB_READ_MAX. */
#define MB_READ_MAX ((size_t)1 << 30)
int mb_read_file(const char *path, char **buf, size_t *len) MB_WUR;
int mb_fsync_dir(const char *dir) MB_WUR;
bool mb_path_exists(const char *path);
/* Remove a directory tree (like rm -rf, without following symlinks). */
int mb_rm_rf(const char *path) MB_WUR;

/* In a child before exec: close every descriptor from lowfd up, so a daemon
 * keeps nothing of its starter's (a scheduler's lock, a socket). */
void mb_close_from(int lowfd);

/* Whether pid runs (a zombie waiting to be reaped does not). */
bool mb_pid_alive(pid_t pid);

/* Strings. */
size_t mb_edit_distance(const char *a, const char *b);
/* The candidate closest to word, or NULL when none is close enough. */
const char *mb_closest(const char *word, const char *const *cands, size_t n);
bool mb_str_starts(const char *s, const char *prefix);
/* The last non-empty line of s into out (for quoting a tool's output). */
void mb_last_line(const char *s, char *out, size_t len);
/* Trim ASCII whitespace in place; returns s. */
char *mb_trim(char *s);
/* Only [A-Za-z0-9._-], not empty, not starting with '.' or '-'. */
bool mb_safe_name(const char *s);

/* Parse a decimal integer in [min, max]: digits with an optional leading
 * '-', nothing else (no spaces, no '+', no trailing text).  0 or -1. */
int mb_parse_ll(const char *s, long long min, long long max, long long *out) MB_WUR;

/* Names that reach other programs (ssh, iscsiadm, QEMU) as arguments, with
 * the longest accepted (the buffers that hold them are at least one byte
 * larger). */
#define MB_HOST_MAX 253 /* a DNS name */
#define MB_ADDR_MAX 255 /* host[:port] */
#define MB_IQN_MAX 223  /* RFC 3720 */
/* A host name, IPv4 address or bracketed IPv6 address ("[fd00::1]") of at
 * most MB_HOST_MAX characters, not starting with '-' or '.'. */
bool mb_valid_host(const char *s);
bool mb_valid_host_n(const char *s, size_t n); /* the first n bytes of s */
/* An iSCSI name: iqn.YYYY-MM.domain[:name] (lowercase), eui.<16 hex> or
 * naa.<16 or 32 hex>, at most MB_IQN_MAX characters. */
bool mb_valid_iqn(const char *s);

/* A hash map from strings to non-NULL pointers (keys are not copied: they
 * must outlive the map).  Zero-initialise; no removal. */
struct mb_strmap {
	size_t cap, n;    /* cap: a power of two, at least twice n */
	const char **keys;
	void **vals;
};
void *mb_strmap_get(const struct mb_strmap *m, const char *key);
/* Add key -> val unless key is there: returns the value already there, or
 * NULL when val was added. */
void *mb_strmap_put(struct mb_strmap *m, const char *key, void *val);
void mb_strmap_free(struct mb_strmap *m);

#endif
