/* hostscn.h - the host sampler and KSM control around one scenario: the few
 * calls run/scenario.c makes, and the record sections they fill (hosts,
 * ksm, io).
 *
 *   hm_scn_ksm_apply   before the guest boots: the ksm keys (lab only)
 *   hm_scn_start       once the guest runs: the sampling thread
 *   hm_scn_stop        when the scenario's windows are over
 *   hm_scn_record      with the windows known: hosts/<id>.csv, summaries
 *   hm_scn_end         always, also after a failure or an interrupt: KSM
 *                      settings restored, everything freed */
#ifndef MB_RUN_HOSTSCN_H
#define MB_RUN_HOSTSCN_H

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
struct blk_obs;
struct res_hosts;
struct res_ksm;
struct res_io;

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

/* The summaries, from the samples and the windows (hm_scn_record's parts,
 * pure: unit-tested on synthetic samples).  Per phase [before, start),
 * [start, resume), [resume, after]: CPU % of one core between the first
 * and last sample of the same QEMU process in the phase, the rest (RSS,
 * memory, KSM) at its last sample; counters (target, guest device,
 * workload) as growth from the phase's start to its end. */
void hm_hosts_summarize(const struct hostmon *m, const struct samples_windows *w, struct res_hosts *o);
void hm_ksm_summarize(const struct hostmon *m, const struct samples_windows *w, struct res_ksm *k);
void hm_io_summarize(const struct hostmon *m, const struct samples_windows *w, const struct obs *v, size_t n,
		     const struct blk_obs *blk, size_t nb, struct res_io *o);

#endif
