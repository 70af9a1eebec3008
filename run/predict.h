/* predict.h - the prediction beside the measurement: before the baseline
 * window, the guest's dirty rate and resident memory (through libvirt);
 * after the migration, QEMU's transfer time, the pre-copy model's
 * prediction (model/precopy.h) from what was known before the migration,
 * and the residuals (measured - predicted). */
#ifndef MB_PREDICT_H
#define MB_PREDICT_H

#include <libvirt/libvirt.h>

#include "migrate/migrate.h"
#include "profile/options.h"
#include "record/result.h"

/* Non-zero memory seen in the run's earlier migrations, per workload and
 * memory size: the best estimate of M for the next guest like them. */
struct pred_seen {
	int workload;
	uint64_t memory;
	double nonzero_bytes;     /* memory total - zero pages of that migration */
	char *id;                 /* its scenario */
};
struct pred_memo {
	struct pred_seen *v;
	int n;
};
void pred_memo_free(struct pred_memo *m);

/* The dirty rate (c->dirty_rate_time; skipped with the reason when off or
 * the host cannot) and QEMU's resident memory into rec.  Fails only when
 * interrupted (MB_EINTR). */
int pred_measure(const struct mb_config *c, virConnectPtr conn, virDomainPtr dom, const char *host,
		 volatile int *stop, struct res_scenario *rec) MB_WUR;

/* After the migration: rec->migration's stream start and transfer time
 * from mr, the prediction and, when the migration finished, its residuals;
 * a finished migration's non-zero memory goes into memo. */
void pred_fill(struct pred_memo *memo, const struct mb_config *c, const struct mig_result *mr,
	       struct res_scenario *rec);

#endif
