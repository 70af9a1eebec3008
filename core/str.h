/* str.h - a growable string (after libgit2's git_str): append text and
 * printf-formatted text without ever sizing a buffer by estimate.
 *
 *     struct mb_str s = MB_STR_INIT;
 *     mb_str_printf(&s, "%s,%d\n", host, n);
 *     ... s.ptr, s.len ...
 *     char *owned = mb_str_detach(&s);   // or mb_str_free(&s)
 *
 * Allocation never fails (it aborts like mb_xmalloc); ptr is always
 * NUL-terminated once anything was appended (mb_str_cstr gives "" before). */
#ifndef MB_STR_H
#define MB_STR_H

#include <stdarg.h>
#include <stddef.h>

#include "core/err.h"

struct mb_str {
	char *ptr;
	size_t len;  /* bytes used, excluding the NUL */
	size_t cap;  /* bytes allocated */
};

#define MB_STR_INIT { NULL, 0, 0 }

/* Make room for `more` bytes beyond len (plus the NUL). */
void mb_str_grow(struct mb_str *s, size_t more);
void mb_str_putn(struct mb_str *s, const char *p, size_t n);
void mb_str_puts(struct mb_str *s, const char *p);
void mb_str_putc(struct mb_str *s, char c);
void mb_str_printf(struct mb_str *s, const char *fmt, ...) MB_PRINTF(2, 3);
void mb_str_vprintf(struct mb_str *s, const char *fmt, va_list ap) MB_PRINTF(2, 0);
/* The text so far ("" when empty); stays owned by s. */
const char *mb_str_cstr(const struct mb_str *s);
/* Hand the buffer to the caller (never NULL) and reset s. */
char *mb_str_detach(struct mb_str *s);
void mb_str_clear(struct mb_str *s);
void mb_str_free(struct mb_str *s);

#endif
