/* cmdline.h - controller side: the guest kernel command line that selects
 * and parameterizes a scenario's workload (keys documented in
 * workloads/README.md). */
#ifndef MB_WL_CMDLINE_H
#define MB_WL_CMDLINE_H

#include <stddef.h>

#include "core/err.h"
#include "profile/options.h"

/* "console=ttyS0 quiet ... migbench.wl=cpuadd migbench.interval=100ms ..."
 * plus cfg->guest_args.  MB_EINPUT if it does not fit. */
int wl_guest_cmdline(const struct mb_config *cfg, char *buf, size_t len) MB_WUR;

/* The unit the workload's counter is in ("add", "B", "beat"). */
const char *wl_unit(int workload);

#endif
