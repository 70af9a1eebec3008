/* fuzz_profile.c - libFuzzer target: any bytes as a profile, then the plan
 * built from it, and the same bytes as --key=value overrides (the keys with
 * a syntax of their own: hosts.*, units, lab.name), as --shard I/N and as a
 * rate and a size.  Must never crash, leak or hang; errors are the expected
 * outcome for most inputs. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "plan/plan.h"
#include "profile/profile.h"
#include "profile/units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const keys[] = { "delay",         "workload",          "lab.name",
				    "bandwidth",     "memory",            "hosts.source",
				    "hosts.dest",    "hosts.migrate_host", "hosts.iscsi_portal",
				    "hosts.iscsi_iqn", "hosts.netem_dev",  "kernel" };

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
	for (size_t i = 0; i < MB_ARRAY_SIZE(keys); i++)
		(void)profile_override(p, keys[i], text);
	{
		int rc = plan_build(p, &pl); /* most inputs: an error */
		plan_free(&pl);
		(void)rc;
	}
	profile_free(p);
	{
		int sidx, scount;
		double v;
		(void)plan_parse_shard(text, &sidx, &scount);
		(void)unit_parse(UNIT_RATE, text, NULL, &v);
		(void)unit_parse(UNIT_SIZE, text, "MiB", &v);
	}
	free(text);
	return 0;
}
