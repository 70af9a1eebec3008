/* units.c - unit tables, parsing and formatting (see units.h). */
#include "profile/units.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"

struct unit {
	const char *name; /* canonical spelling; matched case-insensitively */
	double factor;    /* base units per one of these */
};

/* Each table is ordered from the largest unit to the smallest, so that
 * unit_format can fall back to the next smaller exact unit. */
static const struct unit durations[] = {
	{ "h", 3600e9 }, { "min", 60e9 }, { "m", 60e9 }, { "s", 1e9 },
	{ "ms", 1e6 },   { "us", 1e3 },   { "ns", 1 },   { NULL, 0 },
};
static const struct unit sizes[] = {
	{ "TiB", 1099511627776.0 }, { "T", 1099511627776.0 }, { "TB", 1e12 },
	{ "GiB", 1073741824.0 },    { "G", 1073741824.0 },    { "GB", 1e9 },
	{ "MiB", 1048576.0 },       { "M", 1048576.0 },       { "MB", 1e6 },
	{ "KiB", 1024.0 },          { "K", 1024.0 },          { "kB", 1e3 },
	{ "B", 1 },                 { NULL, 0 },
};
static const struct unit rates[] = {
	{ "Tbit", 1e12 / 8 },   { "GiB/s", 1073741824.0 }, { "GB/s", 1e9 },
	{ "Gbit", 1e9 / 8 },    { "MiB/s", 1048576.0 },    { "MB/s", 1e6 },
	{ "Mbit", 1e6 / 8 },    { "KiB/s", 1024.0 },       { "kB/s", 1e3 },
	{ "kbit", 1e3 / 8 },    { "B/s", 1 },              { "bit", 1.0 / 8 },
	{ NULL, 0 },
};
static const struct unit fractions[] = {
	{ "%", 0.01 },
	{ NULL, 0 },
};

static const struct unit *table(enum unit_kind kind)
{
	switch (kind) {
	case UNIT_DURATION: return durations;
	case UNIT_SIZE: return sizes;
	case UNIT_RATE: return rates;
	default: return fractions;
	}
}

const char *unit_names(enum unit_kind kind)
{
	switch (kind) {
	case UNIT_DURATION: return "ns, us, ms, s, min, h";
	case UNIT_SIZE: return "B, KiB, MiB, GiB, TiB (K, M, G, T are binary too), kB, MB, GB, TB";
	case UNIT_RATE:
		return "bits: bit, kbit, Mbit, Gbit, Tbit, also kb, Mb, Mbps (a lowercase b); bytes: "
		       "B, kB, MB, GB, KiB, MiB, GiB (a capital B); each optionally with /s";
	default: return "a plain number (0.25) or a percentage (25%)";
	}
}

/* A display unit of the table (for formatting): exact spelling. */
static const struct unit *lookup(enum unit_kind kind, const char *name)
{
	for (const struct unit *u = table(kind); u->name; u++)
		if (!strcmp(u->name, name))
			return u;
	return NULL;
}

/* A rate unit: [k|M|G|T][i] + bits ("bit", "bits", "b") or bytes ("B",
 * "byte", "bytes") + optional "/s" or "ps".  Only b/B is case-sensitive,
 * so "Mb/s" is never read as bytes: b is a bit, B a byte.  Returns the
 * factor to bytes per second, or 0 if name is no rate unit. */
static double rate_factor(const char *name)
{
	static const char prefixes[] = "kmgt";
	const char *p = name, *base;
	double f = 1, step = 1000;
	size_t n;
	const char *c = *p ? strchr(prefixes, tolower((unsigned char)*p)) : NULL;
	if (c && p[1] && p[1] != '/') {
		int k = (int)(c - prefixes) + 1;
		p++;
		if (*p == 'i' || *p == 'I') {
			step = 1024;
			p++;
		}
		for (int i = 0; i < k; i++)
			f *= step;
	}
	base = p;
	n = strlen(base);
	if (n >= 2 && (!strcasecmp(base + n - 2, "/s") || !strcasecmp(base + n - 2, "ps")))
		n -= 2;
	if ((n == 3 && !strncasecmp(base, "bit", 3)) || (n == 4 && !strncasecmp(base, "bits", 4)) ||
	    (n == 1 && base[0] == 'b'))
		return f / 8;
	if ((n == 1 && base[0] == 'B') || (n == 4 && !strncasecmp(base, "byte", 4)) ||
	    (n == 5 && !strncasecmp(base, "bytes", 5)))
		return f;
	return 0;
}

/* Factor of a unit as written, 0 if unknown.  Sizes refuse a lowercase
 * final b (bits) rather than read it as bytes. */
static double factor(enum unit_kind kind, const char *name, bool *bits)
{
	size_t n = strlen(name);
	*bits = false;
	if (kind == UNIT_RATE)
		return rate_factor(name);
	if (kind == UNIT_SIZE && n && (name[n - 1] == 'b' || (n >= 3 && !strcasecmp(name + n - 3, "bit")))) {
		*bits = true;
		return 0;
	}
	for (const struct unit *u = table(kind); u->name; u++)
		if (!strcasecmp(u->name, name))
			return u->factor;
	return 0;
}

/* Length of the leading decimal number in s (sign, digits, point, exponent),
 * or 0 if there is none.  No hex, inf or nan. */
static size_t number_len(const char *s)
{
	size_t i = 0, digits = 0;
	if (s[i] == '+' || s[i] == '-')
		i++;
	while (isdigit((unsigned char)s[i])) {
		i++;
		digits++;
	}
	if (s[i] == '.') {
		i++;
		while (isdigit((unsigned char)s[i])) {
			i++;
			digits++;
		}
	}
	if (!digits)
		return 0;
	if ((s[i] == 'e' || s[i] == 'E') &&
	    (isdigit((unsigned char)s[i + 1]) ||
	     ((s[i + 1] == '+' || s[i + 1] == '-') && isdigit((unsigned char)s[i + 2])))) {
		i += 2;
		while (isdigit((unsigned char)s[i]))
			i++;
	}
	return i;
}

const char *unit_suffix(const char *text)
{
	size_t n;
	while (isspace((unsigned char)*text))
		text++;
	n = number_len(text);
	if (!n)
		return NULL;
	text += n;
	while (isspace((unsigned char)*text))
		text++;
	return *text ? text : NULL;
}

int unit_parse(enum unit_kind kind, const char *text, const char *unit_if_bare, double *out)
{
	char num[64], unitbuf[32];
	const char *p = text;
	size_t n;
	double v, f;
	bool bits;

	while (isspace((unsigned char)*p))
		p++;
	n = number_len(p);
	if (!n)
		return mb_err(MB_EINPUT, "'%s' is not a number", text);
	if (n >= sizeof(num))
		return mb_err(MB_EINPUT, "'%s' has too many digits", text);
	memcpy(num, p, n);
	num[n] = '\0';
	v = strtod(num, NULL);
	if (!isfinite(v))
		return mb_err(MB_EINPUT, "'%s' is out of range", text);
	p += n;
	while (isspace((unsigned char)*p))
		p++;
	n = strlen(p);
	while (n && isspace((unsigned char)p[n - 1]))
		n--;
	if (n >= sizeof(unitbuf))
		return mb_err(MB_EINPUT, "'%s': unknown unit (use %s)", text, unit_names(kind));
	memcpy(unitbuf, p, n);
	unitbuf[n] = '\0';

	if (!unitbuf[0]) {
		if (unit_if_bare) {
			snprintf(unitbuf, sizeof(unitbuf), "%s", unit_if_bare);
		} else if (kind == UNIT_FRACTION || v == 0) {
			*out = v;
			return MB_OK;
		} else {
			return mb_err(MB_EINPUT, "'%s' has no unit (use %s)", text, unit_names(kind));
		}
	}
	f = factor(kind, unitbuf, &bits);
	if (bits)
		return mb_err(MB_EINPUT, "'%s': a lowercase b means bits, but a size is in bytes: use "
				     "B, KiB, MiB, GiB (or kB, MB, GB)",
			      text);
	if (f == 0)
		return mb_err(MB_EINPUT, "'%s': unknown unit '%s' (use %s)", text, unitbuf,
			      unit_names(kind));
	*out = v * f;
	if (!isfinite(*out) || fabs(*out) > 9.2e18)
		return mb_err(MB_EINPUT, "'%s' is out of range", text);
	return MB_OK;
}

static bool exact(double v, double factor)
{
	double q = v / factor;
	return fabs(q - nearbyint(q)) < 1e-9 * (fabs(q) + 1);
}

void unit_format(enum unit_kind kind, double v, const char *unit, char *out, size_t len)
{
	const struct unit *t = table(kind), *u = unit ? lookup(kind, unit) : NULL;

	if (kind == UNIT_FRACTION) {
		snprintf(out, len, "%gpct", v * 100);
		return;
	}
	if (!u) {
		u = t;
		while (u[1].name)
			u++; /* smallest */
	}
	if (!exact(v, u->factor)) {
		/* Fall back to the largest smaller unit in which v is exact. */
		const struct unit *best = NULL;
		for (const struct unit *w = u + 1; w->name; w++) {
			if (w->factor < u->factor && exact(v, w->factor)) {
				best = w;
				break;
			}
		}
		if (best)
			u = best;
		else {
			snprintf(out, len, "%g%s", v / u->factor, u->name);
			return;
		}
	}
	snprintf(out, len, "%.0f%s", v / u->factor, u->name);
}

void unit_human(enum unit_kind kind, double v, char *out, size_t len)
{
	double a = fabs(v);
	switch (kind) {
	case UNIT_DURATION:
		if (a >= 1e9)
			snprintf(out, len, "%.2f s", v / 1e9);
		else if (a >= 1e6)
			snprintf(out, len, "%.2f ms", v / 1e6);
		else
			snprintf(out, len, "%.1f us", v / 1e3);
		break;
	case UNIT_SIZE:
		if (a >= 1073741824.0)
			snprintf(out, len, "%.2f GiB", v / 1073741824.0);
		else if (a >= 1048576.0)
			snprintf(out, len, "%.2f MiB", v / 1048576.0);
		else if (a >= 1024.0)
			snprintf(out, len, "%.2f KiB", v / 1024.0);
		else
			snprintf(out, len, "%.0f B", v);
		break;
	case UNIT_RATE:
		if (a * 8 >= 1e9)
			snprintf(out, len, "%.2f Gbit/s", v * 8 / 1e9);
		else if (a * 8 >= 1e6)
			snprintf(out, len, "%.1f Mbit/s", v * 8 / 1e6);
		else
			snprintf(out, len, "%.1f kbit/s", v * 8 / 1e3);
		break;
	default:
		snprintf(out, len, "%g%%", v * 100);
		break;
	}
}
