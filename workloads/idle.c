/* idle.c - an idle guest: only heartbeats (the sampler counts one per
 * interval), for migrations of a guest that dirties almost nothing. */
#include "workloads/wl.h"

#include <stdio.h>

static int idle_setup(const struct wl_params *p, char *err, size_t len)
{
	if (p->interval_ns <= 0) {
		snprintf(err, len, "idle needs a sample interval (migbench.interval > 0)");
		return -1;
	}
	return 0;
}

static void idle_describe(const struct wl_params *p, char *buf, size_t len)
{
	(void)p;
	snprintf(buf, len, "heartbeats only");
}

const struct wl_ops wl_idle = { "idle", "beat", idle_setup, NULL, idle_describe };
