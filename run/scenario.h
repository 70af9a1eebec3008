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
#include "samples/phases.h"
#include "run/guests.h"
#include "run/predict.h"
#include "run/testbed.h"

struct runner {
	struct testbed *tb;
	struct res_run *res;
	const struct plan *pl;
	volatile int *stop;     /* set by SIGINT/SIGTERM */
	bool json_events;       /* --json: one JSON event per line on stdout */
	bool tty;               /* stdout is a terminal: live progress line */
	int total;              /* scenarios this run will do */
	int boots;
	struct live_guest g;    /* the main guest: the one migrated and measured */
	struct live_guest extra[MB_EXTRA_MAX]; /* the scenario's other guests (run/guests.h) */
	int nextra;
	int pin_next;           /* vcpu_pin: the next host CPU in the round-robin */
	bool lab_pinned;        /* lab_pin pinned the lab's processes (run/labpin.h) */
	FILE *raw;              /* console capture of the current scenario */
	struct pred_memo pred;  /* what earlier migrations tell the prediction */
	struct guest_tmpls *tmpl; /* guest_start = restore: the saved guests (run/template.h) */
	/* progress line state */
	int idx;
	const char *id;
};

/* Run one scenario; *rec is its record (status ok, failed or skipped; free
 * it with res_scenario_free).  Returns MB_OK / MB_EFAILED, or MB_EINTR when
 * interrupted (then no record). */
int scenario_run(struct runner *r, const struct scenario *sc, int idx,
		 struct res_scenario *rec) MB_WUR;

/* The measurement windows of a scenario, host times (samples_csv). */
struct samples_windows {
	int64_t t_ref;   /* time 0 of the file: the start of the migration */
	int64_t before;  /* start of the before window */
	int64_t start;   /* migration start: end of before */
	int64_t resume;  /* guest resumed on the target: end of during */
	int64_t after;   /* end of the after window */
};
/* The samples file: one line per sample with its phase and host (free it). */
char *samples_csv(const struct obs *v, size_t n, const struct samples_windows *w,
		  const char *host0, const char *host1);
/* The record's phases and ratios from their statistics (unit: the workload's). */
void runner_phases_record(struct res_phases *o, struct res_ratio *ratio, const struct phases *ph,
			  const char *unit);
/* End of the run: destroy the guest, clear the links. */
void runner_finish(struct runner *r);
/* Emit a --json event or nothing (takes ownership of ev). */
void runner_event(struct runner *r, json_object *ev);

#endif
