/* link_int.h - helpers the link backends share (not for the rest of migbench). */
#ifndef MB_LINK_INT_H
#define MB_LINK_INT_H

#include "link/link.h"

/* setns the calling thread into the netns file at path (NULL: stay). */
int link_enter_netns(const char *path) MB_WUR;
/* Run `ip ARGS...` inside the end's netns. */
int link_ip(const struct link_end *e, const char *const *args) MB_WUR;
/* Give me my point-to-point address towards peer and bring it up. */
int link_end_up(const struct link_end *me, const struct link_end *peer) MB_WUR;
/* The veth pair between the two ends (if missing), addressed and up. */
int link_veth_create(const struct link_spec *l) MB_WUR;
/* Run fn(arg) in a new thread that first entered netns (for netlink
 * sockets and TUN devices, which belong to the namespace they are made in). */
int link_in_netns(const char *netns, int (*fn)(void *arg), void *arg) MB_WUR;

#endif
