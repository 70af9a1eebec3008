/* ksm.h - KSM (kernel samepage merging) for a scenario: the ksm,
 * ksm_pages_to_scan and ksm_sleep keys applied to /sys/kernel/mm/ksm before
 * it, and the settings found there put back afterwards, whatever happened.
 * Only on a host migbench runs on (the lab, whose sites share this kernel);
 * on real hosts KSM is read, never changed. */
#ifndef MB_HM_KSM_H
#define MB_HM_KSM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/enum.h"
#include "core/err.h"

/* keep: leave KSM as it is; on: run=1 (merge); off: run=2 (stop and unmerge
 * every merged page, so the scenario starts with none). */
enum ksm_mode { KSM_KEEP, KSM_ON, KSM_OFF, KSM_MODE_LAST };
MB_ENUM_DECL(ksm_mode);

/* What was in /sys/kernel/mm/ksm before (to put back). */
struct hm_ksm_saved {
	bool saved;
	char run[16], pages_to_scan[32], sleep_millisecs[32];
};

/* Whether dir is there (the kernel has KSM). */
bool hm_ksm_available(const char *dir);
/* Save the settings in dir, then apply mode (pages_to_scan 0 and sleep_ns 0:
 * leave those as they are).  KSM_KEEP changes nothing.  MB_EUNSUPP when
 * the kernel has no KSM (dir is missing) and mode is not keep. */
int hm_ksm_apply(const char *dir, int mode, int64_t pages_to_scan, int64_t sleep_ns,
		 struct hm_ksm_saved *saved) MB_WUR;
/* The settings in effect (NaN when unreadable). */
void hm_ksm_settings(const char *dir, double *pages_to_scan, double *sleep_s);
/* From a signal handler that is about to _exit (a second Ctrl-C): put back
 * the settings the last hm_ksm_apply saved and hm_ksm_restore has not yet
 * restored; only open(), write() and close() (async-signal-safe). */
void hm_ksm_restore_on_signal(void);
/* Put the saved settings back (nothing when none were saved). */
int hm_ksm_restore(const char *dir, struct hm_ksm_saved *saved) MB_WUR;

#endif
