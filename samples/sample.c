/* sample.c - controller side of the sample protocol: parse a line, split a
 * console byte stream into lines.  Hostile input (a guest can print
 * anything) is counted, never trusted: every field is checked, numbers
 * must fit, and the checksum must match. */
#define _GNU_SOURCE
#include "samples/sample.h"

#include <string.h>

#include "samples/proto.h"

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A decimal u64 token of length n; -1 if not all digits or too big. */
static int parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	if (n == 0 || n > 20)
		return -1;
	for (size_t i = 0; i < n; i++) {
		uint64_t d;
		if (!is_digit(s[i]))
			return -1;
		d = (uint64_t)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Copy a token of [a-z0-9_] (or also A-Z when upper) of 1..max-1 chars. */
static int parse_name(const char *s, size_t n, char *out, size_t max, int upper)
{
	if (n == 0 || n >= max)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '_' || (upper && c >= 'A' && c <= 'Z')))
			return -1;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* Next space-separated token of [*p, end). */
static int token(const char **p, const char *end, const char **t, size_t *n)
{
	const char *s = *p;
	if (s >= end)
		return -1;
	*t = s;
	while (s < end && *s != ' ')
		s++;
	*n = (size_t)(s - *t);
	if (*n == 0)
		return -1;
	*p = s < end ? s + 1 : s;
	return 0;
}

static int hexval(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

enum sample_kind sample_parse_line(const char *line, size_t len, struct sample *out)
{
	const char *start = NULL, *end = line + len, *star, *p, *t;
	uint32_t crc = 0;
	size_t n;

	memset(out, 0, sizeof(*out));
	/* Tolerate junk before the magic (a \r, a console escape); the magic
	 * is "@mb" and a version digit ("root@mb-src" is not a sample). */
	for (size_t i = 0; i + 4 <= len; i++) {
		if (line[i] == '@' && line[i + 1] == 'm' && line[i + 2] == 'b' && is_digit(line[i + 3])) {
			start = line + i;
			break;
		}
	}
	if (!start)
		return out->kind = SAMPLE_NONE;
	out->kind = SAMPLE_MALFORMED;
	while (end > start && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\n'))
		end--;
	/* " *" + 8 hex digits at the end. */
	if (end - start < 14 || end[-10] != ' ' || end[-9] != '*')
		return out->kind;
	star = end - 9;
	for (int i = 0; i < 8; i++) {
		int h = hexval(star[1 + i]);
		if (h < 0)
			return out->kind;
		crc = crc << 4 | (uint32_t)h;
	}
	if (proto_crc(start, (size_t)(star - 1 - start)) != crc)
		return out->kind;
	/* Magic and version. */
	p = start + 3;
	if (token(&p, star - 1, &t, &n) < 0)
		return out->kind;
	{
		uint64_t v;
		if (parse_u64(t, n, &v) < 0 || v != SAMPLE_PROTO_VERSION)
			return out->kind;
		out->version = (unsigned)v;
	}
	end = star - 1; /* the body ends before " *" */
	if (token(&p, end, &t, &n) < 0)
		return out->kind;
	if (n == 2 && !memcmp(t, "ev", 2)) {
		if (token(&p, end, &t, &n) < 0 || parse_u64(t, n, &out->seq) < 0 ||
		    token(&p, end, &t, &n) < 0 || parse_u64(t, n, &out->guest_ns) < 0 ||
		    token(&p, end, &t, &n) < 0 || parse_name(t, n, out->wl, sizeof(out->wl), 0) < 0 ||
		    token(&p, end, &t, &n) < 0 || parse_name(t, n, out->event, sizeof(out->event), 0) < 0)
			return out->kind;
		n = (size_t)(end - p);
		if (n >= sizeof(out->text))
			n = sizeof(out->text) - 1;
		memcpy(out->text, p, n);
		out->text[n] = '\0';
		return out->kind = SAMPLE_EVENT;
	}
	if (parse_u64(t, n, &out->seq) < 0 || token(&p, end, &t, &n) < 0 ||
	    parse_u64(t, n, &out->guest_ns) < 0 || token(&p, end, &t, &n) < 0 ||
	    parse_name(t, n, out->wl, sizeof(out->wl), 0) < 0 || token(&p, end, &t, &n) < 0 ||
	    parse_u64(t, n, &out->count) < 0 || token(&p, end, &t, &n) < 0 ||
	    parse_name(t, n, out->unit, sizeof(out->unit), 1) < 0 || p != end)
		return out->kind;
	return out->kind = SAMPLE_DATA;
}

void sample_stream_init(struct sample_stream *s)
{
	memset(s, 0, sizeof(*s));
}

static int finish_line(struct sample_stream *s, void (*cb)(void *, const struct sample *),
		       void *ctx)
{
	struct sample smp;
	enum sample_kind k = sample_parse_line(s->buf, s->len, &smp);
	s->lines++;
	s->len = 0;
	switch (k) {
	case SAMPLE_DATA: s->samples++; break;
	case SAMPLE_EVENT: s->events++; break;
	case SAMPLE_MALFORMED: s->malformed++; break;
	default: return 0;
	}
	if (cb)
		cb(ctx, &smp);
	return 1;
}

int sample_stream_feed(struct sample_stream *s, const char *data, size_t len,
		       void (*cb)(void *ctx, const struct sample *smp), void *ctx)
{
	int calls = 0;
	for (size_t i = 0; i < len; i++) {
		char c = data[i];
		if (c == '\n') {
			if (s->discarding) {
				s->discarding = 0;
				s->len = 0;
				s->lines++;
				continue;
			}
			calls += finish_line(s, cb, ctx);
			continue;
		}
		if (s->discarding)
			continue;
		if (s->len == sizeof(s->buf) - 1) {
			/* No protocol line is this long: drop it to its end. */
			s->overlong++;
			if (memmem(s->buf, s->len, "@mb", 3))
				s->malformed++;
			s->discarding = 1;
			s->len = 0;
			continue;
		}
		s->buf[s->len++] = c;
	}
	return calls;
}
