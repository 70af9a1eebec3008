/* dl_tun.h - the delay line's TUN devices, which both the link backend
 * (creates them, persistent) and the delay line process (attaches to
 * them) open: one beside each veth end, named "<ifname>dl". */
#ifndef MB_DL_TUN_H
#define MB_DL_TUN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "link/link.h"

/* The TUN beside a veth end: "<ifname>dl". */
void dl_tun_name(const char *ifname, char *out, size_t len);
/* Open (creating if needed) the TUN e->ifname inside e's network namespace
 * (virtio-net header, no packet info); persist: it outlives the fd. */
int dl_tun_open(const struct link_end *e, bool persist, int *fd) MB_WUR;

#endif
