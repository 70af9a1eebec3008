/* text.c - quoting and formatting for the report: each function serves one
 * target (gnuplot, HTML, file names, terminals, people reading numbers). */
#define _GNU_SOURCE
#include "report/text.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/* ---- the growing string ---------------------------------------------------- */

void rep_bprintf(struct rep_buf *b, const char *fmt, ...)
{
	va_list ap;
	int k;
	for (;;) {
		size_t room = b->cap - b->n;
		va_start(ap, fmt);
		k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? room : 0, fmt, ap);
		va_end(ap);
		if (k < 0)
			abort(); /* an invalid format: a programming error */
		if (b->s && (size_t)k < room) {
			b->n += (size_t)k;
			return;
		}
		b->cap = (b->cap ? b->cap * 2 : 256) + (size_t)k;
		b->s = mb_xrealloc(b->s, b->cap);
		b->s[b->n] = '\0';
	}
}

void rep_bputs(struct rep_buf *b, const char *s)
{
	rep_bprintf(b, "%s", s);
}

const char *rep_bstr(const struct rep_buf *b)
{
	return b->s ? b->s : "";
}

void rep_bfree(struct rep_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

/* ---- gnuplot ----------------------------------------------------------------- */

void rep_gp_quote(struct rep_buf *b, const char *s)
{
	rep_bputs(b, "'");
	if (s && (*s == '<' || *s == '|'))
		rep_bputs(b, " ");
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\'')
			rep_bputs(b, "\xe2\x80\x99"); /* U+2019: never a quote inside */
		else if (c < 0x20 || c == 0x7f)
			rep_bputs(b, " ");
		else
			rep_bprintf(b, "%c", c);
	}
	rep_bputs(b, "'");
}

static bool denied_word(const char *w, size_t n)
{
	static const char *const words[] = { "system", "shell",  "load",  "call",   "eval",    "evaluate",
					     "save",   "print",  "table", "cd",     "exit",    "quit",
					     "import", "plugin", "fit",   "pause",  "reread",  "history",
					     "bind",   "while",  "do",    "pipe",   "loadpath" };
	for (size_t i = 0; i < MB_ARRAY_SIZE(words); i++)
		if (strlen(words[i]) == n && !strncmp(words[i], w, n))
			return true;
	return false;
}

/* The string literal at *p (a quote), scanned as gnuplot's scanner does:
 * its closing quote, or NULL when it runs past the line.  Inside, a quote
 * followed by a quote is taken in only after a character that is not the
 * opening quote or the second of such a pair (gnuplot's look-ahead).
 * *plain: a plain file name; *pipe: it starts with '<' or '|'. */
static const char *gp_literal(const char *p, bool *plain, bool *pipe)
{
	const char *s = p;
	*plain = true;
	*pipe = p[1] == '<' || p[1] == '|';
	while (*++s != '\'') {
		if (*s == '\0' || *s == '\n')
			return NULL;
		if (s[1] == '\'' && s[2] == '\'') {
			*plain = false;
			s += 2;
		} else if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-') {
			*plain = false;
		}
	}
	if (s == p + 1 || p[1] == '.' || p[1] == '-')
		*plain = false;
	return s;
}

int rep_gp_check(const char *script)
{
	int line = 1;
	bool want_name = false; /* after `set output` */
	for (const char *p = script; *p; p++) {
		bool plain, pipe;
		if (*p == '\n') {
			line++;
		} else if (*p == '#') {
			while (p[1] && p[1] != '\n')
				p++;
			if (*p == '\\')
				return mb_err(MB_EINTERNAL, "gnuplot script line %d: a comment continues", line);
		} else if (*p == '\'') {
			const char *end = gp_literal(p, &plain, &pipe);
			if (!end)
				return mb_err(MB_EINTERNAL, "gnuplot script line %d: a string runs past the line",
					      line);
			if (pipe)
				return mb_err(MB_EINTERNAL, "gnuplot script line %d: a string starts with a pipe",
					      line);
			if (want_name && !plain)
				return mb_err(MB_EINTERNAL, "gnuplot script line %d: output is not a plain file name",
					      line);
			want_name = false;
			p = end;
		} else if (strchr("`\"@!$|\\", *p)) {
			return mb_err(MB_EINTERNAL, "gnuplot script line %d: '%c' outside a string", line, *p);
		} else if (isalpha((unsigned char)*p) || *p == '_') {
			size_t n = 1;
			while (isalnum((unsigned char)p[n]) || p[n] == '_')
				n++;
			if (denied_word(p, n))
				return mb_err(MB_EINTERNAL, "gnuplot script line %d: '%.*s' is not allowed", line,
					      (int)n, p);
			if (want_name)
				return mb_err(MB_EINTERNAL, "gnuplot script line %d: output is not a string", line);
			want_name = n == 6 && !strncmp(p, "output", 6);
			p += n - 1;
		}
	}
	return want_name ? mb_err(MB_EINTERNAL, "gnuplot script: output without a name") : MB_OK;
}

/* ---- HTML, file names, terminals ---------------------------------------------- */

void rep_html(struct rep_buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': rep_bputs(b, "&lt;"); break;
		case '>': rep_bputs(b, "&gt;"); break;
		case '&': rep_bputs(b, "&amp;"); break;
		case '"': rep_bputs(b, "&quot;"); break;
		case '\'': rep_bputs(b, "&#39;"); break;
		default: rep_bprintf(b, "%c", *s);
		}
	}
}

#define SAFE_NAME_MAX 100

char *rep_safe_name(const char *id)
{
	size_t n = strlen(id), keep = n < SAFE_NAME_MAX ? n : SAFE_NAME_MAX;
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	char *out;
	if (n <= SAFE_NAME_MAX && mb_safe_name(id))
		return mb_xstrdup(id);
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)id[i]) * 1099511628211ULL;
	out = mb_xasprintf("_%.*s-%08x", (int)keep, id, (unsigned)(h ^ (h >> 32)));
	for (size_t i = 1; i <= keep; i++)
		if (!isalnum((unsigned char)out[i]) && out[i] != '.' && out[i] != '-')
			out[i] = '_';
	return out;
}

char *rep_printable(const char *s)
{
	char *out = mb_xstrdup(s ? s : "(none)");
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return out;
}

/* ---- human units ---------------------------------------------------------------- */

/* a >= 0 with the prefix that puts it in [1, 1000), from pfx[first] (factor 1)
 * down to pfx[0] and up to pfx[npfx - 1]. */
static void scaled(struct rep_buf *b, double a, double step, const char *const *pfx, int npfx, int first,
		   const char *unit)
{
	int i = first;
	while (a > 0 && a < 1 && i > 0) {
		a *= step;
		i--;
	}
	while (a >= 999.5 && i + 1 < npfx) {
		a /= step;
		i++;
	}
	rep_bprintf(b, a < 999.5 ? "%.3g %s%s" : a < 1e6 ? "%.0f %s%s" : "%.3g %s%s", a, pfx[i], unit);
}

void rep_human(struct rep_buf *b, double v, const char *unit)
{
	static const char *const sec[] = { "n", "\xc2\xb5", "m", "" };
	static const char *const bin[] = { "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei" };
	static const char *const dec[] = { "", "k", "M", "G", "T", "P", "E" };
	static const char *const word[] = { "", "k ", "M ", "G ", "T ", "P ", "E " };
	if (isnan(v)) {
		rep_bputs(b, "\xe2\x80\x93");
		return;
	}
	if (v < 0)
		rep_bputs(b, "-");
	v = fabs(v);
	if (isinf(v))
		rep_bprintf(b, "inf %s", unit);
	else if (!strcmp(unit, "s"))
		scaled(b, v, 1000, sec, 4, 3, "s");
	else if (!strcmp(unit, "B"))
		scaled(b, v, 1024, bin, 7, 0, "B");
	else if (!strcmp(unit, "B/s"))
		scaled(b, v, 1000, dec, 7, 0, "B/s");
	else if (!*unit)
		scaled(b, v, 1000, dec, 7, 0, "");
	else
		scaled(b, v, 1000, word, 7, 0, unit);
	if (!*unit && b->n && b->s[b->n - 1] == ' ')
		b->s[--b->n] = '\0';
}
