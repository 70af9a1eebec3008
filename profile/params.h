/* params.h - a scenario's effective config cut into each subsystem's own
 * parameter struct.  The subsystems (link, workloads, ...) know only their
 * struct, never struct mb_config; the conversion lives here, beside the
 * option table that defines the config. */
#ifndef MB_PARAMS_H
#define MB_PARAMS_H

#include "core/err.h"
#include "lab/lab.h"
#include "migrate/migrate.h"
#include "link/link.h"
#include "profile/options.h"
#include "workloads/cmdline.h"

/* The lab's parameters of c (the [lab] keys; strings point into c). */
void lab_params_from_config(struct lab_params *p, const struct mb_config *c);
/* The link settings of c (delay, jitter, loss, rate, queue). */
void link_params_from_config(const struct mb_config *c, struct link_params *p);
/* The tcp_buffers setting of c: *mode an enum tcp_buffers_mode, *bytes the
 * size for TCPBUF_SIZE (checked when the profile was read). */
int tcp_buffers_from_config(const struct mb_config *c, int *mode, uint64_t *bytes) MB_WUR;
/* The pre-copy settings of c (downtime, bandwidth, compression, ...). */
void mig_params_from_config(const struct mb_config *c, struct mig_params *p);
/* The workload and its parameters of c (strings point into c's profile). */
void wl_params_from_config(const struct mb_config *c, struct wl_params *p);

/* wl_cmdline() of c's workload.  For callers that have not switched to
 * wl_params_from_config + wl_cmdline yet (run/scenario.c); remove it once
 * none is left. */
int wl_guest_cmdline(const struct mb_config *c, char *buf, size_t len) MB_WUR;

#endif
