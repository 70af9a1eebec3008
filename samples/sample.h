/* sample.h - the guest -> controller sample stream (protocol version 1),
 * parsed on the controller side.  The format is documented in
 * workloads/PROTOCOL.md; lines are made by samples/proto.c in the guest.
 *
 * A console carries kernel messages and other text too: only lines that
 * start with "@mb" are the protocol's.  A line that starts with "@mb" but
 * does not parse (bad fields, bad checksum, truncated by a switchover) is
 * counted as malformed and otherwise ignored; it never stops the parser.
 */
#ifndef MB_SAMPLE_H
#define MB_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define SAMPLE_PROTO_VERSION 1
#define SAMPLE_MAX_LINE 256

enum sample_kind {
	SAMPLE_NONE,     /* not a protocol line (ignored) */
	SAMPLE_DATA,     /* a progress sample */
	SAMPLE_EVENT,    /* start / error / exit */
	SAMPLE_MALFORMED /* started with @mb but did not parse */
};

struct sample {
	enum sample_kind kind;
	unsigned version;   /* protocol version of the line */
	uint64_t seq;       /* sequence number, from 0, +1 per line sent */
	uint64_t guest_ns;  /* guest CLOCK_MONOTONIC */
	char wl[16];        /* workload name */
	uint64_t count;     /* cumulative counter (DATA) */
	char unit[8];       /* "add", "B", "beat" */
	char event[16];     /* EVENT: "start", "error", "exit" */
	char text[128];     /* EVENT: free text (parameters, error message) */
};

/* Parse one line (without the newline). */
enum sample_kind sample_parse_line(const char *line, size_t len, struct sample *out);

/* A byte stream (console) split into lines; feed it whatever arrives. */
struct sample_stream {
	char buf[SAMPLE_MAX_LINE];
	size_t len;
	int discarding;   /* inside an overlong line: drop bytes until '\n' */
	uint64_t lines, samples, events, malformed, overlong;
};

void sample_stream_init(struct sample_stream *s);
/* Feed bytes; cb is called for every DATA or EVENT line (and for
 * MALFORMED ones, so they can be logged).  Returns the number of callbacks. */
int sample_stream_feed(struct sample_stream *s, const char *data, size_t len,
		       void (*cb)(void *ctx, const struct sample *smp), void *ctx);

#endif
