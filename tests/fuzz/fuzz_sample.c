/* fuzz_sample.c - libFuzzer target: arbitrary console bytes through the
 * line parser and the stream splitter (fed whole and in two pieces).  A
 * guest can print anything; the controller must never crash or misread. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "samples/sample.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void cb(void *ctx, const struct sample *s)
{
	size_t *n = ctx;
	/* What is handed on must be what the protocol allows. */
	if (s->kind == SAMPLE_DATA && (strlen(s->wl) == 0 || strlen(s->unit) == 0))
		__builtin_trap();
	(*n)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sample s;
	struct sample_stream a, b;
	size_t na = 0, nb = 0, cut = size ? data[0] % (size + 1) : 0;

	(void)sample_parse_line((const char *)data, size, &s);
	sample_stream_init(&a);
	sample_stream_init(&b);
	sample_stream_feed(&a, (const char *)data, size, cb, &na);
	sample_stream_feed(&b, (const char *)data, cut, cb, &nb);
	sample_stream_feed(&b, (const char *)data + cut, size - cut, cb, &nb);
	/* Chunking must not change what is found. */
	if (na != nb || a.samples != b.samples || a.malformed != b.malformed)
		__builtin_trap();
	return 0;
}
