/* fuzz_profile.c - libFuzzer target: any bytes as a profile, then the plan
 * built from it, and the same bytes as a --key=value override.  Must never
 * crash, leak or hang; errors are the expected outcome for most inputs. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "plan/plan.h"
#include "profile/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct profile *p = NULL;
	struct plan pl;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (profile_load_string("fuzz.ini", text, &p) == MB_OK) {
		if (plan_build(p, &pl) == MB_OK && pl.n > 0) {
			int sidx, scount;
			(void)plan_shard(&pl, 1, 2);
			(void)plan_parse_shard("1/2", &sidx, &scount);
		}
		plan_free(&pl);
	}
	profile_free(p);
	/* The same bytes as command-line overrides of a few keys. */
	p = profile_empty();
	(void)profile_override(p, "delay", text);
	(void)profile_override(p, "workload", text);
	(void)profile_override(p, "lab.name", text);
	profile_free(p);
	free(text);
	return 0;
}
