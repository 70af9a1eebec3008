/* scenario.h - one scenario: set the link, have the guest run its workload
 * on the source, measure a baseline window, live-migrate with the
 * scenario's pre-copy settings, measure the window after, record it all. */
#ifndef MB_SCENARIO_H
#define MB_SCENARIO_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "migrate/console.h"
#include "plan/plan.h"
#include "record/record.h"
#include "run/testbed.h"

/* The guest as it runs across scenarios (fresh: one per scenario;
 * pingpong: kept while the next scenario wants the same guest). */
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
};

struct runner {
	struct testbed *tb;
	struct res_run *res;
	const struct plan *pl;
	volatile int *stop;     /* set by SIGINT/SIGTERM */
	bool json_events;       /* --json: one JSON event per line on stdout */
	bool tty;               /* stdout is a terminal: live progress line */
	int total;              /* scenarios this run will do */
	int boots;
	struct live_guest g;
	FILE *raw;              /* console capture of the current scenario */
	/* progress line state */
	int idx;
	const char *id;
};

/* Run one scenario; *rec is its record (status ok or failed).  Returns
 * MB_OK / MB_EFAILED, or MB_EINTR when interrupted (then no record). */
int scenario_run(struct runner *r, const struct scenario *sc, int idx, json_object **rec) MB_WUR;
/* End of the run: destroy the guest, clear the links. */
void runner_finish(struct runner *r);
/* Emit a --json event or nothing (takes ownership of ev). */
void runner_event(struct runner *r, json_object *ev);

#endif
