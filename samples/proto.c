/* proto.c - protocol v1 line formatting and checksum (see proto.h). */
#include "samples/proto.h"

#include <stdio.h>
#include <string.h>

uint32_t proto_crc(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

/* Append " *<crc>\n" to the n bytes in buf. */
static size_t seal(char *buf, size_t len, int n)
{
	int m;
	if (n < 0 || (size_t)n >= len)
		return 0;
	m = snprintf(buf + n, len - (size_t)n, " *%08x\n", proto_crc(buf, (size_t)n));
	if (m < 0 || (size_t)(n + m) >= len)
		return 0;
	return (size_t)(n + m);
}

size_t proto_sample(char *buf, size_t len, uint64_t seq, uint64_t t_ns, const char *wl,
		    uint64_t count, const char *unit)
{
	int n = snprintf(buf, len, PROTO_MAGIC "%d %llu %llu %s %llu %s", PROTO_VERSION,
			 (unsigned long long)seq, (unsigned long long)t_ns, wl,
			 (unsigned long long)count, unit);
	return seal(buf, len > PROTO_MAX_LINE ? PROTO_MAX_LINE : len, n);
}

size_t proto_event(char *buf, size_t len, uint64_t seq, uint64_t t_ns, const char *wl,
		   const char *event, const char *text)
{
	char clean[160];
	size_t k = 0;
	int n;
	/* The text is free-form but single-line and printable, and never
	 * contains " *" (which would look like the checksum). */
	for (const char *c = text ? text : ""; *c && k < sizeof(clean) - 1; c++) {
		char ch = (*c < 0x20 || *c == 0x7f) ? ' ' : *c;
		if (ch == '*' && k && clean[k - 1] == ' ')
			ch = '_';
		clean[k++] = ch;
	}
	clean[k] = '\0';
	n = snprintf(buf, len, PROTO_MAGIC "%d ev %llu %llu %s %s%s%s", PROTO_VERSION,
		     (unsigned long long)seq, (unsigned long long)t_ns, wl, event, k ? " " : "", clean);
	return seal(buf, len > PROTO_MAX_LINE ? PROTO_MAX_LINE : len, n);
}
