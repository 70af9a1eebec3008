/* labpin.h - lab_pin: the lab's own processes on chosen host CPUs.
 *
 * With vcpu_pin and emulator_pin a guest's vCPUs get CPUs of their own and
 * QEMU's other threads (the migration thread among them) others; lab_pin
 * puts everything else the lab runs there too (libvirtd, tgtd, the delay
 * lines, the daemons' reapers, migbench itself), so that the vCPUs' CPUs
 * run vCPUs only, as on a host with cores to spare.  QEMU processes are
 * left to libvirt, which pins them by the domain's <cputune>. */
#ifndef MB_RUN_LABPIN_H
#define MB_RUN_LABPIN_H

#include <stdbool.h>

#include "run/testbed.h"

/* Pin every thread of the lab's processes and of this one to cpus[0..n);
 * n == 0: undo, to the CPUs this process had before the first pin (every
 * online CPU when it never pinned).  While pinned, <lab dir>/lab_pin says
 * what to undo to.  *tasks = threads pinned.  Only the lab: MB_EUNSUPP on
 * real hosts. */
int labpin_apply(const struct testbed *tb, const int *cpus, int n, int *tasks) MB_WUR;

/* A run killed (SIGKILL) while it had the lab pinned left <lab dir>/lab_pin:
 * put the lab's processes back on the CPUs it names (every online CPU when
 * it cannot be read) and remove it.  1 = it did (cpus: the list, *tasks:
 * threads moved), 0 = nothing to undo, < 0 an error.  Called with the lab's
 * lock held, so no live run is pinning. */
int labpin_recover(const struct testbed *tb, int *tasks, char *cpus, size_t cpus_size) MB_WUR;

#endif
