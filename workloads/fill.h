/* fill.h - the contents of the guest's resident memory (migbench.resident,
 * migbench.resident_pattern): page patterns that decide what a migration
 * can save on the memory it carries.
 *
 *   random  every page different and incompressible (a splitmix64-seeded
 *           xorshift64* stream per page): nothing for zero-page detection,
 *           compression, XBZRLE or KSM to save
 *   same    one non-zero page repeated: KSM merges all of them into one
 *   zero    allocated and touched, all zeros: QEMU skips zero pages (the
 *           baseline)
 *
 * Plain C with no dependencies: it is built into the static guest program
 * and into the controller library, so the unit tests check on the host the
 * very code the guest runs. */
#ifndef MB_FILL_H
#define MB_FILL_H

#include <stddef.h>
#include <stdint.h>

enum fill_pattern { FILL_RANDOM, FILL_SAME, FILL_ZERO, FILL_PATTERN_LAST };

/* "random", "same", "zero"; NULL out of range. */
const char *fill_pattern_name(int pattern);
/* The pattern of a name, or -1. */
int fill_pattern_parse(const char *name);

/* The seed of page `index` of a random fill seeded with `seed`: a bijection
 * of the index (splitmix64's finalizer), so distinct pages of one fill start
 * from distinct generator states. */
uint64_t fill_page_seed(uint64_t seed, uint64_t index);

/* Write page `index` (of `size` bytes, a multiple of 8) of a fill with this
 * pattern and seed.  `same` ignores index and seed's page part: every page
 * is the same non-zero bytes (for every seed, so identical guests have
 * identical pages too); `zero` writes zeros. */
void fill_page(void *page, size_t size, int pattern, uint64_t seed, uint64_t index);

/* Fill `bytes` at mem (page-aligned, whole pages of `page` bytes) with the
 * pattern, page by page, calling progress(ctx, done) every `every` bytes
 * (and at the end) when progress is not NULL. */
void fill_region(void *mem, uint64_t bytes, size_t page, int pattern, uint64_t seed,
		 uint64_t every, void (*progress)(void *ctx, uint64_t done), void *ctx);

#endif
