/* fill.c - page patterns of the guest's resident memory (see fill.h). */
#include "workloads/fill.h"

#include <string.h>

static const char *const names[] = { "random", "same", "zero" };
_Static_assert(sizeof(names) / sizeof(names[0]) == FILL_PATTERN_LAST, "one name per pattern");

/* The state of the `same` page: any fixed non-zero value. */
#define SAME_STATE 0x5deece66d1234567ULL

const char *fill_pattern_name(int pattern)
{
	return pattern >= 0 && pattern < FILL_PATTERN_LAST ? names[pattern] : NULL;
}

int fill_pattern_parse(const char *name)
{
	for (int i = 0; i < FILL_PATTERN_LAST; i++)
		if (name && !strcmp(name, names[i]))
			return i;
	return -1;
}

uint64_t fill_page_seed(uint64_t seed, uint64_t index)
{
	/* splitmix64: z = seed + (index + 1) * golden is a bijection of the
	 * index (odd multiplier), and so is each step of the finalizer. */
	uint64_t z = seed + (index + 1) * 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* xorshift64* from state x: a full-period generator whose steps and output
 * multiplier are bijections, so different states give different first
 * words (and so different pages). */
static void stream(uint64_t *w, size_t words, uint64_t x)
{
	if (x == 0)
		x = SAME_STATE; /* the one state xorshift cannot leave */
	for (size_t k = 0; k < words; k++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		w[k] = x * 0x2545f4914f6cdd1dULL;
	}
}

void fill_page(void *page, size_t size, int pattern, uint64_t seed, uint64_t index)
{
	switch (pattern) {
	case FILL_RANDOM: stream(page, size / 8, fill_page_seed(seed, index)); break;
	case FILL_SAME: stream(page, size / 8, SAME_STATE); break;
	default: memset(page, 0, size); break;
	}
}

void fill_region(void *mem, uint64_t bytes, size_t page, int pattern, uint64_t seed,
		 uint64_t every, void (*progress)(void *ctx, uint64_t done), void *ctx)
{
	unsigned char *m = mem;
	uint64_t pages = bytes / page, next = every;
	for (uint64_t i = 0; i < pages; i++) {
		unsigned char *p = m + i * page;
		/* `same`: the generator once, then copies of the first page. */
		if (pattern == FILL_SAME && i > 0)
			memcpy(p, m, page);
		else
			fill_page(p, page, pattern, seed, i);
		if (progress && every && (i + 1) * page >= next) {
			progress(ctx, (i + 1) * page);
			next += every;
		}
	}
	if (progress)
		progress(ctx, pages * page);
}
