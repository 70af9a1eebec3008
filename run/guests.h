/* guests.h - the guests of a scenario: the main one (booted and migrated
 * by run/scenario.c) and the extra ones run/guests.c adds around it:
 *
 *   migrated   migrate_vms - 1 more guests like the main one, migrated at the
 *              same time (or migrate_stagger apart), each in its own thread
 *   neighbour  `neighbours` guests per site on neighbour_site running
 *              neighbour_workload; they stay where they are
 *
 * Every guest boots the same way (guest_start): the same image, the same
 * LUN (the extras read-only and shareable: seqread neighbours read the same
 * disk), vCPUs pinned as vcpu_pin says, its own console and samples.
 * Extras exist only in guest_mode = fresh (the plan refuses pingpong). */
#ifndef MB_GUESTS_H
#define MB_GUESTS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "migrate/console.h"
#include "migrate/migrate.h"
#include "profile/options.h"
#include "record/result.h"
#include "storage/store.h"

#define MB_EXTRA_MAX 24 /* migrate_vms - 1 + 2 x neighbours, at their maxima */

enum guest_role { GROLE_MAIN, GROLE_MIGRATED, GROLE_NEIGHBOUR };

/* A migration of an extra guest, in its own thread. */
struct guest_mig {
	pthread_t th;
	bool started;
	const struct mig_params *mp;
	struct mig_endpoint from, to;
	int64_t start_at;        /* host time to start it (the stagger) */
	volatile int *stop;
	int rc;
	char err[512];
	struct mig_result mr;
	/* Its own connections to both hosts (libvirt tracks one watch of all
	 * domains per callback and connection): open while its console is. */
	const char *uri[2];
	virConnectPtr own[2];
};

/* A guest as it runs across scenarios (fresh: one per scenario;
 * pingpong: the main one kept while the next scenario wants the same guest). */
struct live_guest {
	bool alive;
	virDomainPtr dom;       /* handle on the host it runs on */
	int site;               /* 0 source site, 1 destination site */
	struct console con;
	struct mb_config cfg;   /* what it was booted with */
	char name[64];
	int64_t booted_ns;
	double boot_s;          /* start of the domain to its first sample */
	const struct store_ops *store;
	char store_why[512];
	/* the extras */
	int role;               /* enum guest_role */
	char label[24];         /* "vm2", "nb1-source" */
	FILE *raw;              /* its own console capture (the main one's is the runner's) */
	char pin[160];          /* host CPUs of its vCPUs, "" = not pinned */
	struct guest_mig mig;
};

struct runner;
struct scenario;

/* How guest_start boots a guest. */
struct guest_opts {
	int site;
	FILE *raw;              /* console capture */
	bool shared_disk;       /* the LUN read-only and shareable (a second user) */
};

/* Define and start g (g->store chosen) on o->site, open its console; the
 * first sample is guest_wait_first's.  vCPUs pinned from the runner's
 * cursor (guests_pin_reset). */
int guest_start(struct runner *r, struct live_guest *g, const struct mb_config *c,
		const struct guest_opts *o) MB_WUR;
/* Wait for g's first sample (the boot and resident fill allowed for). */
int guest_wait_first(struct runner *r, struct live_guest *g) MB_WUR;
/* Destroy g wherever it runs and close its console. */
void guest_stop(struct runner *r, struct live_guest *g);
/* Start the vCPU pinning over again (each scenario: main guest first). */
void guests_pin_reset(struct runner *r);

/* Boot the scenario's extras (after the main guest: its store is theirs). */
int extras_boot(struct runner *r, const struct scenario *sc) MB_WUR;
/* MB_EFAILED when an extra reported an error or fell quiet for quiet_ns. */
int extras_check(struct runner *r, int64_t quiet_ns) MB_WUR;
void extras_destroy(struct runner *r);
/* Start the migrations of the migrated extras (from -> to, each one
 * stagger after the previous, the first stagger after t0). */
int extras_migrate_start(struct runner *r, const struct mig_params *mp, const struct mig_endpoint *from,
			 const struct mig_endpoint *to, int64_t t0, int64_t stagger) MB_WUR;
/* Wait for them; record each one and the aggregate (with the main one's
 * mr); *last_resume = the latest resume.  MB_EFAILED naming the guest and
 * host when one did not end up running on the destination alone. */
int extras_migrate_join(struct runner *r, struct res_scenario *rec, const struct mig_result *main_mr,
			const char *main_name, int64_t stagger_ns, int64_t *last_resume) MB_WUR;
/* The neighbours' records: phases in the scenario's windows, samples and
 * console files. */
struct samples_windows;
void extras_record(struct runner *r, struct res_scenario *rec, const struct samples_windows *w);

#endif
