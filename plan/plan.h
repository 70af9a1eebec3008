/* plan.h - a profile expanded into its scenario matrix.
 *
 * Every experiment section gives the cartesian product of its list keys
 * (in option-table order, the first key outermost) times `repeat`.  Each
 * scenario has a stable, readable id built from the keys that vary, e.g.
 * "d16ms-seqread-dt300ms-r2" (prefixed with the section name when the
 * profile has experiment sections), so a resumed run and every shard agree.
 */
#ifndef MB_PLAN_H
#define MB_PLAN_H

#include <stdint.h>

#include "profile/profile.h"

#define MB_ID_MAX 160
/* The most scenarios one plan may hold (checked before any is built). */
#define MB_MAX_SCENARIOS 100000

struct scenario {
	char id[MB_ID_MAX];
	int index;                  /* position in the canonical (unshuffled) plan */
	const struct section *exp;  /* its experiment section */
	int rep;                    /* repetition, 1-based */
	struct mb_config cfg;       /* one value per key */
	uint32_t varies[4];         /* bit i: option i varies within its section */
};

struct plan {
	const struct profile *prof;
	struct mb_config run;       /* run-level settings: [global], [lab], [hosts] */
	int n;
	struct scenario *sc;        /* in run order */
	int ntotal;                 /* scenarios before sharding/filtering */
	uint64_t seed;              /* seed of order=random (picked if 0) */
};

/* Expand the profile.  Cross-key checks run on every scenario; their errors
 * go to the profile (with file:line) and make this return MB_EINPUT. */
int plan_build(struct profile *p, struct plan *out) MB_WUR;

/* Keep the scenarios of shard idx (1-based) of count: canonical index
 * i belongs to shard (i % count) + 1. */
int plan_shard(struct plan *pl, int idx, int count) MB_WUR;

/* Keep only the listed ids; MB_EINPUT naming an id that is not in the plan. */
int plan_only(struct plan *pl, char *const *ids, int nids) MB_WUR;

/* Parse "I/N" (1 <= I <= N); also reads SLURM_ARRAY_TASK_ID/COUNT/MIN when
 * spec is NULL.  Returns MB_OK and sets *idx=*count=0 when no sharding. */
int plan_parse_shard(const char *spec, int *idx, int *count) MB_WUR;

/* Check a run's --out before anything runs (dry runs too): absent, or an
 * empty directory; one that holds a run is for --resume.  With resume set,
 * out must be absent or that same directory.  MB_EINPUT with the reason. */
int plan_check_out_dir(const char *out, const char *resume) MB_WUR;

bool plan_varies(const struct scenario *s, int opt);

void plan_free(struct plan *pl);

#endif
