/* units.h - numbers with units, as written in profiles and on the command
 * line, to base units and back:
 *   duration  ns us ms s m min h            -> int64 nanoseconds
 *   size      B K KiB M MiB G GiB T TiB     -> uint64 bytes (K/M/G/T binary)
 *             kB MB GB TB                   -> decimal
 *   rate      bit kbit Mbit Gbit Tbit [/s]  -> double bytes per second
 *             B/s kB/s MB/s GB/s KiB/s MiB/s GiB/s
 *   fraction  0.25 or 25%                   -> double in [0, 1] (range is the table's)
 * Unit names are case-insensitive except that "b" alone means bytes in a
 * size and bits in a rate is spelled "bit".
 */
#ifndef MB_UNITS_H
#define MB_UNITS_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

enum unit_kind { UNIT_DURATION, UNIT_SIZE, UNIT_RATE, UNIT_FRACTION };

/* Parse text (a number, optionally followed by a unit).  unit_if_bare, when
 * not NULL, is used for a bare number (list elements take the list's unit);
 * a bare nonzero number without it is an error ("missing unit").  On error
 * returns MB_EINPUT with a message naming the problem (not the key). */
int unit_parse(enum unit_kind kind, const char *text, const char *unit_if_bare,
	       double *out) MB_WUR;

/* The unit suffix of text ("16ms" -> "ms"), or NULL if it is a bare number. */
const char *unit_suffix(const char *text);

/* Format a base-unit value in the given display unit when it is exact,
 * else in the largest exact smaller unit ("16ms", "1500us", "256MiB").
 * For ids and messages; out gets at most len bytes. */
void unit_format(enum unit_kind kind, double v, const char *unit, char *out, size_t len);

/* Human form for text output ("16.0 ms", "1.50 GiB", "840 Mbit/s"). */
void unit_human(enum unit_kind kind, double v, char *out, size_t len);

/* The unit names accepted for a kind, for help text. */
const char *unit_names(enum unit_kind kind);

#endif
