/* text.h - values turned into text for one target each: a growing string,
 * gnuplot string literals (and a check of a whole script), HTML, file names
 * made from scenario ids, terminal-safe text, and human units.
 *
 * Everything read from a results directory is hostile until it went through
 * the function made for the place it goes to. */
#ifndef MB_REPORT_TEXT_H
#define MB_REPORT_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/* A growing NUL-terminated string (s is NULL until something is added). */
struct rep_buf {
	char *s;
	size_t n, cap;
};

void rep_bprintf(struct rep_buf *b, const char *fmt, ...) MB_PRINTF(2, 3);
void rep_bputs(struct rep_buf *b, const char *s);
/* b->s, or "" when nothing was added. */
const char *rep_bstr(const struct rep_buf *b);
void rep_bfree(struct rep_buf *b);

/* s as a gnuplot single-quoted string literal, quotes included.  Inside
 * single quotes gnuplot does no backslash, backquote or macro processing.
 * A quote in s becomes U+2019 (a typographic apostrophe): gnuplot's
 * scanner takes a doubled quote in only after an ordinary character, so
 * "''" at the start or twice in a row would split the literal.  A newline
 * (which would end the command) and every other control character becomes
 * a space; text starting with '<' or '|' (a pipe when used as a file name)
 * gets a leading space.  Use with `noenhanced` text so ^_@{} print as they
 * are. */
void rep_gp_quote(struct rep_buf *b, const char *s);

/* A second line of defence: check a complete gnuplot script made by the
 * report.  Outside string literals it may not hold backquotes, double
 * quotes, '@', '!', '$', '|' or the words that run commands, load scripts or
 * write files (system, shell, load, call, eval, save, print, table, cd,
 * exit, import, fit); string literals may not start with '<' or '|'; `set
 * output` must name a plain file in the current directory.  MB_EINTERNAL
 * naming the line, else MB_OK. */
int rep_gp_check(const char *script) MB_WUR;

/* s escaped for HTML text and quoted attribute values (& < > " '). */
void rep_html(struct rep_buf *b, const char *s);

/* A file name stem for a scenario id: the id itself when it is made of
 * [A-Za-z0-9._-] only, does not start with '.' or '-' and has at most 100
 * characters; otherwise the id with every other character as '_', cut to
 * 100 characters, plus "-" and a hash of the whole id.  Never empty, never
 * a path.  Free it. */
char *rep_safe_name(const char *id);

/* s for a terminal or a log line: control characters as '?' (free it; NULL
 * gives "(none)"). */
char *rep_printable(const char *s);

/* v in human units, three significant digits:
 *   "s"    1.2 s, 350 ms, 87 µs
 *   "B"    binary prefixes: 91.0 MiB
 *   "B/s"  decimal prefixes: 372 MB/s
 *   other  decimal prefix as a word before the unit: 680 M additions/s
 * NaN as an en dash, infinities as "inf". */
void rep_human(struct rep_buf *b, double v, const char *unit);

#endif
