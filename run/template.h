/* template.h - fresh guests without a boot each: the first guest of a
 * kind is booted, left to settle (its resident memory filled), saved with
 * virDomainSave, and every scenario that wants that guest (the first one
 * too) starts from a restore of that one saved state: each scenario gets
 * the same clean guest, booted once (guest_start = restore). */
#ifndef MB_TEMPLATE_H
#define MB_TEMPLATE_H

#include <limits.h>
#include <stdbool.h>

#include "profile/options.h"
#include "run/scenario.h"

struct guest_tmpl {
	bool saved;
	char path[PATH_MAX];      /* the saved state, on the source site */
	struct mb_config cfg;     /* what the saved guest was booted with */
	char name[64];            /* its domain name (a restore keeps it) */
	char resident[128];       /* its boot-time reports, which a restore does not repeat */
	char wl[16], unit[8];
	char pin[160];            /* its vCPUs' host CPUs (the saved XML keeps the pinning) */
	double boot_s, save_s;
	char from[128];           /* the scenario it was booted for */
	const struct store_ops *store;
	char store_why[512];
};

/* Whether two scenarios boot the same guest (command line, memory, image...). */
bool guest_same(const struct mb_config *a, const struct mb_config *b);
/* The saved guests of a run, one per kind of guest (workload command
 * line, memory, ...): at most TMPL_MAX, the oldest replaced (each costs
 * up to the guest's memory on disk). */
#define TMPL_MAX 4
struct guest_tmpls {
	struct guest_tmpl t[TMPL_MAX];
	int next;                 /* the slot the next save takes when all are used */
};
/* The saved guest booted as c would be, or NULL. */
struct guest_tmpl *tmpls_find(struct guest_tmpls *l, const struct mb_config *c);
/* A slot for a new saved guest (a free one, else the oldest, freed). */
struct guest_tmpl *tmpls_slot(struct guest_tmpls *l);
/* Remove every saved state. */
void tmpls_free(struct guest_tmpls *l);

/* Whether guest_start = restore can be used on this testbed (else why). */
bool tmpl_usable(const struct testbed *tb, char *why, size_t len);
/* Whether t holds a saved guest booted as c would boot it. */
bool tmpl_matches(const struct guest_tmpl *t, const struct mb_config *c);
/* Save the running guest g (on the source site) as the template for c,
 * replacing any earlier one; g is gone afterwards (saved and stopped). */
int tmpl_save(struct guest_tmpl *t, struct testbed *tb, struct live_guest *g, const char *dir,
	      const char *scenario_id) MB_WUR;
/* Start g on the source site from the template and wait for its first
 * sample; restore_s = the restore call to that sample. */
int tmpl_restore(const struct guest_tmpl *t, struct testbed *tb, struct live_guest *g, FILE *raw,
		 double *restore_s) MB_WUR;
/* Remove the saved state. */
void tmpl_free(struct guest_tmpl *t);

#endif
