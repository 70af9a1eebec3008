/* str.c - the growable string (see str.h). */
#include "core/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

void mb_str_grow(struct mb_str *s, size_t more)
{
	size_t need = s->len + more + 1;
	if (need < more) /* overflow: cannot happen with real sizes */
		abort();
	if (need <= s->cap)
		return;
	size_t cap = s->cap ? s->cap : 64;
	while (cap < need)
		cap = cap * 2 > cap ? cap * 2 : need;
	s->ptr = mb_xrealloc(s->ptr, cap);
	s->cap = cap;
}

void mb_str_putn(struct mb_str *s, const char *p, size_t n)
{
	mb_str_grow(s, n);
	memcpy(s->ptr + s->len, p, n);
	s->len += n;
	s->ptr[s->len] = '\0';
}

void mb_str_puts(struct mb_str *s, const char *p)
{
	mb_str_putn(s, p, strlen(p));
}

void mb_str_putc(struct mb_str *s, char c)
{
	mb_str_putn(s, &c, 1);
}

void mb_str_vprintf(struct mb_str *s, const char *fmt, va_list ap)
{
	va_list again;
	int n;
	mb_str_grow(s, 64);
	va_copy(again, ap);
	n = vsnprintf(s->ptr + s->len, s->cap - s->len, fmt, ap);
	if (n < 0)
		abort(); /* an invalid format: a bug */
	if ((size_t)n >= s->cap - s->len) {
		mb_str_grow(s, (size_t)n);
		n = vsnprintf(s->ptr + s->len, s->cap - s->len, fmt, again);
	}
	va_end(again);
	s->len += (size_t)n;
}

void mb_str_printf(struct mb_str *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	mb_str_vprintf(s, fmt, ap);
	va_end(ap);
}

const char *mb_str_cstr(const struct mb_str *s)
{
	return s->ptr ? s->ptr : "";
}

char *mb_str_detach(struct mb_str *s)
{
	char *p = s->ptr ? s->ptr : mb_xstrdup("");
	memset(s, 0, sizeof(*s));
	return p;
}

void mb_str_clear(struct mb_str *s)
{
	s->len = 0;
	if (s->ptr)
		s->ptr[0] = '\0';
}

void mb_str_free(struct mb_str *s)
{
	free(s->ptr);
	memset(s, 0, sizeof(*s));
}
