/* lock.c - the lab's one lock (and the same discipline for a pair of real
 * hosts): flock on a file beside the lab's state directory, the holder's
 * description written in it so a refusal can name who is in the way.
 *
 * `lab up`, `lab down` and `run` hold it exclusively while they work (a run
 * for its whole length, so `down` cannot pull the lab from under a sweep);
 * `lab status` only reads and takes no lock.  The file is never unlinked:
 * removing a lock file while another process waits on it would let two
 * processes hold "the" lock at once.  It is opened with O_NOFOLLOW and must
 * be a regular file, so a symlink planted at its path is refused and its
 * target left untouched. */
#define _GNU_SOURCE
#include "lab/lab.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"

/* The longest holder description read back from a lock file. */
#define HOLDER_MAX 4096

/* Open path for locking: never through a symlink, never a non-file (a FIFO
 * would block the open: O_NONBLOCK, then the type check). */
static int open_lock(const char *path, int flags, int *out)
{
	struct stat st;
	int fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);
	if (fd < 0) {
		if (errno == ELOOP)
			return mb_err(MB_EUNSUPP, "lock %s is a symbolic link: refusing to follow it "
						  "(remove it if nobody planted it on purpose)", path);
		return mb_err_errno(errno == ENOENT ? MB_EUNSUPP : MB_EINTERNAL, "cannot open lock %s", path);
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int rc = mb_err(MB_EUNSUPP, "lock %s is not a regular file: refusing to use it", path);
		close(fd);
		return rc;
	}
	*out = fd;
	return MB_OK;
}

/* The holder's description, first line (malloc'd; "another process" when
 * the holder wrote none). */
static char *read_holder(int fd)
{
	char *buf = mb_xmalloc(HOLDER_MAX);
	ssize_t n = pread(fd, buf, HOLDER_MAX - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (!buf[0]) {
		free(buf);
		return mb_xstrdup("another process");
	}
	return buf;
}

int lab_lock_file(const char *path, const char *holder, int *fd)
{
	char *dir = mb_xstrdup(path), *slash = strrchr(dir, '/');
	int f, rc = MB_OK;
	if (slash) {
		*slash = '\0';
		rc = mb_mkdir_p(dir, 0755);
	}
	free(dir);
	if (!rc)
		rc = open_lock(path, O_RDWR | O_CREAT, &f);
	if (rc)
		return rc;
	if (flock(f, LOCK_EX | LOCK_NB) < 0) {
		char *cur = errno == EWOULDBLOCK ? read_holder(f) : NULL;
		rc = cur ? mb_err(MB_EUNSUPP, "%s is held by %s", path, cur)
			 : mb_err_errno(MB_EINTERNAL, "cannot lock %s", path);
		free(cur);
		close(f);
		return rc;
	}
	if (ftruncate(f, 0) == 0) {
		char *s = mb_xasprintf("pid %d: %s\n", (int)getpid(), holder);
		if (pwrite(f, s, strlen(s), 0) < 0)
			mb_debug("cannot describe the lock holder in %s", path);
		free(s);
	}
	*fd = f;
	return MB_OK;
}

int lab_lock(const struct lab_params *p, const char *holder, int *fd)
{
	struct lab *lab = mb_xmalloc(sizeof(*lab));
	int rc;
	lab_init(lab, p);
	rc = lab_lock_file(lab->lock, holder, fd);
	if (rc)
		rc = mb_err_ctx(rc, "lab '%s' is busy", lab->name);
	free(lab);
	return rc;
}

void lab_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

int lab_lock_holder(const char *path, char **holder)
{
	struct stat st;
	int fd, rc;
	*holder = NULL;
	if (lstat(path, &st) < 0 && errno == ENOENT)
		return MB_OK; /* never locked */
	rc = open_lock(path, O_RDONLY, &fd);
	if (rc)
		return rc;
	if (flock(fd, LOCK_SH | LOCK_NB) < 0)
		*holder = errno == EWOULDBLOCK ? read_holder(fd) : NULL;
	close(fd); /* a shared lock we got goes with the descriptor */
	return MB_OK;
}
