/* err.h - return codes, exit codes and the one error message of a failure.
 *
 * Rules (after libgit2): functions return int, 0 on success and one of the
 * negative MB_E* codes on failure.  The message is set once, where the
 * failure happens (mb_err / mb_err_errno), and propagated unchanged; callers
 * print it with mb_errmsg().  The code says what kind of failure it was, and
 * the exit code of the program follows from it (mb_exit_code).
 */
#ifndef MB_ERR_H
#define MB_ERR_H

#define MB_WUR __attribute__((warn_unused_result))
#define MB_PRINTF(a, b) __attribute__((format(printf, a, b)))

enum mb_rc {
	MB_OK = 0,
	MB_EINTERNAL = -1, /* bug or unexpected system error */
	MB_EINPUT = -2,    /* bad profile, command line or guest output */
	MB_EFAILED = -3,   /* the system under test failed (a scenario) */
	MB_EUNSUPP = -4,   /* cannot run here: a resource is missing */
	MB_EINTR = -5,     /* interrupted by a signal */
};

/* Exit codes, documented in --help and the README. */
enum mb_exit {
	MB_EXIT_OK = 0,
	MB_EXIT_INTERNAL = 1,
	MB_EXIT_INPUT = 2,
	MB_EXIT_FAILED = 3,
	MB_EXIT_UNSUPP = 4,
	MB_EXIT_INTR = 130,
};

/* Set the thread's error message and return rc (for `return mb_err(...)`). */
int mb_err(int rc, const char *fmt, ...) MB_PRINTF(2, 3);
/* Same, with ": strerror(errno)" appended (errno is read before formatting). */
int mb_err_errno(int rc, const char *fmt, ...) MB_PRINTF(2, 3);
/* Prepend context to the current message ("while X: <message>"), keep rc. */
int mb_err_ctx(int rc, const char *fmt, ...) MB_PRINTF(2, 3);
const char *mb_errmsg(void);

/* The longest message kept (longer ones are cut with "..."). */
#define MB_ERRMSG_MAX 2048

/* A failure carried through a cleanup that may fail itself, or from a worker
 * thread to the thread that waits for it (libvirt's virErrorPreserveLast /
 * virErrorRestore, libgit2's git_error_state_capture / restore):
 *
 *     struct mb_error keep;
 *     mb_err_save(&keep, rc);      // the reason the user needs
 *     cleanup();                   // may set (and lose) errors of its own
 *     return mb_err_restore(&keep);
 *
 * A worker saves into a struct the caller owns; after joining, the caller
 * restores it in its own thread.  rc == MB_OK saves "no error". */
struct mb_error {
	int rc;
	char msg[MB_ERRMSG_MAX];
};
void mb_err_save(struct mb_error *e, int rc);
/* Make e the calling thread's error again; returns e->rc. */
int mb_err_restore(const struct mb_error *e);
void mb_err_clear(void);
int mb_exit_code(int rc);
const char *mb_rc_name(int rc);

#endif
