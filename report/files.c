/* files.c - the report's file access: reads confined to a run directory,
 * writes that never go through a symlink someone planted there. */
#define _GNU_SOURCE
#include "report/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"

/* Why rel may not be opened at all, or NULL. */
static const char *bad_name(const char *rel)
{
	const char *p = rel;
	if (!*rel)
		return "an empty file name";
	if (*rel == '/')
		return "an absolute path (it must be relative to the run directory)";
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return "a path that climbs out with '..'";
		p += n + (p[n] == '/');
	}
	return NULL;
}

FILE *rep_open_confined(const char *dir, const char *rel, bool *missing)
{
	const char *why = bad_name(rel);
	char *full = NULL, *real = NULL, *rdir = NULL;
	FILE *f = NULL;
	struct stat st;
	int fd = -1;
	size_t n;

	*missing = false;
	if (why) {
		mb_err(MB_EINPUT, "%s", why);
		return NULL;
	}
	full = mb_xasprintf("%s/%s", dir, rel);
	rdir = realpath(dir, NULL);
	real = rdir ? realpath(full, NULL) : NULL;
	if (!real) {
		*missing = errno == ENOENT;
		mb_err_errno(MB_EINPUT, "cannot open %s", rdir ? full : dir);
		goto out;
	}
	n = strlen(rdir);
	if (strncmp(real, rdir, n) || (real[n] != '/' && n > 1)) {
		mb_err(MB_EINPUT, "a symlink that leads out of the run directory (to %s)", real);
		goto out;
	}
	fd = open(real, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		mb_err_errno(MB_EINPUT, "cannot open %s", full);
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		mb_err(MB_EINPUT, "%s is not a regular file", full);
		goto out;
	}
	f = fdopen(fd, "r");
	if (!f)
		mb_err_errno(MB_EINTERNAL, "cannot read %s", full);
	else
		fd = -1;
out:
	if (fd >= 0)
		close(fd);
	free(full);
	free(real);
	free(rdir);
	return f;
}

int rep_write_file(const char *path, const char *data, size_t len)
{
	char *tmp = mb_xasprintf("%s.XXXXXX", path);
	int rc = MB_OK, fd = mkstemp(tmp); /* O_EXCL: a planted name is never followed */
	FILE *f;
	if (fd < 0) {
		rc = mb_err_errno(MB_EINTERNAL, "cannot create a file next to %s", path);
		free(tmp);
		return rc;
	}
	f = fdopen(fd, "w");
	if (!f) {
		rc = mb_err_errno(MB_EINTERNAL, "cannot write %s", tmp);
		close(fd);
	} else {
		if (fchmod(fd, 0644) < 0 || fwrite(data, 1, len, f) != len)
			rc = mb_err_errno(MB_EINTERNAL, "cannot write %s", tmp);
		if (fclose(f) != 0 && !rc)
			rc = mb_err_errno(MB_EINTERNAL, "cannot write %s", tmp);
	}
	if (!rc && rename(tmp, path) < 0)
		rc = mb_err_errno(MB_EINTERNAL, "cannot rename %s to %s", tmp, path);
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

int rep_real_dir(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		if (errno != ENOENT)
			return mb_err_errno(MB_EINTERNAL, "cannot look at %s", path);
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return mb_err_errno(MB_EINTERNAL, "cannot create directory %s", path);
		if (lstat(path, &st) < 0)
			return mb_err_errno(MB_EINTERNAL, "cannot look at %s", path);
	}
	if (S_ISLNK(st.st_mode))
		return mb_err(MB_EINPUT, "%s is a symlink: the report does not write through it", path);
	if (!S_ISDIR(st.st_mode))
		return mb_err(MB_EINPUT, "%s is not a directory", path);
	return MB_OK;
}
