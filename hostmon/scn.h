/* scn.h - the host sampler and KSM control around one scenario: the few
 * calls run/scenario.c makes, and the record sections they fill (hosts,
 * ksm, io).
 *
 *   hm_scn_ksm_apply   before the guest boots: the ksm keys (lab only)
 *   hm_scn_start       once the guest runs: the sampling thread
 *   hm_scn_stop        when the scenario's windows are over
 *   hm_scn_record      with the windows known: hosts/<id>.csv, summaries
 *   hm_scn_end         always, also after a failure or an interrupt: KSM
 *                      settings restored, everything freed */
#ifndef MB_HM_SCN_H
#define MB_HM_SCN_H

#include <stddef.h>

#include "hostmon/hostmon.h"
#include "hostmon/ksm.h"

struct testbed;
struct mb_config;
struct res_scenario;
struct res_run;
struct samples_windows;
struct obs;
struct console;

struct hm_scn {
	struct hostmon mon;
	bool inited;
	struct hm_ksm_saved ksm;
	char ksm_dir[128];
};

int hm_scn_ksm_apply(struct hm_scn *h, const struct testbed *tb, const struct mb_config *c,
		     struct res_scenario *rec) MB_WUR;
int hm_scn_start(struct hm_scn *h, const struct testbed *tb, const char *guest,
		 const struct mb_config *c) MB_WUR;
void hm_scn_stop(struct hm_scn *h);
/* v, n: the guest's samples; con: its console (the block device's
 * counters); id: the scenario's. */
void hm_scn_record(struct hm_scn *h, const struct samples_windows *w, const struct obs *v, size_t n,
		   struct console *con, const struct mb_config *c, struct res_scenario *rec,
		   struct res_run *run, const char *id);
/* Returns the first error of restoring KSM (the caller warns; the record
 * says restored = false). */
int hm_scn_end(struct hm_scn *h, struct res_scenario *rec) MB_WUR;

#endif
